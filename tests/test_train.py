"""`vner train`: a fine-tuned folder that loads with from_pretrained, config files, resume after a kill, DDP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from training_data import ROOT, tiny_base_model, train_command, trained_model

from annotation.errors import VnerError
from annotation.schema import BIO_LABELS


@pytest.fixture(scope="module")
def base_temp(tmp_path_factory):
    return tmp_path_factory.getbasetemp()


def test_trained_folder_is_self_contained(base_temp):
    from transformers import AutoModelForTokenClassification

    from training.tokenizer import load_tokenizer

    out = trained_model(base_temp)
    files = set(os.listdir(out))
    assert {
        "config.json",
        "model.safetensors",
        "vocab.txt",
        "bpe.codes",
        "metrics.json",
        "labels.json",
        "training_args.json",
    } <= files
    model = AutoModelForTokenClassification.from_pretrained(out)
    assert [model.config.id2label[i] for i in range(len(BIO_LABELS))] == list(BIO_LABELS)
    assert model.config.label2id == {label: i for i, label in enumerate(BIO_LABELS)}
    # the saved tokenizer is the base model's, id for id
    words = ["Chủ_tịch", "Võ_Văn_Thưởng", "gặp", "kiều_bào", "tại", "Nhật_Bản", "."]
    assert (
        load_tokenizer(out)(words, is_split_into_words=True)["input_ids"]
        == load_tokenizer(tiny_base_model(base_temp))(words, is_split_into_words=True)["input_ids"]
    )
    metrics = json.loads(open(os.path.join(out, "metrics.json")).read())
    assert {"train", "validation", "test", "best_epoch"} <= set(metrics)
    for split in ("validation", "test"):  # the one metrics shape (annotation.metrics): seqeval reports, strict first
        assert {"strict", "default", "accuracy"} <= set(metrics[split])
        assert 0.0 <= metrics[split]["strict"]["micro avg"]["f1-score"] <= 1.0
    state = json.loads(open(os.path.join(out, "trainer_state.json")).read())
    best = max((e for e in state["log_history"] if "eval_f1" in e), key=lambda e: e["eval_f1"])
    # early stopping and best-model selection read the same strict F1 as the final validation score
    assert metrics["validation"]["strict"]["micro avg"]["f1-score"] == pytest.approx(best["eval_f1"])
    assert json.loads(open(os.path.join(out, "labels.json")).read())["labels"] == list(BIO_LABELS)
    args = json.loads(open(os.path.join(out, "training_args.json")).read())
    assert args["training"]["learning_rate"] == 5e-3
    assert args["training"].get("train_sampling_strategy", "group_by_length") == "group_by_length"


def test_config_file_then_flags_override(tmp_path):
    from training.train import parse_args

    config = tmp_path / "run.yaml"
    config.write_text(
        "dataset: data/vner\noutput_dir: models/x\nlearning_rate: 3.0e-5\nnum_train_epochs: 7\n"
        "label_all_subwords: true\n"
    )
    model_args, data_args, args = parse_args([str(config), "--learning_rate", "1e-4"])
    assert (data_args.dataset, args.output_dir, args.num_train_epochs) == ("data/vner", "models/x", 7)
    assert args.learning_rate == 1e-4  # the flag wins over the file
    assert data_args.label_all_subwords is True
    assert model_args.model_name_or_path == "vinai/phobert-base"
    _, _, args = parse_args(["--config", str(config)])
    assert args.learning_rate == 3e-5
    (tmp_path / "bad.json").write_text(json.dumps({"dataset": "d", "learnig_rate": 1}))
    with pytest.raises(VnerError, match="learnig_rate"):
        parse_args([str(tmp_path / "bad.json")])
    with pytest.raises(VnerError, match="--dataset"):
        parse_args(["--output_dir", "x"])


def test_bad_dataset_is_one_line_error(tmp_path, capsys):
    from vner.cli import main

    assert main(["train", "--dataset", str(tmp_path / "nope"), "--output_dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no such dataset folder" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def _train_command(base_temp, out, *extra):
    return train_command(
        base_temp,
        out,
        "--per_device_train_batch_size",
        "4",
        "--disable_tqdm",
        "true",
        *extra,
        entry=("scripts/train.py",),
    )


def test_killed_run_resumes_from_last_checkpoint(base_temp, tmp_path):
    out = tmp_path / "run"
    command = _train_command(
        base_temp,
        out,
        "--max_steps",
        "20",
        "--save_strategy",
        "steps",
        "--save_steps",
        "3",
        "--eval_strategy",
        "no",
        "--load_best_model_at_end",
        "false",
    )
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("checkpoint-*/trainer_state.json")):
            assert proc.poll() is None, "training ended before writing a checkpoint"
            assert time.monotonic() < deadline, "no checkpoint after 120 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "metrics.json").exists()

    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # the same command again
    assert done.returncode == 0, done.stderr[-2000:]
    assert "resuming from" in done.stderr
    info = json.loads((out / "training_args.json").read_text())
    assert info["resumed_from"] and "checkpoint-" in info["resumed_from"]
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["global_step"] == 20
    assert (out / "model.safetensors").exists()


def test_torchrun_two_processes_on_cpu(base_temp, tmp_path):
    out = tmp_path / "ddp"
    command = _train_command(
        base_temp,
        out,
        "--max_steps",
        "4",
        "--eval_strategy",
        "no",
        "--save_strategy",
        "no",
        "--load_best_model_at_end",
        "false",
    )
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    result = subprocess.run(
        torchrun + command[1:], cwd=ROOT, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "model.safetensors").exists() and (out / "metrics.json").exists()
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["global_step"] == 4
    # two processes x 4 windows per device per step
    assert json.loads((out / "training_args.json").read_text())["world_size"] == 2


def test_best_model_follows_the_metric_and_says_if_restored(tmp_path):
    """--metric_for_best_model loss keeps the lowest loss (transformers derives the direction from the name); the
    summary says the best epoch was restored only when --load_best_model_at_end did restore it."""
    from training.progress import RunReporter, best_evaluation, summary_lines
    from training.train import parse_args

    base = ["--dataset", "d", "--output_dir", str(tmp_path / "out")]
    assert parse_args(base)[2].greater_is_better is True  # f1
    assert parse_args([*base, "--metric_for_best_model", "loss"])[2].greater_is_better is False
    explicit = parse_args([*base, "--metric_for_best_model", "loss", "--greater_is_better", "true"])[2]
    assert explicit.greater_is_better is True
    with pytest.raises(VnerError, match="not a validation metric"):
        parse_args([*base, "--metric_for_best_model", "f2"])

    history = [
        {"loss": 2.0, "epoch": 1.0},
        {"eval_loss": 0.9, "eval_f1": 0.2, "epoch": 1.0},
        {"eval_loss": 0.5, "eval_f1": 0.1, "epoch": 2.0},
        {"eval_loss": 0.7, "eval_f1": 0.3, "epoch": 3.0},
    ]
    assert best_evaluation(history, "eval_loss", greater_is_better=False)["epoch"] == 2.0
    assert best_evaluation(history)["epoch"] == 3.0  # eval_f1, higher is better
    reporter = RunReporter(show_bar=False, metric="eval_loss", greater_is_better=False)
    for entry in history[1:]:
        reporter._row(entry, entry["epoch"])
    assert reporter.best["epoch"] == 2.0  # the table's `*` follows the same metric

    metrics = {"best_epoch": 2.0, "best_by": "eval_loss", "epochs_run": 3.0, "stopped_early": None}
    restored = summary_lines({**metrics, "best_restored": True}, "out", "data")[0]
    assert restored == "best model: epoch 2 by validation loss (3 epochs run); restored from its checkpoint"
    kept = summary_lines({**metrics, "best_restored": False}, "out", "data")[0]
    assert "restored" not in kept and "the model saved is the last epoch's" in kept and "epoch 2" in kept


def test_finished_run_still_checks_its_arguments(tmp_path, capsys):
    """A finished run says "nothing to do" only to arguments that would have trained: a mistyped dataset is an
    error, not exit 0."""
    from vner.cli import main

    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text(json.dumps({"best_epoch": 2.0}))
    assert main(["train", "--dataset", str(tmp_path / "nope"), "--output_dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no such dataset folder" in err and "nothing to do" not in err


def test_resumed_run_stops_where_the_unbroken_run_stops(base_temp, tmp_path):
    """Resuming restores early stopping's patience counter: a run killed after epoch 2's checkpoint and run again
    stops after epoch 3, as the same run unbroken does (not after epoch 4). The table replays the earlier epochs
    with their training loss. The --hub_token given is in no file of the output folder (checkpoints included)."""
    token = "hf_TESTtokenNEVERwritten0123456789"
    out = tmp_path / "run"
    command = train_command(
        base_temp,
        out,
        "--per_device_train_batch_size",
        "16",
        "--learning_rate",
        "1e-12",  # below float32 resolution: the weights, hence the validation F1, never change
        "--early_stopping_patience",
        "2",
        "--save_total_limit",
        "10",
        "--threads",
        "1",
        "--hub_token",
        token,
    )
    unbroken = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert unbroken.returncode == 0, unbroken.stderr[-3000:]
    assert json.loads((out / "metrics.json").read_text())["stopped_early"]["epoch"] == 3
    steps = json.loads((out / "trainer_state.json").read_text())["global_step"]
    checkpoints = sorted(out.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    assert len(checkpoints) == 3
    shutil.rmtree(checkpoints[-1])  # as if killed after epoch 2's checkpoint was written
    (out / "metrics.json").unlink()

    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"resuming from {checkpoints[1]}" in resumed.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["stopped_early"]["epoch"] == 3 and metrics["epochs_run"] == 3
    assert json.loads((out / "trainer_state.json").read_text())["global_step"] == steps
    assert "early stopping after epoch 3" in resumed.stderr
    rows = [line.split() for line in resumed.stderr.splitlines() if line.split()[:1] in (["1"], ["2"], ["3"])]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert all(row[1] != "-" for row in rows)  # the replayed rows too show their training loss
    for f in out.rglob("*"):
        if f.is_file():
            assert token.encode() not in f.read_bytes(), f
