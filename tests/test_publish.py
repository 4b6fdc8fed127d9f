"""`vner publish`: the staged folder (dry run) holds a model card whose model-index matches the evaluation,
the model loads from it, and the token never lands in it."""

from __future__ import annotations

import json
import shutil

import pytest
from training_data import dataset_dir, trained_model

from annotation.errors import VnerError
from training.publish import model_card, publish

TOKEN = "hf_TESTtokenNEVERwritten0123456789"


@pytest.fixture(scope="module")
def evaluated_model(tmp_path_factory):
    from training.evaluate import evaluate, write_evaluation

    base = tmp_path_factory.getbasetemp()
    model = tmp_path_factory.mktemp("publish") / "model"
    shutil.copytree(trained_model(base), model)
    write_evaluation(evaluate(model, dataset_dir(base), "test"), model / "eval")
    return model


def test_dry_run_card_matches_metrics_and_holds_no_token(evaluated_model, tmp_path, monkeypatch):
    from huggingface_hub import ModelCard
    from transformers import AutoModelForTokenClassification

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    out = tmp_path / "upload"
    assert publish(evaluated_model, "someone/tiny-vner", dry_run=out, token=TOKEN) == str(out)
    card = ModelCard.load(out / "README.md")
    metrics = json.loads((evaluated_model / "eval" / "metrics.json").read_text())
    results = {r.metric_name: r.metric_value for r in card.data.eval_results}
    strict = metrics["strict"]
    assert results["F1 (micro, strict IOB2)"] == pytest.approx(strict["micro avg"]["f1-score"], abs=1e-4)
    assert results["Precision (micro, strict IOB2)"] == pytest.approx(strict["micro avg"]["precision"], abs=1e-4)
    assert results["Recall (micro, strict IOB2)"] == pytest.approx(strict["micro avg"]["recall"], abs=1e-4)
    assert results["F1 (micro, seqeval default)"] == pytest.approx(
        metrics["default"]["micro avg"]["f1-score"], abs=1e-4
    )
    for t in ("PER", "ORG", "LOC", "DATE"):
        assert results[f"F1 {t} (strict IOB2)"] == pytest.approx(strict[t]["f1-score"], abs=1e-4)
    assert all(r.dataset_split == "test" and r.task_type == "token-classification" for r in card.data.eval_results)
    assert card.data.language == ["vi"] and card.data.pipeline_tag == "token-classification"
    assert "never pre-trained" in card.text and "stand-in" in card.text  # the tiny model says what it is
    assert card.data.license == "mit"  # PhoBERT's vocab files (MIT), random weights
    assert "underthesea" in card.text and "RDRSegmenter" in card.text
    # exactly what would go up: the model loads from it; no checkpoints, no pickles, no token anywhere
    AutoModelForTokenClassification.from_pretrained(out)
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"README.md", "config.json", "model.safetensors", "vocab.txt", "bpe.codes", "eval/metrics.json"} <= names
    assert not any(n.startswith("checkpoint-") or n.endswith((".bin", ".pt", ".pth")) for n in names)
    for p in out.rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes()


def test_card_states_base_model_license(evaluated_model, tmp_path):
    from huggingface_hub import ModelCard

    model = tmp_path / "v2"
    shutil.copytree(evaluated_model, model)
    info = json.loads((model / "training_args.json").read_text())
    info["model"].update(model_name_or_path="vinai/phobert-base-v2", from_hub=True)
    (model / "training_args.json").write_text(json.dumps(info))
    config = json.loads((model / "config.json").read_text())
    config["hidden_size"] = 768  # as the real base-sized model, which vner tiny-model did not build
    config.pop("vner_tiny", None)
    (model / "config.json").write_text(json.dumps(config))
    metrics = json.loads((model / "eval" / "metrics.json").read_text())
    card = ModelCard(model_card(model, "me/v2-vner", metrics))
    assert card.data.license == "agpl-3.0" and card.data.base_model == "vinai/phobert-base-v2"
    assert "AGPL-3.0" in card.text and "stand-in" not in card.text


def test_publish_needs_an_evaluation_and_a_token(evaluated_model, tmp_path, monkeypatch):
    model = tmp_path / "noeval"
    shutil.copytree(evaluated_model, model, ignore=shutil.ignore_patterns("eval"))
    with pytest.raises(VnerError, match="vner evaluate"):
        publish(model, "me/x", dry_run=tmp_path / "out")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # no saved login
    with pytest.raises(VnerError, match="HF_TOKEN"):
        publish(evaluated_model, "me/x")
    with pytest.raises(VnerError, match="OWNER/NAME"):
        publish(evaluated_model, "no-owner", dry_run=tmp_path / "o2")


def test_card_says_what_the_run_did_and_staging_keeps_local_paths_here(evaluated_model, tmp_path):
    """The card's Training paragraph comes from the recorded arguments (early stopping or not, window length), a
    local base model is named as such (not by its path), and no staged file holds a path of this machine."""
    from huggingface_hub import ModelCard

    model = tmp_path / "model"
    shutil.copytree(evaluated_model, model)
    info = json.loads((model / "training_args.json").read_text())
    here = str(evaluated_model.parent.parent)  # the test session's temporary folder: model, base and dataset
    assert here in json.dumps(info)
    info["data"]["max_seq_length"] = 128
    info["training"]["early_stopping_patience"] = 0
    (model / "training_args.json").write_text(json.dumps(info))
    metrics = json.loads((model / "eval" / "metrics.json").read_text())
    text = ModelCard(model_card(model, "me/tiny-vner", metrics)).text
    assert "max 128 subwords per window" in text and "max 256" not in text
    assert "no early stopping" in text and "patience" not in text
    assert "the best epoch by validation strict F1 restored at the end" in text
    assert "Base model: a local checkpoint (folder `vner-tiny-base`)" in text and here not in text
    info["training"]["eval_strategy"] = "no"  # as a run without a validation split records it
    (model / "training_args.json").write_text(json.dumps(info))
    assert "no per-epoch validation (no early stopping" in ModelCard(model_card(model, "me/x", metrics)).text

    out = publish(model, "me/tiny-vner", dry_run=tmp_path / "upload")
    for f in (tmp_path / "upload").rglob("*"):
        if f.is_file():
            assert here.encode() not in f.read_bytes(), f
    staged = json.loads((tmp_path / "upload" / "training_args.json").read_text())
    assert staged["model"]["model_name_or_path"] == "vner-tiny-base" and "resolved" not in staged["model"]
    assert staged["data"] == {**info["data"], "dataset": "vner-dataset"}  # what `vner predict` reads stays
    assert "output_dir" not in staged["training"] and staged["training"]["learning_rate"] == 5e-3
    assert json.loads((tmp_path / "upload" / "eval" / "metrics.json").read_text())["model"] == "me/tiny-vner"
    assert out == str(tmp_path / "upload")


def test_dry_run_with_bad_arguments_leaves_no_folder(evaluated_model, tmp_path, capsys):
    from vner.cli import main

    out = tmp_path / "upload"
    args = ["--repo-id", "me/x", "--dry-run", str(out)]
    assert main(["publish", "--model", str(tmp_path / "typo_model"), *args]) == 2
    assert "not a model folder" in capsys.readouterr().err and not out.exists()
    assert main(["publish", "--model", str(evaluated_model), "--metrics", str(tmp_path / "none.json"), *args]) == 2
    assert "no evaluation found" in capsys.readouterr().err and not out.exists()
