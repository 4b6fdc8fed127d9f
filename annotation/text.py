"""Text loading and the offset map.

Every document is loaded once into `Unit`s (annotation.unit), one per paragraph: the display text annotators
read (natural text, no segmentation underscores) plus the character span of every sentence and word in it.
A word's PhoBERT form is always derived from the display text (`word_form`), so the display text and the words
can never disagree. Every later conversion (spans <-> BIO, subwords -> characters) goes through these spans;
nobody re-derives offsets.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import VnerError
from .unit import PRESEGMENTED, Offsets, Sentence, Unit, sentences_of, word_form

SegmentationMode = Literal["auto", "raw", "segmented"]

__all__ = ["Document", "Offsets", "Sentence", "Unit", "load_document", "load_documents", "normalise_text", "word_form"]


ParagraphMode = Literal["auto", "lines", "blank-lines"]
PARAGRAPH_MODES: tuple[str, ...] = ("auto", "lines", "blank-lines")


@dataclass
class Document:
    doc_id: str  # `<file name>-<8 hex of the text's SHA-1>` (`document_id`): unique across folders and batches
    path: str
    text: str  # `normalise_text` of the file (NFC, controls made boundaries, leading BOM removed); line breaks kept
    segmented: bool  # True when the file was already word-segmented (syllables joined by `_`)
    paragraphs: list[Unit] = field(default_factory=list)
    paragraph_mode: str = "lines"  # how lines became paragraphs: "lines", "blank-lines" or "wrapped"
    evidence: SegmentationEvidence | None = None  # what the segmentation detector saw (None: forced)
    lines: int = 0  # non-blank lines in the file

    def sentences(self) -> list[Sentence]:
        return sentences_of(self.paragraphs)

    def describe(self, paragraphs: int | None = None) -> str:
        """One line saying how the file was read: segmentation mode (and the evidence) and paragraph rule, e.g.
        `a.txt: raw text, segmented by vner (2 tokens hold _ and were kept as written); one paragraph per line:
        12 paragraphs from 12 lines`."""
        ev = self.evidence
        if ev is None:
            seg = "pre-segmented (forced)" if self.segmented else "raw text, segmented by vner (forced)"
        elif self.segmented:
            seg = f"pre-segmented ({ev.joins} of {ev.tokens} words join syllables with _)"
        elif ev.underscored:
            seg = (
                f"raw text, segmented by vner ({ev.underscored} token(s) hold _ and were kept as written; "
                f"{ev.joins} look like syllable joins)"
            )
        else:
            seg = "raw text, segmented by vner"
        rule = {
            "lines": "one paragraph per line",
            "blank-lines": "paragraphs between blank lines",
            "wrapped": "hard-wrapped, lines joined into paragraphs",
        }[self.paragraph_mode]
        n = len(self.paragraphs) if paragraphs is None else paragraphs
        return f"{self.path}: {seg}; {rule}: {_plural(n, 'paragraph')} from {_plural(self.lines, 'line')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ------------------------------------------------------------------------------------------ loading

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF16_ADVICE = "convert it to UTF-8 (`iconv -f UTF-16 -t UTF-8 in.txt > out.txt`)."
NOT_UTF8_ADVICE = "convert it first, e.g. `iconv -f WINDOWS-1258 -t UTF-8 in.txt > out.txt`."


def read_text_file(path: str | Path, *, fix: str | None = None, empty_ok: bool = False) -> str:
    """Read a UTF-8 text file (BOM optional), with one-line errors for missing, unreadable, empty, binary and
    non-UTF-8 files. `fix` is what the user should do instead (a caller's own advice, e.g. how to re-export a
    file); without it each error gives the advice for a plain .txt file. `empty_ok`: an empty (or blank) file
    gives "" instead of an error (a file found in a folder is skipped and reported by the caller)."""
    path = Path(path)

    def error(problem: str, advice: str) -> VnerError:
        return VnerError(f"{path}: {problem}; {fix or advice}")

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error("no such file", "check the path.") from None
    except IsADirectoryError:
        raise error("is a folder", "pass the folder itself, not a file inside it.") from None
    except OSError as exc:
        raise error(f"cannot be read ({exc.strerror or exc})", "check its permissions.") from None
    if data.startswith(UTF16_BOMS):  # checked before the NUL bytes every UTF-16 text holds
        raise error("UTF-16", UTF16_ADVICE)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        if empty_ok:
            return ""
        raise error("the file is empty", "remove it or add text.")
    if b"\x00" in data:
        raise error("looks like a binary file (contains NUL bytes)", "pass UTF-8 .txt files only.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at byte {exc.start})",
            NOT_UTF8_ADVICE,
        ) from None


def iter_text_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, `*.txt` in any case: `B.TXT` too) into a sorted, de-duplicated list
    of files."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() == ".txt" and q.is_file())
            if not found:
                raise VnerError(f"{p}: folder has no .txt files.")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            raise VnerError(f"{p}: no such file or folder; check the path.")
    seen: set[Path] = set()
    return [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]


# Line and paragraph separators other than \r and \n (form feed, vertical tab, file/group/record separators,
# NEL, U+2028/2029) become line breaks; every other control character becomes a space, and so does U+FEFF inside
# the text (the BOM of a file concatenated onto another; a leading one is removed on reading). One character for
# one, so offsets into the normalised text are offsets into the NFC text of the file.
_LINE_SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_CONTROLS = {
    c: ("\n" if chr(c) in _LINE_SEPARATORS else " ")
    for c in [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF]
    if chr(c) not in "\t\n\r"
}


def controls_to_boundaries(text: str) -> str:
    """Control characters made boundaries (`_CONTROLS`): a form feed or another control character between two
    words separates them instead of gluing them into one word. Lengths are kept (one character for one)."""
    return text.translate(_CONTROLS)


def normalise_text(text: str) -> str:
    """What every loaded text goes through: NFC, then `controls_to_boundaries`."""
    return controls_to_boundaries(unicodedata.normalize("NFC", text))


def document_id(name: str, text: str) -> str:
    """`<name>-<8 hex of the SHA-1 of the normalised text>`: two different `001.txt` in two folders or batches are
    two documents, and re-running gives the same ids. (A file holding the text of an earlier one, under any name, is
    skipped on loading: `annotation.stream`.)"""
    return f"{name}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def document_name(doc_id: str) -> str:
    """The file name part of a `document_id` (`001-1a2b3c4d` -> `001`)."""
    name, sep, digest = doc_id.rpartition("-")
    return name if sep and len(digest) == 8 and all(c in "0123456789abcdef" for c in digest) else doc_id


# ------------------------------------------------------------------------------------------ segmented or raw

# A Vietnamese syllable: optional onset, one to three vowels (any tone), optional coda. Segmenters (RDRSegmenter,
# underthesea, VnCoreNLP) join the syllables of a word with `_`; e-mail addresses, URLs, hashtags and code
# identifiers hold `_` between other things.
_VOWELS = "".join(
    sorted(
        {
            unicodedata.normalize("NFC", v + t)
            for v in "aăâeêioôơuưy"
            for t in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
        }
    )
)
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx]"
_SYLLABLE = re.compile(rf"(?:{_ONSETS})?[{_VOWELS}]{{1,3}}(?:ch|ng|nh|[cmnpt])?")
MIN_JOINS = 3  # at least this many syllable joins ...
MIN_JOIN_SHARE = 0.05  # ... and this share of all words (segmented Vietnamese: 20-40%; raw text: ~0)
_SAMPLE_CHARS = 1_000_000  # longer texts are judged on evenly spread windows of this many characters in all


def is_syllable_join(token: str) -> bool:
    """`Võ_Văn_Thưởng`, `kiều_bào`: Vietnamese syllables joined by `_`, as a segmenter writes them (not
    `nguyen_van_an@gmail.com`, `#Việt_Nam`, `snake_case`)."""
    parts = token.lower().split("_")
    return len(parts) > 1 and all(_SYLLABLE.fullmatch(p) for p in parts)


@dataclass(frozen=True)
class SegmentationEvidence:
    """What `segmentation_evidence` counted over a text: whitespace tokens, tokens holding `_`, and the tokens
    whose `_` join Vietnamese syllables."""

    tokens: int
    underscored: int
    joins: int

    @property
    def segmented(self) -> bool:
        return self.joins >= MIN_JOINS and self.joins >= MIN_JOIN_SHARE * self.tokens


def _sample(text: str, size: int = _SAMPLE_CHARS, windows: int = 16) -> str:
    if len(text) <= size:
        return text
    step, width = len(text) // windows, size // windows
    return " ".join(text[k * step : k * step + width] for k in range(windows))


_EDGE_PUNCTUATION = ",.;:!?()[]\"'“”‘’"


def segmentation_evidence(text: str) -> SegmentationEvidence:
    tokens = _sample(text).split()
    underscored = [t for t in tokens if "_" in t]
    joins = sum(1 for t in underscored if is_syllable_join(t.strip(_EDGE_PUNCTUATION)))
    return SegmentationEvidence(len(tokens), len(underscored), joins)


def looks_segmented(text: str) -> bool:
    """Pre-segmented text joins syllables with `_` across the file (at least `MIN_JOINS` such words and
    `MIN_JOIN_SHARE` of all words); a few e-mail addresses, URLs, hashtags or identifiers do not make it so."""
    return segmentation_evidence(text).segmented


def load_document(
    path: str | Path, *, segmentation: SegmentationMode = "auto", segmenter=None, paragraphs: ParagraphMode = "auto"
) -> Document:
    """One text file as a `Document` (see `prepare_document` for the rules)."""
    doc, pieces = prepare_document(
        path, normalise_text(read_text_file(path)), segmentation=segmentation, paragraphs=paragraphs
    )
    doc.paragraphs = paragraph_units(
        doc,
        pieces,
        [analyse_paragraph(p, doc.segmented, segmenter) for p, _ in pieces],
        segmenter_name(doc.segmented, segmenter),
    )
    if not doc.paragraphs:
        raise VnerError(f"{path}: no text left after removing blank lines.")
    return doc


def load_documents(
    paths: Iterable[str | Path],
    *,
    segmentation: SegmentationMode = "auto",
    segmenter=None,
    paragraphs: ParagraphMode = "auto",
    workers: int = 1,
) -> list[Document]:
    """Text files and folders (searched recursively) as documents, in file order; see `annotation.stream`."""
    from .stream import iter_documents

    return list(
        iter_documents(paths, segmentation=segmentation, segmenter=segmenter, paragraphs=paragraphs, workers=workers)
    )


def prepare_document(
    path: str | Path, text: str, *, segmentation: SegmentationMode = "auto", paragraphs: ParagraphMode = "auto"
) -> tuple[Document, list[tuple[str, int | None]]]:
    """A document's header (id, segmentation mode, paragraph rule; no units yet) and its paragraph texts with
    their source offsets (`paragraph_texts`). `text` is already `normalise_text`-ed."""
    path = Path(path)
    if segmentation not in ("auto", "raw", "segmented"):
        raise VnerError(f"segmentation must be auto, raw or segmented, not {segmentation!r}.")
    evidence = segmentation_evidence(text) if segmentation == "auto" else None
    segmented = evidence.segmented if evidence is not None else segmentation == "segmented"
    mode, pieces, n_lines = paragraph_texts(text, paragraphs)
    doc = Document(
        doc_id=document_id(path.stem, text),
        path=str(path),
        text=text,
        segmented=segmented,
        paragraph_mode=mode,
        evidence=evidence,
        lines=n_lines,
    )
    return doc, pieces


def segmenter_name(segmented: bool, segmenter=None) -> str:
    if segmented:
        return PRESEGMENTED
    if segmenter is None:
        return underthesea_version()
    return getattr(segmenter, "name", "") or "custom"


Analysed = tuple[str, list[Offsets], list[Offsets]]  # display text, word spans, sentence spans


def analyse_paragraph(text: str, segmented: bool, segmenter=None) -> Analysed:
    """Display text, words and sentences of one paragraph text: pre-segmented text is re-spaced for display
    (`display_from_segmented`), raw text is segmented (`segment_words`) and kept as it is."""
    if segmented:
        display, words = display_from_segmented(text)
    else:
        display, words = text, segment_words(text, segmenter=segmenter)
    return display, words, split_sentences(display, words)


def paragraph_units(
    doc: Document,
    pieces: Sequence[tuple[str, int | None]],
    analysed: Sequence[Analysed],
    seg_name: str,
    *,
    first_index: int = 0,
    first_sentence: int = 0,
) -> list[Unit]:
    """`Unit`s of a document's paragraphs (or of a run of them, numbered on from `first_index` and
    `first_sentence`); a paragraph without words is left out."""
    units: list[Unit] = []
    index, n_sentences = first_index, first_sentence
    for (_, offset), (display, words, sentences) in zip(pieces, analysed):
        if not words:
            continue
        units.append(
            Unit(
                doc.doc_id,
                index,
                n_sentences,
                display,
                tuple(sentences),
                tuple(words),
                seg_name,
                None if doc.segmented else offset,
            )
        )
        index += 1
        n_sentences += len(sentences)
    return units


# ------------------------------------------------------------------------------------------ paragraphs

_LINE = re.compile(r"[^\r\n]+")
_LINE_END_OF_SENTENCE = re.compile(r"[.!?…:;][\"'”’)\]»]*$")
MIN_WRAP_WIDTH = 30  # narrower "wrapping" is a list of short lines, not wrapped prose


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines (offset, line) separated by blank lines."""
    blocks: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    prev_end = 0
    for m in _LINE.finditer(text):
        line = m.group()
        gap = text[prev_end : m.start()]
        breaks = gap.count("\n") + gap.count("\r") - gap.count("\r\n")
        prev_end = m.end()
        if not line.strip() or breaks > 1:
            if block:
                blocks.append(block)
            block = []
        if line.strip():
            block.append((m.start(), line))
    if block:
        blocks.append(block)
    return blocks


