"""`/predict` latency of `vner serve` for 1 and 100 tasks, with the rules (rules + dates) and with the tiny model
(fine-tuned briefly on the gold seeds; model + rules + dates), measured side by side in one run.

Requests go through the real app (Starlette's test client: routing, JSON in and out, the thread pool) without a
network. Tasks are vner tasks (`data.vner`, words already known: what `vner preannotate` pushes) and plain
`data.text` tasks (segmented on the fly by underthesea). Each figure is the median of `--repeat` requests after
one warm-up request.

    python benchmarks/backend_latency.py [--repeat 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import tiny_model  # noqa: E402


def tiny_trained(work: Path) -> str:
    """The tiny model fine-tuned for one epoch on the gold seeds (what it predicts does not matter here)."""
    from annotation.dataset import build_dataset_dict, write_dataset
    from annotation.export import load_export
    from training.train import main as train_main

    out = work / "tiny-seeds"
    if (out / "metrics.json").exists():
        return str(out)
    result = load_export(ROOT / "annotation" / "gold" / "seeds_export.json")
    write_dataset(build_dataset_dict(result.examples), work / "seeds-dataset")
    train_main(
        [
            "--model_name_or_path",
            tiny_model(work),
            "--dataset",
            str(work / "seeds-dataset"),
            "--output_dir",
            str(out),
            "--num_train_epochs",
            "1",
            "--disable_tqdm",
            "true",
            "--report_to",
            "none",
        ]
    )
    return str(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--work", default="out/bench")
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "results" / "backend_latency.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import torch
    from starlette.testclient import TestClient

    from annotation.tasks import make_task
    from annotation.text import load_documents
    from annotation.unit import units_at
    from vner.backend import Backend, ServeConfig, create_app

    torch.set_num_threads(args.threads)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    model = tiny_trained(work)
    units = [u for d in load_documents([ROOT / "seeds"]) for u in units_at(d.paragraphs, "sentence")][:100]
    vner_tasks = [{"id": i, "data": make_task(u)["data"]} for i, u in enumerate(units)]
    plain_tasks = [{"id": i, "data": {"text": u.text}} for i, u in enumerate(units)]
    words = sum(len(u.word_spans) for u in units)
    print(
        f"{len(units)} sentence tasks ({words} words); median of {args.repeat} requests; torch threads {args.threads}"
    )

    results = {}
    for name, model_dir in (("rules", None), ("tiny model", model)):
        with tempfile.TemporaryDirectory() as tmp:
            backend = Backend(ServeConfig(model=model_dir, workdir=tmp, train_every=0, device="cpu"))
            with TestClient(create_app(backend)) as client:
                for kind, tasks in (("vner", vner_tasks), ("plain", plain_tasks)):
                    for n in (1, 100):
                        batch = tasks[:n]
                        client.post("/predict", json={"tasks": batch})  # warm-up (model, segmenter loaded)
                        times = []
                        for _ in range(args.repeat):
                            t = time.perf_counter()
                            res = client.post("/predict", json={"tasks": batch})
                            times.append(time.perf_counter() - t)
                            assert res.status_code == 200 and len(res.json()["results"]) == n
                        ms = statistics.median(times) * 1000
                        results[f"{name} / {kind} / {n}"] = round(ms, 1)
                        print(f"{name:<11} {kind:<6} {n:>4} tasks: {ms:8.1f} ms  ({ms / n:.1f} ms/task)", flush=True)
    r = results
    ratios = {
        "model/rules, 100 vner tasks": round(r["tiny model / vner / 100"] / r["rules / vner / 100"], 2),
        "plain/vner, rules, 100 tasks": round(r["rules / plain / 100"] / r["rules / vner / 100"], 2),
        "per-task, 100 vs 1 (rules, vner)": round(r["rules / vner / 1"] / (r["rules / vner / 100"] / 100), 2),
    }
    print(json.dumps(ratios))
    out = {
        "tasks": len(units),
        "words": words,
        "repeat": args.repeat,
        "threads": args.threads,
        "ms": results,
        "ratios": ratios,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
