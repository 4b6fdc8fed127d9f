"""The one unit of text: display text + sentence spans + word spans, and its codec to and from task data.

A `Unit` is what annotators see in one Label Studio task (a paragraph by default; a sentence or a whole
document on request) and what every reader gets back from a task: the display text (natural Vietnamese, NFC,
no segmentation underscores) with the character span of every sentence and every word in it. It is also how a
document holds its paragraphs. Every cut into sentences (`sentences`, `sentence_units`, `slice_words`) and
every join (`join`) goes through the methods here, so offsets are shifted in one place only.

Task data (what `vner preannotate` writes and `vner dataset` reads back) is the unit's codec:

    {"text": "...", "doc_id": "003_cf18...", "unit": 4, "task_key": "003_cf18...:4:1a2b3c4d5e",
     "vner": {"version": 1, "segmenter": "underthesea-9.5.0", "first_sentence": 12,
              "sentences": [[0, 118], [119, 230]], "words": [[0, 2], [3, 9], ...]}}

`unit` is the unit's index in its document (paragraph index at paragraph granularity, document-level sentence
index at sentence granularity, 0 for a whole document). A unit longer than a limit is cut between sentences
into pieces (`Unit.cut`): each piece keeps its unit's index and adds `"part": 0, 1, ...` (top-level, next to
`unit`), so (doc_id, unit, part) names a task uniquely in its document. `task_key` is stable for the same text
(and part), so pushing the same tasks twice does not duplicate them. `source_offset` is where the text starts in
the normalised document text (`annotation.text.normalise_text`) when the text is a verbatim slice of it: a raw
paragraph of one line. It is None when the display text was rebuilt: pre-segmented words re-spaced
(`display_from_words`), or hard-wrapped lines joined with one space (`annotation.text.paragraph_texts`); the text
is then the document's words, not its characters.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # spans.py imports this module
    from .spans import Span

Offsets = tuple[int, int]
Granularity = Literal["paragraph", "sentence", "document"]
TASK_FORMAT_VERSION = 1


PRESEGMENTED = "pre-segmented"  # the `segmenter` of units whose words came with the file (`_`-joined)


def word_form(text: str, start: int, end: int) -> str:
    """The word PhoBERT reads for display characters text[start:end]: syllables joined by `_`."""
    return "_".join(text[start:end].split())


@dataclass(frozen=True)
class Sentence:
    """One sentence as pre-annotators and models read it: display text and word spans into it."""

    doc_id: str
    index: int  # sentence index within the document
    text: str
    word_spans: tuple[Offsets, ...]

    @property
    def words(self) -> list[str]:
        return [word_form(self.text, s, e) for s, e in self.word_spans]


MAX_TASK_CHARS = 1000  # default task size limit: about ten lines of the editor, a region list without scrolling


def task_key(doc_id: str, index: int, text: str, part: int | None = None) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}:{index}:{digest}" if part is None else f"{doc_id}:{index}.{part}:{digest}"


def _checked_spans(pairs, length: int, what: str) -> tuple[Offsets, ...]:
    """[[s, e], ...] as tuples, checked: integers, in order, not overlapping, inside the text."""
    out = tuple((s, e) for s, e in pairs)
    prev = 0
    for s, e in out:
        if not (type(s) is int and type(e) is int and prev <= s < e <= length):
            raise ValueError(f"{what} span {s}-{e} is out of order or outside the text")
        prev = e
    return out


def _words_outside(word_spans: Sequence[Offsets], sentence_spans: Sequence[Offsets]) -> int:
    """How many words no sentence holds whole (both lists sorted and non-overlapping: one linear walk)."""
    outside, k = 0, 0
    for s, e in word_spans:
        while k < len(sentence_spans) and sentence_spans[k][1] <= s:
            k += 1
        if k == len(sentence_spans) or not (sentence_spans[k][0] <= s and e <= sentence_spans[k][1]):
            outside += 1
    return outside


@dataclass(frozen=True)
class Unit:
    doc_id: str
    index: int  # see the module docstring
    first_sentence: int  # document-level index of the unit's first sentence
    text: str
    sentence_spans: tuple[Offsets, ...]
    word_spans: tuple[Offsets, ...]
    segmenter: str = ""
    source_offset: int | None = None  # offset of `text` in the normalised document text, when a verbatim slice
    part: int | None = None  # which piece of unit `index` (Unit.cut); None: the unit is whole

    # -- cutting

    def slice_words(self, start: int, end: int) -> tuple[Offsets, ...]:
        """The words inside text[start:end], with offsets relative to `start`."""
        starts = [s for s, _ in self.word_spans]
        i = bisect.bisect_left(starts, start)
        out = []
        for s, e in self.word_spans[i:]:
            if e > end:
                break
            out.append((s - start, e - start))
        return tuple(out)

    def sentence(self, k: int) -> Sentence:
        s, e = self.sentence_spans[k]
        return Sentence(self.doc_id, self.first_sentence + k, self.text[s:e], self.slice_words(s, e))

    def sentences(self) -> list[Sentence]:
        return [self.sentence(k) for k in range(len(self.sentence_spans))]

    def sentence_units(self) -> list[Unit]:
        """One unit per sentence (sentence granularity): indexed by their document-level sentence index."""
        out = []
        for k, (s, e) in enumerate(self.sentence_spans):
            sent = self.sentence(k)
            offset = None if self.source_offset is None else self.source_offset + s
            out.append(
                Unit(
                    self.doc_id,
                    sent.index,
                    sent.index,
                    sent.text,
                    ((0, e - s),),
                    sent.word_spans,
                    self.segmenter,
                    offset,
                )
            )
        return out

    def cut(self, max_chars: int | None, keep_together: Iterable[Offsets | Span] = ()) -> list[Unit]:
        """This unit as consecutive pieces of at most `max_chars` characters, cut only between sentences and
        never inside a range of `keep_together` (spans, or (start, end) pairs in this unit's text: an entity
        never crosses a task boundary). The fewest pieces, then the most even lengths. A sentence (or a group
        held together) longer than `max_chars` becomes a piece of its own, longer than the limit. A unit that
        fits, or `max_chars` None or 0, comes back whole: `[self]`.

        Pieces keep the unit's `doc_id`, `index` and `segmenter` and are numbered by `part` (0, 1, ...); each
        carries its own sentences and words (offsets shifted once, here), its document-level `first_sentence`
        and, for verbatim text, its `source_offset`. Only the whitespace between two pieces is not in any piece:
        every sentence, word and character of text is in exactly one."""
        n = len(self.sentence_spans)
        if not max_chars or len(self.text) <= max_chars or n < 2:
            return [self]
        # Piece k may start at sentence i only when no range to keep together crosses that boundary.
        starts = [s for s, _ in self.sentence_spans]
        blocked = set()
        for item in keep_together:
            a, b = (item.start, item.end) if hasattr(item, "start") else item
            i = bisect.bisect_right(starts, a)  # first sentence starting after `a`
            while i < n and starts[i] < b:
                blocked.add(i)
                i += 1
        cuts = [i for i in range(1, n) if i not in blocked]
        bounds = [0] + cuts + [n]  # candidate piece boundaries, in sentence indices
        # Piece text of sentences [i, j): from sentence i's start to the end of the last non-space character
        # before sentence j (punctuation the sentence splitter left between sentences stays in its piece).
        begins = {i: 0 if i == 0 else starts[i] for i in bounds[:-1]}
        ends = {j: len(self.text[: starts[j]].rstrip()) if j < n else len(self.text.rstrip()) for j in bounds}

        def length(i: int, j: int) -> int:
            return ends[j] - begins[i]

        # Shortest path over the boundaries: fewest pieces, then the smallest sum of squared lengths.
        best: dict[int, tuple[int, int, int]] = {0: (0, 0, -1)}  # boundary -> (pieces, cost, previous boundary)
        for bj, j in enumerate(bounds[1:], 1):
            options = []
            for i in reversed(bounds[:bj]):
                size = length(i, j)
                if size > max_chars and i != bounds[bj - 1]:
                    break  # longer and longer going left; only the single step may exceed the limit
                pieces, cost, _ = best[i]
                options.append((pieces + 1, cost + size * size, i))
            best[j] = min(options)
        path, j = [], n
        while j > 0:
            path.append(j)
            j = best[j][2]
        path = [0] + path[::-1]
        if len(path) == 2:
            return [self]
        out = []
        for part, (i, j) in enumerate(zip(path, path[1:])):
            a, b = begins[i], ends[j]
            offset = None if self.source_offset is None else self.source_offset + a
            out.append(
                Unit(
                    self.doc_id,
                    self.index,
                    self.first_sentence + i,
                    self.text[a:b],
                    tuple((s - a, e - a) for s, e in self.sentence_spans[i:j]),
                    self.slice_words(a, b),
                    self.segmenter,
                    offset,
                    part,
                )
            )
        return out

    @staticmethod
    def join(units: Sequence[Unit], *, index: int = 0, sep: str = "\n", text: str | None = None) -> Unit:
        """Units of one document as one unit: concatenated with `sep` (document granularity), or, given the
        `text` they were cut from, each at its `source_offset` in it (a task text read back paragraph by
        paragraph)."""
        if not units:
            raise ValueError("nothing to join")
        sents: list[Offsets] = []
        words: list[Offsets] = []
        parts, pos = [], 0
        for u in units:
            if text is not None:
                pos = u.source_offset
                if pos is None or text[pos : pos + len(u.text)] != u.text:
                    raise ValueError(f"unit {u.index} of {u.doc_id} is not a verbatim slice of the text")
            sents += [(s + pos, e + pos) for s, e in u.sentence_spans]
            words += [(s + pos, e + pos) for s, e in u.word_spans]
            parts.append(u.text)
            pos += len(u.text) + len(sep)
        first = units[0]
        if text is None:
            text = sep.join(parts)
            offset = first.source_offset if len(units) == 1 else None
        else:
            offset = None
        return Unit(
            first.doc_id, index, first.first_sentence, text, tuple(sents), tuple(words), first.segmenter, offset
        )

    def with_segmenter(self, segmenter: str) -> Unit:
        return replace(self, segmenter=segmenter)

    # -- codec

    @property
    def task_key(self) -> str:
        return task_key(self.doc_id, self.index, self.text, self.part)

    def to_task_data(self) -> dict:
        vner = {
            "version": TASK_FORMAT_VERSION,
            "segmenter": self.segmenter,
            "first_sentence": self.first_sentence,
            "sentences": [list(s) for s in self.sentence_spans],
            "words": [list(w) for w in self.word_spans],
        }
        if self.source_offset is not None:
            vner["source_offset"] = self.source_offset
        data = {"text": self.text, "doc_id": self.doc_id, "unit": self.index}
        if self.part is not None:
            data["part"] = self.part
        return {**data, "task_key": self.task_key, "vner": vner}

    @classmethod
    def from_task_data(cls, data: dict) -> Unit:
        """The unit a vner task carries; ValueError (with the reason) when the data no longer matches its text."""
        try:
            meta, text = data["vner"], data["text"]
            if meta.get("version") != TASK_FORMAT_VERSION:
                raise ValueError(f"task format version {meta.get('version')!r}, this vner reads {TASK_FORMAT_VERSION}")
            part = data.get("part")
            if data.get("task_key") != task_key(data["doc_id"], data["unit"], text, part):
                raise ValueError("the text differs from the text vner wrote (task_key hash)")
            offset = meta.get("source_offset")
            unit = cls(
                str(data["doc_id"]),
                int(data["unit"]),
                int(meta["first_sentence"]),
                text,
                _checked_spans(meta["sentences"], len(text), "sentence"),
                _checked_spans(meta["words"], len(text), "word"),
                str(meta.get("segmenter") or ""),
                None if offset is None else int(offset),
                None if part is None else int(part),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"missing or malformed {exc}") from None
        outside = _words_outside(unit.word_spans, unit.sentence_spans)
        if outside:
            raise ValueError(f"{outside} word(s) lie outside the task's sentences")
        return unit


def repeated(paragraphs: Sequence[Unit], seen: dict[str, int] | None = None) -> dict[int, int]:
    """Paragraphs whose text repeats an earlier paragraph of the same document (captions and headlines a web
    page shows twice): {index of the repeat: index of its first occurrence}. `seen` (text -> first index) carries
    the earlier paragraphs of a document read in parts, and is updated."""
    first: dict[str, int] = {} if seen is None else seen
    out = {}
    for p in paragraphs:
        if p.text in first:
            out[p.index] = first[p.text]
        else:
            first[p.text] = p.index
    return out


def units_at(
    paragraphs: Sequence[Unit],
    granularity: Granularity = "paragraph",
    *,
    max_chars: int | None = None,
    drop_repeats: bool = False,
) -> list[Unit]:
    """A document's paragraphs cut (or joined) into task units of `granularity`.

    drop_repeats: leave out the paragraphs that repeat an earlier one (`repeated`), so each text is annotated
    once; not at document granularity, where the document is one task and a gap would renumber the sentences
    after it. max_chars: cut every unit longer than that between sentences (`Unit.cut`); sentence units never are.
    The pre-annotators work sentence by sentence, so none of their spans can cross a cut."""
    if drop_repeats and granularity != "document":
        again = repeated(paragraphs)
        paragraphs = [p for p in paragraphs if p.index not in again]
    if granularity == "paragraph":
        units = list(paragraphs)
    elif granularity == "sentence":
        return [s for p in paragraphs for s in p.sentence_units()]
    elif granularity == "document":
        units = [Unit.join(paragraphs)] if paragraphs else []
    else:
        raise ValueError(f"unknown granularity {granularity!r} (paragraph, sentence or document)")
    return [piece for u in units for piece in u.cut(max_chars)] if max_chars else units


def sentences_of(units: Iterable[Unit]) -> list[Sentence]:
    return [s for u in units for s in u.sentences()]