def _fills(line: str, nxt: str, width: int) -> bool:
    """The line was broken because the next word did not fit in `width` columns."""
    first = nxt.split(maxsplit=1)[0]
    return len(line.rstrip()) + 1 + len(first) > width


def wrap_width(blocks: Sequence[Sequence[tuple[int, str]]]) -> int | None:
    """The column width a hard-wrapped text was broken at, or None when the text is not hard-wrapped.

    Width: the 90th percentile of the line lengths, at least `MIN_WRAP_WIDTH`. A line is *full* when the first
    word of the next line would not have fitted after it. Hard-wrapped: of the pairs of consecutive lines, at
    least 3 and 30% start with a full line, and at least half of those full lines end mid-sentence. Text with
    one paragraph per line (web text) fails: only its longest lines are full, and they end sentences."""
    lengths = sorted(len(line.rstrip()) for block in blocks for _, line in block)
    pairs = [(a, b) for block in blocks for (_, a), (_, b) in zip(block, block[1:])]
    if len(pairs) < 3:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width < MIN_WRAP_WIDTH:
        return None
    full = [a for a, b in pairs if _fills(a, b, width)]
    open_ = sum(not _LINE_END_OF_SENTENCE.search(a.rstrip()) for a in full)
    return width if len(full) >= max(3, 0.3 * len(pairs)) and open_ >= 0.5 * len(full) else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _joined(lines: Sequence[tuple[int, str]]) -> tuple[str, int | None]:
    """One paragraph from lines: a single line is a verbatim slice (with its offset); several lines are joined
    with one space and have no source offset (the text is not a slice of the file)."""
    if len(lines) == 1:
        offset, line = lines[0]
        return line.strip(), offset + _indent(line)
    return " ".join(line.strip() for _, line in lines), None


