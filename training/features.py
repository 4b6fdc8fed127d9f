"""Words -> subword windows with aligned labels, and subword predictions -> word predictions.

Labels: each word's label goes on its FIRST subword; other subwords and `<s>`/`</s>` get -100 (ignored by the
loss and by seqeval). With `label_all_subwords=True` continuation subwords are labelled too: the word's label,
except that `B-X` becomes `I-X` (a continuation is inside the entity, never its beginning), so BIO stays valid
when read subword by subword.

Length: PhoBERT has 258 positions = 256 tokens including `<s>` and `</s>`. A sentence whose subwords do not fit
is cut into consecutive, non-overlapping windows at word boundaries (each window gets its own `<s> ... </s>`);
nothing is truncated. `sentences_cut` in the result (and a log line) says how many sentences were cut.
A single word with more subwords than a window holds (a pasted URL, say) is cut inside the word; only its first
subword carries the label, so each word still has exactly one labelled subword. Decoding puts windows back
together (`join_windows`, reading each window at its `first_subwords`), so callers always see whole sentences.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from annotation.errors import VnerError
from annotation.schema import BIO_LABELS

logger = logging.getLogger(__name__)

IGNORE = -100  # label id the loss and the metrics skip
MAX_LENGTH = 256  # PhoBERT: max_position_embeddings 258 minus the 2 offset positions

T = TypeVar("T")


@dataclass
class EncodedBatch(Mapping):
    """One row per window. `word_ids` index the words of the SOURCE sentence (not of the window);
    `example_index[k]` is the source sentence of window k, `word_offset[k]` its first word."""

    input_ids: list[list[int]] = field(default_factory=list)
    attention_mask: list[list[int]] = field(default_factory=list)
    labels: list[list[int]] | None = None
    word_ids: list[list[int | None]] = field(default_factory=list)
    example_index: list[int] = field(default_factory=list)
    word_offset: list[int] = field(default_factory=list)
    # per window: positions (counting `<s>`) of the first subword of each word that starts in it, in word order;
    # every word of a sentence starts in exactly one of its windows
    first_subwords: list[list[int]] = field(default_factory=list)
    num_words: list[int] = field(default_factory=list)  # per source sentence
    sentences_cut: int = 0  # how many source sentences were cut into more than one window

    # Mapping access (enc["input_ids"]) so it drops into `datasets.map` and collators like a BatchEncoding.
    def _columns(self) -> dict[str, Any]:
        cols = {
            "input_ids": self.input_ids,
            "attention_mask": self.attention_mask,
            "word_ids": self.word_ids,
            "example_index": self.example_index,
            "word_offset": self.word_offset,
        }
        if self.labels is not None:
            cols["labels"] = self.labels
        return cols

    def __getitem__(self, key: str):
        return self._columns()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns())

    def __len__(self) -> int:
        return len(self._columns())

    @property
    def num_windows(self) -> int:
        return len(self.input_ids)


def _continuation_label(label_names: Sequence[str]) -> list[int]:
    """For each label id, the id continuation subwords get under label_all_subwords (B-X -> I-X)."""
    index = {name: i for i, name in enumerate(label_names)}
    out = []
    for i, name in enumerate(label_names):
        if name.startswith("B-") and f"I-{name[2:]}" in index:
            out.append(index[f"I-{name[2:]}"])
        else:
            out.append(i)
    return out


def _special_ids(tokenizer) -> tuple[int, int]:
    bos = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    eos = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    if bos is None or eos is None:
        raise VnerError(f"{tokenizer.name_or_path}: tokenizer has no <s>/[CLS] or </s>/[SEP] token.")
    return bos, eos


def _group(ids: Sequence[int], word_ids: Sequence[int | None], n: int) -> list[list[int]]:
    """ids of each of n words, from a fast tokenizer's ids and word_ids()."""
    pieces: list[list[int]] = [[] for _ in range(n)]
    for i, w in zip(ids, word_ids):
        if w is not None:
            pieces[w].append(i)
    return pieces


