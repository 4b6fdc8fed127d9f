"""The live loop against a real Label Studio server (the `studio` fixture in conftest.py): push tasks, correct
them through the API as an annotator would, pull, build the dataset, and check every correction arrived exactly."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from annotation import schema
from annotation.dataset import example_spans
from annotation.errors import VnerError
from annotation.export import load_export
from annotation.regions import parse_regions
from annotation.spans import Span
from annotation.studio import server
from annotation.studio.client import RetryPolicy, StudioClient, push_tasks, read_tasks
from annotation.tasks import make_task
from annotation.text import load_documents
from annotation.unit import units_at
from vner.cli import main

pytestmark = pytest.mark.studio
REPO = Path(__file__).resolve().parent.parent

# Hand-made pre-annotations: (surface form, label); "TTXVN" tagged LOC on purpose (a wrong label to correct).
LEXICON = [
    ("Võ Văn Thưởng", "PER"),
    ("Phạm Thu Hằng", "PER"),
    ("Nhật Bản", "LOC"),
    ("Việt Nam", "LOC"),
    ("TTXVN", "LOC"),
    ("Bộ Ngoại giao", "ORG"),
    ("Quang Hiệu", "PER"),
    ("Nhật", "LOC"),
    ("27/11", "DATE"),
    ("Hà Nội", "LOC"),
]
# A document with an emoji (one code point outside the BMP) and decomposed (NFD) Vietnamese, pre-segmented.
EMOJI_DOC = "Bà Nguyễn_Thị_Lan 😀 đến Hà_Nội ngày 2/9 . Ông Lê_Minh 🇻🇳 gặp Bộ Ngoại_giao .\n"


def _spans(text: str) -> list[Span]:
    found: list[Span] = []
    for form, label in LEXICON:
        for m in re.finditer(re.escape(form), text):
            if not any(s.start < m.end() and m.start() < s.end for s in found):
                found.append(Span(m.start(), m.end(), label, 0.9))
    return sorted(found)


@pytest.fixture(scope="module")
def tasks_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tasks")
    emoji = root / "900_emoji.txt"
    emoji.write_text(unicodedata.normalize("NFD", EMOJI_DOC), encoding="utf-8")
    docs = load_documents(
        [REPO / "seeds" / "000_0b6129e26ca133c0.txt", REPO / "seeds" / "001_18e3242f10aed1ec.txt", emoji]
    )
    tasks = []
    for doc in docs:
        for unit in units_at(doc.paragraphs, "sentence")[:10]:
            tasks.append(make_task(unit, [("hand-v1", _spans(unit.text))]))
    path = root / "tasks.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def _client(studio, **retry) -> StudioClient:
    return StudioClient(studio.url, studio.token, retry=RetryPolicy(**retry) if retry else None)


def _cli(capsys, studio, *args) -> tuple[int, str]:
    code = main(["studio", *args, "--url", studio.url, "--api-key", studio.token])
    out = capsys.readouterr()
    text = out.out + out.err
    assert studio.token not in text
    return code, text


def _project_tasks(client: StudioClient, title: str) -> list[dict]:
    pid = client.project_id(title)
    return [
        t
        for page, _ in client.iter_task_pages(pid, include="id,data,annotations,predictions", page_size=100)
        for t in page
    ]


def _region(text: str, start: int, end: int, label: str, rid: str) -> dict:
    return {
        "id": rid,
        "from_name": schema.FROM_NAME,
        "to_name": schema.TO_NAME,
        "type": "labels",
        "origin": "manual",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def _dataset_spans_by_task(export_path: Path, tasks: list[dict]) -> dict[str, set]:
    """Spans per task_key (task offsets) rebuilt from the dataset examples of the pulled export."""
    by_sentence = {}
    for t in tasks:
        d = t["data"]
        for k, (s, _e) in enumerate(d["vner"]["sentences"]):
            by_sentence[(d["doc_id"], d["vner"]["first_sentence"] + k)] = (d["task_key"], s)
    out: dict[str, set] = {}
    for ex in load_export(export_path, use_predictions=True).examples:
        key, offset = by_sentence[(ex["doc_id"], ex["sentence_id"])]
        task_text = next(t["data"]["text"] for t in tasks if t["data"]["task_key"] == key)
        assert task_text[offset : offset + len(ex["text"])] == ex["text"]
        out.setdefault(key, set()).update(s.shifted(offset).key for s in example_spans(ex))
    return out


def test_corrections_made_in_label_studio_reach_the_dataset_exactly(studio, tasks_file, tmp_path, capsys):
    code, out = _cli(capsys, studio, "push", str(tasks_file), "--project", "roundtrip", "--batch-size", "7")
    assert code == 0, out
    sent = read_tasks(tasks_file)
    client = _client(studio)
    stored = {t["data"]["task_key"]: t for t in _project_tasks(client, "roundtrip")}
    assert len(stored) == len(sent)
    for t in sent:  # text and full predictions stored as sent: offsets survive the server
        got = stored[t["data"]["task_key"]]
        assert got["data"] == t["data"]
        assert got["predictions"][0]["result"] == t["predictions"][0]["result"]

    expected = {
        t["data"]["task_key"]: {s.key for s in parse_regions(t["predictions"][0]["result"], t["data"]["text"]).spans}
        for t in sent
    }

    def pick(snippet):
        return next(t for t in sent if snippet in t["data"]["text"] and t["data"]["task_key"] not in edits)

    edits: dict[str, str] = {}
    edits[pick("theo TTXVN")["data"]["task_key"]] = "relabel"
    edits[pick("Phạm Quang Hiệu")["data"]["task_key"]] = "boundary"
    edits[pick("người Nhật tin yêu")["data"]["task_key"]] = "delete"
    edits[pick("Đại học Waseda")["data"]["task_key"]] = "add"
    edits[pick("Việt Nam - Nhật Bản thiết lập")["data"]["task_key"]] = "cancel"
    edits[pick("😀")["data"]["task_key"]] = "emoji"
    assert any("🇻🇳" in t["data"]["text"] and t["data"]["task_key"] not in edits for t in sent)

    for key, kind in edits.items():
        text = stored[key]["data"]["text"]
        regions = stored[key]["predictions"][0]["result"]  # start from the pre-annotation, as the editor does
        spans = {(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in regions}

        def at(form, label, text=text):
            m = text.index(form)
            return (m, m + len(form), label)

        if kind == "relabel":  # TTXVN is a news agency: LOC -> ORG
            spans = {(s, e, "ORG" if text[s:e] == "TTXVN" else lab) for s, e, lab in spans}
        elif kind == "boundary":  # the pre-annotator cut the name short: "Quang Hiệu" -> "Phạm Quang Hiệu"
            spans = (spans - {at("Quang Hiệu", "PER")}) | {at("Phạm Quang Hiệu", "PER")}
        elif kind == "delete":  # "người Nhật" is a nationality, not a location
            spans = spans - {at("Nhật", "LOC")}
        elif kind == "add":  # entities the pre-annotator missed
            spans = spans | {at("Trần Văn Thọ", "PER"), at("Đại học Waseda", "ORG")}
        elif kind == "emoji":  # entities around an emoji (1 code point, 2 UTF-16 units); the text arrived NFC
            assert text == unicodedata.normalize("NFC", text) and at("Hà Nội", "LOC") in spans
            spans = spans | {at("Nguyễn Thị Lan", "PER"), at("2/9", "DATE")}
            assert text.index("😀") < text.index("2/9")
        result = [_region(text, s, e, lab, f"r{i}") for i, (s, e, lab) in enumerate(sorted(spans))]
        client.call(
            "annotating",
            client.sdk.annotations.create,
            stored[key]["id"],
            result=[] if kind == "cancel" else result,
            was_cancelled=kind == "cancel",
            lead_time=1.0,
        )
        expected[key] = None if kind == "cancel" else set(spans)

    export = tmp_path / "export.json"
    code, out = _cli(capsys, studio, "pull", "--project", "roundtrip", "-o", str(export))
    assert code == 0, out
    pulled = json.loads(export.read_text(encoding="utf-8"))
    assert len(pulled) == len(sent)
    assert all(isinstance(p, dict) and p["result"] for t in pulled for p in t["predictions"])  # full, not ids
    got = _dataset_spans_by_task(export, sent)
    for key, spans in expected.items():
        if spans is None:
            assert key not in got, "a cancelled task must not reach the dataset"
        else:
            assert got.get(key, set()) == spans, (edits.get(key, "untouched"), key)
    assert studio.token not in export.read_text(encoding="utf-8")


def test_push_twice_and_interrupted_push_end_with_each_task_once(studio, tasks_file, tmp_path, capsys):
    tasks = read_tasks(tasks_file)
    partial = tmp_path / "first_batch.json"  # what an interrupted push had imported: the first batch only
    partial.write_text(json.dumps(tasks[:5], ensure_ascii=False), encoding="utf-8")
    code, out = _cli(capsys, studio, "push", str(partial), "--project", "twice", "--batch-size", "5")
    assert code == 0 and "imported 5 tasks" in out, out
    for _ in range(2):  # the re-run, then a plain repeat
        code, out = _cli(capsys, studio, "push", str(tasks_file), "--project", "twice", "--batch-size", "4")
        assert code == 0, out
    assert "imported 0 tasks" in out
    keys = [t["data"]["task_key"] for t in _project_tasks(_client(studio), "twice")]
    assert sorted(keys) == sorted(t["data"]["task_key"] for t in tasks)


def test_wrong_or_missing_token_says_which_setting_to_fix(studio, tasks_file, capsys, monkeypatch):
    wrong = "0123456789abcdef0123456789abcdef01234567"
    code = main(["studio", "push", str(tasks_file), "--project", "denied", "--url", studio.url, "--api-key", wrong])
    err = capsys.readouterr().err
    assert code == 2 and "rejected the API token" in err and "LABEL_STUDIO_API_KEY" in err and "--api-key" in err
    assert wrong not in err and "Traceback" not in err
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("VNER_STUDIO_HOME", str(tasks_file.parent / "no-studio"))
    code = main(["studio", "pull", "--project", "denied", "-o", str(tasks_file.parent / "x.json"), "--url", studio.url])
    err = capsys.readouterr().err
    assert code == 2 and "no API token" in err and "LABEL_STUDIO_API_KEY" in err


def test_server_down_is_a_clear_error_after_backoff(studio):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    down = StudioClient(f"http://127.0.0.1:{port}", studio.token, retry=RetryPolicy(attempts=3, initial_delay=0.01))
    with pytest.raises(VnerError) as err:
        push_tasks(down, [{"data": {"text": "x", "task_key": "k"}}], "down", progress=False)
    msg = str(err.value)
    assert f"127.0.0.1:{port}" in msg and "after 3 tries" in msg and "--url" in msg and studio.token not in msg


def test_project_with_labels_outside_the_schema_is_refused(studio, tasks_file):
    client = _client(studio)
    foreign = schema.labeling_config_xml(schema.ENTITY_TYPES + ("MISC",))
    client.call("creating a foreign project", client.sdk.projects.create, title="foreign", label_config=foreign)
    with pytest.raises(VnerError, match=r"MISC.*not in the vner schema"):
        push_tasks(client, read_tasks(tasks_file), "foreign", progress=False)
    page = client.call("listing projects", client.sdk.projects.list, title="foreign", page_size=10)
    foreign_id = next(p.id for p in page.items if p.title == "foreign")
    assert not [t for p, _ in client.iter_task_pages(foreign_id, include="id", page_size=10) for t in p]


def test_push_killed_midway_then_rerun_imports_each_task_once(studio, tasks_file):
    """A real interruption: SIGKILL the push process once the server holds some tasks, then push again."""
    env = {**os.environ, "LABEL_STUDIO_URL": studio.url, "LABEL_STUDIO_API_KEY": studio.token}
    cmd = [sys.executable, "-m", "vner", "studio", "push", str(tasks_file), "--project", "killed", "--batch-size", "1"]
    client = _client(studio)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                break
            try:
                if _project_tasks(client, "killed"):
                    break
            except VnerError:
                pass  # the project does not exist yet
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0
    keys = [t["data"]["task_key"] for t in _project_tasks(client, "killed")]
    assert sorted(keys) == sorted(t["data"]["task_key"] for t in read_tasks(tasks_file))


def test_busy_port_is_refused_instead_of_moving(studio, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        with pytest.raises(VnerError, match=f"port {busy} .* busy"):
            server.launch(
                server.studio_home(REPO / ".studio"),
                tmp_path / "data",
                token=server.new_token(),
                password="x",
                port=busy,
                log_file=tmp_path / "log",
                progress=False,
            )


def test_token_is_in_no_log_or_output_file(studio, tmp_path_factory):
    """Runs last: everything the session wrote (server log, exports, task files) is free of the token."""
    root = Path(tmp_path_factory.getbasetemp())
    leaked = []
    for path in root.rglob("*"):
        if path.is_file() and studio.data_dir not in path.parents and path.stat().st_size < 50_000_000:
            if studio.token.encode() in path.read_bytes():
                leaked.append(path)
    assert studio.log_file.exists() and not leaked


def test_push_refuses_a_prediction_outside_the_schema_before_contacting_the_server(tmp_path):
    task = make_task(
        next(iter(units_at(load_documents([REPO / "seeds" / "000_0b6129e26ca133c0.txt"])[0].paragraphs, "sentence"))),
        [("hand-v1", [Span(0, 3, "PER")])],
    )
    task["predictions"][0]["result"][0]["value"]["labels"] = ["MISC"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(VnerError, match=r"task #0 .*label 'MISC', not in the schema"):
        read_tasks(path)
    task["predictions"][0]["result"][0]["value"].update(labels=["PER"], end=4)  # text no longer matches
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(VnerError, match="says .Chủ. but the text there is .Chủ ."):
        read_tasks(path)


def test_a_server_that_dies_on_start_is_reported_with_its_log(studio, tmp_path):
    home = server.studio_home(REPO / ".studio")
    data = server.prepare_data_dir(home, tmp_path / "data", progress=False)
    (data / "label_studio.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(VnerError) as err:
        server.launch(
            home, data, token=server.new_token(), password="x" * 12, log_file=tmp_path / "server.log", progress=False
        )
    msg = str(err.value)
    assert "exited" in msg and str(tmp_path / "server.log") in msg and "database" in msg.lower()


def test_push_sets_up_a_new_project_for_annotators_and_an_existing_one_only_when_asked(studio, tasks_file, capsys):
    from annotation.instructions import instructions_html
    from annotation.studio.client import VIEW_COLUMNS, VIEW_ORDERING, VIEW_TITLE

    client = _client(studio)
    code, out = _cli(capsys, studio, "push", str(tasks_file), "--project", "setup-new")
    assert code == 0 and f"view '{VIEW_TITLE}'" in out
    pid = client.project_id("setup-new")
    (view,) = client.sdk.views.list(project=pid)
    hidden = view.data["hiddenColumns"]["explore"]
    assert {"tasks:data.vner", "tasks:data.task_key", "tasks:data.unit", "tasks:data.doc_id"} <= set(hidden)
    assert not set(VIEW_COLUMNS["explore"]) & set(hidden) and view.data["ordering"] == VIEW_ORDERING
    project = client.sdk.projects.get(pid)
    assert project.show_instruction and "Summary for annotators" not in project.expert_instruction
    assert "Fumio Kishida" in project.expert_instruction and len(project.expert_instruction) > 1000
    assert 'class="vner-instructions"' in project.expert_instruction and "<table>" in instructions_html()

    # an existing project (made by hand, with a view of its own) is left alone unless asked
    other = client.sdk.projects.create(title="setup-old", label_config=schema.labeling_config_xml())
    mine = client.sdk.views.create(project=other.id, data={"title": "Mine", "hiddenColumns": {"explore": []}})
    code, out = _cli(capsys, studio, "push", str(tasks_file), "--project", "setup-old")
    assert code == 0 and "view '" not in out
    assert [v.id for v in client.sdk.views.list(project=other.id)] == [mine.id]
    assert not client.sdk.projects.get(other.id).expert_instruction
    for _ in range(2):  # asked twice: one vner view, first; the user's view kept
        code, out = _cli(capsys, studio, "push", str(tasks_file), "--project", "setup-old", "--setup-project")
        assert code == 0 and "imported 0 tasks" in out and f"view '{VIEW_TITLE}'" in out
    views = client.sdk.views.list(project=other.id)
    assert [v.data["title"] for v in views] == [VIEW_TITLE, "Mine"]
    assert client.sdk.projects.get(other.id).show_instruction


def test_a_request_that_landed_before_failing_is_not_sent_again():
    """`send_once` (task imports, prediction refreshes): after a transient failure it re-lists what the server
    holds and sends only what is still missing, so a retry never duplicates a task or a prediction."""
    import httpx

    client = StudioClient("http://127.0.0.1:9", "token", retry=RetryPolicy(attempts=3, initial_delay=0.0))
    server: set[str] = set()
    known: set[str] = set()
    sent: list[list[str]] = []

    def send(todo):
        sent.append(list(todo))
        server.update(todo[:2])  # the first two land, then the connection drops
        if len(sent) == 1:
            raise httpx.ReadTimeout("timed out")

    out = client.send_once(
        "importing", lambda: [k for k in "abc" if k not in known], send, lambda: known.update(server)
    )
    assert sent == [["a", "b", "c"], ["c"]] and out == ["c"]


def test_a_send_that_keeps_failing_gives_up_after_its_tries_without_retrying_the_error(monkeypatch):
    """The last failed try of `send_once` is the error itself (as `call` words it), not one more round of retries."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    from annotation.studio import client as studio_client

    sleeps: list[float] = []
    monkeypatch.setattr(studio_client.time, "sleep", sleeps.append)
    token = "t" * 40
    client = StudioClient("http://127.0.0.1:9", token, retry=RetryPolicy(attempts=3, initial_delay=0.25))
    for failure, expected, tries in (
        (httpx.ConnectError(f"refused, token {token}"), "unreachable or failing .* after 3 tries while importing", 3),
        (ApiError(status_code=503, body="busy"), r"\(HTTP 503\) after 3 tries", 3),
        (ApiError(status_code=400, body={"detail": "bad task"}), r"importing failed \(HTTP 400\): .*bad task", 1),
        (ApiError(status_code=401, body="no"), "rejected the API token", 1),
    ):
        sends, relists = [], []
        sleeps.clear()

        def send(todo, failure=failure, sends=sends):
            sends.append(todo)
            raise failure

        with pytest.raises(VnerError, match=expected) as err:
            client.send_once("importing", lambda: ["a"], send, lambda relists=relists: relists.append(1))
        assert token not in str(err.value) and "\n" not in str(err.value)
        assert len(sends) == tries and len(relists) == tries - 1
        assert sleeps == [0.25, 0.5][: tries - 1]  # backoff between tries only, none after the last


