"""Rule-and-lexicon pre-annotator for PER, ORG and LOC.

It reads a sentence as syllable tokens grouped into the segmenter's words (`Hoàng_hậu_Masako` is one word
of three syllables), so a span can cut a word where a title and a name were joined (`Masako` alone).
Capitalisation drives the rules, as in Vietnamese orthography: every syllable of a person's name is
capitalised (`Võ Văn Thưởng`), an organisation or place name capitalises the first syllable of each of
its words (`Bộ Ngoại giao`, `Viện Hàn lâm Khoa học xã hội`).

Rules (the lexicons are in annotation/lexicons/, see SOURCES.md there):

  lexicon     exact match of a location/organisation name (`Nhật Bản`, `TP.HCM`, `TTXVN`, `Liên Hợp Quốc`)
  org-head    an organisation head word (`Bộ`, `Đại học`, `Đại sứ quán`, ...) plus its continuation:
              capitalised words, lexicon names, `và`/`-` between them, a few lowercase words that lead to a
              place name (`Viện Nghiên cứu kinh tế Nhật Bản`), `tại` + place for missions
              (`Đại sứ quán Việt Nam tại Nhật Bản`); lower-case `đại sứ quán` + country names one embassy too.
              A country inside is part of the ORG; a quantifier before makes it generic (`hai Bộ Ngoại giao`).
  loc-head    a place head word (`tỉnh`, `thủ đô`, `Quần đảo`, ...) plus capitalised continuation. As in
              annotation/guidelines.md §3, a lower-case category word stays outside (`tỉnh Fukuoka` ->
              `Fukuoka`) and a capitalised head is part of the name (`Quảng trường Đỏ`, `Quần đảo Marshall`),
              as are region and nature heads in any case (`châu Á`, `miền Tây`, `sông Hồng`: NAME_HEADS);
              places listed after it are LOC too (`các tỉnh Trat, Chanthaburi và Chonburi`).
  byline      a line of 2-4 capitalised syllables only (`MINH CHÂU`), or one glued after the paragraph's
              last full stop (`... tỷ USD.Ngọc Ánh`).
  title-name  a name after a title (`Thủ tướng`, `Bộ trưởng Ngoại giao Nhật Bản`, `Nhật hoàng`, `ông`, ...);
              the title, a portfolio and a country between them stay outside the PER span.
  surname     a Vietnamese surname + 1-3 capitalised syllables (2-4 syllables in all).
  initials    `N.T.H.N`-style initials.

Precedence inside the tagger: the longest candidate wins an overlap; equal lengths go to the more specific
rule (lexicon > org-head > loc-head > title-name > surname > initials), then the higher score. Titles are
never inside an entity proposed by a rule (only a lexicon name may contain one: `Văn phòng Chủ tịch nước`).
All-caps headlines are matched against upper-cased lexicons only (every word is capitalised there, so the
capitalisation rules would tag everything); a surname + exactly two syllables is still proposed, unsure.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import VnerError
from ..spans import Span
from ..text import Sentence
from .gazetteer import PhraseTable, read_entries
from .gazetteer import tokens as text_tokens

PRIORITY = {"lexicon": 0, "org-head": 1, "loc-head": 2, "title-name": 3, "surname": 4, "byline": 5, "initials": 6}

# Kinship words and plain honorifics: a title when lowercase, or capitalised at the start of a sentence
# (mid-sentence `Anh` is England).
KINSHIP = {"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "em", "cháu", "bé", "ngài", "thầy", "sếp"}
# Lowercase words that may sit inside an organisation name between capitalised words and a place name.
BRIDGE_BLOCKERS = set(
    """cho của tại ở với là đã sẽ đang được bị có không này đó kia khi về từ trong ngoài theo để cùng các những
    một người ông bà anh chị biết nói gặp thăm tổ chức và hay hoặc nhưng mà thì nên vì do bởi nếu đến đi lên
    xuống ra vào sang qua trên dưới sau trước giữa rằng như cũng còn vẫn đều chỉ rất nhiều ít hơn nhất""".split()
)
MISSION_HEADS = {("Đại", "sứ", "quán"), ("Tổng", "lãnh", "sự", "quán"), ("Tổng", "Lãnh", "sự", "quán"), ("Lãnh", "sự", "quán"),
                 ("đại", "sứ", "quán"), ("tổng", "lãnh", "sự", "quán"), ("lãnh", "sự", "quán")}
ORG_CONNECTORS = {"và", "&", "-"}
# Head words that belong to the place's name even in lower case (as `châu` in `châu Á`).
NAME_HEADS = {"châu", "miền", "sông", "núi", "biển", "vịnh", "đèo", "hồ", "bán đảo", "quần đảo", "cao nguyên", "eo biển"}
ADMIN_HEADS = {"tỉnh", "thành phố", "thủ đô", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "bang", "tiểu bang"}
# Quantifiers before a head make it generic (`hai Bộ Ngoại giao`, `các đại học Nhật Bản`): no ORG.
QUANTIFIERS = {"hai", "ba", "bốn", "năm", "các", "những", "nhiều", "mỗi", "mọi", "vài"}
LOWERCASE_MISSION_HEADS = {("đại", "sứ", "quán"), ("tổng", "lãnh", "sự", "quán"), ("lãnh", "sự", "quán")}
# One-syllable country forms that are places only when paired with another place (`Việt - Nhật`, `Trung-Mỹ`).
SHORT_COUNTRY = {"Việt", "Trung", "Hàn", "Triều", "Nhật", "Mỹ", "Nga", "Lào", "Pháp", "Đức", "Anh", "Ấn", "Úc", "Thái"}
LOC_CONNECTORS = {"-"}


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def _is_word(tok: str) -> bool:
    return tok[:1].isalnum()


def _is_initials(tok: str) -> bool:
    parts = tok.split(".")
    return len(parts) >= 2 and all(len(p) == 1 and p.isupper() for p in parts if p) and sum(1 for p in parts if p) >= 2


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


@lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    names, names_upper = PhraseTable(), PhraseTable()
    for filename in ("locations.tsv", "organizations.tsv"):
        path = resources.files("annotation").joinpath("lexicons").joinpath(filename)
        with resources.as_file(path) as p:
            for label, name in read_entries(p):
                for v in _variants(name):
                    names.add(v, label)
                names_upper.add(name.upper(), label)
    titles, titles_upper = PhraseTable(), PhraseTable()
    for title, _ in _read_list("titles.txt"):
        for v in _variants(title) | {title[:1].lower() + title[1:]}:
            titles.add(v, True)
        titles_upper.add(title.upper(), True)
    org_heads, loc_heads = PhraseTable(), PhraseTable()
    for head, flag in _read_list("org_heads.txt"):
        org_heads.add(head, flag or "head")
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
        names, names_upper, titles, titles_upper, org_heads, loc_heads, surnames, frozenset(s.upper() for s in surnames), portfolios
    )


@dataclass(frozen=True)
class Tok:
    start: int
    end: int
    text: str
    word: int  # index of the segmenter's word this syllable belongs to


def sentence_tokens(sentence: Sentence) -> list[Tok]:
    """Syllable/punctuation tokens of the sentence, each tagged with its word."""
    out: list[Tok] = []
    words = sentence.word_spans or tuple((s, e) for s, e, _ in text_tokens(sentence.text))
    for w, (ws, we) in enumerate(words):
        for s, e, t in text_tokens(sentence.text[ws:we]):
            out.append(Tok(ws + s, ws + e, t, w))
    return out


def is_headline(text: str) -> bool:
    """All-caps text of four words or more (shorter all-caps lines are bylines: `Ảnh: XUÂN KHU`)."""
    letters = [c for c in text if c.isalpha()]
    return len(text.split()) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


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
        self.toks = sentence_tokens(sentence)
        self.words = [t.text for t in self.toks]
        self.headline = is_headline(sentence.text)
        names = lex.names_upper if self.headline else lex.names
        key_words = [w.upper() for w in self.words] if self.headline else self.words
        n = len(self.toks)
        # longest lexicon name / title / head starting at each token
        self.name_at = [names.longest(key_words, i) for i in range(n)]
        self.title_at = [self._title(i, key_words) for i in range(n)]
        self.org_head_at = [None if self.headline else lex.org_heads.longest(self.words, i) for i in range(n)]
        self.loc_head_at = [None if self.headline else lex.loc_heads.longest(self.words, i) for i in range(n)]

    # ----------------------------------------------------------------------------------- token helpers

    def same_word_next(self, j: int) -> bool:
        """Does token j continue the word of token j-1?"""
        return 0 < j < len(self.toks) and self.toks[j].word == self.toks[j - 1].word

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

    def name_run(self, i: int, max_len: int = 4) -> int:
        """Length of a run of capitalised syllables at i that can be a person's name (0 if none)."""
        j = i
        while j < len(self.toks) and j - i < max_len:
            w = self.words[j]
            if j > i and w in {"-", "‑"} and self._attached_part(j):
                j += 2  # `Won-sik`, `Jean-Pierre`
                continue
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
            if j - i >= 2:
                break  # `Nguyễn_Minh_Vũ_bày_tỏ`: the segmenter glued the name to the next word
            j -= 1  # do not keep half of a word whose rest is lowercase
        return j - i

    def _paired_with_place(self, i: int) -> bool:
        """Is token i one side of `X - Y` (or `X-Y`) whose other side is a place name?"""
        w = self.words
        after = i + 2 < len(w) and w[i + 1] in {"-", "–"} and (
            w[i + 2] in SHORT_COUNTRY or (self.name_at[i + 2] is not None and self.name_at[i + 2][1] == "LOC")
        )
        before = i >= 2 and w[i - 1] in {"-", "–"} and (w[i - 2] in SHORT_COUNTRY or any(
            self.name_at[k] is not None and self.name_at[k][1] == "LOC" and k + self.name_at[k][0] == i - 1 for k in range(max(0, i - 5), i - 1)
        ))
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

    def surname_name(self, i: int) -> int:
        """Length of `surname + 1-3 capitalised syllables` at i (0 if none)."""
        w = self.words[i]
        if self.headline:  # every word is capitalised: only the commonest shape, surname + 2 syllables
            if w not in self.lex.surnames_upper:
                return 0
            return 3 if self.name_run(i, 3) == 3 else 0
        if w not in self.lex.surnames or (self.name_at[i] is not None and self.name_at[i][0] >= 2):
            return 0  # `Hàn Quốc`, `Hà Nội` are places
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
        for i in range(n):
            hit = self.name_at[i]
            if hit is not None and not (self.same_word_next(i + hit[0]) and self.words[i + hit[0]].isalpha()):
                # a name the segmenter kept inside a longer word is part of another name (`Mỹ_Đình`)
                k, label = hit
                lone_kinship = k == 1 and self.words[i].lower() in KINSHIP and self.sentence_start(i)
                if not lone_kinship:
                    out.append(Candidate(i, i + k, str(label), 0.9 if k > 1 or len(self.words[i]) > 3 else 0.8, "lexicon"))
            k = 0 if self.headline else self.surname_name(i)
            if k:
                score = 0.5 if self.headline else (0.85 if k >= 3 else 0.7)
                out.append(Candidate(i, i + k, "PER", score, "surname"))
            if self.words[i] in SHORT_COUNTRY and (self._paired_with_place(i) or (i and self.words[i - 1] == "người")):
                out.append(Candidate(i, i + 1, "LOC", 0.7, "lexicon"))  # `quan hệ Việt - Nhật`
            if not self.headline and _is_initials(self.words[i]):
                out.append(Candidate(i, i + 1, "PER", 0.6, "initials"))
            if self.org_head_at[i] is not None and (_is_cap(self.words[i]) or self._lowercase_mission(i)):
                c = self.org_head(i)
                if c is not None:
                    out.append(c)
            if self.loc_head_at[i] is not None and not (self.loc_head_at[i][0] == 1 and self.words[i] in self.lex.surnames):
                c = self.loc_head(i)
                if c is not None:
                    out.append(c)
                    out.extend(self.enumeration(c.j))
        for ti, tj in titles:
            c = self.title_name(tj)
            if c is not None:
                out.append(c)
        out.extend(self.bylines())
        # a quantifier makes an organisation mention generic: `hai Bộ Ngoại giao`, `các đại học Nhật Bản`
        out = [c for c in out if not (c.label == "ORG" and c.i and self.words[c.i - 1].lower() in QUANTIFIERS)]
        return out, titles

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

    def continuation(self, j: int, connectors: set[str], bridge: bool) -> tuple[int, float]:
        """End of the capitalised/lexicon continuation starting at token j, and how sure it is."""
        n = len(self.toks)
        start = j
        score = 0.85
        while j < n:
            hit = self.name_at[j]
            if self.title_at[j]:
                break
            if self.surname_name(j) >= 3:
                break  # `Đại học X Nguyễn Văn A`, `Chủ tịch Quốc hội Trần Thanh Mẫn`: the person starts here
            if hit is not None and self.ends_cleanly(j + hit[0]):
                j += hit[0]
                if hit[1] == "LOC" and j < n and self.words[j] not in connectors:
                    break  # a country or province ends the name: `Bộ Ngoại giao Nhật Bản | Shimada Tomoaki`
                continue
            w = self.words[j]
            if _is_word(w) and _is_cap(w):
                j = self.word_end(j)
                continue
            if (
                j > start
                and w in connectors
                and j + 1 < n
                and (_is_cap(self.words[j + 1]) or self.name_at[j + 1])
                and not self.org_head_at[j + 1]  # `Viện X và Đại học Y` are two organisations
            ):
                j += 1
                continue
            if self.loc_head_at[j] is not None and connectors is ORG_CONNECTORS:
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
        j, score = self.continuation(i + k, ORG_CONNECTORS, bridge=True)
        if tuple(self.words[i : i + k]) in MISSION_HEADS and j < len(self.toks) - 1 and self.words[j] in {"tại", "ở"}:
            hit = self.name_at[j + 1]
            if hit is not None and hit[1] == "LOC":
                j = j + 1 + hit[0]
        if j == i + k:
            return Candidate(i, j, "ORG", 0.75, "org-head") if flag == "standalone" else None
        return Candidate(i, j, "ORG", score if _is_cap(self.words[i]) else 0.6, "org-head")

    def loc_head(self, i: int) -> Candidate | None:
        k, _ = self.loc_head_at[i]
        if not self.ends_cleanly(i + k):
            return None
        j = i + k
        if j < len(self.toks) and self.words[j].isdigit() and self.words[i].lower() in {"quận", "phường"}:
            return Candidate(i, j + 1, "LOC", 0.8, "loc-head")  # `quận 1`: the number alone names nothing
        j, score = self.continuation(j, LOC_CONNECTORS, bridge=False)
        if j == i + k:
            return None
        # a lower-case category word stays outside (`tỉnh Fukuoka` -> `Fukuoka`); a capitalised head belongs to
        # the name (`Quảng trường Đỏ`, `Quần đảo Marshall`), except an administrative word opening a sentence
        head = " ".join(self.words[i : i + k])
        if head.lower() in NAME_HEADS:
            outside = False  # `châu Á`, `miền Tây`, `sông Hồng`: the head word is part of the name
        else:
            outside = not _is_cap(head) or (self.sentence_start(i) and head.lower() in ADMIN_HEADS)
        return Candidate(i + k if outside else i, j, "LOC", min(score, 0.8), "loc-head")

    def enumeration(self, j: int) -> list[Candidate]:
        """Places listed after a place head: `các tỉnh Trat, Chanthaburi và Chonburi` -> two more LOC."""
        out = []
        n = len(self.toks)
        while j + 1 < n and self.words[j] in {",", "và"} and _is_cap(self.words[j + 1]) and self.words[j + 1].isalpha():
            if self.name_at[j + 1] is not None or self.title_at[j + 1] or self.org_head_at[j + 1] or self.surname_name(j + 1):
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
            if _is_cap(w) and end - j > 1 and not _is_cap(self.words[j + 1]):
                j = end
                skipped += 1
                continue
            break
        if j >= n:
            return None
        if _is_initials(self.words[j]):
            return Candidate(j, j + 1, "PER", 0.7, "title-name")
        k = self.surname_name(j) or (0 if self.headline else self.name_run(j, 4))
        if not k:
            return None
        return Candidate(j, j + k, "PER", 0.85 if not self.headline else 0.6, "title-name")


def tag_sentence(sentence: Sentence, lex: Lexicons | None = None) -> list[Span]:
    from . import resolve_overlaps

    tagger = _SentenceTagger(lex or load_lexicons(), sentence)
    cands, titles = tagger.candidates()
    toks = tagger.toks
    kept = []
    for c in cands:
        # titles stay outside every entity a rule builds; a lexicon name may contain one
        clash = any(c.i < tj and ti < c.j and not (c.rule == "lexicon" and c.i <= ti and tj <= c.j) for ti, tj in titles)
        if not clash:
            kept.append(c)
    spans = [Span(toks[c.i].start, toks[c.j - 1].end, c.label, c.score, f"rules:{c.rule}") for c in kept]
    return resolve_overlaps(spans, tiebreak=lambda s: PRIORITY[s.source.split(":", 1)[1]])


class RuleTagger:
    name = "rules"
    version = "1.0"

    def __init__(self) -> None:
        self.lex = load_lexicons()

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        return [tag_sentence(s, self.lex) for s in sentences]
