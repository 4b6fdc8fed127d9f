"""The correction report: what annotators did to each pre-annotated span, and seqeval strict."""

import json

import pytest

from annotation.corrections import classify, correction_report, render_markdown
from annotation.errors import VnerError
from annotation.spans import Span
from tests.exports import annotation, find, task, unit, write
from vner.cli import main

TEXT = "Ông Võ Văn Thưởng gặp Bộ Ngoại giao tại Hà Nội ngày 5/3 và thăm Huế cùng Lê Lan."


def corrected_export(tmp_path):
    predicted = [
        find(TEXT, "Võ Văn Thưởng", "PER"),  # kept
        find(TEXT, "Bộ Ngoại", "ORG"),  # boundary changed -> "Bộ Ngoại giao"
        find(TEXT, "Hà Nội", "ORG"),  # type changed -> LOC
        find(TEXT, "ngày 5/3", "DATE"),  # kept
        find(TEXT, "Huế", "PER"),  # deleted
    ]
    gold = [
        find(TEXT, "Võ Văn Thưởng", "PER"),
        find(TEXT, "Bộ Ngoại giao", "ORG"),
        find(TEXT, "Hà Nội", "LOC"),
        find(TEXT, "ngày 5/3", "DATE"),
        find(TEXT, "Lê Lan", "PER"),  # added
    ]
    return write(tmp_path, [task(unit(TEXT), 1, [annotation(TEXT, gold)], predictions=predicted)])


def test_classify_each_kind_of_correction():
    pred = [Span(0, 5, "PER"), Span(10, 15, "ORG"), Span(20, 25, "ORG"), Span(30, 35, "LOC")]
    gold = [Span(0, 5, "PER"), Span(10, 17, "ORG"), Span(20, 25, "LOC"), Span(40, 45, "DATE")]
    classified, added = classify(pred, gold)
    assert [(c, b) for _, c, b in classified] == [
        ("kept", None),
        ("boundary_changed", None),
        ("type_changed", "LOC"),
        ("deleted", None),
    ]
    assert added == [Span(40, 45, "DATE")]


def test_report_counts_and_seqeval_strict(tmp_path):
    report = correction_report(corrected_export(tmp_path))
    per = report["per_type"]
    assert per["PER"] == {
        "predicted": 2,
        "kept": 1,
        "boundary_changed": 0,
        "type_changed": 0,
        "deleted": 1,
        "gold": 2,
        "added": 1,
    }
    assert per["ORG"] == {
        "predicted": 2,
        "kept": 0,
        "boundary_changed": 1,
        "type_changed": 1,
        "deleted": 0,
        "gold": 1,
        "added": 0,
    }
    assert per["LOC"]["gold"] == 1 and per["LOC"]["added"] == 0 and per["DATE"]["kept"] == 1
    assert report["type_changes"] == {"ORG->LOC": 1}
    assert report["total"]["predicted"] == 5 and report["total"]["kept"] == 2
    m = report["seqeval"]["strict"]
    # 2 of 5 predicted entities are exactly right; 2 of 5 gold entities were found
    assert m["micro avg"]["precision"] == pytest.approx(0.4) and m["micro avg"]["recall"] == pytest.approx(0.4)
    assert m["PER"]["precision"] == pytest.approx(0.5) and m["PER"]["recall"] == pytest.approx(0.5)
    assert m["ORG"]["f1-score"] == 0 and m["DATE"]["f1-score"] == 1
    md = render_markdown(report)
    assert "| PER | 2 | 1 | 0 | 0 | 1 | 2 | 1 | 50.0% |" in md and "ORG->LOC 1" in md and "| micro avg |" in md


def test_cli_writes_markdown_and_json(tmp_path, capsys):
    path = corrected_export(tmp_path)
    assert main(["corrections", str(path), "-o", str(tmp_path / "r.md"), "--json", str(tmp_path / "r.json")]) == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["total"]["deleted"] == 1 and data["predictions"] == "stored in the export"
    assert "boundary changed" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_predictions_recomputed_by_preannotators(tmp_path, capsys):
    gold = [find(TEXT, "ngày 5/3", "DATE"), find(TEXT, "Hà Nội", "LOC")]
    path = write(tmp_path, [task(unit(TEXT), 1, [annotation(TEXT, gold)])])  # no stored predictions
    assert main(["corrections", str(path)]) == 2
    assert "--preannotators" in capsys.readouterr().err
    assert main(["corrections", str(path), "--preannotators", "dates", "--json", str(tmp_path / "r.json")]) == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["predictions"] == "recomputed: dates"
    assert data["per_type"]["DATE"]["predicted"] >= 1
    assert data["per_type"]["LOC"]["added"] == 1  # the date grammar never proposes places


def test_bad_annotation_spans_are_errors_unless_lenient(tmp_path):
    bad = annotation(TEXT, [find(TEXT, "Hà Nội", "LOC")])
    bad["result"][0]["value"]["labels"] = ["MISC"]
    good_unit = unit(TEXT, doc_id="b")
    path = write(
        tmp_path,
        [
            task(unit(TEXT), 1, [bad], predictions=[find(TEXT, "Hà Nội", "LOC")]),
            task(good_unit, 2, [annotation(TEXT, [find(TEXT, "Huế", "LOC")])], predictions=[find(TEXT, "Huế", "LOC")]),
        ],
    )
    with pytest.raises(VnerError, match="task 1"):
        correction_report(path)
    report = correction_report(path, lenient=True)
    assert report["tasks_compared"] == 1 and report["total"]["kept"] == 1
    assert [i["reason"] for i in report["issues"]] == ["unknown_label"]


def test_default_preannotators_are_the_ones_preannotate_runs(tmp_path):
    path = write(tmp_path, [task(unit(TEXT), 1, [annotation(TEXT, [find(TEXT, "Hà Nội", "LOC")])])])
    assert main(["corrections", str(path), "--preannotators", "default", "--json", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["predictions"] == "recomputed: rules+dates"
