"""Pre-annotator speed of this checkout against an earlier commit, side by side in one run.

    .venv/bin/python benchmarks/preannotate_versions.py               # against 80db964 (before issue #16's rules)
    .venv/bin/python benchmarks/preannotate_versions.py --rev HEAD~3 --rounds 5

The real-text development sentences (`benchmarks/devtext/dev`, loaded and segmented once, by this checkout) are
tagged by `rules` and `dates` of both versions, each in its own process (the two versions' modules share names),
alternating for `--rounds` rounds so both see the same machine load. Each figure is sentences/s in CPU time of one
core, best of three passes; the default stack's rate is 1 / (1/rules + 1/dates). Prints every round and the median
ratio now/before per pre-annotator.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside each version's checkout: only the Sentence type and make_preannotator, which both versions have.
TIMER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from annotation.unit import Sentence
from annotation.preannotate import make_preannotator
rows = json.load(open(sys.argv[2], encoding="utf-8"))
sents = [Sentence(d, i, t, tuple(tuple(w) for w in ws)) for d, i, t, ws in rows]
out = {}
for spec in ("rules", "dates"):
    ann = make_preannotator(spec)
    ann.annotate(sents[:50])  # lazy lexicon loading and regex compilation stay out of the timing
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        ann.annotate(sents)
        best = min(best, time.process_time() - t)
    out[spec] = len(sents) / best
out["rules+dates"] = 1 / (1 / out["rules"] + 1 / out["dates"])
print(json.dumps(out))
"""


def dev_sentences(path: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from annotation.gold_markup import plain_text, read_gold
    from annotation.text import load_documents

    gold = read_gold(ROOT / "benchmarks" / "devtext" / "dev", "[nw]*_[0-9]*.md")
    with tempfile.TemporaryDirectory() as tmp:
        for doc_id, units in gold.items():
            (Path(tmp) / f"{doc_id}.txt").write_text(plain_text(units), encoding="utf-8")
        docs = load_documents([tmp], segmentation="raw")
    rows = [[s.doc_id, s.index, s.text, [list(w) for w in s.word_spans]] for d in docs for s in d.sentences()]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return len(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", default="80db964", help="the earlier commit")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), args.rev], check=True)
        try:
            sents = Path(tmp) / "sentences.json"
            n = dev_sentences(sents)
            print(f"{n} real-text development sentences; this checkout vs {args.rev}, {args.rounds} rounds")
            runs: dict[str, list[dict]] = {"now": [], "before": []}
            for r in range(args.rounds):
                for name, repo in (("now", ROOT), ("before", old)):
                    res = subprocess.run(
                        [sys.executable, "-c", TIMER, str(repo), str(sents)], capture_output=True, text=True, check=True
                    )
                    runs[name].append(json.loads(res.stdout.strip().splitlines()[-1]))
                    print(f"round {r + 1} {name:<7}" + "".join(f"{k:>14} {v:7,.0f}" for k, v in runs[name][-1].items()))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
    print("median sentences/s and ratio now/before:")
    for spec in ("rules", "dates", "rules+dates"):
        now = statistics.median(x[spec] for x in runs["now"])
        before = statistics.median(x[spec] for x in runs["before"])
        ratios = [a[spec] / b[spec] for a, b in zip(runs["now"], runs["before"])]
        print(
            f"  {spec:<12} now {now:7,.0f}  before {before:7,.0f}  ratio {statistics.median(ratios):.2f} "
            f"(rounds: {' '.join(f'{x:.2f}' for x in ratios)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
