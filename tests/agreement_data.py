"""Exports with several annotators built from the gold seeds, with known edits (for the agreement tests)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from annotation.export import read_task
from annotation.regions import region
from annotation.spans import Span

GOLD = Path(__file__).resolve().parent.parent / "annotation" / "gold" / "seeds_export.json"
WHEN = "2026-12-01T10:{:02d}:00.000000Z"


def gold_tasks() -> list[dict]:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def gold_spans(task: dict) -> list[Span]:
    tt = read_task(task)
    return list(tt.regions(task["annotations"][0]["result"]).spans)


def person(name: str, uid: int) -> dict:
    return {"id": uid, "email": f"{name}@lab.example", "first_name": name, "last_name": ""}


def annotation(
    task: dict, spans, who: dict, *, ann_id: int, minute: int = 0, lead_time=None, cancelled=False, ground_truth=False
) -> dict:
    text = task["data"]["text"]
    return {
        "id": ann_id,
        "completed_by": who,
        "was_cancelled": cancelled,
        "ground_truth": ground_truth,
        "created_at": WHEN.format(minute),
        "updated_at": WHEN.format(minute),
        "lead_time": lead_time,
        "result": [] if cancelled else [dict(region(s, text), origin="manual") for s in sorted(spans)],
    }


def _on_words(task: dict, start: int, end: int) -> bool:
    words = read_task(task).unit.word_spans
    return any(s == start for s, _ in words) and any(e == end for _, e in words)


def _free_word_after(task: dict, spans: list[Span], span: Span):
    """The word right after `span` in the same sentence, if no span touches it."""
    unit = read_task(task).unit
    words = list(unit.word_spans)
    k = next((i for i, (s, e) in enumerate(words) if e == span.end), None)
    if k is None or k + 1 >= len(words):
        return None
    s, e = words[k + 1]
    same_sentence = any(a <= span.start and e <= b for a, b in unit.sentence_spans)
    if not same_sentence or any(x.start < e and s < x.end for x in spans) or not unit.text[s:e].isalpha():
        return None
    return (s, e)


def _free_word(task: dict, spans: list[Span]):
    unit = read_task(task).unit
    for s, e in unit.word_spans:
        if unit.text[s:e].isalpha() and unit.text[s:e].islower() and not any(x.start < e and s < x.end for x in spans):
            return (s, e)
    return None


def pick_edits(tasks: list[dict], ids) -> dict:
    """Four edits in four different tasks among `ids` (task id -> (kind, old span, new span or None)):
    delete a PER span, add a DATE on a free word, extend a LOC span by the next free word, retype an ORG as LOC.
    Every edited span lies on word boundaries, so the words split at the span boundaries stay the same."""
    edits: dict = {}
    by_id = {t["id"]: t for t in tasks}
    for kind in ("delete", "add", "shift", "type"):
        for tid in ids:
            if tid in edits:
                continue
            task = by_id[tid]
            spans = gold_spans(task)
            found = None
            if kind == "delete":
                found = next(
                    (("delete", s, None) for s in spans if s.label == "PER" and _on_words(task, s.start, s.end)), None
                )
            elif kind == "add":
                w = _free_word(task, spans)
                found = ("add", None, Span(w[0], w[1], "DATE")) if w else None
            elif kind == "shift":
                for s in spans:
                    if s.label == "LOC" and _on_words(task, s.start, s.end):
                        w = _free_word_after(task, spans, s)
                        if w:
                            found = ("shift", s, Span(s.start, w[1], "LOC"))
                            break
            else:
                found = next(
                    (
                        ("type", s, Span(s.start, s.end, "LOC"))
                        for s in spans
                        if s.label == "ORG" and _on_words(task, s.start, s.end)
                    ),
                    None,
                )
            if found:
                edits[tid] = found
                break
    assert len(edits) == 4, edits
    return edits


def edited(spans: list[Span], edit) -> list[Span]:
    _, old, new = edit
    out = [s for s in spans if old is None or s.key != old.key]
    return sorted(out + ([new] if new else []))


ALICE, BOB, CAROL = person("alice", 11), person("bob", 12), person("carol", 13)


def build(tmp_path, *, three: bool = False) -> tuple[Path, dict]:
    """alice = the gold on every task; bob = the gold with four edits in tasks 41+; with `three`, carol = the gold
    on tasks 1-40 with one PER span deleted and one LOC retyped to ORG (tasks from 3 on), and task 40 skipped.
    Lead times: alice 10 s everywhere, bob the task id in seconds, carol 5 s."""
    tasks = gold_tasks()
    bob_edits = pick_edits(tasks, [t["id"] for t in tasks if t["id"] > 40])
    carol_edits = {}
    if three:
        first = [t["id"] for t in tasks if 3 <= t["id"] < 40]
        by_id = {t["id"]: t for t in tasks}
        for tid in first:
            spans = gold_spans(by_id[tid])
            per = next((s for s in spans if s.label == "PER" and _on_words(by_id[tid], s.start, s.end)), None)
            if per and not carol_edits:
                carol_edits[tid] = ("delete", per, None)
                continue
            loc = next((s for s in spans if s.label == "LOC" and _on_words(by_id[tid], s.start, s.end)), None)
            if loc and carol_edits and tid not in carol_edits:
                carol_edits[tid] = ("type", loc, Span(loc.start, loc.end, "ORG"))
                break
        assert len(carol_edits) == 2
    out = []
    ann_id = 1000
    for task in tasks:
        t = copy.deepcopy(task)
        spans = gold_spans(task)
        anns = [annotation(t, spans, ALICE, ann_id=ann_id, minute=1, lead_time=10.0)]
        bob_spans = edited(spans, bob_edits[t["id"]]) if t["id"] in bob_edits else spans
        anns.append(annotation(t, bob_spans, BOB, ann_id=ann_id + 1, minute=2, lead_time=float(t["id"])))
        if three and t["id"] < 40:
            carol_spans = edited(spans, carol_edits[t["id"]]) if t["id"] in carol_edits else spans
            anns.append(annotation(t, carol_spans, CAROL, ann_id=ann_id + 2, minute=3, lead_time=5.0))
        elif three and t["id"] == 40:
            anns.append(annotation(t, [], CAROL, ann_id=ann_id + 2, minute=3, lead_time=2.0, cancelled=True))
        ann_id += 3
        t["annotations"] = anns
        out.append(t)
    path = tmp_path / ("three.json" if three else "two.json")
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return path, {"bob": bob_edits, "carol": carol_edits}