def paragraph_texts(text: str, mode: ParagraphMode = "auto") -> tuple[str, list[tuple[str, int | None]], int]:
    """(rule used, [(paragraph text, source offset or None)], number of non-blank lines). The paragraph rule:

    - `lines`: every non-blank line is a paragraph (web text puts one paragraph per line);
    - `blank-lines`: the lines between blank lines are one paragraph, joined with a space;
    - `auto` (default): `wrapped` when the text is hard-wrapped (`wrap_width`), else `lines`. Wrapped lines are
      joined into paragraphs that end at a blank line, at a line that is not full (its next word would have
      fitted) and before an indented line, so a name broken across two lines stays in one paragraph.

    A paragraph of one line keeps its offset in `text`; a paragraph joined from several lines has None."""
    if mode not in PARAGRAPH_MODES:
        raise VnerError(f"paragraphs must be one of {', '.join(PARAGRAPH_MODES)}, not {mode!r}.")
    blocks = _blocks(text)
    n_lines = sum(len(b) for b in blocks)
    width = wrap_width(blocks) if mode == "auto" else None
    if mode == "blank-lines":
        return mode, [_joined(block) for block in blocks], n_lines
    if width is None:
        return "lines", [_joined([line]) for block in blocks for line in block], n_lines
    out = []
    for block in blocks:
        start = 0
        for k in range(1, len(block) + 1):
            prev = block[k - 1][1]
            if k == len(block) or not _fills(prev, block[k][1], width) or _indent(block[k][1]) > _indent(prev):
                out.append(_joined(block[start:k]))
                start = k
    return "wrapped", out, n_lines


