"""A fast PhoBERT tokenizer with exactly the ids of `transformers.PhobertTokenizer`.

`transformers` ships PhoBERT's tokenizer only as slow Python code, and `BatchEncoding.word_ids()` raises on it,
which is what label alignment needs. This module rebuilds the same tokenizer from PhoBERT's own two files
(`vocab.txt`, `bpe.codes`) with the `tokenizers` library:

* pre-tokenizer: Python's `re.findall(r"\\S+\\n?", text)`, written with an explicit class of the characters Python
  calls whitespace (Rust's `\\s` disagrees with Python's on U+001C..U+001F);
* model: BPE with `end_of_word_suffix="</w>"`; PhoBERT's vocab entry `X@@` (a non-final piece) is the BPE symbol
  `X`, its entry `Y` (a final piece) is the symbol `Y</w>`; merges in `bpe.codes` order (= rank);
* BPE symbols the slow tokenizer would look up under another id (merge intermediates missing from the vocab,
  and `Y@@` read as a final piece) get unique extra ids, mapped back (to `<unk>` or the right id) after encoding,
  so the model only ever sees ids below `len(tokenizer)`;
* special tokens `<s> <pad> </s> <unk> <mask>` in text are matched before splitting, as the slow tokenizer does;
* post-processor `<s> A </s>` / `<s> A </s></s> B </s>`.

`load_tokenizer(name_or_path)` returns this tokenizer for PhoBERT (Hub ids such as `vinai/phobert-base`, a folder in
the Hub's layout `vocab.txt` + `bpe.codes`, or one in fairseq's layout `dict.txt` + `bpe.codes`, which is how VinAI
ships its fairseq checkpoints) and `AutoTokenizer(use_fast=True)` for any other backbone; a folder that is none of
these is a one-line error naming what is missing. PhoBERT's own two files are vendored in `training/phobert_files/`
(MIT, with their provenance): `phobert_files()` is that folder.

`bpe.codes` is read as the slow tokenizer reads it: lines split with `str.split()`, the last field (the count)
dropped, ranks by line order (a repeated pair keeps its last rank). 23 of PhoBERT's 64,000 lines hold U+00A0
(no-break space), which `split()` treats as whitespace: the 22 that use it as a symbol on its own (`\xa0 km</w>`)
become 0- or 1-field "merges" that no pair of symbols can ever match (left out of the BPE model: they change
nothing), and `\xa0° C</w>` becomes the real pair `° C</w>` (kept, at its rank: the slow tokenizer applies it).
`save_pretrained` writes PhoBERT's own files (vocab.txt, bpe.codes, tokenizer_config.json naming
`PhobertTokenizer`), so a saved model folder loads with the stock slow tokenizer too. A literal `</w>` typed in
the text makes a non-final BPE symbol look like a final one (the slow tokenizer conflates them in merging too,
only its final lookup differs); inputs that contain it get that lookup fixed token by token from the offsets, all
other inputs take the plain fast path.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys
from pathlib import Path

import transformers
from transformers import PreTrainedTokenizerFast

from annotation.errors import VnerError

logger = logging.getLogger(__name__)

# PhobertTokenizerFast overrides private methods of transformers' fast tokenizer base class (`_encode_plus`,
# `_convert_encoding`, ...). Their contract was checked on these versions (parity tests); fail at import, with the
# fix, rather than with wrong ids.
MIN_TRANSFORMERS = "4.47"
_OVERRIDDEN = ("_encode_plus", "_convert_encoding", "_convert_token_to_id_with_added_voc")


def _check_transformers() -> None:
    from packaging.version import Version

    found = Version(transformers.__version__)
    missing = [m for m in _OVERRIDDEN if not hasattr(PreTrainedTokenizerFast, m)]
    if found < Version(MIN_TRANSFORMERS) or missing:
        raise ImportError(
            f"vner's PhoBERT tokenizer needs transformers>={MIN_TRANSFORMERS} (found {transformers.__version__}"
            + (f", which lacks {', '.join(missing)}" if missing else "")
            + f"); run: pip install 'transformers>={MIN_TRANSFORMERS}'"
        )


_check_transformers()

VOCAB_FILE = "vocab.txt"
FAIRSEQ_VOCAB_FILE = "dict.txt"  # fairseq's name for the same `token count` file
MERGES_FILE = "bpe.codes"
PHOBERT_FILES = (VOCAB_FILE, MERGES_FILE)
END_OF_WORD = "</w>"
CONTINUATION = "@@"
# id order fixed by PhobertTokenizer: these four first, the vocab file next, <mask> last.
BOS, PAD, EOS, UNK, MASK = "<s>", "<pad>", "</s>", "<unk>", "<mask>"


def python_whitespace() -> str:
    """Every character Python's `\\s` (= `str.isspace`) matches, in code point order."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


