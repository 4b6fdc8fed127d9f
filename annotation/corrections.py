"""How much did annotators change the pre-annotations? Per entity type, compare the predicted spans (stored in
the export, or recomputed by running pre-annotators over the task sentences) with the corrected annotation.

Each predicted span is exactly one of:
  kept              the annotation has the same span with the same type
  boundary_changed  not kept, but it overlaps an annotated span of the same type
  type_changed      overlaps only annotated spans of other types (the type it became is counted too)
  deleted           overlaps no annotated span
and each annotated (gold) span that overlaps no predicted span is `added`. Plus seqeval strict (IOB2)
precision/recall/F1 per type, micro and macro, with the annotation as the reference.

Spans are read by the same reader as `vner dataset` (annotation.export), so every problem is handled the
same way (default: an error; lenient: the task is skipped and listed).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Sequence

from .errors import VnerError
from .export import ExportReader, full_predictions, latest, live_annotations, read_export
from .schema import ENTITY_TYPES
from .spans import Span, spans_to_bio
from .text import Sentence

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


def _recompute(records, preannotators, progress: bool) -> None:
    """Replace each record's predictions by the combined output of `preannotators` over its sentences."""
    from .preannotate import combine

    sentences, owners = [], []
    for rec in records:
        pt = rec["task"]
        for k, (s, e) in enumerate(pt.sentence_spans):
            words = tuple((a - s, b - s) for a, b in pt.word_spans if a >= s and b <= e)
            sentences.append(Sentence(pt.doc_id, pt.first_sentence + k, pt.text[s:e], words))
            owners.append((rec, s))
        rec["predicted"] = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(sentences), unit="sent", desc="pre-annotating")
    for i in range(0, len(sentences), 256):
        chunk = sentences[i : i + 256]
        for (rec, offset), spans in zip(owners[i : i + 256], combine(preannotators, chunk)):
            rec["predicted"].extend(sp.shifted(offset) for sp in spans)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    for rec in records:
        rec["predicted"].sort()


def correction_report(path: str | Path, *, preannotators=None, lenient: bool = False, progress: bool = False,
                      segmenter=None) -> dict:
    """The correction report of an export as a JSON-able dict (see the module docstring)."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    tasks = read_export(path)
    reader = ExportReader(path, segmenter=segmenter)
    skipped = Counter()
    records = []
    for task in tasks:
        live = live_annotations(task)
        if not live:
            skipped["cancelled" if task.get("annotations") else "unannotated"] += 1
            continue
        stored = full_predictions(path, task) if preannotators is None else []
        if preannotators is None and not stored:
            skipped["no_predictions"] += 1
            continue
        pt = reader.parse(task)
        if pt is None:
            continue
        gold = reader.spans(pt, latest(live).get("result") or [], "annotation")
        gold_bad = pt.bad
        predicted = reader.spans(pt, latest(stored).get("result") or [], "prediction") if stored else []
        if gold_bad != [] or pt.bad != []:
            continue  # listed in reader.issues
        records.append({"task": pt, "gold": gold, "predicted": predicted})
    if not records and not reader.issues:
        if skipped["no_predictions"]:
            raise VnerError(f"{path}: no annotated task has a prediction to compare with; pass --preannotators "
                            "(e.g. rules,dates) to recompute them.")
        raise VnerError(f"{path}: no annotated task to compare; annotate the tasks in Label Studio first.")
    if reader.issues and not lenient:
        from .export import issues_summary

        raise VnerError(issues_summary(path, reader.issues))
    if preannotators is not None:
        _recompute(records, preannotators, progress)

    counts = {t: Counter() for t in ENTITY_TYPES}
    type_changes: Counter = Counter()
    y_true, y_pred = [], []
    for rec in records:
        pt, gold, predicted = rec["task"], rec["gold"], rec["predicted"]
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
        gold_tags, pred_tags = shared_tags(pt.text, pt.word_spans, gold, predicted)
        y_true.append(gold_tags)
        y_pred.append(pred_tags)

    keys = ("predicted",) + CATEGORIES + ("gold", "added")
    per_type = {t: {k: counts[t].get(k, 0) for k in keys} for t in ENTITY_TYPES}
    total = {k: sum(per_type[t][k] for t in ENTITY_TYPES) for k in keys}
    metrics: dict = {}
    if any(tag != "O" for seq in y_true + y_pred for tag in seq):
        raw = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
        for name, row in raw.items():
            key = {"micro avg": "micro", "macro avg": "macro", "weighted avg": "weighted"}.get(name, name)
            metrics[key] = {m: (int(v) if m == "support" else round(float(v), 4)) for m, v in row.items()}
    return {
        "file": str(path),
        "predictions": ("recomputed: " + "+".join(a.name for a in preannotators)) if preannotators is not None
        else "stored in the export",
        "tasks": len(tasks),
        "tasks_compared": len(records),
        "skipped": dict(skipped),
        "per_type": per_type,
        "total": total,
        "type_changes": dict(type_changes.most_common()),
        "seqeval_strict": metrics,
        "issues": [i.to_dict() for i in reader.issues],
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
        lines.append(f"| {label} | {c['predicted']} | {c['kept']} | {c['boundary_changed']} | {c['type_changed']} | "
                     f"{c['deleted']} | {c['gold']} | {c['added']} | {_pct(c['kept'], c['predicted'])} |")
    if report["type_changes"]:
        lines += ["", "Type changes: " + ", ".join(f"{k} {v}" for k, v in report["type_changes"].items()) + "."]
    metrics = report["seqeval_strict"]
    lines += ["", "## seqeval (strict, IOB2; annotations as reference)", ""]
    if not metrics:
        lines.append("No entities in either the annotations or the predictions.")
    else:
        lines += ["| | precision | recall | F1 | support |", "| --- | ---: | ---: | ---: | ---: |"]
        for name in [t for t in ENTITY_TYPES if t in metrics] + ["micro", "macro"]:
            if name in metrics:
                m = metrics[name]
                lines.append(f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1-score']:.3f} | {m['support']} |")
    return "\n".join(lines) + "\n"
