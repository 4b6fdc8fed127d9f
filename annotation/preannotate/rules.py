"""Rule-and-lexicon pre-annotator for PER, ORG and LOC.

It reads a sentence as syllable tokens grouped into the segmenter's words (`Hoàng_hậu_Masako` is one word
of three syllables), so a span can cut a word where a title and a name were joined (`Masako` alone).
Capitalisation drives the rules, as in Vietnamese orthography: every syllable of a person's name is
capitalised (`Võ Văn Thưởng`), an organisation or place name capitalises the first syllable of each of
its words (`Bộ Ngoại giao`, `Viện Hàn lâm Khoa học xã hội`).

Rules (the lexicons are in annotation/lexicons/, see SOURCES.md there):

  lexicon     exact match of a location/organisation name (`Nhật Bản`, `TP.HCM`, `TTXVN`, `Liên Hợp Quốc`);
              a name the segmenter kept inside a longer word is not matched (`Mỹ_Đình`), nor is a one-syllable
              name followed by a capitalised syllable of the same name (`Mỹ An`: not `Mỹ`).
  org-head    an organisation head word (`Bộ`, `Đại học`, `Đại sứ quán`, ...) plus its continuation:
              capitalised words, lexicon names, `và`/`-` between them, a few lowercase words that lead to a
              place name (`Viện Nghiên cứu kinh tế Nhật Bản`), `tại` + place for missions
              (`Đại sứ quán Việt Nam tại Nhật Bản`); lower-case `đại sứ quán` + country names one embassy too.
              A country inside is part of the ORG; a quantifier before makes it generic (`hai Bộ Ngoại giao`).
  loc-head    a place head word (`tỉnh`, `thủ đô`, `Quần đảo`, ...) plus capitalised continuation. As in
              annotation/guidelines.md §3, a lower-case category word stays outside (`tỉnh Fukuoka` ->
              `Fukuoka`) and a capitalised head is part of the name (`Quảng trường Đỏ`, `Quần đảo Marshall`),
              as are region and nature heads in any case (`miền Tây`, `sông Hồng`, `đảo Cô Tô`: NAME_HEADS);
              places listed after it are LOC too (`các tỉnh Trat, Chanthaburi và Chonburi`). A region stops
              before a country (`miền Bắc Việt Nam` -> `miền Bắc` + `Việt Nam`); a street, city or school named
              after a person is a place (`phố Lý Thái Tổ` -> `Lý Thái Tổ`). Capitalised state heads belong to
              the name (`Vương quốc Bỉ`, `Liên bang Nga`).
              An organisation name may go on in lower case when the lower-case words end at punctuation or a
              function word (`Cục Bản quyền tác giả.`), and over `của` + a known organisation or country
              (`Văn phòng Dịch vụ Dự án của Liên Hợp Quốc`); it stops before a person (`Bộ Tài chính Nguyễn
              Văn A`, `Tòa án Tối cao Brett X`), a number or a spaced dash.
  org-category a lower-case category word (`hãng tin`, `tờ`, `tập đoàn`, `trường`, `đảng`, `câu lạc bộ`: lexicon
              org_categories.txt) + a capitalised name: the name is an ORG, the word stays outside
              (`tờ Le Monde` -> `Le Monde`, `trường Chu Văn An` -> `Chu Văn An`).
  dynasty     a dynasty after `nhà`/`triều`/`thời`/`đời`/`quân`/`chúa`/`vua` (dynasties.txt): `nhà Tống` -> ORG
              `Tống`; `Nhà Nguyễn` capitalised is one ORG.
  byline      a line of 2-4 capitalised syllables only (`MINH CHÂU`), or one glued after the paragraph's
              last full stop (`... tỷ USD.Ngọc Ánh`).
  title-name  a name after a title (`Thủ tướng`, `Bộ trưởng Ngoại giao Nhật Bản`, `Nhật hoàng`, `ông`, `thủ môn`,
              ...); the title, a portfolio and a country between them stay outside the PER span; a regnal number
              belongs to the name (`vua Louis XIV`).
  given-name  a foreign given name (given_names.txt) + 1-3 capitalised words: `Olaf Scholz` without a title.
  district    a district-level place of Việt Nam (locations_vn_districts.tsv): weaker than a name after a title,
              since many of them are also given names (`ông Thanh Sơn`).
  surname     a Vietnamese surname + 1-3 capitalised syllables (2-4 syllables in all); not a street, school or
              place named after a person (`đường Lê Duẩn`, `thành phố Hồ Chí Minh`: the place head wins).
  initials    `N.T.H.N`-style initials.

Then, per document (`RuleTagger.annotate` sees the sentences of a document together):

  acronym     an acronym in brackets after an organisation (`Liên đoàn Bơi lội Quốc gia (LĐBL)`) or after a
              capitalised name whose initials it spells (`Global Energy Partners (GEP)`): both are ORG.
  repeat      a name found by a sure rule (title-name, given-name, org-head, org-category, acronym, loc-head) is
              tagged again wherever it recurs in the document, and a foreign person's last name alone is that
              person (`Olaf Scholz` ... `Scholz`).

Precedence inside the tagger: the longest candidate wins an overlap; equal lengths go to the more specific
rule (lexicon > dynasty > org-head > org-category > loc-head > title-name > given-name > district > surname >
byline > initials), then the higher score. Titles are never inside an entity proposed by a rule (only a
lexicon name may contain one: `Văn phòng Chủ tịch nước`). All-caps headlines are matched against upper-cased
lexicons only (every word is capitalised there, so the capitalisation rules would tag everything); a surname +
exactly two syllables is still proposed, unsure. A country after `tiếng` is a language (`tiếng Anh`): no LOC.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from ..errors import VnerError
from ..spans import Span
from ..text import Sentence
from .gazetteer import PhraseTable, read_entries
from .gazetteer import tokens as text_tokens

PRIORITY = {
    "dynasty": -1,
    "org-category": -1,
    "lexicon": 0,
    "org-head": 2,
    "acronym": 3,
    "loc-head": 4,
    "title-name": 5,
    "given-name": 6,
    "district": 7,
    "surname": 8,
    "appositive": 9,
    "repeat": 9,
    "byline": 10,
    "initials": 11,
}

# Kinship words and plain honorifics: a title when lowercase, or capitalised at the start of a sentence
# (mid-sentence `Anh` is England).
KINSHIP = {"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "em", "cháu", "bé", "ngài", "thầy", "sếp"}
# Lowercase words that may sit inside an organisation name between capitalised words and a place name.
BRIDGE_BLOCKERS = set(
    """cho của tại ở với là đã sẽ đang được bị có không này đó kia khi về từ trong ngoài theo để cùng các những
    một người ông bà anh chị biết nói gặp thăm tổ chức và hay hoặc nhưng mà thì nên vì do bởi nếu đến đi lên
    xuống ra vào sang qua trên dưới sau trước giữa rằng như cũng còn vẫn đều chỉ rất nhiều ít hơn nhất""".split()
)
MISSION_HEADS = {
    ("Đại", "sứ", "quán"),
    ("Tổng", "lãnh", "sự", "quán"),
    ("Tổng", "Lãnh", "sự", "quán"),
    ("Lãnh", "sự", "quán"),
    ("đại", "sứ", "quán"),
    ("tổng", "lãnh", "sự", "quán"),
    ("lãnh", "sự", "quán"),
}
ORG_CONNECTORS = {"và", "&", "-"}
# Head words that belong to the place's name even in lower case (as `miền` in `miền Tây`): regions and natural
# features (guidelines §9, §10). Continents (`châu Á`) are lexicon names; `châu` before another name is a
# historical prefecture, outside like `huyện` (`châu Khâm` -> `Khâm`).
NAME_HEADS = {
    "miền",
    "sông",
    "núi",
    "biển",
    "vịnh",
    "đèo",
    "hồ",
    "bán đảo",
    "quần đảo",
    "cao nguyên",
    "eo biển",
    "đảo",
    "hòn",
    "mũi",
    "bãi",
    "đá",
    "đầm",
    "thác",
    "suối",
    "cồn",
    "cù lao",
    "hang",
    "rạn",
    "cửa",
}
ADMIN_HEADS = {
    "tỉnh",
    "thành phố",
    "thủ đô",
    "huyện",
    "quận",
    "thị xã",
    "xã",
    "phường",
    "thị trấn",
    "bang",
    "tiểu bang",
    "vùng",
    "khu vực",
    "châu",
    "phủ",
    "trấn",
    "động",
    "lộ",
    "đạo",
    "làng",
    "thôn",
    "ấp",
    "bản",
    "đường",
    "phố",
    "ngõ",
    "tổng",
    "xứ",
}
# Region heads stop before a country: `miền Bắc Việt Nam` is `miền Bắc` + `Việt Nam` (guidelines §10).
REGION_HEADS = {"miền", "vùng", "khu vực"}
# Words after which a lexicon country is a language or a script, not a place (`tiếng Anh`, `chữ Hán`).
LANGUAGE_WORDS = {"tiếng", "chữ", "Tiếng", "Chữ"}
# Words before a capitalised direction that make it a region of Việt Nam (`ra Bắc`, `vào Nam`).
DIRECTION_VERBS = {"ra", "vào", "về"}
DIRECTIONS = {"Bắc", "Nam", "Trung"}
# Words before a dynasty's name (dynasties.txt) that make it the dynasty (an ORG): `nhà Tống`, `thời Lý`.
DYNASTY_TRIGGERS = {
    ("nhà",),
    ("triều",),
    ("vương", "triều"),
    ("triều", "đại"),
    ("đời",),
    ("thời",),
    ("quân",),
    ("chúa",),
    ("vua",),
    ("các", "chúa"),
    ("các", "vua"),
    ("hai", "vua"),
    ("nghĩa", "quân"),
}
DYNASTY_FIRST_WORDS = {t[0] for t in DYNASTY_TRIGGERS} | {"nước", "đất", "sang", "thuộc"}
# Triggers after which an emperor's two-syllable name is his reign (PER, guidelines §11: `đời Tự Đức`).
REIGN_TRIGGERS = {("triều",), ("đời",), ("thời",)}
# Words after which a dynasty's name is its country (LOC, guidelines §11: `nước Tống`, `sang Tống`).
DYNASTY_COUNTRY_WORDS = {"nước", "đất", "sang", "thuộc"}
DYNASTY_FIRST_CAPS = {w.capitalize() for w in DYNASTY_FIRST_WORDS}
# Lower-case words of an English/French/... name of an organisation (`Save the Children`, `Bank of America`).
NAME_PARTICLES = {"of", "the", "and", "for", "de", "du", "des", "la", "le", "van", "von", "der", "di", "da", "del", "y"}
# Function words that are only capitalised mid-sentence in title-case headlines.
TITLE_CASE_FUNCTION_WORDS = {
    "Và",
    "Ở",
    "Của",
    "Cho",
    "Với",
    "Trong",
    "Tại",
    "Là",
    "Có",
    "Được",
    "Bị",
    "Đã",
    "Sẽ",
    "Từ",
    "Về",
    "Những",
    "Các",
    "Một",
}
# Abbreviations that look like initials but are not people.
NOT_INITIALS = {"A.I", "D.C", "U.S", "U.K", "U.N", "E.U", "T.V", "P.S", "A.D", "B.C", "S.A", "N.V"}
REGNAL = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"}
# Quantifiers before a head make it generic (`hai Bộ Ngoại giao`, `các đại học Nhật Bản`): no ORG.
QUANTIFIERS = {"hai", "ba", "bốn", "năm", "các", "những", "nhiều", "mỗi", "mọi", "vài"}
# Words after `Trường` that make it a school (other `Trường ...` are often places: `Trường Sơn`, `Trường Yên`).
SCHOOL_WORDS = {
    "Đại",
    "Cao",
    "Trung",
    "Tiểu",
    "Phổ",
    "THPT",
    "THCS",
    "PTTH",
    "PTCS",
    "Mầm",
    "Mẫu",
    "Quốc",
    "Dự",
    "Sĩ",
    "Nghệ",
    "Kỹ",
    "Kinh",
    "Y",
    "Dược",
    "Luật",
    "Sư",
    "Hậu",
    "Bách",
    "Chuyên",
    "Năng",
    "Song",
    "Dạy",
    "Võ",
    "Thiếu",
    "Đảng",
    "Chính",
    "Hành",
    "Ngoại",
    "Văn",
    "Nông",
    "Lâm",
    "Công",
    "Giao",
    "Hàng",
    "Tài",
}
SCHOOL_LEVEL_WORDS = {
    "Tiểu",
    "Trung",
    "học",
    "cơ",
    "sở",
    "Phổ",
    "phổ",
    "thông",
    "Cao",
    "đẳng",
    "Đại",
    "Chuyên",
    "Dân",
    "lập",
    "Quốc",
    "tế",
    "Mầm",
    "non",
    "Năng",
    "khiếu",
}
# Lower-case particles inside foreign personal names.
PERSON_PARTICLES = {
    "de",
    "van",
    "von",
    "der",
    "da",
    "di",
    "du",
    "del",
    "della",
    "bin",
    "al",
    "ibn",
    "dos",
    "das",
    "le",
    "la",
}
# Organisation heads named by a number (guidelines §10: `Sư đoàn 308`); other names stop before a number.
NUMBERED_HEADS = {
    "Sư đoàn",
    "Quân đoàn",
    "Lữ đoàn",
    "Trung đoàn",
    "Tiểu đoàn",
    "Quân khu",
    "Hạm đội",
    "Binh đoàn",
    "Tập đoàn quân",
    "Đại đội",
    "Quân chủng",
}
# Classifiers that stay outside an organisation's name in any case (guidelines §11: `Tờ Die Zeit`, `Kênh Fox News`).
CAPITALISED_CLASSIFIERS = {"CLB", "Tờ", "Kênh", "Hãng", "Hãng tin"}
# Category words after which a place's name is the club's (`câu lạc bộ Hà Nội`), and after which a person's
# name is the institution's namesake (`trường Nguyễn Du`, guidelines §10).
CLUB_CATEGORIES = {"câu lạc bộ", "clb", "đội bóng"}
NAMESAKE_CATEGORIES = {
    "trường",
    "trường đại học",
    "đại học",
    "học viện",
    "bệnh viện",
    "viện",
    "câu lạc bộ",
    "clb",
    "quỹ",
    "công ty",
    "tập đoàn",
    "hãng",
    "nhà xuất bản",
}
LOWERCASE_BODY_HEADS = {"thành", "tỉnh", "huyện", "đảng"}  # `thành uỷ Thượng Hải`, `tỉnh đoàn thanh niên Gia Định`
LOWERCASE_MISSION_HEADS = {("đại", "sứ", "quán"), ("tổng", "lãnh", "sự", "quán"), ("lãnh", "sự", "quán")}
# One-syllable country forms that are places only when paired with another place (`Việt - Nhật`, `Trung-Mỹ`).
SHORT_COUNTRY = {
    "Việt",
    "Trung",
    "Hàn",
    "Triều",
    "Nhật",
    "Mỹ",
    "Nga",
    "Lào",
    "Pháp",
    "Đức",
    "Anh",
    "Ấn",
    "Úc",
    "Thái",
    "Hoa",
    "Á",
    "Âu",
    "Phi",
    "Tống",
}
# Words before a short country form that make it the country (`người Việt`, `gốc Á`).
PEOPLE_WORDS = {"người", "gốc", "dân"}
LOC_CONNECTORS = {"-"}
# Plural place words before `như` and a list of places (`các nước như ...`).
EXAMPLE_PLACES = {"nước", "quốc", "gia", "phố", "tỉnh", "vùng", "bang", "đảo", "châu", "thị"}
# Noble ranks and royal titles written after the name (guidelines §11: `Hưng Đạo đại vương`, `Quản Vũ hầu`).
RANKS_AFTER = (
    "đại vương",
    "Đại vương",
    "vương",
    "Vương",
    "hoàng đế",
    "Hoàng đế",
    "hoàng hậu",
    "Hoàng hậu",
    "công chúa",
    "Công chúa",
    "quốc mẫu",
    "Quốc mẫu",
    "thái hậu",
    "Thái hậu",
    "quận công",
    "Quận công",
    "quốc công",
    "Quốc công",
    "hầu",
    "thân vương",
    "Thân vương",
    "phu nhân",
)
RANK_FIRST_WORDS = {r.split()[0] for r in RANKS_AFTER}
# Words after `X, một ...` that say what X is.
APPOSITIVE_PLACES = {
    "thành",
    "thị",
    "làng",
    "tỉnh",
    "quận",
    "huyện",
    "xã",
    "đảo",
    "hòn",
    "vùng",
    "khu",
    "quốc",
    "nước",
    "ngôi",
    "thủ",
    "bang",
    "con",
    "dòng",
    "ngọn",
    "hồ",
    "vịnh",
    "thung",
}
APPOSITIVE_PEOPLE = {
    "người",
    "nhà",
    "ca",
    "cầu",
    "vận",
    "diễn",
    "nghệ",
    "chính",
    "doanh",
    "cựu",
    "cô",
    "cậu",
    "bà",
    "ông",
    "phụ",
    "thiếu",
    "chàng",
    "học",
    "sinh",
    "giáo",
    "bác",
    "kỹ",
    "nhạc",
    "họa",
    "luật",
    "phóng",
}
# Prepositions after which a name that looks like a person's is a place (`ở Phan Rang`, `tại Hoàng Mai`).
PLACE_PREPOSITIONS = {"ở", "tại"}
# Punctuation after which a lower-case continuation of an organisation name has ended.
TAIL_ENDS = {",", ".", ";", ":", ")", "(", '"', "”", "“", "!", "?", "…"}
# Words that follow an organisation's name as a subject or a complement (not a verb's object).
TAIL_FOLLOWERS = {"đã", "sẽ", "đang", "vừa", "cũng", "và", "của", "tại", "ở"}


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def _is_word(tok: str) -> bool:
    return tok[:1].isalnum()


def _is_initials(tok: str) -> bool:
    parts = tok.split(".")
    return len(parts) >= 2 and all(len(p) == 1 and p.isupper() for p in parts if p) and sum(1 for p in parts if p) >= 2


_VN_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"[aăâeêioôơuưyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def _vietnamese_syllable(tok: str) -> bool:
    """Can `tok` be a Vietnamese syllable (`An`, `Phổ`, `Nguyễn`; not `Scholz`, `Thongloun`)?"""
    return bool(_VN_SYLLABLE.fullmatch(tok.lower()))


def _variants(name: str) -> set[str]:
    """The name as written and with its first letter capitalised (sentence starts)."""
    return {name, name[:1].upper() + name[1:]}


def _read_list(filename: str) -> list[tuple[str, str]]:
    """(entry, flag) lines of a plain list file; `#` comments and blank lines skipped."""
    text = resources.files("annotation").joinpath("lexicons").joinpath(filename).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry, _, flag = line.partition("\t")
        out.append((entry.strip(), flag.strip()))
    return out


@dataclass(frozen=True)
class Lexicons:
    names: PhraseTable  # -> "LOC"/"ORG"
    names_upper: PhraseTable
    titles: PhraseTable  # -> True
    titles_upper: PhraseTable
    org_heads: PhraseTable  # -> "standalone" or ""
    loc_heads: PhraseTable
    surnames: frozenset[str]
    surnames_upper: frozenset[str]
    portfolios: PhraseTable
    districts: PhraseTable  # -> "LOC"; weaker than a name after a title
    given_names: frozenset[str]
    dynasties: PhraseTable  # -> True
    org_categories: PhraseTable  # -> True
    countries: frozenset[tuple[str, ...]]  # token tuples of the names in countries.tsv
    ranks: PhraseTable  # noble ranks written after a name (RANKS_AFTER)


# The name lexicons, strongest first (the first file holding a name decides its label).
NAME_FILES = ("countries.tsv", "locations.tsv", "organizations.tsv", "locations_world.tsv", "organizations_world.tsv")


def _entries(filename: str) -> list[tuple[str, str]]:
    path = resources.files("annotation").joinpath("lexicons").joinpath(filename)
    with resources.as_file(path) as p:
        return read_entries(p)


@lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    names, names_upper = PhraseTable(), PhraseTable()
    for filename in NAME_FILES:
        for label, name in _entries(filename):
            title_case = " ".join(x[:1].upper() + x[1:] for x in name.split())
            for v in _variants(name) | {title_case}:
                names.add(v, label)
            names_upper.add(name.upper(), label)
    districts = PhraseTable()
    for label, name in _entries("locations_vn_districts.tsv"):
        districts.add(name, label)
    dynasties, org_categories = PhraseTable(), PhraseTable()
    for name, _ in _read_list("dynasties.txt"):
        dynasties.add(name, True)
    for word, _ in _read_list("org_categories.txt"):
        org_categories.add(word, True)
    given_names = frozenset(n for n, _ in _read_list("given_names.txt"))
    ranks = PhraseTable()
    for rank in RANKS_AFTER:
        ranks.add(rank, True)
    countries = frozenset(
        tuple(t for _, _, t in text_tokens(v)) for _, name in _entries("countries.tsv") for v in _variants(name)
    )
    titles, titles_upper = PhraseTable(), PhraseTable()
    for title, _ in _read_list("titles.txt"):
        title_case = " ".join(x[:1].upper() + x[1:] for x in title.split())  # `Tổng Thống`
        for v in _variants(title) | {title[:1].lower() + title[1:], title_case}:
            titles.add(v, True)
        titles_upper.add(title.upper(), True)
    org_heads, loc_heads = PhraseTable(), PhraseTable()
    for head, flag in _read_list("org_heads.txt"):
        for v in {head, " ".join(x[:1].upper() + x[1:] for x in head.split())}:  # `Trung Tâm`
            org_heads.add(v, flag or "head")
    for head, _ in _read_list("loc_heads.txt"):
        for v in _variants(head):
            loc_heads.add(v, "head")
    portfolios = PhraseTable()
    for field, _ in _read_list("portfolios.txt"):
        for v in _variants(field) | {field[:1].lower() + field[1:]}:
            portfolios.add(v, True)
    surnames = frozenset(s for s, _ in _read_list("surnames.txt"))
    if not surnames:
        raise VnerError("annotation/lexicons/surnames.txt is empty; reinstall vner.")
    return Lexicons(
        names,
        names_upper,
        titles,
        titles_upper,
        org_heads,
        loc_heads,
        surnames,
        frozenset(s.upper() for s in surnames),
        portfolios,
        districts,
        given_names,
        dynasties,
        org_categories,
        countries,
        ranks,
    )


MAX_NAME_TOKENS = 40  # the longest continuation of a head or a name `continuation` looks at


class Tok(NamedTuple):
    start: int
    end: int
    text: str
    word: int  # index of the segmenter's word this syllable belongs to


def sentence_tokens(sentence: Sentence, lex: Lexicons | None = None) -> list[Tok]:
    """Syllable/punctuation tokens of the sentence, each tagged with its word.

    With `lex`, a segmenter word is cut where it glues a name to other words (the segmenter's mistakes, or text
    glued in the source): before a capitalised syllable that follows a lower-case one (`quân_Chúa`, `trước_Liên`);
    after a known name followed by a lower-case syllable (`Liên_Hợp_Quốc_hôm`); after a capitalised syllable that
    is not Vietnamese (`Trump_đe`); and, away from the start of the sentence, after a surname that begins a word
    of three syllables or more (`Kim_cam_kết`). Words such as `Ngoại_giao`, `Cao_đẳng`, `Cung_Hòa_bình` or a
    sentence-initial `Lý_do` are left whole."""
    toks = text_tokens(sentence.text)
    words = sentence.word_spans or tuple((s, e) for s, e, _ in toks)
    out: list[Tok] = []
    k, w = 0, -1  # tokens of the whole sentence, walked along the words
    for ws, we in words:
        w += 1
        while k < len(toks) and toks[k][0] < ws:
            k += 1  # text outside every word (should not happen)
        if k < len(toks) and toks[k][1] > we:
            return _tokens_by_word(sentence, words)  # a token crosses a word boundary: tokenise word by word
        first = k
        while k < len(toks) and toks[k][1] <= we:
            k += 1
        if k - first == 1:  # most words are one syllable: nothing to cut
            s, e, t = toks[first]
            out.append(Tok(s, e, t, w))
            continue
        start = first  # first token of the current (possibly cut) word
        for m in range(first, k):
            s, e, t = toks[m]
            if lex is not None and m > start and t[:1].isalpha() and _cut_before(toks, start, m, k, lex):
                w += 1
                start = m
            out.append(Tok(s, e, t, w))
    return out


def _cut_before(toks: list[tuple[int, int, str]], start: int, m: int, end: int, lex: Lexicons) -> bool:
    """Does a new word start at token m of the segmenter word toks[start:end]? (see `sentence_tokens`)"""
    t, prev = toks[m][2], toks[m - 1][2]
    if t[:1].isupper():
        return prev[:1].islower()  # `quân_Chúa`
    if not prev[:1].isupper():
        return False
    if not _vietnamese_syllable(prev):
        return True  # `Trump_đe`
    caps = tuple(x for _, _, x in toks[start:m])
    if len(caps) >= 2 and caps in lex.names.table:
        return True  # `Liên_Hợp_Quốc_hôm`
    return m == start + 1 and end - start >= 3 and prev in lex.surnames and not _opens_sentence(toks, start)


def _opens_sentence(toks: list[tuple[int, int, str]], k: int) -> bool:
    """Is token k the first word of the sentence (nothing but opening punctuation before it)?"""
    j = k - 1
    while j >= 0 and toks[j][2] in {'"', "“", "‘", "'", "(", "[", "-", "–", "—"}:
        j -= 1
    return j < 0 or toks[j][2] in {".", "!", "?", ":", "…", ";"}


def _tokens_by_word(sentence: Sentence, words) -> list[Tok]:
    out: list[Tok] = []
    for w, (ws, we) in enumerate(words):
        for s, e, t in text_tokens(sentence.text[ws:we]):
            out.append(Tok(ws + s, ws + e, t, w))
    return out


def _longest_at(table: PhraseTable, words: list[str]) -> list:
    """`table.longest(words, i)` for every i."""
    first = table.lengths
    return [table.longest(words, i) if w in first else None for i, w in enumerate(words)]


def is_headline(text: str) -> bool:
    """All-caps text of four words or more (shorter all-caps lines are bylines: `Ảnh: XUÂN KHU`), or a title-case
    headline (`Động Đất Ở Miền Trung Và ...`: function words capitalised mid-sentence)."""
    upper, lower = sum(map(str.isupper, text)), sum(map(str.islower, text))
    if upper >= 4 * lower and len(text.split()) >= 4:
        return True
    words = text.split()
    return (
        len(words) >= 5
        and sum(w in TITLE_CASE_FUNCTION_WORDS for w in words[1:]) >= 1
        and sum(w[:1].isupper() for w in words if w[:1].isalpha()) >= 0.85 * sum(w[:1].isalpha() for w in words)
    )


@dataclass
class Candidate:
    i: int  # first token
    j: int  # one past the last token
    label: str
    score: float
    rule: str


class _SentenceTagger:
    """All the rules over one sentence."""

    def __init__(self, lex: Lexicons, sentence: Sentence) -> None:
        self.lex = lex
        self.toks = sentence_tokens(sentence, lex)
        self.words = [t.text for t in self.toks]
        self.headline = is_headline(sentence.text)
        names = lex.names_upper if self.headline else lex.names
        key_words = [w.upper() for w in self.words] if self.headline else self.words
        n = len(self.toks)
        # longest lexicon name / title / head starting at each token (most tokens start none: test the first word)
        self.name_at = _longest_at(names, key_words)
        titles = lex.titles_upper if self.headline else lex.titles
        self.title_at = [self._title(i, key_words) if key_words[i] in titles.lengths else 0 for i in range(n)]
        if self.headline:
            self.org_head_at = self.loc_head_at = self.district_at = [None] * n
        else:
            self.org_head_at = _longest_at(lex.org_heads, self.words)
            self.loc_head_at = _longest_at(lex.loc_heads, self.words)
            self.district_at = _longest_at(lex.districts, self.words)

    # ----------------------------------------------------------------------------------- token helpers

    def same_word_next(self, j: int) -> bool:
        """Does token j continue the word of token j-1?"""
        return 0 < j < len(self.toks) and self.toks[j].word == self.toks[j - 1].word

    def starts_word(self, i: int) -> bool:
        """Does token i start a segmenter word (`trường` in `thị_trường` does not)?"""
        return not self.same_word_next(i)

    def ends_cleanly(self, j: int) -> bool:
        """A span ending before token j must not cut a word whose next syllable is lowercase."""
        return not (self.same_word_next(j) and self.words[j][:1].isalpha() and not _is_cap(self.words[j]))

    def word_end(self, j: int) -> int:
        """Token index one past the end of token j's word."""
        w = self.toks[j].word
        j += 1
        while j < len(self.toks) and self.toks[j].word == w and _is_word(self.words[j]):
            j += 1
        return j

    def sentence_start(self, i: int) -> bool:
        k = i - 1
        while k >= 0 and self.words[k] in {'"', "“", "‘", "'", "(", "[", "-", "–", "—"}:
            k -= 1
        return k < 0 or self.words[k] in {".", "!", "?", ":", "…", ";"}

    def _title(self, i: int, key_words: list[str]) -> int:
        """Length of a title starting at token i (0 if none)."""
        table = self.lex.titles_upper if self.headline else self.lex.titles
        hit = table.longest(key_words, i)
        if hit is None:
            return 0
        n = hit[0]
        first = self.words[i]
        if self.same_word_next(i) and not _is_cap(first):
            return 0  # `Liên_minh_nghị_sĩ`: a lower-case title inside a longer word is part of that word
        if n == 1 and first.lower() in KINSHIP and _is_cap(first) and not self.sentence_start(i) and not self.headline:
            return 0  # `Anh` mid-sentence is England
        if not self.ends_cleanly(i + n):
            return 0  # `Anh_hùng`, `Bác_sĩ` read as one word are not `Anh`/`Bác` + name
        # a longer organisation head or name at the same place wins (`Đại sứ quán` is not `Đại sứ` + name)
        if self.name_at[i] is not None and self.name_at[i][0] > n:
            return 0
        org = None if self.headline else self.lex.org_heads.longest(self.words, i)
        if org is not None and org[0] > n:
            return 0
        return n

    def name_run(self, i: int, max_len: int = 4, after_title: bool = False) -> int:
        """Length of a run of capitalised syllables at i that can be a person's name (0 if none). After a title a
        one-syllable name glued to the next word by the segmenter is kept (`ông Kim_là`)."""
        j = i
        while j < len(self.toks) and j - i < max_len:
            w = self.words[j]
            if j > i and w in {"-", "‑"} and self._attached_part(j):
                j += 2  # `Won-sik`, `Jean-Pierre`
                continue
            if (
                j > i
                and w in PERSON_PARTICLES
                and j + 1 < len(self.toks)
                and _is_cap(self.words[j + 1])
                and self.words[j + 1].isalpha()
                and not self._vietnamese_run(i, j)
            ):
                j += 1  # `Alexandre de Rhodes`, `Ludwig van Beethoven`
                continue
            if j > i and w == "Nhà" and j + 1 < len(self.toks) and self.lex.dynasties.longest(self.words, j + 1):
                break  # `vua Lê Hiển Tông | Nhà Hậu Lê`
            if not (w.isalpha() and _is_cap(w)):
                break
            if not self.headline and len(w) > 1 and w.isupper() != (len(self.words[i]) > 1 and self.words[i].isupper()):
                break  # an acronym is not part of a mixed-case name; `Ảnh: XUÂN KHU` is all caps throughout
            if j > i and (self.title_at[j] or (self.name_at[j] and self.name_at[j][0] >= 2)):
                break
            j += 1
        if j - i == 1 and len(self.words[i]) > 1 and self.words[i].isupper() and not self.headline:
            return 0  # a lone all-caps word is an acronym
        while j > i and not self.ends_cleanly(j):
            if (j - i >= 2 or after_title) and not (self.org_head_at[j - 1] or self.title_at[j - 1]):
                break  # `Nguyễn_Minh_Vũ_bày_tỏ`: the segmenter glued the name to the next word
            j -= 1  # do not keep half of a word whose rest is lowercase (`Trình Chính_phủ`)
        return j - i

    def _vietnamese_run(self, i: int, j: int) -> bool:
        """Are tokens i..j-1 all Vietnamese syllables (a Vietnamese name takes no particles)?"""
        return all(_vietnamese_syllable(x) for x in self.words[i:j])

    def _paired_with_place(self, i: int) -> bool:
        """Is token i one side of `X - Y` (or `X-Y`) whose other side is a place name?"""
        w = self.words
        after = (
            i + 2 < len(w)
            and w[i + 1] in {"-", "–"}
            and (w[i + 2] in SHORT_COUNTRY or (self.name_at[i + 2] is not None and self.name_at[i + 2][1] == "LOC"))
        )
        before = (
            i >= 2
            and w[i - 1] in {"-", "–"}
            and (
                w[i - 2] in SHORT_COUNTRY
                or any(
                    self.name_at[k] is not None and self.name_at[k][1] == "LOC" and k + self.name_at[k][0] == i - 1
                    for k in range(max(0, i - 5), i - 1)
                )
            )
        )
        return after or before

    def _attached_part(self, j: int) -> bool:
        """Is token j a hyphen glued to a letter syllable on both sides that starts no place name?"""
        t = self.toks
        return (
            j + 1 < len(t)
            and t[j - 1].end == t[j].start
            and t[j].end == t[j + 1].start
            and self.words[j + 1].isalpha()
            and self.name_at[j + 1] is None
        )

    def regnal(self, j: int) -> int:
        """1 if token j is a regnal number closing a name (`Louis XIV`, `Napoléon III`), else 0."""
        return int(j < len(self.toks) and self.words[j] in REGNAL)

    def given_name(self, i: int) -> int:
        """Length of `foreign given name + 1-3 capitalised words` at i (`Olaf Scholz`), 0 if none (or past the end:
        rules ask about the word after a head, which a sentence may end on)."""
        if i >= len(self.toks):
            return 0
        w = self.words[i]
        if self.headline or w not in self.lex.given_names or (self.name_at[i] is not None and self.name_at[i][0] >= 2):
            return 0
        if i and self.words[i - 1] in {"-", "‑"} and self.toks[i - 1].end == self.toks[i].start:
            return 0  # `Jean-Henri`: the second half of a name
        n = self.name_run(i, 4)
        return n + self.regnal(i + n) if n >= 2 else 0

    def surname_name(self, i: int) -> int:
        """Length of `surname + 1-3 capitalised syllables` at i (0 if none, or past the end)."""
        if i >= len(self.toks):
            return 0
        w = self.words[i]
        if self.headline:  # every word is capitalised: only the commonest shape, surname + 2 syllables
            if w not in self.lex.surnames_upper:
                return 0
            return 3 if self.name_run(i, 3) == 3 else 0
        if w not in self.lex.surnames or (self.name_at[i] is not None and self.name_at[i][0] >= 2):
            return 0  # `Hàn Quốc`, `Hà Nội` are places
        if i + 1 < len(self.toks) and self.words[i + 1] in self.lex.given_names:
            return 0  # `Ông Mohamed Nouhi`: `Ông` is a title here
        n = self.name_run(i, 4)
        return n if n >= 2 else 0

    # ------------------------------------------------------------------------------------------ rules

    def candidates(self) -> tuple[list[Candidate], list[tuple[int, int]]]:
        out: list[Candidate] = []
        titles: list[tuple[int, int]] = []
        n = len(self.toks)
        i = 0
        while i < n:  # titles: left to right, longest first
            if self.title_at[i]:
                titles.append((i, i + self.title_at[i]))
                i += self.title_at[i]
            else:
                i += 1
        present = set(self.words)  # rules that need a word skip sentences without it
        has_born, has_number = "sinh" in present, "số" in present
        has_appositive = "một" in present and ("," in present or "là" in present)
        has_rank = not present.isdisjoint(RANK_FIRST_WORDS)
        has_dynasty = not present.isdisjoint(DYNASTY_FIRST_WORDS) or not present.isdisjoint(DYNASTY_FIRST_CAPS)
        words, name_at, district_at = self.words, self.name_at, self.district_at
        org_head_at, loc_head_at, headline = self.org_head_at, self.loc_head_at, self.headline
        category_words = self.lex.org_categories.lengths
        for i in range(n):
            word = words[i]
            hit = name_at[i]
            if hit is not None and not self._glued_into_word(i, hit[0]) and not self._inside_longer_name(i, hit[0]):
                # a name the segmenter kept inside a longer word is part of another name (`Mỹ_Đình`)
                k, label = hit
                lone_kinship = k == 1 and self.words[i].lower() in KINSHIP and self.sentence_start(i)
                if not lone_kinship:
                    score = 0.9 if k > 1 or len(self.words[i]) > 3 else 0.8
                    out.append(Candidate(i, i + k, str(label), score, "lexicon"))
                    after = self.name_at[i + k] if i + k < n else None
                    if (
                        label == "ORG"
                        and after is not None
                        and self.is_country(i + k, after[0])
                        and self.ends_cleanly(i + k + after[0])
                    ):
                        # `Quốc hội Đức`, `Honda Việt Nam`: an organisation of that country
                        out.append(Candidate(i, i + k + after[0], "ORG", 0.8, "lexicon"))
            hit = district_at[i]
            if hit is not None and self.starts_word(i) and self.ends_cleanly(i + hit[0]):
                out.append(Candidate(i, i + hit[0], "LOC", 0.7, "district"))  # `Cao Lộc`, but `ông Thanh Sơn`
            if word[:1].isupper():  # rules that start at a capitalised word
                self._capitalised_candidates(i, out, has_born, has_rank, has_appositive)
                if word in SHORT_COUNTRY and (self._paired_with_place(i) or (i and words[i - 1] in PEOPLE_WORDS)):
                    out.append(Candidate(i, i + 1, "LOC", 0.7, "lexicon"))  # `Việt - Nhật`, `người Hoa`, `gốc Á`
                if (
                    word in DIRECTIONS
                    and i
                    and words[i - 1] in DIRECTION_VERBS
                    and not (i + 1 < n and _is_cap(words[i + 1]))
                ):
                    out.append(Candidate(i, i + 1, "LOC", 0.6, "lexicon"))  # `ra Bắc`, `vào Nam`
            elif word == "như" and not headline:
                out.extend(self.examples(i))
            if not headline:
                if has_dynasty:
                    out.extend(self.dynasty(i))
                if word in category_words:
                    c = self.org_category(i)
                    if c is not None:
                        out.append(c)
                c = self.street_number(i) if has_number else None
                if c is not None:
                    out.append(c)
                if "." in word and _is_initials(word) and word.rstrip(".") not in NOT_INITIALS:
                    out.append(Candidate(i, i + 1, "PER", 0.6, "initials"))
            if org_head_at[i] is not None and (
                word[:1].isupper()
                or self._lowercase_mission(i)
                or (word in LOWERCASE_BODY_HEADS and i + 2 < n and _is_cap(words[i + 2]))
            ):
                c = self.org_head(i)
                if c is not None:
                    out.append(c)
            if loc_head_at[i] is not None and not (loc_head_at[i][0] == 1 and word in self.lex.surnames):
                c = self.loc_head(i)
                if c is not None:
                    out.append(c)
                    out.extend(self.enumeration(c.j))
                elif self.words[i] in ADMIN_HEADS and i + 1 < n and self.words[i + 1] in {"là", ":"}:
                    out.extend(self.enumeration(i + 1, frozenset({"là", ":"})))  # `các tổng là X, Y và Z`
        for _, tj in titles:
            c = self.title_name(tj)
            if c is not None:
                out.append(c)
        out.extend(self.bylines())
        # a quantifier makes an organisation mention generic: `hai Bộ Ngoại giao`, `các đại học Nhật Bản`
        out = [
            c
            for c in out
            if not (
                c.label == "ORG"
                and c.i
                and self.words[c.i - 1].lower() in QUANTIFIERS
                and c.rule not in ("dynasty", "org-category")
            )
        ]
        # a name after `tiếng`/`chữ` is a language or a script: `tiếng Anh`, `chữ Hán`, `tiếng Khmer`
        out = [c for c in out if not (c.i and self.words[c.i - 1] in LANGUAGE_WORDS)]
        return out, titles

    def is_country(self, i: int, k: int) -> bool:
        """Are tokens i..i+k-1 a country's name (countries.tsv)?"""
        return tuple(self.words[i : i + k]) in self.lex.countries

    def _glued_into_word(self, i: int, k: int) -> bool:
        """Is the name at tokens i..i+k-1 part of a longer word (`Mỹ_Đình`, a sentence-initial `Pháp_luật`), rather
        than glued to the next word by the segmenter (`Triều_Tiên_cáo`, `Arizona_Jeff`, `Hồ_Chí_Minh_GS`)?"""
        j = i + k
        if not (self.same_word_next(j) and self.words[j].isalpha()):
            return False
        nxt = self.words[j]
        if not _is_cap(nxt):
            return k == 1 or nxt == "giáo"  # `Pháp_luật`, `Anh_hùng`, `Ấn_Độ_giáo`; but `Triều_Tiên_cáo` was glued
        return not ((len(nxt) > 1 and nxt.isupper()) or nxt in self.lex.given_names or not _vietnamese_syllable(nxt))

    def _capitalised_candidates(
        self, i: int, out: list[Candidate], has_born: bool, has_rank: bool, has_appositive: bool
    ) -> None:
        k = 0 if self.headline else self.surname_name(i)
        if k and i and self.words[i - 1] in PLACE_PREPOSITIONS:
            out.append(Candidate(i, i + k, "LOC", 0.55, "loc-head"))  # `tại Phan Rang`: after `tại`, a place
        elif k:
            score = 0.5 if self.headline else (0.85 if k >= 3 else 0.7)
            out.append(Candidate(i, i + k, "PER", score, "surname"))
        k = self.given_name(i)
        if k:
            out.append(Candidate(i, i + k, "PER", 0.8, "given-name"))  # `Olaf Scholz`
        for rule, wanted in ((self.born, has_born), (self.ranked, has_rank), (self.appositive, has_appositive)):
            c = rule(i) if wanted else None
            if c is not None:
                out.append(c)

    def _inside_longer_name(self, i: int, k: int) -> bool:
        """Is the one-syllable name at i the start of a longer Vietnamese name (`Mỹ An`, `Đức Phổ`: a ward, a
        town), not a country before a person or another name (`Mỹ Joe Biden`, `Nga Moskva`)?"""
        j = i + k
        if k > 1 or not _vietnamese_syllable(self.words[i]):
            return False
        prev = self.words[i - 1] if i else ""
        if (
            prev.isalpha()
            and _is_cap(prev)
            and _vietnamese_syllable(prev)
            and not self.sentence_start(i - 1)
            and not self.title_at[i - 1]
            and self.name_at[i - 1] is None
            and not self._ends_name(max(0, i - 4), i)
            and self.same_word_next(i)
        ):
            return True  # `Tự Đức`, `Thái Lan`-like names not in the lexicon: the country word ends them
        if j >= len(self.toks) or not _is_cap(self.words[j]) or not self.words[j].isalpha():
            return False
        if self.name_at[j] is not None or self.title_at[j] or self.given_name(j) or self.surname_name(j) >= 2:
            return False
        return self.toks[j].start == self.toks[i].end + 1 and _vietnamese_syllable(self.words[j])

    def bylines(self) -> list[Candidate]:
        """Author bylines: a line that is only 2-4 capitalised syllables (`MINH CHÂU`), or such a run glued
        after the last full stop of a paragraph (`... 23,4 tỷ USD.Ngọc Ánh`)."""
        w, n = self.words, len(self.toks)
        starts = [0] + [k + 1 for k in range(n - 1) if w[k] == "." and self.toks[k].end == self.toks[k + 1].start]
        for i in starts[::-1]:
            rest = w[i:]
            if rest and rest[-1] == ".":
                rest = rest[:-1]
            if 2 <= len(rest) <= 4 and all(x.isalpha() and _is_cap(x) for x in rest) and (i > 0 or n == len(rest)):
                if any(self.name_at[k] is not None or self.title_at[k] for k in range(i, i + len(rest))):
                    return []
                return [Candidate(i, i + len(rest), "PER", 0.6, "byline")]
        return []

    def continuation(self, j: int, connectors: set[str], bridge: bool, namesake: bool = False) -> tuple[int, float]:
        """End of the capitalised/lexicon continuation starting at token j, and how sure it is.

        `namesake`: a person's name right at j is what the head is named after (`đường Lê Duẩn`, `thành phố Hồ
        Chí Minh`, `Trường Chu Văn An`), not a person after the name."""
        n = len(self.toks)
        start = j
        score = 0.85
        org = connectors is ORG_CONNECTORS
        # no name runs on for 40 tokens: the cap keeps a long title-case line (a scraped menu) from being scanned
        # to its end from every head in it, which made such a line quadratic
        limit = min(n, start + MAX_NAME_TOKENS)
        while j < limit:
            hit = self.name_at[j]
            if self.title_at[j]:
                break
            if not (namesake and self._before_namesake(start, j)) and (
                self.surname_name(j) >= 3 or (j > start and self.given_name(j))
            ):
                break  # `Đại học X Nguyễn Văn A`, `Chủ tịch Quốc hội Trần Thanh Mẫn`: the person starts here
            if hit is not None and self.ends_cleanly(j + hit[0]) and not self._inside_longer_name(j, hit[0]):
                if not org and j > start and hit[1] == "LOC":
                    break  # `miền Bắc | Việt Nam`, `Tĩnh Tây | Trung Quốc`: a second place
                j += hit[0]
                if hit[1] == "LOC" and j < n and self.words[j] not in connectors:
                    break  # a country or province ends the name: `Bộ Ngoại giao Nhật Bản | Shimada Tomoaki`
                continue
            w = self.words[j]
            if _is_word(w) and _is_cap(w):
                j = self.word_end(j)
                continue
            if j > start and w in connectors and j + 1 < n and self._joins(j, org):
                j += 1
                continue
            if (
                org
                and j > start
                and w == "của"
                and j + 1 < n
                and self.name_at[j + 1] is not None
                and self.name_at[j + 1][1] == "ORG"
            ):
                j += 1  # `Văn phòng Dịch vụ Dự án của Liên Hợp Quốc`
                continue
            if self.loc_head_at[j] is not None and org:
                place = self.loc_head(j)  # `Ủy ban nhân dân tỉnh Quảng Nam`, `UBND quận 3`
                if place is not None:
                    j = place.j
                    continue
            if bridge:
                # up to 3 lowercase words, then a place name: `Viện Nghiên cứu kinh tế Nhật Bản`
                k, bridged = j, 0
                while (
                    k < n
                    and bridged < 3
                    and self.words[k].isalpha()
                    and not _is_cap(self.words[k])
                    and self.words[k] not in BRIDGE_BLOCKERS
                    and self.name_at[k] is None  # `châu Á` is the place the bridge leads to
                ):
                    k, bridged = k + 1, bridged + (not self.same_word_next(k + 1))
                if k > j and k < n and self.name_at[k] is not None and self.name_at[k][1] == "LOC":
                    j = k
                    score = 0.6
                    continue
            break
        return j, score

    def _before_namesake(self, start: int, j: int) -> bool:
        """Are tokens start..j-1 only a school type or level (`THPT`, `Tiểu học`), so that a person's name at j is
        what the institution is named after (`Trường THPT Chu Văn An`)?"""
        words = self.words  # by index: a slice would copy the whole run for every step of a long one
        return all(
            words[k] in SCHOOL_LEVEL_WORDS or (len(words[k]) > 1 and words[k].isupper()) for k in range(start, j)
        )

    def _joins(self, j: int, org: bool) -> bool:
        """Does the connector at token j (`và`, `&`, `-`) join two parts of one name?"""
        nxt = self.words[j + 1]
        if not (_is_cap(nxt) or self.name_at[j + 1]) or self.org_head_at[j + 1]:
            return False  # `Viện X và Đại học Y` are two organisations
        spaced = self.toks[j].start > self.toks[j - 1].end or self.toks[j + 1].start > self.toks[j].end
        if self.words[j] in {"-", "–"} and spaced:
            # a spaced dash ends an organisation name unless it pairs two places (`Hội Hữu nghị Việt Nam - Nhật Bản`)
            hit = self.name_at[j + 1]
            return not org or nxt in SHORT_COUNTRY or (hit is not None and hit[1] == "LOC")
        return True

    def _ends_name(self, start: int, j: int) -> bool:
        """Does a lexicon name end at token j (`Bộ Kế hoạch và Đầu tư | hiện nay`)?"""
        return any(self.name_at[k] is not None and k + self.name_at[k][0] == j for k in range(start, j))

    def lowercase_tail(self, j: int) -> int:
        """End of a lower-case continuation of an organisation name at token j (`Cục Bản quyền tác giả`,
        `Viện Dữ liệu mở`): up to 4 lower-case syllables that are not function words, ending where the clause
        goes on with punctuation or a function word; j itself when there is none."""
        n = len(self.toks)
        k = j
        while (
            k < n
            and k - j < 4
            and self.words[k].isalpha()
            and not _is_cap(self.words[k])
            and self.words[k] not in BRIDGE_BLOCKERS
            and self.name_at[k] is None
            and not self.title_at[k]
        ):
            k += 1
        if k == j or not self.ends_cleanly(k):
            return j
        if k == n or self.words[k] in TAIL_ENDS or self.words[k] in TAIL_FOLLOWERS:
            return k
        return j

    def _lowercase_mission(self, i: int) -> bool:
        """`đại sứ quán Việt Nam`: a lower-case embassy head names one embassy when a country follows."""
        k = self.org_head_at[i][0]
        if tuple(self.words[i : i + k]) not in LOWERCASE_MISSION_HEADS or i + k >= len(self.toks):
            return False
        hit = self.name_at[i + k]
        return hit is not None and hit[1] == "LOC"

    def org_head(self, i: int) -> Candidate | None:
        k, flag = self.org_head_at[i]
        if k == 1 and not self.ends_cleanly(i + k):
            return None  # `Báo_cáo`, `Bộ_trưởng`: a lowercase syllable continues a one-syllable head's word
        place = self.name_at[i]
        if place is not None and place[1] == "LOC" and place[0] > k:
            return None  # `Đài Loan`, `Trường Sa`, `Hội An`: the head word starts a place's name
        if i and self.words[i - 1] in ADMIN_HEADS:
            return None  # `huyện Vụ Bản`: a place whose name starts like a head
        if (
            self.words[i] == "Trường"
            and k == 1
            and i + 1 < len(self.toks)
            and not (self.words[i + 1] in SCHOOL_WORDS or self.surname_name(i + 1) >= 2 or self.given_name(i + 1))
        ):
            return None  # `Trường Yên`, `Trường Sơn` are places; `Trường Tiểu học ...`, `Trường Chu Văn An` schools
        if k == 1 and self.words[i] in self.lex.surnames and self.surname_name(i + 1) >= 2:
            return None  # `Đoàn Nguyễn Tuấn` is a person (`Đoàn` is a surname as well as a head)
        j, score = self.continuation(i + k, ORG_CONNECTORS, bridge=True, namesake=flag != "standalone")
        if tuple(self.words[i : i + k]) in MISSION_HEADS and j < len(self.toks) - 1 and self.words[j] in {"tại", "ở"}:
            hit = self.name_at[j + 1]
            if hit is not None and hit[1] == "LOC":
                j = j + 1 + hit[0]
        if j == i + k and self.words[i] in {"Bộ", "Sở"} and k == 1 and not self.headline:
            field = self.lex.portfolios.longest(self.words, j)
            if field is not None and self.ends_cleanly(j + field[0]):
                j += field[0]  # `Bộ tài chính`, `Sở y tế`: a lower-case portfolio names the ministry
        numbered = " ".join(self.words[i:j]) in NUMBERED_HEADS
        if j == i + k and j < len(self.toks) and self.words[j].isdigit() and numbered:
            j += 1  # `Sư đoàn 308`, `Quân đoàn 1`: the number is the unit's name
        if j == i + k:
            return Candidate(i, j, "ORG", 0.75, "org-head") if flag == "standalone" else None
        if (
            _is_cap(self.words[i])
            and j < len(self.toks)
            and not _is_cap(self.words[j])
            and self.words[j - 1].isalpha()
            and not self._ends_name(i + k, j)
        ):
            tail = self.lowercase_tail(j)  # `Cục Bản quyền tác giả`, `Viện Dữ liệu mở`
            if tail > j:
                j, score = tail, min(score, 0.6)
        return Candidate(i, j, "ORG", score if _is_cap(self.words[i]) else 0.6, "org-head")

    def org_category(self, i: int) -> Candidate | None:
        """`tờ Le Monde`, `tập đoàn Amkor`, `trường Chu Văn An`: the name after a lower-case category word."""
        if i + 1 >= len(self.toks) or self.words[i] not in self.lex.org_categories.lengths:
            return None
        hit = self.lex.org_categories.longest(self.words, i)
        if hit is None or self.headline or not self.starts_word(i) or not self.ends_cleanly(i + hit[0]):
            return None
        if (
            _is_cap(self.words[i])
            and self.words[i] not in CAPITALISED_CLASSIFIERS
            and not (self.words[i] == "Báo" and self.sentence_start(i))
        ):
            return None  # capitalised heads are organisation heads (`Tập đoàn Hòa Phát`: one ORG)
        if i and self.words[i - 1].lower() in QUANTIFIERS:
            return None  # `các tập đoàn Nhật Bản`: generic
        j0 = i + hit[0]
        if j0 >= len(self.toks) or self.title_at[j0] or not _is_cap(self.words[j0]):
            return None
        category = " ".join(self.words[i:j0]).lower()
        name = self.name_at[j0]
        j = self.name_phrase(j0)
        if name is not None and name[1] == "LOC" and j <= j0 + name[0] and category not in CLUB_CATEGORIES:
            return None  # `công ty Nhật Bản`: a place, not the company's name (a club may be named after a place)
        if j == j0 or (self.surname_name(j0) >= 2 and category not in NAMESAKE_CATEGORIES):
            return None  # `đảng Nguyễn Văn A`? a person; schools and hospitals may carry a person's name
        if j == j0 + 1 and j < len(self.toks) and _vietnamese_syllable(self.words[j0]) and name is None:
            j = self.lowercase_tail(j)  # `báo Tiếng dân`, `trường Hậu bổ`
        return Candidate(j0, j, "ORG", 0.7, "org-category")

    def name_phrase(self, j: int) -> int:
        """End of a proper name starting at token j: capitalised words (`Le Monde`, `BBC`, `Sainsbury’s`), name
        particles between them (`Bank of America`), `&` and tight hyphens, a number closing it (`Channel 4`)."""
        n, start = len(self.toks), j
        while j < n:
            w = self.words[j]
            if self.title_at[j] or (j > start and (self.surname_name(j) >= 3 or self.given_name(j))):
                break
            if _is_word(w) and _is_cap(w):
                j = self.word_end(j)
                continue
            nxt = self.words[j + 1] if j + 1 < n else ""
            if (
                j > start
                and _is_cap(nxt)
                and (
                    w in NAME_PARTICLES
                    or w == "&"
                    or (w in {"-", "+"} and self.toks[j - 1].end == self.toks[j].start == self.toks[j + 1].start - 1)
                )
            ):
                j += 1
                continue
            if j > start and w.isdigit() and len(w) <= 3 and not self.same_word_next(j):
                j += 1  # `Channel 4`, `Formula 1`
            break
        return j

    def examples(self, i: int) -> list[Candidate]:
        """`các thương hiệu như Arcadia, Belmont và Corvin`, `những nước như X, Y`: names listed after a category
        word and `như` take the category's type."""
        w, n = self.words, len(self.toks)
        label = None
        for back in (1, 2, 3):
            k = i - back
            if k < 0:
                break
            if self.lex.org_categories.longest(w, k) is not None and k + self.lex.org_categories.longest(w, k)[0] == i:
                label = "ORG"
            elif w[k] in EXAMPLE_PLACES and k + 1 == i:
                label = "LOC"
            if label:
                break
        if label is None:
            return []
        out, j = [], i + 1
        while j < n and _is_cap(w[j]) and w[j].isalpha() and not self.title_at[j]:
            hit = self.name_at[j]
            end = j + hit[0] if hit is not None else self.name_phrase(j)
            if end == j:
                break
            if hit is None:
                out.append(Candidate(j, end, label, 0.6, "appositive"))
            if end < n and w[end] in {",", "và", "hoặc"} and end + 1 < n:
                j = end + 1
                continue
            break
        return out

    def appositive(self, i: int) -> Candidate | None:
        """`Inrupt, một công ty khởi nghiệp`, `Kestrel là một thị trấn`, `Anna Berg, một người mẹ`: what a name is
        said to be gives its type."""
        w, n = self.words, len(self.toks)
        if not _is_cap(w[i]) or not w[i].isalpha() or (i and _is_cap(w[i - 1]) and w[i - 1].isalpha()):
            return None
        if self.name_at[i] is not None or self.title_at[i] or self.org_head_at[i] is not None or self.sentence_start(i):
            return None
        j = self.name_phrase(i)
        if j >= n or j - i > 4:
            return None
        k = j + (w[j] == ",")
        k += k < n and w[k] == "là"
        if k == j or k >= n or w[k] != "một":
            return None
        k += 1
        if self.lex.org_categories.longest(w, k) is not None or (k < n and w[k] in {"tổ", "nhóm", "doanh"}):
            return Candidate(i, j, "ORG", 0.6, "appositive")
        if k < n and w[k] in APPOSITIVE_PLACES:
            return Candidate(i, j, "LOC", 0.6, "appositive")
        if k < n and w[k] in APPOSITIVE_PEOPLE and all(x.isalpha() for x in w[i:j]):
            return Candidate(i, j, "PER", 0.6, "appositive")
        return None

    def ranked(self, i: int) -> Candidate | None:
        """`Hưng Đạo đại vương`, `Thụy Bà công chúa`, `Lý hoàng hậu`: a name before a noble rank or royal title
        is a person, the rank outside (guidelines §11)."""
        w, n = self.words, len(self.toks)
        if not _is_cap(w[i]) or not w[i].isalpha() or (i and _is_cap(w[i - 1]) and w[i - 1].isalpha()):
            return None
        if self.title_at[i] or self.org_head_at[i] is not None or self.sentence_start(i):
            return None
        k = self.name_run(i, 3)
        j = i + k
        if not k or j >= n or self.name_at[i] is not None and self.name_at[i][0] >= k:
            return None
        rank = self.lex.ranks.longest(w, j)
        if rank is None or not self.starts_word(j) or not self.ends_cleanly(j + rank[0]):
            return None
        return Candidate(i, j, "PER", 0.7, "title-name")

    def born(self, i: int) -> Candidate | None:
        """`Ayumi Hamasaki sinh ngày ...`, `Hamid Karzai (sinh năm ...)`: a name that is born is a person."""
        if (
            self.headline
            or not _is_cap(self.words[i])
            or (i and _is_cap(self.words[i - 1]) and self.words[i - 1].isalpha())
        ):
            return None
        if self.name_at[i] is not None or self.title_at[i] or self.org_head_at[i] is not None:
            return None
        k = self.name_run(i, 4)
        j = i + k
        if k < 2 or j >= len(self.toks):
            return None
        after = self.words[j : j + 3]
        if after[:1] == ["sinh"] or after[:2] == ["(", "sinh"]:
            return Candidate(i, j, "PER", 0.75, "title-name")
        return None

    def street_number(self, i: int) -> Candidate | None:
        """`số 45 Nguyễn Thượng Hiền`, `số 12 Tràng Tiền`: a house number then a name is a street (LOC)."""
        w, n = self.words, len(self.toks)
        if w[i] != "số" or i + 2 >= n or not w[i + 1].isdigit() or not _is_cap(w[i + 2]) or self.title_at[i + 2]:
            return None
        if self.org_head_at[i + 2] is not None or (self.name_at[i + 2] is not None and self.name_at[i + 2][1] == "ORG"):
            return None
        j, score = self.continuation(i + 2, LOC_CONNECTORS, bridge=False, namesake=True)
        return Candidate(i + 2, j, "LOC", 0.6, "loc-head") if j > i + 2 else None

    def dynasty(self, i: int) -> list[Candidate]:
        """`nhà Tống`, `thời Lý`, `quân Thanh`, `Trịnh - Nguyễn`: the dynasty is an ORG, the lower-case word
        outside; `Nhà Nguyễn` capitalised is one ORG. Not before a person's name (`thời Lê Lợi`)."""
        w, n = self.words, len(self.toks)
        if w[i].lower() not in DYNASTY_FIRST_WORDS:
            return []
        if w[i] in DYNASTY_COUNTRY_WORDS and i + 1 < n:
            hit = self.lex.dynasties.longest(w, i + 1)
            end = i + 1 + hit[0] if hit is not None else 0
            person_follows = end < n and w[end].isalpha() and _is_cap(w[end])
            if hit is not None and not person_follows and self.name_at[i + 1] is None:
                return [Candidate(i + 1, end, "LOC", 0.7, "dynasty")]  # `nước Tống`, `đất Tống`
            return []
        for m in (2, 1):
            trigger = tuple(x.lower() for x in w[i : i + m])
            if (
                trigger in DYNASTY_TRIGGERS
                and (self.starts_word(i) or _is_cap(w[i]))
                and self.ends_cleanly(i + m)
                and i + m < n
            ):
                break
        else:
            return []
        out = []
        j = i + m
        if (
            trigger in REIGN_TRIGGERS
            and self.lex.dynasties.longest(w, j) is None
            and self.name_at[j] is None
            and _is_cap(w[j])
            and self.name_run(j, 2) == 2
            and not self.surname_name(j)
        ):
            return [Candidate(j, j + 2, "PER", 0.65, "dynasty")]  # `đời Tự Đức`, `thời Gia Long`: a reign
        while j < n:
            hit = self.lex.dynasties.longest(w, j)
            if hit is None:
                break
            end = j + hit[0]
            if end < n and w[end].isalpha() and _is_cap(w[end]):
                break  # `vua Lê Thánh Tông`, `thời Minh Mạng`: a person
            whole = not out and w[i] == "Nhà" and not self.sentence_start(i)  # guidelines §11
            out.append(Candidate(i if whole else j, end, "ORG", 0.75, "dynasty"))
            if end + 1 < n and w[end] in {"-", "–"}:
                j = end + 1  # `Trịnh - Nguyễn`, `Lý-Trần`
                continue
            break
        return out

    def loc_head(self, i: int) -> Candidate | None:
        k, _ = self.loc_head_at[i]
        if not self.ends_cleanly(i + k) or not self.starts_word(i):
            return None  # `bóng_đá Việt Nam`, `thị_trường Anh`: the head is part of another word
        j = i + k
        if j < len(self.toks) and self.words[j].isdigit() and self.words[i].lower() in {"quận", "phường"}:
            return Candidate(i, j + 1, "LOC", 0.8, "loc-head")  # `quận 1`: the number alone names nothing
        j, score = self.continuation(j, LOC_CONNECTORS, bridge=False, namesake=True)
        if j == i + k:
            return None
        head = " ".join(self.words[i : i + k])
        if head.lower() in NAME_HEADS and self.is_country(i + k, j - i - k):
            return None  # `bờ biển Việt Nam`: the country is the name, the sea is not named
        # a lower-case category word stays outside (`tỉnh Fukuoka` -> `Fukuoka`); a capitalised head belongs to
        # the name (`Quảng trường Đỏ`, `Quần đảo Marshall`), except an administrative word opening a sentence
        whole_name = self.name_at[i + k] is not None and i + k + self.name_at[i + k][0] == j
        if head.lower() in REGION_HEADS and whole_name:
            outside = True  # `miền Tây Nam Bộ` -> `Tây Nam Bộ`: the rest is a name on its own (guidelines §11)
        elif head.lower() in NAME_HEADS:
            outside = False  # `miền Tây`, `sông Hồng`, `đảo Cô Tô`: the head word is part of the name
        else:
            outside = not _is_cap(head) or (self.sentence_start(i) and head.lower() in ADMIN_HEADS)
        return Candidate(i + k if outside else i, j, "LOC", min(score, 0.8), "loc-head")

    def enumeration(self, j: int, first: frozenset[str] = frozenset({",", "và"})) -> list[Candidate]:
        """Places listed after a place head: `các tỉnh Trat, Chanthaburi và Chonburi` -> two more LOC; `4 tổng là
        Định An, Định Bảo và Định Thới` -> three (`first`: the words that may open the list)."""
        out = []
        n = len(self.toks)
        seps = first
        while j + 1 < n and self.words[j] in seps and _is_cap(self.words[j + 1]) and self.words[j + 1].isalpha():
            seps = frozenset({",", "và"})
            if (
                self.name_at[j + 1] is not None
                or self.title_at[j + 1]
                or self.org_head_at[j + 1]
                or self.surname_name(j + 1)
            ):
                break  # a known name or another construction: the other rules handle it
            k = self.name_run(j + 1, 3)
            if not k:
                break
            out.append(Candidate(j + 1, j + 1 + k, "LOC", 0.6, "loc-head"))
            j = j + 1 + k
        return out

    def title_name(self, j: int) -> Candidate | None:
        """The name after a title ending before token j; portfolio words, `nước`, places between stay out."""
        n = len(self.toks)
        skipped = 0
        while j < n and skipped < 8:
            w = self.words[j]
            hit = self.name_at[j]
            if w in {"nước", ",", "-", "và"} and skipped:
                j += 1
                skipped += 1
                continue
            if w == "nước":
                j += 1
                skipped += 1
                continue
            if hit is not None and (hit[0] >= 2 or not self.surname_name(j)):
                j += hit[0]
                skipped += 1
                continue
            dyn = self.lex.dynasties.longest(self.words, j)
            if dyn is not None and dyn[0] >= 2 and self.surname_name(j + dyn[0]) >= 2:
                j += dyn[0]  # `tướng Tây Sơn Vũ Văn Nhậm`
                skipped += 1
                continue
            if w == "(" and skipped:
                close = next((k for k in range(j + 1, min(n, j + 8)) if self.words[k] == ")"), None)
                if close is not None:  # `Tổng thư ký Liên hợp quốc (TTK LHQ) Antonio Guterres`
                    j = close + 1
                    skipped += 1
                    continue
            if w in {"tại", "ở"} and j + 1 < n and self.name_at[j + 1] is not None:
                j += 1 + self.name_at[j + 1][0]
                skipped += 1
                continue
            field = None if self.headline else self.lex.portfolios.longest(self.words, j)
            if field is not None:
                j += field[0]
                skipped += 1
                continue
            # a portfolio word (`Ngoại_giao`): capitalised first syllable, lowercase second syllable
            end = self.word_end(j)
            if _is_cap(w) and end - j > 1 and not _is_cap(self.words[j + 1]) and end < n and _is_cap(self.words[end]):
                j = end
                skipped += 1
                continue
            break
        if j >= n:
            return None
        if _is_initials(self.words[j]):
            return Candidate(j, j + 1, "PER", 0.7, "title-name")
        w = self.words[j]
        if (
            len(w) == 1
            and w.isupper()
            and w.isalpha()
            and (j + 1 == n or self.words[j + 1] in {".", ",", ")", ";", ":"})
        ):
            return Candidate(j, j + 1, "PER", 0.6, "title-name")  # `ông T.`: an initial that stands for a name
        if self.org_head_at[j] is not None and not self.surname_name(j):
            return None  # `Tổng Bí thư Đảng`, `Chủ tịch Hội`: an organisation, not a name
        k = self.surname_name(j) or (0 if self.headline else self.name_run(j, 4, after_title=True))
        if not k:
            return None
        k += self.regnal(j + k)  # `vua Louis XIV`
        return Candidate(j, j + k, "PER", 0.85 if not self.headline else 0.6, "title-name")


