"""Fast PhoBERT tokenizer vs the slow `transformers.PhobertTokenizer`, tokenizing and aligning the same sentences.

    python benchmarks/tokenizer.py                                   # PhoBERT's real files, real sentences (below)
    python benchmarks/tokenizer.py --input sentences.txt             # one sentence of `_`-joined words a line
    python benchmarks/tokenizer.py --model models/tiny --from-seeds --repeat 20   # a model folder; seeds/ x 20

Default input: every sentence of seeds/, benchmarks/heldout/ (gold markup removed) and, when it exists,
../shared/devtext/ (real Vietnamese news and Wikipedia text; read, never copied into the repository), word-segmented
as vner does (offset map + underthesea), each sentence once. Default model: PhoBERT's own vocab.txt + bpe.codes
(training/phobert_files; `vner tiny-model` builds on the same files).

fast: `training.features.encode_words` (the training path: fast tokenizer, `word_ids()`, first-subword labels;
      distinct words go through the Rust tokenizer once, a word -> ids memo serves repeats — exact for pre-split
      words; the slow tokenizer has its own per-word BPE cache, so both sides reuse work on repeated words).
reference: the plain `fast(words, is_split_into_words=True)` + `word_ids()` call, timed too (call_s).
slow: what one must do without `word_ids()` (run_ner-style by hand): tokenize word by word with PhobertTokenizer,
      concatenate, record the word of each subword, label first subwords.
Both give, per sentence, input_ids, word ids and labels of the whole sentence (no windows); the sentence counts as
identical when all three agree. Prints a summary, then as its LAST line one JSON object:
    {"sentences": N, "identical": M, "speedup": X, ...}
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

IGNORE = -100


def slow_align(tokenizer, words: list[str], tags: list[int]):
    ids, word_ids, labels = [tokenizer.cls_token_id], [None], [IGNORE]
    for w, (word, tag) in enumerate(zip(words, tags)):
        pieces = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(word))
        ids.extend(pieces)
        word_ids.extend([w] * len(pieces))
        labels.extend([tag] + [IGNORE] * (len(pieces) - 1))
    ids.append(tokenizer.sep_token_id)
    word_ids.append(None)
    labels.append(IGNORE)
    return ids, word_ids, labels


ROOT = Path(__file__).resolve().parent.parent
DEVTEXT = ROOT.parent / "shared" / "devtext"


def seed_sentences(folder: str) -> list[list[str]]:
    from annotation.text import load_documents

    return [s.words for d in load_documents([folder]) for s in d.sentences()]


def real_sentences() -> tuple[list[list[str]], str]:
    """Word lists of every sentence of seeds/, benchmarks/heldout/ and ../shared/devtext/ (when present)."""
    import re
    import tempfile

    from annotation.text import load_documents

    paths = sorted((ROOT / "seeds").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        for md in sorted((ROOT / "benchmarks" / "heldout").glob("[0-9]*.md")):  # gold markup -> plain text
            lines = [
                re.sub(r"\[\[(.*?)\|[A-Z]+\]\]", r"\1", line)
                for line in md.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")
            ]
            (Path(tmp) / f"{md.stem}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
            paths.append(Path(tmp) / f"{md.stem}.txt")
        sources = "seeds/, benchmarks/heldout/"
        if DEVTEXT.is_dir():
            paths += sorted(DEVTEXT.glob("*/*.txt"))
            sources += ", ../shared/devtext/"
        sentences = [s.words for d in load_documents(paths) for s in d.sentences() if s.word_spans]
    return sentences, sources


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="PhoBERT-format folder (default: PhoBERT's own files, training/phobert_files)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--input", help="text file: one sentence of `_`-joined words per line")
    src.add_argument(
        "--from-seeds",
        nargs="?",
        const=str(Path(__file__).resolve().parent.parent / "seeds"),
        metavar="DIR",
        help="use the sentences of a folder of .txt files (default: seeds/)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="repeat the sentences N times (steadier timings)")
    ap.add_argument("--batch-size", type=int, default=1000, help="sentences per encode_words call")
    ap.add_argument(
        "--trials",
        type=int,
        default=5,
        help="independent runs with fresh tokenizers; the median one is reported (default 5)",
    )
    args = ap.parse_args(argv)

    from tqdm import tqdm
    from transformers import PhobertTokenizer

    from training.features import encode_words
    from training.tokenizer import load_tokenizer, phobert_files

    model = args.model or str(phobert_files())
    if args.input:
        lines = Path(args.input).read_text(encoding="utf-8").splitlines()
        sentences, sources = [line.split() for line in lines if line.strip()], args.input
    elif args.from_seeds:
        sentences, sources = seed_sentences(args.from_seeds), args.from_seeds
    else:
        sentences, sources = real_sentences()
    sentences = sentences * args.repeat
    tags = [[i % 9 for i in range(len(s))] for s in sentences]  # any labels: checks the alignment
    n_words = sum(map(len, sentences))

    def one_trial():
        """Fresh tokenizers (cold caches on both sides), warmed up, then each side once over every sentence."""
        slow = PhobertTokenizer(str(Path(model) / "vocab.txt"), str(Path(model) / "bpe.codes"), model_max_length=10**9)
        fast = load_tokenizer(model)
        # one-time start-up (thread pools, backend copy) is not what we measure; the warm-up word is not in the input
        slow_align(slow, ["khởi_động"], [0])
        encode_words(fast, [["khởi_động"]], [[0]])

        gc.collect()
        gc.disable()  # as timeit does: a collection landing in one side's timed region is noise, not speed
        t0 = time.perf_counter()
        slow_out = [slow_align(slow, s, t) for s, t in zip(sentences, tags)]
        slow_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        fast_out = []
        for i in range(0, len(sentences), args.batch_size):
            enc = encode_words(
                fast, sentences[i : i + args.batch_size], tags[i : i + args.batch_size], max_length=10**9
            )
            fast_out.extend(zip(enc["input_ids"], enc.word_ids, enc["labels"]))
        fast_s = time.perf_counter() - t0

        # for reference: the plain transformers call (BatchEncoding, word_ids(); no memo, no labels)
        t0 = time.perf_counter()
        for i in range(0, len(sentences), args.batch_size):
            enc = fast(sentences[i : i + args.batch_size], is_split_into_words=True)
            [enc.word_ids(k) for k in range(len(enc["input_ids"]))]
        call_s = time.perf_counter() - t0
        gc.enable()
        return slow_out, fast_out, slow_s, fast_s, call_s

    trials, identical = [], len(sentences)
    for _ in tqdm(range(args.trials), desc="trials", leave=False):
        slow_out, fast_out, slow_s, fast_s, call_s = one_trial()
        trials.append((slow_s, fast_s, call_s))
        identical = min(
            identical,
            sum(
                1
                for (ids, wids, labs), (f_ids, f_wids, f_labs) in zip(slow_out, fast_out)
                if ids == f_ids and wids == f_wids and labs == f_labs
            ),
        )
        del fast_out
    # the trial with the median ratio: a small input takes milliseconds, where one scheduler hiccup shows
    trials.sort(key=lambda t: t[0] / t[1])
    slow_s, fast_s, call_s = trials[len(trials) // 2]
    ratios = ", ".join(f"{t[0] / t[1]:.1f}x" for t in trials)

    subwords = sum(len(ids) for ids, _, _ in slow_out)
    unique = len({w for s in sentences for w in s})
    print(
        f"{len(sentences)} sentences of {sources} x {args.repeat}, {n_words} words ({unique} distinct), "
        f"{subwords} tokens (tokenizer files: {model})"
    )
    print(f"slow PhobertTokenizer, word by word: {slow_s:.3f} s ({n_words / slow_s:,.0f} words/s)")
    print(f"fast tokenizer + encode_words:       {fast_s:.3f} s ({n_words / fast_s:,.0f} words/s)")
    print(f"fast tokenizer __call__ + word_ids():  {call_s:.3f} s ({n_words / call_s:,.0f} words/s; reference)")
    print(f"identical ids, word ids and labels: {identical}/{len(sentences)} (in every trial)")
    print(f"speed-up per trial (sorted; median reported): {ratios}")
    print(
        json.dumps(
            {
                "sentences": len(sentences),
                "identical": identical,
                "speedup": round(slow_s / fast_s, 2),
                "words": n_words,
                "distinct_words": unique,
                "slow_s": round(slow_s, 4),
                "fast_s": round(fast_s, 4),
                "call_s": round(call_s, 4),
            }
        )
    )
    return 0 if identical == len(sentences) else 1


if __name__ == "__main__":
    sys.exit(main())
