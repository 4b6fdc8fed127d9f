"""`vner predict` / ModelAnnotator: character offsets exact on NFD and emoji input, batching changes nothing."""

from __future__ import annotations

import json
import unicodedata

import pytest
from training_data import trained_model

from annotation.preannotate import preannotate_documents
from annotation.text import Sentence, document_name, load_documents
from training.predict import ModelAnnotator, Tagger

RAW = (
    "Chủ tịch nước Võ Văn Thưởng 🇻🇳 gặp kiều bào tại Tokyo, Nhật Bản ngày 5/3. 😀 Bộ Ngoại giao cho biết "
    "chuyến thăm diễn ra tốt đẹp.\n"
    "Ông Nguyễn Văn A 👨‍👩‍👧 làm việc cho Vietcombank từ năm 2024 ở Thành phố Hồ Chí Minh.\n"
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return trained_model(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def entity_model(model_dir, tmp_path_factory):
    """The trained model with its B-LOC bias raised: every word becomes an entity, so every kind of word
    (decomposed accents, emoji, punctuation) is checked for exact offsets, whatever a few training steps learnt."""
    import shutil

    from safetensors.torch import load_file, save_file

    out = tmp_path_factory.mktemp("entity-model") / "model"
    shutil.copytree(model_dir, out, ignore=shutil.ignore_patterns("checkpoint-*"))
    weights = load_file(out / "model.safetensors")
    labels = json.loads((out / "config.json").read_text())["label2id"]
    weights["classifier.bias"][labels["B-LOC"]] += 50.0
    save_file(weights, out / "model.safetensors", metadata={"format": "pt"})
    return str(out)


def test_predict_offsets_exact_on_nfd_and_emoji(entity_model, tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", RAW), encoding="utf-8")
    tasks, _ = preannotate_documents(load_documents([path]), [ModelAnnotator(entity_model, batch_size=4)])
    display = "\n".join(t["data"]["text"] for t in tasks)
    assert unicodedata.is_normalized("NFC", display) and "😀" in display  # shown as NFC, emoji kept
    regions = [(t, r) for t in tasks for r in t["predictions"][0]["result"]]
    texts = {r["value"]["text"] for _, r in regions}
    assert {"Tokyo", "😀", "Vietcombank"} <= texts  # one LOC per word, emoji kept
    assert any("Võ" in t for t in texts) and any("Thưởng" in t for t in texts)  # accents composed (NFC)
    for task, r in regions:
        v = r["value"]
        assert task["data"]["text"][v["start"] : v["end"]] == v["text"]
        assert v["text"] == v["text"].strip() and v["labels"][0] in {"PER", "ORG", "LOC", "DATE"}
        assert 0.0 < r["score"] <= 1.0
        # a predicted span starts and ends on word boundaries of the task's segmentation
        words = task["data"]["vner"]["words"]
        assert any(s == v["start"] for s, _ in words) and any(e == v["end"] for _, e in words)
        assert task["predictions"][0]["model_version"].startswith("vner:model@")


def test_batched_prediction_equals_one_at_a_time(model_dir):
    tagger = Tagger(model_dir, batch_size=16)
    long = ["Hà_Nội", "và", "Nhật_Bản", "ký", "hiệp_định", "."] * 60  # > 256 subwords: split into windows
    sentences = [
        ["Ông", "Võ_Văn_Thưởng", "đến", "Hà_Nội", "."],
        ["Trời", "mưa", "."],
        long,
        ["Bộ", "Ngoại_giao", "họp", "ngày", "5/3", "tại", "Đà_Nẵng", "."],
    ]
    batched = tagger.tag(sentences)
    tagger.batch_size = 1
    single = [tagger.tag([s])[0] for s in sentences]
    for b, s, words in zip(batched, single, sentences):
        assert len(b.tags) == len(words)  # every word tagged, windows merged back
        assert b.tags == s.tags
        assert b.scores == pytest.approx(s.scores, abs=1e-4)


def test_model_annotator_protocol(model_dir, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(RAW, encoding="utf-8")
    sentences: list[Sentence] = load_documents([path])[0].sentences()
    annotator = ModelAnnotator(model_dir)
    assert annotator.name == "model" and annotator.version
    out = annotator.annotate(sentences)
    assert len(out) == len(sentences)
    for sentence, spans in zip(sentences, out):
        for sp in spans:
            assert 0 <= sp.start < sp.end <= len(sentence.text)
            assert sp.source == annotator.name and sp.score is not None


def test_cli_writes_label_studio_tasks(model_dir, tmp_path, capsys):
    from vner.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "doc.txt").write_text(RAW, encoding="utf-8")
    assert main(["predict", "--model", model_dir, str(tmp_path / "in"), "-o", str(tmp_path / "tasks.json")]) == 0
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert [document_name(t["data"]["doc_id"]) for t in tasks] == ["doc", "doc"]  # one task per paragraph
    assert all(len(t["predictions"]) == 1 for t in tasks)
    # one annotation path: `vner predict` is `vner preannotate --annotators model:DIR`, byte for byte
    assert (
        main(
            [
                "preannotate",
                str(tmp_path / "in"),
                "--annotators",
                f"model:{model_dir}",
                "-o",
                str(tmp_path / "same.json"),
            ]
        )
        == 0
    )
    assert (tmp_path / "same.json").read_bytes() == (tmp_path / "tasks.json").read_bytes()
    assert main(["predict", "--model", str(tmp_path), str(tmp_path / "in"), "-o", str(tmp_path / "x.json")]) == 2
    assert "not a model folder" in capsys.readouterr().err


def test_tagger_uses_the_window_length_of_training(model_dir, tmp_path):
    """The Tagger cuts sentences into windows as long as those the model was trained on (--max_seq_length in
    training_args.json); a folder that does not record it gets PhoBERT's 256."""
    import shutil

    model = tmp_path / "model"
    shutil.copytree(model_dir, model, ignore=shutil.ignore_patterns("checkpoint-*"))
    info = json.loads((model / "training_args.json").read_text())
    info["data"]["max_seq_length"] = 6
    (model / "training_args.json").write_text(json.dumps(info))
    tagger = Tagger(model)
    assert tagger.max_length == 6
    words = ["Ông", "Võ_Văn_Thưởng", "đến", "Hà_Nội", "hôm_qua", "."]
    assert len(tagger.tag([words])[0].tags) == len(words)  # several windows, joined back
    (model / "training_args.json").unlink()
    assert Tagger(model).max_length == 256


def test_bad_batch_size_and_device_are_one_line_errors(model_dir, tmp_path, capsys):
    from vner.cli import main

    (tmp_path / "doc.txt").write_text(RAW, encoding="utf-8")
    out = tmp_path / "tasks.json"
    for flags, message in [
        (["--batch-size", "0"], "--batch-size must be a positive whole number (got 0)"),
        (["--batch-size", "-1"], "--batch-size must be a positive whole number (got -1)"),
        (["--device", "gpu"], "--device gpu: not a device name"),
        (["--device", "cuda:99"], "--device cuda:99: "),  # no GPU here, or not 100 of them
    ]:
        assert main(["predict", "--model", model_dir, str(tmp_path / "doc.txt"), "-o", str(out), *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
        assert not out.exists()
