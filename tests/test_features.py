"""Words -> subword windows with first-subword labels, and back, on the tiny PhoBERT-format model (PhoBERT's own
tokenizer files)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from training_data import tiny_base_model

from annotation.errors import VnerError
from annotation.schema import label2id
from training.features import IGNORE, encode_words, join_windows
from training.tokenizer import load_tokenizer

L = label2id()
SENTENCE = ["Chủ_tịch", "nước", "Võ_Văn_Thưởng", "gặp", "kiều_bào", "tại", "Marywilska", "."]  # Marywilska: 4 subwords
TAGS = [L["O"], L["O"], L["B-PER"], L["O"], L["O"], L["O"], L["B-LOC"], L["O"]]


@pytest.fixture(scope="module")
def tok(tmp_path_factory):
    return load_tokenizer(tiny_base_model(Path(tmp_path_factory.getbasetemp())))


def _first_subword_labels(enc, row: int) -> list[int]:
    return [lab for lab in enc["labels"][row] if lab != IGNORE]


def test_labels_on_first_subwords_only(tok):
    enc = encode_words(tok, [SENTENCE], [TAGS])
    ids, labels, wids = enc["input_ids"][0], enc["labels"][0], enc.word_ids[0]
    assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id
    assert labels[0] == labels[-1] == IGNORE and wids[0] is None and wids[-1] is None
    assert _first_subword_labels(enc, 0) == TAGS  # one label per word, in order
    assert len(ids) > len(SENTENCE) + 2  # some word has several subwords: the test covers continuations
    for k in range(1, len(ids) - 1):
        first = wids[k] != wids[k - 1]
        assert (labels[k] != IGNORE) == first
    assert ids == tok(SENTENCE, is_split_into_words=True)["input_ids"]


def test_label_all_subwords_continues_with_inside_tags(tok):
    words = ["Võ_Văn_Thưởngxyz"]  # an unseen word: several pieces
    enc = encode_words(tok, [words], [[L["B-PER"]]], label_all_subwords=True)
    inner = enc["labels"][0][1:-1]
    assert len(inner) > 1 and inner[0] == L["B-PER"] and set(inner[1:]) == {L["I-PER"]}
    enc = encode_words(tok, [words], [[L["I-ORG"]]], label_all_subwords=True)
    assert set(enc["labels"][0][1:-1]) == {L["I-ORG"]}


def test_long_sentence_is_split_into_windows_at_word_boundaries(tok, caplog):
    words = SENTENCE * 60  # ~ 500+ subwords
    tags = TAGS * 60
    with caplog.at_level(logging.INFO, logger="training.features"):
        enc = encode_words(tok, [SENTENCE, words], [TAGS, tags], max_length=64)
    assert enc.sentences_cut == 1 and "1 of 2 sentences" in caplog.text
    windows = [k for k, ex in enumerate(enc["example_index"]) if ex == 1]
    assert len(windows) > 2
    assert all(len(enc["input_ids"][k]) <= 64 for k in range(enc.num_windows))
    # no word is cut and no word is lost: the windows' words are consecutive and cover the sentence
    covered = []
    for k in windows:
        wids = [w for w in enc.word_ids[k] if w is not None]
        assert wids[0] == enc["word_offset"][k]
        assert enc["labels"][k][1] != IGNORE  # each window starts on a word's first subword
        covered.extend(dict.fromkeys(wids))
    assert covered == list(range(len(words)))
    labels = [lab for k in windows for lab in enc["labels"][k] if lab != IGNORE]
    assert labels == tags


def test_word_longer_than_a_window_is_split_with_one_label(tok):
    huge = "x" * 300  # 300 subwords at most: more than a 32-token window
    enc = encode_words(tok, [["a", huge, "b"]], [[L["O"], L["B-ORG"], L["O"]]], max_length=32)
    assert enc.num_windows > 2 and enc.sentences_cut == 1
    flat = [lab for row in enc["labels"] for lab in row if lab != IGNORE]
    assert flat == [L["O"], L["B-ORG"], L["O"]]


def test_round_trip_predictions_to_words(tok):
    words = SENTENCE * 40
    tags = TAGS * 40
    enc = encode_words(tok, [words, SENTENCE, []], [tags, TAGS, []], max_length=40)
    # predictions = the labels themselves, read where prediction reads them (continuations carry garbage)
    preds = [[lab if lab != IGNORE else 99 for lab in row] + [77, 77] for row in enc["labels"]]  # padding too
    assert join_windows(enc, [[row[p] for p in firsts] for row, firsts in zip(preds, enc.first_subwords)]) == [
        tags,
        TAGS,
        [],
    ]


def test_first_subwords_are_where_the_labels_are(tok):
    """Prediction reads each word on the positions training labels: the two must agree, windows included."""
    huge = "x" * 300
    sentences = [SENTENCE, SENTENCE * 40, ["a", huge, "b"], []]
    enc = encode_words(tok, sentences, [[L["O"]] * len(w) for w in sentences], max_length=32)
    for k in range(enc.num_windows):
        assert enc.first_subwords[k] == [p for p, lab in enumerate(enc["labels"][k]) if lab != IGNORE]
    words = join_windows(enc, [[enc.word_ids[k][p] for p in firsts] for k, firsts in enumerate(enc.first_subwords)])
    assert words == [list(range(len(w))) for w in sentences]  # every word once, in order, windows joined
    with pytest.raises(ValueError, match="example 0: 1 word predictions for 8 words"):
        join_windows(enc, [[0]] + [[]] * (enc.num_windows - 1))


def test_empty_sentence_and_no_labels(tok):
    enc = encode_words(tok, [[], SENTENCE])
    assert enc.labels is None and "labels" not in enc
    assert enc["input_ids"][0] == [tok.cls_token_id, tok.sep_token_id]
    assert set(enc) == {"input_ids", "attention_mask", "word_ids", "example_index", "word_offset"}


def test_bad_input_is_a_clear_error(tok):
    with pytest.raises(VnerError, match="example 1: word 1"):
        encode_words(tok, [SENTENCE, ["Nhật_Bản", "  "]], [TAGS, [0, 0]])
    with pytest.raises(VnerError, match="example 0: 8 words but 2 labels"):
        encode_words(tok, [SENTENCE], [[0, 0]])


def test_works_in_datasets_map(tok):
    from datasets import Dataset

    ds = Dataset.from_dict({"tokens": [SENTENCE, SENTENCE * 50], "ner_tags": [TAGS, TAGS * 50]})
    out = ds.map(
        lambda b: {
            k: v
            for k, v in encode_words(tok, b["tokens"], b["ner_tags"], max_length=128).items()
            if k in ("input_ids", "attention_mask", "labels")
        },
        batched=True,
        remove_columns=ds.column_names,
    )
    assert len(out) > 2 and max(len(r) for r in out["input_ids"]) <= 128
