"""`vner train`, `vner evaluate`, `vner predict`, `vner publish`: thin wrappers over `training/`."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    from .annotate import add_loading_arguments, add_task_options

    p = sub.add_parser(
        "train",
        help="fine-tune PhoBERT on a vner dataset (HF Trainer; resumes from the last checkpoint)",
        description="Fine-tune a token classifier (default vinai/phobert-base) on a `vner dataset` folder. "
        "Arguments are those of Hugging Face's run_ner.py / TrainingArguments (--learning_rate, "
        "--num_train_epochs, --per_device_train_batch_size, ...); a JSON/YAML config file may come first or "
        "with --config, flags override it. Run the same command again to resume. "
        "Multi-GPU: torchrun --nproc_per_node N scripts/train.py ARGS. Full list: `vner train --help-all`.",
        add_help=False,
        prefix_chars="\x00",  # every argument goes to training.train's own parser (HfArgumentParser)
        usage="vner train [CONFIG.yaml|json] [--config FILE] --dataset DIR --output_dir DIR [--OPTION VALUE ...]",
    )
    p.add_argument("train_args", nargs="*", metavar="ARG", help=argparse.SUPPRESS)
    p.set_defaults(func=_train, _parser=p)

    p = sub.add_parser(
        "evaluate",
        help="score a model or a pre-annotator stack on a dataset split (seqeval, confusion, every error)",
        description="Score a trained model (--model) or a stack of pre-annotators (--preannotators, "
        "no torch needed: how would the rules do on this corpus?) on a dataset split: seqeval "
        "strict IOB2 (the headline) and default mode per type, micro/macro; write metrics.json, "
        "report.md and errors.jsonl.",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--model", help="model folder written by `vner train`, or its Hub id OWNER/NAME")
    who.add_argument(
        "--preannotators",
        metavar="SPEC",
        help="pre-annotators as in `vner preannotate --annotators` (e.g. rules,dates; default; "
        "gazetteer:FILE; model:DIR)",
    )
    p.add_argument("--dataset", required=True, help="`vner dataset` folder")
    p.add_argument("--split", default="test", help="split to score (default: test)")
    p.add_argument(
        "-o",
        "--output",
        help="folder for metrics.json, report.md, errors.jsonl (default: MODEL/eval, where "
        "`vner publish` looks for the results to put in the model card; for a Hub id: DATASET/eval-SPLIT-<id>; "
        "with --preannotators: DATASET/eval-SPLIT-<annotators>)",
    )
    p.add_argument("--batch-size", type=int, default=32, help="sentences per model batch (default: 32)")
    p.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)")
    p.set_defaults(func=_evaluate)

    p = sub.add_parser(
        "predict",
        help="tag raw text files with a model -> Label Studio tasks with predictions",
        description="Load text (NFC, paragraphs, sentences, underthesea words), tag it in length-"
        "sorted batches, write Label Studio tasks whose predictions carry character offsets "
        "into the display text and scores. The same as `vner preannotate --annotators model:DIR`.",
    )
    p.add_argument(
        "--model",
        required=True,
        help="model folder written by `vner train`, or the Hub id OWNER/NAME of one (from the Hugging Face cache, "
        "else downloaded)",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt files or folders of them")
    p.add_argument("-o", "--output", required=True, help="tasks JSON file to write")
    p.add_argument(
        "--granularity",
        choices=["paragraph", "sentence", "document"],
        default="paragraph",
        help="one task per paragraph (default), sentence or document",
    )
    add_loading_arguments(p)
    p.add_argument("--batch-size", type=int, default=32, help="sentences per model batch (default: 32)")
    p.add_argument("--device", help="cpu, cuda, ... (default: cuda if available)")
    add_task_options(p)
    p.set_defaults(func=_predict)

    p = sub.add_parser(
        "publish",
        help="push a model with a model card (seqeval results) to the Hugging Face Hub",
        description="Stage the model folder with a model card whose model-index holds the "
        "`vner evaluate` results and upload it. Token: --token, HF_TOKEN or `hf auth login`.",
    )
    p.add_argument("--model", required=True, help="model folder written by `vner train`")
    p.add_argument("--repo-id", required=True, help="OWNER/NAME on the Hub")
    p.add_argument("--private", action="store_true", help="create the repository private")
    p.add_argument("--dry-run", metavar="OUT", help="write the exact folder that would be uploaded; upload nothing")
    p.add_argument("--metrics", help="evaluation metrics.json (default: MODEL/eval/metrics.json)")
    p.add_argument("--token", help="Hub token (default: HF_TOKEN, then a saved login)")
    p.set_defaults(func=_publish)


def _train(args: argparse.Namespace) -> int:
    from training.train import main

    argv = list(args.train_args)
    if "--help-all" in argv or "-h" in argv or "--help" in argv:
        _train_help(args._parser, full="--help-all" in argv)
        return 0
    return main(argv)


# what `vner train --help` lists from TrainingArguments (--help-all: every argument)
MAIN_TRAINING_OPTIONS = (
    "output_dir",
    "overwrite_output_dir",
    "num_train_epochs",
    "max_steps",
    "learning_rate",
    "warmup_ratio",
    "per_device_train_batch_size",
    "per_device_eval_batch_size",
    "gradient_accumulation_steps",
    "weight_decay",
    "early_stopping_patience",
    "metric_for_best_model",
    "save_total_limit",
    "seed",
    "threads",
    "bf16",
    "fp16",
    "no_mixed_precision",
    "disable_tqdm",
)


def _train_help(parser, *, full: bool) -> None:
    import textwrap
    from dataclasses import MISSING, fields

    from training.train import DataArguments, ModelArguments, VnerTrainingArguments, argument_parser

    if full:
        argument_parser().print_help()
        return
    parser.print_help()
    print("\nmain options (whole list: vner train --help-all):")
    for dc in (ModelArguments, DataArguments, VnerTrainingArguments):
        for f in fields(dc):
            if dc is VnerTrainingArguments and f.name not in MAIN_TRAINING_OPTIONS:
                continue
            default = (
                f.default
                if f.default is not MISSING
                else (f.default_factory() if f.default_factory is not MISSING else None)
            )
            help_text = " ".join(str(f.metadata.get("help", "")).split())
            text = f"{help_text} (default: {default})" if help_text else f"(default: {default})"
            lines = textwrap.wrap(text, width=78, initial_indent=" " * 6, subsequent_indent=" " * 6)
            print(f"  --{f.name}")
            print("\n".join(lines))


def _safe(name: str) -> str:
    """A model or annotator spec as part of a folder name: `model:me/x` -> `model-me_x`."""
    return name.replace(":", "-").replace("/", "_")


def _evaluate(args: argparse.Namespace) -> int:
    from annotation.evaluation import write_evaluation
    from annotation.outputs import check_output

    # the output folder is created by write_evaluation, once the model, dataset and options have been read
    if args.model:
        from training.evaluate import evaluate

        # a local model keeps its evaluation (where publish looks); a Hub id's goes beside the dataset
        local = Path(args.model).expanduser().is_dir()
        default = Path(args.model) / "eval" if local else Path(args.dataset) / f"eval-{args.split}-{_safe(args.model)}"
        output = args.output or str(default)
        check_output(output, folder=True, create=False)
        ev = evaluate(args.model, args.dataset, args.split, batch_size=args.batch_size, device=args.device)
        who = args.model
    else:
        from annotation.evaluation import evaluate_preannotators
        from vner.api import load_preannotators, split_specs

        stack = load_preannotators(args.preannotators, batch_size=args.batch_size, device=args.device)
        name = "+".join(_safe(s) for s in split_specs(args.preannotators))
        output = args.output or str(Path(args.dataset) / f"eval-{args.split}-{name}")
        check_output(output, folder=True, create=False)
        ev = evaluate_preannotators(args.dataset, stack, args.split, progress=True)
        who = ev.metrics["preannotators"]
    write_evaluation(ev, output)
    print(f"{who} on {args.dataset}: seqeval, strict IOB2 ({args.split}, {ev.metrics['sentences']} sentences):")
    print(ev.report_text)
    s, d = ev.metrics["strict"]["micro avg"], ev.metrics["default"]["micro avg"]
    print(
        f"strict IOB2 micro F1 {s['f1-score']:.4f} (P {s['precision']:.4f} R {s['recall']:.4f}); default mode "
        f"(conlleval) micro F1 {d['f1-score']:.4f}; {ev.metrics['sentences_with_errors']} sentences with errors; "
        f"written to {output}"
    )
    return 0


def _predict(args: argparse.Namespace) -> int:
    from annotation.outputs import check_output
    from vner.api import model_preannotator

    from .annotate import run_preannotate_args

    check_output(args.output)  # before loading the model
    annotator = model_preannotator(args.model, batch_size=args.batch_size, device=args.device)
    return run_preannotate_args(args, [annotator])


def _publish(args: argparse.Namespace) -> int:
    if args.dry_run:
        from annotation.outputs import check_output

        check_output(args.dry_run, folder=True, option="--dry-run", create=False)  # stage() creates it
    from training.publish import publish

    where = publish(
        args.model,
        args.repo_id,
        private=args.private,
        token=args.token,
        dry_run=args.dry_run,
        metrics_file=args.metrics,
    )
    print(f"staged (nothing uploaded): {where}" if args.dry_run else f"published: {where}")
    return 0