class _Recorder:
    """A plain HTTP server on 127.0.0.1 recording each request (path, Authorization header); it answers
    `{"status": "UP"}`, or 502 as a proxy that must not be used."""

    def __init__(self, status: int):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append((self.path, self.headers.get("Authorization")))
                body = b'{"status": "UP"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_proxy_in_the_environment_never_sees_requests_to_a_local_server(monkeypatch):
    studio, proxy = _Recorder(200), _Recorder(502)
    try:
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        assert server.health(studio.url)
        client = StudioClient(studio.url, "t" * 40, retry=RetryPolicy(attempts=1))
        assert client.request("reading the version", "GET", "api/version") == {"status": "UP"}
        assert proxy.seen == [] and studio.seen == [("/health", None), ("/api/version", "Token " + "t" * 40)]
    finally:
        studio.close()
        proxy.close()


def _fake_install(home: Path) -> Path:
    """A stand-in for `home`'s label-studio: a script that sleeps (its path is on its command line, as the real
    one's is under its interpreter)."""
    exe = server.label_studio_bin(home)
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nsleep 60\n")
    exe.chmod(0o755)
    return exe


def _record(home: Path, pid: int, url: str = "http://127.0.0.1:9") -> None:
    info = server.ServerInfo(pid, 9, url, str(home / "data"), str(home / "log"), "u", "t", "p", 0.0)
    server.state_file(home).write_text(info.to_json())


