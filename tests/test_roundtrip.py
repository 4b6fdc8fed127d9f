"""Property: spans -> Label Studio tasks -> export -> load_export -> examples -> example_spans gives back exactly
the same spans, for vner tasks (any granularity) and for foreign tasks (only data.text, NFD input mapped into
the NFC text)."""

import json
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotation.dataset import example_spans
from annotation.export import load_export
from annotation.regions import region
from annotation.schema import ENTITY_TYPES
from annotation.spans import Span
from annotation.tasks import make_task
from annotation.text import nfc_with_offsets, split_paragraphs
from annotation.unit import units_at

PIECES = [
    "Hà",
    "Nội",
    "Việt",
    "Nam",
    "người",
    "đến",
    "Thưởng",
    "ở",
    "Đà",
    "Nẵng",
    "hoà",
    "Quốc",
    "hội",
    "tỉnh",
    "😀",
    "𝔘𝔫",
    "snake_case",
    "a_b",
    "2024",
    "5/3",
    ",",
    ".",
    "(",
    ")",
    "!",
    "TP.",
    "Ông",
    "Bà",
]
SEPARATORS = [" ", " ", " ", "  ", "\r\n", "\n", " . "]


def fake_segmenter(text: str) -> list[list[str]]:
    """Deterministic stand-in for underthesea: whitespace tokens, some pairs glued into one word."""
    tokens, words, i = text.split(), [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and len(tokens[i]) % 3 == 0:
            words.append(tokens[i : i + 2])
            i += 2
        else:
            words.append([tokens[i]])
            i += 1
    return words


@st.composite
def raw_texts(draw):
    pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
    out = pieces[0]
    for p in pieces[1:]:
        out += draw(st.sampled_from(SEPARATORS)) + p
    if draw(st.booleans()):
        out = unicodedata.normalize("NFD", out)
    return out


def draw_spans(draw, text: str, max_spans: int = 4) -> list[Span]:
    """Non-overlapping spans that start and end on non-space characters at cluster boundaries."""

    def starts_ok(i):
        return not text[i].isspace() and not unicodedata.combining(text[i])

    def ends_ok(j):
        return not text[j - 1].isspace() and (j == len(text) or not unicodedata.combining(text[j]))

    spans, pos = [], 0
    for _ in range(draw(st.integers(0, max_spans))):
        starts = [i for i in range(pos, len(text)) if starts_ok(i)]
        if not starts:
            break
        s = draw(st.sampled_from(starts))
        ends = [j for j in range(s + 1, len(text) + 1) if ends_ok(j)]
        e = draw(st.sampled_from(ends[:12]))  # short spans mostly; long ones still cross sentences
        spans.append(Span(s, e, draw(st.sampled_from(ENTITY_TYPES))))
        pos = e
    return spans


def annotated(task: dict, text: str, spans, task_id: int) -> dict:
    task["id"] = task_id
    task["annotations"] = [
        {
            "id": task_id,
            "completed_by": 1,
            "was_cancelled": False,
            "updated_at": "2026-11-01",
            "result": [region(sp, text) for sp in spans],
        }
    ]
    return task


def spans_by_offset(examples, offset_of) -> list[Span]:
    out = []
    for ex in examples:
        off = offset_of(ex)
        out += [sp.shifted(off) for sp in example_spans(ex)]
    return sorted(out)


SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@SETTINGS
@given(data=st.data(), raw=raw_texts(), granularity=st.sampled_from(["paragraph", "sentence", "document"]))
def test_vner_tasks_round_trip(tmp_path_factory, data, raw, granularity):
    text = unicodedata.normalize("NFC", raw)  # what `load_document` does
    paragraphs = split_paragraphs(text, segmented=False, segmenter=fake_segmenter, doc_id="doc")
    if not paragraphs:
        return
    units = units_at(paragraphs, granularity)
    tasks, expected = [], {}
    for k, u in enumerate(units):
        spans = draw_spans(data.draw, u.text)
        tasks.append(annotated(make_task(u), u.text, spans, k + 1))
        expected[k] = sorted(spans)
    path = tmp_path_factory.mktemp("rt") / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    result = load_export(path, keep_repeats=True)  # every copy: the offsets are the point here
    assert result.issues == []

    def unit_of(ex):
        return next(
            k
            for k, u in enumerate(units)
            if u.first_sentence <= ex["sentence_id"] < u.first_sentence + len(u.sentence_spans)
        )

    for k, u in enumerate(units):
        mine = [ex for ex in result.examples if unit_of(ex) == k]
        got = spans_by_offset(mine, lambda ex, u=u: u.sentence_spans[ex["sentence_id"] - u.first_sentence][0])
        assert got == expected[k]
        assert all(
            ex["text"] == u.text[s : s + len(ex["text"])]
            for ex in mine
            for s in [u.sentence_spans[ex["sentence_id"] - u.first_sentence][0]]
        )


def check_foreign(tmp_path_factory, data, raw, segmenter):
    spans = draw_spans(data.draw, raw)
    task = annotated({"data": {"text": raw}}, raw, spans, 1)
    path = tmp_path_factory.mktemp("rt") / "export.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    result = load_export(path, segmenter=segmenter, keep_repeats=True)
    assert result.issues == []
    nfc, mapping = nfc_with_offsets(raw)
    expected = sorted(Span(mapping[sp.start], mapping[sp.end], sp.label) for sp in spans)
    pos = 0
    offsets = {}
    for ex in result.examples:  # examples are in text order: each starts at the next non-space character
        pos = nfc.index(ex["text"], pos)
        offsets[ex["id"]] = pos
        pos += len(ex["text"])
        assert unicodedata.is_normalized("NFC", ex["text"])
    assert spans_by_offset(result.examples, lambda ex: offsets[ex["id"]]) == expected
    assert all(
        nfc[sp.start : sp.end] == unicodedata.normalize("NFC", raw[o.start : o.end])
        for sp, o in zip(expected, sorted(spans))
    )


@SETTINGS
@given(data=st.data(), raw=raw_texts())
def test_foreign_tasks_round_trip_with_nfd_offsets(tmp_path_factory, data, raw):
    check_foreign(tmp_path_factory, data, raw, fake_segmenter)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data(), raw=raw_texts())
def test_foreign_tasks_round_trip_with_underthesea(tmp_path_factory, data, raw):
    check_foreign(tmp_path_factory, data, raw, None)
