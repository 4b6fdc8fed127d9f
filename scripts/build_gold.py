#!/usr/bin/env python
"""Build the gold Label Studio export of the seed articles from the human-readable gold sources.

    python scripts/build_gold.py                      # writes annotation/gold/seeds_export.json
    python scripts/build_gold.py --check              # exit 1 if the written export is out of date

Sources: `annotation/gold/<doc_id>.md`, one per seed, parsed by `annotation.gold_markup`. Each task text
(paragraph granularity, as `annotation.unit.units_at` cuts it) sits on the line after `## unit N`, with its
entities marked inline as `[[entity text|LABEL]]` (the seeds never contain `[[`, `]]` or `|`). Everything else in
the file is comment.
Stripping the marks must give back the task text exactly; otherwise the build stops naming file:line.

The export is what Label Studio's JSON export looks like: one task per unit with `data` from `make_task`, one
manual annotation (the gold) and the default pre-annotators' proposals as `predictions` (when
`annotation.preannotate` is importable), so `vner corrections` can score the pre-annotators against the gold.
Ids and timestamps are fixed: rebuilding gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from annotation import gold_markup  # noqa: E402
from annotation.errors import VnerError  # noqa: E402
from annotation.gold_markup import GoldUnit, gold_counts  # noqa: E402
from annotation.schema import ENTITY_TYPES  # noqa: E402

GOLD_DIR = ROOT / "annotation" / "gold"
SEEDS_DIR = ROOT / "seeds"
EXPORT_PATH = GOLD_DIR / "seeds_export.json"


def read_gold(gold_dir: Path = GOLD_DIR) -> dict[str, dict[int, GoldUnit]]:
    return gold_markup.read_gold(gold_dir)


def check_against_tasks(gold: dict[str, dict[int, GoldUnit]], tasks: list[dict], gold_dir: Path = GOLD_DIR) -> None:
    """Every task has a gold unit whose plain text is the task text exactly, and vice versa."""
    gold_markup.check_against_tasks(gold, tasks, gold_dir)


def build_export(gold: dict[str, dict[int, GoldUnit]], tasks: list[dict], gold_dir: Path = GOLD_DIR) -> list[dict]:
    """Label Studio JSON export: the tasks with the gold as one completed manual annotation each."""
    return gold_markup.build_export(gold, tasks, gold_dir)


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
            # The gold is written per paragraph (`## unit N`), repeats included: whole, uncut units.
            tasks, _ = preannotate_documents(
                docs, [make_preannotator(s) for s in DEFAULT_ANNOTATORS], max_chars=None, drop_repeats=False
            )
            return tasks
    from annotation.tasks import make_task

    return [make_task(unit) for doc in docs for unit in doc.paragraphs]


def dumps(export: list[dict]) -> str:
    return json.dumps(export, ensure_ascii=False, indent=1) + "\n"


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
        export = build_export(gold, seed_tasks(args.seeds, with_predictions=not args.no_predictions), args.gold_dir)
    except VnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = dumps(export)
    counts = gold_counts(gold)
    totals = {t: sum(c[t] for c in counts.values()) for t in ENTITY_TYPES}
    summary = (
        f"{len(export)} tasks, {sum(totals.values())} entities ("
        + ", ".join(f"{t} {n}" for t, n in totals.items())
        + ")"
    )
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
