"""Datasets from anything: token files (CoNLL columns, JSON Lines) and Label Studio exports, several at once,
with a corpus's own splits, its own words and its entity types mapped onto the schema.

Formats, detected from each file's content (`--format` forces one):

- **CoNLL columns**: one token a line, the word first and the tag last (`tag_column` picks another column),
  columns separated by tabs (a word may then hold spaces) or else by spaces, as many on every token line; a blank
  line ends a sentence; a `-DOCSTART-` line starts a document; `# ...` comment lines are skipped. VLSP 2016/2018,
  CoNLL 2003 and the `conll/` files `vner dataset` writes all read this way. A file without `-DOCSTART-` has one
  document per sentence.
- **JSON Lines**: one sentence a line, `{"words": [...], "tags": [...]}` (or `tokens`/`ner_tags`), as
  PhoNER_COVID19 ships it; lines sharing a `doc_id` field are one document, a line without one is its own
  document (`<name>-line<NNNNN>`, numbered by its line). A line's `sentence_id` is kept, and its `text` with
  `token_starts`/`token_ends` when they fit its words (`jsonl_text`): the `jsonl/` files `vner dataset` writes read
  back to the same examples (CoNLL has no text column: its text is built from the words).
- **Label Studio JSON exports** (`annotation.export.load_export`).

Tags in IOB1, IOB2, BIOES (or BILOU) and IO are read by one converter, `to_iob2`. A token file's words are kept
exactly as they are (`Hà_Nội` stays one word, nothing is re-segmented): each sentence's display text and word
offsets are built from its words by `display_from_words` (what vner does for pre-segmented text) unless a JSON
Lines line gives them, its spans from its tags by `bio_to_spans` (the one BIO decoder), and its example by
`make_example`, the same constructor a Label Studio task goes through; so a corpus example and an export example
are the same thing.

Entity types are kept when they are in the schema, else mapped by the label map (`NAME=PER,PATIENT_ID=O`:
a type mapped to `O` is dropped and its words tagged O). A type neither in the schema nor mapped stops
everything with one error listing every such type and its count, before any example is built.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dataset import SPLITS, Provenance, make_example
from .errors import VnerError
from .schema import ENTITY_TYPES
from .spans import SpanError, bio_entities, bio_to_spans
from .text import (
    NOT_UTF8_ADVICE,
    UTF16_ADVICE,
    UTF16_BOMS,
    controls_to_boundaries,
    display_from_words,
    normalise_text,
    read_text_file,
)
from .unit import Offsets, word_form

FORMATS = ("auto", "labelstudio", "conll", "jsonl")
FORMAT_NAMES = {"labelstudio": "Label Studio export", "conll": "CoNLL columns", "jsonl": "JSON Lines"}
SPLIT_ALIASES = {
    "train": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
}
WORD_KEYS = ("words", "tokens")
TAG_KEYS = ("tags", "ner_tags", "labels")
# Only for the example in the error message of an unmapped type: nothing is ever mapped without being asked.
LIKELY_TYPES = {
    "PERSON": "PER",
    "PERSON_NAME": "PER",
    "NAME": "PER",
    "ORGANIZATION": "ORG",
    "ORGANISATION": "ORG",
    "LOCATION": "LOC",
    "GPE": "LOC",
    "TIME": "DATE",
}
_PREFIXES = {"B": "B", "I": "I", "E": "I", "L": "I", "S": "B", "U": "B"}  # BIOES/BILOU -> IOB2 before the fix-up


# ------------------------------------------------------------------------------------------ tags


_BARE_TYPE = re.compile(r"[A-Z][A-Z0-9_.]*")  # an IO-scheme tag: a type name alone, in capitals


def split_tag(tag: str) -> tuple[str, str] | None:
    """`("B", "PER")` for `B-PER` (also `E-`, `S-`, `L-`, `U-`, and `B_PER`), `("", "PER")` for a bare type in
    capitals (`PER`, the IO scheme), `("O", "")` for `O`; None for what is not a tag."""
    tag = tag.strip()
    if tag in ("O", "o"):
        return ("O", "")
    if len(tag) > 2 and tag[1] in "-_" and tag[0].upper() in _PREFIXES:
        return (tag[0].upper(), tag[2:])
    if _BARE_TYPE.fullmatch(tag):
        return ("", tag)
    return None


def to_iob2(tags: Sequence[str]) -> list[str]:
    """The one tag converter: IOB1, IOB2, BIOES, BILOU or IO tags -> IOB2. `E-`/`L-` continue an entity, `S-`/`U-`
    start one; an `I-` that does not continue an entity of its type starts one (IOB1, IO).

    >>> to_iob2(["I-PER", "I-PER", "O", "S-LOC", "B-ORG", "E-ORG", "I-LOC", "B-LOC"])
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'B-ORG', 'I-ORG', 'B-LOC', 'B-LOC']
    """
    out: list[str] = []
    prev = ""
    for tag in tags:
        parsed = split_tag(tag)
        if parsed is None:
            raise ValueError(f"{tag!r} is not a tag")
        prefix, typ = parsed
        if prefix == "O":
            out.append("O")
            prev = ""
            continue
        prefix = _PREFIXES.get(prefix, "I")
        if prefix == "I" and prev != typ:
            prefix = "B"
        out.append(f"{prefix}-{typ}")
        prev = typ
    return out


def tag_scheme(tags: Sequence[str]) -> str:
    """The scheme a file's tags are written in, for the report: BIOES, IO, IOB1 (some entity starts with I-)
    or IOB2."""
    prefixes = Counter((split_tag(t) or ("?", ""))[0] for t in tags)
    if prefixes["E"] or prefixes["S"] or prefixes["L"] or prefixes["U"]:
        return "BIOES"
    if prefixes[""]:
        return "IO"
    converted = to_iob2(tags)
    i_starts = sum(1 for t, c in zip(tags, converted) if c.startswith("B-") and (split_tag(t) or ("", ""))[0] == "I")
    return "IOB1" if i_starts else "IOB2"


def parse_label_map(text: str | None) -> dict[str, str]:
    """`NAME=PER,ORGANIZATION=ORG,PATIENT_ID=O` -> {source type: schema type or "O"}."""
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        src, eq, dst = item.partition("=")
        src, dst = src.strip(), dst.strip()
        if not eq or not src or not dst:
            raise VnerError(f"--label-map: {item.strip()!r} is not SOURCE=TYPE; write e.g. NAME=PER,PATIENT_ID=O.")
        if dst not in ENTITY_TYPES and dst != "O":
            raise VnerError(
                f"--label-map: {src}={dst}: {dst!r} is not a schema type; map to one of "
                f"{', '.join(ENTITY_TYPES)} or to O (dropped)."
            )
        if src in out and out[src] != dst:
            raise VnerError(f"--label-map: {src} is mapped twice ({out[src]} and {dst}).")
        out[src] = dst
    return out


# ------------------------------------------------------------------------------------------ token files


@dataclass
class TokenSentence:
    doc: str  # document key within the file ("" when the file has no document markers)
    words: list[str]
    tags: list[str]  # as written in the file
    line: int  # line where the sentence starts (1-based)
    # JSON Lines only: the sentence id (given, else the next of its document) and, when the line carries them (the
    # JSON Lines `vner dataset` writes), its display text and word offsets
    sentence_id: int | None = None
    text: str | None = None
    offsets: list[Offsets] | None = None


@dataclass
class TokenFile:
    """What a first pass over a token file found: format details for the report and the entity types used."""

    path: Path
    format: str
    sentences: int = 0
    documents: int = 0
    doc_markers: bool = False
    columns: int | None = None  # CoNLL only: the number of columns of every token line (`conll_columns`)
    tag_column: int | None = None  # 1-based, CoNLL only
    scheme: str = ""
    types: Counter = field(default_factory=Counter)  # source type -> entities (decoded from IOB2)


def detect_format(path: Path) -> str:
    """`labelstudio` (a JSON list), `jsonl` (a JSON object per line with words and tags) or `conll` (token
    lines with at least two columns), from the start of the file; an undecided `.json` file is taken for a Label
    Studio export (whose reader says what is wrong with it)."""
    try:
        with open(path, "rb") as f:
            data = f.read(65536)
    except OSError:
        data = b""
    try:
        head = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8-sig") if exc.start >= len(data) - 3 else ""
    if not head.strip() or "\x00" in head:
        read_text_file(path)  # the one-line error of a missing, unreadable, empty, binary or non-UTF-8 file
    stripped = head.lstrip()
    is_json = path.suffix.lower() == ".json"
    # `[` or `{` may also be the first word of a CoNLL file (`[\tO`): JSON only when what follows says so
    if stripped[0] == "[" and (is_json or stripped[1:].lstrip()[:1] in ("{", "]")):
        return "labelstudio"
    if stripped[0] == "{":
        first = stripped.split("\n", 1)[0]
        try:
            obj = json.loads(first)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and any(k in obj for k in WORD_KEYS) and any(k in obj for k in TAG_KEYS):
            return "jsonl"
        if isinstance(obj, dict):
            if is_json:
                return "labelstudio"
            raise VnerError(
                f'{path}: a JSON object, but not JSON Lines of {{"words": [...], "tags": [...]}}; pass a '
                "Label Studio export (a JSON list of tasks), JSON Lines or CoNLL columns."
            )
    cols = _first_token_line(stripped.splitlines())
    if cols is not None and len(cols) >= 2 and split_tag(cols[-1]) is not None:
        return "conll"
    if is_json:
        return "labelstudio"
    raise VnerError(
        f"{path}: cannot tell the format (not a JSON list of tasks, not JSON Lines of words and tags, "
        "not token-TAB-tag columns); pass --format labelstudio|conll|jsonl."
    )


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a UTF-8 token file, one line at a time (a corpus can be large), a leading BOM removed;
    lines end at \\n, \\r\\n or \\r as in Python's text mode. A line that is not UTF-8 is a one-line error naming it:
    `detect_format` reads only the start of a file, and `--format` skips it."""
    try:
        f = open(path, "rb")
    except OSError:
        read_text_file(path)  # the one-line error of a missing or unreadable file
        raise
    n = 0
    with f:
        for raw in f:
            if n == 0:
                if raw.startswith(UTF16_BOMS):
                    raise VnerError(f"{path}: UTF-16; {UTF16_ADVICE}")
                raw = raw.removeprefix(codecs.BOM_UTF8)
            for part in raw.removesuffix(b"\n").removesuffix(b"\r").split(b"\r"):
                n += 1
                try:
                    line = part.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise VnerError(
                        f"{path}:{n}: not UTF-8 (invalid byte 0x{part[exc.start]:02x}); {NOT_UTF8_ADVICE}"
                    ) from None
                yield n, line


