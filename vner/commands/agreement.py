"""`vner agreement` and `vner adjudicate`: thin wrappers over annotation.agreement and annotation.adjudication."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "agreement",
        help="agreement between annotators of the same tasks, every disagreement, per-annotator statistics",
        description="For tasks annotated by two or more annotators: per pair of annotators and over all pairs, "
        "strict span F1 (same start, end, type), overlap F1 (one-to-one pairs of same-type spans sharing a "
        "character), F1 per type and Cohen's kappa over words (type or O); every disagreement (task, sentence, "
        "both versions, kind: missing/extra/boundary/type); and per annotator: tasks done, skipped, entities "
        "per type, median time per task. An annotator with several annotations on a task counts with the one "
        "marked ground truth, else the latest. The markdown report is printed.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("export", metavar="EXPORT.json", help="Label Studio export (Export > JSON, or `vner studio pull`)")
    p.add_argument("-o", "--output", metavar="REPORT.md", help="also write the markdown report to this file")
    p.add_argument("--json", metavar="REPORT.json", help="also write the full report (every disagreement) as JSON")
    p.add_argument("--show", type=int, default=30, metavar="N", help="disagreements shown in the markdown report")
    p.add_argument(
        "--lenient", action="store_true", help="leave out tasks with problems (listed in the report) instead of failing"
    )
    p.set_defaults(func=_agreement)

    p = sub.add_parser(
        "adjudicate",
        help="tasks annotators disagree on, as review tasks for Label Studio; or fold the review back in",
        description="Write one Label Studio task for each task whose annotators disagree, in vner's task format, "
        "with each annotator's version as a prediction (model_version annotator:NAME, score = the task's "
        "mean strict F1 between its annotators); agreed tasks are listed, not written. Push them to a review "
        "project (`vner studio push`), where a reviewer saves the final annotation. With --reviewed "
        "REVIEW_EXPORT.json: write the original export with each reviewer decision added as its ground-truth "
        "annotation, the input of `vner dataset`.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("export", metavar="EXPORT.json", help="export of the project the annotators worked in")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT.json",
        help="review tasks to write (with --reviewed: the merged export to write)",
    )
    p.add_argument(
        "--reviewed",
        metavar="REVIEW_EXPORT.json",
        help="export of the review project: merge the reviewer's decisions into EXPORT.json",
    )
    p.add_argument("--lenient", action="store_true", help="leave out tasks with problems (listed) instead of failing")
    p.set_defaults(func=_adjudicate)


def _ids(ids, shown: int = 20) -> str:
    text = ", ".join(str(i) for i in ids[:shown])
    return text + (f" … ({len(ids)} in all)" if len(ids) > shown else "")


def _agreement(args) -> int:
    import json
    from pathlib import Path

    from annotation.agreement import agreement_report, render_markdown

    report = agreement_report(args.export, lenient=args.lenient, progress=True)
    text = render_markdown(report, shown=args.show)
    print(text, end="")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"report written to {args.output}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"report (JSON) written to {args.json}")
    return 0


def _adjudicate(args) -> int:
    from annotation.adjudication import merge_reviewed, review_tasks
    from annotation.agreement import OVERLAP_HINT, read_versions
    from annotation.errors import VnerError
    from annotation.studio.client import write_export
    from annotation.tasks import write_tasks

    if args.reviewed:
        merged, summary = merge_reviewed(args.export, args.reviewed, lenient=args.lenient)
        write_export(merged, args.output)
        print(
            f"{args.output}: {len(merged)} tasks; {len(summary['settled'])} settled by the reviewer (their "
            "annotation added, marked ground truth)"
        )
        if summary["unsettled"]:
            print(
                "not settled yet (skipped or not annotated in the review project): tasks " + _ids(summary["unsettled"])
            )
        for p in summary["problems"]:
            print(f"  task {p['task_id']} (review task {p['review_task']}): {p['message']}")
        print(f"next: vner dataset {args.output} -o DIR")
        return 0
    ev = read_versions(args.export, lenient=args.lenient, progress=True)
    found = review_tasks(ev)
    if not ev.shared and not ev.left_out:
        raise VnerError(
            f"{args.export}: no task is annotated by two annotators, so there is nothing to adjudicate. " + OVERLAP_HINT
        )
    print(
        f"{args.export}: {len(ev.shared)} tasks annotated by two or more annotators: {len(found['agreed'])} agreed, "
        f"{len(found['disputed'])} disputed"
    )
    if found["agreed"]:
        print(f"agreed (not written): tasks {_ids(found['agreed'])}")
    if found["left_out"]:
        print(f"left out for problems: tasks {_ids(found['left_out'])}")
    if not found["tasks"]:
        print("nothing to review: every task's annotators agree; build the dataset from the export as it is")
        return 0
    write_tasks(found["tasks"], args.output)
    print(
        f"{args.output}: {len(found['tasks'])} review tasks (tasks {_ids(found['disputed'])}), each with one "
        "prediction per annotator (annotator:NAME)"
    )
    print(
        f"next: vner studio push {args.output} --project 'review'; then, after the review, vner studio pull "
        f"--project 'review' -o review_export.json; vner adjudicate {args.export} --reviewed review_export.json "
        "-o final_export.json"
    )
    return 0
