"""The gold labels of the seeds: sources and export in sync, valid spans, readable by `vner dataset`, and the
hard cases decided in annotation/guidelines.md."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from annotation.errors import VnerError
from annotation.schema import ENTITY_TYPES
from annotation.spans import Span, check_spans
from annotation.text import document_name

REPO = Path(__file__).resolve().parent.parent
GOLD_DIR = REPO / "annotation" / "gold"
EXPORT = GOLD_DIR / "seeds_export.json"
SEED_IDS = sorted(p.stem for p in (REPO / "seeds").glob("*.txt"))


def _load_build_gold():
    spec = importlib.util.spec_from_file_location("build_gold", REPO / "scripts" / "build_gold.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_gold"] = module  # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


build_gold = _load_build_gold()


@pytest.fixture(scope="module")
def export() -> list[dict]:
    return json.loads(EXPORT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gold():
    return build_gold.read_gold(GOLD_DIR)


def spans_of(task: dict) -> list[Span]:
    return sorted(
        Span(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in task["annotations"][0]["result"]
    )


def entities(export, label=None):
    """(doc_id, entity text, label) of every gold span."""
    return [
        (t["data"]["doc_id"], t["data"]["text"][s.start : s.end], s.label)
        for t in export
        for s in spans_of(t)
        if label in (None, s.label)
    ]


def test_rebuilding_from_the_sources_gives_the_exported_annotations(gold, export):
    tasks = [{"data": t["data"]} for t in export]  # the task texts as exported (no re-segmentation needed)
    rebuilt = build_gold.build_export(gold, tasks)
    assert [t["annotations"] for t in rebuilt] == [t["annotations"] for t in export]
    assert [t["data"] for t in rebuilt] == [t["data"] for t in export]


def test_export_tasks_are_the_paragraphs_of_all_five_seeds(export):
    from annotation.text import load_documents

    # Task texts do not depend on the segmenter: a whitespace one keeps this test fast.
    docs = load_documents([REPO / "seeds"], segmenter=lambda text: [[w] for w in text.split()])
    expected = [(d.doc_id, u.index, u.text) for d in docs for u in d.paragraphs]
    assert [(t["data"]["doc_id"], t["data"]["unit"], t["data"]["text"]) for t in export] == expected
    assert sorted({document_name(t["data"]["doc_id"]) for t in export}) == SEED_IDS and len(SEED_IDS) == 5
    # the pre-segmented seeds carry their own words, which do not depend on any segmenter
    by_key = {(t["data"]["doc_id"], t["data"]["unit"]): t for t in export}
    for d in docs:
        if d.segmented:
            for u in d.paragraphs:
                assert by_key[d.doc_id, u.index]["data"]["vner"]["words"] == [list(w) for w in u.word_spans]


def test_every_region_is_a_valid_manual_span_of_its_task(export):
    region_ids = Counter()
    for t in export:
        text = t["data"]["text"]
        (ann,) = t["annotations"]
        assert ann["was_cancelled"] is False and ann["completed_by"] and ann["created_at"] and "lead_time" in ann
        for r in ann["result"]:
            v = r["value"]
            assert (r["from_name"], r["to_name"], r["type"], r["origin"]) == ("label", "text", "labels", "manual")
            assert v["text"] == text[v["start"] : v["end"]]
            assert v["labels"][0] in ENTITY_TYPES and len(v["labels"]) == 1
            assert (
                v["text"] == v["text"].strip()
                and not re.match(r"[\W_]", v["text"][0])
                and not re.search(r"[^\w]$", v["text"])
            )
            region_ids[r["id"]] += 1
        check_spans(text, spans_of(t))  # sorted, in range, no overlap
    assert max(region_ids.values()) == 1


def test_export_reads_back_with_no_issues_and_card_counts_match(export, tmp_path):
    from annotation.dataset import build_dataset_dict, example_spans, write_dataset
    from annotation.export import load_export

    result = load_export(EXPORT, keep_repeats=True)  # every entity of the export, repeats too
    assert result.issues == []
    assert result.stats["tasks_used"] == len(export)
    from_examples = Counter(sp.label for ex in result.examples for sp in example_spans(ex))
    from_export = Counter(label for _, _, label in entities(export))
    assert from_examples == from_export
    counts = write_dataset(build_dataset_dict(result.examples), tmp_path / "ds")
    assert {t: sum(split[t] for split in counts.values()) for t in ENTITY_TYPES} == {
        t: from_export[t] for t in ENTITY_TYPES
    }
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    for split, per_type in counts.items():
        assert "| " + " | ".join(str(per_type[t]) for t in ENTITY_TYPES) + f" | {sum(per_type.values())} |" in card, (
            split
        )


def test_predictions_are_kept_as_predictions(export):
    assert all(t["predictions"] for t in export)
    for t in export:
        for p in t["predictions"]:
            assert p["model_version"].startswith("vner:rules@")
            assert all(r["origin"] == "prediction" for r in p["result"])


# ------------------------------------------------------------------------------ hard cases of the guidelines

TITLES = (
    "Chủ tịch",
    "Giáo sư",
    "Phó",
    "bà ",
    "ông ",
    "Đại sứ",
    "Bộ trưởng",
    "Thứ trưởng",
    "đồng chí",
    "Thủ tướng",
    "Tổng thống",
    "Hoàng hậu",
    "Nhật hoàng",
    "Người phát ngôn",
)


def test_person_spans_carry_no_titles(export):
    people = {text for _, text, _ in entities(export, "PER")}
    assert not [p for p in people if p.startswith(TITLES)]
    assert {"Masako", "Naruhito", "Võ Văn Thưởng", "Hằng", "Kamikawa Yoko", "XUÂN KHU", "Ngọc Ánh"} <= people


def test_masako_is_cut_out_of_the_segmenter_word(export):
    (task,) = [t for t in export if t["data"]["doc_id"].startswith("001")]
    text = task["data"]["text"]
    start = text.index("Hoàng hậu Masako")
    words = [tuple(w) for w in task["data"]["vner"]["words"]]
    assert (start, start + len("Hoàng hậu Masako")) in words  # one word `Hoàng_hậu_Masako` ...
    spans = {(s.start, s.end): s.label for s in spans_of(task)}
    assert spans[(start + len("Hoàng hậu "), start + len("Hoàng hậu Masako"))] == "PER"  # ... the PER is `Masako`
    assert not any(s <= start < e for s, e in spans)  # nothing covers `Hoàng hậu`


def marked(doc_prefix: str, unit: int, export) -> list[tuple[str, str]]:
    (task,) = [t for t in export if t["data"]["doc_id"].startswith(doc_prefix) and t["data"]["unit"] == unit]
    return [(task["data"]["text"][s.start : s.end], s.label) for s in spans_of(task)]


def test_nested_names_abbreviations_and_countries(export):
    assert ("Đại sứ quán Việt Nam tại Nhật Bản", "ORG") in marked("003", 11, export)
    assert marked("004", 2, export)[:4] == [
        ("Bộ Ngoại giao", "ORG"),
        ("Nguyễn Minh Vũ", "PER"),
        ("Bộ Ngoại giao Nhật Bản", "ORG"),
        ("Shimada Tomoaki", "PER"),
    ]
    asean = marked("002", 6, export)
    assert ("Hiệp hội các quốc gia Đông Nam Á", "ORG") in asean and ("ASEAN", "ORG") in asean
    assert ("Đông Nam Á", "LOC") not in asean
    # an ORG inside an event name; the event itself is not an entity
    assert ("OECD", "ORG") in marked("003", 4, export) and not any("Hội nghị" in e for e, _ in marked("003", 4, export))
    # short country forms and pairs of countries are two LOCs; a named region is one
    assert [e for e in marked("004", 1, export) if e[1] == "LOC"] == [
        ("Việt", "LOC"),
        ("Nhật", "LOC"),
        ("TPHCM", "LOC"),
    ]
    assert marked("002", 0, export)[-2:] == [("Việt Nam", "LOC"), ("Nhật Bản", "LOC")]
    assert ("châu Á - Thái Bình Dương", "LOC") in marked("004", 6, export)
    # bylines and credits
    assert marked("004", 8, export) == [("MINH CHÂU", "PER")] and marked("004", 9, export) == [("SGGP", "ORG")]


def test_dates_include_their_unit_word_and_exclude_durations(export):
    dates = [text for _, text, _ in entities(export, "DATE")]
    assert {
        "ngày 27-30 / 11",
        "tháng 11/2021",
        "năm 2045",
        "cuối tháng 11",
        "hôm nay",
        "9/5/1945 - 9/5/2024",
        "27/11",
    } <= set(dates)
    assert not [d for d in dates if re.search(r"\d+ năm$|thế kỷ|^sáng|^vào|^từ|^đến", d)]
    assert "50 năm" not in " | ".join(dates)


def test_marks_that_do_not_strip_back_to_the_task_text_name_file_and_line(tmp_path, export):
    task = export[2]
    doc, unit, text = task["data"]["doc_id"], task["data"]["unit"], task["data"]["text"]
    bad = tmp_path / f"{document_name(doc)}.md"
    bad.write_text(f"# header\n## unit {unit}\n[[Việt Nam|LOC]] {text}\n", encoding="utf-8")
    gold = build_gold.read_gold(tmp_path)
    with pytest.raises(VnerError, match=rf"{re.escape(str(bad))}:3: without the marks the text differs"):
        build_gold.check_against_tasks(gold, [{"data": task["data"]}], tmp_path)
    bad.write_text(f"## unit {unit}\n[[Việt Nam|GPE]] và\n", encoding="utf-8")
    with pytest.raises(VnerError, match=r":2: label 'GPE'"):
        build_gold.read_gold(tmp_path)
    bad.write_text(f"## unit {unit}\n[[Việt Nam|LOC] và\n", encoding="utf-8")
    with pytest.raises(VnerError, match=r":2: malformed mark"):
        build_gold.read_gold(tmp_path)