# Computed once at import (~0.1 s would be wasted on each call); tests check it against `re`.
_PY_WHITESPACE = python_whitespace()
_WHITESPACE = re.compile(r"\s")


def pretokenize_pattern() -> str:
    """Oniguruma pattern equal to Python's `\\S+\\n?` (explicit class, so no engine's idea of `\\s` matters)."""
    cls = "".join(f"\\x{{{ord(c):X}}}" for c in _PY_WHITESPACE)
    return f"[^{cls}]+\\n?"


def read_vocab(path: str | os.PathLike) -> dict[str, int]:
    """PhoBERT's token -> id map, built exactly as `PhobertTokenizer.add_from_file` builds it (incl. <mask>)."""
    encoder = {BOS: 0, PAD: 1, EOS: 2, UNK: 3}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f.readlines(), 1):
            line = raw.strip()
            idx = line.rfind(" ")
            if idx == -1:
                raise VnerError(f"{path}:{n}: expected '<token> <count>', got {raw!r}; is this a PhoBERT vocab.txt?")
            encoder[line[:idx]] = len(encoder)
    # <mask> is added by PreTrainedTokenizer as a special token: next free id unless already in the vocab.
    encoder.setdefault(MASK, len(encoder))
    return encoder


def phobert_files() -> Path:
    """The folder of PhoBERT's own `vocab.txt` and `bpe.codes` vendored in this package (with LICENSE, README)."""
    from importlib.resources import files

    return Path(str(files(__package__ or "training").joinpath("phobert_files")))


def read_merges(path: str | os.PathLike) -> list[tuple[str, str]]:
    """Merge pairs in rank order, exactly as `PhobertTokenizer` reads them: `f.read().split("\\n")[:-1]`, each line
    `tuple(line.split()[:-1])`, ranks `dict(zip(merges, range(len(merges))))` (a repeated pair keeps its last rank).
    Entries that are not pairs (lines with U+00A0, which `split()` treats as whitespace) can never match a pair of
    symbols, so they are left out; pairs keep their relative order, which is all BPE uses."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    ranks: dict[tuple[str, ...], int] = {}
    for rank, line in enumerate(lines):
        ranks[tuple(line.split()[:-1])] = rank
    pairs = [p for p, _ in sorted(ranks.items(), key=lambda kv: kv[1]) if len(p) == 2]
    if len(pairs) < len(ranks):
        logger.debug(
            "%s: %d merge lines are not pairs once split (U+00A0 symbols); no pair can match them",
            path,
            len(ranks) - len(pairs),
        )
    return pairs  # type: ignore[return-value]


def build_backend(vocab_file: str | os.PathLike, merges_file: str | os.PathLike):
    """The `tokenizers.Tokenizer`, the remap {extra id -> PhoBERT id} applied after encoding, PhoBERT's vocab."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors

    encoder = read_vocab(vocab_file)
    merges = read_merges(merges_file)
    specials = {BOS, PAD, EOS, UNK, MASK}

    def slow_id(piece: str) -> int:  # the id the slow tokenizer gives a piece string
        return encoder.get(piece, encoder[UNK])

    # BPE symbol -> id. Primary symbols get PhoBERT's own id; each vocab id is used by one symbol only, so merges
    # (which the Rust BPE keys on id pairs) stay unambiguous. Every other symbol gets an extra id >= len(encoder).
    bpe_vocab: dict[str, int] = {}
    for token, i in encoder.items():
        if token in specials:
            bpe_vocab[token] = i
        elif token.endswith(CONTINUATION) and len(token) > len(CONTINUATION):
            bpe_vocab.setdefault(token[: -len(CONTINUATION)], i)
        else:
            bpe_vocab.setdefault(token + END_OF_WORD, i)
    remap: dict[int, int] = {}
    next_id = len(encoder)

    def ensure(symbol: str) -> None:
        nonlocal next_id
        if symbol in bpe_vocab:
            return
        bpe_vocab[symbol] = next_id
        # What would the slow tokenizer look this symbol up as? A final piece if it ends with </w>, else X@@.
        piece = symbol[: -len(END_OF_WORD)] if symbol.endswith(END_OF_WORD) else symbol + CONTINUATION
        remap[next_id] = slow_id(piece)
        next_id += 1

    # vocab entries `Y@@` can also be read as the final piece `Y@@` (a word ending in "@@").
    for token in list(encoder):
        if token not in specials and token.endswith(CONTINUATION) and len(token) > len(CONTINUATION):
            ensure(token + END_OF_WORD)
    for a, b in merges:
        ensure(a)
        ensure(b)
        ensure(a + b)

    model = models.BPE(
        vocab=bpe_vocab, merges=merges, unk_token=UNK, end_of_word_suffix=END_OF_WORD, fuse_unk=False, dropout=None
    )
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(pretokenize_pattern()), behavior="removed", invert=True)
    tok.add_special_tokens(
        [
            AddedToken(t, special=True, normalized=False, lstrip=False, rstrip=False, single_word=False)
            for t in (BOS, PAD, EOS, UNK, MASK)
        ]
    )
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A {EOS}",
        pair=f"{BOS} $A {EOS} {EOS} $B {EOS}",
        special_tokens=[(BOS, encoder[BOS]), (EOS, encoder[EOS])],
    )
    tok.decoder = decoders.BPEDecoder(suffix=END_OF_WORD)
    return tok, remap, encoder


