"""underthesea's CRF NER as a pre-annotator: PER/ORG/LOC kept, MISC dropped, no DATE.

underthesea re-tokenises the sentence (and may rewrite characters, e.g. tone-mark placement), so its tokens are
aligned back to the display text by counting non-space characters (`annotation.text.align_tokens`, the
segmenter's aligner).
A sentence whose character count does not survive is skipped (logged), never guessed. Opt-in only
(`--annotators rules,dates,crf`): on news text its entity F1 is low (see README, benchmarks/preannotate.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..spans import Span, bio_to_spans
from ..text import Sentence, align_tokens, underthesea_version

log = logging.getLogger(__name__)
KEEP = {"PER", "ORG", "LOC"}


def align_tagged_tokens(text: str, tagged: Sequence[tuple[str, str]]) -> list[Span] | None:
    """Spans from `(token, BIO tag)` pairs whose tokens cover `text`'s non-space characters in order
    (`align_tokens`, the segmenter's aligner; BIO read by `bio_to_spans`). None when they do not (the tokenizer
    changed the number of characters)."""
    aligned = align_tokens(text, [tok for tok, _ in tagged])
    if aligned is None:
        return None
    pairs = [(sp, tag) for sp, (_, tag) in zip(aligned, tagged) if sp is not None]
    out = []
    for sp in bio_to_spans([p for p, _ in pairs], [tag for _, tag in pairs]):
        if sp.label not in KEEP:
            continue
        trimmed = trim_punctuation(text, sp.start, sp.end)
        if trimmed[0] < trimmed[1]:
            out.append(Span(*trimmed, sp.label, 0.5, "crf"))
        else:  # underthesea tagged punctuation alone: not an entity
            log.debug("crf: %s span %r is punctuation only; not proposed", sp.label, text[sp.start : sp.end])
    return out


OPENING = "([{\"'“‘«"
CLOSING = ")]}\"'”’»"
EDGE = ",;:!?.…-–—"


def trim_punctuation(text: str, s: int, e: int) -> tuple[int, int]:
    """underthesea tags punctuation next to a name as part of it (`(Fed`, `độ C.`): strip it from the edges,
    keeping a bracket or quote that the span itself opens or closes (`Liên hợp quốc (UN)`)."""
    while s < e:
        c = text[s]
        if c in EDGE or c.isspace() or (c in OPENING and CLOSING[OPENING.index(c)] not in text[s + 1 : e]):
            s += 1
        else:
            break
    while e > s:
        c = text[e - 1]
        if c in EDGE or c.isspace() or (c in CLOSING and OPENING[CLOSING.index(c)] not in text[s : e - 1]):
            e -= 1
        else:
            break
    return s, e


class UndertheseaCRF:
    name = "crf"

    def __init__(self) -> None:
        from underthesea import ner  # slow import: only when asked for

        self._ner = ner
        self.version = underthesea_version()

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        out = []
        for sent in sentences:
            tagged = [(row[0], row[-1]) for row in self._ner(sent.text)]
            spans = align_tagged_tokens(sent.text, tagged)
            if spans is None:
                log.warning(
                    "crf: %s sentence %d: underthesea changed the characters; no CRF spans there",
                    sent.doc_id,
                    sent.index,
                )
                spans = []
            out.append(spans)
        return out
