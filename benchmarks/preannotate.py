"""Pre-annotation speed and accuracy, side by side in one run: every stack of pre-annotators scored per type on
four gold sets, plus sentences/s of each pre-annotator.

The four sets (`--sets`, default all):

  seed             annotation/gold/*.json: the five seed articles (development: the rules were written on them)
  heldout          benchmarks/heldout/NN_*.md: six news-style articles written for the project (never tuned on)
  devtext-dev      benchmarks/devtext/dev/*.md: real text (Wikipedia, translated news), the development part
  devtext-heldout  benchmarks/devtext/heldout/*.md: real text, the part never tuned on

A markup set (`[[text|LABEL]]`, parsed by annotation.gold_markup) is scored the way `vner preannotate` meets raw
text: each article's plain text (one unit per line) goes through `load_documents` (NFC, paragraphs, underthesea
segmentation, sentences) and `preannotate_documents`; the resulting tasks get the gold as annotations
(`build_export`) and every stack is scored by `annotation.corrections` (seqeval strict, IOB2, as
`vner corrections --preannotators` does).

    .venv/bin/python benchmarks/preannotate.py [--sets seed,heldout,devtext-dev,devtext-heldout] [--no-crf]
                                               [--scores-only] [--json FILE]

Speed: sentences/s of each pre-annotator alone on already segmented sentences (CPU time, one core), and of the
default stack, on the seed sentences and on the real-text development sentences (when that set is scored); the
segmenter (underthesea, raw seeds only); the total `vner preannotate` time on the seeds after imports (load +
segment + rules + dates + tasks).
The last line printed is one JSON object with every figure.
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

# name -> (folder, gold file pattern, what it is)
MARKUP_SETS = {
    "heldout": (ROOT / "benchmarks" / "heldout", "[0-9]*.md", "written for the project, held out"),
    "devtext-dev": (ROOT / "benchmarks" / "devtext" / "dev", "[nw]*_[0-9]*.md", "real text, development"),
    "devtext-heldout": (ROOT / "benchmarks" / "devtext" / "heldout", "[nw]*_[0-9]*.md", "real text, held out"),
}
SETS = ("seed", *MARKUP_SETS)
COLUMNS = list(ENTITY_TYPES) + ["micro avg"]


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def gold_scores(export: Path, annotators) -> dict:
    """seqeval strict P/R/F1 per type of `annotators` recomputed over the gold export's tasks
    (annotation.corrections, the same numbers `vner corrections --preannotators` prints)."""
    from annotation.corrections import correction_report

    report = correction_report(export, preannotators=annotators)
    rows = report["seqeval"]["strict"]
    out = {}
    for t in COLUMNS:
        row = rows.get(t, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
        out[t] = {
            "p": round(row["precision"], 3),
            "r": round(row["recall"], 3),
            "f1": round(row["f1-score"], 3),
            "support": row["support"],
        }
    out["corrections"] = report["total"]
    return out


def markup_export(gold_dir: Path, pattern: str, export_path: Path, annotators) -> tuple[dict, list]:
    """Write a markup gold set as a Label Studio export with the gold as annotations (the tasks are what
    `vner preannotate` makes of the plain text, with `annotators`' predictions). Returns the set's size and
    its loaded documents."""
    from annotation.gold_markup import build_export, gold_counts, plain_text, read_gold

    gold = read_gold(gold_dir, pattern)
    with tempfile.TemporaryDirectory() as tmp:
        for doc_id, units in gold.items():
            (Path(tmp) / f"{doc_id}.txt").write_text(plain_text(units), encoding="utf-8")
        docs = load_documents([tmp], segmentation="raw")
    # whole paragraphs, repeats included: the gold is written per paragraph
    tasks, stats = preannotate_documents(docs, annotators, "paragraph", max_chars=None, drop_repeats=False)
    export_path.write_text(json.dumps(build_export(gold, tasks, gold_dir), ensure_ascii=False), encoding="utf-8")
    counts = gold_counts(gold)
    size = {
        "docs": len(docs),
        "units": stats.tasks,
        "sentences": stats.sentences,
        "entities": {t: sum(c[t] for c in counts.values()) for t in ENTITY_TYPES},
    }
    return size, docs


def cell(res: dict) -> str:
    return f"{res['p']:>5.2f}/{res['r']:.2f}/{res['f1']:.2f}"


def speed(annotators: dict, sentences: list, label: str, figures: dict, repeat: int = 3) -> None:
    """sentences/s of each pre-annotator alone over `sentences` (already segmented), in CPU time of this process
    (one core: the annotators are single-threaded; CPU time is less disturbed by other work on the machine than
    wall time), best of `repeat` runs; the default stack's rate is 1 / (1/rules + 1/dates)."""
    n = len(sentences)
    print(f"\n{label}: {n} sentences")
    print(f"{'pre-annotator':<14}{'sentences/s':>12}{'spans':>8}   per type")
    for spec, ann in annotators.items():
        s = float("inf")
        for _ in range(1 if spec == "crf" else repeat):
            t = time.process_time()
            out = ann.annotate(sentences)
            s = min(s, time.process_time() - t)
        rate = n / s if s else float("inf")
        types = Counter(sp.label for spans in out for sp in spans)
        per_type = ", ".join(f"{t} {types[t]}" for t in ENTITY_TYPES)
        print(f"{spec:<14}{rate:>12.0f}{sum(types.values()):>8}   {per_type}")
        figures[f"{spec}_sentences_per_s"] = round(rate, 1)
    if {"rules_sentences_per_s", "dates_sentences_per_s"} <= set(figures):
        both = 1 / (1 / figures["rules_sentences_per_s"] + 1 / figures["dates_sentences_per_s"])
        figures["rules+dates_sentences_per_s"] = round(both, 1)
        print(f"{'rules+dates':<14}{both:>12.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated sets to score, of {', '.join(SETS)}")
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--gold", default=str(ROOT / "annotation" / "gold"), help="folder of the seed gold export")
    ap.add_argument("--no-crf", action="store_true", help="skip underthesea's CRF (about 75 sentences/s)")
    ap.add_argument("--scores-only", action="store_true", help="skip the speed figures; print the score tables only")
    ap.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = ap.parse_args()
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(sets) - set(SETS))
    if unknown:
        ap.error(f"unknown set(s) {unknown}; choose from {', '.join(SETS)}")

    t0 = time.perf_counter()
    seg, seg_import_s = timed(default_segmenter)
    docs, load_s = timed(load_documents, [args.seeds])
    sentences = [s for d in docs for s in d.sentences()]
    raw_sents = sum(len(d.sentences()) for d in docs if not d.segmented)
    figures: dict = {
        "sets": sets,
        "import_s": round(IMPORT_S, 2),
        "segmenter_import_s": round(seg_import_s, 2),
        "seed_load_and_segment_s": round(load_s, 3),
        "segment_sentences_per_s": round(raw_sents / load_s, 1) if load_s else None,
    }
    print(f"seeds: {len(docs)} docs, {len(sentences)} sentences ({raw_sents} segmented by {seg.name} in {load_s:.2f}s)")

    specs = ["rules", "dates"] + ([] if args.no_crf else ["crf"])
    annotators = {}
    for spec in specs:
        annotators[spec], init_s = timed(make_preannotator, spec)
        figures[f"{spec}_init_s"] = round(init_s, 2)
    default = [annotators["rules"], annotators["dates"]]
    if not args.scores_only:
        figures["speed_seed"] = {}
        speed(
            annotators, sentences, "speed on the seed sentences (one core, after segmentation)", figures["speed_seed"]
        )
        # the default `vner preannotate` path after imports: load + segment + rules + dates + tasks
        t = time.perf_counter()
        tasks, stats = preannotate_documents(load_documents([args.seeds]), default, "paragraph")
        total = time.perf_counter() - t
        print(
            f"total `vner preannotate seeds` after imports (load, segment, rules+dates, {stats.tasks} tasks): "
            f"{total:.2f}s"
        )
        figures["total_preannotate_s"] = round(total, 2)

    stacks = {"rules+dates": ["rules", "dates"], "rules": ["rules"], "dates": ["dates"]}
    if not args.no_crf:
        stacks.update({"crf": ["crf"], "crf+dates": ["crf", "dates"], "rules+dates+crf": ["rules", "dates", "crf"]})
    figures["sizes"], figures["scores"] = {}, {}
    for name in sets:
        with tempfile.TemporaryDirectory() as tmp:
            if name == "seed":
                exports = sorted(Path(args.gold).glob("*.json")) if Path(args.gold).is_dir() else []
                if not exports:
                    print(f"\n(no gold export in {args.gold}: seed scores skipped)")
                    continue
                export = exports[0]
                figures["sizes"][name] = {"docs": len(docs), "sentences": len(sentences)}
            else:
                folder, pattern, _ = MARKUP_SETS[name]
                export = Path(tmp) / f"{name}.json"
                (size, set_docs), load_s = timed(markup_export, folder, pattern, export, default)
                figures["sizes"][name] = size
                print(
                    f"\n{name} ({folder.relative_to(ROOT)}): {size['docs']} articles, {size['units']} paragraphs, "
                    f"{size['sentences']} sentences, {sum(size['entities'].values())} entities ("
                    + ", ".join(f"{t} {n}" for t, n in size["entities"].items())
                    + f"); loaded in {load_s:.1f}s"
                )
                if name == "devtext-dev" and not args.scores_only:
                    figures["speed_devtext_dev"] = {}
                    speed(
                        annotators,
                        [s for d in set_docs for s in d.sentences()],
                        "speed on the real-text development sentences (one core, after segmentation)",
                        figures["speed_devtext_dev"],
                    )
            figures["scores"][name] = {
                stack: gold_scores(export, [annotators[m] for m in members]) for stack, members in stacks.items()
            }

    scored = [s for s in sets if s in figures["scores"]]
    print("\nseqeval strict P/R/F1 per type (cells: precision/recall/F1)")
    print(f"{'stack':<18}{'set':<17}" + "".join(f"{t:>17}" for t in COLUMNS))
    for stack in stacks:
        for k, name in enumerate(scored):
            res = figures["scores"][name][stack]
            print(f"{stack if k == 0 else '':<18}{name:<17}" + "".join(cell(res[t]) for t in COLUMNS))
    for name in scored:
        res = figures["scores"][name]["rules+dates"]
        print(f"{'support':<18}{name:<17}" + "".join(f"{res[t]['support']:>17}" for t in COLUMNS))
    print("\nmicro F1 side by side")
    print(f"{'stack':<18}" + "".join(f"{name:>17}" for name in scored))
    for stack in stacks:
        f1s = [figures["scores"][name][stack]["micro avg"]["f1"] for name in scored]
        print(f"{stack:<18}" + "".join(f"{f1:>17.3f}" for f1 in f1s))

    figures["wall_s"] = round(time.perf_counter() - t0, 2)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
