"""Building and writing the DatasetDict: document splits, features, CoNLL/JSONL/card, the `vner dataset` command."""

import json

import pytest
from datasets import load_from_disk

from annotation.dataset import build_dataset_dict, dataset_features, example_spans, split_documents, write_dataset
from annotation.errors import VnerError
from annotation.export import load_export
from annotation.schema import BIO_LABELS
from tests.exports import annotation, find, task, unit, write
from vner.cli import main

TEXT = "Ông Võ Văn Thưởng đến Hà Nội. Sau đó ông về Huế."


def export_of(tmp_path, n_docs: int, paragraphs_per_doc: int = 2):
    tasks, tid = [], 0
    for d in range(n_docs):
        for p in range(paragraphs_per_doc):
            tid += 1
            # paragraphs differ: a text repeated in a document is kept once
            text = TEXT.replace("Ông", ("Ông", "Bà", "Anh")[p % 3]).replace("Sau đó", ("Sau đó", "Rồi")[p % 2])
            spans = [find(text, "Võ Văn Thưởng", "PER"), find(text, "Hà Nội", "LOC")] + (
                [find(text, "Huế", "LOC")] if d % 2 else []
            )
            tasks.append(task(unit(text, doc_id=f"doc{d:02d}", index=p, first=2 * p), tid, [annotation(text, spans)]))
    return write(tmp_path, tasks)


def test_split_is_by_document_deterministic_and_covers_every_split():
    docs = [f"d{i}" for i in range(3)]
    splits = split_documents(docs, (0.8, 0.1, 0.1), seed=1)
    assert sorted(len(v) for v in splits.values()) == [1, 1, 1]
    assert split_documents(list(reversed(docs)), (0.8, 0.1, 0.1), seed=1) == splits  # input order does not matter
    many = [f"d{i}" for i in range(50)]
    a = split_documents(many, (0.8, 0.1, 0.1), seed=7)
    assert [len(a[k]) for k in ("train", "validation", "test")] == [40, 5, 5]
    assert sorted(sum(a.values(), [])) == sorted(many)
    assert split_documents(many, (0.8, 0.1, 0.1), seed=8) != a
    only_train = split_documents(docs, (1, 0, 0))
    assert len(only_train["train"]) == 3 and only_train["validation"] == only_train["test"] == []
    two = split_documents(["a", "b"], (0.8, 0.1, 0.1))
    assert sum(len(v) for v in two.values()) == 2
    with pytest.raises(VnerError):
        split_documents(docs, (0.5, 0.5))


def test_dataset_dict_has_the_schema_features_and_no_document_in_two_splits(tmp_path):
    res = load_export(export_of(tmp_path, 10))
    dsd = build_dataset_dict(res.examples, seed=3)
    assert list(dsd) == ["train", "validation", "test"]
    assert sum(len(ds) for ds in dsd.values()) == len(res.examples) == 40
    for ds in dsd.values():
        assert ds.features == dataset_features()
        assert ds.features["ner_tags"].feature.names == list(BIO_LABELS)
    doc_sets = [set(ds["doc_id"]) for ds in dsd.values()]
    assert all(not (a & b) for i, a in enumerate(doc_sets) for b in doc_sets[i + 1 :])
    # rows from the dataset (tags as ids) give back the spans of the examples (tags as names)
    by_id = {ex["id"]: ex for ex in res.examples}
    for row in dsd["train"]:
        assert example_spans(row) == example_spans(by_id[row["id"]])
    assert build_dataset_dict(res.examples, seed=3)["test"]["id"] == dsd["test"]["id"]


