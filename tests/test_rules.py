"""The rule-and-lexicon tagger on news-like sentences written for these tests (not from the seeds)."""

from annotation.preannotate.rules import RuleTagger, tag_sentence
from annotation.spans import check_spans, spans_to_bio
from annotation.text import Sentence, display_from_segmented, whitespace_words


def seg(line: str) -> Sentence:
    """A sentence from pre-segmented text (syllables joined by `_`), as seeds 000/001 are."""
    text, words = display_from_segmented(line)
    return Sentence("t", 0, text, tuple(words))


def raw(text: str) -> Sentence:
    """A sentence whose words are whitespace tokens (keeps these tests free of the segmenter)."""
    return Sentence("t", 0, text, tuple(whitespace_words(text)))


def ents(sentence: Sentence) -> list[tuple[str, str]]:
    spans = tag_sentence(sentence)
    check_spans(sentence.text, spans)  # sorted, trimmed, in the schema, no overlaps
    spans_to_bio(sentence.text, sentence.word_spans, spans)  # every span survives the trip to BIO
    for sp in spans:
        assert 0 < sp.score <= 1 and sp.source.startswith("rules:")
    return [(sentence.text[sp.start : sp.end], sp.label) for sp in spans]


def test_vietnamese_names_titles_outside():
    got = ents(seg("Phó_Thủ_tướng Trần_Hồng_Hà tiếp Đại_sứ Lào tại Việt_Nam Sengphet_Houngboungnuang ."))
    assert ("Trần Hồng Hà", "PER") in got
    assert ("Lào", "LOC") in got and ("Việt Nam", "LOC") in got
    assert ("Sengphet Houngboungnuang", "PER") in got
    assert not any("Thủ tướng" in t or "Đại sứ" in t for t, _ in got)


def test_foreign_name_after_title_portfolio_and_country():
    got = ents(raw("Bộ trưởng Quốc phòng Hàn Quốc Shin Won-sik và Tổng thống Pháp Emmanuel Macron dự lễ."))
    assert ("Hàn Quốc", "LOC") in got and ("Pháp", "LOC") in got
    assert ("Emmanuel Macron", "PER") in got
    assert any(t.startswith("Shin") and label == "PER" for t, label in got)
    assert not any(t.startswith(("Bộ", "Tổng")) for t, _ in got)


def test_royal_title_keeps_only_the_name_and_splits_a_joined_word():
    s = seg("Quốc_vương Vajiralongkorn và Hoàng_hậu_Suthida tiếp đoàn .")
    got = ents(s)
    assert got == [("Vajiralongkorn", "PER"), ("Suthida", "PER")]
    tokens, _, tags = spans_to_bio(s.text, s.word_spans, tag_sentence(s))
    k = tokens.index("Suthida")
    assert tokens[k - 1] == "Hoàng_hậu" and tags[k - 1 : k + 1] == ["O", "B-PER"]  # the word was split


def test_country_inside_an_organisation_belongs_to_the_org():
    got = ents(raw("Bộ Công Thương Việt Nam làm việc với Ngân hàng Trung ương Úc và Đại học Melbourne."))
    assert ("Bộ Công Thương Việt Nam", "ORG") in got
    assert ("Ngân hàng Trung ương Úc", "ORG") in got
    assert ("Đại học Melbourne", "ORG") in got
    assert ("Việt Nam", "LOC") not in got and ("Úc", "LOC") not in got


def test_person_after_an_org_is_not_swallowed():
    got = ents(raw("Thứ trưởng Bộ Ngoại giao Hàn Quốc Kim Hong-kyun thăm Hà Nội."))
    assert ("Bộ Ngoại giao Hàn Quốc", "ORG") in got
    assert any(t.startswith("Kim Hong") and label == "PER" for t, label in got)
    assert ("Hà Nội", "LOC") in got


def test_acronyms_from_the_lexicon_and_oda_is_not_an_org():
    got = ents(raw("Theo VNA, Ngân hàng Thế giới, ASEAN và OECD cam kết thêm vốn ODA và FDI cho Việt Nam."))
    assert {("VNA", "ORG"), ("Ngân hàng Thế giới", "ORG"), ("ASEAN", "ORG"), ("OECD", "ORG")} <= set(got)
    assert not any(t in {"ODA", "FDI"} for t, _ in got)