def _columns_of(line: str) -> list[str]:
    line = line.rstrip()  # trailing spaces or tabs are not an empty last column
    return line.split("\t") if "\t" in line else line.split()


def _tag_of(cols: Sequence[str], tag_column: int | None) -> str | None:
    k = (tag_column - 1) if tag_column else len(cols) - 1
    return cols[k] if len(cols) >= 2 and k < len(cols) else None


def _is_comment(line: str, cols: Sequence[str], tag: str | None, columns: int | None) -> bool:
    """Whether a line at a sentence's start is a comment: it starts with `#` and is not a token line. Comments end
    in words that look like IO tags (`# text = Ông Nguyễn Văn A`, `# newdoc id = D1`), so a `#` line is a token
    only with a tag and either no space after the `#` (`#\\tO`, `#Việt_Nam\\tO`) or the file's `columns`."""
    if not line.startswith("#"):
        return False
    return tag is None or split_tag(tag) is None or (line.startswith("# ") and len(cols) != columns)


def _first_token_line(lines: Iterable[str], tag_column: int | None = None) -> list[str] | None:
    """Columns of the first token line: not blank, not `-DOCSTART-`, not a comment. A `# ` line is never taken for
    it, since whether such a line is a token depends on the number of columns the first one gives (`_is_comment`)."""
    for line in lines:
        if line.strip():
            cols = _columns_of(line)
            if cols[0].strip() != "-DOCSTART-" and not _is_comment(line, cols, _tag_of(cols, tag_column), None):
                return cols
    return None


