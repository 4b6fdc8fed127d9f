"""The held-out evaluation set (benchmarks/heldout/*.md) is valid data: it parses with the gold parser, its spans
are trimmed, non-overlapping and in the schema, and each span is exactly the text its mark wraps. No accuracy
thresholds here: the scores are in benchmarks/results/preannotate_heldout.txt."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from annotation.gold_markup import MARK, plain_text, read_gold
from annotation.schema import ENTITY_TYPES
from annotation.spans import check_spans

REPO = Path(__file__).resolve().parent.parent
HELDOUT = REPO / "benchmarks" / "heldout"
PATTERN = "[0-9]*.md"  # the articles (benchmarks/preannotate.py reads the same files); README.md is not gold


def test_heldout_files_parse_into_valid_spans_that_match_their_marks():
    gold = read_gold(HELDOUT, PATTERN)
    assert len(gold) >= 6
    assert not set(gold) & {p.stem for p in (REPO / "seeds").glob("*.txt")}
    labels = Counter()
    for doc_id, units in gold.items():
        assert units, doc_id
        text = plain_text(units)  # units numbered 0..n-1: one document, one paragraph per unit
        assert unicodedata.normalize("NFC", text) == text, doc_id
        assert "_" not in text, doc_id  # natural text, not word-segmented
        for unit in units.values():
            file, line_no = unit.source.rsplit(":", 1)
            line = Path(file).read_text(encoding="utf-8").split("\n")[int(line_no) - 1]
            marks = [(m.group(1), m.group(2)) for m in MARK.finditer(line)]
            assert [(unit.text[s.start : s.end], s.label) for s in unit.spans] == marks, unit.source
            assert check_spans(unit.text, unit.spans) == sorted(unit.spans)  # in range, no overlap
            for s in unit.spans:
                surface = unit.text[s.start : s.end]
                assert s.label in ENTITY_TYPES
                assert (
                    surface == surface.strip() and not re.match(r"[\W_]", surface) and not re.search(r"[^\w]$", surface)
                ), (unit.source, surface)
            assert "[[" not in unit.text and "]]" not in unit.text
            labels.update(s.label for s in unit.spans)
    assert set(labels) == set(ENTITY_TYPES)
