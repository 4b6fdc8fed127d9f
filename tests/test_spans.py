"""Span <-> BIO conversion over the offset map, and the task format."""

import pytest

from annotation.errors import VnerError
from annotation.schema import BIO_LABELS, ENTITY_TYPES, check_config_labels, labeling_config_xml, labels_in_config
from annotation.spans import Span, SpanError, bio_to_spans, spans_to_bio, trim_span
from annotation.tasks import make_task
from annotation.text import display_from_segmented, load_documents
from annotation.unit import task_key, units_at


def test_entity_inside_a_segmented_word_splits_the_word():
    text, words = display_from_segmented("gặp Nhật_hoàng Naruhito và Hoàng_hậu_Masako .")
    start = text.index("Masako")
    spans = [Span(text.index("Naruhito"), text.index("Naruhito") + 8, "PER"), Span(start, start + 6, "PER")]
    tokens, token_spans, tags = spans_to_bio(text, words, spans)
    assert tokens == ["gặp", "Nhật_hoàng", "Naruhito", "và", "Hoàng_hậu", "Masako", "."]
    assert tags == ["O", "O", "B-PER", "O", "O", "B-PER", "O"]
    assert bio_to_spans(token_spans, tags) == sorted(spans)


def test_boundary_inside_a_syllable_splits_there_too():
    text = "Việt-Nhật hợp tác"
    words = [(0, 9), (10, 13), (14, 17)]
    tokens, token_spans, tags = spans_to_bio(text, words, [Span(0, 4, "LOC"), Span(5, 9, "LOC")])
    assert tokens[:3] == ["Việt", "-", "Nhật"] and tags[:3] == ["B-LOC", "O", "B-LOC"]


def test_adjacent_entities_of_one_type_stay_apart():
    text = "Hà Nội Huế"
    words = [(0, 6), (7, 10)]
    spans = [Span(0, 6, "LOC"), Span(7, 10, "LOC")]
    _, token_spans, tags = spans_to_bio(text, words, spans)
    assert tags == ["B-LOC", "B-LOC"]
    assert bio_to_spans(token_spans, tags) == spans


@pytest.mark.parametrize(
    "spans, reason",
    [
        ([Span(0, 6, "LOC"), Span(3, 10, "LOC")], "overlap"),
        ([Span(0, 6, "MISC")], "unknown_label"),
        ([Span(0, 7, "LOC")], "untrimmed"),
        ([Span(5, 99, "LOC")], "out_of_range"),
    ],
)
def test_unrepresentable_spans_raise_with_a_reason(spans, reason):
    with pytest.raises(SpanError) as exc:
        spans_to_bio("Hà Nội Huế", [(0, 6), (7, 10)], spans)
    assert exc.value.reason == reason


def test_trim_and_model_style_tags():
    assert trim_span(" Huế ", Span(0, 5, "LOC")) == Span(1, 4, "LOC")
    assert trim_span("   ", Span(0, 3, "LOC")) is None
    # an I- tag that does not continue an entity starts one (model output is never lost)
    spans = bio_to_spans([(0, 2), (3, 5), (6, 8)], ["I-PER", "I-LOC", "I-LOC"], scores=[0.9, 0.8, 0.7])
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 2, "PER"), (3, 8, "LOC")]
    assert spans[1].score == 0.7


def test_labeling_config_is_generated_from_the_schema():
    xml = labeling_config_xml()
    assert labels_in_config(xml) == set(ENTITY_TYPES)
    assert BIO_LABELS[0] == "O" and len(BIO_LABELS) == 1 + 2 * len(ENTITY_TYPES)
    check_config_labels(xml)
    with pytest.raises(VnerError, match="MISC"):
        check_config_labels(xml.replace('value="DATE"', 'value="MISC"'))


def test_tasks_carry_the_segmentation_and_a_stable_key():
    doc = load_documents(["seeds/001_18e3242f10aed1ec.txt"])[0]
    units = units_at(doc.paragraphs, "paragraph")
    text = units[0].text
    start = text.index("Võ Văn Thưởng")
    task = make_task(units[0], [("test@1", [Span(start, start + 13, "PER", 0.8)])])
    data = task["data"]
    assert data["text"] == text and data["task_key"] == task_key(doc.doc_id, 0, text)
    assert all(0 <= s < e <= len(text) for s, e in data["vner"]["words"])
    region = task["predictions"][0]["result"][0]
    assert region["value"] == {"start": start, "end": start + 13, "text": "Võ Văn Thưởng", "labels": ["PER"]}
    assert (region["from_name"], region["to_name"], region["type"]) == ("label", "text", "labels")
    assert task["predictions"][0]["score"] == 0.8
    # sentence granularity keeps document-level sentence ids
    sent_units = units_at(doc.paragraphs, "sentence")
    assert [u.first_sentence for u in sent_units] == list(range(len(sent_units)))
    assert len(sent_units) == len(doc.sentences())
