"""The real-text gold (benchmarks/devtext/) is valid data: every file parses with the gold parser into trimmed,
non-overlapping spans of the schema, units numbered without gaps, NFC text; the held-out part says it is held out.
No accuracy thresholds here: scores are in benchmarks/results/ (benchmarks/preannotate.py)."""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks" / "devtext"))

from check_gold import GOLD_PATTERN, check, gold_files  # noqa: E402

from annotation.gold_markup import plain_text, read_gold_file  # noqa: E402
from annotation.schema import ENTITY_TYPES  # noqa: E402


def test_devtext_gold_is_valid_and_split_into_dev_and_heldout():
    files = gold_files()
    parts = Counter(f.parent.name for f in files)
    assert parts["dev"] >= 40 and parts["heldout"] >= 20
    assert not {f.name for f in (REPO / "benchmarks" / "devtext" / "dev").glob(GOLD_PATTERN)} & {
        f.name for f in (REPO / "benchmarks" / "devtext" / "heldout").glob(GOLD_PATTERN)
    }
    totals = {part: Counter() for part in parts}
    for f in files:
        totals[f.parent.name] += check(f, None)  # markup only: the sources are not in the repository
        text = plain_text(read_gold_file(f))
        assert unicodedata.is_normalized("NFC", text), f
        if f.parent.name == "heldout":
            assert "Held out: never tune" in f.read_text(encoding="utf-8"), f
    for part, counts in totals.items():
        assert all(counts[t] >= 100 for t in ENTITY_TYPES), (part, counts)