def conll_columns(path: Path, tag_column: int | None = None) -> int | None:
    """The number of columns of every token line of a CoNLL file: that of its first (`_first_token_line`)."""
    cols = _first_token_line((line for _, line in read_lines(path)), tag_column)
    return None if cols is None else len(cols)


def iter_conll(path: Path, tag_column: int | None = None, columns: int | None = None) -> Iterator[TokenSentence]:
    """Sentences of a CoNLL-style file (see the module docstring); `tag_column` is 1-based (default: last);
    `columns` is the file's number of columns when a first pass found it (`TokenFile.columns`)."""
    columns = columns or conll_columns(path, tag_column)
    doc_index = 0
    words: list[str] = []
    tags: list[str] = []
    start = 0
    for n, line in read_lines(path):
        if not line.strip():
            if words:
                yield TokenSentence(str(doc_index), words, tags, start)
                words, tags = [], []
            continue
        cols = _columns_of(line)
        if cols[0].strip() == "-DOCSTART-":
            if words:
                yield TokenSentence(str(doc_index), words, tags, start)
                words, tags = [], []
            doc_index += 1
            continue
        tag = _tag_of(cols, tag_column)
        if not words and _is_comment(line, cols, tag, columns):
            continue  # a comment line (`# text = ...`, `# sent_id = ...`)
        if tag is None:
            want = f"column {tag_column}" if tag_column else "a word and a tag"
            raise VnerError(
                f"{path}:{n}: {len(cols)} column(s), need {want}; write `word<TAB>tag` lines "
                "(blank line between sentences)."
            )
        if len(cols) != columns:
            raise VnerError(
                f"{path}:{n}: {len(cols)} columns, the file's token lines have {columns}; separate the columns "
                "with tabs, or join the syllables of a word with _ (Hà_Nội)."
            )
        if split_tag(tag) is None:
            raise VnerError(
                f"{path}:{n}: {tag!r} (column {tag_column or len(cols)}) is not a tag (O, B-TYPE, I-TYPE, E-TYPE, "
                "S-TYPE); pick the tag column with --tag-column N."
            )
        if not words:
            start = n
        words.append(cols[0])
        tags.append(tag)
    if words:
        yield TokenSentence(str(doc_index), words, tags, start)


