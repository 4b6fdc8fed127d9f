"""`vner evaluate`: seqeval in both modes, the type confusion table, and the error list."""

from __future__ import annotations

import json

import pytest
from training_data import dataset_dir, tiny_base_model, trained_model

from annotation.evaluation import MISSED, SPURIOUS, type_confusion
from annotation.metrics import seqeval_report
from annotation.spans import Span


def test_strict_and_default_modes_differ_on_stray_inside_tags():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["I-PER", "I-PER", "O", "B-LOC"]]  # entity starting with I-: conlleval accepts, strict IOB2 does not
    scores = seqeval_report(gold, pred)
    assert scores["default"]["PER"]["f1-score"] == 1.0
    assert scores["strict"]["PER"]["f1-score"] == 0.0
    assert scores["strict"]["LOC"]["f1-score"] == scores["default"]["LOC"]["f1-score"] == 1.0
    assert scores["strict"]["micro avg"]["precision"] == 1.0  # the invalid PER is not an entity at all
    assert scores["strict"]["micro avg"]["recall"] == 0.5
    assert scores["strict"]["macro avg"]["f1-score"] == 0.5


def test_type_confusion_counts_overlaps_misses_and_spurious():
    gold = [Span(0, 6, "ORG"), Span(10, 16, "PER"), Span(20, 25, "DATE")]
    pred = [Span(0, 6, "LOC"), Span(10, 13, "PER"), Span(30, 34, "LOC")]
    counts = type_confusion(gold, pred)
    assert counts[("ORG", "LOC")] == 1  # right place, wrong type
    assert counts[("PER", "PER")] == 1  # overlapping, same type (boundary error)
    assert counts[("DATE", MISSED)] == 1
    assert counts[(SPURIOUS, "LOC")] == 1
    assert sum(counts.values()) == 4


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    from vner.cli import main

    base = tmp_path_factory.getbasetemp()
    out = tmp_path_factory.mktemp("eval")
    assert (
        main(
            [
                "evaluate",
                "--model",
                trained_model(base),
                "--dataset",
                dataset_dir(base),
                "--split",
                "test",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    return out, dataset_dir(base)


def test_evaluate_writes_metrics_report_and_every_error(evaluated):
    from datasets import load_from_disk

    out, data = evaluated
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"strict", "default", "accuracy", "split", "sentences", "model", "dataset"} <= set(metrics)
    test = load_from_disk(data)["test"]
    names = test.features["ner_tags"].feature.names
    n_gold = sum(sum(1 for t in row["ner_tags"] if names[t].startswith("B-")) for row in test)
    assert metrics["strict"]["micro avg"]["support"] == n_gold
    assert metrics["sentences"] == len(test)
    for mode in ("strict", "default"):
        assert {"PER", "ORG", "LOC", "DATE", "micro avg", "macro avg"} <= set(metrics[mode])
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert len(errors) == metrics["sentences_with_errors"]
    texts = {row["text"] for row in test}
    for e in errors:
        assert e["text"] in texts
        gold = {(s["start"], s["end"], s["label"]) for s in e["gold"]}
        pred = {(s["start"], s["end"], s["label"]) for s in e["predicted"]}
        assert gold != pred
        assert {(s["start"], s["end"], s["label"]) for s in e["missed"]} == gold - pred
        assert {(s["start"], s["end"], s["label"]) for s in e["spurious"]} == pred - gold
        for s in e["gold"] + e["predicted"]:
            assert e["text"][s["start"] : s["end"]] == s["text"]
    # a gold span is "missed" in the confusion table exactly when no prediction overlaps it
    confusion = metrics["confusion"]
    missed = sum(row.get(MISSED, 0) for row in confusion.values())
    assert missed == sum(
        1
        for e in errors
        for g in e["gold"]
        if not any(p["start"] < g["end"] and g["start"] < p["end"] for p in e["predicted"])
    )
    spurious = sum(confusion.get(SPURIOUS, {}).values())
    assert spurious == sum(
        1
        for e in errors
        for p in e["predicted"]
        if not any(p["start"] < g["end"] and g["start"] < p["end"] for g in e["gold"])
    )
    report = (out / "report.md").read_text()
    assert "strict IOB2" in report and "Type confusion" in report


def test_training_and_evaluate_report_the_same_f1(evaluated, tmp_path_factory):
    """One F1 everywhere: the test scores `vner train` wrote to MODEL/metrics.json are those `vner evaluate`
    computes for the same model (whole sentences, windows joined, seqeval strict; default mode beside)."""
    out, _ = evaluated
    trained = json.loads(
        (__import__("pathlib").Path(trained_model(tmp_path_factory.getbasetemp())) / "metrics.json").read_text()
    )["test"]
    evaluated_metrics = json.loads((out / "metrics.json").read_text())
    for mode in ("strict", "default"):
        assert trained[mode] == evaluated_metrics[mode]
    assert trained["accuracy"] == evaluated_metrics["accuracy"]


def test_evaluate_scores_a_preannotator_stack_on_a_dataset(tmp_path, capsys):
    """`vner evaluate --preannotators`: a gazetteer's spans scored against the gold, one report, no model. A span
    cutting inside a token (`Việt` of the gold word `Việt Nam`) is scored on the split token, not rounded."""
    from exports import annotation, find, task, unit, write

    from vner.cli import main

    text = "Ông Nguyễn Văn A của Bộ Y tế đến Hà Nội ngày 5/3. Người Việt Nam đón ông."
    gold = [
        find(text, "Nguyễn Văn A", "PER"),
        find(text, "Bộ Y tế", "ORG"),
        find(text, "Hà Nội", "LOC"),
        find(text, "ngày 5/3", "DATE"),
        find(text, "Việt Nam", "LOC"),
    ]
    words = [(s, e) for s, e in unit(text).word_spans]
    vn = text.index("Việt Nam")
    words = [w for w in words if w[0] not in (vn, vn + 5)] + [(vn, vn + 8)]  # `Việt_Nam` is one word
    export = write(tmp_path, [task(unit(text, words=sorted(words)), 1, [annotation(text, gold)])])
    assert main(["dataset", str(export), "-o", str(tmp_path / "ds"), "--split", "0,0,1"]) == 0
    names = tmp_path / "names.tsv"
    names.write_text("PER\tNguyễn Văn A\nLOC\tHà Nội\nLOC\tViệt\n", encoding="utf-8")
    out = tmp_path / "eval"
    capsys.readouterr()
    assert (
        main(["evaluate", "--dataset", str(tmp_path / "ds"), "--preannotators", f"gazetteer:{names}", "-o", str(out)])
        == 0
    )
    assert "strict IOB2 micro F1 0.5000" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    strict = metrics["strict"]
    # 2 of 3 proposed spans are right (PER, LOC Hà Nội); 2 of 5 gold entities found
    assert strict["micro avg"]["precision"] == pytest.approx(2 / 3) and strict["micro avg"]["recall"] == pytest.approx(
        0.4
    )
    assert strict["PER"]["f1-score"] == 1.0 and strict["ORG"]["recall"] == 0.0 and strict["DATE"]["support"] == 1
    assert metrics["confusion"]["ORG"] == {MISSED: 1} and metrics["confusion"]["LOC"] == {"LOC": 2}
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(errors) == metrics["sentences_with_errors"] == metrics["sentences"] == 2
    assert {s["text"] for e in errors for s in e["missed"]} == {"Bộ Y tế", "ngày 5/3", "Việt Nam"}
    assert [s["text"] for e in errors for s in e["spurious"]] == ["Việt"]
    assert metrics["preannotators"].startswith("vner:gazetteer@")


def test_evaluate_reads_windows_as_long_as_training_did(tmp_path_factory):
    """One F1 everywhere with --max_seq_length: a model trained on 4-subword windows (2 subwords of text each) is
    tagged in 4-subword windows by `vner evaluate` (read from its training_args.json), so both report the same test
    F1 (tagged in 256-subword windows it scores 0.68 where training reported 0.92)."""
    from training.train import main as train
    from vner.cli import main

    base = tmp_path_factory.getbasetemp()
    model = tmp_path_factory.mktemp("short-windows") / "model"
    common = ["--per_device_train_batch_size", "8", "--learning_rate", "5e-3", "--disable_tqdm", "true"]
    train(
        [
            "--model_name_or_path",
            tiny_base_model(base),
            "--dataset",
            dataset_dir(base),
            "--output_dir",
            str(model),
            "--max_seq_length",
            "4",
            "--num_train_epochs",
            "2",
            *common,
        ]
    )
    trained = json.loads((model / "metrics.json").read_text())["test"]
    assert trained["windows"] > trained["sentences"]  # sentences were cut into windows
    assert main(["evaluate", "--model", str(model), "--dataset", dataset_dir(base)]) == 0
    evaluated = json.loads((model / "eval" / "metrics.json").read_text())
    for mode in ("strict", "default"):
        assert evaluated[mode] == trained[mode]


def test_bad_arguments_are_one_line_errors_that_write_nothing(tmp_path_factory, tmp_path, capsys):
    """A mistyped model, a batch size below 1, a device name torch does not know or a device this machine lacks, a
    dataset without ClassLabel tags: one line, exit 2, and no output folder (not even MODEL/eval) left behind."""
    from datasets import Dataset, DatasetDict
    from training_data import make_rows

    from vner.cli import main

    base = tmp_path_factory.getbasetemp()
    model, data = trained_model(base), dataset_dir(base)
    plain = tmp_path / "plain"
    DatasetDict({"test": Dataset.from_list(make_rows(2))}).save_to_disk(str(plain))
    out = tmp_path / "out"
    cases = [
        (["--model", str(tmp_path / "typo_model")], "no such model folder"),
        (["--batch-size", "0"], "--batch-size must be a positive whole number (got 0)"),
        (["--batch-size", "-1"], "--batch-size must be a positive whole number (got -1)"),
        (["--device", "gpu"], "--device gpu: not a device name"),
        (["--device", "cuda:99"], "--device cuda:99: "),  # no GPU here, or not 100 of them
        (["--dataset", str(plain)], "not BIO label names"),
    ]
    capsys.readouterr()
    for flags, message in cases:
        args = {"--model": model, "--dataset": data, "-o": str(out)}
        args.update(dict(zip(flags[::2], flags[1::2])))
        assert main(["evaluate", *[x for kv in args.items() for x in kv]]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
        assert not out.exists()
    # the default output folder MODEL/eval is not created for a model that is not there
    assert main(["evaluate", "--model", str(tmp_path / "typo_model"), "--dataset", data]) == 2
    assert not (tmp_path / "typo_model").exists()
