"""A tiny PhoBERT-format checkpoint, built from a corpus, byte-identical on every run.

No machine here can download `vinai/phobert-base`, yet the training, prediction and tokenizer code must go through
the very same loading path. This writes a folder with PhoBERT's files and formats, only small:

    vocab.txt          `token count` lines, fastBPE style: `X@@` = non-final piece, `Y` = word-final piece
    bpe.codes          `a b count` lines; line order = merge rank; `</w>` marks the end of a word
    config.json        RoBERTa (hidden 64, 2 layers, 2 heads), max_position_embeddings 258, tokenizer_class
                       PhobertTokenizer -> `AutoTokenizer.from_pretrained(DIR)` gives the slow PhobertTokenizer
    model.safetensors  RobertaForMaskedLM weights, random init from a fixed seed
    tokenizer_config.json, special_tokens_map.json   as PhobertTokenizer.save_pretrained writes them
    README.md          says what this is (random weights: for tests and dry runs only)

The BPE learner is fastBPE's algorithm: words (with counts) split into characters with `</w>` on the last one,
repeatedly merge the most frequent adjacent pair (ties: the smallest pair in code point order, so runs agree).
"""
from __future__ import annotations

import heapq
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

from annotation.errors import VnerError

logger = logging.getLogger(__name__)

END = "</w>"
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "seeds"

TINY_CONFIG = dict(
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=128,
    max_position_embeddings=258,  # PhoBERT: 256 tokens + 2 (positions start after pad id 1)
    type_vocab_size=1,
    layer_norm_eps=1e-5,
    pad_token_id=1,
    bos_token_id=0,
    eos_token_id=2,
    tokenizer_class="PhobertTokenizer",
)


# ---------------------------------------------------------------------------------------------- BPE


def learn_bpe(word_counts: dict[str, int], num_merges: int, min_count: int = 2) -> list[tuple[str, str, int]]:
    """fastBPE-style merges `(a, b, count)` in rank order. Stops early when no pair occurs `min_count` times."""
    words = sorted(word_counts)  # fixed order -> deterministic
    symbols = [list(w[:-1]) + [w[-1] + END] for w in words]
    counts = [word_counts[w] for w in words]
    pair_counts: dict[tuple[str, str], int] = defaultdict(int)
    where: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, syms in enumerate(symbols):
        for pair in zip(syms, syms[1:]):
            pair_counts[pair] += counts[i]
            where[pair].add(i)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)

    merges: list[tuple[str, str, int]] = []
    while heap and len(merges) < num_merges:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -neg:
            continue  # stale heap entry
        if -neg < min_count:
            break
        merges.append((pair[0], pair[1], -neg))
        a, b = pair
        merged = a + b
        changed: set[tuple[str, str]] = set()
        for i in sorted(where.pop(pair, ())):
            syms, c = symbols[i], counts[i]
            for p in zip(syms, syms[1:]):  # remove this word's pairs ...
                pair_counts[p] -= c
                changed.add(p)
            out, k = [], 0
            while k < len(syms):
                if k + 1 < len(syms) and syms[k] == a and syms[k + 1] == b:
                    out.append(merged)
                    k += 2
                else:
                    out.append(syms[k])
                    k += 1
            symbols[i] = out
            for p in zip(out, out[1:]):  # ... and add them back after the merge
                pair_counts[p] += c
                where[p].add(i)
                changed.add(p)
        pair_counts.pop(pair, None)
        for p in sorted(changed):
            if pair_counts.get(p, 0) > 0:
                heapq.heappush(heap, (-pair_counts[p], p))
            else:
                pair_counts.pop(p, None)
    return merges


