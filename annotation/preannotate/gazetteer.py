"""Gazetteer pre-annotator: exact matches of names from a `LABEL<TAB>name` file.

File format (UTF-8): one entry per line, `LABEL<TAB>name`, LABEL in the schema (PER, ORG, LOC, DATE);
blank lines and lines starting with `#` are ignored. Names are NFC-normalised. Matching is case-sensitive,
on whole syllables (a match never starts or ends inside a syllable), longest match first; it may split a
segmenter's word (`Hoàng hậu Masako` -> `Masako`). The built-in lexicons in annotation/lexicons/ use the
same format and the same reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import VnerError
from ..schema import ENTITY_TYPES
from ..spans import Span
from ..text import Sentence, read_text_file

# Syllable-level tokens: letters/digits with inner `.`/`&`/`'` (TP.HCM, N.T.H, AT&T), or one punctuation mark.
TOKEN = re.compile(r"\w+(?:[.&'’]\w+)*|[^\w\s]")


def tokens(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in TOKEN.finditer(text):
        start, tok = m.start(), m.group()
        # `USD.Vũ`, `Á.Nhật`: a dot before a lowercase-bearing word is a missing space, not `TP.HCM`/`N.T.H`
        while "." in tok:
            cut = next((k for k in range(1, len(tok)) if tok[k - 1] == "." and _glued(tok[k:])), None)
            if cut is None:
                break
            out += [(start, start + cut - 1, tok[: cut - 1]), (start + cut - 1, start + cut, ".")]
            start, tok = start + cut, tok[cut:]
        out.append((start, start + len(tok), tok))
    return out


def _glued(rest: str) -> bool:
    word = re.split(r"[.&'’]", rest, maxsplit=1)[0]
    return len(word) > 1 and any(c.islower() for c in word)


def read_entries(path: str | Path) -> list[tuple[str, str]]:
    """(label, name) pairs of a `LABEL<TAB>name` file; a bad line is a VnerError naming file:line."""
    text = unicodedata.normalize("NFC", read_text_file(path))
    out: list[tuple[str, str]] = []
    # lines end at \n only (splitlines would also cut at form feeds and U+2028 and misnumber every later line)
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.rstrip("\r").rstrip("\t").split("\t")
        if len(parts) != 2 or not parts[1].strip():
            raise VnerError(f"{path}:{n}: expected `LABEL<TAB>name` (two columns), got {line.strip()!r}.")
        label, name = parts[0].strip(), " ".join(parts[1].split())
        if label not in ENTITY_TYPES:
            raise VnerError(f"{path}:{n}: label {label!r} is not one of {list(ENTITY_TYPES)}.")
        if not any(c.isalnum() for c in name):  # `(` or `...` would match every bracket or ellipsis
            raise VnerError(f"{path}:{n}: name {name!r} has no letters or digits.")
        out.append((label, name))
    return out


class PhraseTable:
    """Longest-match lookup of token sequences (keys are tuples of token strings)."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, ...], object] = {}
        self.lengths: dict[str, list[int]] = {}  # first token -> entry lengths, longest first

    def add(self, name: str, value: object) -> None:
        key = tuple(t for _, _, t in tokens(name))
        if key and key not in self.table:
            self.table[key] = value
            self.lengths[key[0]] = sorted(set(self.lengths.get(key[0], [])) | {len(key)}, reverse=True)

    def longest(self, words: Sequence[str], i: int) -> tuple[int, object] | None:
        """(length, value) of the longest entry starting at words[i]; None past the end (rules look one word on)."""
        if i >= len(words):
            return None
        for n in self.lengths.get(words[i], ()):
            if i + n <= len(words):
                value = self.table.get(tuple(words[i : i + n]))
                if value is not None:
                    return n, value
        return None


class Gazetteer:
    name = "gazetteer"

    def __init__(self, path: str | Path, entries: Iterable[tuple[str, str]] | None = None) -> None:
        self.path = str(path)
        self.phrases = PhraseTable()
        entries = list(entries) if entries is not None else read_entries(path)
        for label, name in entries:
            self.phrases.add(name, label)
        self.version = f"{Path(path).name}:{len(self.phrases.table)}"

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        out = []
        for sent in sentences:
            toks = tokens(sent.text)
            words = [t for _, _, t in toks]
            spans: list[Span] = []
            i = 0
            while i < len(toks):
                hit = self.phrases.longest(words, i)
                if hit is None:
                    i += 1
                    continue
                n, label = hit
                spans.append(Span(toks[i][0], toks[i + n - 1][1], str(label), 1.0, "gazetteer"))
                i += n
            out.append(spans)
        return out