def test_a_stale_server_record_is_never_trusted_nor_its_pid_stopped(tmp_path, caplog):
    """After a reboot the recorded pid may run another program: `status` and `start` must not take it for the
    server, and `stop` must not signal it. The record is removed, with one line saying so."""
    home = server.studio_home(tmp_path / ".studio")
    _fake_install(home)
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)  # an unrelated process group
    try:
        _record(home, other.pid)
        assert server.stop(home) is None
        assert other.poll() is None  # not signalled
        assert not server.state_file(home).exists()
        (line,) = [r.getMessage() for r in caplog.records if "stale" in r.getMessage()]
        assert str(other.pid) in line and "removed" in line
        _record(home, other.pid)
        assert server.running_server(home) is None and not server.state_file(home).exists()
    finally:
        other.kill()
        other.wait()
    dead = subprocess.Popen(["true"])
    dead.wait()
    _record(home, dead.pid)  # a pid that no longer runs: stale too
    assert server.running_server(home) is None and not server.state_file(home).exists()


def test_a_server_record_whose_pid_runs_this_install_is_trusted_and_stopped(tmp_path):
    home = server.studio_home(tmp_path / ".studio")
    exe = _fake_install(home)
    proc = subprocess.Popen([str(exe)], start_new_session=True)
    try:
        for _ in range(100):  # until the shell runs the script (its command line names it)
            if str(exe).encode() in Path(f"/proc/{proc.pid}/cmdline").read_bytes():
                break
            time.sleep(0.02)
        _record(home, proc.pid)
        assert server.running_server(home).pid == proc.pid
        assert server.stop(home).pid == proc.pid
        assert not server.state_file(home).exists()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_stopping_another_users_process_is_a_one_line_error(monkeypatch):
    def denied(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "killpg", denied)
    monkeypatch.setattr(os, "kill", denied)
    with pytest.raises(VnerError, match="not allowed to stop pid 424242 .*another user"):
        server.stop_pid(424242)