def split_paragraphs(
    text: str, *, segmented: bool, segmenter=None, doc_id: str = "", paragraphs: ParagraphMode = "lines"
) -> list[Unit]:
    """Paragraphs of `text` (one per non-blank line by default; see `paragraph_texts`) as `Unit`s with their
    sentences and words. Raw one-line paragraphs are verbatim slices of `text` (`source_offset`);
    pre-segmented lines are re-spaced for display."""
    _, pieces, _ = paragraph_texts(text, paragraphs)
    doc = Document(doc_id, "", text, segmented)
    return paragraph_units(
        doc,
        pieces,
        [analyse_paragraph(p, segmented, segmenter) for p, _ in pieces],
        segmenter_name(segmented, segmenter),
    )


# Tokens of pre-segmented text that attach to the previous/next token in the display text.
_NO_SPACE_BEFORE = set(",.;:!?%)]}…")
_NO_SPACE_AFTER = set("([{")
# A token whose `_` belongs to it (e-mail, URL, path, hashtag, identifier): shown as written.
_KEEPS_UNDERSCORE = re.compile(r"[@/\\#=?&%:]|^_|_$|__")


def display_from_words(words: Sequence[str]) -> tuple[str, list[Offsets]]:
    """Display text and word spans for a sequence of words (`_` joining syllables, or spaces inside a word):
    `["Võ_Văn_Thưởng", "gặp", "kiều_bào", "tại", "Nhật", ",", "mong"]` -> `Võ Văn Thưởng gặp kiều bào tại Nhật, mong`.
    Every word keeps its characters: `word_form` of its span gives it back (up to spaces inside it, which become
    `_`); a word whose `_` belongs to it (`nguyen_van_an@gmail.com`, `#Việt_Nam`) is shown as written."""
    parts: list[str] = []
    spans: list[Offsets] = []
    pos = 0
    prev = ""
    for token in words:
        shown = token if "_" not in token or _KEEPS_UNDERSCORE.search(token) else token.replace("_", " ")
        shown = " ".join(shown.split()) or token  # a bare "_" token stays visible
        if parts and not (shown in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER):
            parts.append(" ")
            pos += 1
        spans.append((pos, pos + len(shown)))
        parts.append(shown)
        pos += len(shown)
        prev = shown
    return "".join(parts), spans


