"""Pre-annotation speed per pre-annotator on the seed articles, side by side in one run, and, when the gold
export exists (annotation/gold/*.json), strict span P/R/F1 per type of several annotator stacks against it.

    .venv/bin/python benchmarks/preannotate.py [--seeds seeds] [--gold annotation/gold] [--no-crf]

Figures: sentences/s of each pre-annotator alone on already segmented sentences (one core), the segmenter
(underthesea, raw seeds only), and the total `vner preannotate` time after imports (load + segment +
rules + dates + tasks). Strict = same start, end and type (what seqeval's strict IOB2 mode counts on spans).
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
from annotation.spans import Span  # noqa: E402
from annotation.tasks import spans_from_regions  # noqa: E402
from annotation.text import Sentence, default_segmenter, load_documents  # noqa: E402

IMPORT_S = time.perf_counter() - t_import


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def gold_units(gold_dir: Path) -> list[tuple[str, list[Sentence], list[tuple[int, int]], list[Span]]]:
    """(text, sentences, sentence offsets, gold spans) of every annotated task in the gold export."""
    units = []
    for f in sorted(gold_dir.glob("*.json")):
        tasks = json.loads(f.read_text(encoding="utf-8"))
        for task in tasks if isinstance(tasks, list) else [tasks]:
            anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
            if not anns:
                continue
            data = task["data"]
            text, vner = data["text"], data["vner"]
            words = [tuple(w) for w in vner["words"]]
            sents, offsets = [], []
            for k, (s, e) in enumerate(vner["sentences"]):
                ws = tuple((a - s, b - s) for a, b in words if a >= s and b <= e)
                sents.append(Sentence(data.get("doc_id", f.stem), k, text[s:e], ws))
                offsets.append((s, e))
            units.append((text, sents, offsets, spans_from_regions(anns[-1]["result"])))
    return units


def score(units, annotators) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    for text, sents, offsets, gold in units:
        pred_lists = combine(annotators, sents) if annotators else [[] for _ in sents]
        pred = {sp.shifted(s).key for sps, (s, _) in zip(pred_lists, offsets) for sp in sps}
        want = {sp.key for sp in gold}
        for k in pred & want:
            tp[k[2]] += 1
        for k in pred - want:
            fp[k[2]] += 1
        for k in want - pred:
            fn[k[2]] += 1
    out = {}
    for t in list(ENTITY_TYPES) + ["micro"]:
        a, b, c = (sum(x.values()) for x in (tp, fp, fn)) if t == "micro" else (tp[t], fp[t], fn[t])
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        out[t] = {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3), "support": a + c}
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

    gold_dir = Path(args.gold)
    units = gold_units(gold_dir) if gold_dir.is_dir() else []
    if units:
        stacks = {"rules+dates": ["rules", "dates"], "rules": ["rules"], "dates": ["dates"]}
        if not args.no_crf:
            stacks.update({"crf": ["crf"], "crf+dates": ["crf", "dates"], "rules+dates+crf": ["rules", "dates", "crf"]})
        print(f"\nstrict span scores on {gold_dir} ({len(units)} tasks)")
        print(f"{'stack':<18}" + "".join(f"{t:>17}" for t in list(ENTITY_TYPES) + ["micro"]) + "   (P/R/F1)")
        figures["gold"] = {}
        for name, members in stacks.items():
            res = score(units, [annotators[m] for m in members])
            figures["gold"][name] = res
            print(f"{name:<18}" + "".join(f"{res[t]['p']:>5.2f}/{res[t]['r']:.2f}/{res[t]['f1']:.2f}" for t in list(ENTITY_TYPES) + ["micro"]))
        figures["gold_support"] = {t: figures["gold"]["rules+dates"][t]["support"] for t in ENTITY_TYPES}
    else:
        print(f"\n(no gold export in {gold_dir}: scores skipped)")
    figures["wall_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
