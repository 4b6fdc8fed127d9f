"""Batched prediction (windows sorted by length, batches of 32) against a one-sentence-at-a-time loop, on the
seed sentences with the tiny PhoBERT-format model; same tags either way. One run, side by side: each trial
times both paths back to back (GC off), and the speed-up is the median of the trials' ratios, so a noisy
moment on a shared machine moves one trial, not the figure.

    python benchmarks/predict_speed.py [--repeat 8] [--trials 5]
    python benchmarks/predict_speed.py --hidden-size 768 --layers 12 --repeat 1 --trials 1   # PhoBERT-base's shape
    python benchmarks/predict_speed.py --hidden-size 768 --layers 12 --device cuda

What batching saves is the fixed cost of each forward call (Python, module dispatch, kernel launches). With the
tiny model that cost is most of a single-sentence call; with a base-sized model on a CPU the matrix products
dominate both ways and batching saves little (on a GPU it saves most of the time: one launch sequence per batch).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import seed_sentences, tiny_model  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=8, help="copies of the seed sentences (more: steadier timings)")
    ap.add_argument("--trials", type=int, default=5, help="timed rounds of both paths; the median ratio is reported")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--hidden-size", type=int, help="replace the tiny model's width (random init), e.g. 768")
    ap.add_argument("--layers", type=int, help="replace the tiny model's depth (random init), e.g. 12")
    ap.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1 ...")
    args = ap.parse_args()

    import torch
    from transformers import AutoConfig, AutoModelForTokenClassification

    from training.predict import Tagger
    from training.train import choose_threads

    if args.device == "cpu":
        torch.set_num_threads(choose_threads(None)[0])  # as `vner train` chooses them
    torch.manual_seed(0)
    words = [s.words for s in seed_sentences()] * args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        base = tiny_model(Path(tmp))
        model_dir = Path(tmp) / "classifier"  # base + a random token-classification head, as `vner train` saves
        shape = {}
        if args.hidden_size:
            shape.update(
                hidden_size=args.hidden_size,
                num_attention_heads=max(1, args.hidden_size // 64),
                intermediate_size=4 * args.hidden_size,
            )
        if args.layers:
            shape.update(num_hidden_layers=args.layers)
        config = AutoConfig.from_pretrained(base, num_labels=9, **shape)
        model = (
            AutoModelForTokenClassification.from_config(config)
            if shape
            else AutoModelForTokenClassification.from_pretrained(base, config=config)
        )
        model.save_pretrained(model_dir)
        print(
            f"model: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters, hidden "
            f"{config.hidden_size}, {config.num_hidden_layers} layers; torch threads {torch.get_num_threads()}"
        )
        for name in ("vocab.txt", "bpe.codes", "tokenizer_config.json"):
            (model_dir / name).write_bytes((Path(base) / name).read_bytes())
        tagger = Tagger(model_dir, batch_size=args.batch_size, device=args.device)
        tagger.tag(words[:8])  # warm-up
        ratios, batched_s, single_s = [], [], []
        for _ in range(args.trials):
            gc.collect()
            gc.disable()
            tagger.batch_size = args.batch_size
            t0 = time.perf_counter()
            batched = tagger.tag(words)
            batched_s.append(time.perf_counter() - t0)
            tagger.batch_size = 1
            t0 = time.perf_counter()
            single = [tagger.tag([w])[0] for w in words]
            single_s.append(time.perf_counter() - t0)
            gc.enable()
            ratios.append(single_s[-1] / batched_s[-1])
            if any(b.tags != s.tags for b, s in zip(batched, single)):
                raise SystemExit("batched and one-at-a-time tags differ")
    t_single, t_batched = statistics.median(single_s), statistics.median(batched_s)
    n_words = sum(map(len, words))
    print(f"{len(words)} sentences, {n_words} words; tags identical in every trial")
    print(f"one sentence at a time: {len(words) / t_single:8.1f} sentences/s ({t_single:.2f} s, median)")
    print(
        f"batched ({args.batch_size}, by length): {len(words) / t_batched:8.1f} sentences/s ({t_batched:.2f} s, median)"
    )
    print(f"trial ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"speed-up: {statistics.median(ratios):.2f}x (median of {args.trials}; target >= 5x)")


if __name__ == "__main__":
    main()