def encode_words(
    tokenizer,
    words_batch: Sequence[Sequence[str]],
    labels_batch: Sequence[Sequence[int]] | None = None,
    *,
    label_all_subwords: bool = False,
    max_length: int = MAX_LENGTH,
    label_names: Sequence[str] = BIO_LABELS,
) -> EncodedBatch:
    """Tokenize word lists (PhoBERT words, `Võ_Văn_Thưởng`) into windows of at most `max_length` tokens,
    with labels on first subwords (see the module doc). `tokenizer` must be fast (`load_tokenizer`)."""
    if max_length < 3:
        raise VnerError(f"max_length must be at least 3 (got {max_length}).")
    words_batch = [list(w) for w in words_batch]
    if labels_batch is not None:
        labels_batch = [list(tags) for tags in labels_batch]
        if len(labels_batch) != len(words_batch):
            raise VnerError(f"{len(words_batch)} word lists but {len(labels_batch)} label lists.")
    continuation = _continuation_label(label_names)
    bos, eos = _special_ids(tokenizer)
    room = max_length - 2

    if hasattr(tokenizer, "encode_pieces"):  # our PhoBERT tokenizer: a word -> ids memo over the Rust backend
        pieces_batch = tokenizer.encode_pieces(words_batch)
    elif not getattr(tokenizer, "is_fast", False):
        raise VnerError(
            f"{type(tokenizer).__name__} is a slow tokenizer (no word_ids()); load it with "
            "training.tokenizer.load_tokenizer, which gives PhoBERT an exact fast tokenizer."
        )
    else:
        enc = tokenizer(words_batch, is_split_into_words=True, add_special_tokens=False)
        pieces_batch = [_group(enc["input_ids"][i], enc.word_ids(i), len(words)) for i, words in enumerate(words_batch)]
    out = EncodedBatch(labels=[] if labels_batch is not None else None)
    chain, repeat, accumulate = itertools.chain.from_iterable, itertools.repeat, itertools.accumulate
    add_ids, add_mask, add_word_ids = out.input_ids.append, out.attention_mask.append, out.word_ids.append
    add_example, add_offset, add_firsts = out.example_index.append, out.word_offset.append, out.first_subwords.append
    add_labels, add_num_words = (out.labels.append if out.labels is not None else None), out.num_words.append
    for ex, (words, pieces) in enumerate(zip(words_batch, pieces_batch)):
        tags = labels_batch[ex] if labels_batch is not None else None
        n = len(words)
        if tags is not None and len(tags) != n:
            raise VnerError(f"example {ex}: {n} words but {len(tags)} labels.")
        lens = list(map(len, pieces))
        if 0 in lens:  # every word needs a subword, or its label (and its prediction) would vanish
            j = lens.index(0)
            raise VnerError(
                f"example {ex}: word {j} ({words[j]!r}) has no subwords (empty or only whitespace); "
                "remove it from the dataset."
            )
        add_num_words(n)
        ids = list(chain(pieces))
        size = len(ids)
        single = size == n  # every word is one subword (no zero-length words, checked above)
        if size <= room:  # one window, the common case: built with C-level list operations
            firsts = list(range(1, n + 1)) if single else list(accumulate(lens[:-1], initial=1))
            add_ids([bos, *ids, eos])
            add_mask([1] * (size + 2))
            add_word_ids([None, *range(n), None] if single else [None, *chain(map(repeat, range(n), lens)), None])
            add_example(ex)
            add_offset(0)
            add_firsts(firsts)
            if tags is not None:
                if single:
                    row = [IGNORE, *tags, IGNORE]
                elif label_all_subwords:
                    row = [IGNORE, *chain([t] + [continuation[t]] * (k - 1) for t, k in zip(tags, lens)), IGNORE]
                else:
                    row = [IGNORE] * (size + 2)
                    for p, t in zip(firsts, tags):
                        row[p] = t
                add_labels(row)
            continue
        wids = list(chain(map(repeat, range(n), lens)))

        # Cut into windows: greedily whole words; a word longer than a window is cut inside itself.
        windows: list[tuple[int, int]] = []  # subword [start, end)
        long_words: set[int] = set()
        start = 0
        while start < len(ids) or not windows:
            end = min(start + room, len(ids))
            if end < len(ids) and wids[end] == wids[end - 1]:  # would cut a word: back up to its start
                back = end - 1
                while back > start and wids[back - 1] == wids[end]:
                    back -= 1
                if back > start:
                    end = back
                elif wids[start] not in long_words:
                    long_words.add(wids[start])
                    logger.warning(
                        "example %d: word %d has more than %d subwords; it is split across windows",
                        ex,
                        wids[start],
                        room,
                    )
            windows.append((start, end))
            start = end
        if len(windows) > 1:
            out.sentences_cut += 1

        for s, e in windows:
            window = wids[s:e]
            out.input_ids.append([bos] + ids[s:e] + [eos])
            out.attention_mask.append([1] * (e - s + 2))
            out.word_ids.append([None] + window + [None])
            out.example_index.append(ex)
            out.word_offset.append(wids[s] if e > s else 0)
            previous = [wids[s - 1] if s > 0 else None] + window[:-1]
            starts = [w != p for w, p in zip(window, previous)]  # a word's first subword: one rule for both uses
            out.first_subwords.append([j for j, first in enumerate(starts, 1) if first])
            if tags is not None:
                if label_all_subwords:
                    inner = [tags[w] if first else continuation[tags[w]] for w, first in zip(window, starts)]
                else:  # the label on the first subword of each word
                    inner = [tags[w] if first else IGNORE for w, first in zip(window, starts)]
                out.labels.append([IGNORE] + inner + [IGNORE])
    if out.sentences_cut:
        logger.info(
            "%d of %d sentences longer than %d tokens were split into windows at word boundaries",
            out.sentences_cut,
            len(words_batch),
            max_length,
        )
    return out


def join_windows(batch: EncodedBatch, window_words: Sequence[Sequence[T]]) -> list[list[T]]:
    """Predictions already read on each window's first subwords (`batch.first_subwords[k]` order) -> one list
    per source sentence, its windows put back together."""
    if len(window_words) != batch.num_windows:
        raise ValueError(f"{len(window_words)} prediction rows for {batch.num_windows} windows")
    out: list[list[Any]] = [[] for _ in batch.num_words]
    for ex, row in zip(batch.example_index, window_words):
        out[ex].extend(row)  # a sentence's windows are consecutive and in order
    for ex, (row, n) in enumerate(zip(out, batch.num_words)):
        if len(row) != n:  # cannot happen for batches from encode_words (every word starts in one window)
            raise ValueError(f"example {ex}: {len(row)} word predictions for {n} words")
    return out
