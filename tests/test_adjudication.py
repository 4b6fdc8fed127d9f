"""Adjudication: review tasks for the disputed tasks, the reviewer's decision folded back as ground truth, and
the whole round trip through a real Label Studio."""

from __future__ import annotations

import json
import unicodedata

import pytest

from annotation.adjudication import merge_reviewed, review_tasks
from annotation.agreement import read_versions
from annotation.corrections import correction_report
from annotation.dataset import example_spans
from annotation.errors import VnerError
from annotation.export import load_export, read_task
from annotation.regions import parse_regions
from annotation.studio.client import StudioClient, push_tasks, read_tasks
from tests import agreement_data as data
from tests.exports import annotation, find, foreign_task, write
from vner.cli import main

A, B = "alice@lab.example", "bob@lab.example"


def test_review_tasks_carry_each_version_and_agreed_tasks_are_listed(tmp_path, capsys):
    path, edits = data.build(tmp_path)
    out = tmp_path / "review.json"
    assert main(["adjudicate", str(path), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "84 tasks annotated by two or more annotators: 80 agreed, 4 disputed" in printed
    assert "agreed (not written): tasks 1, 2, 3" in printed and "(80 in all)" in printed
    review = read_tasks(out)  # what `vner studio push` accepts
    assert sorted(t["data"]["adjudication"]["source_task"] for t in review) == sorted(edits["bob"])
    originals = {t["id"]: t for t in json.loads(path.read_text(encoding="utf-8"))}
    for t in review:
        source = originals[t["data"]["adjudication"]["source_task"]]
        assert {k: v for k, v in t["data"].items() if k != "adjudication"} == source["data"]  # same text, same key
        assert t["data"]["adjudication"]["annotators"] == [A, B]
        kind = edits["bob"][source["id"]][0]
        assert t["data"]["adjudication"]["disagreements"] == {
            {"delete": "missing", "add": "extra", "shift": "boundary", "type": "type"}[kind]: 1
        }
        versions = {p["model_version"]: p for p in t["predictions"]}
        assert set(versions) == {"annotator:" + A, "annotator:" + B}
        text = t["data"]["text"]
        alice = parse_regions(versions["annotator:" + A]["result"], text).spans
        bob = parse_regions(versions["annotator:" + B]["result"], text).spans
        assert alice == data.gold_spans(source) and bob == data.edited(alice, edits["bob"][source["id"]])
        n = len(alice) + len(bob)
        strict = len({s.key for s in alice} & {s.key for s in bob})
        assert versions["annotator:" + A]["score"] == pytest.approx(round(2 * strict / n, 4))


def test_nothing_to_adjudicate_without_overlap():
    with pytest.raises(VnerError, match="nothing to adjudicate.*maximum_annotations"):
        main_raise(["adjudicate", str(data.GOLD), "-o", "/nonexistent/x.json"])


def main_raise(argv):
    from vner.cli import build_parser

    args = build_parser().parse_args(argv)
    return args.func(args)


def reviewed_export(review: list[dict], choose, tmp_path, name="review_export.json"):
    """The review project's export, without Label Studio: each task's reviewer annotation is `choose(task)`'s
    prediction result (ids, timestamps and user as Label Studio writes them)."""
    tasks = []
    for i, t in enumerate(review, start=500):
        version = next(p for p in t["predictions"] if p["model_version"] == choose(t))
        tasks.append(
            {
                "id": i,
                "data": t["data"],
                "predictions": t["predictions"],
                "annotations": [
                    {
                        "id": i,
                        "completed_by": 7,
                        "was_cancelled": False,
                        "ground_truth": False,
                        "lead_time": 12.0,
                        "created_at": "2026-12-05T10:00:00Z",
                        "updated_at": "2026-12-05T10:00:00Z",
                        "result": version["result"],
                    }
                ],
            }
        )
    return write(tmp_path, tasks, name)


def test_merge_adds_the_reviewers_decision_as_ground_truth(tmp_path, capsys):
    path, edits = data.build(tmp_path)
    review = review_tasks(read_versions(path))["tasks"]
    bob_wins = {tid for tid, (kind, _, _) in edits["bob"].items() if kind in ("shift", "type")}
    rpath = reviewed_export(
        review, lambda t: "annotator:" + (B if t["data"]["adjudication"]["source_task"] in bob_wins else A), tmp_path
    )
    final = tmp_path / "final.json"
    assert main(["adjudicate", str(path), "--reviewed", str(rpath), "-o", str(final)]) == 0
    assert "4 settled by the reviewer" in capsys.readouterr().out
    res = load_export(final)
    assert res.stats["chosen_by"] == {"ground_truth": 4, "latest": 80, "only": 0}
    merged = {t["id"]: t for t in json.loads(final.read_text(encoding="utf-8"))}
    for task in data.gold_tasks():
        spans = data.gold_spans(task)
        want = data.edited(spans, edits["bob"][task["id"]]) if task["id"] in bob_wins else spans
        m = merged[task["id"]]
        assert read_task(m).regions(max(m["annotations"], key=lambda a: a["ground_truth"])["result"]).spans == want
        if task["id"] in edits["bob"]:
            assert [a["ground_truth"] for a in m["annotations"]] == [False, False, True]
            assert m["annotations"][-1]["adjudication"] == {
                "review_task": m["annotations"][-1]["id"],
                "review_file": "review_export.json",
            }


def test_merge_maps_the_decision_back_onto_non_nfc_text(tmp_path):
    raw = unicodedata.normalize("NFD", "Bà Lê Thị Hoa sống ở Đà Nẵng.")
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    alice = annotation(raw, [find(raw, nfd("Lê Thị Hoa"), "PER"), find(raw, nfd("Đà Nẵng"), "LOC")], who=1, ann_id=1)
    bob = annotation(raw, [find(raw, nfd("Thị Hoa"), "PER"), find(raw, nfd("Đà Nẵng"), "ORG")], who=2, ann_id=2)
    path = write(tmp_path, [foreign_task(raw, 9, [alice, bob])])
    found = review_tasks(read_versions(path, segmenter=data_whitespace()))
    (rt,) = found["tasks"]
    assert rt["data"]["text"] == unicodedata.normalize("NFC", raw)
    rpath = reviewed_export([rt], lambda t: "annotator:1", tmp_path)
    merged, summary = merge_reviewed(path, rpath)
    assert summary["settled"] == [9]
    decision = merged[0]["annotations"][-1]
    assert [(r["value"]["text"], r["value"]["labels"]) for r in decision["result"]] == [
        (nfd("Lê Thị Hoa"), ["PER"]),
        (nfd("Đà Nẵng"), ["LOC"]),
    ]
    assert all(raw[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"] for r in decision["result"])


def data_whitespace():
    from annotation.export import whitespace_segmenter

    return whitespace_segmenter


def test_merge_refuses_a_review_export_of_other_tasks(tmp_path):
    path, _ = data.build(tmp_path)
    review = review_tasks(read_versions(path))["tasks"]
    review[0]["data"]["adjudication"]["source_task"] = 999
    rpath = reviewed_export(review, lambda t: "annotator:" + A, tmp_path)
    with pytest.raises(VnerError, match="reviews task 999, which is not in"):
        merge_reviewed(path, rpath)


@pytest.mark.studio
def test_adjudication_round_trip_through_label_studio(studio, tmp_path, capsys):
    """Two annotators' export -> review tasks -> a real Label Studio -> the reviewer's annotations (API) -> pull ->
    dataset and corrections of the review project -> merged final export -> final dataset."""
    path, edits = data.build(tmp_path)
    disputed = sorted(edits["bob"])
    keep = set(disputed) | {1, 3, 50, 84}  # four disputed and four agreed tasks
    small = write(tmp_path, [t for t in json.loads(path.read_text(encoding="utf-8")) if t["id"] in keep], "small.json")
    review_file = tmp_path / "review.json"
    assert main(["adjudicate", str(small), "-o", str(review_file)]) == 0
    client = StudioClient(studio.url, studio.token)
    pushed = push_tasks(client, read_tasks(review_file), "adjudication review", progress=False)
    assert pushed.imported == 4
    # the overlap setting the agreement report recommends: a project field Label Studio Community honours
    client.call("setting overlap", client.sdk.projects.update, pushed.project_id, maximum_annotations=2)
    assert client.call("reading project", client.sdk.projects.get, pushed.project_id).maximum_annotations == 2

    bob_wins = {tid for tid, (kind, _, _) in edits["bob"].items() if kind in ("shift", "type")}
    stored = [
        t
        for page, _ in client.iter_task_pages(pushed.project_id, include="id,data,predictions", page_size=50)
        for t in page
    ]
    assert len(stored) == 4
    for t in stored:
        source = t["data"]["adjudication"]["source_task"]
        winner = "annotator:" + (B if source in bob_wins else A)
        version = next(p for p in t["predictions"] if p["model_version"] == winner)  # the reviewer starts from it
        client.call("annotating", client.sdk.annotations.create, t["id"], result=version["result"], lead_time=30.0)
    listed = [
        t for page, _ in client.iter_task_pages(pushed.project_id, include="id,is_labeled", page_size=50) for t in page
    ]
    assert not any(t["is_labeled"] for t in listed)  # one annotation of the two required: still in the queue

    review_export = tmp_path / "review_export.json"
    code = main(
        [
            "studio",
            "pull",
            "--project",
            "adjudication review",
            "-o",
            str(review_export),
            "--url",
            studio.url,
            "--api-key",
            studio.token,
        ]
    )
    assert code == 0, capsys.readouterr()
    capsys.readouterr()

    # the review project's export is a vner export: its dataset holds the reviewer's decisions
    by_id = {t["id"]: t for t in data.gold_tasks()}
    expected = {}
    for tid in disputed:
        spans = data.gold_spans(by_id[tid])
        expected[tid] = data.edited(spans, edits["bob"][tid]) if tid in bob_wins else spans
    assert main(["dataset", str(review_export), "-o", str(tmp_path / "review_ds"), "--split", "1,0,0"]) == 0
    got = load_export(review_export)
    assert got.stats["tasks_used"] == 4
    for tid in disputed:
        unit = read_task(by_id[tid]).unit
        spans = {
            (
                s.start + unit.sentence_spans[ex["sentence_id"] - unit.first_sentence][0],
                s.end + unit.sentence_spans[ex["sentence_id"] - unit.first_sentence][0],
                s.label,
            )
            for ex in got.examples
            if ex["doc_id"] == unit.doc_id
            and unit.first_sentence <= ex["sentence_id"] < unit.first_sentence + len(unit.sentence_spans)
            for s in example_spans(ex)
        }
        assert spans == {s.key for s in expected[tid]}, tid

    # what the reviewer changed in each annotator's version
    report_b = correction_report(review_export, model_version="annotator:" + B)
    assert report_b["tasks_compared"] == 4
    assert report_b["per_type"]["PER"]["added"] == 1  # bob's deleted PER, restored
    assert report_b["per_type"]["DATE"]["deleted"] == 1  # bob's extra DATE, removed
    assert report_b["total"]["kept"] == report_b["total"]["predicted"] - 1
    report_a = correction_report(review_export, model_version="annotator:" + A)
    assert report_a["per_type"]["LOC"]["boundary_changed"] == 1 and report_a["type_changes"] == {"ORG->LOC": 1}
    assert report_a["total"]["kept"] == report_a["total"]["predicted"] - 2
    assert main(["corrections", str(review_export), "--model-version", "annotator:" + B]) == 0
    assert "model_version 'annotator:bob@lab.example'" in capsys.readouterr().out

    # the final export: agreed tasks as they were, disputed ones settled by the reviewer (ground truth)
    final = tmp_path / "final.json"
    assert main(["adjudicate", str(small), "--reviewed", str(review_export), "-o", str(final)]) == 0
    res = load_export(final)
    assert res.stats["chosen_by"] == {"ground_truth": 4, "latest": 4, "only": 0}
    reviewer = {
        ex["annotator"] for ex in res.examples if any(ex["doc_id"] == read_task(by_id[t]).unit.doc_id for t in disputed)
    }
    assert client.call("me", client.sdk.users.whoami).email in reviewer  # pull names annotators by email
    assert main(["dataset", str(final), "-o", str(tmp_path / "final_ds")]) == 0
    assert "marked ground truth 4" in capsys.readouterr().out


def test_corrections_compare_the_decision_with_one_annotators_version(tmp_path, capsys):
    path, edits = data.build(tmp_path)
    rpath = reviewed_export(review_tasks(read_versions(path))["tasks"], lambda t: "annotator:" + A, tmp_path)
    report = correction_report(rpath, model_version="annotator:" + B)  # the reviewer took alice's every time
    assert report["tasks_compared"] == 4 and report["chosen_by"]["only"] == 4
    assert report["per_type"]["PER"]["added"] == 1 and report["per_type"]["DATE"]["deleted"] == 1
    assert report["per_type"]["LOC"]["boundary_changed"] == 1 and report["type_changes"] == {"LOC->ORG": 1}
    assert report["model_versions"] == {"annotator:" + A: 4, "annotator:" + B: 4}
    assert correction_report(rpath, model_version="annotator:" + A)["total"]["kept"] == sum(
        len(data.gold_spans(t)) for t in data.gold_tasks() if t["id"] in edits["bob"]
    )
    assert main(["corrections", str(rpath)]) == 0  # several versions: the report says how to pick one
    assert "pass --model-version" in capsys.readouterr().out
    assert main(["corrections", str(rpath), "--model-version", "annotator:nobody"]) == 2
    assert "the export has: annotator:alice@lab.example, annotator:bob@lab.example" in capsys.readouterr().err


def test_merge_accepts_the_review_of_a_text_with_line_separators_and_controls(tmp_path):
    """A plain (non-vner) task whose text holds a Unicode line separator and a control character: the review
    task holds the text as the task reader made it (`normalise_text`: separators and controls as boundaries), and
    the decision lands on the original text."""
    raw = "Ông An đến Hà Nội.\u2028Bà Bình ở Huế.\x0cHết."
    alice = annotation(raw, [find(raw, "Hà Nội", "LOC"), find(raw, "Huế", "LOC")], who={"id": 1, "email": A}, ann_id=1)
    bob = annotation(raw, [find(raw, "Hà Nội", "ORG"), find(raw, "Huế", "LOC")], who={"id": 2, "email": B}, ann_id=2)
    path = write(tmp_path, [foreign_task(raw, 5, [alice, bob])])
    (rt,) = review_tasks(read_versions(path, segmenter=data_whitespace()))["tasks"]
    assert rt["data"]["text"] != raw and len(rt["data"]["text"]) == len(raw)
    rpath = reviewed_export([rt], lambda t: "annotator:" + A, tmp_path)
    merged, summary = merge_reviewed(path, rpath)
    assert summary["settled"] == [5]
    decision = merged[0]["annotations"][-1]
    assert decision["ground_truth"] and [(r["value"]["text"], r["value"]["labels"]) for r in decision["result"]] == [
        ("Hà Nội", ["LOC"]),
        ("Huế", ["LOC"]),
    ]
    assert all(raw[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"] for r in decision["result"])
    other = write(tmp_path, [foreign_task(raw.replace("Huế", "Vinh"), 5, [alice, bob])], "other.json")
    with pytest.raises(VnerError, match="does not hold the text of task 5"):  # another text is still refused
        merge_reviewed(other, rpath)