def _resolve(tagger: _SentenceTagger, cands: list[Candidate], titles: list[tuple[int, int]]) -> list[Candidate]:
    """The candidates that survive: none overlapping a title (a lexicon name may contain one: `Văn phòng Chủ tịch
    nước`), then no two overlapping (longest first, then PRIORITY, then score)."""
    from . import resolve_overlaps

    toks = tagger.toks
    by_span = {}
    for c in cands:
        if any(c.i < tj and ti < c.j and not (c.rule == "lexicon" and c.i <= ti and tj <= c.j) for ti, tj in titles):
            continue
        sp = Span(toks[c.i].start, toks[c.j - 1].end, c.label, c.score, f"rules:{c.rule}")
        by_span.setdefault(sp, c)
    kept = resolve_overlaps(by_span, tiebreak=lambda sp: PRIORITY[sp.source.split(":", 1)[1]])
    return [by_span[sp] for sp in kept]


# Rules sure enough that the names they find are names wherever they recur in the document.
MEMORY_RULES = {
    "title-name",
    "given-name",
    "org-head",
    "org-category",
    "acronym",
    "loc-head",
    "dynasty",
    "surname",
    "appositive",
}


def _acronyms(tagger: _SentenceTagger, kept: list[Candidate]) -> list[Candidate]:
    """`Liên đoàn Bơi lội Quốc gia (LĐBL)`, `Global Energy Partners (GEP)`: an acronym in brackets after an
    organisation, or after capitalised words whose initials it spells, is an ORG (and so are those words)."""
    w, n = tagger.words, len(tagger.toks)
    taken = {k for c in kept for k in range(c.i, c.j)}
    ends = {c.j: c for c in kept}
    out = []
    for k in range(1, n - 2):
        acr = w[k + 1]
        if w[k] != "(" or w[k + 2] != ")" or not _is_acronym(acr):
            continue
        before = ends.get(k)
        if k + 1 in taken and (before is not None or not any(c.i == k + 1 and c.label == "ORG" for c in kept)):
            continue  # the acronym is already something else, or its name is already found
        if before is not None and before.label == "ORG":
            out.append(Candidate(k + 1, k + 2, "ORG", 0.75, "acronym"))
            continue
        # the capitalised words right before the bracket (name particles between them) whose initials spell it
        letters = [ch for ch in acr.upper() if ch.isalpha()]
        i, spelled = k, []
        while (
            i > 0
            and len(spelled) < len(letters)
            and i - 1 not in taken
            and ((w[i - 1].isalpha() and _is_cap(w[i - 1])) or (spelled and w[i - 1] in NAME_PARTICLES))
        ):
            i -= 1
            if w[i] not in NAME_PARTICLES:
                spelled.insert(0, w[i][0].upper())
        if len(spelled) >= 2 and spelled == letters:
            out.append(Candidate(i, k, "ORG", 0.7, "acronym"))
            if k + 1 not in taken:
                out.append(Candidate(k + 1, k + 2, "ORG", 0.75, "acronym"))
    return out


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
# Words between a name and its transliteration in brackets: `Nguyễn Du (chữ Hán: 阮攸; ...)`.
SCRIPT_WORDS = {
    "chữ",
    "Hán",
    "Nôm",
    "tiếng",
    "Trung",
    "Nhật",
    "Hàn",
    "phồn",
    "giản",
    "thể",
    "Hán-Việt",
    ":",
    ",",
    "Anh",
    "Pháp",
    "Đức",
    "Nga",
    "Ý",
    "Latinh",
    "Khmer",
    "Lào",
    "Thái",
    "Tây",
    "Ban",
    "Nha",
    "Bồ",
    "Đào",
    "tên",
    "gọi",
    "là",
}


