"""Fine-tune PhoBERT (or any token-classification backbone) on a vner dataset with the Hugging Face Trainer.

Read top to bottom: arguments -> data -> model -> Trainer -> train (resuming) -> evaluate -> save.
The same function runs under `vner train`, `python scripts/train.py`, `torchrun` and `accelerate launch`
(the Trainer does DDP, gradient accumulation, mixed precision, checkpoints and resume).

    vner train --dataset data/vner --output_dir models/phobert-vner            # vinai/phobert-base
    vner train config.yaml --learning_rate 3e-5                                # config file, flags override
    torchrun --nproc_per_node 2 scripts/train.py --dataset data/vner --output_dir models/run1

Running the same command again resumes from the last checkpoint in `--output_dir`;
`--overwrite_output_dir` starts over.
"""
from __future__ import annotations

import json
import logging
import shutil
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Sequence

from transformers import TrainingArguments

from annotation.errors import VnerError
from annotation.schema import ENTITY_TYPES

logger = logging.getLogger(__name__)

# Files a PhoBERT tokenizer needs next to the weights (so `from_pretrained(output_dir)` works).
PHOBERT_TOKENIZER_FILES = ("vocab.txt", "bpe.codes")


# ---------------------------------------------------------------------------------------------- arguments


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default="vinai/phobert-base",
        metadata={"help": "backbone: a Hub id (vinai/phobert-base, vinai/phobert-large, vinai/phobert-base-v2) "
                  "or a local folder (e.g. one written by `vner tiny-model`)"},
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
        default=False, metadata={"help": "start over instead of resuming from the last checkpoint in output_dir"}
    )
    early_stopping_patience: int | None = field(
        default=3, metadata={"help": "stop after this many evaluations without a better entity F1 (0: never)"}
    )
    no_mixed_precision: bool = field(
        default=False, metadata={"help": "on a GPU, train in fp32 (default there: bf16, or fp16 without bf16)"}
    )
    learning_rate: float = field(default=5e-5, metadata={"help": "peak AdamW learning rate (VinAI: 1e-5..5e-5)"})
    num_train_epochs: float = field(default=10.0, metadata={"help": "epochs (early stopping may end sooner)"})
    per_device_train_batch_size: int = field(default=32, metadata={"help": "training windows per device per step"})
    per_device_eval_batch_size: int = field(default=64, metadata={"help": "evaluation windows per device"})
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    eval_strategy: str = "epoch"
    save_strategy: str = "epoch"
    logging_strategy: str = "epoch"
    load_best_model_at_end: bool = True
    metric_for_best_model: str = "f1"
    greater_is_better: bool = True
    save_total_limit: int | None = field(default=2, metadata={"help": "checkpoints kept (the best one is always kept)"})
    # length-grouped batches (little padding): transformers 5 names it train_sampling_strategy
    if "train_sampling_strategy" in TrainingArguments.__dataclass_fields__:
        train_sampling_strategy: str = "group_by_length"
    else:  # transformers 4.x
        group_by_length: bool = True
    seed: int = field(default=42, metadata={"help": "random seed (init of the head, shuffling)"})


def parse_args(argv: Sequence[str] | None = None):
    """(model_args, data_args, training_args) from flags, optionally on top of a JSON/YAML config file
    given as the first argument or `--config FILE` (flags override the file)."""
    import torch
    from transformers import HfArgumentParser

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = HfArgumentParser((ModelArguments, DataArguments, VnerTrainingArguments))
    config_file = None
    if argv and argv[0].endswith((".json", ".yaml", ".yml")) and not argv[0].startswith("-"):
        config_file = argv.pop(0)
    if "--config" in argv:
        i = argv.index("--config")
        if i + 1 >= len(argv):
            raise VnerError("--config needs a file (JSON or YAML).")
        config_file = argv[i + 1]
        del argv[i : i + 2]
    if not torch.cuda.is_available():
        # use_cpu makes accelerate set up gloo DDP under torchrun on CPU-only machines; nothing to pin memory to
        parser.set_defaults(use_cpu=True, dataloader_pin_memory=False)
    if config_file:
        parser.set_defaults(**_read_config(config_file, parser))
    model_args, data_args, training_args = parser.parse_args_into_dataclasses(args=argv)
    if not data_args.dataset:
        raise VnerError("no dataset: pass --dataset DIR (a `vner dataset` folder) or set `dataset:` in the config.")
    if not training_args.output_dir:
        raise VnerError("no output folder: pass --output_dir DIR or set `output_dir:` in the config.")
    return model_args, data_args, _auto_mixed_precision(training_args)


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
        raise VnerError(f"{path}: cannot parse config ({str(exc).splitlines()[0]}).") from None
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


