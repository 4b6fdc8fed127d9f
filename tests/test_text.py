"""The offset map: loading, normalisation, paragraphs, sentences and words."""

import unicodedata

import pytest

from annotation.errors import VnerError
from annotation.text import (
    display_from_segmented,
    load_document,
    load_documents,
    looks_segmented,
    nfc_with_offsets,
    segment_words,
    split_sentences,
    whitespace_words,
    word_form,
)


def test_segmented_line_becomes_natural_display_text_with_exact_word_spans():
    display, spans = display_from_segmented("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật , mong ( TTXVN ) .")
    assert display == "Chủ tịch nước Võ Văn Thưởng gặp kiều bào tại Nhật, mong (TTXVN)."
    words = [word_form(display, s, e) for s, e in spans]
    assert words == [
        "Chủ_tịch",
        "nước",
        "Võ_Văn_Thưởng",
        "gặp",
        "kiều_bào",
        "tại",
        "Nhật",
        ",",
        "mong",
        "(",
        "TTXVN",
        ")",
        ".",
    ]


def test_raw_text_segmentation_is_aligned_to_the_original_characters():
    # underthesea rewrites "hoà" as "hòa"; offsets must still point at the original characters
    text = "Bộ trưởng Bùi Thanh Sơn nói về hoà bình tại TP.HCM hôm nay."
    spans = segment_words(text)
    words = [text[s:e] for s, e in spans]
    assert "Bùi Thanh Sơn" in words and "hoà bình" in words and "TP.HCM" in words
    assert "".join(text.split()) == "".join("".join(w.split()) for w in words)


def test_segmenter_that_changes_character_count_falls_back_to_whitespace_words():
    text = "một hai ba"
    assert segment_words(text, segmenter=lambda t: [["mộthai"]]) == whitespace_words(text)


def test_sentence_split_respects_abbreviations_and_initials():
    text = "Ông N.T.H. Nam đến TP. Huế ngày 3/5. Sau đó ông về Hà Nội! Tốt."
    sents = split_sentences(text, whitespace_words(text))
    assert [text[s:e] for s, e in sents] == ["Ông N.T.H. Nam đến TP. Huế ngày 3/5.", "Sau đó ông về Hà Nội!", "Tốt."]


def test_detects_presegmented_documents():
    assert looks_segmented("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản")
    assert not looks_segmented("Chủ tịch nước Võ Văn Thưởng gặp kiều bào tại Nhật Bản, biến snake_case thôi")


def test_load_handles_bom_crlf_and_nfd(tmp_path):
    raw = unicodedata.normalize("NFD", "Hà Nội đẹp.\r\n\r\nViệt Nam tươi.\r\n")
    f = tmp_path / "doc.txt"
    f.write_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"))
    doc = load_document(f)
    assert [p.text for p in doc.paragraphs] == ["Hà Nội đẹp.", "Việt Nam tươi."]
    assert all(unicodedata.is_normalized("NFC", p.text) for p in doc.paragraphs)
    # raw paragraphs are verbatim slices of the normalised document text
    for p in doc.paragraphs:
        assert doc.text[p.source_offset : p.source_offset + len(p.text)] == p.text


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\x00\x01abc", "binary"),
        (b"H\xe0 N\xf4i", "not UTF-8"),
        # Windows tools write UTF-16 with a BOM: named as such, not as a binary file
        ("\ufeffHà Nội\n".encode("utf-16-le"), "UTF-16; convert it to UTF-8"),
        ("\ufeffHà Nội\n".encode("utf-16-be"), "iconv -f UTF-16"),
    ],
)
def test_bad_files_get_a_clear_error_naming_the_file(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(VnerError) as exc:
        load_document(f)
    assert str(f) in str(exc.value) and message in str(exc.value)


def test_folder_without_text_files_and_missing_paths_are_errors(tmp_path):
    with pytest.raises(VnerError, match="no .txt files"):
        load_documents([tmp_path])
    with pytest.raises(VnerError, match="no such file"):
        load_documents([tmp_path / "nope.txt"])


def test_seeds_load_with_every_non_space_character_inside_a_word():
    docs = load_documents(["seeds"])
    assert [d.segmented for d in docs] == [True, True, False, False, False]
    for d in docs:
        for p in d.paragraphs:
            covered = set()
            for s, e in p.word_spans:
                covered.update(range(s, e))
            assert all(i in covered for i, c in enumerate(p.text) if not c.isspace())
            assert all(s < e and not p.text[s].isspace() and not p.text[e - 1].isspace() for s, e in p.word_spans)


def test_nfc_offset_map_moves_span_boundaries_with_the_text():
    nfd = unicodedata.normalize("NFD", "Ông Nguyễn Văn A 😀 ở Huế")
    nfc, mapping = nfc_with_offsets(nfd)
    assert nfc == unicodedata.normalize("NFC", nfd)
    start = nfd.index("Nguy")
    end = start + len(unicodedata.normalize("NFD", "Nguyễn Văn A"))
    assert nfc[mapping[start] : mapping[end]] == "Nguyễn Văn A"
    assert mapping[len(nfd)] == len(nfc)
