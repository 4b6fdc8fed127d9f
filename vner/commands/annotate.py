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
    p.add_argument(
        "--model-mode",
        default="override",
        metavar="MODE",
        help="how a model:DIR meets the rules: override (the model wins every overlap), fill-gaps (it "
        "only adds spans where gazetteer/dates/rules found nothing), threshold:P (a model span under "
        "probability P yields to the rules)",
    )
    p.add_argument(
        "--gazetteer",
        action="append",
        default=[],
        metavar="FILE",
        help="add a `LABEL<TAB>name` gazetteer (same as gazetteer:FILE in --annotators; repeatable)",
    )
    p.add_argument(
        "--granularity",
        choices=["paragraph", "sentence", "document"],
        default="paragraph",
        help="one task per paragraph, sentence or document",
    )
    add_task_options(p)
    add_loading_arguments(p)
    p.set_defaults(func=_preannotate)

    p = sub.add_parser(
        "config",
        help="write the Label Studio labeling config for the vner schema",
        description="Write the labeling config (XML) generated from annotation/schema.py; paste it into a Label "
        "Studio project's Settings > Labeling Interface, or let `vner studio` use it.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: print to stdout)")
    p.set_defaults(func=_config)


def add_loading_arguments(p) -> None:
    """How text files are read: the options of every command that loads .txt files."""
    p.add_argument(
        "--segmentation",
        choices=["auto", "raw", "segmented"],
        default="auto",
        help="auto: a file whose words join Vietnamese syllables with `_` across the file (what "
        "segmenters write) is taken as word-segmented; others (e-mails, URLs, hashtags with `_` "
        "included) are raw text, kept character for character and segmented with underthesea",
    )
    p.add_argument(
        "--paragraphs",
        choices=["auto", "lines", "blank-lines"],
        default="auto",
        help="auto: one paragraph per line, unless the file is hard-wrapped (lines broken at a fixed "
        "width), whose lines are joined back into paragraphs; lines: every line; blank-lines: the lines "
        "between blank lines",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="processes segmenting raw text; 0: every core, fewer for small inputs; 1: in the main process",
    )


def run_preannotate(
    paths,
    annotators,
    output,
    *,
    granularity: str = "paragraph",
    segmentation: str = "auto",
    paragraphs: str = "auto",
    workers: int | None = None,
    verbose: bool = False,
    max_chars: int | None = None,
    drop_repeats: bool = True,
) -> int:
    """Load, pre-annotate and write tasks: the one path of `vner preannotate` and `vner predict`. Documents stream
    through loading, segmentation (a process pool), pre-annotation and writing, so memory does not grow with the
    input; the rate printed is end to end. `max_chars` None: the default task size limit
    (annotation.unit.MAX_TASK_CHARS); 0: never cut."""
    import time

    from annotation.errors import VnerError
    from annotation.outputs import check_output
    from annotation.preannotate import PreannotateStats, preannotate_stream
    from annotation.progress import progress_bar
    from annotation.stream import LoadReport, default_workers, iter_document_parts, text_files
    from annotation.tasks import write_tasks
    from annotation.unit import MAX_TASK_CHARS

    t0 = time.perf_counter()
    if max_chars is not None and max_chars < 0:
        raise VnerError(f"--max-task-chars {max_chars}: give a number of characters, or 0 to never cut tasks.")
    check_output(output)
    inputs = text_files(paths)
    workers = workers or default_workers(inputs.total_bytes)
    report, stats = LoadReport(), PreannotateStats()
    with progress_bar(total=inputs.total_bytes, unit="B", unit_scale=True, desc="pre-annotating") as bar:

        def on_part(part) -> None:
            bar.update(part.nbytes)
            bar.set_postfix_str(
                f"{stats.sentences / max(time.perf_counter() - t0, 1e-9):.0f} sentences/s", refresh=False
            )

        parts = iter_document_parts(
            inputs, segmentation=segmentation, paragraphs=paragraphs, workers=workers, report=report
        )
        tasks = preannotate_stream(
            parts,
            annotators,
            granularity,
            stats=stats,
            on_part=on_part,
            max_chars=MAX_TASK_CHARS if max_chars is None else max_chars,
            drop_repeats=drop_repeats,
        )
        write_tasks(_some_text(tasks, stats, report), output)
    stats.seconds = time.perf_counter() - t0
    for line in report.files + report.skipped if verbose else report.summary():
        print(line)
    print(f"{output}: {stats.summary()}")
    return 0


def _some_text(tasks, stats, report):
    """The tasks, then an error (so nothing is written) if no file held any text: an empty task list written
    with exit code 0 would look like a run that found nothing to propose."""
    from annotation.errors import VnerError

    yield from tasks
    if stats.docs == 0:
        raise VnerError(
            f"no text to pre-annotate: every file was skipped ({'; '.join(report.skipped[:3])}"
            f"{' ...' if len(report.skipped) > 3 else ''}); add text or name other files."
        )


def add_task_options(p) -> None:
    """Task size and repeated text: the options shared by `vner preannotate` and `vner predict`."""
    from annotation.unit import MAX_TASK_CHARS

    p.add_argument(
        "--max-task-chars",
        type=int,
        default=MAX_TASK_CHARS,
        metavar="N",
        help="cut a task longer than N characters between sentences into several tasks (never inside "
        "a pre-annotated span; a single longer sentence stays whole); 0: never cut",
    )
    p.add_argument(
        "--keep-repeats",
        action="store_true",
        help="make a task of every paragraph, also of those repeating an earlier paragraph of the same "
        "document (by default each repeated text is pushed once; a whole document, --granularity document, is "
        "always one task as written)",
    )


def _preannotate(args) -> int:
    from vner.api import load_preannotators

    specs = args.annotators.split(",") + [f"gazetteer:{g}" for g in args.gazetteer]
    from annotation.outputs import check_output

    check_output(args.output)  # before loading a model
    annotators = load_preannotators(specs, model_mode=args.model_mode)
    return run_preannotate_args(args, annotators)


def run_preannotate_args(args, annotators) -> int:
    """`run_preannotate` with the loading and task options (`add_loading_arguments`, `add_task_options`) of
    `vner preannotate` and `vner predict`."""
    return run_preannotate(
        args.paths,
        annotators,
        args.output,
        granularity=args.granularity,
        segmentation=args.segmentation,
        paragraphs=args.paragraphs,
        workers=args.workers,
        verbose=args.verbose,
        max_chars=args.max_task_chars,
        drop_repeats=not args.keep_repeats,
    )


def _config(args) -> int:
    from pathlib import Path

    from annotation.schema import labeling_config_xml

    xml = labeling_config_xml()
    if args.output:
        from annotation.outputs import check_output

        check_output(args.output)
        Path(args.output).write_text(xml, encoding="utf-8")
        print(args.output)
    else:
        print(xml, end="")
    return 0