def display_from_segmented(line: str) -> tuple[str, list[Offsets]]:
    """`Võ_Văn_Thưởng gặp kiều_bào tại Nhật , mong` -> `Võ Văn Thưởng gặp kiều bào tại Nhật, mong` + word spans
    (`display_from_words` over the whitespace tokens)."""
    return display_from_words(line.split())


# ------------------------------------------------------------------------------------------ words

_WS_TOKEN = re.compile(r"\S+")


def whitespace_words(text: str) -> list[Offsets]:
    return [m.span() for m in _WS_TOKEN.finditer(text)]


def underthesea_version() -> str:
    """`underthesea-X.Y.Z`, recorded with everything it produced (segmentation, CRF tags)."""
    try:
        from importlib.metadata import version

        return f"underthesea-{version('underthesea')}"
    except Exception:  # pragma: no cover - metadata missing only in odd installs
        return "underthesea"


class UndertheseaSegmenter:
    """underthesea's word segmenter, aligned back onto the exact input characters."""

    name = "underthesea"

    def __init__(self) -> None:
        from underthesea import word_tokenize  # slow import: only when raw text is segmented

        self._tokenize = word_tokenize
        self.name = underthesea_version()

    def __call__(self, text: str) -> list[list[str]]:
        """Words as lists of syllables."""
        return [w.split() for w in self._tokenize(text)]


_default_segmenter: UndertheseaSegmenter | None = None


def default_segmenter() -> UndertheseaSegmenter:
    global _default_segmenter
    if _default_segmenter is None:
        _default_segmenter = UndertheseaSegmenter()
    return _default_segmenter


