#!/usr/bin/env python
"""Build the gold Label Studio export of the seed articles from the human-readable gold sources.

    python scripts/build_gold.py                      # writes annotation/gold/seeds_export.json
    python scripts/build_gold.py --check              # exit 1 if the written export is out of date

Sources: `annotation/gold/<doc_id>.md`, one per seed. Each task text (paragraph granularity, as
`annotation.tasks.task_units` cuts it) sits on the line after `## unit N`, with its entities marked inline as
`[[entity text|LABEL]]` (the seeds never contain `[[`, `]]` or `|`). Everything else in the file is comment.
Stripping the marks must give back the task text exactly; otherwise the build stops naming file:line.

The export is what Label Studio's JSON export looks like: one task per unit with `data` from `make_task`, one
manual annotation (the gold) and the default pre-annotators' proposals as `predictions` (when
`annotation.preannotate` is importable), so `vner corrections` can score the pre-annotators against the gold.
Ids and timestamps are fixed: rebuilding gives the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from annotation.errors import VnerError  # noqa: E402
from annotation.schema import ENTITY_TYPES, FROM_NAME, TO_NAME  # noqa: E402
from annotation.spans import Span, SpanError, check_spans  # noqa: E402

GOLD_DIR = ROOT / "annotation" / "gold"
SEEDS_DIR = ROOT / "seeds"
EXPORT_PATH = GOLD_DIR / "seeds_export.json"

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
            raise VnerError(f"{where}: label {label!r} of [[{surface}|{label}]] is not in the schema {list(ENTITY_TYPES)}.")
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
                raise VnerError(f"{path}:{k + 2}: the marked text of unit {index} should be on the line after its header.")
            where = f"{path}:{k + 2}"
            text, spans = parse_marked_line(lines[k + 1], where)
            units[index] = GoldUnit(path.stem, index, text, spans, where)
            k += 2
        else:
            k += 1
    return units


def read_gold(gold_dir: Path = GOLD_DIR) -> dict[str, dict[int, GoldUnit]]:
    files = sorted(gold_dir.glob("*.md"))
    if not files:
        raise VnerError(f"{gold_dir}: no gold source files (<doc_id>.md).")
    return {f.stem: read_gold_file(f) for f in files}


def check_against_tasks(gold: dict[str, dict[int, GoldUnit]], tasks: list[dict], gold_dir: Path = GOLD_DIR) -> None:
    """Every task has a gold unit whose plain text is the task text exactly, and vice versa."""
    seen = set()
    for task in tasks:
        doc_id, index, text = task["data"]["doc_id"], task["data"]["unit"], task["data"]["text"]
        unit = gold.get(doc_id, {}).get(index)
        if unit is None:
            raise VnerError(f"{gold_dir / (doc_id + '.md')}: unit {index} of {doc_id} is missing; add `## unit {index}` and its text.")
        if unit.text != text:
            cut = next((i for i, (a, b) in enumerate(zip(unit.text, text)) if a != b), min(len(unit.text), len(text)))
            raise VnerError(
                f"{unit.source}: without the marks the text differs from the task text at character {cut}: "
                f"{unit.text[max(0, cut - 20):cut + 20]!r} vs {text[max(0, cut - 20):cut + 20]!r}."
            )
        seen.add((doc_id, index))
    extra = sorted(set((d, i) for d, units in gold.items() for i in units) - seen)
    if extra:
        d, i = extra[0]
        raise VnerError(f"{gold[d][i].source}: unit {i} of {d} is not a task of the seeds ({len(extra)} such units).")


def seed_tasks(seeds_dir: Path = SEEDS_DIR, with_predictions: bool = True) -> list[dict]:
    """The seed tasks as `vner preannotate` makes them (with the default pre-annotators' predictions when
    annotation.preannotate is available), else bare `make_task` tasks."""
    from annotation.text import load_documents

    docs = load_documents([seeds_dir])
    if with_predictions:
        try:
            from annotation.preannotate import DEFAULT_ANNOTATORS, make_preannotator, preannotate_documents
        except ImportError:
            pass
        else:
            tasks, _ = preannotate_documents(docs, [make_preannotator(s) for s in DEFAULT_ANNOTATORS])
            return tasks
    from annotation.tasks import make_task, task_units

    return [make_task(unit) for doc in docs for unit in task_units(doc)]


def _short_id(*parts) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]


def gold_region(task_key: str, text: str, span: Span) -> dict:
    return {
        "id": _short_id(task_key, span.start, span.end, span.label),
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": "manual",
        "value": {"start": span.start, "end": span.end, "text": text[span.start : span.end], "labels": [span.label]},
    }


def build_export(gold: dict[str, dict[int, GoldUnit]], tasks: list[dict]) -> list[dict]:
    """Label Studio JSON export: the tasks with the gold as one completed manual annotation each."""
    check_against_tasks(gold, tasks)
    out = []
    for task_id, task in enumerate(tasks, start=1):
        data = task["data"]
        unit = gold[data["doc_id"]][data["unit"]]
        predictions = []
        for k, pred in enumerate(task.get("predictions") or [], start=1):
            predictions.append({"id": task_id * 100 + k, **pred, "task": task_id, "project": PROJECT_ID,
                                "created_at": TIMESTAMP, "updated_at": TIMESTAMP})
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
        out.append({
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
        })
    return out


def dumps(export: list[dict]) -> str:
    return json.dumps(export, ensure_ascii=False, indent=1) + "\n"


def gold_counts(gold: dict[str, dict[int, GoldUnit]]) -> dict[str, dict[str, int]]:
    """Entities per seed and type."""
    return {doc: {t: sum(sp.label == t for u in units.values() for sp in u.spans) for t in ENTITY_TYPES}
            for doc, units in sorted(gold.items())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold-dir", type=Path, default=GOLD_DIR, help="folder of <doc_id>.md gold sources")
    ap.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="folder of the seed .txt files")
    ap.add_argument("--output", type=Path, default=None, help="export to write (default: <gold-dir>/seeds_export.json)")
    ap.add_argument("--no-predictions", action="store_true", help="leave `predictions` empty")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the export on disk differs")
    args = ap.parse_args(argv)
    output = args.output or args.gold_dir / "seeds_export.json"
    try:
        gold = read_gold(args.gold_dir)
        export = build_export(gold, seed_tasks(args.seeds, with_predictions=not args.no_predictions))
    except VnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = dumps(export)
    counts = gold_counts(gold)
    totals = {t: sum(c[t] for c in counts.values()) for t in ENTITY_TYPES}
    summary = f"{len(export)} tasks, {sum(totals.values())} entities (" + ", ".join(f"{t} {n}" for t, n in totals.items()) + ")"
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output} is out of date; run `python scripts/build_gold.py`.", file=sys.stderr)
            return 1
        print(f"{output} is up to date: {summary}")
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}: {summary}")
    for doc, c in counts.items():
        print(f"  {doc}: " + ", ".join(f"{t} {n}" for t, n in c.items()) + f" ({sum(c.values())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
