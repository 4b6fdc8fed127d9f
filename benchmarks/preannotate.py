"""Pre-annotation speed per pre-annotator on the seed articles, side by side in one run, and, when the gold
export exists (annotation/gold/*.json), seqeval strict P/R/F1 per type of several annotator stacks against it
(recomputed over the export's tasks by annotation.corrections, as `vner corrections --preannotators` does).

    .venv/bin/python benchmarks/preannotate.py [--seeds seeds] [--gold annotation/gold] [--no-crf]

Figures: sentences/s of each pre-annotator alone on already segmented sentences (one core), the segmenter
(underthesea, raw seeds only), and the total `vner preannotate` time after imports (load + segment +
rules + dates + tasks).
The last line is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

t_import = time.perf_counter()
from annotation.preannotate import combine, make_preannotator, preannotate_documents  # noqa: E402
from annotation.schema import ENTITY_TYPES  # noqa: E402
from annotation.text import default_segmenter, load_documents  # noqa: E402

IMPORT_S = time.perf_counter() - t_import


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def gold_scores(export: Path, annotators) -> dict:
    """seqeval strict P/R/F1 per type of `annotators` recomputed over the gold export's tasks
    (annotation.corrections, the same numbers `vner corrections --preannotators` prints)."""
    from annotation.corrections import correction_report

    report = correction_report(export, preannotators=annotators)
    rows = report["seqeval_strict"]
    out = {}
    for t in list(ENTITY_TYPES) + ["micro"]:
        row = rows.get(t, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
        out[t] = {"p": round(row["precision"], 3), "r": round(row["recall"], 3), "f1": round(row["f1-score"], 3), "support": row["support"]}
    out["corrections"] = report["total"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--gold", default=str(ROOT / "annotation" / "gold"))
    ap.add_argument("--no-crf", action="store_true", help="skip underthesea's CRF (about 15 sentences/s)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    seg, seg_import_s = timed(default_segmenter)
    docs, load_s = timed(load_documents, [args.seeds])
    sentences = [s for d in docs for s in d.sentences()]
    raw_sents = sum(len(d.sentences()) for d in docs if not d.segmented)
    n = len(sentences)
    figures: dict = {"sentences": n, "docs": len(docs), "import_s": round(IMPORT_S, 2),
                     "segmenter_import_s": round(seg_import_s, 2),
                     "load_and_segment_s": round(load_s, 3),
                     "segment_sentences_per_s": round(raw_sents / load_s, 1) if load_s else None}
    print(f"{len(docs)} docs, {n} sentences ({raw_sents} segmented by {seg.name} in {load_s:.2f}s)")

    specs = ["rules", "dates"] + ([] if args.no_crf else ["crf"])
    annotators = {}
    print(f"{'pre-annotator':<14}{'sentences/s':>12}{'spans':>8}   per type")
    for spec in specs:
        ann, init_s = timed(make_preannotator, spec)
        annotators[spec] = ann
        out, s = timed(ann.annotate, sentences)
        rate = n / s if s else float("inf")
        types = Counter(sp.label for spans in out for sp in spans)
        print(f"{spec:<14}{rate:>12.0f}{sum(types.values()):>8}   " + ", ".join(f"{t} {types[t]}" for t in ENTITY_TYPES)
              + f"   (init {init_s:.2f}s)")
        figures[f"{spec}_sentences_per_s"] = round(rate, 1)
        figures[f"{spec}_init_s"] = round(init_s, 2)

    # the default `vner preannotate` path after imports: load + segment + rules + dates + tasks
    t = time.perf_counter()
    docs = load_documents([args.seeds])
    tasks, stats = preannotate_documents(docs, [annotators["rules"], annotators["dates"]], "paragraph", seg.name)
    total = time.perf_counter() - t
    print(f"total pre-annotation after imports (load, segment, rules+dates, {stats.tasks} tasks): {total:.2f}s")
    figures["total_preannotate_s"] = round(total, 2)

    exports = sorted(Path(args.gold).glob("*.json")) if Path(args.gold).is_dir() else []
    if exports:
        stacks = {"rules+dates": ["rules", "dates"], "rules": ["rules"], "dates": ["dates"]}
        if not args.no_crf:
            stacks.update({"crf": ["crf"], "crf+dates": ["crf", "dates"], "rules+dates+crf": ["rules", "dates", "crf"]})
        print(f"\nseqeval strict P/R/F1 against {exports[0]}")
        print(f"{'stack':<18}" + "".join(f"{t:>17}" for t in list(ENTITY_TYPES) + ["micro"]))
        figures["gold"] = {}
        for name, members in stacks.items():
            res = gold_scores(exports[0], [annotators[m] for m in members])
            figures["gold"][name] = res
            print(f"{name:<18}" + "".join(f"{res[t]['p']:>5.2f}/{res[t]['r']:.2f}/{res[t]['f1']:.2f}" for t in list(ENTITY_TYPES) + ["micro"]))
    else:
        print(f"\n(no gold export in {args.gold}: scores skipped)")
    figures["wall_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