def apply_bpe(word: str, ranks: dict[tuple[str, str], int]) -> list[str]:
    """PhoBERT pieces of one word (`X@@` non-final, `Y` final), same algorithm as PhobertTokenizer.bpe."""
    syms = list(word[:-1]) + [word[-1] + END]
    while len(syms) > 1:
        best = min(zip(syms, syms[1:]), key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        out, k = [], 0
        while k < len(syms):
            if k + 1 < len(syms) and (syms[k], syms[k + 1]) == best:
                out.append(syms[k] + syms[k + 1])
                k += 2
            else:
                out.append(syms[k])
                k += 1
        syms = out
    pieces = [s + "@@" for s in syms[:-1]] + [syms[-1][: -len(END)]]
    return pieces


def build_vocab(word_counts: dict[str, int], merges: Sequence[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """fastBPE `getvocab`: pieces of the encoded corpus with counts, most frequent first; plus every character
    of the corpus in both forms (`c@@`, `c`) so unseen words of the same script do not become all `<unk>`."""
    ranks = {(a, b): i for i, (a, b, _) in enumerate(merges)}
    pieces: Counter[str] = Counter()
    for word, count in word_counts.items():
        for piece in apply_bpe(word, ranks):
            pieces[piece] += count
    for word, count in word_counts.items():
        for ch in word:
            for form in (ch, ch + "@@"):
                if form not in pieces:
                    pieces[form] = 0
    specials = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"}
    return sorted(((t, c) for t, c in pieces.items() if t not in specials), key=lambda tc: (-tc[1], tc[0]))


def corpus_words(paths: Iterable[str | Path]) -> Counter[str]:
    """Word counts of the corpus, word-segmented as everywhere in vner (syllables joined by `_`)."""
    from tqdm import tqdm

    from annotation.text import iter_text_files, load_document

    counts: Counter[str] = Counter()
    for path in tqdm(iter_text_files(paths), desc="corpus", unit="file"):
        for sentence in load_document(path).sentences():
            counts.update(sentence.words)
    if not counts:
        raise VnerError("the corpus has no words; pass text files with --corpus.")
    return counts


# ---------------------------------------------------------------------------------------------- checkpoint


def build_tiny_model(
    output_dir: str | Path,
    corpus: Sequence[str | Path] | None = None,
    *,
    num_merges: int = 3000,
    seed: int = 0,
) -> Path:
    """Write the tiny checkpoint to `output_dir` (created; files there are overwritten). Returns the folder."""
    import torch
    from transformers import PhobertTokenizer, RobertaConfig, RobertaForMaskedLM

    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise VnerError(f"{out}: exists and is not a folder; choose another -o.")
    out.mkdir(parents=True, exist_ok=True)
    corpus = list(corpus) if corpus else [DEFAULT_CORPUS]

    word_counts = corpus_words(corpus)
    merges = learn_bpe(word_counts, num_merges)
    vocab = build_vocab(word_counts, merges)
    (out / "bpe.codes").write_text("".join(f"{a} {b} {c}\n" for a, b, c in merges), encoding="utf-8")
    (out / "vocab.txt").write_text("".join(f"{t} {c}\n" for t, c in vocab), encoding="utf-8")

    tokenizer = PhobertTokenizer(str(out / "vocab.txt"), str(out / "bpe.codes"), model_max_length=256)
    tokenizer.save_pretrained(str(out))
    config = RobertaConfig(vocab_size=len(tokenizer), **TINY_CONFIG)
    torch.manual_seed(seed)
    model = RobertaForMaskedLM(config)
    model.save_pretrained(str(out), safe_serialization=True)
    (out / "README.md").write_text(_card(len(tokenizer), len(merges), corpus, seed), encoding="utf-8")
    logger.info("tiny PhoBERT-format model (vocab %d, %d merges, %d words of corpus) written to %s",
                len(tokenizer), len(merges), sum(word_counts.values()), out)
    return out


def _card(vocab_size: int, num_merges: int, corpus: Sequence[str | Path], seed: int) -> str:
    names = ", ".join(Path(p).name for p in corpus)
    return (
        "# Tiny PhoBERT-format checkpoint (random weights)\n\n"
        "Built by `vner tiny-model` for tests and dry runs: same files and loaders as `vinai/phobert-base`\n"
        f"(vocab.txt + bpe.codes, RoBERTa config), but a {vocab_size}-token vocabulary with {num_merges} BPE merges\n"
        f"learned from {names}, hidden size {TINY_CONFIG['hidden_size']}, "
        f"{TINY_CONFIG['num_hidden_layers']} layers, weights drawn at random (seed {seed}).\n"
        "It knows no Vietnamese: never publish a model fine-tuned from it as a real NER model.\n"
    )


def file_digest(folder: str | Path) -> dict[str, str]:
    """sha256 of every file in a folder (to check that two builds are identical)."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir()) if p.is_file()}


if __name__ == "__main__":  # pragma: no cover
    import sys

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(file_digest(build_tiny_model(sys.argv[1])), indent=1))
