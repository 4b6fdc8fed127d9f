"""Agreement between annotators: every figure checked exactly, on a hand-made task and on the gold seeds with
known edits by a second and a third annotator."""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.agreement import agreement_report, overlap_matches, render_markdown
from annotation.errors import VnerError
from annotation.export import load_export
from annotation.schema import ENTITY_TYPES
from annotation.spans import Span
from tests import agreement_data as data
from tests.exports import annotation, find, task, unit, write
from vner.cli import main

# ------------------------------------------------------------------------------------------ by hand

TEXT = "Ông An Bình đến Hà Nội và Huế hôm qua ."
# the segmenter's words: "An Bình", "Hà Nội" and "hôm qua" are one word each
WORDS = [(0, 3), (4, 11), (12, 15), (16, 22), (23, 25), (26, 29), (30, 37), (38, 39)]


def hand_export(tmp_path):
    alice = [find(TEXT, "An Bình", "PER"), find(TEXT, "Hà Nội", "LOC"), find(TEXT, "hôm qua", "DATE")]
    bob = [find(TEXT, "Bình", "PER"), find(TEXT, "Hà Nội", "ORG"), find(TEXT, "Huế", "LOC")]
    u = unit(TEXT, words=WORDS)
    anns = [
        annotation(TEXT, alice, who={"id": 1, "email": "alice"}, ann_id=1),
        annotation(TEXT, bob, who={"id": 2, "email": "bob"}, ann_id=2),
    ]
    return write(tmp_path, [task(u, 5, anns)])


def test_hand_made_pair_every_figure(tmp_path):
    r = agreement_report(hand_export(tmp_path))
    (pair,) = r["pairs"]
    assert pair["annotators"] == ["alice", "bob"] and pair["tasks"] == 1
    # no span is identical; one pair of same-type spans overlaps (An Bình / Bình, PER) of 3 + 3 spans
    assert pair["strict_f1"] == 0 and pair["overlap_f1"] == pytest.approx(2 * 1 / 6)
    assert pair["per_type"]["PER"] == {
        "strict_f1": 0.0,
        "overlap_f1": 1.0,
        "strict_matches": 0,
        "overlap_matches": 1,
        "spans": [1, 1],
    }
    assert pair["per_type"]["LOC"]["overlap_f1"] == 0 and pair["per_type"]["LOC"]["spans"] == [1, 1]
    assert pair["per_type"]["ORG"]["spans"] == [0, 1] and pair["per_type"]["DATE"]["spans"] == [1, 0]
    # words split at both annotators' boundaries: Ông | An | Bình | đến | Hà Nội | và | Huế | hôm qua | .
    #   alice  O    PER  PER   O     LOC     O    O     DATE      O
    #   bob    O    O    PER   O     ORG     O    LOC   O         O
    # observed 5/9; expected: alice O 5, PER 2, LOC 1, DATE 1; bob O 6, PER 1, ORG 1, LOC 1 -> (5*6+2*1+1*1)/81
    assert pair["words"] == 9
    p_o, p_e = Fraction(5, 9), Fraction(33, 81)
    assert pair["kappa"] == pytest.approx(float((p_o - p_e) / (1 - p_e)))  # 12/48 = 0.25
    assert pair["kappa"] == pytest.approx(0.25)
    assert pair["disagreements"] == {"missing": 1, "extra": 1, "boundary": 1, "type": 1}
    kinds = {d["kind"]: d for d in r["disagreements"]}
    assert {k: [(s["text"], s["label"]) for s in kinds[k]["spans"]["alice"]] for k in kinds} == {
        "boundary": [("An Bình", "PER")],
        "type": [("Hà Nội", "LOC")],
        "extra": [],
        "missing": [("hôm qua", "DATE")],
    }
    assert [(s["text"], s["label"]) for s in kinds["extra"]["spans"]["bob"]] == [("Huế", "LOC")]
    d = kinds["boundary"]
    assert d["task_id"] == 5 and d["sentence"] == TEXT and d["annotators"] == ["alice", "bob"]
    assert all(d["sentence"][s["start"] : s["end"]] == s["text"] for s in d["spans"]["alice"] + d["spans"]["bob"])
    # one pair: the overall figures are the pair's
    assert {k: r["overall"][k] for k in ("strict_f1", "overlap_f1", "kappa", "per_type")} == {
        k: pair[k] for k in ("strict_f1", "overlap_f1", "kappa", "per_type")
    }
    md = render_markdown(r)
    assert "| alice / bob | 1 | 9 | 0.000 | 0.333 | 0.250 |" in md and "**boundary**" in md


