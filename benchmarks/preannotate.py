"""Pre-annotation speed per pre-annotator on the seed articles, side by side in one run, and, when the gold
export exists (annotation/gold/*.json), seqeval strict P/R/F1 per type of several annotator stacks against it
(recomputed over the export's tasks by annotation.corrections, as `vner corrections --preannotators` does).

The same stacks are then scored on the held-out set (benchmarks/heldout/*.md, see its README: text the rules
and lexicons were never tuned on) and printed next to the seed (development) scores. The held-out markup is
parsed by annotation.gold_markup (the seed gold's parser); its plain text goes through the same loading and
underthesea segmentation as `vner preannotate` on raw .txt files, then through annotation.corrections.

    .venv/bin/python benchmarks/preannotate.py [--seeds seeds] [--gold annotation/gold] [--no-crf]
                                               [--heldout benchmarks/heldout | --no-heldout] [--scores-only]

Figures: sentences/s of each pre-annotator alone on already segmented sentences (one core), the segmenter
(underthesea, raw seeds only), and the total `vner preannotate` time after imports (load + segment +
rules + dates + tasks).
The last line is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

t_import = time.perf_counter()
from annotation.preannotate import make_preannotator, preannotate_documents  # noqa: E402
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
    rows = report["seqeval"]["strict"]
    out = {}
    for t in list(ENTITY_TYPES) + ["micro avg"]:
        row = rows.get(t, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
        out[t] = {"p": round(row["precision"], 3), "r": round(row["recall"], 3), "f1": round(row["f1-score"], 3), "support": row["support"]}
    out["corrections"] = report["total"]
    return out


HELDOUT_PATTERN = "[0-9]*.md"  # the articles; README.md and other notes are not gold


def heldout_export(heldout_dir: Path, export_path: Path, annotators) -> dict:
    """Write the held-out set as a Label Studio export with the gold as annotations (the tasks are what
    `vner preannotate` makes of the plain text, with `annotators`' predictions), and return its size."""
    from annotation.gold_markup import build_export, gold_counts, plain_text, read_gold

    gold = read_gold(heldout_dir, HELDOUT_PATTERN)
    with tempfile.TemporaryDirectory() as tmp:
        for doc_id, units in gold.items():
            (Path(tmp) / f"{doc_id}.txt").write_text(plain_text(units), encoding="utf-8")
        docs = load_documents([tmp])
    assert not any(d.segmented for d in docs)
    # whole paragraphs, repeats included: the gold is written per paragraph
    tasks, stats = preannotate_documents(docs, annotators, "paragraph", max_chars=None, drop_repeats=False)
    export_path.write_text(json.dumps(build_export(gold, tasks, heldout_dir), ensure_ascii=False), encoding="utf-8")
    counts = gold_counts(gold)
    return {"docs": len(docs), "units": stats.tasks, "sentences": stats.sentences,
            "entities": {t: sum(c[t] for c in counts.values()) for t in ENTITY_TYPES}}


def cell(res: dict) -> str:
    return f"{res['p']:>5.2f}/{res['r']:.2f}/{res['f1']:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--gold", default=str(ROOT / "annotation" / "gold"))
    ap.add_argument("--no-crf", action="store_true", help="skip underthesea's CRF (about 15 sentences/s)")
    ap.add_argument("--heldout", default=str(ROOT / "benchmarks" / "heldout"), help="held-out gold folder (NN_*.md)")
    ap.add_argument("--no-heldout", action="store_true", help="score the seed gold only")
    ap.add_argument("--scores-only", action="store_true", help="skip the speed figures; print the score tables only")
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
    if not args.scores_only:
        print(f"{'pre-annotator':<14}{'sentences/s':>12}{'spans':>8}   per type")
    for spec in specs:
        ann, init_s = timed(make_preannotator, spec)
        annotators[spec] = ann
        figures[f"{spec}_init_s"] = round(init_s, 2)
        if args.scores_only:
            continue
        out, s = timed(ann.annotate, sentences)
        rate = n / s if s else float("inf")
        types = Counter(sp.label for spans in out for sp in spans)
        print(f"{spec:<14}{rate:>12.0f}{sum(types.values()):>8}   " + ", ".join(f"{t} {types[t]}" for t in ENTITY_TYPES)
              + f"   (init {init_s:.2f}s)")
        figures[f"{spec}_sentences_per_s"] = round(rate, 1)

    if not args.scores_only:
        # the default `vner preannotate` path after imports: load + segment + rules + dates + tasks
        t = time.perf_counter()
        docs = load_documents([args.seeds])
        tasks, stats = preannotate_documents(docs, [annotators["rules"], annotators["dates"]], "paragraph")
        total = time.perf_counter() - t
        print(f"total pre-annotation after imports (load, segment, rules+dates, {stats.tasks} tasks): {total:.2f}s")
        figures["total_preannotate_s"] = round(total, 2)

    stacks = {"rules+dates": ["rules", "dates"], "rules": ["rules"], "dates": ["dates"]}
    if not args.no_crf:
        stacks.update({"crf": ["crf"], "crf+dates": ["crf", "dates"], "rules+dates+crf": ["rules", "dates", "crf"]})
    columns = list(ENTITY_TYPES) + ["micro avg"]
    exports = sorted(Path(args.gold).glob("*.json")) if Path(args.gold).is_dir() else []
    if exports:
        print(f"\nseqeval strict P/R/F1 against {exports[0]}")
        print(f"{'stack':<18}" + "".join(f"{t:>17}" for t in columns))
        figures["gold"] = {}
        for name, members in stacks.items():
            res = gold_scores(exports[0], [annotators[m] for m in members])
            figures["gold"][name] = res
            print(f"{name:<18}" + "".join(cell(res[t]) for t in columns))
    else:
        print(f"\n(no gold export in {args.gold}: scores skipped)")

    if not args.no_heldout:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "heldout_export.json"
            size = heldout_export(Path(args.heldout), export, [annotators["rules"], annotators["dates"]])
            figures["heldout_set"] = size
            figures["heldout"] = {name: gold_scores(export, [annotators[m] for m in members])
                                  for name, members in stacks.items()}
        ents = size["entities"]
        print(f"\nheld-out set {args.heldout}: {size['docs']} articles, {size['units']} paragraphs, "
              f"{size['sentences']} sentences, {sum(ents.values())} entities ("
              + ", ".join(f"{t} {n}" for t, n in ents.items()) + ")")
        print("seqeval strict P/R/F1, seed gold (development: the rules were written on it) vs held-out")
        print(f"{'stack':<18}{'set':<10}" + "".join(f"{t:>17}" for t in columns))
        for name in stacks:
            for label, key in (("seed", "gold"), ("held-out", "heldout")):
                if name in figures.get(key, {}):
                    res = figures[key][name]
                    print(f"{name if label == 'seed' else '':<18}{label:<10}" + "".join(cell(res[t]) for t in columns))
        for label, key in (("seed", "gold"), ("held-out", "heldout")):
            if figures.get(key):
                res = next(iter(figures[key].values()))
                print(f"{'support':<18}{label:<10}" + "".join(f"{res[t]['support']:>17}" for t in columns))
    figures["wall_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
