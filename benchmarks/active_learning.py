"""Simulated active learning: does annotating the least sure tasks first (what `vner serve` scores and
`vner studio push --order uncertainty` / sorting by prediction score give annotators) beat annotating at random?

Pool: the labelled tasks we have, annotated by hand (the gold seeds, annotation/gold/seeds_export.json, and the
development part of the real-text gold, benchmarks/devtext/dev). Test: benchmarks/heldout (never trained or tuned
on). Each run starts from the same random tasks; each round trains the tiny model from its base (as a `vner serve`
training run does, from the base, never from the last fine-tune), scores it on the test set (seqeval strict micro
F1, annotation.corrections, as `vner corrections --preannotators model:DIR` does) and picks the next tasks: the
lowest `annotation.tasks.task_score` (the model's least sure word, O included) or random ones, until the round's
budget of sentences annotated is reached (tasks are paragraphs of different lengths, and the least sure ones tend to
be the longer ones: budgets in sentences compare equal annotation work). Several seeds; mean and spread printed.

    python benchmarks/active_learning.py [--seeds 3] [--budgets 100,200,400] [--epochs 8]

The tiny model (`vner tiny-model`: 2 layers, random init, knows no Vietnamese) is far from PhoBERT: read the
result as a check of the loop on real annotations, not as what PhoBERT would gain.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import tiny_model  # noqa: E402


def devtext_export(work: Path) -> Path:
    """benchmarks/devtext/dev as a Label Studio export with the gold as annotations (as benchmarks/preannotate.py
    builds the held-out one)."""
    from benchmarks.preannotate import heldout_export

    out = work / "devtext_dev_export.json"
    if not out.exists():
        import benchmarks.preannotate as bp

        bp.HELDOUT_PATTERN = "[nw]*_[0-9]*.md"
        heldout_export(ROOT / "benchmarks" / "devtext" / "dev", out, [])
    return out


def test_export(work: Path) -> Path:
    from benchmarks.preannotate import heldout_export

    out = work / "heldout_export.json"
    if not out.exists():
        import benchmarks.preannotate as bp

        bp.HELDOUT_PATTERN = "[0-9]*.md"
        heldout_export(ROOT / "benchmarks" / "heldout", out, [])
    return out


def train_on(tasks: list[dict], base: str, out_dir: Path, epochs: float, seed: int) -> str:
    from annotation.dataset import build_dataset_dict
    from annotation.export import load_export
    from annotation.studio.client import write_export
    from training.train import main as train_main

    export = write_export(tasks, out_dir / "export.json")
    examples = load_export(export, lenient=True).examples
    dsd = build_dataset_dict(examples, ratios=(1, 0, 0))
    from datasets import DatasetDict

    DatasetDict({"train": dsd["train"]}).save_to_disk(str(out_dir / "dataset"))
    train_main(
        [
            "--model_name_or_path",
            base,
            "--dataset",
            str(out_dir / "dataset"),
            "--output_dir",
            str(out_dir / "model"),
            "--overwrite_output_dir",
            "--num_train_epochs",
            str(epochs),
            "--learning_rate",
            "5e-3",
            "--per_device_train_batch_size",
            "16",
            "--save_strategy",
            "no",
            "--eval_strategy",
            "no",
            "--load_best_model_at_end",
            "false",
            "--disable_tqdm",
            "true",
            "--seed",
            str(seed),
            "--report_to",
            "none",
        ]
    )
    return str(out_dir / "model")


def mode_scores(model_dir: str, test: Path) -> dict:
    """Strict micro F1 on the test set of the rules alone and of the model stacked over them, in each model mode."""
    from annotation.corrections import correction_report
    from annotation.metrics import headline
    from annotation.preannotate import make_preannotator
    from vner.api import model_preannotator

    rules = [make_preannotator("rules"), make_preannotator("dates")]
    out = {"rules,dates": headline(correction_report(test, preannotators=rules, lenient=True)["seqeval"])}
    for mode in ("override", "fill-gaps", "threshold:0.9"):
        stack = [model_preannotator(model_dir, device="cpu", mode=mode)] + rules
        out[f"model+rules,dates {mode}"] = headline(
            correction_report(test, preannotators=stack, lenient=True)["seqeval"]
        )
    return {k: round(v, 4) for k, v in out.items()}


def sentences(task: dict) -> int:
    return len(task["data"]["vner"]["sentences"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="runs (different initial tasks)")
    ap.add_argument("--budgets", default="100,200,400", help="sentences annotated after each round")
    ap.add_argument("--epochs", type=float, default=8)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--work", default="out/bench/active_learning")
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "results" / "active_learning.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import torch

    torch.set_num_threads(args.threads)  # a busy 2-core CPU thrashes with torch's default threads
    for noisy in ("transformers", "datasets", "training"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    from annotation.corrections import correction_report
    from annotation.export import read_export, read_task
    from annotation.metrics import headline
    from annotation.preannotate import annotate_units
    from annotation.tasks import task_score
    from vner.api import model_preannotator

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    base = tiny_model(work)
    t0 = time.perf_counter()
    pool = read_export(ROOT / "annotation" / "gold" / "seeds_export.json") + read_export(devtext_export(work))
    for i, t in enumerate(pool):
        t["id"] = i + 1  # one id space across both exports
    test = test_export(work)
    units = {t["id"]: read_task(t).unit for t in pool}
    budgets = [int(x) for x in args.budgets.split(",")]
    print(
        f"pool {len(pool)} tasks ({sum(map(sentences, pool))} sentences), test {test.name}; "
        f"budgets {budgets} sentences; {args.seeds} seeds; prepared in {time.perf_counter() - t0:.0f}s"
    )

    curves: dict = {"uncertainty": [], "random": []}
    stacks: list[dict] = []
    ids = [t["id"] for t in pool]
    n_sent = {t["id"]: sentences(t) for t in pool}
    by_id = {t["id"]: t for t in pool}

    def fill(labelled: list[int], ranked: list[int], budget: int) -> None:
        """Add tasks in `ranked` order until `budget` sentences are annotated (the same budget for every strategy:
        the least sure tasks tend to be the longer ones)."""
        total = sum(n_sent[i] for i in labelled)
        for i in ranked:
            if total >= budget:
                break
            labelled.append(i)
            total += n_sent[i]

    for seed in range(args.seeds):
        start: list[int] = []
        fill(start, random.Random(seed).sample(ids, len(ids)), budgets[0])
        for strategy in curves:
            labelled, curve = list(start), []
            pick = random.Random(1000 + seed)
            for r in range(len(budgets)):
                chosen = [by_id[i] for i in labelled]
                with tempfile.TemporaryDirectory(dir=work) as tmp:
                    model_dir = train_on(chosen, base, Path(tmp), args.epochs, seed)
                    model = model_preannotator(model_dir, device="cpu")
                    f1 = headline(correction_report(test, preannotators=[model], lenient=True)["seqeval"])
                    sent = sum(n_sent[i] for i in labelled)
                    curve.append({"tasks": len(chosen), "sentences": sent, "f1": round(f1, 4)})
                    print(
                        f"seed {seed} {strategy:<11} {len(chosen):>4} tasks {sent:>5} sentences  strict F1 {f1:.4f}",
                        flush=True,
                    )
                    if r + 1 == len(budgets):
                        if strategy == "uncertainty":  # the last model stacked over the rules, each model mode
                            stacks.append(mode_scores(model_dir, test))
                        break
                    rest = [i for i in ids if i not in set(labelled)]
                    if strategy == "random":
                        ranked = pick.sample(rest, len(rest))
                    else:
                        found = annotate_units([units[i] for i in rest], [model])
                        scores = [task_score(p.spans, p.word_confidence) for p in found]
                        ranked = [i for _, i in sorted(zip(scores, rest))]
                    fill(labelled, ranked, budgets[r + 1])
            curves[strategy].append(curve)

    summary = []
    for k, budget in enumerate(budgets):
        row = {"budget": budget}
        for strategy, runs in curves.items():
            f1s = [run[k]["f1"] for run in runs]
            sents = [run[k]["sentences"] for run in runs]
            tasks = [run[k]["tasks"] for run in runs]
            row[strategy] = {
                "f1_mean": round(statistics.mean(f1s), 4),
                "f1_sd": round(statistics.stdev(f1s), 4) if len(f1s) > 1 else 0.0,
                "sentences_mean": round(statistics.mean(sents), 1),
                "tasks_mean": round(statistics.mean(tasks), 1),
            }
        summary.append(row)
    print("\ntasks | uncertainty: sentences, strict F1 (mean ± sd) | random: sentences, strict F1 (mean ± sd)")
    for row in summary:
        u, r = row["uncertainty"], row["random"]
        print(
            f"{row['budget']:>6} | {u['tasks_mean']:>5.1f} {u['sentences_mean']:>6.1f}  "
            f"{u['f1_mean']:.4f} ± {u['f1_sd']:.4f} | "
            f"{r['tasks_mean']:>5.1f} {r['sentences_mean']:>6.1f}  {r['f1_mean']:.4f} ± {r['f1_sd']:.4f}"
        )
    result = {
        "pool_tasks": len(pool),
        "pool_sentences": sum(map(sentences, pool)),
        "test": "benchmarks/heldout",
        "budgets": budgets,
        "seeds": args.seeds,
        "epochs": args.epochs,
        "model": "vner tiny-model (random init)",
        "seconds": round(time.perf_counter() - t0),
        "summary": summary,
        "runs": curves,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    modes = {k: round(statistics.mean(st[k] for st in stacks), 4) for k in stacks[0]} if stacks else {}
    result["model_modes_last_uncertainty_model"] = {"mean": modes, "runs": stacks}
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("\nthe last uncertainty-round model over the rules, strict F1 on the test set (mean over seeds):")
    for k, v in modes.items():
        print(f"  {k:<36} {v:.4f}")
    print(json.dumps({"seconds": result["seconds"], "last": summary[-1]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