def iter_jsonl(path: Path) -> Iterator[TokenSentence]:
    """Sentences of a JSON Lines file of `{"words": [...], "tags": [...]}` objects. A line's `sentence_id` is used
    when it has one, and its `text` with `token_starts`/`token_ends` when it has them (`jsonl_text`): so the JSON
    Lines `vner dataset` writes read back to the same examples."""
    lines_of: dict[str, dict[int, int]] = {}  # doc_id -> sentence id -> its line
    following: Counter = Counter()  # doc_id -> the id after its highest so far
    for n, line in read_lines(path):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise VnerError(f"{path}:{n}: invalid JSON at column {exc.colno} ({exc.msg}).") from None
        if not isinstance(obj, dict):
            raise VnerError(f"{path}:{n}: a JSON {type(obj).__name__}, not an object with words and tags.")
        words = next((obj[k] for k in WORD_KEYS if k in obj), None)
        tags = next((obj[k] for k in TAG_KEYS if k in obj), None)
        if not isinstance(words, list) or not isinstance(tags, list):
            raise VnerError(f'{path}:{n}: needs "words" and "tags" lists (or "tokens" and "ner_tags").')
        if any(not isinstance(t, str) for t in tags):
            raise VnerError(f'{path}:{n}: tags must be names like "B-PER", not ids; convert them first.')
        if any(not isinstance(w, str) for w in words):
            raise VnerError(f"{path}:{n}: every word must be a string.")
        if len(words) != len(tags):
            raise VnerError(f"{path}:{n}: {len(words)} words but {len(tags)} tags.")
        bad = next((t for t in tags if split_tag(t) is None), None)
        if bad is not None:
            raise VnerError(f"{path}:{n}: {bad!r} is not a tag (O, B-TYPE, I-TYPE, E-TYPE, S-TYPE).")
        if words:
            doc = "" if obj.get("doc_id") is None else str(obj["doc_id"])
            text, offsets = jsonl_text(obj, words, f"{path}:{n}")
            # a given id is kept (a document's ids may have gaps: repeats a dataset left out), else the next one
            sid = obj.get("sentence_id")
            if sid is not None and (type(sid) is not int or sid < 0):
                raise VnerError(f"{path}:{n}: sentence_id {sid!r} is not a whole number >= 0.")
            if doc:  # a line without doc_id is a document of its own
                sid = following[doc] if sid is None else sid
                used = lines_of.setdefault(doc, {})
                if sid in used:
                    raise VnerError(
                        f"{path}:{n}: sentence_id {sid} of document {doc!r} is also that of line {used[sid]}; give "
                        "each sentence of a document its own sentence_id, or drop the sentence_id fields to number "
                        "them in file order."
                    )
                used[sid] = n
                following[doc] = max(following[doc], sid + 1)
            yield TokenSentence(doc, words, tags, n, sid or 0, text, offsets)


