"""Character spans <-> BIO tags over the words of the offset map, losslessly.

A span boundary that falls inside a word splits that word (the segmenter cuts about 1% of entities), so any
set of trimmed, non-overlapping spans inside a sentence comes back exactly from its BIO tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .schema import ENTITY_TYPES
from .unit import Offsets, word_form


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False)  # which pre-annotator / rule proposed it

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def shifted(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta, self.label, self.score, self.source)


class Proposal(NamedTuple):
    """What a pre-annotator (or the merged stack) proposes for one sentence or task unit: its spans, and how sure
    it is of the tag of each word (one value per word of the sentence/unit, O included; None where it has no
    opinion). A model gives the probability of its tag for every word; span-only annotators give none."""

    spans: list[Span]
    word_confidence: tuple[float | None, ...] = ()


class SpanError(ValueError):
    """A span that BIO cannot represent as it is; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, message: str, span: Span | None = None):
        super().__init__(message)
        self.reason = reason
        self.span = span


def trim_span(text: str, span: Span) -> Span | None:
    """Drop leading/trailing whitespace from a span; None if nothing but whitespace is left."""
    s, e = span.start, span.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s == e:
        return None
    return Span(s, e, span.label, span.score, span.source)


def check_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    """Sorted spans, validated: inside the text, trimmed, labels in the schema, no overlaps."""
    ordered = sorted(spans)
    prev: Span | None = None
    for sp in ordered:
        if not (0 <= sp.start < sp.end <= len(text)):
            raise SpanError("out_of_range", f"span {sp.start}-{sp.end} is outside the text (length {len(text)})", sp)
        if sp.label not in ENTITY_TYPES:
            raise SpanError("unknown_label", f"label {sp.label!r} is not in the schema {list(ENTITY_TYPES)}", sp)
        if text[sp.start].isspace() or text[sp.end - 1].isspace():
            raise SpanError("untrimmed", f"span {sp.start}-{sp.end} starts or ends with whitespace", sp)
        if prev is not None and sp.start < prev.end:
            raise SpanError(
                "overlap",
                f"span {sp.start}-{sp.end} {sp.label} {text[sp.start : sp.end]!r} overlaps "
                f"{prev.start}-{prev.end} {prev.label} {text[prev.start : prev.end]!r}",
                sp,
            )
        prev = sp
    return ordered


def spans_to_bio(
    text: str, word_spans: Sequence[Offsets], spans: Sequence[Span]
) -> tuple[list[str], list[Offsets], list[str]]:
    """Words + BIO tags for `spans` over `text`, splitting words where a span boundary cuts one.

    Returns (tokens, token_spans, tags); tokens are PhoBERT word forms (`Võ_Văn_Thưởng`).
    Raises SpanError for spans that are out of range, untrimmed, overlapping or outside the schema, and for
    a span that covers no word at all (it would vanish).
    """
    ordered = check_spans(text, spans)
    cuts = sorted({b for sp in ordered for b in (sp.start, sp.end)})
    token_spans: list[Offsets] = []
    ci = 0
    n_cuts = len(cuts)
    for ws, we in word_spans:
        while ci < n_cuts and cuts[ci] <= ws:
            ci += 1
        if (ci == n_cuts or cuts[ci] >= we) and ws < we and not (text[ws].isspace() or text[we - 1].isspace()):
            token_spans.append((ws, we))  # fast path: an uncut word (most words)
            continue
        pieces = [ws]
        k = ci
        while k < len(cuts) and cuts[k] < we:
            pieces.append(cuts[k])
            k += 1
        pieces.append(we)
        for a, b in zip(pieces, pieces[1:]):
            # a cut at a space inside a multi-syllable word leaves whitespace at a piece's edge: trim it
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                token_spans.append((a, b))
    tags = ["O"] * len(token_spans)
    ti = 0
    for sp in ordered:
        while ti < len(token_spans) and token_spans[ti][1] <= sp.start:
            ti += 1
        first = ti
        while ti < len(token_spans) and token_spans[ti][0] < sp.end:
            tags[ti] = ("B-" if ti == first else "I-") + sp.label
            ti += 1
        if ti == first:
            raise SpanError("no_words", f"span {sp.start}-{sp.end} {text[sp.start : sp.end]!r} covers no word", sp)
        if token_spans[first][0] != sp.start or token_spans[ti - 1][1] != sp.end:
            raise SpanError(
                "not_on_words",
                f"span {sp.start}-{sp.end} {text[sp.start : sp.end]!r} does not start and end on word characters",
                sp,
            )
    tokens = [word_form(text, s, e) for s, e in token_spans]
    return tokens, token_spans, tags


def bio_entities(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """The one BIO decoder: `(first token, end token, type)` of every entity in a tag sequence. An I- tag that
    does not continue an entity of the same type starts a new one (seqeval's default mode), so model output
    never loses an entity; `O` and empty tags are outside.

    >>> bio_entities(["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"])
    [(0, 2, 'PER'), (3, 4, 'LOC'), (4, 5, 'LOC'), (5, 6, 'ORG')]
    """
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate(tags):
        if tag == "O" or not tag:
            if start >= 0:
                out.append((start, i, label))
            start = -1
            continue
        prefix, _, typ = tag.partition("-")
        if prefix == "I" and start >= 0 and typ == label:
            continue
        if start >= 0:
            out.append((start, i, label))
        start, label = i, typ
    if start >= 0:
        out.append((start, len(tags), label))
    return out


def bio_to_spans(
    token_spans: Sequence[Offsets], tags: Sequence[str], scores: Sequence[float] | None = None
) -> list[Span]:
    """Character spans of the entities of BIO `tags` over tokens at `token_spans` (decoded by `bio_entities`).
    With `scores` (one per token), a span's score is the minimum over its tokens."""
    return [
        Span(token_spans[a][0], token_spans[b - 1][1], label, None if scores is None else float(min(scores[a:b])))
        for a, b, label in bio_entities(tags)
    ]