def _transliterations(tagger: _SentenceTagger, kept: list[Candidate]) -> list[Candidate]:
    """The same name in another script or language, in brackets right after a name, with its label: `Nguyễn Du
    (chữ Hán: 阮攸)`, `Ngô Tuấn (吳俊)`, `Quỹ Nhi đồng Liên Hợp Quốc (tiếng Anh: United Nations Children's Fund,
    viết tắt UNICEF)`."""
    w, n = tagger.words, len(tagger.toks)
    taken = {k for c in kept for k in range(c.i, c.j)}
    out = []
    for c in kept:
        k = c.j
        if k >= n or w[k] != "(":
            continue
        k += 1
        while k < n and w[k] in SCRIPT_WORDS:
            k += 1
        if k < n and k not in taken and _CJK.fullmatch(w[k]) and (k + 1 >= n or w[k + 1] in {")", ";", ",", "]"}):
            out.append(Candidate(k, k + 1, c.label, 0.6, "acronym"))
            continue
        if c.label != "ORG" or k >= n or k in taken or not _is_cap(w[k]):
            continue
        j = tagger.name_phrase(k)  # a foreign name: `United Nations Development Programme`
        if (
            j - k >= 2
            and not all(_vietnamese_syllable(x) for x in w[k:j] if x.isalpha())
            and (j >= n or w[j] in {")", ",", ";"})
            and not any(x in taken for x in range(k, j))
        ):
            out.append(Candidate(k, j, "ORG", 0.6, "acronym"))
            if j + 2 < n and w[j] == "," and w[j + 1] == "viết" and w[j + 2] == "tắt":
                a = j + 3 + (j + 3 < n and w[j + 3] == "là")
                if a < n and _is_acronym(w[a]) and a not in taken:
                    out.append(Candidate(a, a + 1, "ORG", 0.7, "acronym"))  # `..., viết tắt UNDP`
    return out


