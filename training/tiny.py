"""A tiny PhoBERT-format checkpoint, byte-identical on every run.

No machine here can download `vinai/phobert-base`, yet the training, prediction and tokenizer code must go through
the very same loading path. By default this writes a folder with PhoBERT's OWN tokenizer files (vendored in
`training/phobert_files/`, MIT) and PhoBERT-base's config apart from its size:

    vocab.txt, bpe.codes  PhoBERT's files, byte for byte (64,001 ids, 64,000 merges; LICENSE beside them)
    config.json           vinai/phobert-base's RoBERTa config (vocab 64001, 258 positions, pad 1, tokenizer_class
                          PhobertTokenizer, ...) with a small size: by default hidden 64, 2 layers, 2 heads, FFN 128
    model.safetensors     RobertaForMaskedLM weights, random init from a fixed seed (the real 64,001 x hidden
                          embedding table: 4.1M of the default model's 4.2M parameters, 17 MB)
    tokenizer_config.json, special_tokens_map.json   as PhobertTokenizer.save_pretrained writes them
    README.md             says what this is (random weights: tests, dry runs, from-scratch baselines)

So `make demo`, the tests and the tokenizer benchmark all run PhoBERT's real tokenizer. A wider model
(`--hidden-size 256 --layers 4 --heads 4 --intermediate-size 1024`) trained from scratch on a few thousand labelled
sentences is a useful CPU baseline when no pretrained weights are at hand.

With `--corpus` the vocabulary is learned instead (the old mode, for other corpora or a small vocabulary): words
(with counts) split into characters with `</w>` on the last one, fastBPE's algorithm repeatedly merges the most
frequent adjacent pair (ties: the smallest pair in code point order, so runs agree).
"""

from __future__ import annotations

import heapq
import json
import logging
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from annotation.errors import VnerError

logger = logging.getLogger(__name__)

END = "</w>"
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "seeds"

# vinai/phobert-base's config.json (RoBERTa), minus `architectures`; the size fields are overridden below.
PHOBERT_BASE_CONFIG = dict(
    attention_probs_dropout_prob=0.1,
    bos_token_id=0,
    eos_token_id=2,
    hidden_act="gelu",
    hidden_dropout_prob=0.1,
    hidden_size=768,
    initializer_range=0.02,
    intermediate_size=3072,
    layer_norm_eps=1e-5,
    max_position_embeddings=258,  # 256 tokens + 2 (positions start after pad id 1)
    num_attention_heads=12,
    num_hidden_layers=12,
    pad_token_id=1,
    tokenizer_class="PhobertTokenizer",
    type_vocab_size=1,
    vocab_size=64001,
)
# Small enough that tests and `make demo` train in seconds on a CPU; the 64,001-row embedding table dominates
# (64001 x 64 floats = 16 MB), the transformer layers are ~0.1M parameters.
TINY_SIZE = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)


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
    for word in word_counts:
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


