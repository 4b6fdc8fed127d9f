"""Speed of `vner agreement` and `vner adjudicate` beside the reader of `vner dataset`, on one export.

    python benchmarks/agreement.py                 # the 84 gold seed tasks x 50 = 4,200 tasks, two annotators
    python benchmarks/agreement.py --copies 10 --annotators 3

Each copy of a gold task is annotated by every annotator: the first keeps the gold, the others change one span
in every fifth task (retyped, or cut by one character from the end), so there are disagreements to report.
Printed side by side in one run: load_export(per-annotator) (what `vner dataset --annotations per-annotator`
reads), agreement_report, review_tasks; and their ratio. scikit-learn's import (for kappa) is timed apart.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotation.adjudication import review_tasks  # noqa: E402
from annotation.agreement import agreement_report, read_versions  # noqa: E402
from annotation.export import load_export, read_task  # noqa: E402
from annotation.regions import region  # noqa: E402
from annotation.spans import Span  # noqa: E402

GOLD = Path(__file__).resolve().parent.parent / "annotation" / "gold" / "seeds_export.json"
NAMES = ("alice", "bob", "carol", "dan")


def build(copies: int, n_annotators: int) -> list[dict]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    spans = {t["id"]: read_task(t).regions(t["annotations"][0]["result"]).spans for t in gold}
    out, k = [], 0
    for _ in range(copies):
        for t in gold:
            k += 1
            task = copy.deepcopy(t)
            task["id"] = k
            text = t["data"]["text"]
            anns = []
            for a in range(n_annotators):
                mine = list(spans[t["id"]])
                if a and mine and (k + a) % 5 == 0:
                    s = mine[(k + a) % len(mine)]
                    other = "ORG" if s.label != "ORG" else "LOC"
                    mine[(k + a) % len(mine)] = (
                        Span(s.start, s.end, other)
                        if a % 2
                        else Span(s.start, s.end - 1, s.label)
                        if s.end - s.start > 1
                        else s
                    )
                anns.append(
                    {
                        "id": k * 10 + a,
                        "completed_by": {"id": a + 1, "email": NAMES[a]},
                        "was_cancelled": False,
                        "ground_truth": False,
                        "lead_time": 10.0 + a,
                        "updated_at": f"2026-12-01T10:0{a}:00Z",
                        "result": [dict(region(s, text), origin="manual") for s in mine],
                    }
                )
            task["annotations"] = anns
            out.append(task)
    return out


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=50, help="copies of the 84 gold tasks")
    ap.add_argument("--annotators", type=int, default=2, choices=range(2, len(NAMES) + 1))
    args = ap.parse_args()
    tasks = build(args.copies, args.annotators)
    _, t_import = timed(lambda: __import__("sklearn.metrics"))  # once per process; timed apart
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.json"
        path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        mb = path.stat().st_size / 2**20
        # the same sentence in every copy: duplicates are expected, hence lenient
        loaded, t_load = timed(lambda: load_export(path, annotations="per-annotator", lenient=True))
        report, t_agree = timed(lambda: agreement_report(path))
        ev, t_read = timed(lambda: read_versions(path))
        review, t_review = timed(lambda: review_tasks(ev))
    n = len(tasks)
    print(
        f"export: {n} tasks x {args.annotators} annotators ({mb:.1f} MB), "
        f"{len(report['disagreements'])} disagreements, {len(review['tasks'])} disputed tasks"
    )
    print(
        f"load_export(per-annotator):   {t_load:6.2f} s  {n / t_load:8.0f} tasks/s  ({len(loaded.examples)} examples)"
    )
    print(
        f"agreement_report:             {t_agree:6.2f} s  {n / t_agree:8.0f} tasks/s  "
        f"(strict F1 {report['overall']['strict_f1']:.4f}, kappa {report['overall']['kappa']:.4f})"
    )
    print(f"  of which reading + checking: {t_read:6.2f} s")
    print(f"review_tasks (after reading): {t_review:6.2f} s")
    print(f"(importing scikit-learn for kappa, once per run: {t_import:.2f} s, not counted above)")
    print(f"ratio agreement_report / load_export: {t_agree / t_load:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
