"""Gold sources in inline markup: `[[entity text|LABEL]]` on the line after `## unit N`.

Used for the gold of the seeds (`annotation/gold/<file name>.md`, built into a Label Studio export by
`scripts/build_gold.py`) and for the held-out evaluation set (`benchmarks/heldout/*.md`). Each task text (one
paragraph, as `annotation.unit.units_at` cuts it) sits on the line after `## unit N`, with its entities
marked inline. Everything else in a file is comment. Stripping the marks must give back the task text exactly;
otherwise reading stops naming file:line.

`build_export` turns gold units plus the tasks vner made for the same texts into a Label Studio JSON export
(the gold as one completed manual annotation per task), with fixed ids and timestamps so that rebuilding gives
the same bytes; `annotation.corrections` scores pre-annotators against such an export.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import VnerError
from .regions import region
from .schema import ENTITY_TYPES
from .spans import Span, SpanError, check_spans
from .text import document_name

MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Z]+)\]\]")
UNIT_HEADER = re.compile(r"^## unit (\d+)\s*$")
# Fixed provenance so the export is byte-for-byte reproducible.
TIMESTAMP = "2026-11-22T00:00:00.000000Z"
ANNOTATOR_ID = 1  # Label Studio user id of the annotation lead
PROJECT_ID = 1


@dataclass
class GoldUnit:
    doc_id: str
    unit_index: int
    text: str
    spans: list[Span]
    source: str  # "file:line" of the marked line


def parse_marked_line(line: str, where: str) -> tuple[str, list[Span]]:
    """Plain text and character spans of one marked line."""
    text_parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in MARK.finditer(line):
        plain = line[pos : m.start()]
        text_parts.append(plain)
        length += len(plain)
        surface, label = m.group(1), m.group(2)
        if label not in ENTITY_TYPES:
            raise VnerError(
                f"{where}: label {label!r} of [[{surface}|{label}]] is not in the schema {list(ENTITY_TYPES)}."
            )
        if surface != surface.strip():
            raise VnerError(f"{where}: [[{surface}|{label}]] has whitespace inside the brackets; move it outside.")
        spans.append(Span(length, length + len(surface), label))
        text_parts.append(surface)
        length += len(surface)
        pos = m.end()
    text_parts.append(line[pos:])
    text = "".join(text_parts)
    for piece in text_parts[::2]:
        if "[[" in piece or "]]" in piece:
            raise VnerError(f"{where}: malformed mark near {piece[:40]!r}; write [[entity text|LABEL]].")
    try:
        check_spans(text, spans)
    except SpanError as exc:
        raise VnerError(f"{where}: {exc}") from None
    return text, spans


def read_gold_file(path: Path) -> dict[int, GoldUnit]:
    """The marked units of one gold source file, by unit index."""
    lines = path.read_text(encoding="utf-8").split("\n")
    units: dict[int, GoldUnit] = {}
    k = 0
    while k < len(lines):
        m = UNIT_HEADER.match(lines[k])
        if m:
            index = int(m.group(1))
            if index in units:
                raise VnerError(f"{path}:{k + 1}: unit {index} appears twice.")
            if k + 1 >= len(lines) or not lines[k + 1].strip():
                raise VnerError(
                    f"{path}:{k + 2}: the marked text of unit {index} should be on the line after its header."
                )
            where = f"{path}:{k + 2}"
            text, spans = parse_marked_line(lines[k + 1], where)
            units[index] = GoldUnit(path.stem, index, text, spans, where)
            k += 2
        else:
            k += 1
    return units


def read_gold(gold_dir: Path, pattern: str = "*.md") -> dict[str, dict[int, GoldUnit]]:
    """Every gold source file in `gold_dir` matching `pattern`, by document id (the file name without .md)."""
    files = sorted(Path(gold_dir).glob(pattern))
    if not files:
        raise VnerError(f"{gold_dir}: no gold source files ({pattern}).")
    return {f.stem: read_gold_file(f) for f in files}


def plain_text(units: dict[int, GoldUnit]) -> str:
    """The document the units come from: one unit per line, in unit order (what `vner preannotate` reads)."""
    indices = sorted(units)
    if indices != list(range(len(indices))):
        raise VnerError(
            f"{next(iter(units.values())).source}: units should be numbered 0..{len(indices) - 1} without gaps."
        )
    return "".join(units[i].text + "\n" for i in indices)


def check_against_tasks(gold: dict[str, dict[int, GoldUnit]], tasks: list[dict], gold_dir: Path) -> None:
    """Every task has a gold unit whose plain text is the task text exactly, and vice versa."""
    seen = set()
    for task in tasks:
        doc_id, index, text = document_name(task["data"]["doc_id"]), task["data"]["unit"], task["data"]["text"]
        unit = gold.get(doc_id, {}).get(index)
        if unit is None:
            raise VnerError(
                f"{Path(gold_dir) / (doc_id + '.md')}: unit {index} of {doc_id} is missing; "
                f"add `## unit {index}` and its text."
            )
        if unit.text != text:
            cut = next((i for i, (a, b) in enumerate(zip(unit.text, text)) if a != b), min(len(unit.text), len(text)))
            raise VnerError(
                f"{unit.source}: without the marks the text differs from the task text at character {cut}: "
                f"{unit.text[max(0, cut - 20) : cut + 20]!r} vs {text[max(0, cut - 20) : cut + 20]!r}."
            )
        seen.add((doc_id, index))
    extra = sorted(set((d, i) for d, units in gold.items() for i in units) - seen)
    if extra:
        d, i = extra[0]
        raise VnerError(
            f"{gold[d][i].source}: unit {i} of {d} is not a task of the documents ({len(extra)} such units)."
        )


def _short_id(*parts) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]


def gold_region(task_key: str, text: str, span: Span) -> dict:
    """A manual region with an id fixed by the task and the span (rebuilds give the same bytes)."""
    return region(span, text, region_id=_short_id(task_key, span.start, span.end, span.label), origin="manual")


def build_export(gold: dict[str, dict[int, GoldUnit]], tasks: list[dict], gold_dir: Path) -> list[dict]:
    """Label Studio JSON export: the tasks with the gold as one completed manual annotation each."""
    check_against_tasks(gold, tasks, gold_dir)
    out = []
    for task_id, task in enumerate(tasks, start=1):
        data = task["data"]
        unit = gold[document_name(data["doc_id"])][data["unit"]]
        predictions = []
        for k, pred in enumerate(task.get("predictions") or [], start=1):
            predictions.append(
                {
                    "id": task_id * 100 + k,
                    **pred,
                    "task": task_id,
                    "project": PROJECT_ID,
                    "created_at": TIMESTAMP,
                    "updated_at": TIMESTAMP,
                }
            )
        annotation = {
            "id": task_id,
            "completed_by": ANNOTATOR_ID,
            "result": [gold_region(data["task_key"], unit.text, sp) for sp in unit.spans],
            "was_cancelled": False,
            "ground_truth": True,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "lead_time": 0.0,
            "task": task_id,
            "project": PROJECT_ID,
        }
        out.append(
            {
                "id": task_id,
                "data": data,
                "annotations": [annotation],
                "predictions": predictions,
                "meta": {},
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
                "inner_id": task_id,
                "project": PROJECT_ID,
                "total_annotations": 1,
                "cancelled_annotations": 0,
                "total_predictions": len(predictions),
            }
        )
    return out


def gold_counts(gold: dict[str, dict[int, GoldUnit]]) -> dict[str, dict[str, int]]:
    """Entities per document and type."""
    return {
        doc: {t: sum(sp.label == t for u in units.values() for sp in u.spans) for t in ENTITY_TYPES}
        for doc, units in sorted(gold.items())
    }
