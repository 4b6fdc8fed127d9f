"""Text loading and the offset map.

Every document is loaded once into `Unit`s (annotation.unit), one per paragraph: the display text annotators
read (natural text, no segmentation underscores) plus the character span of every sentence and word in it.
A word's PhoBERT form is always derived from the display text (`word_form`), so the display text and the words
can never disagree. Every later conversion (spans <-> BIO, subwords -> characters) goes through these spans;
nobody re-derives offsets.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import VnerError
from .unit import PRESEGMENTED, Offsets, Sentence, Unit, sentences_of, word_form

SegmentationMode = Literal["auto", "raw", "segmented"]

__all__ = ["Document", "Offsets", "Sentence", "Unit", "load_document", "load_documents", "word_form"]


@dataclass
class Document:
    doc_id: str
    path: str
    text: str  # NFC, BOM removed; line breaks kept as in the file
    segmented: bool  # True when the file was already word-segmented (syllables joined by `_`)
    paragraphs: list[Unit] = field(default_factory=list)

    def sentences(self) -> list[Sentence]:
        return sentences_of(self.paragraphs)


# ------------------------------------------------------------------------------------------ loading


def read_text_file(path: str | Path, *, fix: str | None = None) -> str:
    """Read a UTF-8 text file (BOM optional), with one-line errors for missing, empty, binary and non-UTF-8
    files. `fix` is what the user should do instead (a caller's own advice, e.g. how to re-export a file);
    without it each error gives the advice for a plain .txt file."""
    path = Path(path)

    def error(problem: str, advice: str) -> VnerError:
        return VnerError(f"{path}: {problem}; {fix or advice}")

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error("no such file", "check the path.") from None
    except IsADirectoryError:
        raise error("is a folder", "pass the folder itself, not a file inside it.") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise error("the file is empty", "remove it or add text.")
    if b"\x00" in data:
        raise error("looks like a binary file (contains NUL bytes)", "pass UTF-8 .txt files only.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at byte {exc.start})",
            "convert it first, e.g. `iconv -f WINDOWS-1258 -t UTF-8 in.txt > out.txt`.",
        ) from None


def iter_text_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, `*.txt`) into a sorted, de-duplicated list of files."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*.txt") if q.is_file())
            if not found:
                raise VnerError(f"{p}: folder has no .txt files.")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            raise VnerError(f"{p}: no such file or folder; check the path.")
    seen: set[Path] = set()
    return [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]


_SEGMENTED_TOKEN = re.compile(r"\w_\w")


def looks_segmented(text: str) -> bool:
    """Pre-segmented text joins syllables with `_`; raw Vietnamese almost never does."""
    tokens = text.split()
    if not tokens:
        return False
    joined = sum(1 for t in tokens if _SEGMENTED_TOKEN.search(t))
    return joined >= 3 and joined / len(tokens) >= 0.03


def load_document(path: str | Path, *, segmentation: SegmentationMode = "auto", segmenter=None) -> Document:
    text = unicodedata.normalize("NFC", read_text_file(path))
    path = Path(path)
    segmented = looks_segmented(text) if segmentation == "auto" else segmentation == "segmented"
    doc = Document(doc_id=path.stem, path=str(path), text=text, segmented=segmented)
    doc.paragraphs = split_paragraphs(text, segmented=segmented, segmenter=segmenter, doc_id=doc.doc_id)
    if not doc.paragraphs:
        raise VnerError(f"{path}: no text left after removing blank lines.")
    return doc


def load_documents(paths: Iterable[str | Path], *, segmentation: SegmentationMode = "auto", segmenter=None) -> list[Document]:
    docs = [load_document(f, segmentation=segmentation, segmenter=segmenter) for f in iter_text_files(paths)]
    ids = [d.doc_id for d in docs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise VnerError(f"several input files share the document id(s) {dupes} (the file name without .txt); rename them.")
    return docs


# ------------------------------------------------------------------------------------------ paragraphs

_LINE = re.compile(r"[^\r\n]+")


def split_paragraphs(text: str, *, segmented: bool, segmenter=None, doc_id: str = "") -> list[Unit]:
    """Each non-blank line is a paragraph (web text puts one paragraph per line), as a `Unit` with its
    sentences and words. Raw lines are verbatim slices of `text` (`source_offset`); pre-segmented lines are
    re-spaced for display."""
    paragraphs: list[Unit] = []
    n_sentences = 0
    seg_name = PRESEGMENTED if segmented else ""
    for m in _LINE.finditer(text):
        line = m.group()
        lead = len(line) - len(line.lstrip())
        line = line.strip()
        if not line:
            continue
        if segmented:
            display, words = display_from_segmented(line)
            offset = None
        else:
            segmenter = segmenter or default_segmenter()
            seg_name = getattr(segmenter, "name", "") or "custom"
            display, offset = line, m.start() + lead
            words = segment_words(display, segmenter=segmenter)
        if not words:
            continue
        sentences = split_sentences(display, words)
        paragraphs.append(Unit(doc_id, len(paragraphs), n_sentences, display, tuple(sentences), tuple(words),
                               seg_name, offset))
        n_sentences += len(sentences)
    return paragraphs


# Tokens of pre-segmented text that attach to the previous/next token in the display text.
_NO_SPACE_BEFORE = set(",.;:!?%)]}…")
_NO_SPACE_AFTER = set("([{")


def display_from_segmented(line: str) -> tuple[str, list[Offsets]]:
    """`Võ_Văn_Thưởng gặp kiều_bào tại Nhật , mong` -> `Võ Văn Thưởng gặp kiều bào tại Nhật, mong` + word spans."""
    parts: list[str] = []
    spans: list[Offsets] = []
    pos = 0
    prev = ""
    for token in line.split():
        shown = token.replace("_", " ").strip() or token  # a bare "_" token stays visible
        shown = " ".join(shown.split())
        if parts and not (shown in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER):
            parts.append(" ")
            pos += 1
        spans.append((pos, pos + len(shown)))
        parts.append(shown)
        pos += len(shown)
        prev = shown
    return "".join(parts), spans


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
    "tp.", "tt.", "q.", "p.", "ths.", "ts.", "pgs.", "gs.", "bs.", "ks.", "mr.", "mrs.", "ms.", "dr.", "st.",
    "no.", "vs.", "ttg.", "ubnd.", "h.", "x.", "tx.", "đ.", "pgs.ts.", "gs.ts.", "th.s.", "v.v.",
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
    if result != unicodedata.normalize("NFC", text):  # scripts whose starters compose (Hangul jamo): whole-text fallback
        whole = unicodedata.normalize("NFC", text)
        if len(whole) == len(text):
            return whole, list(range(n + 1))
        raise VnerError("text needs NFC composition across starters (e.g. Hangul jamo); normalise it before annotating.")
    return result, mapping
