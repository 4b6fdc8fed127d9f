"""Training throughput of `vner train`'s batching (dynamic padding + length-grouped batches) against a baseline
that pads every batch to 256 subwords and samples batches at random. Same model, data, seed and steps;
one run, side by side.

    python benchmarks/train_speed.py [--steps 20] [--batch-size 16]

The model is the tiny PhoBERT-format checkpoint (PhoBERT's 64,001-id vocabulary) with wider layers (2 x 128,
random init) so that the forward/backward pass, not Python overhead, dominates on a CPU; the data are the seed
sentences. CPU threads as `vner train` chooses them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import seed_dataset, tiny_model  # noqa: E402


def run(model_dir: str, encoded, *, padded_to_256: bool, steps: int, batch_size: int, out: Path, seed: int) -> dict:
    import torch
    from transformers import (
        AutoConfig,
        AutoModelForTokenClassification,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from training.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(model_dir)
    set_seed(seed)
    config = AutoConfig.from_pretrained(
        model_dir, num_labels=9, hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=512
    )
    model = AutoModelForTokenClassification.from_config(config)
    collator = (
        DataCollatorForTokenClassification(tokenizer, padding="max_length", max_length=256)
        if padded_to_256
        else DataCollatorForTokenClassification(tokenizer)
    )
    args = TrainingArguments(
        output_dir=str(out),
        max_steps=steps,
        per_device_train_batch_size=batch_size,
        learning_rate=5e-4,
        train_sampling_strategy="random" if padded_to_256 else "group_by_length",
        save_strategy="no",
        eval_strategy="no",
        logging_strategy="no",
        report_to="none",
        seed=seed,
        use_cpu=not torch.cuda.is_available(),
        dataloader_pin_memory=False,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=encoded, data_collator=collator)
    result = trainer.train()
    m = result.metrics
    return {
        "samples_per_s": steps * batch_size / m["train_runtime"],
        "loss": m["train_loss"],
        "seconds": m["train_runtime"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import torch
    from datasets import load_from_disk

    from training.tokenizer import load_tokenizer
    from training.train import choose_threads, encode_split, label_names

    threads, why = choose_threads(None)  # as `vner train` chooses them
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model_dir = tiny_model(work)
        ds = load_from_disk(seed_dataset(work))
        tokenizer = load_tokenizer(model_dir)
        encoded = encode_split(
            ds["train"], tokenizer, label_names=label_names(ds), label_all_subwords=False, max_length=256, desc="encode"
        )
        lengths = sorted(len(x) for x in encoded["input_ids"])
        print(
            f"{len(encoded)} training windows; subwords per window: median {lengths[len(lengths) // 2]}, "
            f"max {lengths[-1]}; {args.steps} steps of {args.batch_size}; {threads} CPU thread(s) ({why})"
        )
        base = run(
            model_dir,
            encoded,
            padded_to_256=True,
            steps=args.steps,
            batch_size=args.batch_size,
            out=work / "base",
            seed=args.seed,
        )
        ours = run(
            model_dir,
            encoded,
            padded_to_256=False,
            steps=args.steps,
            batch_size=args.batch_size,
            out=work / "ours",
            seed=args.seed,
        )
    print(
        f"baseline (pad to 256, random batches):      {base['samples_per_s']:8.1f} samples/s  "
        f"({base['seconds']:.1f} s)  mean train loss {base['loss']:.4f}"
    )
    print(
        f"vner train (dynamic padding, length groups): {ours['samples_per_s']:8.1f} samples/s  "
        f"({ours['seconds']:.1f} s)  mean train loss {ours['loss']:.4f}"
    )
    print(f"speed-up: {ours['samples_per_s'] / base['samples_per_s']:.2f}x (target >= 1.5x)")


if __name__ == "__main__":
    main()