def jsonl_text(obj: dict, words: Sequence[str], where: str) -> tuple[str | None, list[Offsets] | None]:
    """The display text and word offsets a JSON Lines line carries (`text`, `token_starts`, `token_ends`, as
    `vner dataset` writes them), or (None, None) without offsets (a `text` alone is not used: the words are).
    They must fit the words: NFC text, each word `word_form` of its characters (syllables joined by `_`), the
    words in order with only whitespace between them; anything else is an error naming the line."""
    if "token_starts" not in obj and "token_ends" not in obj:
        return None, None
    text, starts, ends = obj.get("text"), obj.get("token_starts"), obj.get("token_ends")
    fix = "fix them, or drop `text`, `token_starts` and `token_ends` to build the text from the words"
    if not isinstance(text, str) or not isinstance(starts, list) or not isinstance(ends, list):
        raise VnerError(f"{where}: token offsets need a `text` string and `token_starts`/`token_ends` lists; {fix}.")
    if len(starts) != len(words) or len(ends) != len(words):
        raise VnerError(
            f"{where}: {len(words)} words but {len(starts)} token_starts and {len(ends)} token_ends; {fix}."
        )
    if normalise_text(text) != text:
        raise VnerError(f"{where}: `text` is not NFC or holds control characters (vner writes NFC text); {fix}.")
    offsets: list[Offsets] = []
    prev = 0
    for k, (word, a, b) in enumerate(zip(words, starts, ends)):
        if not (type(a) is int and type(b) is int and prev <= a < b <= len(text)):
            raise VnerError(
                f"{where}: word {k + 1} {word!r} at {a!r}-{b!r} is not inside `text` after the word before; {fix}."
            )
        if text[prev:a].strip():
            raise VnerError(f"{where}: `text` holds {text[prev:a].strip()!r}, in no word, before word {k + 1}; {fix}.")
        if text[a].isspace() or text[b - 1].isspace() or word_form(text, a, b) != word:
            raise VnerError(f"{where}: word {k + 1} {word!r} is not `text` at {a}-{b} ({text[a:b]!r}); {fix}.")
        offsets.append((a, b))
        prev = b
    if text[prev:].strip():
        raise VnerError(f"{where}: `text` goes on after the last word ({text[prev:]!r}); {fix}.")
    return text, offsets


def iter_sentences(
    path: Path, fmt: str, tag_column: int | None = None, columns: int | None = None
) -> Iterator[TokenSentence]:
    return iter_conll(path, tag_column, columns) if fmt == "conll" else iter_jsonl(path)


def scan_token_file(path: Path, fmt: str, tag_column: int | None = None) -> TokenFile:
    """First pass: counts, scheme and the entity types of a token file (nothing is kept)."""
    info = TokenFile(path, fmt, tag_column=tag_column)
    if fmt == "conll":
        info.columns = conll_columns(path, tag_column)
    docs: set[str] = set()
    unnamed = 0  # JSON Lines sentences without doc_id: a document each
    sample: list[str] = []
    for sent in iter_sentences(path, fmt, tag_column, info.columns):
        info.sentences += 1
        docs.add(sent.doc)
        unnamed += fmt == "jsonl" and not sent.doc
        try:
            iob2 = to_iob2(sent.tags)
        except ValueError as exc:  # pragma: no cover - the readers check every tag
            raise VnerError(f"{path}:{sent.line}: {exc}") from None
        info.types.update(label for _, _, label in bio_entities(iob2))
        if len(sample) < 200_000:
            sample.extend(sent.tags + ["O"])
    if fmt == "conll":
        info.doc_markers = any(d != "0" for d in docs)
    else:
        info.doc_markers = any(d != "" for d in docs)
    info.documents = len(docs - {""}) + unnamed if info.doc_markers else info.sentences
    info.scheme = tag_scheme(sample) if sample else "IOB2"
    return info