class PhobertTokenizerFast(PreTrainedTokenizerFast):
    """Fast PhoBERT tokenizer with the slow tokenizer's ids; gives `word_ids()`. Build with `load_tokenizer`."""

    vocab_files_names = {"vocab_file": VOCAB_FILE, "merges_file": MERGES_FILE}
    model_input_names = ["input_ids", "attention_mask"]
    slow_tokenizer_class = None

    def __init__(self, vocab_file: str, merges_file: str, **kwargs):
        backend, remap, encoder = build_backend(vocab_file, merges_file)
        self._remap, self._size, self._encoder = remap, len(encoder), encoder
        self._id_to_piece = {i: t for t, i in encoder.items()}
        self._literal_eow = False
        self._backend_plain = None
        self._word_cache: dict[str, list[int]] = {}
        for key, value in dict(
            bos_token=BOS, eos_token=EOS, sep_token=EOS, cls_token=BOS, unk_token=UNK, pad_token=PAD, mask_token=MASK
        ).items():
            kwargs.setdefault(key, value)
        super().__init__(tokenizer_object=backend, **kwargs)
        self.vocab_file, self.merges_file = str(vocab_file), str(merges_file)

    # -- ids: extra BPE ids never leave the tokenizer
    def _fix(self, ids):
        if self._remap and ids and max(ids) >= self._size:
            return [self._remap.get(i, i) for i in ids]
        return ids

    def _encode_plus(self, text, text_pair=None, *args, **kwargs):
        # repr() finds "</w>" in a str or any nesting of lists of str (it has no characters repr escapes).
        self._literal_eow = END_OF_WORD in repr(text) or (text_pair is not None and END_OF_WORD in repr(text_pair))
        try:
            return super()._encode_plus(text, text_pair, *args, **kwargs)
        finally:
            self._literal_eow = False

    # transformers 4.x sends batches through `_batch_encode_plus` (5.x: everything through `_encode_plus`)
    if hasattr(PreTrainedTokenizerFast, "_batch_encode_plus"):

        def _batch_encode_plus(self, batch_text_or_text_pairs, *args, **kwargs):
            self._literal_eow = END_OF_WORD in repr(batch_text_or_text_pairs)
            try:
                return super()._batch_encode_plus(batch_text_or_text_pairs, *args, **kwargs)
            finally:
                self._literal_eow = False

    def _convert_encoding(self, encoding, *args, **kwargs):
        encoding_dict, encodings = super()._convert_encoding(encoding, *args, **kwargs)
        rows = []
        for ids, enc in zip(encoding_dict["input_ids"], encodings):
            ids = self._fix(ids)
            if self._literal_eow:
                ids = self._fix_literal_end_of_word(ids, enc)
            rows.append(ids)
        encoding_dict["input_ids"] = rows
        return encoding_dict, encodings

    def encode_pieces(self, words_batch) -> list[list[list[int]]]:
        """For each word list, the ids of each word tokenized alone (no special tokens): exactly what
        `self(words, is_split_into_words=True)` gives word by word. The hot path of `encode_words`: with pre-split
        input each word is tokenized on its own, so a word -> ids memo is exact; only unseen words reach the Rust
        backend. The inner lists are the memo's own: read them, never modify them."""
        cache = self._word_cache
        words_batch = [words if isinstance(words, list) else list(words) for words in words_batch]
        # distinct words first (C-speed dict.fromkeys), then the ones the memo lacks
        unseen = [w for w in dict.fromkeys(itertools.chain.from_iterable(words_batch)) if w not in cache]
        if unseen:
            if len(cache) + len(unseen) > 1_000_000:  # bound the memory on endless streams
                cache.clear()
            if self._backend_plain is None:  # no padding/truncation state from __call__
                self._backend_plain = type(self._tokenizer).from_str(self._tokenizer.to_str())
                self._backend_plain.no_padding()
                self._backend_plain.no_truncation()
            cache.update(self._encode_distinct_words(unseen))
        get = cache.__getitem__
        return [list(map(get, words)) for words in words_batch]

    def encode_pretokenized(self, words_batch) -> list[tuple[list[int], list[int]]]:
        """(ids, word ids) of each word list, no special tokens; the same as
        `self(words, is_split_into_words=True)` without `<s>`/`</s>`."""
        out = []
        for pieces in self.encode_pieces(words_batch):
            lens = list(map(len, pieces))
            ids = list(itertools.chain.from_iterable(pieces))
            if len(ids) == len(pieces) and 0 not in lens:
                word_ids = list(range(len(pieces)))
            else:
                word_ids = list(itertools.chain.from_iterable(map(itertools.repeat, range(len(pieces)), lens)))
            out.append((ids, word_ids))
        return out

    def _encode_distinct_words(self, words: list[str]) -> dict[str, list[int]]:
        """ids of each word alone. A plain word (no whitespace, no `<`: so no special token and no typed `</w>`) is
        one pre-token with nothing to normalise, so it goes straight to the BPE model (`model.tokenize`: about
        twice as fast as a pipeline call, which tracks offsets and added tokens). The others go one by one
        through the whole pipeline."""
        backend = self._backend_plain
        out: dict[str, list[int]] = {}
        joined = "".join(words)
        if "" not in words and "<" not in joined and not _WHITESPACE.search(joined):  # usual: all plain, one check
            plain = words
        else:
            plain = [w for w in words if w and "<" not in w and not _WHITESPACE.search(w)]
        if plain:
            tokenize, size = backend.model.tokenize, self._size
            for word in plain:
                ids = [token.id for token in tokenize(word)]
                out[word] = self._fix(ids) if max(ids) >= size else ids
        rest = [w for w in words if w not in out]
        if rest:
            literal = any(END_OF_WORD in w for w in rest)
            # one word at a time needs no word ids; offsets only for the typed-</w> fix
            encode = backend.encode_batch if literal else backend.encode_batch_fast
            for word, enc in zip(rest, encode([[w] for w in rest], is_pretokenized=True, add_special_tokens=False)):
                ids = self._fix(enc.ids)
                out[word] = self._fix_literal_end_of_word(ids, enc) if literal else ids
        return out

    def _fix_literal_end_of_word(self, ids, enc):
        """A symbol ending in a TYPED `</w>` covers as many characters as it has (a real end-of-word symbol
        covers 4 fewer); it is a non-final piece, which PhoBERT looks up as `symbol@@`."""
        ids = list(ids)
        unk = self._encoder[UNK]
        for k, (token, (start, end), special) in enumerate(zip(enc.tokens, enc.offsets, enc.special_tokens_mask)):
            if not special and token.endswith(END_OF_WORD) and len(token) == end - start:
                ids[k] = self._encoder.get(token + CONTINUATION, unk)
        return ids

    def _convert_token_to_id_with_added_voc(self, token: str) -> int:
        return self._encoder.get(token, self._encoder[UNK])

    # -- token strings are PhoBERT's vocab entries (`X@@`, `Y`), not the BPE symbols (`X`, `Y</w>`)
    def convert_ids_to_tokens(self, ids, skip_special_tokens: bool = False):
        if isinstance(ids, int):
            return self._id_to_piece.get(ids, UNK)
        skip = set(self.all_special_ids) if skip_special_tokens else set()
        return [self._id_to_piece.get(int(i), UNK) for i in ids if int(i) not in skip]

    def tokenize(self, text: str, pair: str | None = None, add_special_tokens: bool = False, **kwargs) -> list[str]:
        """Like PhobertTokenizer.tokenize, except that a piece missing from the vocab reads `<unk>`."""
        ids = self._encode_plus(text=text, text_pair=pair, add_special_tokens=add_special_tokens, **kwargs)
        return self.convert_ids_to_tokens(ids["input_ids"])

    @property
    def vocab_size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return self._size

    def get_vocab(self) -> dict[str, int]:
        return dict(self._encoder)

    # -- saving: PhoBERT's own files, loadable by the stock slow PhobertTokenizer and by load_tokenizer
    def save_pretrained(self, save_directory, legacy_format=None, filename_prefix=None, push_to_hub=False, **kwargs):
        from transformers import PhobertTokenizer

        slow = PhobertTokenizer(self.vocab_file, self.merges_file, model_max_length=self.model_max_length)
        return slow.save_pretrained(save_directory, filename_prefix=filename_prefix, push_to_hub=push_to_hub, **kwargs)