def test_kappa_is_undefined_when_both_mark_nothing(tmp_path):
    u = unit(TEXT, words=WORDS)
    anns = [annotation(TEXT, [], who=1, ann_id=1), annotation(TEXT, [], who=2, ann_id=2)]
    r = agreement_report(write(tmp_path, [task(u, 1, anns)]))
    assert r["pairs"][0]["kappa"] is None and r["pairs"][0]["strict_f1"] is None and r["disagreements"] == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6), st.booleans()), max_size=12))
def test_overlap_matching_is_a_maximum_one_to_one_matching(raw):
    """Against scipy's assignment solver (an independent maximum matching)."""
    from scipy.optimize import linear_sum_assignment

    def disjoint(items):
        out = []
        for s, n in sorted(items):
            if not out or s >= out[-1].end:
                out.append(Span(s, s + n, "PER"))
        return out

    a = disjoint([(s, n) for s, n, side in raw if side])
    b = disjoint([(s, n) for s, n, side in raw if not side])
    if not a or not b:
        assert overlap_matches(a, b) == 0
        return
    cost = [[-1 if x.start < y.end and y.start < x.end else 0 for y in b] for x in a]
    rows, cols = linear_sum_assignment(cost)
    assert overlap_matches(a, b) == -sum(cost[r][c] for r, c in zip(rows, cols))


# ------------------------------------------------------------------------------------------ the gold seeds


def gold_counts(tasks, ids) -> Counter:
    return Counter(s.label for t in tasks if t["id"] in ids for s in data.gold_spans(t))


def expected_pair(gold: Counter, edits) -> dict:
    """What the edits do to the counts: per type spans of each annotator, strict and overlap matches."""
    a, b, strict, overlap = Counter(gold), Counter(gold), Counter(gold), Counter(gold)
    for kind, old, new in edits:
        if kind in ("delete", "type"):
            b[old.label] -= 1
            strict[old.label] -= 1
            overlap[old.label] -= 1
        if kind in ("add", "type"):
            b[new.label] += 1
        if kind == "shift":
            strict[old.label] -= 1
    return {t: {"a": a[t], "b": b[t], "strict": strict[t], "overlap": overlap[t]} for t in ENTITY_TYPES}


KIND_OF = {"delete": "missing", "add": "extra", "shift": "boundary", "type": "type"}


def check_pair(pair, counts, edits, tasks):
    for t in ENTITY_TYPES:
        c = counts[t]
        got = pair["per_type"][t]
        assert got["spans"] == [c["a"], c["b"]] and got["strict_matches"] == c["strict"]
        assert got["overlap_matches"] == c["overlap"]
        assert got["strict_f1"] == pytest.approx(2 * c["strict"] / (c["a"] + c["b"]))
        assert got["overlap_f1"] == pytest.approx(2 * c["overlap"] / (c["a"] + c["b"]))
    n_a, n_b = (sum(counts[t][k] for t in ENTITY_TYPES) for k in ("a", "b"))
    assert pair["strict_f1"] == pytest.approx(2 * sum(counts[t]["strict"] for t in ENTITY_TYPES) / (n_a + n_b))
    assert pair["overlap_f1"] == pytest.approx(2 * sum(counts[t]["overlap"] for t in ENTITY_TYPES) / (n_a + n_b))
    assert pair["tasks"] == tasks
    assert pair["disagreements"] == {k: sum(KIND_OF[e[0]] == k for e in edits) for k in KIND_OF.values()}


def hand_kappa(x, y) -> float:
    """Cohen's kappa from its definition, (p_o - p_e) / (1 - p_e)."""
    n = len(x)
    p_o = Fraction(sum(a == b for a, b in zip(x, y)), n)
    cx, cy = Counter(x), Counter(y)
    p_e = Fraction(sum(cx[k] * cy[k] for k in cx), n * n)
    return float((p_o - p_e) / (1 - p_e))


def word_labels(path, first, second, task_ids=None):
    """Both annotators' label per word, from the per-annotator dataset path (load_export), paired by sentence.
    Every edit lies on word boundaries, so both annotators' examples have the same words."""
    ex = load_export(
        path, annotations="per-annotator", keep_repeats=True
    ).examples  # every task weighs, as in agreement
    by = {e["id"]: e for e in ex}
    xs, ys = [], []
    for e in ex:
        who = e["annotator"]
        base = e["id"][: -len("@" + who)]
        if who != first["email"] or f"{base}@{second['email']}" not in by:
            continue
        other = by[f"{base}@{second['email']}"]
        assert other["tokens"] == e["tokens"]
        xs += [t.partition("-")[2] or "O" for t in e["ner_tags"]]
        ys += [t.partition("-")[2] or "O" for t in other["ner_tags"]]
    return xs, ys