def _initials(words: Sequence[str]) -> str:
    """`Tòa án Thường trực Quốc tế` -> `TATTQT`: the first letter of every syllable, without tone marks."""
    out = []
    for x in words:
        if x[:1].isalpha():
            first = x[0].upper()
            out.append(first if first == "Đ" else unicodedata.normalize("NFD", first)[0])
    return "".join(out)


def _known_acronyms(tagger: _SentenceTagger, kept: list[Candidate], initials: set[str]) -> list[Candidate]:
    """`TATTQT`, `LHQ`: an acronym spelling the initials of an organisation named in the document is that
    organisation."""
    if not initials:
        return []
    taken = {k for c in kept for k in range(c.i, c.j)}
    return [
        Candidate(k, k + 1, "ORG", 0.6, "acronym")
        for k, x in enumerate(tagger.words)
        if x in initials and k not in taken and _is_acronym(x)
    ]


def _is_acronym(tok: str) -> bool:
    letters = [ch for ch in tok if ch.isalpha()]
    return 2 <= len(tok) <= 8 and len(letters) >= 2 and all(ch.isupper() for ch in letters) and tok not in REGNAL


def _memory_entries(tagger: _SentenceTagger, c: Candidate) -> list[tuple[tuple[str, ...], str]]:
    """The names a sure candidate teaches the document: its words and, for a foreign person, the last name
    alone (`Olaf Scholz` -> `Scholz`)."""
    words = tuple(tagger.words[c.i : c.j])
    if not all(_is_cap(x) or not x.isalpha() for x in words) or (len(words) == 1 and len(words[0]) < 2):
        return []
    if c.rule == "surname":
        # a Vietnamese name of three syllables or more is also written without its surname (`Lý Thường Kiệt` ...
        # `Thường Kiệt`); the full name is found again by the surname rule anyway
        return [(words[-2:], "PER")] if len(words) >= 3 and all(_vietnamese_syllable(x) for x in words) else []
    out = [(words, c.label)]
    if c.label == "PER" and len(words) >= 2:
        core = words[:-1] if words[-1] in REGNAL else words
        if not all(_vietnamese_syllable(x) for x in core if x.isalpha()):
            aliases = {core[0]} if words[-1] in REGNAL else {core[0], core[-1]}  # `Scholz`; `Ayumi` of `Ayumi Hamasaki`
            for alias in aliases:
                if alias.isalpha() and len(alias) > 2 and not _vietnamese_syllable(alias):
                    out.append(((alias,), "PER"))
    return out


