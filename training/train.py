"""Fine-tune PhoBERT (or any token-classification backbone) on a vner dataset with the Hugging Face Trainer.

Read top to bottom: arguments (checked) -> dataset and backbone (checked) -> finished run? -> data -> model ->
Trainer -> train (resuming) -> evaluate -> save -> summary. The same function runs under `vner train`,
`python scripts/train.py`, `torchrun` and `accelerate launch` (the Trainer does DDP, gradient accumulation, mixed
precision, checkpoints and resume).

    vner train --dataset data/vner --output_dir models/phobert-vner            # vinai/phobert-base
    vner train config.yaml --learning_rate 3e-5                                # config file, flags override
    torchrun --nproc_per_node 2 scripts/train.py --dataset data/vner --output_dir models/run1

One F1 everywhere: every evaluation (each epoch, early stopping, best-model selection, the final validation and
test scores in `metrics.json`) tags whole sentences at word level (each word read at its first subword, a long
sentence's windows joined back) and scores them with seqeval in strict IOB2 mode (`annotation.metrics`), exactly as
`vner evaluate` does, so the same model shows the same F1 in both; default (conlleval) mode is reported beside it.

Running the same command again resumes from the last checkpoint in `--output_dir`, or, if the run finished, says
so and does nothing; `--overwrite_output_dir` starts over.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from transformers import HfArgumentParser, TrainingArguments

from annotation.errors import VnerError
from annotation.schema import ENTITY_TYPES
from training.progress import quiet_transformers

logger = logging.getLogger(__name__)
# datasets 2.x announces "PyTorch version ... available." at INFO when imported; that is not part of a run's output
if logging.getLogger("datasets").level == logging.NOTSET:
    logging.getLogger("datasets").setLevel(logging.WARNING)

# Files a PhoBERT tokenizer needs next to the weights (so `from_pretrained(output_dir)` works).
PHOBERT_TOKENIZER_FILES = ("vocab.txt", "bpe.codes")
# transformers 5 dropped `TrainingArguments.warmup_ratio` (a float `warmup_steps` below 1 is a ratio there); 4.x
# reads `warmup_ratio`. vner keeps `--warmup_ratio` on both and maps it to what the installed version reads.
NATIVE_WARMUP_RATIO = "warmup_ratio" in TrainingArguments.__dataclass_fields__


# ---------------------------------------------------------------------------------------------- arguments


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default="vinai/phobert-base",
        metadata={
            "help": "backbone: a Hub id (vinai/phobert-base, vinai/phobert-large, vinai/phobert-base-v2), "
            "found in the Hugging Face cache (HF_HOME) or downloaded, or a local folder such as one "
            "written by `vner tiny-model`"
        },
    )
    tokenizer_name: str | None = field(default=None, metadata={"help": "tokenizer, if not the model's"})


@dataclass
class DataArguments:
    dataset: str | None = field(default=None, metadata={"help": "a `vner dataset` folder (DatasetDict.save_to_disk)"})
    train_split: str = field(default="train", metadata={"help": "split to train on"})
    validation_split: str = field(
        default="validation", metadata={"help": "split evaluated each epoch (early stopping, best model)"}
    )
    test_split: str = field(default="test", metadata={"help": "split evaluated once at the end, if present"})
    max_seq_length: int = field(
        default=256, metadata={"help": "subwords per window, including <s> and </s>; PhoBERT's maximum is 256"}
    )
    label_all_subwords: bool = field(
        default=False, metadata={"help": "train on every subword (I- on continuations), not only the first"}
    )
    max_train_samples: int | None = field(default=None, metadata={"help": "truncate the training split (debugging)"})
    max_eval_samples: int | None = field(default=None, metadata={"help": "truncate the evaluation splits"})


@dataclass
class VnerTrainingArguments(TrainingArguments):
    """TrainingArguments with the defaults of a NER fine-tune (VinAI's recipe, run_ner.py's names)."""

    output_dir: str | None = field(default=None, metadata={"help": "where checkpoints and the final model go"})
    overwrite_output_dir: bool = field(
        default=False,
        metadata={
            "help": "start over instead of resuming from the last checkpoint in output_dir "
            "(or instead of stopping when the run there has finished)"
        },
    )
    early_stopping_patience: int | None = field(
        default=3,
        metadata={"help": "stop after this many evaluations without a better validation strict F1 (0: never)"},
    )
    no_mixed_precision: bool = field(
        default=False, metadata={"help": "on a GPU, train in fp32 (default there: bf16, or fp16 without bf16)"}
    )
    threads: int | None = field(
        default=None,
        metadata={
            "help": "CPU threads per process (default: the cores other processes leave free, "
            "at least 1; the run header says what was chosen and why)"
        },
    )
    learning_rate: float = field(default=5e-5, metadata={"help": "peak AdamW learning rate (VinAI: 1e-5..5e-5)"})
    warmup_ratio: float = field(
        default=0.1,
        metadata={
            "help": "fraction of the training steps spent warming the learning rate up "
            "linearly from 0 (then linear decay to 0); --warmup_steps N, if given, wins"
        },
    )
    num_train_epochs: float = field(default=10.0, metadata={"help": "epochs (early stopping may end sooner)"})
    per_device_train_batch_size: int = field(default=32, metadata={"help": "training windows per device per step"})
    per_device_eval_batch_size: int = field(default=64, metadata={"help": "evaluation windows per device"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay (not on biases and LayerNorm)"})
    eval_strategy: str = "epoch"
    save_strategy: str = "epoch"
    logging_strategy: str = "epoch"
    load_best_model_at_end: bool = True
    metric_for_best_model: str = field(
        default="f1",
        metadata={
            "help": "validation metric that picks the best epoch and that early stopping watches: f1 = seqeval "
            "strict IOB2 micro F1 over whole sentences; also precision, recall, default_f1, accuracy, "
            "PER_f1 ... (higher is better) or loss (lower is better)"
        },
    )
    # None: transformers derives it from the metric's name (lower is better for *loss, higher for the rest)
    greater_is_better: bool | None = None
    # a resumed run gets back its early-stopping patience counter (else it trains longer than the same run unbroken)
    restore_callback_states_from_checkpoint: bool = True
    save_total_limit: int | None = field(default=2, metadata={"help": "checkpoints kept (the best one is always kept)"})
    # length-grouped batches (little padding): transformers 5 names it train_sampling_strategy
    if "train_sampling_strategy" in TrainingArguments.__dataclass_fields__:
        train_sampling_strategy: str = "group_by_length"
    else:  # transformers 4.x
        group_by_length: bool = True
    seed: int = field(default=42, metadata={"help": "random seed (init of the head, shuffling)"})

    def __post_init__(self):
        super().__post_init__()
        if not NATIVE_WARMUP_RATIO and not self.warmup_steps and self.warmup_ratio:
            self.warmup_steps = self.warmup_ratio  # transformers 5: a float below 1 is a ratio of the steps


class ArgumentParser(HfArgumentParser):
    """HfArgumentParser whose errors (a word where a number goes, a flag without its value) are one-line
    VnerErrors instead of 100+ lines of usage."""

    def error(self, message: str):
        raise VnerError(f"{message}; see `vner train --help`.")


def argument_parser() -> ArgumentParser:
    return ArgumentParser((ModelArguments, DataArguments, VnerTrainingArguments))


def parse_args(argv: Sequence[str] | None = None):
    """(model_args, data_args, training_args) from flags, optionally on top of a JSON/YAML config file
    given as the first argument or `--config FILE` (flags override the file). Checked: see `check_arguments`."""
    import torch

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argument_parser()
    config_file = None
    if argv and argv[0].endswith((".json", ".yaml", ".yml")) and not argv[0].startswith("-"):
        config_file = argv.pop(0)
    if "--config" in argv:
        i = argv.index("--config")
        if i + 1 >= len(argv):
            raise VnerError("--config needs a file (JSON or YAML).")
        config_file = argv[i + 1]
        del argv[i : i + 2]
    parser.set_defaults(report_to="none")  # transformers 4.x reports to every installed tracker by default
    if not torch.cuda.is_available():
        # use_cpu makes accelerate set up gloo DDP under torchrun on CPU-only machines; nothing to pin memory to
        parser.set_defaults(use_cpu=True, dataloader_pin_memory=False)
    if config_file:
        parser.set_defaults(**_read_config(config_file, parser))
    try:
        model_args, data_args, training_args = parser.parse_args_into_dataclasses(args=argv)
    except (ValueError, TypeError) as exc:  # unknown flags, TrainingArguments' own consistency checks
        raise VnerError(_one_line(exc)) from None
    check_arguments(model_args, data_args, training_args)
    return model_args, data_args, _auto_mixed_precision(training_args)


def _one_line(exc: BaseException) -> str:
    """The whole message on one line: transformers' checks spread theirs over several (the first alone ends
    mid-sentence)."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return text or type(exc).__name__


