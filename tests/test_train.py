"""`vner train`: a fine-tuned folder that loads with from_pretrained, config files, resume after a kill, DDP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from training_data import ROOT, dataset_dir, tiny_base_model, trained_model

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
    return [
        sys.executable,
        "scripts/train.py",
        "--model_name_or_path",
        tiny_base_model(base_temp),
        "--dataset",
        dataset_dir(base_temp),
        "--output_dir",
        str(out),
        "--per_device_train_batch_size",
        "4",
        "--disable_tqdm",
        "true",
        *extra,
    ]


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