def phobert_tokenizer_fast(vocab_file: str | os.PathLike, merges_file: str | os.PathLike, **kw):
    """The fast tokenizer from the two PhoBERT files."""
    return PhobertTokenizerFast(str(vocab_file), str(merges_file), **kw)


# ---------------------------------------------------------------------------------------------- loading


def _resolve(name_or_path: str, filename: str, **kw) -> str | None:
    """Local path of `filename` in a folder or Hub repo (local cache first, then the Hub), or None."""
    local = Path(name_or_path)
    if local.is_dir():
        return str(local / filename) if (local / filename).is_file() else None
    from transformers.utils import cached_file

    options = dict(_raise_exceptions_for_missing_entries=False, _raise_exceptions_for_connection_errors=False)
    attempts = [dict(kw, local_files_only=True)]
    if not kw.get("local_files_only"):
        attempts.append(kw)
    for extra in attempts:
        try:
            path = cached_file(name_or_path, filename, **options, **extra)
        except Exception:
            path = None
        if path:
            return path
    return None


def _config_tokenizer_class(name_or_path: str, **kw) -> str | None:
    for filename in ("tokenizer_config.json", "config.json"):
        path = _resolve(name_or_path, filename, **kw)
        if path:
            try:
                cls = json.loads(Path(path).read_text(encoding="utf-8")).get("tokenizer_class")
            except (OSError, ValueError):
                cls = None
            if cls:
                return cls
    return None


