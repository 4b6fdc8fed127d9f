"""Adjudication: the tasks annotators disagree on go to a reviewer in Label Studio, and the reviewer's decision
comes back into the export as its ground truth.

1. `review_tasks(read_versions(export))`: one task per disputed task (two or more annotators whose chosen
   annotations do not mark exactly the same spans), in vner's task format (`Unit.to_task_data`: `vner dataset`
   and `vner corrections` read the review project's export as vner tasks), carrying each annotator's version
   as a prediction with `model_version` `annotator:<name>`. The prediction `score` is the task's mean strict F1
   over its pairs of annotators, so sorting the Data Manager by prediction score puts the worst disputes first.
   `data.adjudication` says where the task comes from (`source_task`, `source_file`, the annotators and the
   disagreement kinds). Agreed tasks are listed, not written.

   The review task keeps the original's `task_key`: the key names the text (doc_id, unit, hash of the text),
   and `Unit.from_task_data` checks it, so a different key would make the task unreadable as a vner task. Label
   Studio keys are per project, so the review project takes them; pushing review tasks into the original project
   by mistake imports nothing (the keys are there already) instead of duplicating tasks.

2. The reviewer opens each task from the Data Manager (not "Label All Tasks": only there does the editor show
   prediction tabs and "View all"), starts from the best version, fixes it and submits.

3. `merge_reviewed(original export, review export)`: the original export with, on every task the reviewer
   settled, the reviewer's annotation added (offsets mapped back onto the original text, which may not be NFC)
   and marked `ground_truth` — the annotators' annotations stay, unmarked — so `vner dataset` on the merged
   export keeps the reviewer's decision (`choose_annotation`: ground truth first) and the agreed tasks as they
   were. A reviewer who skipped a task leaves it unsettled (listed).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from pathlib import Path

from .agreement import ExportVersions, f1, pair_results
from .errors import VnerError
from .export import choose_annotation, live_annotations, read_export, read_task
from .regions import region
from .spans import Span
from .tasks import prediction
from .text import nfc_with_offsets, normalise_text

VERSION_PREFIX = "annotator:"


def review_tasks(ev: ExportVersions) -> dict:
    """{"tasks": review tasks to import, "disputed": ids, "agreed": ids, "single": ids, "left_out": ids}."""
    out: dict = {"tasks": [], "disputed": [], "agreed": [], "single": list(ev.single), "left_out": list(ev.left_out)}
    source = Path(ev.file).name
    for st in ev.shared:
        if len({tuple(s.key for s in v.spans) for v in st.versions.values()}) == 1:
            out["agreed"].append(st.task_id)
            continue
        results = pair_results(st)
        totals = [tally.total() for _, tally, _ in results]
        scores = [f1(t["strict"], t["a"], t["b"]) for t in totals]
        kinds = Counter(kind for _, _, found in results for kind, _, _ in found)
        unit = st.tt.unit
        data = unit.to_task_data()
        data["adjudication"] = {
            "source_task": st.task_id,
            "source_file": source,
            "annotators": list(st.versions),
            "disagreements": dict(sorted(kinds.items())),
        }
        score = sum(1.0 if x is None else x for x in scores) / len(scores)  # None: neither marked anything
        preds = [prediction(v.spans, unit.text, VERSION_PREFIX + who, score=score) for who, v in st.versions.items()]
        out["tasks"].append({"data": data, "predictions": preds})
        out["disputed"].append(st.task_id)
    return out


def _to_original(original: str):
    """A function mapping an offset of NFC(original) back onto `original` (identity when it is NFC already)."""
    if unicodedata.is_normalized("NFC", original):
        return lambda pos: pos
    _, mapping = nfc_with_offsets(original)
    # offsets inside a composed cluster map to the cluster's end, like the next cluster's start: the last
    # original offset mapping onto a position is the cluster boundary
    return lambda pos: bisect.bisect_right(mapping, pos) - 1


def merge_reviewed(
    original_path: str | Path, review_path: str | Path, *, lenient: bool = False
) -> tuple[list[dict], dict]:
    """The original export with the reviewer's decisions added as ground-truth annotations, and a summary
    {"settled": ids, "unsettled": ids (reviewer skipped or not yet done), "problems": [...]} (original task ids)."""
    original_path, review_path = Path(original_path), Path(review_path)
    originals = read_export(original_path)
    by_id = {t.get("id"): t for t in originals}
    decisions: dict = {}
    summary: dict = {"settled": [], "unsettled": [], "problems": []}
    for rt in read_export(review_path):
        adj = rt["data"].get("adjudication")
        source = adj.get("source_task") if isinstance(adj, dict) else None
        if source is None:
            raise VnerError(
                f"{review_path}: task {rt.get('id')} was not written by `vner adjudicate` (no "
                "data.adjudication.source_task); pass the export of the review project."
            )
        if source not in by_id:
            raise VnerError(
                f"{review_path}: task {rt.get('id')} reviews task {source}, which is not in "
                f"{original_path}; pass the export the review tasks were made from."
            )
        # the review task holds the text as the task reader made it (NFC, control characters as boundaries)
        if normalise_text(by_id[source]["data"]["text"]) != rt["data"]["text"]:
            raise VnerError(
                f"{review_path}: task {rt.get('id')} does not hold the text of task {source} of "
                f"{original_path}; pass the export the review tasks were made from."
            )
        if source in decisions:
            raise VnerError(
                f"{review_path}: tasks {decisions[source][0].get('id')} and {rt.get('id')} both review "
                f"task {source}; the review tasks were imported twice — delete one."
            )
        live = live_annotations(rt)
        if not live:
            summary["unsettled"].append(source)
            continue
        annotation, _ = choose_annotation(live)
        try:
            tt = read_task(rt)
        except ValueError as exc:
            raise VnerError(
                f"{review_path}: task {rt.get('id')}: vner task data no longer matches its text: {exc}."
            ) from None
        regions = tt.regions(annotation.get("result") or [], "reviewer")
        if regions.problems:
            summary["problems"] += [
                {"task_id": source, "review_task": rt.get("id"), "reason": p.reason, "message": p.message}
                for p in regions.problems
            ]
            if any(p.spoils for p in regions.problems):
                if not lenient:
                    p = regions.problems[0]
                    raise VnerError(
                        f"{review_path}: task {rt.get('id')}: {p.message}; fix it in the review project, "
                        "or pass --lenient to leave that task unsettled."
                    )
                summary["unsettled"].append(source)
                continue
        decisions[source] = (rt, annotation, regions.spans)
    merged = []
    for task in originals:
        tid = task.get("id")
        if tid not in decisions:
            merged.append(task)
            continue
        rt, annotation, spans = decisions[tid]
        text = task["data"]["text"]
        back = _to_original(text)
        result = [region(Span(back(s.start), back(s.end), s.label), text, origin="manual") for s in spans]
        decision = {
            **annotation,
            "result": result,
            "ground_truth": True,
            "adjudication": {"review_task": rt.get("id"), "review_file": review_path.name},
        }
        others = [{**a, "ground_truth": False} if isinstance(a, dict) else a for a in task.get("annotations") or []]
        merged.append({**task, "annotations": others + [decision]})
        summary["settled"].append(tid)
    return merged, summary
