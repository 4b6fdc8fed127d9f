"""`vner train` as a person runs it: what it prints, the warm-up it really does, a finished run left alone, and bad
arguments as one-line errors before anything is written."""

from __future__ import annotations

import json
import subprocess

import pytest
from training_data import ROOT, dataset_dir, tiny_base_model, train_command


@pytest.fixture(scope="module")
def base_temp(tmp_path_factory):
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def run(base_temp, tmp_path_factory):
    """One `vner train` on the tiny model, logging every step (for the schedule), run as a user runs it."""
    out = tmp_path_factory.mktemp("cli-run") / "model"
    command = train_command(
        base_temp,
        out,
        "--num_train_epochs",
        "4",
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
        "--early_stopping_patience",
        "0",
    )
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return command, out, result.stdout + result.stderr


def test_run_prints_header_table_and_summary(run):
    _, out, text = run
    lines = text.splitlines()
    assert "LOAD REPORT" not in text and "{'loss'" not in text and "Traceback" not in text
    assert sum("classification head is new" in line for line in lines) == 1
    assert any(line.startswith("device: cpu, 1 thread (--threads 1") for line in lines)
    header = next(
        i
        for i, line in enumerate(lines)
        if line.split() == ["epoch", "train", "loss", "val", "loss", "strict", "P", "strict", "R", "strict", "F1"]
    )
    rows = lines[header + 1 : header + 5]
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4"]  # one row per epoch
    metrics = json.loads((out / "metrics.json").read_text())
    best = metrics["best_epoch"]
    assert f"best model: epoch {best:.0f}" in text
    summary = lines[next(i for i, line in enumerate(lines) if line.startswith("strict IOB2 F1")) :]
    micro = next(line for line in summary if line.strip().startswith("micro avg")).split()
    assert float(micro[-2]) == pytest.approx(metrics["validation"]["strict"]["micro avg"]["f1-score"], abs=1e-4)
    assert float(micro[-1]) == pytest.approx(metrics["test"]["strict"]["micro avg"]["f1-score"], abs=1e-4)
    for entity_type in ("PER", "ORG", "LOC", "DATE"):
        assert any(line.split()[:1] == [entity_type] for line in summary)
    assert any("default-mode micro F1" in line for line in summary)
    assert f"model: {out}" in text


def test_warmup_is_real(run):
    """10% linear warm-up, then linear decay, read from the learning rate the Trainer logged at every step."""
    _, out, _ = run
    state = json.loads((out / "trainer_state.json").read_text())
    rates = [e["learning_rate"] for e in state["log_history"] if "learning_rate" in e and "loss" in e]
    steps = state["max_steps"]
    assert len(rates) == steps >= 20
    peak = rates.index(max(rates))
    warmup = -(-steps // 10)  # ceil(10% of the steps)
    assert rates[0] < rates[peak] and peak >= 1  # it starts low and rises ...
    assert all(a < b for a, b in zip(rates[:peak], rates[1 : peak + 1]))
    assert all(a > b for a, b in zip(rates[peak:], rates[peak + 1 :]))  # ... then decays
    assert abs(peak + 1 - warmup) <= 1  # the peak comes after 10% of the steps
    assert max(rates) <= 5e-3


def test_same_command_on_finished_run_does_nothing(run):
    command, out, _ = run
    before = (out / "model.safetensors").read_bytes()
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "this run has finished" in again.stderr and "--overwrite_output_dir" in again.stderr
    assert (out / "model.safetensors").read_bytes() == before
    # --overwrite_output_dir starts over (on a copy, two steps)
    import shutil

    copy = out.parent / "copy"
    shutil.copytree(out, copy)
    command = [copy if arg == str(out) else arg for arg in command]
    command = [str(arg) for arg in command] + ["--overwrite_output_dir", "--max_steps", "2"]
    fresh = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert "this run has finished" not in fresh.stderr
    assert json.loads((copy / "trainer_state.json").read_text())["global_step"] == 2
    assert not [p for p in copy.glob("checkpoint-*") if int(p.name.split("-")[1]) > 2]  # old checkpoints gone


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--per_device_train_batch_size", "0"], "--per_device_train_batch_size must be at least 1"),
        (["--learning_rate", "0"], "--learning_rate must be greater than 0"),
        (["--learning_rate", "-0.00001"], "--learning_rate must be greater than 0"),
        (["--num_train_epochs", "0"], "--num_train_epochs must be greater than 0"),
        (["--learning_rate", "fast"], "invalid float value: 'fast'"),
        (["--per_device_train_batch_size", "many"], "invalid int value: 'many'"),
        (["--num_train_epochs"], "expected one argument"),
        (["--no_such_flag", "1"], "no_such_flag"),
        (["--threads", "0"], "--threads must be at least 1"),
        (["--num_train_epochs", "nan"], "--num_train_epochs must be a finite number (got nan)"),
        (["--learning_rate", "nan"], "--learning_rate must be a finite number (got nan)"),
        (["--weight_decay", "inf"], "--weight_decay must be a finite number (got inf)"),
        (["--metric_for_best_model", "f2"], "'f2': not a validation metric"),
        # transformers' own multi-line message, whole on one line (its first line ends in "but found")
        (["--save_strategy", "no"], "Save strategy"),
    ],
)
def test_bad_numbers_are_one_line_errors(base_temp, tmp_path, capsys, flags, message):
    from vner.cli import main

    out = tmp_path / "out"
    model, data = tiny_base_model(base_temp), dataset_dir(base_temp)
    capsys.readouterr()  # the shared dataset's save bar, if this test built it
    code = main(["train", "--model_name_or_path", model, "--dataset", data, "--output_dir", str(out), *flags])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "usage:" not in err
    assert not out.exists()  # nothing written