def _repeats(tagger: _SentenceTagger, kept: list[Candidate], memory: PhraseTable) -> list[Candidate]:
    """Recurrences of the document's sure names that no rule found in this sentence. A person known in the
    document also wins over a one-word lexicon name of another type (`Ford` the person, not the company)."""
    w, n = tagger.words, len(tagger.toks)
    lexicon_words = {c.i: c for c in kept if c.rule == "lexicon" and c.j == c.i + 1}
    taken = {k for c in kept for k in range(c.i, c.j)}
    out = []
    i = 0
    while i < n:
        known = memory.longest(w, i) if _is_cap(w[i]) else None
        if i in lexicon_words and known is not None and known == (1, "PER") and lexicon_words[i].label != "PER":
            kept.remove(lexicon_words[i])  # the caller re-resolves `kept + out`
            taken.discard(i)
        hit = known if i not in taken else None
        if hit is None:
            i += 1
            continue
        k, label = hit
        j = i + k
        free = not any(x in taken for x in range(i, j)) and tagger.ends_cleanly(j) and tagger.starts_word(i)
        # part of a longer capitalised name (`Lee` inside `Lee Hsien Loong`)?
        longer = (j < n and w[j].isalpha() and _is_cap(w[j])) or (
            i
            and w[i - 1].isalpha()
            and _is_cap(w[i - 1])
            and not tagger.sentence_start(i - 1)
            and not tagger.title_at[i - 1]
        )
        if free and not longer and not tagger.title_at[i]:
            out.append(Candidate(i, j, str(label), 0.6, "repeat"))
            i = j
        else:
            i += 1
    return out


