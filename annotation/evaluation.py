"""Score any tagger on a dataset split, with one report: seqeval strict (IOB2, the headline) and default mode per
type (`annotation.metrics`), a type confusion table, and every sentence with an error.

Two taggers use it: a model (`training.evaluate`, `vner evaluate --model`) and a stack of pre-annotators
(`evaluate_preannotators`, `vner evaluate --preannotators rules,dates`), so a team can ask how the rules do on
its corpus before annotating anything. Both are scored over the dataset's tokens: the words of the corpus, split
where an annotated entity boundary cut a segmenter word (`annotation.spans.spans_to_bio`). A model tags those
tokens, so it is never penalised for a segmenter word that crosses an entity, which `vner predict` on raw text
cannot avoid (about 1% of entities with underthesea). Pre-annotators propose character spans; where a span
boundary falls inside a token, the tokens of that sentence are split there for both sides
(`annotation.corrections.shared_tags`), so nothing is rounded to a word.

    vner evaluate --dataset data/vner --split test --preannotators rules,dates -o out/eval-rules
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import VnerError
from .metrics import render_table, seqeval_report
from .spans import Span, bio_to_spans

MISSED = "(missed)"
SPURIOUS = "(spurious)"


@dataclass
class Evaluation:
    metrics: dict  # annotation.metrics.seqeval_report shape ("strict", "default", "accuracy") + metadata
    confusion: dict[str, dict[str, int]]
    errors: list[dict]
    report_text: str  # the strict report as a table (seqeval's rows)


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


def span_json(text: str, sp: Span) -> dict:
    out = {"start": sp.start, "end": sp.end, "label": sp.label, "text": text[sp.start : sp.end]}
    if sp.score is not None:
        out["score"] = round(sp.score, 4)
    return out


def split_rows(dataset: str | Path, split: str) -> tuple[list[dict], list[str]]:
    """The rows of one split of a `vner dataset` folder and its BIO label names; one-line errors otherwise."""
    from .dataset import load_dataset_dict

    ds = load_dataset_dict(dataset)
    if split not in ds:
        raise VnerError(f"{dataset}: no split {split!r} (has {sorted(ds)}).")
    if len(ds[split]) == 0:
        raise VnerError(f"{dataset}: split {split!r} is empty.")
    return list(ds[split]), list(ds[split].features["ner_tags"].feature.names)


def score(
    rows: Sequence[dict],
    gold_tags: Sequence[Sequence[str]],
    pred_tags: Sequence[Sequence[str]],
    gold_spans: Sequence[Sequence[Span]],
    pred_spans: Sequence[Sequence[Span]],
    **meta,
) -> Evaluation:
    """The report of one tagger on dataset rows: seqeval over the tag sequences (same tokens on both sides), the
    confusion and the errors over the spans (offsets into each row's `text`). `meta` goes into the metrics."""
    metrics = seqeval_report(gold_tags, pred_tags)
    confusion: Counter = Counter()
    errors = []
    for row, gold, pred in zip(rows, gold_spans, pred_spans):
        confusion.update(type_confusion(gold, pred))
        gold_keys, pred_keys = {g.key for g in gold}, {p.key for p in pred}
        if gold_keys != pred_keys:
            text = row["text"]
            errors.append(
                {
                    "id": row.get("id"),
                    "text": text,
                    "gold": [span_json(text, g) for g in gold],
                    "predicted": [span_json(text, p) for p in pred],
                    "missed": [span_json(text, g) for g in gold if g.key not in pred_keys],
                    "spurious": [span_json(text, p) for p in pred if p.key not in gold_keys],
                }
            )
    table: dict[str, dict[str, int]] = {}
    for (g, p), n in sorted(confusion.items()):
        table.setdefault(g, {})[p] = n
    metrics.update(
        {"headline": "strict micro F1", "sentences": len(rows), "sentences_with_errors": len(errors), **meta}
    )
    return Evaluation(metrics, table, errors, render_table(metrics, "strict", digits=4))


def evaluate_preannotators(
    dataset: str | Path, preannotators, split: str = "test", *, progress: bool = False
) -> Evaluation:
    """A pre-annotator stack (the one annotation path, `annotate_units`) scored on a dataset split."""
    from .corrections import shared_tags
    from .preannotate import annotate_units, model_version
    from .unit import Unit

    rows, names = split_rows(dataset, split)
    units, gold_spans = [], []
    for row in rows:
        token_spans = tuple(zip(row["token_starts"], row["token_ends"]))
        units.append(
            Unit(
                row["doc_id"],
                row["sentence_id"],
                row["sentence_id"],
                row["text"],
                ((0, len(row["text"])),),
                token_spans,
            )
        )
        gold_spans.append(bio_to_spans(token_spans, [names[t] for t in row["ner_tags"]]))
    proposals = annotate_units(units, preannotators, progress=progress)
    pred_spans = [sorted(p.spans) for p in proposals]
    gold_tags, pred_tags = [], []
    for unit, gold, pred in zip(units, gold_spans, pred_spans):
        g, p = shared_tags(unit.text, unit.word_spans, gold, pred)
        gold_tags.append(g)
        pred_tags.append(p)
    return score(
        rows,
        gold_tags,
        pred_tags,
        gold_spans,
        pred_spans,
        split=split,
        dataset=str(dataset),
        preannotators=model_version(preannotators),
    )


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
    m = ev.metrics
    who = m.get("model") or m.get("preannotators")
    lines = [f"# Evaluation: {who} on {m['dataset']} ({m['split']}, {m['sentences']} sentences)", ""]
    for mode, title in (
        ("strict", "strict IOB2, the headline (an entity must start with B-)"),
        ("default", "default mode, for comparison (conlleval: a stray I- starts an entity)"),
    ):
        lines += [f"## seqeval, {title}", "", render_table(m, mode, digits=4), ""]
    gold_types = sorted(ev.confusion)
    pred_types = sorted({p for row in ev.confusion.values() for p in row})
    lines += [
        "## Type confusion (overlapping spans; rows gold, columns predicted)",
        "",
        "| gold \\ predicted | " + " | ".join(pred_types) + " |",
        "|---" * (len(pred_types) + 1) + "|",
    ]
    for g in gold_types:
        lines.append(f"| {g} | " + " | ".join(str(ev.confusion[g].get(p, 0)) for p in pred_types) + " |")
    lines += [
        "",
        f"Sentences with at least one error: {m['sentences_with_errors']} of {m['sentences']} "
        "(all listed in `errors.jsonl`).",
        "",
    ]
    for e in ev.errors[:20]:
        miss = ", ".join(f"{s['text']!r}/{s['label']}" for s in e["missed"]) or "-"
        spur = ", ".join(f"{s['text']!r}/{s['label']}" for s in e["spurious"]) or "-"
        lines.append(f"- {e['text']}\n  - missed: {miss}\n  - spurious: {spur}")
    if len(ev.errors) > 20:
        lines.append(f"- … {len(ev.errors) - 20} more in `errors.jsonl`")
    return "\n".join(lines) + "\n"