# ---------------------------------------------------------------------------------------------- data


def load_splits(path: str):
    """The DatasetDict written by `vner dataset`, with a clear error for anything else."""
    from datasets import DatasetDict, load_from_disk

    if not Path(path).exists():
        raise VnerError(f"{path}: no such dataset folder; build one with `vner dataset`.")
    try:
        ds = load_from_disk(path)
    except Exception as exc:
        raise VnerError(f"{path}: not a saved dataset ({str(exc).splitlines()[0]}); build one with `vner dataset`.") from None
    if not isinstance(ds, DatasetDict):
        raise VnerError(f"{path}: holds a single Dataset; vner expects a DatasetDict with train/validation/test splits.")
    for split in ds.values():
        missing = {"tokens", "ner_tags"} - set(split.column_names)
        if missing:
            raise VnerError(f"{path}: dataset lacks column(s) {sorted(missing)}; build it with `vner dataset`.")
    return ds


def label_names(ds) -> list[str]:
    """BIO label names from the dataset's ClassLabel (the model's id2label is exactly these)."""
    split = next(iter(ds.values()))
    return list(split.features["ner_tags"].feature.names)


def encode_split(split, tokenizer, *, label_names: Sequence[str], label_all_subwords: bool, max_length: int, desc: str):
    """Words + word tags -> subword windows (input_ids, attention_mask, labels); one row per window."""
    from training.features import encode_words

    def encode(batch):
        enc = encode_words(
            tokenizer, batch["tokens"], batch["ner_tags"],
            label_all_subwords=label_all_subwords, max_length=max_length, label_names=label_names,
        )
        return {k: enc[k] for k in ("input_ids", "attention_mask", "labels")}

    return split.map(encode, batched=True, remove_columns=split.column_names, desc=desc)


# ---------------------------------------------------------------------------------------------- metrics


def seqeval_metrics(label_list: Sequence[str]):
    """compute_metrics for the Trainer: entity-level seqeval (default mode) over first-subword labels.
    Windows of a long sentence count as separate sequences here; `vner evaluate` scores whole sentences."""
    import numpy as np
    from seqeval.metrics import accuracy_score, classification_report

    def compute(eval_pred) -> dict[str, float]:
        logits, labels = eval_pred
        predictions = np.argmax(logits, axis=-1)
        gold, pred = [], []
        for p_row, l_row in zip(predictions, labels):
            keep = l_row != -100
            gold.append([label_list[i] for i in l_row[keep]])
            pred.append([label_list[i] for i in p_row[keep]])
        report = classification_report(gold, pred, output_dict=True, zero_division=0)
        out = {
            "precision": report["micro avg"]["precision"],
            "recall": report["micro avg"]["recall"],
            "f1": report["micro avg"]["f1-score"],
            "accuracy": accuracy_score(gold, pred),
        }
        for entity_type in ENTITY_TYPES:
            if entity_type in report:
                out[f"{entity_type}_f1"] = report[entity_type]["f1-score"]
        return out

    return compute


# ---------------------------------------------------------------------------------------------- train


