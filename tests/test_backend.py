"""`vner serve` without a Label Studio: the protocol as Label Studio speaks it (through Starlette's test client),
task scores that rank by uncertainty, the model modes of `combine`, and the held-out split of training runs.
The backend inside a real Label Studio (connect, retrieve predictions, learn from annotations) is in
tests/test_backend_studio.py."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from annotation.errors import VnerError
from annotation.preannotate import combine_proposals, make_preannotator, set_model_mode
from annotation.regions import parse_regions
from annotation.schema import labeling_config_xml
from annotation.spans import Proposal, Span
from annotation.tasks import UNSURE, make_task, task_score
from annotation.text import load_documents
from annotation.unit import Sentence, units_at
from vner.backend import Backend, ServeConfig, create_app, heldout_keys

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "001_18e3242f10aed1ec.txt"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    backend = Backend(ServeConfig(workdir=str(tmp_path_factory.mktemp("serve")), train_every=0))
    with TestClient(create_app(backend)) as client:
        yield client


@pytest.fixture(scope="module")
def vner_tasks():
    units = units_at(load_documents([SEED])[0].paragraphs, "sentence")
    return [{"id": 100 + i, "data": make_task(u)["data"]} for i, u in enumerate(units[:4])]


def test_health_and_setup_speak_label_studio(app):
    health = app.get("/health").json()
    assert health["status"] == "UP" and health["model_version"] == "vner:rules@1.1+dates@1.1"
    setup = app.post(
        "/setup",
        json={
            "project": "3.1700000000",
            "schema": labeling_config_xml(),
            "hostname": "http://127.0.0.1:1",
            "access_token": "f" * 40,
        },
    )
    assert setup.status_code == 200 and setup.json() == {"model_version": "vner:rules@1.1+dates@1.1"}
    other = (
        '<View><Labels name="ner" toName="text"><Label value="PER"/></Labels><Text name="text" value="$text"/></View>'
    )
    refused = app.post("/setup", json={"project": "3.1700000000", "schema": other})
    assert refused.status_code == 400 and "vner config" in refused.json()["error"]
    misc = labeling_config_xml(("PER", "MISC"))
    assert "MISC" in app.post("/setup", json={"project": "3.1", "schema": misc}).json()["error"]
    json_type = {"content-type": "application/json"}
    assert app.post("/predict", content=b"not json", headers=json_type).status_code == 400
    for other in ("text/plain", "application/x-www-form-urlencoded", None):  # what a web page may post cross-origin
        headers = {"content-type": other} if other else {}
        res = app.post(
            "/setup", content=b'{"project": "3.1", "hostname": "http://x", "access_token": "t"}', headers=headers
        )
        assert res.status_code == 415 and "application/json" in res.json()["error"]


def test_predict_gives_one_item_per_task_in_order(app, vner_tasks):
    nfd = unicodedata.normalize("NFD", "Ông Nguyễn Văn An đến Hà Nội ngày 2/9.")
    tasks = [
        vner_tasks[0],
        {"id": 7, "data": {"text": "Nó chạy rất nhanh và nhảy rất cao ."}},  # no entity
        {"id": 8, "data": {"text": nfd}},  # plain text, decomposed: segmented on the fly, offsets into the stored text
        {"id": 9, "data": {"image": "x.png"}},  # not a text task
        vner_tasks[1],
        {"id": 10, "data": {**vner_tasks[2]["data"], "text": vner_tasks[2]["data"]["text"] + " Thêm."}},  # edited
    ]
    res = app.post("/predict", json={"tasks": tasks, "project": "3.1700000000", "label_config": labeling_config_xml()})
    assert res.status_code == 200
    items = res.json()["results"]
    assert len(items) == len(tasks)
    assert all(it["model_version"] == "vner:rules@1.1+dates@1.1" for it in items)
    # vner tasks: exactly the regions `vner preannotate` writes for them
    expected = make_task(
        units_at(load_documents([SEED])[0].paragraphs, "sentence")[0], [("v", Proposal(*_rules_dates(vner_tasks[0])))]
    )["predictions"][0]
    assert items[0]["result"] == expected["result"] and items[0]["score"] == expected["score"]
    assert items[1]["result"] == [] and items[1]["score"] == UNSURE  # empty, never missing, and not "sure"
    got = {(r["value"]["text"], r["value"]["labels"][0]) for r in items[2]["result"]}
    nfd_of = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    assert (nfd_of("Hà Nội"), "LOC") in got and (nfd_of("ngày 2/9"), "DATE") in got
    assert not parse_regions(items[2]["result"], nfd).problems  # offsets and text match the stored NFD text
    assert items[3]["result"] == []
    assert items[4]["result"] and items[5]["result"]
    for task, item in zip(tasks, items):
        if "text" in task["data"]:
            assert not parse_regions(item["result"], task["data"]["text"]).problems


def _rules_dates(task):
    from annotation.export import read_task
    from annotation.preannotate import annotate_units

    found = annotate_units([read_task(task).unit], [make_preannotator("rules"), make_preannotator("dates")])[0]
    return found.spans, found.word_confidence


def test_webhook_counts_events_and_never_trains_without_being_asked(app):
    for action in ("ANNOTATION_CREATED", "ANNOTATION_UPDATED"):
        res = app.post("/webhook", json={"action": action, "project": {"id": 3}, "annotation": {"id": 1}})
        assert res.status_code == 200 and res.json()["status"] == "counted"
    res = app.post(
        "/webhook", json={"action": "ANNOTATIONS_DELETED", "project": {"id": 3}, "annotations": [{"id": 1}, {"id": 2}]}
    )
    assert res.json()["events"] == 4
    assert app.post("/webhook", json={"action": "PROJECT_UPDATED", "project": {"id": 3}}).json()["status"] == "ignored"
    health = app.get("/health").json()["training"]
    assert health["events_since_last_run"] == {"3": 4} and not health["running"] and health["runs"] == 0


# ---------------------------------------------------------------------------------------------- scores


class Fixed:
    """A pre-annotator with fixed spans (and, as a model does, a confidence for every word)."""

    def __init__(self, name, spans, confidence=None):
        self.name, self.version, self._spans, self._conf = name, "1", spans, confidence

    def annotate(self, sentences):
        return [list(self._spans) for _ in sentences]

    def propose(self, sentences):
        return [Proposal(list(self._spans), tuple(self._conf or ())) for _ in sentences]


SENT = Sentence("d", 0, "Bà Lan đến Huế", ((0, 2), (3, 6), (7, 10), (11, 14)))


def test_task_score_ranks_by_the_least_sure_word_o_included():
    # a model sure of its entity but unsure whether `đến` is O: the task is as unsure as that word
    model = Fixed("model", [Span(3, 6, "PER", 0.97)], [0.99, 0.97, 0.41, 0.9])
    found = combine_proposals([model], [SENT])[0]
    assert found.word_confidence == (0.99, 0.97, 0.41, 0.9)
    assert task_score(found.spans, found.word_confidence) == 0.41
    # span-only annotators: the least sure region; nothing proposed is UNSURE, not sure
    assert task_score([Span(0, 2, "PER", 0.85), Span(3, 5, "LOC", 0.7)]) == 0.7
    assert task_score([]) == UNSURE < 1.0
    # rules + model: the merged confidence of a word is the least sure thing said about it
    rules = Fixed("rules", [Span(11, 14, "LOC", 0.6)])
    merged = combine_proposals([model, rules], [SENT])[0]
    assert merged.word_confidence == (0.99, 0.97, 0.41, 0.6)
    assert combine_proposals([rules], [SENT])[0].word_confidence == ()


def test_model_modes_let_the_rules_win():
    model = Fixed("model", [Span(3, 14, "ORG", 0.7), Span(0, 2, "PER", 0.95)])
    rules = Fixed("rules", [Span(11, 14, "LOC", 0.8)])

    def run(mode):
        m = set_model_mode(Fixed(model.name, model._spans), mode)
        return [(s.start, s.end, s.label) for s in combine_proposals([m, rules], [SENT])[0].spans], m.version

    assert run("override") == ([(0, 2, "PER"), (3, 14, "ORG")], "1")  # the model wins every overlap
    assert run("fill-gaps") == ([(0, 2, "PER"), (11, 14, "LOC")], "1~fill-gaps")  # only where the rules say nothing
    assert run("threshold:0.9") == ([(0, 2, "PER"), (11, 14, "LOC")], "1~threshold0.9")  # 0.7 < 0.9 yields
    assert run("threshold:0.5")[0] == [(0, 2, "PER"), (3, 14, "ORG")]
    for bad in ("threshold:2", "sometimes"):
        with pytest.raises(VnerError):
            set_model_mode(Fixed("model", []), bad)


def test_heldout_split_is_stable_as_the_project_grows():
    keys = [f"doc:{i}:abc" for i in range(200)]
    held = heldout_keys(keys[:100], 0.2)
    assert 5 < len(held) < 40
    assert heldout_keys(keys, 0.2) & set(keys[:100]) == held  # a held-out task stays held out
    assert len(heldout_keys(keys[:2], 0.2)) == 1 and heldout_keys(keys[:1], 0.2) == set()


def test_a_failed_run_leaves_the_serving_stack_and_the_next_event_retries(tmp_path):
    from annotation.studio.server import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the pull fails after its retries
    backend = Backend(ServeConfig(workdir=str(tmp_path), train_every=2, url=dead, api_key="k" * 40))
    with TestClient(create_app(backend)) as client:
        for _ in range(2):
            client.post("/webhook", json={"action": "ANNOTATION_CREATED", "project": {"id": 5}})
        backend.wait_for_training(120)
        health = client.get("/health").json()
        assert health["model_version"] == "vner:rules@1.1+dates@1.1"  # untouched
        assert health["training"]["events_since_last_run"] == {"5": 2}  # not consumed: the next event retries
        runs = client.get("/runs").json()["runs"]
        assert [r["status"] for r in runs] == ["failed"] and dead in runs[0]["reason"]
        assert "k" * 40 not in (tmp_path / "runs" / "0001" / "run.json").read_text()
        client.post("/webhook", json={"action": "ANNOTATION_UPDATED", "project": {"id": 5}})
        backend.wait_for_training(120)
        assert [r["run"] for r in client.get("/runs").json()["runs"]] == ["0001", "0002"]


# ---------------------------------------------------------------------------------------------- trust, evidence, state

SECRET = "s" * 40


def test_the_configured_token_never_goes_to_a_host_setup_names_off_this_machine(tmp_path, caplog):
    backend = Backend(ServeConfig(workdir=str(tmp_path), train_every=0, api_key=SECRET))
    with TestClient(create_app(backend)) as client:
        for pid, host in ((1, "http://attacker.example"), (2, "http://127.0.0.1:8080/"), (3, "http://[::1]:8080")):
            res = client.post("/setup", json={"project": f"{pid}.1", "hostname": host, "access_token": "from-setup"})
            assert res.status_code == 200
    with pytest.raises(VnerError, match=r"attacker\.example.*not on this machine.*--url"):
        backend._client(1)
    warned = [r.getMessage() for r in caplog.records if "attacker.example" in r.getMessage()]
    assert len(warned) == 1 and "--url" in warned[0] and SECRET not in caplog.text
    local = backend._client(2)  # Label Studio on this machine: the configured token may go there
    assert (local.url, local._key) == ("http://127.0.0.1:8080", SECRET)
    assert backend._client(3).url == "http://[::1]:8080"
    # --url is the user's choice: used whatever /setup said, with the /setup token only for that same host
    chosen = Backend(ServeConfig(workdir=str(tmp_path / "b"), train_every=0, url="http://attacker.example/"))
    chosen.setup({"project": "1.1", "hostname": "http://attacker.example", "access_token": "from-setup"})
    assert (chosen._client(1).url, chosen._client(1)._key) == ("http://attacker.example", "from-setup")


def test_a_host_other_than_loopback_is_served_with_a_warning(tmp_path, monkeypatch, caplog):
    import uvicorn

    from vner.backend import serve

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    for host, warned in (("127.0.0.1", False), ("localhost", False), ("0.0.0.0", True)):
        caplog.clear()
        serve(ServeConfig(workdir=str(tmp_path), train_every=0), host=host)
        lines = [r.getMessage() for r in caplog.records if "no authentication" in r.getMessage()]
        assert len(lines) == warned and all("\n" not in line and host in line for line in lines)


def test_heldout_must_hold_something_out_and_leave_something_to_train_on(tmp_path, capsys):
    from vner.cli import main

    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(VnerError, match=r"--heldout .*strictly between 0 and 1"):
            ServeConfig(heldout=bad)
    with pytest.raises(VnerError, match="--train-every -1"):
        ServeConfig(train_every=-1)
    assert main(["serve", "--heldout", "0", "--workdir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--heldout 0: give a share strictly between 0 and 1" in err and len(err.splitlines()) == 1


class EveryWord:
    """A candidate model that marks every word PER: many false positives."""

    name, version = "model", "every-word"

    def annotate(self, sentences):
        return [[Span(s, e, "PER", 0.9) for s, e in sent.word_spans] for sent in sentences]


class Gold:
    """A candidate model that marks exactly the gold entities of `_run_tasks`."""

    name, version = "model", "gold"

    def annotate(self, sentences):
        out = []
        for sent in sentences:
            words = [sent.text[s:e] for s, e in sent.word_spans]
            out.append(
                [Span(*sent.word_spans[i], "PER") for i, w in enumerate(words) if w in NAMES]
                + [Span(*sent.word_spans[i], "LOC") for i, w in enumerate(words) if w == "Huế"]
            )
        return out


NAMES = ("Lan", "Minh", "Hùng", "Mai", "Tuấn", "Hoa", "Nam", "Thảo")


def _run_tasks(heldout_kind: str) -> list[dict]:
    """Annotated tasks `Bà X đến Huế .` (PER, LOC); the held-out ones (as `heldout_keys` picks them) annotated
    as `heldout_kind` says: `gold`, `spoiled` (overlapping regions: left out of the comparison) or `empty` (no
    entity)."""
    from tests.exports import annotation, find, task, unit

    tasks = []
    for i, name in enumerate(NAMES):
        text = f"Bà {name} đến Huế ."
        tasks.append(task(unit(text, doc_id=f"d{i}"), 10 + i))
    held = heldout_keys([t["data"]["task_key"] for t in tasks], 0.5)
    assert 0 < len(held) < len(tasks)
    for t in tasks:
        text = t["data"]["text"]
        spans = [find(text, text.split()[1], "PER"), find(text, "Huế", "LOC")]
        kind = heldout_kind if t["data"]["task_key"] in held else "gold"
        if kind == "spoiled":
            spans = [find(text, f"Bà {text.split()[1]}", "PER"), find(text, text.split()[1], "LOC")]
        elif kind == "empty":
            spans = []
        t["annotations"] = [annotation(text, spans, ann_id=t["id"])]
    return tasks


def _one_run(tmp_path, monkeypatch, heldout_kind: str, model) -> tuple[Backend, dict]:
    """One training run of a backend (rules + dates) with the pull, `vner train` and the model load faked: the
    candidate is `model`."""
    import annotation.studio.client as studio_client
    import vner.backend as vb

    backend = Backend(
        ServeConfig(workdir=str(tmp_path), train_every=0, heldout=0.5, url="http://127.0.0.1:1", api_key=SECRET)
    )
    tasks = _run_tasks(heldout_kind)
    monkeypatch.setattr(studio_client, "pull_tasks", lambda client, pid, progress: tasks)

    def train(self, cmd, log_file):
        out = Path(cmd[cmd.index("--output_dir") + 1])
        out.mkdir(parents=True)
        (out / "model.safetensors").write_text("weights")

    monkeypatch.setattr(Backend, "_train_subprocess", train)
    monkeypatch.setattr(vb, "_load_stack", lambda specs, cfg: [model])
    backend._run_training(7, "test")
    return backend, backend.runs()[-1]


@pytest.mark.parametrize("kind", ["spoiled", "empty"])
def test_a_run_without_evidence_keeps_the_serving_model(tmp_path, monkeypatch, kind):
    backend, run = _one_run(tmp_path, monkeypatch, kind, EveryWord())
    assert run["status"] == "kept" and run["reason"].startswith("no evidence, serving model kept")
    assert ("could be compared" if kind == "spoiled" else "mark no entity") in run["reason"]
    assert backend.model_version == "vner:rules@1.1+dates@1.1" and not (tmp_path / "serving.json").exists()
    assert not (tmp_path / "models" / "run-0001").exists()  # the rejected candidate's weights are gone
    record = json.loads((tmp_path / "runs" / "0001" / "run.json").read_text(encoding="utf-8"))
    assert record["reason"] == run["reason"]
    if kind == "spoiled":
        assert record["heldout"]["candidate"]["tasks_compared"] == 0 and record["heldout"]["candidate"]["issues"]
    else:
        assert (
            record["heldout"]["candidate"]["predicted_entities"] > 0 == record["heldout"]["candidate"]["gold_entities"]
        )


@pytest.mark.parametrize("better", [False, True])
def test_a_run_with_evidence_switches_only_if_not_worse(tmp_path, monkeypatch, better):
    backend, run = _one_run(tmp_path, monkeypatch, "gold", Gold() if better else EveryWord())
    if not better:
        assert run["status"] == "kept" and run["reason"].startswith("candidate worse: strict F1")
        assert backend.model_version == "vner:rules@1.1+dates@1.1"
        return
    assert run["status"] == "switched" and backend.model_version == "vner:model@gold+rules@1.1+dates@1.1"
    state = json.loads((tmp_path / "serving.json").read_text(encoding="utf-8"))
    assert state["model_version"] == backend.model_version
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, renamed into place


def test_a_truncated_summary_line_is_skipped_and_the_next_run_appends_after_it(tmp_path, monkeypatch, caplog):
    runs = tmp_path / "runs"
    for name in ("0001", "0002"):
        (runs / name).mkdir(parents=True)
    (runs / "summary.jsonl").write_text('{"run": "0001", "status": "kept"}\n{"run": "0002", "sta', encoding="utf-8")
    backend = Backend(ServeConfig(workdir=str(tmp_path), train_every=0))

    def no_server(self, pid):
        raise VnerError("no Label Studio here")

    monkeypatch.setattr(Backend, "_client", no_server)
    with TestClient(create_app(backend)) as client:
        res = client.get("/health")
        assert res.status_code == 200 and res.json()["training"]["runs"] == 1
        assert "summary.jsonl line 2 is not a JSON object" in caplog.text
        backend._run_training(7, "test")  # a failed run: its line must not be glued to the cut one
        runs_seen = client.get("/runs").json()["runs"]
        assert [(r["run"], r["status"]) for r in runs_seen] == [("0001", "kept"), ("0003", "failed")]
        assert client.get("/health").json()["training"]["last"]["run"] == "0003"
