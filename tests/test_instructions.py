"""Project instructions come from the one source, annotation/guidelines.md: its summary section, rendered."""

from __future__ import annotations

import pytest

from annotation.errors import VnerError
from annotation.instructions import GUIDELINES, SUMMARY_HEADING, instructions_html, summary_markdown
from annotation.schema import ENTITY_TYPES


def test_instructions_are_the_guidelines_summary_short_and_with_the_hard_cases():
    summary = summary_markdown()
    assert SUMMARY_HEADING not in summary and "<!--" not in summary and "## 0." not in summary
    html = instructions_html()
    assert html.count("<tr>") >= 6 and "Thủ tướng Nhật Bản Fumio Kishida" in html  # the hard cases, as a table
    assert all(f"<strong>{t}</strong>" in html for t in ENTITY_TYPES)
    assert len(summary) < 4000  # a summary read before labeling, not the guidelines (about 25,000 characters)
    assert len(GUIDELINES.read_text(encoding="utf-8")) > 5 * len(summary)


def test_markup_in_the_guidelines_is_escaped_and_a_missing_summary_is_an_error(tmp_path):
    doc = tmp_path / "guidelines.md"
    doc.write_text(
        f"# G\n\n{SUMMARY_HEADING}\n\nMark <script>alert(1)</script> **names**.\n\n## 0. Rules\n\nmore\n",
        encoding="utf-8",
    )
    html = instructions_html(doc)
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "more" not in html
    doc.write_text("# G\n\n## 0. Rules\n", encoding="utf-8")
    with pytest.raises(VnerError, match="Summary for annotators"):
        instructions_html(doc)