def local_phobert_files(folder: str | os.PathLike) -> tuple[str, str] | None:
    """(vocab, merges) of a folder in the Hub's layout (`vocab.txt` + `bpe.codes`) or fairseq's (`dict.txt` +
    `bpe.codes`), else None."""
    folder = Path(folder)
    merges = folder / MERGES_FILE
    if not merges.is_file():
        return None
    for name in (VOCAB_FILE, FAIRSEQ_VOCAB_FILE):
        if (folder / name).is_file():
            return str(folder / name), str(merges)
    return None


def looks_like_hub_id(name: str) -> bool:
    """`owner/name` or `name` as the Hub spells repository ids (not a path: no `./`, `~`, leading `/`, `\\`)."""
    return bool(re.fullmatch(r"(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*", name)) and ".." not in name


def is_phobert(name_or_path: str | os.PathLike, **kw) -> bool:
    """True for PhoBERT-format tokenizers: a config naming PhobertTokenizer, vocab.txt (or fairseq's dict.txt) +
    bpe.codes in a folder, or a Hub id with `phobert` in its name (decided without the network)."""
    name_or_path = str(name_or_path)
    local = Path(name_or_path).is_dir()
    if not local and "phobert" in name_or_path.lower():
        return True
    if local and local_phobert_files(name_or_path):
        return True
    cls = _config_tokenizer_class(name_or_path, **kw)
    return cls is not None and cls.removesuffix("Fast") == "PhobertTokenizer"


