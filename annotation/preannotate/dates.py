"""DATE pre-annotator: a grammar of Vietnamese calendar expressions over the display text.

Span conventions (annotation/guidelines.md has the final word; this module follows it):

* The calendar noun that names the date is inside: `ngày 27/11`, `ngày 27-30/11`, `tháng 11/2021`,
  `năm 1973`, `quý I/2024`, `thứ Hai`. So are position words that pick part of a period: `cuối tháng 11`,
  `đầu năm 2024`, `giữa tháng 3`, and a counted period anchored to the calendar: `ba tháng đầu năm 2022`,
  `6 tháng cuối năm` (it names a stretch of the calendar, not an amount of time).
* Times of day stay outside (`sáng 27/11` -> `27/11`, `sáng ngày 27/11` -> `ngày 27/11`), and so does
  `hôm` in `hôm 27/11` (it works like a preposition there).
* Relative references are dates: `hôm nay`, `ngày hôm nay`, `hôm qua`, `ngày mai`, `cùng ngày`, `tuần tới`,
  `tháng trước`, `năm ngoái`, `năm nay`, `cùng kỳ năm 2021`; not when counted (`hai năm trước`,
  `nhiều năm qua`: durations).
* A range written as one expression is one span: `ngày 27-30/11`, `Ngày 1/7-3/7`, `9/5/1945 - 9/5/2024`.
* A year right after an event's acronym is a date: `APEC 2027` -> `2027`.
* A weekday joined to a date by a space or comma is one span (`thứ Hai, ngày 27/11`); in parentheses it is
  two (`thứ Hai (27/11)`). Weekday names must be capitalised (`thứ ba từ trái qua` is "third").
* Durations and ages are not dates: `50 năm`, `gần 50 năm`, `3 tháng`, `trong 2 năm`, `20 tuổi`.
* Bare numbers are dates only when they are unambiguous: `27/11`, `3/5/2024`, `20-3-2022` (day-month with
  a dash needs `ngày` or a year: `7-3` alone is as likely a score).

Pre-segmented text is displayed with spaces around `/` (`27-30 / 11`); the grammar allows one space on each
side of a separator. Spans always start and end on non-space characters.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..spans import Span
from ..text import Sentence

D = r"(?:3[01]|[12]\d|0?[1-9])"
M = r"(?:1[0-2]|0?[1-9])"
Y = r"(?:1[5-9]\d\d|20\d\d)"
SL = r"\s?/\s?"
DASH = r"\s?[-–]\s?"
SEP = r"\s?[/\-.]\s?"
START = r"(?<![\w/.,])"  # not inside a number or word
END = r"(?![\w/]|[.,]\d)"
NGAY = r"(?:ngày\s)?"
DAYS = rf"{D}(?:{DASH}{D})?"
YEAR_TAIL = rf"(?:{SL}{Y}|{DASH}{Y}|\snăm\s{Y})"
MOD = r"(?:(?:cuối|đầu|giữa|cùng\skỳ|trung\stuần|thượng\stuần|hạ\stuần)\s)"
ROMAN_Q = r"(?:IV|I{1,3}|[1-4])"
NUMBER_WORDS = (
    "một hai ba bốn năm sáu bảy tám chín mười mươi trăm nghìn ngàn vài mấy nhiều những các mỗi hơn gần khoảng"
).split()
COUNT = rf"(?:\d+|{'|'.join(NUMBER_WORDS[:11])})"

_I = re.IGNORECASE
PATTERNS: list[tuple[str, re.Pattern, float]] = [
    # 3/5/2024, ngày 20-3-2022, 27-30/11/2023
    ("date-dmy", re.compile(rf"{START}{NGAY}{DAYS}{SEP}{M}{SEP}{Y}{END}", _I), 0.95),
    # 27/11, ngày 27-30/11, 27-30 / 11 (slash only: unambiguous without a year)
    ("date-dm", re.compile(rf"{START}{NGAY}{DAYS}{SL}{M}{END}", _I), 0.85),
    # ngày 7-3 (a dash needs `ngày`)
    ("date-ngay-dm", re.compile(rf"{START}ngày\s{DAYS}{DASH}{M}{END}", _I), 0.9),
    # ngày 3 tháng 11 năm 2021, tháng 11/2021, cuối tháng 11, tháng Giêng
    (
        "date-month",
        re.compile(
            rf"{START}{MOD}?(?:(?:ngày\s)?{D}\s)?tháng\s(?:{M}|(?-i:Giêng|Chạp)){YEAR_TAIL}?{END}",
            _I,
        ),
        0.9,
    ),
    # năm 1973, đầu năm 2024, năm 2021-2025
    ("date-year", re.compile(rf"{START}{MOD}?năm\s{Y}(?:{DASH}{Y})?{END}", _I), 0.9),
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
    # hôm nay, hôm qua, ngày mai
    ("date-relative-day", re.compile(rf"{START}(?:(?:ngày\s)?hôm\s(?:nay|qua|kia)|ngày\s(?:mai|kia)|cùng\sngày)\b", _I), 0.75),
    # APEC 2027, Expo 2025: a year right after an event's acronym
    ("date-event-year", re.compile(rf"(?<=[A-Z]{{2}}\s)(?:{Y}){END}"), 0.6),
    # tuần tới, tháng trước, năm ngoái, cuối năm nay (not counted: see _counted)
    (
        "date-relative",
        re.compile(rf"{START}{MOD}?(?:tuần|tháng|năm|quý)\s(?:này|nay|tới|sau|trước|qua|ngoái)\b", _I),
        0.7,
    ),
    # thập niên 1990, những năm 1990 are periods of the calendar too
    ("date-decade", re.compile(rf"{START}(?:thập\s(?:niên|kỷ))\s(?:{Y}|\d0)(?:s)?{END}", _I), 0.7),
]

WEEKDAY = re.compile(
    rf"{START}(?:[Tt]hứ\s(?:Hai|Ba|Tư|Năm|Sáu|Bảy)|[Cc]hủ\s[Nn]hật|[Tt]hứ\s[2-7](?=,?\s(?:ngày\s)?\d))\b"
)
_RANGE_DASH = re.compile(r"\s?[-–]\s?")
_WEEKDAY_JOIN = re.compile(r"\s?,?\s?$")
_PRECEDING_WORD = re.compile(r"(\w+)\s*$")


_FRACTION_BEFORE = {"chiếm", "khoảng", "gần", "hơn", "trên", "dưới", "tới"}
_FRACTION_AFTER = re.compile(r"\s(?:số|tổng|diện|dân|lượng)\b", re.IGNORECASE)


def _fraction(text: str, start: int, end: int) -> bool:
    """`chiếm 2/3 số phiếu`: a bare d/m after a quantity word or before `số` is a fraction."""
    m = _PRECEDING_WORD.search(text, 0, start)
    return bool(m and m.group(1).lower() in _FRACTION_BEFORE) or bool(_FRACTION_AFTER.match(text, end))


def _counted(text: str, start: int) -> bool:
    """`hai năm trước`, `nhiều năm qua`: a count before the unit makes it a duration."""
    m = _PRECEDING_WORD.search(text, 0, start)
    return bool(m) and (m.group(1).isdigit() or m.group(1).lower() in NUMBER_WORDS)


def find_dates(text: str) -> list[Span]:
    """Non-overlapping DATE spans in `text` (longest match wins)."""
    from . import resolve_overlaps

    candidates: list[Span] = []
    for rule, pattern, score in PATTERNS:
        for m in pattern.finditer(text):
            if rule == "date-dm" and not m.group()[:1].isalpha() and _fraction(text, m.start(), m.end()):
                continue
            if rule == "date-relative" and not m.group().lower().startswith(("cuối", "đầu", "giữa")) and _counted(text, m.start()):
                continue
            candidates.append(Span(m.start(), m.end(), "DATE", score, f"dates:{rule}"))
    spans = resolve_overlaps(candidates)
    # a range of two dates is one span: `1/7-3/7`, `9/5/1945 - 9/5/2024`
    merged: list[Span] = []
    for sp in spans:
        if merged and _RANGE_DASH.fullmatch(text[merged[-1].end : sp.start]):
            prev = merged.pop()
            sp = Span(prev.start, sp.end, "DATE", min(prev.score, sp.score), "dates:range")
        merged.append(sp)
    spans = merged
    # weekdays: alone, or joined to the date right after them by a space or comma
    out: list[Span] = []
    for m in WEEKDAY.finditer(text):
        if any(not (m.end() <= s.start or m.start() >= s.end) for s in spans):
            continue
        joined = next((s for s in spans if s.start >= m.end() and _WEEKDAY_JOIN.fullmatch(text[m.end() : s.start])), None)
        if joined is not None:
            spans.remove(joined)
            out.append(Span(m.start(), joined.end, "DATE", joined.score, "dates:weekday+date"))
        else:
            out.append(Span(m.start(), m.end(), "DATE", 0.8, "dates:weekday"))
    return sorted(spans + out)


class DateTagger:
    name = "dates"
    version = "1.0"

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        return [find_dates(s.text) for s in sentences]