def tag_document(sentences: Sequence[Sentence], lex: Lexicons | None = None) -> list[list[Span]]:
    """Spans of every sentence; sentences of one document (same `doc_id`) share the names found in them."""
    lex = lex or load_lexicons()
    taggers = [_SentenceTagger(lex, s) for s in sentences]
    kept_all = []
    memory: dict[str, dict[tuple[str, ...], str | None]] = defaultdict(dict)
    for sent, tagger in zip(sentences, taggers):
        cands, titles = tagger.candidates()
        kept = _resolve(tagger, cands, titles)
        extra = _acronyms(tagger, kept)
        if extra:
            kept = _resolve(tagger, kept + extra, titles)
        kept_all.append((kept, titles))
        for c in kept:
            if c.rule in MEMORY_RULES and c.score >= 0.6:
                for key, label in _memory_entries(tagger, c):
                    known = memory[sent.doc_id].get(key, label)
                    memory[sent.doc_id][key] = label if known == label else None  # two labels: not sure
    acronyms: dict[str, set[str]] = defaultdict(set)  # initials of the organisations of each document
    for sent, tagger, (kept, _) in zip(sentences, taggers, kept_all):
        for c in kept:
            if c.label == "ORG" and c.j - c.i >= 3:
                acronyms[sent.doc_id].add(_initials(tagger.words[c.i : c.j]))
    tables: dict[str, PhraseTable] = {}
    for doc_id, entries in memory.items():
        table = tables[doc_id] = PhraseTable()
        for key, label in entries.items():
            if label is not None:
                table.add(" ".join(key), label)
    out = []
    for sent, tagger, (kept, titles) in zip(sentences, taggers, kept_all):
        table = tables.get(sent.doc_id)
        if table is not None:
            extra = _repeats(tagger, kept, table)
            if extra:
                kept = _resolve(tagger, kept + extra, titles)
        extra = _transliterations(tagger, kept) + _known_acronyms(tagger, kept, acronyms.get(sent.doc_id, set()))
        if extra:
            kept = _resolve(tagger, kept + extra, titles)
        toks = tagger.toks
        out.append(sorted(Span(toks[c.i].start, toks[c.j - 1].end, c.label, c.score, f"rules:{c.rule}") for c in kept))
    return out


def tag_sentence(sentence: Sentence, lex: Lexicons | None = None) -> list[Span]:
    return tag_document([sentence], lex)[0]


class RuleTagger:
    name = "rules"
    version = "1.1"

    def __init__(self) -> None:
        self.lex = load_lexicons()

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        """Spans per sentence; consecutive sentences of one document are tagged together (`tag_document`)."""
        out: list[list[Span]] = []
        k = 0
        while k < len(sentences):
            j = k + 1
            while j < len(sentences) and sentences[j].doc_id == sentences[k].doc_id:
                j += 1
            out.extend(tag_document(sentences[k:j], self.lex))
            k = j
        return out
