"""End-to-end speed of `vner dataset` on a synthetic export: load_export + build_dataset_dict + write_dataset.

    python benchmarks/dataset.py                 # 100,000 tasks of ~20 words, 1-3 spans each
    python benchmarks/dataset.py --tasks 20000 --profile

Tasks are in the vner format (sentences + words carried in `data.vner`), as `vner preannotate` writes them,
so no segmenter runs: this measures the reader, the span->BIO conversion and the dataset writing.
Prints tasks/s and the share of time per phase.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotation.regions import region  # noqa: E402
from annotation.schema import ENTITY_TYPES  # noqa: E402
from annotation.spans import Span  # noqa: E402
from annotation.tasks import make_task  # noqa: E402
from annotation.text import split_sentences, whitespace_words  # noqa: E402
from annotation.unit import Unit  # noqa: E402

SYLLABLES = (
    "Hà Nội Việt Nam Thưởng Văn Võ Bộ Ngoại giao tại ngày tháng năm ông bà đã gặp đoàn đại biểu "
    "thành phố hợp tác phát triển kinh tế người dân Đà Nẵng Huế Lan Minh"
).split()


def synth_task(i: int, rng: random.Random) -> dict:
    n = rng.randint(16, 24)
    words = [rng.choice(SYLLABLES) for _ in range(n)]
    cut = n // 2
    words[cut] += "."
    words[cut + 1] = words[cut + 1].capitalize()
    words[-1] += "."
    text = " ".join(words)
    spans_w = whitespace_words(text)
    # join some syllable pairs into two-syllable words, as the segmenter does
    word_spans, k = [], 0
    while k < len(spans_w):
        if k + 1 < len(spans_w) and rng.random() < 0.3 and not text[spans_w[k][1] - 1] == ".":
            word_spans.append((spans_w[k][0], spans_w[k + 1][1]))
            k += 2
        else:
            word_spans.append(spans_w[k])
            k += 1
    spans, pos = [], 0
    for _ in range(rng.randint(1, 3)):
        a = rng.randrange(pos, len(spans_w)) if pos < len(spans_w) else None
        if a is None:
            break
        b = min(len(spans_w) - 1, a + rng.randint(0, 2))
        spans.append(Span(spans_w[a][0], spans_w[b][1], rng.choice(ENTITY_TYPES)))
        pos = b + 1
    unit = Unit(
        f"doc{i // 20:05d}",
        i % 20,
        2 * (i % 20),
        text,
        tuple(split_sentences(text, word_spans)),
        tuple(word_spans),
        "synthetic",
    )
    task = make_task(unit)
    task["id"] = i + 1
    task["annotations"] = [
        {
            "id": i + 1,
            "completed_by": 1 + i % 3,
            "was_cancelled": False,
            "created_at": "2026-11-01T00:00:00Z",
            "updated_at": "2026-11-01T00:00:00Z",
            "result": [dict(region(sp, text), origin="manual") for sp in spans],
        }
    ]
    task["predictions"] = []
    return task


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    args = ap.parse_args()

    from annotation.dataset import build_dataset_dict, write_dataset
    from annotation.export import load_export

    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.json"
        t0 = time.perf_counter()
        export.write_text(
            json.dumps([synth_task(i, rng) for i in range(args.tasks)], ensure_ascii=False), encoding="utf-8"
        )
        print(
            f"synthesised {args.tasks} tasks ({export.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        times, cpu = {}, {}

        def phase(name, fn):
            w, c = time.perf_counter(), time.process_time()
            out = fn()
            times[name], cpu[name] = time.perf_counter() - w, time.process_time() - c
            return out

        import datasets  # noqa: F401  (its import, ~3 s, is not part of the work)

        result = phase("load_export", lambda: load_export(export))
        dsd = phase("build_dataset_dict", lambda: build_dataset_dict(result.examples))
        phase(
            "write_dataset",
            lambda: write_dataset(dsd, Path(tmp) / "out", issues=result.issues, stats=result.stats, source=export.name),
        )
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    total, total_cpu = sum(times.values()), sum(cpu.values())
    # CPU time is printed too: on a shared machine it is the steadier figure.
    print(
        f"{args.tasks} tasks -> {len(result.examples)} sentences in {total:.1f} s wall ({total_cpu:.1f} s CPU): "
        f"{args.tasks / total:,.0f} tasks/s wall, {args.tasks / total_cpu:,.0f} tasks/s CPU"
    )
    print(f"  {'phase':<20} {'wall':>7} {'share':>6} {'CPU':>7}")
    for name, sec in times.items():
        print(f"  {name:<20} {sec:6.1f}s {100 * sec / total:5.1f}% {cpu[name]:6.1f}s")


if __name__ == "__main__":
    main()