def _model_max_length(name_or_path: str, **kw) -> int:
    max_length = 256  # 258 positions - 2 (RoBERTa positions start after the pad id)
    init = _resolve(name_or_path, "tokenizer_config.json", **kw)
    if init:
        try:
            max_length = int(json.loads(Path(init).read_text(encoding="utf-8")).get("model_max_length", 256))
        except (OSError, ValueError, TypeError):
            pass
    return min(max_length, 256)


def _missing_tokenizer_error(folder: Path) -> VnerError:
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    if MERGES_FILE in present:
        what = f"{VOCAB_FILE} (or fairseq's {FAIRSEQ_VOCAB_FILE}) next to {MERGES_FILE}"
    elif present & {VOCAB_FILE, FAIRSEQ_VOCAB_FILE}:
        what = f"{MERGES_FILE} next to {sorted(present & {VOCAB_FILE, FAIRSEQ_VOCAB_FILE})[0]}"
    else:
        what = (
            f"a tokenizer: {VOCAB_FILE} + {MERGES_FILE} (PhoBERT), {FAIRSEQ_VOCAB_FILE} + {MERGES_FILE} (fairseq) "
            "or tokenizer.json (other models)"
        )
    return VnerError(
        f"{folder}: missing {what}; copy the base model's tokenizer files there, or build a PhoBERT-"
        "format folder with `vner tiny-model`."
    )


def load_tokenizer(name_or_path: str | os.PathLike, **kw):
    """Exact-parity fast tokenizer for PhoBERT (Hub id, Hub-layout or fairseq-layout folder);
    `AutoTokenizer(use_fast=True)` for other backbones."""
    name_or_path = str(name_or_path)
    folder = Path(name_or_path).expanduser()
    if folder.is_dir():
        files = local_phobert_files(folder)
        if files:
            return phobert_tokenizer_fast(
                *files, model_max_length=_model_max_length(str(folder)), name_or_path=name_or_path
            )
        cls = _config_tokenizer_class(str(folder))
        if (cls and cls.removesuffix("Fast") == "PhobertTokenizer") or not (
            (folder / "tokenizer.json").is_file() or (folder / "tokenizer_config.json").is_file()
        ):
            raise _missing_tokenizer_error(folder)
    elif folder.exists():
        raise VnerError(f"{name_or_path}: not a folder; pass a model folder or a Hub id such as vinai/phobert-base.")
    elif not looks_like_hub_id(name_or_path):
        raise VnerError(f"{name_or_path}: no such folder (and not a Hub id such as vinai/phobert-base).")
    elif is_phobert(name_or_path, **kw):
        from training import hub

        cached = [_resolve(name_or_path, f, **{**kw, "local_files_only": True}) for f in PHOBERT_FILES]
        if not all(cached) and not kw.get("local_files_only"):
            reason = hub.probe(name_or_path, MERGES_FILE)  # one quick request instead of minutes of retries
            if reason:
                raise hub.unreachable_error(name_or_path, reason)
        files = [c or _resolve(name_or_path, f, **kw) for c, f in zip(cached, PHOBERT_FILES)]
        if not all(files):
            missing = [f for f, p in zip(PHOBERT_FILES, files) if not p]
            raise VnerError(f"{name_or_path}: the model has no PhoBERT tokenizer file(s) {missing}.")
        return phobert_tokenizer_fast(
            files[0], files[1], model_max_length=_model_max_length(name_or_path, **kw), name_or_path=name_or_path
        )
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(name_or_path, use_fast=True, **kw)
    if not getattr(tok, "is_fast", False):
        raise VnerError(f"{name_or_path}: no fast tokenizer available; label alignment needs word_ids().")
    return tok