def test_two_annotators_on_the_gold_seeds(tmp_path):
    path, edits = data.build(tmp_path)
    tasks = data.gold_tasks()
    all_ids = {t["id"] for t in tasks}
    r = agreement_report(path)
    assert r["tasks"] == r["tasks_shared"] == 84 and r["tasks_single"] == 0
    (pair,) = r["pairs"]
    assert pair["annotators"] == ["alice@lab.example", "bob@lab.example"]
    bob_edits = list(edits["bob"].values())
    counts = expected_pair(gold_counts(tasks, all_ids), bob_edits)
    check_pair(pair, counts, bob_edits, 84)
    # 391 gold spans; bob: one deleted, one added, one shifted, one retyped -> 388 identical, 389 overlapping
    assert pair["spans"] == [391, 391] and pair["strict_f1"] == pytest.approx(776 / 782)
    assert pair["overlap_f1"] == pytest.approx(778 / 782)
    xs, ys = word_labels(path, data.ALICE, data.BOB)
    assert pair["words"] == len(xs) and sum(a != b for a, b in zip(xs, ys)) >= 4  # each edit changes a word
    assert pair["kappa"] == pytest.approx(hand_kappa(xs, ys))
    assert len(r["disagreements"]) == 4
    for d in r["disagreements"]:
        kind, old, new = edits["bob"][d["task_id"]]
        assert d["kind"] == KIND_OF[kind]
        alice, bob = d["spans"]["alice@lab.example"], d["spans"]["bob@lab.example"]
        assert [(s["label"], s["text"]) for s in alice] == ([(old.label, s["text"]) for s in alice] if old else [])
        assert len(bob) == (1 if new else 0)
        for s in alice + bob:
            assert d["sentence"][s["start"] : s["end"]] == s["text"]
    stats = r["annotators"]
    assert stats["alice@lab.example"] == {
        "tasks": 84,
        "skipped": 0,
        "median_lead_time": 10.0,
        "entities": {"PER": 74, "ORG": 60, "LOC": 215, "DATE": 42},
    }
    assert stats["bob@lab.example"] == {
        "tasks": 84,
        "skipped": 0,
        "median_lead_time": 42.5,
        "entities": {t: counts[t]["b"] for t in ENTITY_TYPES},
    }


def test_three_annotators_pairs_and_pooled_overall(tmp_path, capsys):
    path, edits = data.build(tmp_path, three=True)
    tasks = data.gold_tasks()
    r = agreement_report(path)
    A, B, C = "alice@lab.example", "bob@lab.example", "carol@lab.example"
    assert [p["annotators"] for p in r["pairs"]] == [[A, B], [A, C], [B, C]]
    first = {t["id"] for t in tasks if t["id"] < 40}
    bob_edits, carol_edits = list(edits["bob"].values()), list(edits["carol"].values())
    assert all(tid > 40 for tid in edits["bob"]) and all(tid < 40 for tid in edits["carol"])
    expected = {
        (A, B): expected_pair(gold_counts(tasks, {t["id"] for t in tasks}), bob_edits),
        (A, C): expected_pair(gold_counts(tasks, first), carol_edits),
        (B, C): expected_pair(gold_counts(tasks, first), carol_edits),  # bob is the gold on tasks 1-39
    }
    for pair in r["pairs"]:
        key = tuple(pair["annotators"])
        check_pair(pair, expected[key], bob_edits if key == (A, B) else carol_edits, 84 if key == (A, B) else 39)
        xs, ys = word_labels(path, *[{A: data.ALICE, B: data.BOB, C: data.CAROL}[n] for n in key])
        assert pair["kappa"] == pytest.approx(hand_kappa(xs, ys))
    # overall: counts pooled over the three pairs, kappa over their words laid end to end
    o = r["overall"]
    assert o["tasks"] == 84 and o["pairs"] == 3 and o["annotators"] == [A, B, C]
    pooled = {
        t: {k: sum(expected[p][t][k] for p in expected) for k in ("a", "b", "strict", "overlap")} for t in ENTITY_TYPES
    }
    check_pair(o, pooled, bob_edits + carol_edits + carol_edits, 84)  # tasks: distinct tasks, not pair-tasks
    xs, ys = [], []
    for key in expected:
        x, y = word_labels(path, *[{A: data.ALICE, B: data.BOB, C: data.CAROL}[n] for n in key])
        xs += x
        ys += y
    assert o["kappa"] == pytest.approx(hand_kappa(xs, ys)) and o["words"] == len(xs)
    assert len(r["disagreements"]) == 4 + 2 + 2
    carol = r["annotators"][C]
    assert carol["tasks"] == 39 and carol["skipped"] == 1 and carol["median_lead_time"] == 5.0
    assert carol["entities"] == {t: expected[(A, C)][t]["b"] for t in ENTITY_TYPES}
    # the CLI: markdown printed and written, the JSON in the documented shape
    out_md, out_json = tmp_path / "agreement.md", tmp_path / "agreement.json"
    assert main(["agreement", str(path), "-o", str(out_md), "--json", str(out_json), "--show", "3"]) == 0
    printed = capsys.readouterr().out
    assert "| **all pairs** | 84 |" in printed and "## Disagreements (first 3 of 8" in printed
    assert out_md.read_text(encoding="utf-8") in printed
    js = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(js) >= {"pairs", "overall", "disagreements", "annotators"}
    assert set(js["pairs"][0]) >= {"annotators", "tasks", "strict_f1", "overlap_f1", "per_type", "kappa"}
    assert len(js["disagreements"]) == 8 and all("task_id" in d for d in js["disagreements"])


