"""DATE pre-annotator: a grammar of Vietnamese calendar expressions over the display text.

Span conventions (annotation/guidelines.md §4, §9, §10 have the final word; this module follows them):

* The calendar noun that names the date is inside: `ngày 27/11`, `ngày 27-30/11`, `tháng 11/2021`,
  `năm 1973`, `quý I/2024`, `thứ Hai`, `thế kỷ XIX`, `thập niên 1990`, `những năm 1980`. So are position
  words that pick part of a period: `cuối tháng 11`, `đầu năm 2024`, `nửa đầu năm 2019`, `mùa xuân năm 1975`,
  `những năm đầu thế kỷ 20`, and a counted period anchored to the calendar: `ba tháng đầu năm 2022`.
* Times of day stay outside (`sáng 27/11` -> `27/11`, `sáng ngày 27/11` -> `ngày 27/11`); after a time of day
  a day-month needs no `ngày` (`chiều 25/7`, `sáng 5 - 9`); `hôm` before a date or weekday stays outside.
* Bare years are dates (`sinh 1937`, `(1923–1995)`, `mùa giải 2016`, `2024/25`), unless a count noun follows
  (`2000 người`) or they are part of a number or a code (`123/2016/NĐ-CP`).
* Years after `năm` may have three or four digits (`năm 802`, `năm 1288`), with an era (`năm 802 sau Công
  nguyên`); lunar years (`năm Canh Tý`, `Bính Thân 1836`) and reign years (`năm Minh Mạng thứ 17`) are dates.
* Relative references are dates: `hôm nay`, `hôm qua`, `ngày mai`, `hôm sau`, `ngày hôm đó`, `cùng ngày`,
  `cùng năm`, `tuần tới`, `tháng trước`, `năm ngoái`, `năm sau đó`, `đầu năm`, `đầu tháng này`,
  `thứ Sáu tuần trước`, `Chủ nhật tới`; not when counted (`hai năm trước`, `nhiều năm qua`: durations).
* A range written as one expression is one span: `ngày 27-30/11`, `20 - 22/7`, `Ngày 1/7-3/7`,
  `9/5/1945 - 9/5/2024`, `3 tháng 1 năm 1766 – 1820`.
* A weekday joined to a date by a space or comma is one span (`thứ Hai, ngày 27/11`); in parentheses it is
  two (`thứ Hai (27/11)`). Weekday names must be capitalised (`thứ ba từ trái qua` is "third").
* Not dates: durations and ages (`50 năm`, `3 tháng`, `20 tuổi`), scores (`7-3` needs `ngày`, a time of day or
  a year), fractions (`chiếm 2/3 số phiếu`), months in event names (`Cách mạng tháng Tám`).

Pre-segmented text is displayed with spaces around `/` (`27-30 / 11`); the grammar allows one space on each
side of a separator. Spans always start and end on non-space characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from ..spans import Span
from ..text import Sentence

D = r"(?:3[01]|[12]\d|0?[1-9])"
M = r"(?:1[0-2]|0?[1-9])"
Y = r"(?:1[5-9]\d\d|20\d\d)"  # a year written with a day or month (`3/5/2024`)
YEAR = r"(?:[1-9]\d{2,3})"  # a year after `năm`: 100-9999 (`năm 802`, `năm 1288`)
BARE_YEAR = r"(?:1\d{3}|20\d\d)"  # a year standing alone: 1000-2099
SL = r"\s?/\s?"
DASH = r"\s?[-–—]\s?"
SEP = r"\s?[/\-.]\s?"
START = r"(?<![\w/.,])"  # not inside a number or word
END = r"(?![\w/]|[.,]\d)"
START_YEAR = r"(?<![\w/.])(?<!\d,)"  # a bare year may follow a comma without a space: `(胡表政,1884–1958)`
NGAY = r"(?:ngày\s)?"
DAYS = rf"{D}(?:{DASH}{D})?"
ERA = r"(?:\s(?:trước|sau)\s[Cc]ông\s[Nn]guyên|\s(?-i:TCN|SCN))"
CAN = "Giáp|Ất|Bính|Đinh|Mậu|Kỷ|Kỉ|Canh|Tân|Nhâm|Quý"  # heavenly stems
CHI = "Tý|Sửu|Dần|Mão|Mẹo|Thìn|Tỵ|Tị|Ngọ|Mùi|Thân|Dậu|Tuất|Hợi"  # earthly branches
LUNAR = rf"(?-i:(?:{CAN})\s(?:{CHI}))"
# Month names: capitalised in any form (`tháng Mười`, `tháng Giêng`), lower case where unambiguous.
MONTH_WORD = (
    r"(?-i:Giêng|Chạp|Hai|Ba|Tư|Năm|Sáu|Bảy|Tám|Chín|Mười(?:\s[Mm]ột|\s[Hh]ai)?|giêng|chạp|mười(?:\smột|\shai)?)"
)
NUMBER_WORDS = (
    "một hai ba bốn năm sáu bảy tám chín mười mươi trăm nghìn ngàn vạn vài mấy nhiều những các mỗi hơn gần khoảng"
).split()
COUNT = rf"(?:\d+|{'|'.join(NUMBER_WORDS[:11])})"
RELATIVE_WORD = r"(?:này|nay|tới|sau|trước|qua|ngoái|đó|ấy)"
YEAR_TAIL = rf"(?:{SL}{Y}|{DASH}{Y}|,\s{BARE_YEAR}|,?\snăm\s(?:{YEAR}{ERA}?|{LUNAR}(?:\s{YEAR})?|{RELATIVE_WORD}))"
MOD = (
    r"(?:(?:cuối|đầu|giữa|cùng\skỳ|trung\stuần|thượng\stuần|hạ\stuần|nửa\s(?:đầu|cuối|sau)"
    r"|mùa\s(?:xuân|hạ|hè|thu|đông)|những\s(?:năm|ngày)\s(?:đầu|cuối))\s)"
)
ROMAN_Q = r"(?:IV|I{1,3}|[1-4])"
ROMAN = r"(?-i:[IVXL]{1,6})"
TIME_OF_DAY = r"(?:sáng|trưa|chiều|tối|đêm|khuya)"
# Count nouns and units after a number make it an amount, not a year (`2000 người`, `1500 km`).
UNITS = (
    "người hộ khẩu nhân con cái chiếc ngôi căn tấn kg km m mét ha héc-ta mẫu khoảnh sào đồng USD tỷ triệu nghìn ngàn "
    "trăm điểm ca bệnh phiếu lượt vụ lần bản trang câu chữ ảnh bài binh lính quân tàu xe học_sinh sinh_viên "
    "thành_viên đại_biểu dự_án doanh_nghiệp công_ty cửa_hàng sản_phẩm tác_phẩm máy_bay ô_tô"
).split()
_UNIT_ALTERNATION = "|".join(re.escape(u).replace("_", r"\s") for u in UNITS)
NOT_AMOUNT = rf"(?!\s(?:{_UNIT_ALTERNATION})\b|\s?%)"

_I = re.IGNORECASE
PATTERNS: list[tuple[str, re.Pattern, float]] = [
    # 3/5/2024, ngày 20-3-2022, 27-30/11/2023, 2.9.1945
    ("date-dmy", re.compile(rf"{START}{NGAY}{DAYS}{SEP}{M}{SEP}{Y}{END}", _I), 0.95),
    # 27/11, ngày 27-30/11, 27-30 / 11, 20 - 22/7 (slash only: unambiguous without a year)
    ("date-dm", re.compile(rf"{START}{NGAY}{DAYS}{SL}{M}{END}", _I), 0.85),
    # ngày 7-3, ngày 2.9 (a dash or a dot needs `ngày`)
    ("date-ngay-dm", re.compile(rf"{START}ngày\s{DAYS}(?:{DASH}|\.){M}{END}", _I), 0.9),
    # sáng 5 - 9, chiều 25.7: a time of day stands for `ngày`
    ("date-time-dm", re.compile(rf"{START}{TIME_OF_DAY}\s(?P<date>{DAYS}(?:{DASH}|\.){M}){END}", _I), 0.8),
    # ngày 3 tháng 11 năm 2021, tháng 11/2021, cuối tháng 11, tháng Giêng, tháng 10 âm lịch năm 1283
    (
        "date-month",
        re.compile(
            rf"{START}{MOD}?(?:(?:ngày\s)?(?:{D}|rằm|(?:mùng|mồng)\s{D})\s)?tháng\s(?:{M}\b|{MONTH_WORD}\b)"
            rf"(?:\sâm\slịch)?{YEAR_TAIL}?{END}",
            _I,
        ),
        0.9,
    ),
    # năm 1973, đầu năm 2024, năm 2021-2025, năm 1950-53, những năm 1980, năm học 2025-2026, năm 802 sau Công nguyên
    (
        "date-year",
        re.compile(rf"{START}{MOD}?(?:những\s)?năm\s(?:học\s)?{YEAR}{ERA}?(?:{DASH}(?:{YEAR}|\d\d))?{END}(?!\s?%)", _I),
        0.9,
    ),
    # năm Canh Tý, năm Quý Dậu 1814, Bính Thân 1836
    ("date-lunar", re.compile(rf"{START}(?:(?:{MOD}?năm\s)?{LUNAR}\s{YEAR}|{MOD}?năm\s{LUNAR}){END}", _I), 0.85),
    # năm Minh Mạng thứ 17, Gia Long năm thứ 10, (niên hiệu) Cảnh Hưng thứ 13: reign years
    (
        "date-reign",
        re.compile(
            rf"{START}(?:năm\s(?-i:[A-ZĐ]\w+\s[A-ZĐ]\w+)\sthứ|(?-i:[A-ZĐ]\w+\s[A-ZĐ]\w+)\snăm\sthứ"
            rf"|(?<=hiệu\s)(?-i:[A-ZĐ]\w+\s[A-ZĐ]\w+)\sthứ)\s(?:\d+|"
            rf"{'|'.join(NUMBER_WORDS[:11])})(?:\s(?:mốt|hai|ba|bốn|tư|năm|lăm|sáu|bảy|tám|chín))?{END}",
            _I,
        ),
        0.75,
    ),
    # quý I/2024, quý 3 năm 2023
    ("date-quarter", re.compile(rf"{START}{MOD}?quý\s(?-i:{ROMAN_Q}){YEAR_TAIL}?{END}", _I), 0.9),
    # ba tháng đầu năm 2022, 6 tháng cuối năm
    (
        "date-period",
        re.compile(
            rf"{START}{COUNT}\s(?:tháng|quý|tuần)\s(?:đầu|cuối)\s(?:năm|tháng)(?:\s{Y}|\s(?:nay|này|ngoái|tới|sau|trước))?{END}",
            _I,
        ),
        0.8,
    ),
    # hôm nay, hôm qua, ngày mai, hôm sau, ngày hôm đó, cùng ngày, cùng năm
    (
        "date-relative-day",
        re.compile(
            rf"{START}(?:(?:ngày\s)?hôm\s(?:nay|qua|kia|sau|đó|ấy)|ngày\s(?:mai|kia)|cùng\s(?:ngày|tháng|năm))\b", _I
        ),
        0.75,
    ),
    # APEC 2027, Expo 2025: a year right after an event's acronym
    ("date-event-year", re.compile(rf"(?<=[A-Z]{{2}}\s)(?:{Y}){END}"), 0.6),
    # tuần tới, tháng trước, năm ngoái, cuối năm nay, năm sau đó, đầu tháng này (not counted: see _counted)
    (
        "date-relative",
        re.compile(rf"{START}{MOD}?(?:tuần|tháng|năm|quý)\s(?:này|nay|tới|sau|trước|qua|ngoái)(?:\sđó)?\b", _I),
        0.7,
    ),
    # đầu năm, cuối tháng, giữa năm, đầu tuần: a part of the current period
    ("date-part", re.compile(rf"{START}(?:cuối|đầu|giữa)\s(?:năm|tháng|tuần)\b(?!\s(?:\d|học|tài))", _I), 0.6),
    # thập niên 1990, đầu thập niên 70 của thế kỷ XVIII
    (
        "date-decade",
        re.compile(
            rf"{START}{MOD}?(?:thập\s(?:niên|kỷ|kỉ))\s(?:{Y}|\d0)(?:s)?(?:\scủa\sthế\s(?:kỷ|kỉ)\s(?:{ROMAN}|\d{{1,2}}))?{END}",
            _I,
        ),
        0.7,
    ),
    # thế kỷ XIX, đầu thế kỷ 20, những năm đầu thế kỷ 20, giữa thế kỉ XVII
    ("date-century", re.compile(rf"{START}{MOD}?thế\s(?:kỷ|kỉ)\s(?:{ROMAN}|\d{{1,2}})(?:{ERA})?{END}", _I), 0.8),
    # 1937, (1923–1995), 1992–93, 2024/25: a bare year (not an amount: `2000 người`)
    (
        "date-bare-year",
        re.compile(rf"{START_YEAR}{BARE_YEAR}(?:{DASH}(?:{BARE_YEAR}|\d\d)|/\d\d)?{END}{NOT_AMOUNT}"),
        0.6,
    ),
]

# A pattern only runs on text holding one of its keywords (lower case; "0" = any digit): most sentences hold
# no calendar word at all, and the grammar stays fast.
NEEDS = {
    "date-dmy": ("0",),
    "date-dm": ("0",),
    "date-ngay-dm": ("0",),
    "date-time-dm": ("0",),
    "date-month": ("tháng",),
    "date-year": ("năm",),
    "date-lunar": ("năm", "0"),
    "date-reign": ("thứ",),
    "date-quarter": ("quý",),
    "date-period": ("tháng", "quý", "tuần"),
    "date-relative-day": ("hôm", "ngày", "cùng"),
    "date-event-year": ("0",),
    "date-relative": ("tuần", "tháng", "năm", "quý"),
    "date-part": ("năm", "tháng", "tuần"),
    "date-decade": ("thập",),
    "date-century": ("thế",),
    "date-bare-year": ("0",),
}
_DIGIT = re.compile(r"\d")

WEEKDAY = re.compile(
    rf"{START}(?:ngày\s)?(?:[Tt]hứ\s(?:Hai|Ba|Tư|Năm|Sáu|Bảy)|[Cc]hủ\s[Nn]hật|[Tt]hứ\s[2-7](?=,?\s(?:ngày\s)?\d))\b"
    r"(?:\s(?:tuần\s(?:này|tới|trước|sau|qua)|này|tới)\b)?"  # `thứ Sáu tuần trước`, `Chủ nhật tới`
)
_RANGE_DASH = re.compile(r"\s?[-–—]\s?")
_WEEKDAY_JOIN = re.compile(r"\s?,?\s?$")
_EVENT_BEFORE = re.compile(r"[Cc]ách\smạng\s$")  # `Cách mạng tháng Tám` is an event, not a date


_FRACTION_BEFORE = {"chiếm", "khoảng", "gần", "hơn", "trên", "dưới", "tới"}
_FRACTION_AFTER = re.compile(r"\s(?:số|tổng|diện|dân|lượng)\b", re.IGNORECASE)
_NUMBER_BEFORE = {"số", "mã", "hạng", "thứ", "phòng", "tuyến", "khoảng", "hơn", "gần", "trên", "dưới"}


def _word_before(text: str, start: int) -> str:
    """The word ending just before `start` (whitespace between allowed), "" if none. A walk back, not a regex
    search of the whole prefix: that made long sentences with many numbers quadratic."""
    j = start
    while j > 0 and text[j - 1].isspace():
        j -= 1
    i = j
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):  # what \w matches
        i -= 1
    return text[i:j]


def _fraction(text: str, start: int, end: int) -> bool:
    """`chiếm 2/3 số phiếu`: a bare d/m after a quantity word or before `số` is a fraction."""
    return _word_before(text, start).lower() in _FRACTION_BEFORE or bool(_FRACTION_AFTER.match(text, end))


def _counted(text: str, start: int) -> bool:
    """`hai năm trước`, `nhiều năm qua`, `lâu năm này`: a count before the unit makes it a duration."""
    word = _word_before(text, start).lower()
    return bool(word) and (word.isdigit() or word in NUMBER_WORDS or word in {"lâu", "bao"})


def _numbered(text: str, start: int) -> bool:
    """`số 1975`, `khoảng 2000`: a bare number after such a word is not a year."""
    return _word_before(text, start).lower() in _NUMBER_BEFORE


def find_dates(text: str) -> list[Span]:
    """Non-overlapping DATE spans in `text` (longest match wins)."""
    from . import resolve_overlaps

    candidates: list[Span] = []
    low = text.lower()
    present = {k for k in {k for keys in NEEDS.values() for k in keys} if k != "0" and k in low}
    if _DIGIT.search(text):
        present.add("0")
    for rule, pattern, score in PATTERNS:
        if not any(k in present for k in NEEDS[rule]):
            continue
        for m in pattern.finditer(text):
            start, end = m.span("date") if "date" in pattern.groupindex else m.span()
            if rule == "date-dm" and not m.group()[:1].isalpha() and _fraction(text, start, end):
                continue
            if (
                rule in ("date-relative", "date-part")
                and not m.group().lower().startswith(("cuối", "đầu", "giữa"))
                and _counted(text, start)
            ):
                continue
            before = _word_before(text, start) if rule == "date-relative" else ""
            if before.lower() == "trong" and m.group().lower().endswith(" qua"):
                continue  # `trong năm qua` is a duration (guidelines §11)
            if rule == "date-bare-year" and _numbered(text, start):
                continue
            if rule == "date-month" and _EVENT_BEFORE.search(text, max(0, start - 12), start):  # `Cách mạng `
                continue
            candidates.append(Span(start, end, "DATE", score, f"dates:{rule}"))
    spans = resolve_overlaps(candidates)
    # a range of two dates is one span: `1/7-3/7`, `9/5/1945 - 9/5/2024`, `3 tháng 1 năm 1766 – 1820`
    merged: list[Span] = []
    for sp in spans:
        if merged and _RANGE_DASH.fullmatch(text[merged[-1].end : sp.start]):
            prev = merged.pop()
            sp = Span(prev.start, sp.end, "DATE", min(prev.score, sp.score), "dates:range")
        merged.append(sp)
    spans = merged
    # weekdays: alone, or joined to the date right after them by a space or comma
    # (spans are sorted and never overlap: one bisect finds the date a weekday touches or precedes)
    out: list[Span] = []
    starts = [s.start for s in spans]
    joined: set[int] = set()
    for m in WEEKDAY.finditer(text) if ("thứ" in low or "chủ" in low) else ():
        k = bisect.bisect_left(starts, m.end())  # the first date starting at or after the weekday's end
        if k and spans[k - 1].end > m.start():
            continue  # the weekday lies inside a date
        nxt = spans[k] if k < len(spans) and k not in joined else None
        # the gap is at most `, ` (3 characters): test that before slicing the text between
        if nxt is not None and nxt.start - m.end() <= 3 and _WEEKDAY_JOIN.fullmatch(text[m.end() : nxt.start]):
            joined.add(k)
            out.append(Span(m.start(), nxt.end, "DATE", nxt.score, "dates:weekday+date"))
        else:
            out.append(Span(m.start(), m.end(), "DATE", 0.8, "dates:weekday"))
    return sorted([s for k, s in enumerate(spans) if k not in joined] + out)


class DateTagger:
    name = "dates"
    version = "1.1"

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        return [find_dates(s.text) for s in sentences]