# What SentenceScorer gives each evaluation (`eval_` + these), i.e. what --metric_for_best_model may name.
VALIDATION_METRICS = ("f1", "precision", "recall", "default_f1", "accuracy", "loss") + tuple(
    f"{t}_f1" for t in ENTITY_TYPES
)


def check_arguments(model_args: ModelArguments, data_args: DataArguments, args) -> None:
    """Bad values are one-line errors here, before anything is read or written."""
    if not data_args.dataset:
        raise VnerError("no dataset: pass --dataset DIR (a `vner dataset` folder) or set `dataset:` in the config.")
    if not args.output_dir:
        raise VnerError("no output folder: pass --output_dir DIR or set `output_dir:` in the config.")

    def number(
        name: str,
        value,
        *,
        whole: bool = False,
        minimum: float | None = None,
        above: float | None = None,
        below: float | None = None,
        optional: bool = False,
    ) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not float(value).is_integer()):
            raise VnerError(f"--{name} must be a {'whole ' if whole else ''}number (got {value!r}).")
        if not math.isfinite(value):  # nan passes every comparison below
            raise VnerError(f"--{name} must be a finite number (got {value!r}).")
        if minimum is not None and value < minimum:
            raise VnerError(f"--{name} must be at least {minimum:g} (got {value!r}).")
        if above is not None and value <= above:
            raise VnerError(f"--{name} must be greater than {above:g} (got {value!r}).")
        if below is not None and value >= below:
            raise VnerError(f"--{name} must be less than {below:g} (got {value!r}).")

    number("per_device_train_batch_size", args.per_device_train_batch_size, whole=True, minimum=1)
    number("per_device_eval_batch_size", args.per_device_eval_batch_size, whole=True, minimum=1)
    number("gradient_accumulation_steps", args.gradient_accumulation_steps, whole=True, minimum=1)
    number("learning_rate", args.learning_rate, above=0)
    number("max_steps", args.max_steps, whole=True)
    if args.max_steps <= 0:  # with --max_steps N the epochs are not used
        number("num_train_epochs", args.num_train_epochs, above=0)
    number("warmup_ratio", args.warmup_ratio, minimum=0, below=1)
    number("weight_decay", args.weight_decay, minimum=0)
    number("early_stopping_patience", args.early_stopping_patience, whole=True, minimum=0, optional=True)
    number("threads", args.threads, whole=True, minimum=1, optional=True)
    number("max_seq_length", data_args.max_seq_length, whole=True, minimum=3)
    number("max_train_samples", data_args.max_train_samples, whole=True, minimum=1, optional=True)
    number("max_eval_samples", data_args.max_eval_samples, whole=True, minimum=1, optional=True)
    metric = args.metric_for_best_model
    if metric is not None and metric.removeprefix("eval_") not in VALIDATION_METRICS:
        raise VnerError(
            f"--metric_for_best_model {metric!r}: not a validation metric; one of {', '.join(VALIDATION_METRICS)}."
        )
    from annotation.outputs import check_output

    # writable, before any loading; not created yet: a bad argument found later must leave nothing behind
    check_output(args.output_dir, folder=True, option="--output_dir", create=False)


