"""`vner train --model_name_or_path vinai/phobert-base` through the Hugging Face cache, with no network: a cache
(`HF_HOME/hub/models--vinai--phobert-base/refs/main` + `snapshots/<rev>/`) holding a tiny checkpoint on PhoBERT's
real tokenizer files trains, evaluates, predicts and stages a publish whose card names the real base model and its
licence; without the cache the error is one line that says how to get the weights."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from training_data import ROOT, dataset_dir, tiny_base_model

REPO_ID = "vinai/phobert-base"


def _env(hf_home, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(HF_HOME=str(hf_home), **extra)
    return env


def _vner(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vner", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def _cache(home, repo_id: str, folder) -> None:
    """`folder` as the cached snapshot of `repo_id`, in the Hub's layout."""
    repo = home / "hub" / f"models--{repo_id.replace('/', '--')}"
    revision = hashlib.sha1(repo_id.encode()).hexdigest()  # 40 hex, as the Hub's commit ids
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)
    shutil.copytree(folder, repo / "snapshots" / revision)


@pytest.fixture(scope="module")
def hf_home(tmp_path_factory):
    """A Hugging Face cache in the Hub's layout holding the tiny checkpoint as vinai/phobert-base."""
    home = tmp_path_factory.mktemp("hf-home")
    _cache(home, REPO_ID, tiny_base_model(tmp_path_factory.getbasetemp()))
    return home


def test_hub_id_from_the_cache_trains_evaluates_predicts_publishes(hf_home, tmp_path, tmp_path_factory):
    env = _env(hf_home, HF_HUB_OFFLINE="1")
    data = dataset_dir(tmp_path_factory.getbasetemp())
    out = tmp_path / "model"
    trained = _vner(
        env,
        "train",
        "--model_name_or_path",
        REPO_ID,
        "--dataset",
        data,
        "--output_dir",
        str(out),
        "--num_train_epochs",
        "2",
        "--per_device_train_batch_size",
        "8",
        "--learning_rate",
        "5e-3",
        "--logging_strategy",
        "steps",
        "--logging_steps",
        "1",
        "--threads",
        "1",
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert f"vner train: {REPO_ID} (from {hf_home}" in trained.stderr  # resolved to the cached snapshot
    info = json.loads((out / "training_args.json").read_text())
    assert info["model"]["model_name_or_path"] == REPO_ID and "/snapshots/" in info["model"]["resolved"]
    assert (out / "vocab.txt").read_bytes() == (ROOT / "training" / "phobert_files" / "vocab.txt").read_bytes()
    state = json.loads((out / "trainer_state.json").read_text())
    rates = [e["learning_rate"] for e in state["log_history"] if "loss" in e]
    assert rates[0] < max(rates)  # warm-up

    evaluated = _vner(env, "evaluate", "--model", str(out), "--dataset", data)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    test_f1 = json.loads((out / "metrics.json").read_text())["test"]["strict"]["micro avg"]["f1-score"]
    assert json.loads((out / "eval" / "metrics.json").read_text())["strict"]["micro avg"]["f1-score"] == test_f1

    text = tmp_path / "in.txt"
    text.write_text("Chủ tịch nước Võ Văn Thưởng gặp kiều bào tại Tokyo, Nhật Bản ngày 5/3.\n", encoding="utf-8")
    predicted = _vner(env, "predict", "--model", str(out), str(text), "-o", str(tmp_path / "tasks.json"))
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    assert json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))[0]["predictions"]

    staged = _vner(
        env, "publish", "--model", str(out), "--repo-id", "me/phobert-base-vner", "--dry-run", str(tmp_path / "upload")
    )
    assert staged.returncode == 0, staged.stderr[-2000:]
    from huggingface_hub import ModelCard

    card = ModelCard.load(tmp_path / "upload" / "README.md")
    assert card.data.base_model == REPO_ID and card.data.license == "mit"
    assert f"Base model: `{REPO_ID}`. License: MIT" in card.text
    assert "never pre-trained" in card.text  # and honest about what the cached weights were

    # the card's own command: `vner predict --model OWNER/NAME`, here the upload as the Hub cache holds it
    assert "vner predict --model me/phobert-base-vner " in card.text
    _cache(hf_home, "me/phobert-base-vner", tmp_path / "upload")
    from_hub = _vner(env, "predict", "--model", "me/phobert-base-vner", str(text), "-o", str(tmp_path / "hub.json"))
    assert from_hub.returncode == 0, from_hub.stderr[-2000:]
    local, hub = (json.loads((tmp_path / f).read_text(encoding="utf-8")) for f in ("tasks.json", "hub.json"))
    assert [t["predictions"][0]["result"] for t in hub] == [t["predictions"][0]["result"] for t in local]
    # evaluated by its Hub id: the same F1; the report goes beside the dataset, not into a folder named like the id
    by_id = _vner(env, "evaluate", "--model", "me/phobert-base-vner", "--dataset", data)
    assert by_id.returncode == 0, by_id.stderr[-2000:]
    report = Path(data) / "eval-test-me_phobert-base-vner" / "metrics.json"
    assert json.loads(report.read_text())["strict"]["micro avg"]["f1-score"] == test_f1
    assert not (ROOT / "me").exists()
    missing = _vner(env, "predict", "--model", "me/not-uploaded", str(text), "-o", str(tmp_path / "none.json"))
    err = missing.stderr.strip()
    assert missing.returncode == 2 and len(err.splitlines()) == 1 and "hf download me/not-uploaded" in err, err
    assert not (tmp_path / "none.json").exists()


@pytest.mark.parametrize(
    "extra", [{"HF_ENDPOINT": "http://127.0.0.1:9"}, {"HF_HUB_OFFLINE": "1"}], ids=["unreachable", "offline"]
)
def test_no_cache_no_network_is_one_line_error(tmp_path, tmp_path_factory, extra):
    env = _env(tmp_path / "empty-hf-home", **extra)
    out = tmp_path / "model"
    result = _vner(
        env,
        "train",
        "--model_name_or_path",
        REPO_ID,
        "--dataset",
        dataset_dir(tmp_path_factory.getbasetemp()),
        "--output_dir",
        str(out),
    )
    err = result.stderr.strip()
    assert result.returncode == 2 and len(err.splitlines()) == 1, err
    assert REPO_ID in err and "hf download" in err and "HF_HOME" in err and "local model folder" in err
    assert "Retrying" not in result.stderr and not out.exists()