def test_bad_model_and_dataset_are_one_line_errors(base_temp, tmp_path, capsys):
    from datasets import DatasetDict
    from training_data import make_dataset_dict

    from vner.cli import main

    out = tmp_path / "out"
    cases = [
        (["--model_name_or_path", str(tmp_path / "no" / "model")], "no such folder"),
        (["--model_name_or_path", str(tmp_path)], "not a model folder (no config.json)"),
    ]
    no_train = tmp_path / "no-train"
    full = make_dataset_dict(n_train=4, n_eval=2)
    DatasetDict({"validation": full["validation"], "test": full["test"]}).save_to_disk(str(no_train))
    cases.append((["--dataset", str(no_train)], "no split 'train' to train on"))
    # a split named on purpose must exist (only the default names may be missing)
    cases.append((["--validation_split", "nope"], "--validation_split nope: "))
    cases.append((["--test_split", "tset"], "no split 'tset' (has ['test', 'train', 'validation'])"))
    # ner_tags as plain values, not ClassLabel names: what the ids mean is unknown
    from datasets import Dataset
    from training_data import make_rows

    plain = tmp_path / "plain"
    DatasetDict({"train": Dataset.from_list(make_rows(4)), "validation": Dataset.from_list(make_rows(2))}).save_to_disk(
        str(plain)
    )
    cases.append((["--dataset", str(plain)], "not BIO label names (a sequence of ClassLabel"))
    capsys.readouterr()  # the dataset's own save bar
    for flags, message in cases:
        args = {"--model_name_or_path": tiny_base_model(base_temp), "--dataset": dataset_dir(base_temp)}
        args.update(dict(zip(flags[::2], flags[1::2])))
        code = main(["train", *[x for kv in args.items() for x in kv], "--output_dir", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and message in err, err
        assert len(err.strip().splitlines()) == 1
        assert not out.exists()


def test_help_shows_whole_texts(capsys):
    from vner.cli import main

    assert main(["train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "or a local folder such as one written by `vner tiny-model` (default: vinai/phobert-base)" in text
    assert "--warmup_ratio" in text and "--threads" in text and "--early_stopping_patience" in text
    assert main(["train", "--help-all"]) == 0
    assert "--gradient_checkpointing" in capsys.readouterr().out


def test_early_stopping_is_announced(caplog):
    """RunReporter's table marks each new best; `early_stopping_result` says when, why and at which best epoch early
    stopping ended the run, and only when it ended it before the last step."""
    import logging
    from types import SimpleNamespace

    from transformers import EarlyStoppingCallback

    from training.progress import RunReporter, early_stopping_result

    early = EarlyStoppingCallback(early_stopping_patience=2)
    reporter = RunReporter(show_bar=False)
    reporter.active = True
    state = SimpleNamespace(is_world_process_zero=True, epoch=0.0, log_history=[], global_step=0, max_steps=100)
    with caplog.at_level(logging.INFO, logger="training.train"):
        for epoch, f1, counter in [(1, 0.5, 0), (2, 0.6, 0), (3, 0.55, 1), (4, 0.58, 2)]:
            state.epoch, state.global_step = float(epoch), 10 * epoch
            early.early_stopping_patience_counter = counter
            metrics = {"eval_loss": 0.5, "eval_precision": f1, "eval_recall": f1, "eval_f1": f1}
            reporter.on_log(None, state, None, logs={"loss": 1.0 / epoch})
            reporter.on_evaluate(None, state, None, metrics=metrics)
            state.log_history += [{"loss": 1.0 / epoch, "epoch": float(epoch)}, {**metrics, "epoch": float(epoch)}]
        result = early_stopping_result(early, state)
    rows = [r.message for r in caplog.records if r.message.split()[:1] in (["1"], ["2"], ["3"], ["4"])]
    assert [r.endswith("*") for r in rows] == [True, True, False, False]
    assert (
        "early stopping after epoch 4: validation strict F1 has not improved on 0.6000 (epoch 2) for 2 "
        "evaluations" in caplog.text
    )
    assert result == {"epoch": 4.0, "patience": 2, "best_epoch": 2.0, "best": 0.6}
    state.global_step = state.max_steps  # patience used up by the last evaluation: the run ended anyway
    assert early_stopping_result(early, state) is None