def describe_token_file(info: TokenFile, split: str | None) -> str:
    where = f"{split}={info.path}" if split else str(info.path)
    what = FORMAT_NAMES[info.format]
    if info.format == "conll":
        what += f", tag from column {info.tag_column}" if info.tag_column else ", tag from the last column"
    docs = _n(info.documents, "document") if info.doc_markers else "no document markers: each sentence is a document"
    return f"{where}: {what}, {info.scheme} tags; {_n(info.sentences, 'sentence')} ({docs})"


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def normalise_words(words: Sequence[str], where: str) -> list[str]:
    """NFC, control characters made boundaries; an empty word is an error (it would shift every tag after it)."""
    out = []
    for k, w in enumerate(words):
        w = controls_to_boundaries(unicodedata.normalize("NFC", w)).strip()
        if not w:
            raise VnerError(f"{where}: word {k + 1} is empty; every token needs a word.")
        out.append(w)
    return out


def sentence_example(
    words: Sequence[str],
    tags: Sequence[str],
    *,
    doc_id: str,
    sentence_id: int,
    annotator: str,
    type_map: dict[str, str],
    where: str,
    text: str | None = None,
    offsets: Sequence[Offsets] | None = None,
) -> dict:
    """One example from a sentence of a token file: display text and word offsets from the words
    (`display_from_words`) unless the file gave them (`text`, `offsets`: checked by `jsonl_text`), spans from the
    IOB2 tags with mapped types (`bio_to_spans`), the example from `make_example` (as for a Label Studio task)."""
    if text is None or offsets is None:
        display, word_spans = display_from_words(normalise_words(words, where))
    else:
        display, word_spans = text, list(offsets)
    mapped = []
    for tag in to_iob2(tags):
        typ = tag[2:]
        target = type_map.get(typ, typ) if typ else ""
        mapped.append("O" if not typ or target == "O" else f"{tag[0]}-{target}")
    try:
        return make_example(doc_id, sentence_id, annotator, display, word_spans, bio_to_spans(word_spans, mapped))
    except SpanError as exc:  # pragma: no cover - spans made from whole words always fit
        raise VnerError(f"{where}: {exc}") from None


# ------------------------------------------------------------------------------------------ several sources


@dataclass
class Source:
    path: Path
    split: str | None  # a corpus's own split (`train=PATH`), or None: split by document ratios
    format: str = "auto"
    name: str = ""  # unique among the sources: the file name without extension, qualified when two collide


def parse_sources(args: Sequence[str]) -> list[Source]:
    """`PATH` or `SPLIT=PATH` (train, validation/dev/valid/val, test); a PATH holding `=` is read as a path
    unless the part before `=` names a split."""
    out = []
    for arg in args:
        head, eq, rest = arg.partition("=")
        if eq and head.strip().lower() in SPLIT_ALIASES and rest:
            out.append(Source(Path(rest), SPLIT_ALIASES[head.strip().lower()]))
        elif eq and not Path(arg).exists() and head and "/" not in head:
            raise VnerError(
                f"{arg}: {head!r} is not a split; write train=PATH, validation=PATH (or dev=PATH) or "
                "test=PATH, or a plain PATH to split by document ratios."
            )
        else:
            out.append(Source(Path(arg), None))
    seen: dict[Path, Source] = {}
    for s in out:
        key = s.path.resolve()
        if key in seen:
            raise VnerError(f"{s.path}: given twice; pass each file once.")
        seen[key] = s
    stems = Counter(s.path.stem for s in out)
    for k, s in enumerate(out):
        s.name = s.path.stem if stems[s.path.stem] == 1 else f"{s.path.parent.name or k}/{s.path.stem}"
    names = Counter(s.name for s in out)
    for k, s in enumerate(out):
        if names[s.name] > 1:
            s.name = f"{s.name}#{k + 1}"
    return out


@dataclass
class SourcesResult:
    examples: list[dict]
    fixed: dict[str, str]  # doc_id -> split, for documents from `SPLIT=PATH` sources
    issues: list
    stats: dict[str, Any]
    provenance: Provenance
    notes: list[str]  # lines for the user: label-map keys not found, documents kept apart, ...


