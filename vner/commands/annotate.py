"""`vner preannotate` and `vner config`: thin wrappers over annotation.preannotate and annotation.schema."""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "preannotate",
        help="propose PER/ORG/LOC/DATE spans and write Label Studio tasks",
        description="Load .txt files (NFC, paragraphs, sentences, words), run pre-annotators over every sentence, "
        "merge their spans (gazetteer > model > dates > rules > crf, then longest) and write a JSON list of "
        "Label Studio tasks with one prediction each.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt files or folders (searched recursively)")
    p.add_argument("-o", "--output", required=True, metavar="TASKS.json", help="where to write the tasks")
    p.add_argument(
        "--annotators",
        default="rules,dates",
        help="comma-separated pre-annotators: rules, dates, crf, gazetteer:PATH, model:DIR (a `vner train` folder; "
        "needs vner[train]); `default` = rules,dates",
    )
    p.add_argument("--model-mode", default="override", metavar="MODE",
                   help="how a model:DIR meets the rules: override (the model wins every overlap), fill-gaps (it "
                   "only adds spans where gazetteer/dates/rules found nothing), threshold:P (a model span under "
                   "probability P yields to the rules)")
    p.add_argument("--gazetteer", action="append", default=[], metavar="FILE",
                   help="add a `LABEL<TAB>name` gazetteer (same as gazetteer:FILE in --annotators; repeatable)")
    p.add_argument("--granularity", choices=["paragraph", "sentence", "document"], default="paragraph",
                   help="one task per paragraph, sentence or document")
    add_task_options(p)
    p.add_argument("--segmentation", choices=["auto", "raw", "segmented"], default="auto",
                   help="auto: files with syllables joined by `_` are taken as word-segmented, others are "
                   "segmented with underthesea")
    p.set_defaults(func=_preannotate)

    p = sub.add_parser(
        "config",
        help="write the Label Studio labeling config for the vner schema",
        description="Write the labeling config (XML) generated from annotation/schema.py; paste it into a Label "
        "Studio project's Settings > Labeling Interface, or let `vner studio` use it.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: print to stdout)")
    p.set_defaults(func=_config)


def add_task_options(p) -> None:
    """Task size and repeated text: the options shared by `vner preannotate` and `vner predict`."""
    from annotation.unit import MAX_TASK_CHARS

    p.add_argument("--max-task-chars", type=int, default=MAX_TASK_CHARS, metavar="N",
                   help="cut a task longer than N characters between sentences into several tasks (never inside "
                   "a pre-annotated span; a single longer sentence stays whole); 0: never cut")
    p.add_argument("--keep-repeats", action="store_true",
                   help="make a task of every paragraph, also of those repeating an earlier paragraph of the same "
                   "document (by default each repeated text is pushed once)")


def run_preannotate(paths, annotators, output, *, granularity: str = "paragraph", segmentation: str = "auto",
                    max_chars: int | None = None, drop_repeats: bool = True) -> int:
    """Load, pre-annotate and write tasks: the one path of `vner preannotate` and `vner predict`.
    `max_chars` None: the default limit (annotation.unit.MAX_TASK_CHARS); 0: never cut."""
    from annotation.errors import VnerError
    from annotation.preannotate import preannotate_documents
    from annotation.tasks import write_tasks
    from annotation.text import load_documents
    from annotation.unit import MAX_TASK_CHARS

    if max_chars is not None and max_chars < 0:
        raise VnerError(f"--max-task-chars {max_chars}: give a number of characters, or 0 to never cut tasks.")
    docs = load_documents(paths, segmentation=segmentation)
    tasks, stats = preannotate_documents(docs, annotators, granularity, progress=True,
                                         max_chars=MAX_TASK_CHARS if max_chars is None else max_chars,
                                         drop_repeats=drop_repeats)
    write_tasks(tasks, output)
    print(f"{output}: {stats.summary()}")
    return 0


def _preannotate(args) -> int:
    from vner.api import load_preannotators

    specs = args.annotators.split(",") + [f"gazetteer:{g}" for g in args.gazetteer]
    annotators = load_preannotators(specs, model_mode=args.model_mode)
    return run_preannotate(args.paths, annotators, args.output, granularity=args.granularity,
                           segmentation=args.segmentation, max_chars=args.max_task_chars,
                           drop_repeats=not args.keep_repeats)


def _config(args) -> int:
    from pathlib import Path

    from annotation.schema import labeling_config_xml

    xml = labeling_config_xml()
    if args.output:
        Path(args.output).write_text(xml, encoding="utf-8")
        print(args.output)
    else:
        print(xml, end="")
    return 0