def _read_config(path: str, parser) -> dict:
    p = Path(path)
    if not p.is_file():
        raise VnerError(f"{path}: config file not found.")
    try:
        if p.suffix == ".json":
            config = json.loads(p.read_text(encoding="utf-8"))
        else:
            import yaml

            config = yaml.safe_load(p.read_text(encoding="utf-8"))
    except Exception as exc:  # JSON/YAML syntax errors: one line, with the file
        raise VnerError(f"{path}: cannot parse config ({_one_line(exc)}).") from None
    if not isinstance(config, dict):
        raise VnerError(f"{path}: a config file must be a mapping of argument names to values.")
    known = {f.name for dc in parser.dataclass_types for f in fields(dc)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise VnerError(f"{path}: unknown argument(s) {unknown}; see `vner train --help` for the names.")
    return config


def _auto_mixed_precision(args):
    """bf16 on a GPU that has it, else fp16; fp32 on CPU or with --no_mixed_precision."""
    import torch

    if args.use_cpu or not torch.cuda.is_available():
        return args
    if args.bf16 or args.fp16 or args.no_mixed_precision:
        return args
    if torch.cuda.is_bf16_supported():
        return replace(args, bf16=True)
    return replace(args, fp16=True)


def choose_threads(requested: int | None) -> tuple[int, str]:
    """CPU threads per process, and why. torch's default (one per core) thrashes when other processes keep the
    cores busy (measured on a 2-core machine at load 2: 1 thread trained 1.8x faster than 2); so: the cores that
    the 1-minute load average leaves free, shared among this machine's training processes, at least 1."""
    import torch

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if requested:
        return requested, f"--threads {requested}; {cpus} cores"
    if os.environ.get("OMP_NUM_THREADS"):
        return torch.get_num_threads(), f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}; {cpus} cores"
    procs = max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1))
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):
        load = 0.0
    free = max(1, cpus - int(round(load)))
    threads = max(1, min(cpus // procs, free // procs if free >= procs else 1))
    why = f"{cpus} cores, load average {load:.1f}" + (f", {procs} training processes" if procs > 1 else "")
    return threads, why + "; --threads N to choose"


# ---------------------------------------------------------------------------------------------- data


def load_splits(path: str):
    """The DatasetDict written by `vner dataset` (`annotation.dataset.load_dataset_dict`)."""
    from annotation.dataset import load_dataset_dict

    return load_dataset_dict(path)


def label_names(ds) -> list[str]:
    """BIO label names from the dataset's ClassLabel (the model's id2label is exactly these)."""
    split = next(iter(ds.values()))
    return list(split.features["ner_tags"].feature.names)


def encode_split(
    split,
    tokenizer,
    *,
    label_names: Sequence[str],
    label_all_subwords: bool,
    max_length: int,
    desc: str = "",
    return_windows: bool = False,
):
    """Words + word tags -> a Dataset of subword windows (input_ids, attention_mask, labels), one row per window;
    with `return_windows` also the `EncodedBatch` (which window is which sentence, first-subword positions)."""
    from datasets import Dataset

    from training.features import encode_words

    enc = encode_words(
        tokenizer,
        split["tokens"],
        split["ner_tags"],
        label_all_subwords=label_all_subwords,
        max_length=max_length,
        label_names=label_names,
    )
    data = Dataset.from_dict({k: enc[k] for k in ("input_ids", "attention_mask", "labels")})
    return (data, enc) if return_windows else data


# ---------------------------------------------------------------------------------------------- metrics


class SentenceScorer:
    """`compute_metrics` for the Trainer, scoring as `vner evaluate` does: each word's tag is the prediction at its
    first subword, a long sentence's windows are joined back, and seqeval scores whole sentences
    (`annotation.metrics.seqeval_report`: strict IOB2, the headline, and default mode). `use(split)` says which
    split the next evaluation is; `last_report` keeps its full report. Returns flat floats for the Trainer's log:
    f1/precision/recall = strict micro, default_f1, accuracy, <TYPE>_f1 (strict)."""

    def __init__(self, label_list: Sequence[str]):
        self.label_list = list(label_list)
        self.splits: dict[str, tuple] = {}
        self.current: str | None = None
        self.last_report: dict | None = None

    def add(self, name: str, windows, gold_tags: Sequence[Sequence[str]]) -> None:
        self.splits[name] = (windows, [list(t) for t in gold_tags])

    def use(self, name: str) -> SentenceScorer:
        self.current = name
        return self

    def __call__(self, eval_pred) -> dict[str, float]:
        import numpy as np

        from annotation.metrics import headline, seqeval_report
        from training.features import IGNORE, join_windows

        windows, gold = self.splits[self.current]
        predictions, label_ids = eval_pred.predictions, eval_pred.label_ids
        if isinstance(predictions, tuple):
            predictions = predictions[0]
        if predictions.ndim == 3:  # logits, if preprocess_logits_for_metrics was not used
            predictions = predictions.argmax(-1)
        if len(predictions) != windows.num_windows or not self._same_labels(label_ids, windows.labels, IGNORE):
            raise RuntimeError(
                f"{self.current}: the evaluation did not return the {windows.num_windows} windows "
                "in dataset order; cannot join them back into sentences"
            )
        rows = np.repeat(np.arange(windows.num_windows), [len(f) for f in windows.first_subwords])
        cols = np.fromiter((p for f in windows.first_subwords for p in f), dtype=np.int64, count=len(rows))
        picked = predictions[rows, cols].tolist() if len(rows) else []
        per_window, start = [], 0
        for f in windows.first_subwords:
            per_window.append(picked[start : start + len(f)])
            start += len(f)
        pred = [[self.label_list[i] for i in sentence] for sentence in join_windows(windows, per_window)]
        report = seqeval_report(gold, pred)
        self.last_report = report
        strict = report["strict"]
        out = {
            "precision": strict["micro avg"]["precision"],
            "recall": strict["micro avg"]["recall"],
            "f1": headline(report),
            "default_f1": report["default"]["micro avg"]["f1-score"],
            "accuracy": report["accuracy"],
        }
        for entity_type in ENTITY_TYPES:
            if entity_type in strict:
                out[f"{entity_type}_f1"] = strict[entity_type]["f1-score"]
        return out

    @staticmethod
    def _same_labels(label_ids, expected: Sequence[Sequence[int]], ignore: int) -> bool:
        if label_ids is None or len(label_ids) != len(expected):
            return label_ids is None
        for row, want in zip(label_ids, expected):
            n = len(want)
            if list(row[:n]) != want or any(x != ignore for x in row[n:]):
                return False
        return True


# ---------------------------------------------------------------------------------------------- train


def finished_run(output_dir: Path) -> dict | None:
    """The metrics of a run that finished in `output_dir` (its metrics.json is written last), else None."""
    path = output_dir / "metrics.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _trainer_class():
    from torch.utils.data import SequentialSampler
    from transformers import Trainer

    class VnerTrainer(Trainer):
        """Evaluation reads windows in dataset order (transformers 5 length-groups them when training does), so
        SentenceScorer can put each sentence's windows back together."""

        def _get_eval_sampler(self, eval_dataset):
            if eval_dataset is None:
                return None
            return SequentialSampler(eval_dataset) if self.args.world_size <= 1 else None

    return VnerTrainer


def _argmax(logits, labels):
    """Keep only the best label id per subword during evaluation (not every logit of every window)."""
    return logits.argmax(dim=-1)


@contextmanager
def _hub_token_in_environment(token: str | None) -> Iterator[None]:
    """--hub_token where the Trainer's pushes find it (huggingface_hub reads HF_TOKEN) and nowhere else: the Trainer
    pickles its arguments into training_args.bin in the output folder and every checkpoint, and uploads that file."""
    if not token:
        yield
        return
    before = os.environ.get("HF_TOKEN")
    os.environ["HF_TOKEN"] = token
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HF_TOKEN", None)
        else:
            os.environ["HF_TOKEN"] = before


def train(model_args: ModelArguments, data_args: DataArguments, training_args) -> dict:
    """Fine-tune, evaluate, save. Returns the metrics also written to `output_dir/metrics.json`."""
    token = training_args.hub_token
    for f in fields(training_args):  # hub_token (and 4.x's deprecated push_to_hub_token): out of the saved args
        if f.name.endswith("_token") and isinstance(getattr(training_args, f.name), str):
            token = token or getattr(training_args, f.name)
            setattr(training_args, f.name, None)
    with _hub_token_in_environment(token):
        return _train(model_args, data_args, training_args)


def _train(model_args: ModelArguments, data_args: DataArguments, training_args) -> dict:
    import torch
    from transformers import (
        AutoConfig,
        AutoModelForTokenClassification,
        DataCollatorForTokenClassification,
        EarlyStoppingCallback,
        PrinterCallback,
        ProgressCallback,
        set_seed,
    )

    from training.hub import resolve_model
    from training.progress import (
        RunReporter,
        best_evaluation,
        early_stopping_result,
        epoch_text,
        metric_key,
        metric_label,
        summary_lines,
    )
    from training.tokenizer import load_tokenizer

    output_dir = Path(training_args.output_dir)
    main_process = training_args.process_index == 0

    # 1. Everything that can be wrong, before anything is written: dataset, splits, backbone, tokenizer, config.
    ds = load_splits(data_args.dataset)
    if data_args.train_split not in ds or len(ds[data_args.train_split]) == 0:
        raise VnerError(
            f"{data_args.dataset}: no {'non-empty ' if data_args.train_split in ds else ''}split "
            f"{data_args.train_split!r} to train on (has {sorted(ds)}); pass --train_split NAME."
        )
    defaults = {f.name: f.default for f in fields(DataArguments)}
    for option in ("validation_split", "test_split"):
        name = getattr(data_args, option)
        # a split named on purpose must be there; the default one may be missing (a warning below)
        if name != defaults[option] and (name not in ds or len(ds[name]) == 0):
            raise VnerError(
                f"--{option} {name}: {data_args.dataset} has no {'non-empty ' if name in ds else ''}split "
                f"{name!r} (has {sorted(ds)})."
            )
    labels = label_names(ds)
    source = resolve_model(model_args.model_name_or_path)  # a local folder (or cached snapshot), or a Hub id
    from_hub = not Path(model_args.model_name_or_path).expanduser().exists()
    tokenizer = load_tokenizer(model_args.tokenizer_name or source)
    with quiet_transformers():
        config = AutoConfig.from_pretrained(
            source,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            finetuning_task="ner",
        )
    positions = getattr(config, "max_position_embeddings", None)
    if (
        positions
        and config.model_type in ("roberta", "xlm-roberta", "camembert")
        and data_args.max_seq_length > positions - (config.pad_token_id or 0) - 1
    ):
        raise VnerError(
            f"--max_seq_length {data_args.max_seq_length}: the model has room for at most "
            f"{positions - (config.pad_token_id or 0) - 1} subwords per window."
        )

    # 2. The same command on a finished run: say so, change nothing.
    done = None if training_args.overwrite_output_dir else finished_run(output_dir)
    if done is not None:
        if main_process:
            test = (done.get("test") or {}).get("strict", {}).get("micro avg", {}).get("f1-score")
            logger.info(
                "%s: this run has finished (best epoch %s%s); nothing to do. Pass --overwrite_output_dir to "
                "train again from the start.",
                output_dir,
                epoch_text(done.get("best_epoch")),
                f", test strict F1 {test:.4f}" if test is not None else "",
            )
        return done

    set_seed(training_args.seed)
    threads, why = choose_threads(training_args.threads)
    if training_args.use_cpu or not torch.cuda.is_available():
        torch.set_num_threads(threads)
        device = f"cpu, {threads} thread{'s' if threads > 1 else ''} ({why})"
    else:
        device = f"{torch.cuda.get_device_name()} x {training_args.world_size}" + (
            " bf16" if training_args.bf16 else " fp16" if training_args.fp16 else " fp32"
        )

    # 3. Resume (same command again) or start over.
    last_checkpoint = None
    if output_dir.is_dir() and not training_args.overwrite_output_dir:
        last_checkpoint = last_complete_checkpoint(output_dir, remove_partial=main_process)
    elif output_dir.is_dir() and training_args.overwrite_output_dir and main_process:
        (output_dir / "metrics.json").unlink(missing_ok=True)  # not finished any more
        for checkpoint in output_dir.glob("checkpoint-*"):
            shutil.rmtree(checkpoint)

    # 4. Data: words -> subword windows, labels on first subwords; evaluation splits remember their windows.
    scorer = SentenceScorer(labels)
    splits, sizes = {}, {}
    for role, name, limit in (
        ("train", data_args.train_split, data_args.max_train_samples),
        ("validation", data_args.validation_split, data_args.max_eval_samples),
        ("test", data_args.test_split, data_args.max_eval_samples),
    ):
        if name not in ds or len(ds[name]) == 0:
            continue
        split = ds[name] if limit is None else ds[name].select(range(min(limit, len(ds[name]))))
        splits[role], windows = encode_split(
            split,
            tokenizer,
            label_names=labels,
            label_all_subwords=data_args.label_all_subwords,
            max_length=data_args.max_seq_length,
            return_windows=True,
        )
        sizes[role] = (len(split), windows.num_windows)
        if role != "train":
            scorer.add(role, windows, [[labels[i] for i in tags] for tags in split["ner_tags"]])
    if "validation" not in splits:
        # without a validation split there is nothing to pick a best model or stop early on
        logger.warning(
            "no %r split: no per-epoch evaluation, early stopping or best-model selection", data_args.validation_split
        )
        training_args = replace(
            training_args,
            eval_strategy="no",
            load_best_model_at_end=False,
            metric_for_best_model=None,
            early_stopping_patience=0,
        )
    metric = metric_key(training_args.metric_for_best_model)
    higher = training_args.greater_is_better is not False

    # 5. Model: the backbone with a token-classification head over the dataset's labels.
    with quiet_transformers():
        model, info = AutoModelForTokenClassification.from_pretrained(
            source, config=config, output_loading_info=True, ignore_mismatched_sizes=True
        )
    new = sorted(info.get("missing_keys") or []) + sorted(
        str(k[0] if isinstance(k, tuple) else k) for k in (info.get("mismatched_keys") or [])
    )
    n_params = sum(p.numel() for p in model.parameters())
    evaluating = "validation" in splits and training_args.eval_strategy != "no"
    if main_process:
        where = "" if source == model_args.model_name_or_path else f" (from {source})"
        logger.info("vner train: %s%s -> %s", model_args.model_name_or_path, where, output_dir)
        logger.info(
            "model: %s, %.1fM parameters (hidden %s, %s layers), %d labels",
            config.model_type,
            n_params / 1e6,
            getattr(config, "hidden_size", "?"),
            getattr(config, "num_hidden_layers", "?"),
            len(labels),
        )
        if new and all(k.startswith("classifier.") for k in new):
            logger.info(
                "classification head is new (%s): random init, seed %d", ", ".join(sorted(set(new))), training_args.seed
            )
        elif new:
            logger.warning(
                "%d weight tensors not in the checkpoint are initialised at random: %s",
                len(new),
                ", ".join(new[:6]) + (" ..." if len(new) > 6 else ""),
            )
        logger.info(
            "data: %s: %s",
            data_args.dataset,
            ", ".join(
                f"{role} {n} sentences" + (f" ({w} windows)" if w != n else "") for role, (n, w) in sizes.items()
            ),
        )
        logger.info(
            "training: batch %d x %d process(es) x %d accumulation, AdamW lr %g, weight decay %g, up to %g epochs%s",
            training_args.per_device_train_batch_size,
            training_args.world_size,
            training_args.gradient_accumulation_steps,
            training_args.learning_rate,
            training_args.weight_decay,
            training_args.num_train_epochs,
            f", early stopping after {training_args.early_stopping_patience} evaluations without a better "
            f"validation {metric_label(metric)}"
            if training_args.early_stopping_patience and evaluating
            else "",
        )
        logger.info("device: %s", device)
        if last_checkpoint:
            logger.info("resuming from %s", last_checkpoint)

    # 6. Trainer: dynamic padding, length-grouped batches, eval each epoch, early stopping on the chosen metric.
    early = None
    if training_args.early_stopping_patience and evaluating:
        early = EarlyStoppingCallback(early_stopping_patience=training_args.early_stopping_patience)
    reporter = RunReporter(show_bar=not training_args.disable_tqdm, metric=metric, greater_is_better=higher)
    mixed = training_args.bf16 or training_args.fp16
    trainer = _trainer_class()(
        model=model,
        args=training_args,
        train_dataset=splits["train"],
        eval_dataset=splits.get("validation"),
        processing_class=tokenizer,
        data_collator=DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8 if mixed else None),
        compute_metrics=scorer.use("validation"),
        preprocess_logits_for_metrics=_argmax,
        callbacks=[c for c in (early, reporter) if c is not None],
    )
    trainer.remove_callback(ProgressCallback)  # RunReporter draws the one bar and the table
    trainer.remove_callback(PrinterCallback)

    # 7. Train (resuming if a checkpoint is there), then score the saved model on validation and test.
    from tqdm.contrib.logging import logging_redirect_tqdm

    with quiet_transformers(), logging_redirect_tqdm():
        train_result = trainer.train(resume_from_checkpoint=last_checkpoint)
    # a resumed run swaps in the checkpoint's own EarlyStoppingCallback (its patience counter restored)
    early = next((c for c in trainer.callback_handler.callbacks if isinstance(c, EarlyStoppingCallback)), None)
    stopped_early = early_stopping_result(early, trainer.state, metric, higher) if main_process else None
    if early is not None:
        trainer.remove_callback(early)  # the final test evaluation has no eval_f1 to stop on
    best = best_evaluation(trainer.state.log_history, metric, higher)
    metrics = {
        "headline": "seqeval strict IOB2 micro F1 over whole sentences (annotation.metrics); `default` is "
        "seqeval's default (conlleval) mode",
        "best_epoch": best.get("epoch") if best else None,
        "best_by": metric if best else None,
        "best_restored": bool(best and training_args.load_best_model_at_end),
        "epochs_run": trainer.state.epoch,
        "stopped_early": stopped_early,
        "train": train_result.metrics,
    }
    for role in ("validation", "test"):
        if role in splits:
            scorer.use(role)
            with quiet_transformers():
                flat = trainer.evaluate(splits[role], metric_key_prefix=role)
            metrics[role] = {
                **scorer.last_report,
                "loss": flat.get(f"{role}_loss"),
                "split": getattr(data_args, f"{role}_split"),
                "sentences": sizes[role][0],
                "windows": sizes[role][1],
            }

    # 8. Save: model + tokenizer files + metrics + args + label schema, so the folder is self-contained.
    with quiet_transformers():
        trainer.save_model(str(output_dir))
        trainer.save_state()
    if trainer.is_world_process_zero():
        _copy_tokenizer_files(model_args.tokenizer_name or source, output_dir)
        run_info = {
            "model": {**asdict(model_args), "resolved": source, "from_hub": from_hub},
            "data": asdict(data_args),
            "training": json.loads(training_args.to_json_string()),
            "resumed_from": last_checkpoint,
            "world_size": training_args.world_size,
            "threads": threads if "cpu" in device else None,
        }
        (output_dir / "training_args.json").write_text(json.dumps(run_info, indent=2, ensure_ascii=False) + "\n")
        (output_dir / "labels.json").write_text(
            json.dumps({"labels": labels, "entity_types": list(ENTITY_TYPES), "scheme": "IOB2"}, indent=2) + "\n"
        )
        (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")  # last: marks it finished
        for line in summary_lines(metrics, str(output_dir), data_args.dataset):
            logger.info("%s", line)
    return metrics


def last_complete_checkpoint(output_dir: Path, *, remove_partial: bool = False) -> str | None:
    """The newest `checkpoint-N` whose trainer_state.json (the Trainer writes it last) is complete.
    A run killed while saving leaves a partial checkpoint; resuming from it would fail, so it is skipped
    (and removed by the main process, since the resumed run will write that step again)."""
    checkpoints = sorted(
        (p for p in output_dir.glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()),
        key=lambda p: int(p.name.split("-")[-1]),
        reverse=True,
    )
    for checkpoint in checkpoints:
        try:
            json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
            return str(checkpoint)
        except (OSError, ValueError):
            logger.warning("%s: incomplete checkpoint (interrupted while saving); skipped", checkpoint)
            if remove_partial:
                shutil.rmtree(checkpoint, ignore_errors=True)
    return None


def _copy_tokenizer_files(source: str, output_dir: Path) -> None:
    """PhoBERT's vocab.txt / bpe.codes next to the weights, when the tokenizer did not write them itself."""
    for name in PHOBERT_TOKENIZER_FILES:
        if (output_dir / name).exists():
            continue
        local = Path(source) / name
        if local.is_file():
            shutil.copyfile(local, output_dir / name)
            continue
        if not Path(source).exists():  # a Hub id: the file is in the local Hub cache if the model has it
            try:
                from huggingface_hub import hf_hub_download

                shutil.copyfile(hf_hub_download(source, name), output_dir / name)
            except Exception:  # not a PhoBERT model (no such file) or offline: nothing to copy
                pass


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model_args, data_args, training_args = parse_args(argv)
    train(model_args, data_args, training_args)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