def _merge_stats(into: dict[str, Any], stats: dict[str, Any]) -> None:
    for key, value in stats.items():
        if isinstance(value, list):
            into.setdefault(key, []).extend(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            into[key] = into.get(key, 0) + value
        elif isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
            merged = into.setdefault(key, {})  # counts per kind (e.g. which rule chose the annotation)
            for k, v in value.items():
                merged[k] = merged.get(k, 0) + v
        else:
            into.setdefault(key, value)


def load_sources(
    sources: Sequence[Source],
    *,
    fmt: str = "auto",
    tag_column: int | None = None,
    label_map: dict[str, str] | None = None,
    use_predictions: bool = False,
    annotations: str = "latest",
    lenient: bool = False,
    progress: bool = False,
    on_source=None,
    keep_repeats: bool = False,
) -> SourcesResult:
    """Examples of every source, with the documents of `SPLIT=PATH` sources fixed to their split.

    Token files are scanned first (formats, schemes, entity types) and every type neither in the schema nor in
    `label_map` stops here, all of them in one error with their counts. Label Studio exports are read by
    `load_export` (`use_predictions`, `annotations`, `lenient`, `keep_repeats` apply to them); with several
    sources, tasks vner did not write get the source name before their document id, and a document id that two
    exports use for different texts is kept apart as `<source>/<doc_id>` in each. `on_source(line)` is called with
    one line per source saying what was detected."""
    from .export import ExportIssue, duplicate_message, load_export

    if fmt not in FORMATS:
        raise VnerError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    if not sources:
        raise VnerError("no input: pass Label Studio exports or token files (SPLIT=PATH keeps a corpus's split).")
    label_map = dict(label_map or {})
    several = len(sources) > 1
    lines: list[str] = []
    scans: dict[int, TokenFile] = {}
    for k, src in enumerate(sources):
        src.format = detect_format(src.path) if fmt == "auto" else fmt
        if src.format in ("conll", "jsonl"):
            scans[k] = scan_token_file(src.path, src.format, tag_column)
    found = Counter()
    for info in scans.values():
        found.update(info.types)
    unmapped = {t: n for t, n in found.items() if t not in ENTITY_TYPES and t not in label_map}
    if unmapped:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(unmapped.items(), key=lambda x: (-x[1], x[0])))
        example = ",".join(f"{t}={LIKELY_TYPES.get(t.upper(), 'O')}" for t in sorted(unmapped))
        raise VnerError(
            f"entity types neither in the schema ({', '.join(ENTITY_TYPES)}) nor mapped: {listed}; map "
            f"each with --label-map, to a schema type or to O to drop it (e.g. --label-map {example})."
        )

    examples: list[dict] = []
    fixed: dict[str, str] = {}
    fixed_from: dict[str, str] = {}
    issues: list = []
    stats: dict[str, Any] = {}
    notes: list[str] = []
    per_source: list[list[dict]] = []
    for k, src in enumerate(sources):
        if k in scans:
            info = scans[k]
            rows = _token_file_examples(src, info, label_map)
            line = describe_token_file(info, src.split)
        else:
            res = load_export(
                src.path,
                use_predictions=use_predictions,
                annotations=annotations,
                lenient=lenient,
                progress=progress,
                doc_prefix=f"{src.name}/" if several else "",
                keep_repeats=keep_repeats,
            )
            rows = res.examples
            issues += res.issues
            _merge_stats(stats, res.stats)
            where = f"{src.split}={src.path}" if src.split else str(src.path)
            line = (
                f"{where}: {FORMAT_NAMES['labelstudio']}; {len(rows)} sentences from {res.stats['tasks_used']} "
                f"of {res.stats['tasks']} tasks"
            )
        lines.append(line)
        if on_source is not None:
            on_source(line)
        per_source.append(rows)

    # documents that two sources name alike: the same document if their common sentences agree, else kept apart
    texts: dict[str, dict[int, dict[int, str]]] = {}
    for k, rows in enumerate(per_source):
        for ex in rows:
            texts.setdefault(ex["doc_id"], {}).setdefault(k, {})[ex["sentence_id"]] = ex["text"]
    apart = set()
    for doc_id, by_source in texts.items():
        if len(by_source) > 1:
            ks = sorted(by_source)
            if any(
                by_source[a][s] != by_source[b][s]
                for i, a in enumerate(ks)
                for b in ks[i + 1 :]
                for s in set(by_source[a]) & set(by_source[b])
            ):
                apart.add(doc_id)
    if apart:
        notes.append(
            f"{len(apart)} document id(s) name different texts in different exports and were kept apart "
            f"as <source>/<id>: {', '.join(sorted(apart)[:5])}{' ...' if len(apart) > 5 else ''}"
        )
    seen: dict[str, tuple[str, str]] = {}
    duplicates: list = []
    for src, rows in zip(sources, per_source):
        for ex in rows:
            if ex["doc_id"] in apart:
                ex["doc_id"] = f"{src.name}/{ex['doc_id']}"
                ex["id"] = f"{src.name}/{ex['id']}"
            if ex["id"] in seen:
                first_src, first_text = seen[ex["id"]]
                duplicates.append(
                    ExportIssue(
                        str(src.path), None, "duplicate", duplicate_message(ex, first_src, first_text, where="source")
                    )
                )
                continue
            seen[ex["id"]] = (str(src.path), ex["text"])
            if src.split:
                if fixed.get(ex["doc_id"], src.split) != src.split:
                    raise VnerError(
                        f"document {ex['doc_id']} is in {fixed[ex['doc_id']]} ({fixed_from[ex['doc_id']]}) "
                        f"and in {src.split} ({src.path}); a document belongs to one split."
                    )
                fixed[ex["doc_id"]] = src.split
                fixed_from[ex["doc_id"]] = str(src.path)
            examples.append(ex)
    if duplicates and not lenient:
        first = "; ".join(i.message for i in duplicates[:2])
        raise VnerError(
            f"{len(duplicates)} sentence(s) come from two sources: {first}. Pass --lenient to keep the "
            "first and list the others in issues.jsonl."
        )
    issues += duplicates
    used = set(found)
    for src_type in sorted(set(label_map) - used):
        notes.append(f"--label-map {src_type}={label_map[src_type]}: no {src_type} entity in the token files")
    rows = [(t, label_map.get(t, t), n) for t, n in sorted(found.items(), key=lambda x: (-x[1], x[0]))]
    split_rule = _split_rule(sources)
    return SourcesResult(examples, fixed, issues, stats, Provenance(lines, split_rule, rows), notes)