def test_places_with_head_words_and_city_variants():
    got = ents(raw("Mưa lớn ở tỉnh Nghệ An, huyện Kỳ Sơn, TPHCM và TP. Hồ Chí Minh; sông Đà dâng cao."))
    assert ("Nghệ An", "LOC") in got  # a lower-case category word stays outside (guidelines §3)
    assert ("Kỳ Sơn", "LOC") in got
    assert ("TPHCM", "LOC") in got and ("TP. Hồ Chí Minh", "LOC") in got
    assert ("sông Đà", "LOC") in got


def test_sentence_initial_capitals_are_not_names():
    got = ents(raw("Theo kế hoạch, Lý do được nêu rõ. Anh cho biết sẽ về quê. Báo cáo đã được gửi."))
    assert got == []


def test_initials_and_photo_credit():
    got = ents(raw("Chị P.T.L (32 tuổi) ở Cần Thơ kể lại. (Ảnh: Minh Đức)"))
    assert ("P.T.L", "PER") in got and ("Cần Thơ", "LOC") in got
    assert ("Minh Đức", "PER") in got and ("Đức", "LOC") not in got


def test_all_caps_headline_tags_only_sure_things():
    got = ents(raw("THỦ TƯỚNG PHẠM MINH CHÍNH THĂM CHÍNH THỨC HÀN QUỐC"))
    assert ("PHẠM MINH CHÍNH", "PER") in got and ("HÀN QUỐC", "LOC") in got
    assert len(got) == 2


def test_rule_tagger_protocol():
    tagger = RuleTagger()
    assert tagger.name == "rules" and tagger.version
    sents = [raw("Hà Nội mưa to."), raw("không có gì.")]
    out = tagger.annotate(sents)
    assert len(out) == 2 and out[1] == []


def test_capitalised_place_head_is_part_of_the_name():
    got = ents(raw("Du khách đến Quần đảo Solomon và thành phố Cần Thơ."))
    assert ("Quần đảo Solomon", "LOC") in got and ("Cần Thơ", "LOC") in got


def test_lower_case_embassy_with_a_country_is_an_org_generic_mentions_are_not():
    got = ents(seg("cán_bộ đại_sứ_quán Việt_Nam ở Pháp gặp hai Bộ Ngoại_giao ; đại_sứ_quán sẽ hỗ_trợ ."))
    assert got == [("đại sứ quán Việt Nam ở Pháp", "ORG")]


def test_bylines():
    assert ents(raw("Xuất khẩu đạt 5 tỷ USD.Thanh Hà")) == [("Thanh Hà", "PER")]
    assert ents(raw("HOÀNG LONG")) == [("HOÀNG LONG", "PER")]


def test_paired_short_country_forms_and_place_lists():
    got = ents(raw("Diễn đàn doanh nghiệp Việt - Hàn họp ở các tỉnh Udon Thani, Khon Kaen và Nong Khai."))
    assert ("Việt", "LOC") in got and ("Hàn", "LOC") in got
    assert {("Khon Kaen", "LOC"), ("Nong Khai", "LOC")} <= set(got)
    assert ents(raw("Ông Việt đến muộn.")) == [("Việt", "PER")]  # a lone short form after a title is a name


def test_name_after_title_with_parenthetical():
    got = ents(raw("Tổng thư ký NATO (TTK) Mark Rutte phát biểu."))
    assert ("NATO", "ORG") in got and ("Mark Rutte", "PER") in got


def test_person_after_a_standalone_org_head_is_not_swallowed_and_region_heads_stay_in():
    got = ents(seg("Chủ_tịch Quốc_hội Trần_Thanh_Mẫn thăm miền Tây và tỉnh Long_An ."))
    assert got == [("Quốc hội", "ORG"), ("Trần Thanh Mẫn", "PER"), ("miền Tây", "LOC"), ("Long An", "LOC")]
