"""`vner dataset` and `vner corrections`: thin wrappers over annotation.export/dataset/corrections."""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "dataset",
        help="turn a Label Studio JSON export into a Hugging Face dataset (+ CoNLL, JSONL, card)",
        description="Read a Label Studio JSON export (tasks from `vner preannotate` or any text project), convert "
        "every annotation to BIO tags over PhoBERT words without losing a span, split by document into "
        "train/validation/test and write DIR (save_to_disk), DIR/conll, DIR/jsonl and DIR/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("export", metavar="EXPORT.json", help="Label Studio export (Export > JSON)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="dataset folder to write")
    p.add_argument("--use-predictions", action="store_true",
                   help="tasks nobody annotated use their (latest) pre-annotation instead of being skipped")
    p.add_argument("--annotations", choices=["latest", "per-annotator"], default="latest",
                   help="several annotations on a task: `latest` keeps one, in this order: the one marked ground truth "
                   "in Label Studio (even if others are newer), else the last updated; `per-annotator` keeps one "
                   "example per annotator (each annotator's own chosen the same way)")
    p.add_argument("--lenient", action="store_true",
                   help="leave out the sentences with problems and list them in DIR/issues.jsonl instead of failing")
    p.add_argument("--keep-repeats", action="store_true",
                   help="keep every copy of a sentence repeated in a document (by default one example per text, "
                   "the copy a person corrected; copies people labelled differently are always kept)")
    p.add_argument("--split", default="0.8,0.1,0.1", metavar="TRAIN,VAL,TEST",
                   help="document ratios of the train/validation/test splits")
    p.add_argument("--seed", type=int, default=42, help="seed of the document shuffle")
    p.set_defaults(func=_dataset)

    p = sub.add_parser(
        "corrections",
        help="how much annotators changed the pre-annotations, per entity type",
        description="Compare the pre-annotations (the predictions stored in the export, or recomputed with "
        "--preannotators) with the annotators' corrections: per type, predicted spans kept, boundary changed, "
        "type changed, deleted, and gold entities added; plus seqeval strict (IOB2) precision/recall/F1. "
        "The annotation of a task is the one marked ground truth, else the latest; the prediction is the latest "
        "(or the latest of --model-version).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("export", metavar="EXPORT.json", help="Label Studio export with annotations (and predictions)")
    p.add_argument("-o", "--output", metavar="REPORT.md", help="also write the markdown report to this file")
    p.add_argument("--json", metavar="REPORT.json", help="also write the report as JSON")
    p.add_argument("--preannotators", metavar="SPEC",
                   help="recompute predictions with these pre-annotators (e.g. default = rules,dates; crf; model:DIR) instead of "
                   "using the predictions stored in the export")
    p.add_argument("--model-version", metavar="VERSION",
                   help="compare with the stored predictions of this model_version only, e.g. annotator:NAME in a "
                   "review project from `vner adjudicate` (what the reviewer changed in NAME's version)")
    p.add_argument("--model-mode", default="override", metavar="MODE",
                   help="with a model:DIR in --preannotators: override, fill-gaps or threshold:P "
                   "(see `vner preannotate`)")
    p.add_argument("--lenient", action="store_true", help="skip tasks with problems (listed) instead of failing")
    p.set_defaults(func=_corrections)


def parse_ratios(text: str) -> tuple[float, float, float]:
    from annotation.errors import VnerError

    try:
        ratios = tuple(float(x) for x in text.split(","))
    except ValueError:
        ratios = ()
    if len(ratios) != 3 or any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise VnerError(f"--split {text!r}: give three non-negative ratios, e.g. --split 0.8,0.1,0.1.")
    return ratios  # type: ignore[return-value]


def _dataset(args) -> int:
    from pathlib import Path

    from annotation.dataset import build_dataset_dict, write_dataset
    from annotation.export import annotation_rule_line, load_export
    from annotation.schema import ENTITY_TYPES

    ratios = parse_ratios(args.split)
    result = load_export(args.export, use_predictions=args.use_predictions, annotations=args.annotations,
                         lenient=args.lenient, progress=True, keep_repeats=args.keep_repeats)
    dsd = build_dataset_dict(result.examples, ratios=ratios, seed=args.seed)
    counts = write_dataset(dsd, args.output, issues=result.issues, stats=result.stats, source=Path(args.export).name)
    print(f"{args.output}: {len(result.examples)} sentences from {result.stats['tasks_used']} of "
          f"{result.stats['tasks']} tasks")
    header = ["split", "docs", "sentences"] + list(ENTITY_TYPES)
    rows = [[name, str(len(set(ds["doc_id"]))), str(len(ds))] + [str(counts[name][t]) for t in ENTITY_TYPES]
            for name, ds in dsd.items()]
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header))]
    for r in [header] + rows:
        print("  ".join(c.rjust(w) if k else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths))))
    notes = []
    for key, what in (("cancelled_tasks", "cancelled"), ("unannotated_tasks", "unannotated (skipped)"),
                      ("from_predictions", "from predictions"), ("several_annotations", "with several annotations"),
                      ("merged_sentences", "merged sentence groups")):
        if result.stats.get(key):
            notes.append(f"{len(result.stats[key])} {what}")
    if notes:
        print("tasks: " + ", ".join(notes))
    if any(result.stats["chosen_by"].values()):
        per = " (per task and annotator)" if args.annotations == "per-annotator" else ""
        print(annotation_rule_line(result.stats["chosen_by"]) + per)
    if result.stats.get("trimmed_spans"):
        print(f"spans: {result.stats['trimmed_spans']} trimmed of surrounding whitespace")
    if result.stats.get("repeated_sentences"):
        from annotation.dataset import repeats_note

        print(f"sentences: {repeats_note(result.stats['repeated_sentences'])}")
    empty = [name for (name, ds), ratio in zip(dsd.items(), ratios) if ratio > 0 and len(ds) == 0]
    if empty:
        print(f"note: {' and '.join(empty)} got no document (splits are by document; 3 or more documents fill every split)")
    if result.issues:
        print(f"{len(result.issues)} problem(s) left out, listed in {Path(args.output) / 'issues.jsonl'}")
    return 0


def _corrections(args) -> int:
    import json
    from pathlib import Path

    from annotation.corrections import correction_report, render_markdown

    annotators = None
    if args.preannotators:
        from vner.api import load_preannotators

        annotators = load_preannotators(args.preannotators, model_mode=args.model_mode)
    report = correction_report(args.export, preannotators=annotators, lenient=args.lenient, progress=True,
                               model_version=args.model_version)
    text = render_markdown(report)
    print(text, end="")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"report written to {args.output}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"report (JSON) written to {args.json}")
    return 0