def _split_rule(sources: Sequence[Source]) -> str:
    given = [s for s in sources if s.split]
    free = [s for s in sources if not s.split]
    parts = []
    if given:
        parts.append(
            "The splits given with the sources are kept as they are ("
            + ", ".join(f"`{s.split}` = `{s.path.name}`" for s in given)
            + ")."
        )
    if free:
        parts.append(
            ("The other sources are split" if given else "Splits are made") + " by document (no document is "
            "in two splits), shuffled with a fixed seed and cut by document counts."
        )
    return " ".join(parts)


def _token_file_examples(src: Source, info: TokenFile, label_map: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    next_sentence: Counter = Counter()
    doc_index: dict[str, int] = {}
    annotator = f"corpus:{src.path.name}"
    named: dict[str, bool] = {}  # JSON Lines: doc id -> given in the file (a given "line00002" meets line 2's id)
    for k, sent in enumerate(iter_sentences(src.path, info.format, info.tag_column, info.columns)):
        if info.format == "jsonl":
            key = sent.doc or f"\x00{k}"
            # a sentence without doc_id is named by its line, not its index, which a given doc_id ("00001") can be
            doc_id = f"{src.name}-{sent.doc}" if sent.doc else f"{src.name}-line{sent.line:05d}"
            if named.setdefault(doc_id, bool(sent.doc)) != bool(sent.doc):
                raise VnerError(
                    f"{src.path}:{sent.line}: document id {doc_id} would be both a doc_id given in the file and the "
                    "id of a line without doc_id; rename that doc_id."
                )
        elif info.doc_markers:
            key = sent.doc
            doc_id = f"{src.name}-{doc_index.setdefault(key, len(doc_index)):05d}"
        else:
            key = str(k)
            doc_id = f"{src.name}-{k:05d}"
        sid = next_sentence[key] if sent.sentence_id is None else sent.sentence_id  # JSON Lines come numbered
        next_sentence[key] += 1
        rows.append(
            sentence_example(
                sent.words,
                sent.tags,
                doc_id=doc_id,
                sentence_id=sid,
                annotator=annotator,
                type_map=label_map,
                where=f"{src.path}:{sent.line}",
                text=sent.text,
                offsets=sent.offsets,
            )
        )
    return rows


__all__ = [
    "FORMATS",
    "SPLITS",
    "Source",
    "SourcesResult",
    "conll_columns",
    "detect_format",
    "iter_conll",
    "iter_jsonl",
    "load_sources",
    "parse_label_map",
    "parse_sources",
    "read_lines",
    "scan_token_file",
    "sentence_example",
    "tag_scheme",
    "to_iob2",
]
