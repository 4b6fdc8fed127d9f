"""Evaluate a trained model on a dataset split: seqeval (strict IOB2 and default mode), a type confusion
table, and every error with its sentence.

Whole sentences are scored at word level (long sentences are tagged in windows and merged back first), so the
figures are those of the spans users get from `vner predict`.

    vner evaluate --model models/phobert-vner --dataset data/vner --split test -o models/phobert-vner/eval
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from annotation.errors import VnerError
from annotation.spans import Span, bio_to_spans

MISSED = "(missed)"
SPURIOUS = "(spurious)"


@dataclass
class Evaluation:
    metrics: dict  # annotation.metrics.seqeval_report shape ("strict", "default", "accuracy") + metadata
    confusion: dict[str, dict[str, int]]
    errors: list[dict]
    report_text: str  # the strict report as a table (seqeval's rows)


def seqeval_scores(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """seqeval's classification reports in strict IOB2 (the headline) and default mode, plus token accuracy:
    `annotation.metrics.seqeval_report`, the one metrics shape of vner (keys are seqeval's: `f1-score`, ...)."""
    from annotation.metrics import seqeval_report

    return seqeval_report(gold, pred)


def type_confusion(gold: Sequence[Span], pred: Sequence[Span]) -> Counter:
    """(gold type, predicted type) counts over overlapping spans; a gold span with no overlapping prediction
    is (type, MISSED), a prediction with no overlapping gold span is (SPURIOUS, type)."""
    counts: Counter = Counter()
    for g in gold:
        hits = [p for p in pred if p.start < g.end and g.start < p.end]
        for p in hits:
            counts[(g.label, p.label)] += 1
        if not hits:
            counts[(g.label, MISSED)] += 1
    for p in pred:
        if not any(p.start < g.end and g.start < p.end for g in gold):
            counts[(SPURIOUS, p.label)] += 1
    return counts


def _span_json(text: str, sp: Span) -> dict:
    out = {"start": sp.start, "end": sp.end, "label": sp.label, "text": text[sp.start : sp.end]}
    if sp.score is not None:
        out["score"] = round(sp.score, 4)
    return out


def evaluate(model_dir: str | Path, dataset: str | Path, split: str = "test", *, batch_size: int = 32,
             device: str | None = None) -> Evaluation:
    from training.predict import Tagger
    from training.train import load_splits

    ds = load_splits(str(dataset))
    if split not in ds:
        raise VnerError(f"{dataset}: no split {split!r} (has {sorted(ds)}).")
    data = ds[split]
    if len(data) == 0:
        raise VnerError(f"{dataset}: split {split!r} is empty.")
    names = data.features["ner_tags"].feature.names
    from training.progress import quiet_transformers

    with quiet_transformers():  # no "Loading weights" bar
        tagger = Tagger(model_dir, batch_size=batch_size, device=device)
    unknown = set(names) - set(tagger.id2label.values())
    if unknown:
        raise VnerError(f"{model_dir}: the model has no label(s) {sorted(unknown)} of the dataset; "
                        "was it trained on another schema?")

    rows = list(data)
    tagged = tagger.tag([r["tokens"] for r in rows], progress=True)
    gold_tags = [[names[i] for i in r["ner_tags"]] for r in rows]
    pred_tags = [t.tags for t in tagged]
    metrics = seqeval_scores(gold_tags, pred_tags)

    confusion: Counter = Counter()
    errors = []
    for row, gold_t, t in zip(rows, gold_tags, tagged):
        token_spans = list(zip(row["token_starts"], row["token_ends"]))
        gold = bio_to_spans(token_spans, gold_t)
        pred = bio_to_spans(token_spans, t.tags, t.scores)
        confusion.update(type_confusion(gold, pred))
        gold_keys, pred_keys = {g.key for g in gold}, {p.key for p in pred}
        if gold_keys != pred_keys:
            text = row["text"]
            errors.append({
                "id": row.get("id"),
                "text": text,
                "gold": [_span_json(text, g) for g in gold],
                "predicted": [_span_json(text, p) for p in pred],
                "missed": [_span_json(text, g) for g in gold if g.key not in pred_keys],
                "spurious": [_span_json(text, p) for p in pred if p.key not in gold_keys],
            })
    table: dict[str, dict[str, int]] = {}
    for (g, p), n in sorted(confusion.items()):
        table.setdefault(g, {})[p] = n

    from annotation.metrics import render_table

    metrics.update({"headline": "strict micro F1", "split": split, "sentences": len(rows),
                    "sentences_with_errors": len(errors), "model": str(model_dir), "dataset": str(dataset)})
    return Evaluation(metrics, table, errors, render_table(metrics, "strict", digits=4))


def write_evaluation(ev: Evaluation, out_dir: str | Path) -> None:
    """metrics.json (with the confusion table), errors.jsonl, report.md."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({**ev.metrics, "confusion": ev.confusion}, indent=2) + "\n")
    with open(out / "errors.jsonl", "w", encoding="utf-8") as f:
        for e in ev.errors:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    (out / "report.md").write_text(render_report(ev), encoding="utf-8")


def render_report(ev: Evaluation) -> str:
    from annotation.metrics import render_table

    m = ev.metrics
    lines = [f"# Evaluation: {m['model']} on {m['dataset']} ({m['split']}, {m['sentences']} sentences)", ""]
    for mode, title in (("strict", "strict IOB2, the headline (an entity must start with B-)"),
                        ("default", "default mode, for comparison (conlleval: a stray I- starts an entity)")):
        lines += [f"## seqeval, {title}", "", render_table(m, mode, digits=4), ""]
    gold_types = sorted(ev.confusion)
    pred_types = sorted({p for row in ev.confusion.values() for p in row})
    lines += ["## Type confusion (overlapping spans; rows gold, columns predicted)", "",
              "| gold \\ predicted | " + " | ".join(pred_types) + " |",
              "|---" * (len(pred_types) + 1) + "|"]
    for g in gold_types:
        lines.append(f"| {g} | " + " | ".join(str(ev.confusion[g].get(p, 0)) for p in pred_types) + " |")
    lines += ["", f"Sentences with at least one error: {m['sentences_with_errors']} of {m['sentences']} "
              "(all listed in `errors.jsonl`).", ""]
    for e in ev.errors[:20]:
        miss = ", ".join(f"{s['text']!r}/{s['label']}" for s in e["missed"]) or "-"
        spur = ", ".join(f"{s['text']!r}/{s['label']}" for s in e["spurious"]) or "-"
        lines.append(f"- {e['text']}\n  - missed: {miss}\n  - spurious: {spur}")
    if len(ev.errors) > 20:
        lines.append(f"- … {len(ev.errors) - 20} more in `errors.jsonl`")
    return "\n".join(lines) + "\n"
