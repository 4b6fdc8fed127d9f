"""How much did annotators change the pre-annotations? Per entity type, compare the predicted spans (stored in
the export, or recomputed by running pre-annotators over the task sentences) with the corrected annotation.

Each predicted span is exactly one of:
  kept              the annotation has the same span with the same type
  boundary_changed  not kept, but it overlaps an annotated span of the same type
  type_changed      overlaps only annotated spans of other types (the type it became is counted too)
  deleted           overlaps no annotated span
and each annotated (gold) span that overlaps no predicted span is `added`. Plus seqeval precision/recall/F1
per type, micro and macro (annotation.metrics: strict IOB2 first, default mode beside it), with the annotation
as the reference.

Spans are read by the same reader as `vner dataset` (annotation.export, annotation.regions), so every problem
is handled the same way (default: an error; lenient: the task is skipped and listed). Recomputed predictions
come from the one annotation path (`annotation.preannotate.annotate_units`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .errors import VnerError
from .export import (
    ANNOTATION_RULES,
    ExportIssue,
    annotation_rule_line,
    choose_annotation,
    full_predictions,
    issues_summary,
    latest,
    live_annotations,
    read_export,
    read_task,
    unreadable_task,
)
from .metrics import render_table, seqeval_report
from .schema import ENTITY_TYPES
from .spans import Span, spans_to_bio

CATEGORIES = ("kept", "boundary_changed", "type_changed", "deleted")


def classify(predicted: Sequence[Span], gold: Sequence[Span]) -> tuple[list[tuple[Span, str, str | None]], list[Span]]:
    """(predicted span, category, type it became if type_changed) for each prediction, and the added gold spans."""
    gold_keys = {g.key for g in gold}
    out = []
    for p in predicted:
        over = [g for g in gold if g.start < p.end and p.start < g.end]
        if p.key in gold_keys:
            out.append((p, "kept", None))
        elif any(g.label == p.label for g in over):
            out.append((p, "boundary_changed", None))
        elif over:
            became = max(over, key=lambda g: min(g.end, p.end) - max(g.start, p.start)).label
            out.append((p, "type_changed", became))
        else:
            out.append((p, "deleted", None))
    added = [g for g in gold if not any(p.start < g.end and g.start < p.end for p in predicted)]
    return out, added


def shared_tags(text: str, word_spans, gold: Sequence[Span], predicted: Sequence[Span]) -> tuple[list[str], list[str]]:
    """Gold and predicted BIO tags over the same tokens: words split at the boundaries of both span sets."""
    _, tokens, _ = spans_to_bio(text, word_spans, gold)
    _, tokens, pred_tags = spans_to_bio(text, tokens, predicted)
    _, tokens2, gold_tags = spans_to_bio(text, tokens, gold)
    assert tokens2 == tokens  # gold boundaries are already cuts
    return gold_tags, pred_tags


def correction_report(
    path: str | Path,
    *,
    preannotators=None,
    lenient: bool = False,
    progress: bool = False,
    segmenter=None,
    model_version: str | None = None,
) -> dict:
    """The correction report of an export as a JSON-able dict (see the module docstring).

    The annotation compared is the one `choose_annotation` picks (ground truth, else the latest); the prediction
    is the task's latest, or with `model_version` the latest of that version (tasks without one are skipped and
    counted): in a review project made by `vner adjudicate`, `model_version="annotator:NAME"` shows what the
    reviewer changed in NAME's version.
    """
    if model_version is not None and preannotators is not None:
        raise VnerError("pass either --model-version (a stored prediction) or --preannotators (recomputed), not both.")
    tasks = read_export(path)
    skipped = Counter()
    chosen_by = dict.fromkeys(ANNOTATION_RULES, 0)
    versions: Counter = Counter()
    issues: list[ExportIssue] = []
    records = []  # (task text, gold spans, predicted spans)
    for task in tasks:
        live = live_annotations(task)
        if not live:
            skipped["cancelled" if task.get("annotations") else "unannotated"] += 1
            continue
        stored = full_predictions(path, task) if preannotators is None else []
        versions.update({str(p.get("model_version") or "") for p in stored})
        if model_version is not None:
            stored = [p for p in stored if str(p.get("model_version") or "") == model_version]
        if preannotators is None and not stored:
            skipped["no_predictions"] += 1
            continue
        try:
            tt = read_task(task, segmenter=segmenter)
        except ValueError as exc:
            issues.append(unreadable_task(path, task, exc))
            continue
        annotation, rule = choose_annotation(live)
        chosen_by[rule] += 1
        gold = tt.regions(annotation.get("result") or [], "annotation")
        predicted = tt.regions(latest(stored).get("result") or [], "prediction") if stored else None
        problems = gold.problems + (predicted.problems if predicted else [])
        issues += [ExportIssue(str(path), tt.task_id, p.reason, p.message) for p in problems]
        if any(p.spoils for p in problems):
            continue
        records.append((tt, gold.spans, predicted.spans if predicted else []))
    if not records and not issues:
        if model_version is not None and skipped["no_predictions"]:
            known = ", ".join(sorted(v for v in versions if v)) or "none"
            raise VnerError(
                f"{path}: no annotated task has a prediction of model_version {model_version!r}; "
                f"the export has: {known}."
            )
        if skipped["no_predictions"]:
            raise VnerError(
                f"{path}: no annotated task has a prediction to compare with; pass --preannotators "
                "(e.g. rules,dates) to recompute them."
            )
        raise VnerError(f"{path}: no annotated task to compare; annotate the tasks in Label Studio first.")
    if issues and not lenient:
        raise VnerError(issues_summary(path, issues))
    if preannotators is not None:
        from .preannotate import annotate_units

        recomputed = annotate_units([tt.unit for tt, _, _ in records], preannotators, progress=progress)
        records = [(tt, gold, sorted(found.spans)) for (tt, gold, _), found in zip(records, recomputed)]

    counts = {t: Counter() for t in ENTITY_TYPES}
    type_changes: Counter = Counter()
    y_true, y_pred = [], []
    for tt, gold, predicted in records:
        classified, added = classify(predicted, gold)
        for p, category, became in classified:
            counts[p.label]["predicted"] += 1
            counts[p.label][category] += 1
            if became:
                type_changes[f"{p.label}->{became}"] += 1
        for g in gold:
            counts[g.label]["gold"] += 1
        for g in added:
            counts[g.label]["added"] += 1
        gold_tags, pred_tags = shared_tags(tt.unit.text, tt.unit.word_spans, gold, predicted)
        y_true.append(gold_tags)
        y_pred.append(pred_tags)

    keys = ("predicted",) + CATEGORIES + ("gold", "added")
    per_type = {t: {k: counts[t].get(k, 0) for k in keys} for t in ENTITY_TYPES}
    total = {k: sum(per_type[t][k] for t in ENTITY_TYPES) for k in keys}
    return {
        "file": str(path),
        "predictions": ("recomputed: " + "+".join(a.name for a in preannotators))
        if preannotators is not None
        else f"stored in the export, model_version {model_version!r}"
        if model_version is not None
        else "stored in the export",
        "model_versions": dict(sorted(versions.items())),  # tasks holding a prediction of each version
        "chosen_by": chosen_by,
        "tasks": len(tasks),
        "tasks_compared": len(records),
        "skipped": dict(skipped),
        "per_type": per_type,
        "total": total,
        "type_changes": dict(type_changes.most_common()),
        "seqeval": seqeval_report(y_true, y_pred),
        "issues": [i.to_dict() for i in issues],
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def render_markdown(report: dict) -> str:
    """The report as a readable markdown page."""
    lines = [
        f"# Corrections of the pre-annotations in `{report['file']}`",
        "",
        f"{report['tasks_compared']} of {report['tasks']} tasks compared; predictions {report['predictions']}.",
    ]
    if report["skipped"]:
        lines.append("Skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(report["skipped"].items())) + ".")
    rule_line = annotation_rule_line(report["chosen_by"])
    lines.append(rule_line[0].upper() + rule_line[1:] + ".")
    several = [v for v in report.get("model_versions", {}) if v]
    if len(several) > 1 and report["predictions"] == "stored in the export":
        lines.append(
            f"Predictions of {len(several)} model versions ({', '.join(several)}): each task is compared "
            "with its latest; pass --model-version to compare with one of them."
        )
    if report["issues"]:
        lines.append(f"{len(report['issues'])} task problem(s) skipped (listed in the JSON report).")
    lines += [
        "",
        "## Predicted spans, by what annotators did",
        "",
        "| type | predicted | kept | boundary changed | type changed | deleted | gold | added | kept % |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = list(report["per_type"].items()) + [("all", report["total"])]
    for name, c in rows:
        label = f"**{name}**" if name == "all" else name
        lines.append(
            f"| {label} | {c['predicted']} | {c['kept']} | {c['boundary_changed']} | {c['type_changed']} | "
            f"{c['deleted']} | {c['gold']} | {c['added']} | {_pct(c['kept'], c['predicted'])} |"
        )
    if report["type_changes"]:
        lines += ["", "Type changes: " + ", ".join(f"{k} {v}" for k, v in report["type_changes"].items()) + "."]
    metrics = report["seqeval"]
    if not metrics["strict"]["micro avg"]["support"] and not any(c["predicted"] for c in report["per_type"].values()):
        lines += ["", "No entities in either the annotations or the predictions."]
    else:
        lines += [
            "",
            "## seqeval, strict IOB2 (annotations as reference)",
            "",
            render_table(metrics, "strict"),
            "",
            "## seqeval, default mode (conlleval: a stray I- starts an entity)",
            "",
            render_table(metrics, "default"),
        ]
    return "\n".join(lines) + "\n"
