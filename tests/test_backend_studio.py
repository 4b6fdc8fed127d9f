"""The model in the loop inside a real Label Studio (the `studio` fixture): `vner serve` connected to a project by
`vner studio connect`, predictions retrieved through the Data Manager action, annotations made through the API that
trigger a training run (tiny model, a few seconds) and a new model_version; refreshed pre-annotations on re-push;
the server's data dir readable by its owner only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from annotation.regions import parse_regions
from annotation.studio import server
from annotation.studio.client import StudioClient, push_tasks
from annotation.tasks import UNSURE, make_task
from annotation.text import load_documents
from annotation.unit import units_at
from tests.training_data import tiny_base_model
from vner.cli import main

pytestmark = pytest.mark.studio
REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "001_18e3242f10aed1ec.txt"
RULES = "vner:rules@1.1+dates@1.1"
EMPTY_TEXT = "Nó chạy rất nhanh và nhảy rất cao ."
PLAIN_TEXT = "Bộ trưởng Nguyễn Văn An đến Đà Nẵng ngày 3/5 ."


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read().decode())


@pytest.fixture(scope="module")
def backend(studio, tmp_path_factory):
    """`vner serve` in its own process on a free port: rules + dates, learning after 3 annotation events."""
    base = tiny_base_model(tmp_path_factory.getbasetemp())
    work = tmp_path_factory.mktemp("serve")
    port = server.free_port()
    # no LABEL_STUDIO_URL / _API_KEY: the backend learns both from Label Studio's /setup
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    log_file = work / "serve.log"
    with open(log_file, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vner",
                "serve",
                "--port",
                str(port),
                "--workdir",
                str(work),
                "--base-model",
                base,
                "--train-every",
                "3",
                "--heldout",
                "0.3",
                "--train-args",
                "--num_train_epochs 3 --learning_rate 5e-3 --per_device_train_batch_size 8 "
                "--disable_tqdm true --save_strategy no --eval_strategy no --load_best_model_at_end false",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not server.health(url):
        assert proc.poll() is None and time.monotonic() < deadline, log_file.read_text()
        time.sleep(0.3)
    try:
        yield url, work, log_file
    finally:
        proc.terminate()
        proc.wait(30)


def _tasks() -> list[dict]:
    units = units_at(load_documents([SEED])[0].paragraphs, "sentence")[:8]
    empty = units_at(load_documents([_write_tmp(EMPTY_TEXT)])[0].paragraphs, "sentence")
    return [make_task(u) for u in units + empty]


def _write_tmp(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "950_empty.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _retrieve(client: StudioClient, pid: int) -> dict[int, list[dict]]:
    client.call(
        "retrieving predictions",
        client.sdk.actions.create,
        id="retrieve_tasks_predictions",
        project=pid,
        selected_items={"all": True, "excluded": []},
    )
    return client.predictions_by_task(pid)


def test_backend_predicts_in_label_studio_and_learns_from_annotations(studio, backend, capsys):
    url, work, log_file = backend
    client = StudioClient(studio.url, studio.token)
    tasks = _tasks()
    pid = push_tasks(client, tasks, "backend loop", progress=False).project_id
    client.call(
        "importing a plain task", client.sdk.projects.import_tasks, pid, request=[{"data": {"text": PLAIN_TEXT}}]
    )

    code = main(
        [
            "studio",
            "connect",
            "--project",
            "backend loop",
            "--backend",
            url,
            "--url",
            studio.url,
            "--api-key",
            studio.token,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "connected" in out and RULES in out and studio.token not in out

    # Data Manager > Retrieve Predictions: every task gets exactly one prediction of the backend's version
    stored = {t["id"]: t for page, _ in client.iter_task_pages(pid, include="id,data", page_size=100) for t in page}
    preds = _retrieve(client, pid)
    assert set(preds) == set(stored)
    for tid, items in preds.items():
        assert [p["model_version"] for p in items] == [RULES]
        assert not parse_regions(items[0]["result"], stored[tid]["data"]["text"]).problems
    by_text = {stored[tid]["data"]["text"]: items[0] for tid, items in preds.items()}
    assert by_text[EMPTY_TEXT]["result"] == [] and by_text[EMPTY_TEXT]["score"] == UNSURE
    plain = {(r["value"]["text"], r["value"]["labels"][0]) for r in by_text[PLAIN_TEXT]["result"]}
    assert {("Nguyễn Văn An", "PER"), ("Đà Nẵng", "LOC")} <= plain

    # annotate (accept the pre-annotation, as an annotator would) -> webhooks -> a training run after 3. The tiny
    # model trained on four sentences tags every word O, so model + rules ties the rules on the held-out tasks (strict
    # F1 1.0 both, measured) and the backend switches: not worse. Deterministic: fixed seeds, base and data.
    vner_ids = [tid for tid in sorted(stored) if "vner" in stored[tid]["data"]]
    for tid in vner_ids[:6]:
        client.call("annotating", client.sdk.annotations.create, tid, result=preds[tid][0]["result"], lead_time=1.0)
    deadline = time.monotonic() + 300
    while True:
        health = _get(f"{url}/health")
        if health["training"]["runs"] >= 1 and not health["training"]["running"]:
            break
        assert time.monotonic() < deadline, log_file.read_text()[-3000:]
        time.sleep(1)
    runs = _get(f"{url}/runs")["runs"]
    first = runs[0]
    assert first["status"] == "switched", (first, (work / "runs" / "0001" / "run.json").read_text()[-2000:])
    assert first["annotated_tasks"] >= 3 and first["heldout_tasks"] >= 1 and first["serving_before"] == RULES
    new_version = health["model_version"]
    assert new_version != RULES and new_version.startswith("vner:model@run-0001-") and new_version.endswith(RULES[5:])
    record = json.loads((work / "runs" / "0001" / "run.json").read_text())
    assert record["heldout"]["candidate"]["f1"] >= record["heldout"]["serving"]["f1"]
    assert (work / "runs" / "0001" / "train.log").is_file() and (work / "models" / "run-0001" / "config.json").is_file()

    # Retrieve Predictions again: the new version is added to every task, next to the first one
    preds = _retrieve(client, pid)
    for tid, items in preds.items():
        versions = [p["model_version"] for p in items]
        assert versions[0] == RULES and new_version in versions, (tid, versions)

    # Settings > Model > Start Training (POST /api/ml/{id}/train): a START_TRAINING webhook, a second run
    ml = client.call("listing ML backends", client.sdk.ml.list, project=pid)[0]
    client.call("starting training", client.sdk.ml.train, ml.id)
    deadline = time.monotonic() + 300
    while len(runs := _get(f"{url}/runs")["runs"]) < 2 or _get(f"{url}/health")["training"]["running"]:
        assert time.monotonic() < deadline, log_file.read_text()[-3000:]
        time.sleep(1)
    assert runs[1]["trigger"] == "START_TRAINING" and runs[1]["status"] in ("switched", "kept"), runs[1]
    assert studio.token not in log_file.read_text()


def test_push_adds_new_predictions_to_tasks_already_there(studio, capsys, tmp_path):
    client = StudioClient(studio.url, studio.token)
    units = units_at(load_documents([SEED])[0].paragraphs, "sentence")[:6]
    v1 = [make_task(u, [("v1", [])]) for u in units]
    first = push_tasks(client, v1, "refresh", progress=False)
    pid = first.project_id
    ids = {
        t["data"]["task_key"]: t["id"]
        for page, _ in client.iter_task_pages(pid, include="id,data", page_size=100)
        for t in page
    }
    some = ids[v1[0]["data"]["task_key"]]
    client.call("annotating", client.sdk.annotations.create, some, result=[], lead_time=1.0)

    from annotation.preannotate import annotate_units, make_preannotator

    found = annotate_units(units, [make_preannotator("rules"), make_preannotator("dates")])
    v2 = [make_task(u, [("v2", f)]) for u, f in zip(units, found)]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(v2, ensure_ascii=False), encoding="utf-8")
    for attempt in range(2):  # the second, identical push changes nothing
        code = main(
            ["studio", "push", str(path), "--project", "refresh", "--url", studio.url, "--api-key", studio.token]
        )
        out = capsys.readouterr().out
        assert code == 0 and "imported 0 tasks, 6 already there" in out
        assert ("(6 refreshed with new predictions)" in out) == (attempt == 0), out
    tasks = {
        t["id"]: t
        for page, _ in client.iter_task_pages(pid, include="id,data,annotations", page_size=100)
        for t in page
    }
    assert len(tasks) == 6  # no duplicate task
    preds = client.predictions_by_task(pid)
    for key, tid in ids.items():
        assert [p["model_version"] for p in preds[tid]] == ["v1", "v2"]
        expected = next(t for t in v2 if t["data"]["task_key"] == key)["predictions"][0]
        assert preds[tid][1]["result"] == expected["result"] and preds[tid][1]["score"] == expected["score"]
    export = client.annotated_export(pid)
    assert [t["id"] for t in export] == [some] and len(export[0]["annotations"]) == 1  # annotations untouched


def test_push_order_uncertainty_limit_takes_the_least_sure_tasks_first(studio, capsys, tmp_path):
    units = units_at(load_documents([SEED])[0].paragraphs, "sentence")[:5]
    from annotation.spans import Span

    scores = [0.9, 0.3, None, 0.7, 0.2]  # None: nothing proposed -> UNSURE (0.5)
    tasks = [make_task(u, [("v", [Span(0, 1, "PER", s)] if s is not None else [])]) for u, s in zip(units, scores)]
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    client = StudioClient(studio.url, studio.token)
    pushed = []
    for _ in range(2):
        code = main(
            [
                "studio",
                "push",
                str(path),
                "--project",
                "ordered",
                "--order",
                "uncertainty",
                "--limit",
                "2",
                "--url",
                studio.url,
                "--api-key",
                studio.token,
            ]
        )
        assert code == 0
        pid = client.project_id("ordered")
        keys = [
            t["data"]["task_key"]
            for page, _ in client.iter_task_pages(pid, include="id,data", page_size=100)
            for t in page
        ]
        pushed.append(keys)
    out = capsys.readouterr().out
    want = [tasks[i]["data"]["task_key"] for i in (4, 1, 2, 3)]  # 0.2, 0.3, UNSURE 0.5, 0.7
    assert pushed[0] == want[:2] and pushed[1] == want[:4]
    assert "3 new tasks left for later" in out and "1 new tasks left for later" in out


def test_label_studio_data_dir_is_readable_by_its_owner_only(studio):
    assert stat.S_IMODE(studio.data_dir.stat().st_mode) == 0o700
    databases = list(studio.data_dir.rglob("*.sqlite3"))
    assert databases
    for path in databases:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
