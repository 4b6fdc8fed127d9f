"""Training throughput of `vner train` on the CPU against the number of torch threads, with the machine as it is.

    python benchmarks/train_threads.py [--threads 1,2] [--steps 40] [--hidden-size 64]

Each setting runs `vner train --threads N --max_steps S` in its own process on the seed sentences (tiny PhoBERT-format
model, PhoBERT's vocabulary; --hidden-size/--layers widen it) and reads samples/s from the Trainer's metrics; the
1-minute load average before each run is printed beside it, because that is what decides the answer: torch's default
(one thread per core) is fastest on an idle machine and thrashes when other processes keep the cores busy, which is
why `vner train` picks the cores the load average leaves free (see training.train.choose_threads).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import ROOT, seed_dataset  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    ap.add_argument(
        "--threads",
        default=",".join(str(n) for n in range(1, cores + 1)),
        help="comma-separated thread counts (default: 1..cores)",
    )
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--hidden-size", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="alternate the settings this many times")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model = work / "tiny"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vner",
                "tiny-model",
                "-o",
                str(model),
                "--hidden-size",
                str(args.hidden_size),
                "--layers",
                str(args.layers),
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        data = seed_dataset(work)
        print(
            f"{cores} cores; model hidden {args.hidden_size}, {args.layers} layers, PhoBERT vocabulary; "
            f"{args.steps} steps of {args.batch_size}"
        )
        results: dict[int, list[float]] = {}
        for _ in range(args.rounds):
            for n in (int(x) for x in args.threads.split(",")):
                load = os.getloadavg()[0]
                out = work / f"run-{n}"
                env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "vner",
                        "train",
                        "--model_name_or_path",
                        str(model),
                        "--dataset",
                        data,
                        "--output_dir",
                        str(out),
                        "--threads",
                        str(n),
                        "--max_steps",
                        str(args.steps),
                        "--per_device_train_batch_size",
                        str(args.batch_size),
                        "--eval_strategy",
                        "no",
                        "--save_strategy",
                        "no",
                        "--load_best_model_at_end",
                        "false",
                        "--overwrite_output_dir",
                        "--disable_tqdm",
                        "true",
                    ],
                    check=True,
                    cwd=ROOT,
                    capture_output=True,
                    env=env,
                )
                m = json.loads((out / "metrics.json").read_text())["train"]
                rate = m["train_samples_per_second"]
                results.setdefault(n, []).append(rate)
                print(f"threads {n}: {rate:8.1f} samples/s (load average before the run {load:.1f})", flush=True)
        best = max(results, key=lambda n: sum(results[n]) / len(results[n]))
        print(
            "mean samples/s: "
            + ", ".join(f"{n} thread(s) {sum(r) / len(r):.1f}" for n, r in results.items())
            + f"; fastest here: {best}"
        )


if __name__ == "__main__":
    main()