def model_size(
    hidden_size: int | None = None,
    num_hidden_layers: int | None = None,
    num_attention_heads: int | None = None,
    intermediate_size: int | None = None,
) -> dict:
    """The size fields, defaults filled in (TINY_SIZE; FFN 4 x hidden and hidden/32 heads when only the width
    is given), checked."""
    size = dict(TINY_SIZE)
    if hidden_size is not None:
        size.update(
            hidden_size=hidden_size, intermediate_size=4 * hidden_size, num_attention_heads=max(1, hidden_size // 32)
        )
    for key, value in (
        ("num_hidden_layers", num_hidden_layers),
        ("num_attention_heads", num_attention_heads),
        ("intermediate_size", intermediate_size),
    ):
        if value is not None:
            size[key] = value
    for key, value in size.items():
        if not isinstance(value, int) or value < 1:
            raise VnerError(f"{key} must be a positive whole number (got {value!r}).")
    if size["hidden_size"] % size["num_attention_heads"]:
        raise VnerError(f"hidden size {size['hidden_size']} is not a multiple of {size['num_attention_heads']} heads.")
    return size


def build_tiny_model(
    output_dir: str | Path,
    corpus: Sequence[str | Path] | None = None,
    *,
    num_merges: int = 3000,
    seed: int = 0,
    hidden_size: int | None = None,
    num_hidden_layers: int | None = None,
    num_attention_heads: int | None = None,
    intermediate_size: int | None = None,
) -> Path:
    """Write the tiny checkpoint to `output_dir` (created; files there are overwritten). Returns the folder.
    `corpus=None`: PhoBERT's own vocab.txt and bpe.codes; else a BPE vocabulary learned from the corpus."""
    import torch
    from transformers import PhobertTokenizer, RobertaConfig, RobertaForMaskedLM

    from training.tokenizer import phobert_files

    size = model_size(hidden_size, num_hidden_layers, num_attention_heads, intermediate_size)
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise VnerError(f"{out}: exists and is not a folder; choose another -o.")
    corpus = list(corpus) if corpus is not None else None
    word_counts = corpus_words(corpus) if corpus is not None else None  # read first: a bad corpus writes nothing
    out.mkdir(parents=True, exist_ok=True)

    if corpus is None:
        source = phobert_files()
        for name in ("vocab.txt", "bpe.codes", "LICENSE"):
            shutil.copyfile(source / name, out / name)
        vocabulary = "phobert"
        words = None
    else:
        merges = learn_bpe(word_counts, num_merges)
        vocab = build_vocab(word_counts, merges)
        (out / "bpe.codes").write_text("".join(f"{a} {b} {c}\n" for a, b, c in merges), encoding="utf-8")
        (out / "vocab.txt").write_text("".join(f"{t} {c}\n" for t, c in vocab), encoding="utf-8")
        (out / "LICENSE").unlink(missing_ok=True)  # not PhoBERT's files
        vocabulary = f"learned from {', '.join(Path(p).name for p in corpus)} ({len(merges)} merges)"
        words = sum(word_counts.values())

    tokenizer = PhobertTokenizer(str(out / "vocab.txt"), str(out / "bpe.codes"), model_max_length=256)
    tokenizer.save_pretrained(str(out))
    config = RobertaConfig(
        **{**PHOBERT_BASE_CONFIG, **size, "vocab_size": len(tokenizer)},
        vner_tiny={"vocabulary": vocabulary, "seed": seed},
    )
    torch.manual_seed(seed)
    model = RobertaForMaskedLM(config)
    from training.progress import quiet_transformers

    with quiet_transformers():  # no "Writing model shards" bar
        model.save_pretrained(str(out), safe_serialization=True)
    n_params = sum(p.numel() for p in model.parameters())
    (out / "README.md").write_text(_card(len(tokenizer), vocabulary, size, n_params, seed), encoding="utf-8")
    logger.info(
        "tiny PhoBERT-format model written to %s: vocabulary %s (%d ids%s), hidden %d, %d layers, %d heads, "
        "FFN %d, %.1fM parameters",
        out,
        vocabulary,
        len(tokenizer),
        f", {words} words of corpus" if words else "",
        size["hidden_size"],
        size["num_hidden_layers"],
        size["num_attention_heads"],
        size["intermediate_size"],
        n_params / 1e6,
    )
    return out


def _card(vocab_size: int, vocabulary: str, size: dict, n_params: int, seed: int) -> str:
    if vocabulary == "phobert":
        vocab_text = (
            f"PhoBERT's own `vocab.txt` and `bpe.codes` ({vocab_size} ids; VinAI, MIT licence in `LICENSE`), "
            "so it tokenizes exactly as `vinai/phobert-base` does"
        )
    else:
        vocab_text = f"a {vocab_size}-id BPE vocabulary {vocabulary}"
    return (
        "# Tiny PhoBERT-format checkpoint (random weights)\n\n"
        "Built by `vner tiny-model` for tests, dry runs and from-scratch baselines: the same files and loaders as\n"
        f"`vinai/phobert-base` (RoBERTa config, {vocab_text}), but hidden size {size['hidden_size']}, "
        f"{size['num_hidden_layers']} layers, {size['num_attention_heads']} heads, FFN {size['intermediate_size']} "
        f"({n_params / 1e6:.1f}M parameters), weights drawn at random (seed {seed}).\n"
        "It was never pre-trained: a model fine-tuned from it learned everything from its fine-tuning data, and\n"
        "its scores are not those of PhoBERT.\n"
    )


def file_digest(folder: str | Path) -> dict[str, str]:
    """sha256 of every file in a folder (to check that two builds are identical)."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir()) if p.is_file()}


if __name__ == "__main__":  # pragma: no cover
    import sys

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(file_digest(build_tiny_model(sys.argv[1])), indent=1))