def train(model_args: ModelArguments, data_args: DataArguments, training_args) -> dict:
    """Fine-tune, evaluate, save. Returns the metrics also written to `output_dir/metrics.json`."""
    from transformers import (
        AutoConfig,
        AutoModelForTokenClassification,
        DataCollatorForTokenClassification,
        EarlyStoppingCallback,
        Trainer,
        set_seed,
    )

    from training.tokenizer import load_tokenizer

    output_dir = Path(training_args.output_dir)
    set_seed(training_args.seed)

    # 1. Resume or start over. Same command again -> continue from the last checkpoint.
    last_checkpoint = None
    if output_dir.is_dir() and not training_args.overwrite_output_dir:
        last_checkpoint = last_complete_checkpoint(output_dir, remove_partial=training_args.process_index == 0)
        if last_checkpoint is None and (output_dir / "metrics.json").exists():
            raise VnerError(
                f"{output_dir}: already holds a finished model; pass --overwrite_output_dir to train again there, "
                "or choose another --output_dir."
            )
        if last_checkpoint:
            logger.info("resuming from %s", last_checkpoint)
    elif output_dir.is_dir() and training_args.overwrite_output_dir and training_args.process_index == 0:
        for checkpoint in output_dir.glob("checkpoint-*"):
            shutil.rmtree(checkpoint)

    # 2. Data: words -> subword windows, labels on first subwords.
    ds = load_splits(data_args.dataset)
    if data_args.train_split not in ds:
        raise VnerError(f"{data_args.dataset}: no split {data_args.train_split!r} (has {sorted(ds)}).")
    labels = label_names(ds)
    tokenizer = load_tokenizer(model_args.tokenizer_name or model_args.model_name_or_path)
    splits = {}
    for role, name, limit in (
        ("train", data_args.train_split, data_args.max_train_samples),
        ("validation", data_args.validation_split, data_args.max_eval_samples),
        ("test", data_args.test_split, data_args.max_eval_samples),
    ):
        if name not in ds or len(ds[name]) == 0:
            continue
        split = ds[name] if limit is None else ds[name].select(range(min(limit, len(ds[name]))))
        with training_args.main_process_first(desc=f"encode {name}"):
            splits[role] = encode_split(
                split, tokenizer, label_names=labels, label_all_subwords=data_args.label_all_subwords,
                max_length=data_args.max_seq_length, desc=f"encode {name}",
            )
    if "validation" not in splits:
        # without a validation split there is nothing to pick a best model or stop early on
        logger.warning("no %r split: no per-epoch evaluation, early stopping or best-model selection",
                       data_args.validation_split)
        training_args = replace(training_args, eval_strategy="no", load_best_model_at_end=False,
                                metric_for_best_model=None, early_stopping_patience=0)

    # 3. Model: the backbone with a fresh token-classification head over the dataset's labels.
    config = AutoConfig.from_pretrained(
        model_args.model_name_or_path,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        finetuning_task="ner",
    )
    model = AutoModelForTokenClassification.from_pretrained(model_args.model_name_or_path, config=config)

    # 4. Trainer: dynamic padding, length-grouped batches, eval each epoch, early stopping on entity F1.
    callbacks = []
    if training_args.early_stopping_patience and "validation" in splits and training_args.eval_strategy != "no":
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=training_args.early_stopping_patience))
    mixed = training_args.bf16 or training_args.fp16
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=splits["train"],
        eval_dataset=splits.get("validation"),
        processing_class=tokenizer,
        data_collator=DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8 if mixed else None),
        compute_metrics=seqeval_metrics(labels),
        callbacks=callbacks,
    )

    # 5. Train (resuming if a checkpoint is there), then evaluate the best model.
    train_result = trainer.train(resume_from_checkpoint=last_checkpoint)
    trainer.remove_callback(EarlyStoppingCallback)  # it only reads eval_f1; the final test evaluation has none
    metrics = {"train": train_result.metrics}
    if "validation" in splits:
        metrics["validation"] = trainer.evaluate(splits["validation"], metric_key_prefix="eval")
    if "test" in splits:
        metrics["test"] = trainer.evaluate(splits["test"], metric_key_prefix="test")

    # 6. Save: model + tokenizer files + metrics + args + label schema, so the folder is self-contained.
    trainer.save_model(str(output_dir))
    trainer.save_state()
    if trainer.is_world_process_zero():
        _copy_tokenizer_files(model_args.tokenizer_name or model_args.model_name_or_path, output_dir)
        run_info = {
            "model": asdict(model_args),
            "data": asdict(data_args),
            "training": json.loads(training_args.to_json_string()),
            "resumed_from": last_checkpoint,
            "world_size": training_args.world_size,
        }
        (output_dir / "training_args.json").write_text(json.dumps(run_info, indent=2, ensure_ascii=False) + "\n")
        (output_dir / "labels.json").write_text(
            json.dumps({"labels": labels, "entity_types": list(ENTITY_TYPES), "scheme": "IOB2"}, indent=2) + "\n"
        )
        (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        logger.info("model written to %s", output_dir)
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