def test_write_dataset_files(tmp_path):
    res = load_export(export_of(tmp_path, 4))
    dsd = build_dataset_dict(res.examples)
    out = tmp_path / "ds"
    counts = write_dataset(dsd, out, issues=res.issues, stats=res.stats, source="export.json")
    again = load_from_disk(str(out))
    assert {k: len(v) for k, v in again.items()} == {k: len(v) for k, v in dsd.items()}
    # 4 documents x 2 tasks: one PER and one LOC each, plus "Huế" in the 2 odd documents
    assert sum(c["PER"] for c in counts.values()) == 8 and sum(c["LOC"] for c in counts.values()) == 8 + 4
    conll = (out / "conll" / "train.conll").read_text(encoding="utf-8")
    blocks = conll.strip("\n").split("\n\n")
    assert blocks[0] == "-DOCSTART-\tO"
    assert blocks[1].splitlines()[:3] == ["Ông\tO", "Võ\tB-PER", "Văn\tI-PER"]
    n_docstart = conll.count("-DOCSTART-")
    assert n_docstart == len(set(dsd["train"]["doc_id"]))
    assert len(blocks) == len(dsd["train"]) + n_docstart
    rows = [json.loads(line) for line in (out / "jsonl" / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(dsd["test"]) and rows[0]["ner_tags"][1] == "B-PER"
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "num_examples: " + str(len(dsd["train"])) in card
    assert "class_label" in card and "B-DATE" in card and "export.json" in card
    assert not (out / "issues.jsonl").exists()


def test_vner_dataset_command_prints_counts(tmp_path, capsys):
    path = export_of(tmp_path, 5)
    assert main(["dataset", str(path), "-o", str(tmp_path / "out"), "--split", "0.6,0.2,0.2", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "20 sentences from 10 of 10 tasks" in out
    table = {
        line.split()[0]: line.split()
        for line in out.splitlines()
        if line.split() and line.split()[0] in ("train", "validation", "test")
    }
    assert [table[k][1] for k in ("train", "validation", "test")] == ["3", "1", "1"]
    assert (tmp_path / "out" / "dataset_dict.json").exists()


def test_bad_split_ratios_are_a_clear_error(tmp_path, capsys):
    path = export_of(tmp_path, 3)
    assert main(["dataset", str(path), "-o", str(tmp_path / "out"), "--split", "0.8,0.2"]) == 2
    assert "--split" in capsys.readouterr().err


def test_entity_counts_read_tags_like_bio_to_spans():
    import random
    from collections import Counter

    from datasets import Dataset, DatasetDict

    from annotation.dataset import entity_counts

    rng = random.Random(0)
    rows = [
        [rng.randrange(len(BIO_LABELS)) for _ in range(rng.randint(0, 12))] for _ in range(300)
    ]  # orphan I- tags too
    ds = Dataset.from_dict({"ner_tags": rows})
    expected = Counter(
        sp.label
        for tags in rows
        for sp in example_spans(
            {"ner_tags": tags, "token_starts": range(len(tags)), "token_ends": range(1, len(tags) + 1)}
        )
    )
    assert entity_counts(DatasetDict({"train": ds}))["train"] == {t: expected[t] for t in ("PER", "ORG", "LOC", "DATE")}
    # a selected (indexed) view counts only its rows
    assert sum(entity_counts(DatasetDict({"x": ds.select([0])}))["x"].values()) == len(
        example_spans(
            {"ner_tags": rows[0], "token_starts": range(len(rows[0])), "token_ends": range(1, len(rows[0]) + 1)}
        )
    )


def test_the_card_lets_load_dataset_read_the_folder(tmp_path):
    from datasets import load_dataset

    res = load_export(export_of(tmp_path, 3))
    dsd = build_dataset_dict(res.examples)
    write_dataset(dsd, tmp_path / "ds")
    loaded = load_dataset(str(tmp_path / "ds"), cache_dir=str(tmp_path / "cache"))
    assert {k: len(v) for k, v in loaded.items()} == {k: len(v) for k, v in dsd.items()}
    assert loaded["train"].features["ner_tags"] == dsd["train"].features["ner_tags"]
    assert loaded["train"]["ner_tags"] == dsd["train"]["ner_tags"]


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_rebuild_leaves_exactly_its_own_files(tmp_path, capsys):
    """A build replaces the folder whole: no split, export or issue list of the build before it stays behind."""
    from annotation.export import ExportIssue

    res = load_export(export_of(tmp_path, 4))
    out = tmp_path / "ds"
    issue = ExportIssue("export.json", 1, "unknown_label", "span 0-3 has label 'MISC'")
    write_dataset(build_dataset_dict(res.examples), out, issues=[issue], stats={"dropped_sentences": 1})
    assert {"issues.jsonl", "validation", "test", "jsonl/test.jsonl", "conll/test.conll"} <= set(_files(out))
    only_train = build_dataset_dict(res.examples, ratios=(1, 0, 0))
    write_dataset(only_train, out)
    fresh = tmp_path / "fresh"
    write_dataset(only_train, fresh)
    assert _files(out) == _files(fresh)
    assert "validation" not in _files(out) and "issues.jsonl" not in _files(out)
    assert "No problems were found" in (out / "README.md").read_text(encoding="utf-8")
    rows = (out / "jsonl" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(res.examples)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "export.json", "fresh"]  # no temporary folder
    # the command too: a --split 1,0,0 build over a default one
    assert main(["dataset", str(tmp_path / "export.json"), "-o", str(out)]) == 0
    assert main(["dataset", str(tmp_path / "export.json"), "-o", str(out), "--split", "1,0,0"]) == 0
    assert sorted(p.name for p in (out / "jsonl").iterdir()) == ["train.jsonl"]
    assert len(load_from_disk(str(out))["train"]) == len(res.examples)


def test_a_failed_build_leaves_the_previous_folder_as_it_was(tmp_path, monkeypatch):
    import annotation.dataset as dataset

    res = load_export(export_of(tmp_path, 3))
    dsd = build_dataset_dict(res.examples)
    out = tmp_path / "ds"
    write_dataset(dsd, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dataset, "dataset_card", fail)  # the last file of a build
    with pytest.raises(OSError):
        write_dataset(build_dataset_dict(res.examples, ratios=(1, 0, 0)), out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "export.json"]  # the temporary folder is gone
    with pytest.raises(OSError):
        write_dataset(dsd, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    monkeypatch.undo()
    # the new build cannot take the old one's place: the old one is put back
    import os

    rename = os.rename

    def rename_fails_into_place(src, dst):
        if str(src).endswith("new"):
            raise OSError(13, "Permission denied")
        rename(src, dst)

    monkeypatch.setattr(os, "rename", rename_fails_into_place)
    with pytest.raises(OSError):
        write_dataset(build_dataset_dict(res.examples, ratios=(1, 0, 0)), out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "export.json"]


def test_a_folder_vner_did_not_write_is_refused_and_left_alone(tmp_path, capsys, monkeypatch):
    path = export_of(tmp_path, 3)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "README.md").write_text("hi\n", encoding="utf-8")
    assert main(["dataset", str(path), "-o", str(proj)]) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and "pick another folder" in err and err.count("\n") == 1
    assert _files(proj) == ["README.md"] and (proj / "README.md").read_text(encoding="utf-8") == "hi\n"
    # a vner dataset holding a file of the user's: refused too, the file kept
    ds = tmp_path / "ds"
    assert main(["dataset", str(path), "-o", str(ds)]) == 0
    (ds / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert main(["dataset", str(path), "-o", str(ds)]) == 2
    assert "notes.txt" in capsys.readouterr().err and (ds / "notes.txt").exists()
    with pytest.raises(VnerError, match="notes.txt"):
        write_dataset(load_from_disk(str(ds)), ds)
    (ds / "notes.txt").unlink()
    # an empty folder and a vner dataset are fine; the folder one works in is not
    (tmp_path / "empty").mkdir()
    assert main(["dataset", str(path), "-o", str(tmp_path / "empty")]) == 0
    assert main(["dataset", str(path), "-o", str(ds)]) == 0
    monkeypatch.chdir(ds)
    assert main(["dataset", str(path), "-o", "."]) == 2
    assert "current folder" in capsys.readouterr().err


def test_a_build_that_fails_on_its_input_creates_no_folder(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    assert main(["dataset", str(bad), "-o", str(tmp_path / "new" / "ds")]) == 2
    assert not (tmp_path / "new").exists()
