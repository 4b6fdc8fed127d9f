"""The one metrics shape of vner: seqeval's `classification_report(output_dict=True)`, in two modes.

    {"strict":  {"PER": {"precision", "recall", "f1-score", "support"}, ..., "micro avg": {...},
                 "macro avg": {...}, "weighted avg": {...}},
     "default": {... the same keys ...},
     "accuracy": token accuracy}

`strict` is seqeval's strict IOB2 mode (an entity must start with B- and end where its I- run ends); it is the
headline figure everywhere (training summary, `MODEL/metrics.json`, `vner evaluate`, the model card, early
stopping, `vner corrections`, agreement). `default` is seqeval's default (conlleval) mode, where a stray I- starts
an entity; it is reported beside strict, labelled. Values are plain floats/ints (JSON-ready); the keys are
seqeval's own, so anyone who knows seqeval reads them without a glossary.
"""

from __future__ import annotations

from collections.abc import Sequence

MODES = ("strict", "default")
AVERAGES = ("micro avg", "macro avg", "weighted avg")


def _plain(report: dict) -> dict:
    return {name: {k: (int(v) if k == "support" else float(v)) for k, v in row.items()} for name, row in report.items()}


def seqeval_report(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> dict:
    """seqeval's classification report of tag sequences under `strict` (IOB2) and `default`, plus `accuracy`."""
    from seqeval.metrics import accuracy_score, classification_report
    from seqeval.scheme import IOB2

    y_true = [list(s) for s in y_true]
    y_pred = [list(s) for s in y_pred]
    if len(y_true) != len(y_pred) or any(len(a) != len(b) for a, b in zip(y_true, y_pred)):
        raise ValueError("gold and predicted tag sequences differ in number or length")
    out: dict = {}
    if not any(t != "O" for seq in y_true + y_pred for t in seq):
        # seqeval cannot report on sequences without any entity: every average is 0 over 0 support
        empty = {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0}
        out = {mode: {name: dict(empty) for name in AVERAGES} for mode in MODES}
    else:
        out["strict"] = _plain(
            classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
        )
        out["default"] = _plain(classification_report(y_true, y_pred, output_dict=True, zero_division=0))
    out["accuracy"] = float(accuracy_score(y_true, y_pred)) if any(y_true) else 0.0
    return out


def headline(report: dict) -> float:
    """The one F1 vner quotes: strict micro F1."""
    return report["strict"]["micro avg"]["f1-score"]


def entity_types(report: dict, mode: str = "strict") -> list[str]:
    """The per-type rows of a report (everything but the averages), in the report's order."""
    return [k for k in report[mode] if k not in AVERAGES]


def render_table(report: dict, mode: str = "strict", digits: int = 3) -> str:
    """One markdown table of a mode: per type, then micro and macro averages."""
    rows = ["| | precision | recall | F1 | support |", "| --- | ---: | ---: | ---: | ---: |"]
    for name in entity_types(report, mode) + ["micro avg", "macro avg"]:
        r = report[mode].get(name)
        if r is not None:
            rows.append(
                f"| {name} | {r['precision']:.{digits}f} | {r['recall']:.{digits}f} | "
                f"{r['f1-score']:.{digits}f} | {r['support']} |"
            )
    return "\n".join(rows)