def align_tokens(text: str, tokens: Sequence[str]) -> list[Offsets | None] | None:
    """Character spans in `text` of tokens that a tool (segmenter, tagger) produced from it, aligned by counting
    non-space characters, so a tool that rewrites characters (tone-mark placement) but keeps their number still
    lines up. One entry per token (None for a token without a non-space character); None when the counts
    differ (the tool changed the text), so callers fall back instead of inventing offsets."""
    nonspace = [i for i, c in enumerate(text) if not c.isspace()]
    lengths = [sum(not c.isspace() for c in tok) for tok in tokens]
    if sum(lengths) != len(nonspace):
        return None
    spans: list[Offsets | None] = []
    k = 0
    for n in lengths:
        spans.append((nonspace[k], nonspace[k + n - 1] + 1) if n else None)
        k += n
    return spans


def segment_words(text: str, segmenter=None) -> list[Offsets]:
    """Word spans of raw `text`, from the segmenter, aligned to the exact characters of `text` (`align_tokens`);
    where the segmenter changed the number of characters, the words of that line are whitespace tokens."""
    if not text.strip():
        return []
    segmenter = segmenter or default_segmenter()
    spans = align_tokens(text, [" ".join(w) for w in segmenter(text) if w])
    if spans is None:
        return whitespace_words(text)
    return [sp for sp in spans if sp is not None]


# ------------------------------------------------------------------------------------------ sentences

# Tokens ending in "." that do not end a sentence.
ABBREVIATIONS = {
    "tp.",
    "tt.",
    "q.",
    "p.",
    "ths.",
    "ts.",
    "pgs.",
    "gs.",
    "bs.",
    "ks.",
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "st.",
    "no.",
    "vs.",
    "ttg.",
    "ubnd.",
    "h.",
    "x.",
    "tx.",
    "đ.",
    "pgs.ts.",
    "gs.ts.",
    "th.s.",
    "v.v.",
}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*$")
_INITIAL = re.compile(r"^(?:\w\.)+$")  # N. / N.T.H. initials inside names
_SENTENCE_START = re.compile(r"^[\"'“‘(\[\-–—]*[\w\d]")


def split_sentences(text: str, word_spans: Sequence[Offsets]) -> list[Offsets]:
    """Sentence spans at word boundaries: after a word ending in . ! ? … followed by a capitalised word."""
    if not word_spans:
        return []
    sentences: list[Offsets] = []
    start = word_spans[0][0]
    for i in range(len(word_spans) - 1):
        word = text[word_spans[i][0] : word_spans[i][1]]
        nxt = text[word_spans[i + 1][0] : word_spans[i + 1][1]]
        if not _SENTENCE_END.search(word):
            continue
        if word.lower() in ABBREVIATIONS or (_INITIAL.match(word) and word[0].isupper()):
            continue
        m = _SENTENCE_START.match(nxt)
        if not m or not (nxt[m.end() - 1].isupper() or nxt[m.end() - 1].isdigit()):
            continue
        sentences.append((start, word_spans[i][1]))
        start = word_spans[i + 1][0]
    sentences.append((start, word_spans[-1][1]))
    return sentences


# ------------------------------------------------------------------------------------------ NFC with a map


def nfc_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFC-normalise `text` and return a map old offset -> new offset (len(text)+1 entries).

    Normalisation is done per cluster (a starter plus its combining marks), so offsets at cluster boundaries
    map exactly; an offset inside a cluster (between a letter and its accent) maps to the cluster's end.
    """
    out: list[str] = []
    mapping = [0] * (len(text) + 1)
    pos = 0
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j])
        for k in range(i, j):
            mapping[k] = pos if k == i else pos + len(chunk)
        out.append(chunk)
        pos += len(chunk)
        i = j
    mapping[n] = pos
    result = "".join(out)
    if result != unicodedata.normalize(
        "NFC", text
    ):  # scripts whose starters compose (Hangul jamo): whole-text fallback
        whole = unicodedata.normalize("NFC", text)
        if len(whole) == len(text):
            return whole, list(range(n + 1))
        raise VnerError(
            "text needs NFC composition across starters (e.g. Hangul jamo); normalise it before annotating."
        )
    return result, mapping