def test_one_annotation_per_task_says_how_to_get_overlap(capsys):
    assert main(["agreement", str(data.GOLD)]) == 0
    out = capsys.readouterr().out
    assert "Agreement needs overlap" in out and "maximum_annotations" in out
    assert "| 1 | 84 | 0 | 74 | 60 | 215 | 42 |" in out  # the annotator statistics are still there


def test_an_annotators_ground_truth_annotation_counts_over_their_later_one(tmp_path):
    u = unit(TEXT, words=WORDS)
    mine = [find(TEXT, "An Bình", "PER")]
    anns = [
        annotation(TEXT, mine, who=1, ann_id=1, updated="2026-11-01T10:00:00Z"),
        annotation(TEXT, [], who=1, ann_id=2, updated="2026-11-02T10:00:00Z"),
        annotation(TEXT, mine, who=2, ann_id=3),
    ]
    anns[0]["ground_truth"] = True
    r = agreement_report(write(tmp_path, [task(u, 1, anns)]))
    assert r["pairs"][0]["strict_f1"] == 1.0 and r["disagreements"] == []


def test_problems_are_errors_unless_lenient(tmp_path):
    u = unit(TEXT, words=WORDS)
    bad = annotation(TEXT, [find(TEXT, "Huế", "LOC")], who=2, ann_id=2)
    bad["result"][0]["value"]["labels"] = ["MISC"]
    good = unit("Bà Lan ở Huế .", doc_id="other")
    tasks = [
        task(u, 1, [annotation(TEXT, [find(TEXT, "Huế", "LOC")], who=1, ann_id=1), bad]),
        task(good, 2, [annotation(good.text, [], who=1, ann_id=3), annotation(good.text, [], who=2, ann_id=4)]),
    ]
    path = write(tmp_path, tasks)
    with pytest.raises(VnerError, match="task 1: .*MISC.*--lenient"):
        agreement_report(path)
    r = agreement_report(path, lenient=True)
    assert r["tasks_left_out"] == [1] and r["pairs"][0]["tasks"] == 1
    assert [i["reason"] for i in r["issues"]] == ["unknown_label"]


def test_annotations_of_deleted_users_stay_apart_and_are_listed(tmp_path):
    """Label Studio exports an annotation whose user was deleted with no user and an empty username: two such
    annotations of one task are two annotators (each named by its annotation), not one whose latest counts."""
    u = unit(TEXT, words=WORDS)
    gone = []
    for ann_id, spans, hour in ((1, [find(TEXT, "An Bình", "PER")], 10), (2, [find(TEXT, "Hà Nội", "LOC")], 11)):
        a = annotation(TEXT, spans, who=None, ann_id=ann_id, updated=f"2026-11-01T{hour}:00:00Z")
        a["created_username"] = ""
        gone.append(a)
    alice = annotation(TEXT, [find(TEXT, "An Bình", "PER")], who={"id": 1, "email": "alice"}, ann_id=3)
    r = agreement_report(write(tmp_path, [task(u, 5, gone), task(u, 6, [gone[0] | {"id": 4}, alice])]))
    first, second = "deleted user (annotation 1)", "deleted user (annotation 2)"
    assert r["tasks_shared"] == 2 and r["tasks_single"] == 0
    assert set(r["annotators"]) == {first, second, "deleted user (annotation 4)", "alice"}
    assert r["annotators"][first]["entities"]["PER"] == 1 and r["annotators"][second]["entities"]["LOC"] == 1
    (pair,) = [p for p in r["pairs"] if p["annotators"] == [first, second]]
    assert pair["tasks"] == 1 and pair["disagreements"]["missing"] == 1 and pair["disagreements"]["extra"] == 1
    md = render_markdown(r)
    assert f"| {first} | 1 |" in md and f"| {second} | 1 |" in md and "deleted user (annotation N)" in md
