"""`vner serve`: a Label Studio ML backend that pre-annotates with vner's stack and learns from the annotations.

It speaks the protocol Label Studio 1.23 uses (its `ml/api_connector.py`):

    GET  /health    {"status": "UP", "model_version", "training": {...}}      (Label Studio waits 1 s)
    POST /setup     {project, schema, hostname, access_token} -> {"model_version"}       (3 s)
    POST /predict   {tasks, project, label_config, params} -> {"results": [one item per task, in order]}  (100 s)
    POST /webhook   ANNOTATION_CREATED / _UPDATED / _DELETED, ANNOTATIONS_DELETED, START_TRAINING   (1 s)
    GET  /runs      every training run's record (what `runs/summary.jsonl` holds)

Predictions come from the one annotation path (`annotation.preannotate.annotate_units`) and are written by the
one prediction writer (`annotation.tasks.prediction`): tasks vner wrote (`data.vner`) are used as they are,
plain `data.text` tasks are segmented on the fly (`annotation.export.read_task`); a task with no entity gets an
item with an empty result. The stack is the one `vner preannotate` builds (`vner.api.load_preannotators`).

Learning: annotation events are counted; after `train_every` of them (or on START_TRAINING) one training run
starts in a background thread, never inside a request:

    1. pull the project (`annotation.studio.client.pull_tasks`, as `vner studio pull`)
    2. hold out a stable part of the annotated tasks (a hash of their task key: a task once held out stays out)
    3. build the dataset of the other tasks (`load_export`, `build_dataset_dict`, `write_dataset`, as `vner dataset`)
    4. fine-tune from the base model: `vner train` in a subprocess (a crash or a kill cannot touch the server)
    5. score the serving stack and the candidate stack on the held-out tasks (strict IOB2 micro F1,
       `annotation.corrections`, as `vner corrections --preannotators`)
    6. switch only if the candidate is not worse; `model_version` changes at every switch. With nothing to judge
       by (no held-out task could be compared, or their annotations mark no entity) the serving model stays

One run at a time; a failed run leaves the serving model untouched and the next event retries. Every run's
record (counts, arguments, both scores, the decision, the training log) stays under `WORKDIR/runs/`.
The Label Studio token (from `/setup`, `--api-key` or the environment) is kept in memory only, never logged. The
endpoints have no authentication (Label Studio sends none): they accept JSON bodies only (a web page cannot post
one across origins without a preflight, which is never granted), and the configured token goes to --url or to a
Label Studio on this machine only, never to another host a `/setup` request names.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotation.errors import VnerError
from annotation.export import read_task
from annotation.preannotate import Preannotator, annotate_units, model_version
from annotation.schema import ENTITY_TYPES, FROM_NAME, TO_NAME, labels_in_config
from annotation.spans import Proposal
from annotation.studio.server import is_loopback_host, is_loopback_url, write_atomic
from annotation.tasks import prediction

log = logging.getLogger(__name__)

ANNOTATION_EVENTS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATION_DELETED", "ANNOTATIONS_DELETED")
DEFAULT_BASE_MODEL = "vinai/phobert-base"


@dataclass
class ServeConfig:
    """Everything `vner serve` is told (see `vner serve --help`)."""

    model: str | None = None  # a `vner train` folder; None: the pre-annotators only
    annotators: Sequence[str] = ("rules", "dates")  # combined with the model, as `vner preannotate` does
    model_mode: str = "override"  # how the model meets the rules (annotation.preannotate.set_model_mode)
    workdir: str = "models/serve"
    train_every: int = 10  # annotation events between two training runs; 0: only on START_TRAINING
    base_model: str | None = None  # fine-tuned from; default: the --model's own base, else vinai/phobert-base
    train_args: Sequence[str] = ()  # extra `vner train` arguments (e.g. --num_train_epochs 3)
    heldout: float = 0.2  # share of annotated tasks held out to compare the candidate with the serving stack
    url: str | None = None  # Label Studio; default: what /setup says when on this machine, else the local server
    api_key: str | None = field(default=None, repr=False)
    device: str | None = None
    batch_size: int = 32

    def __post_init__(self):
        if self.train_every < 0:
            raise VnerError(f"--train-every {self.train_every}: give 0 (only on Start Training) or more events.")
        if not 0 < self.heldout < 1:
            # 0 holds nothing out (no run could compare), 1 leaves nothing to train on
            raise VnerError(f"--heldout {self.heldout:g}: give a share strictly between 0 and 1 (e.g. 0.2).")


def _load_stack(specs: Sequence[str], cfg: ServeConfig) -> list[Preannotator]:
    from vner.api import load_preannotators

    return load_preannotators(list(specs), batch_size=cfg.batch_size, device=cfg.device, model_mode=cfg.model_mode)


def check_labeling_config(xml: str) -> None:
    """The project must label `$text` with the Labels of `vner config` (else its regions would not show)."""
    import xml.etree.ElementTree as ET

    source = "the project's labeling config"
    extra = labels_in_config(xml, source=source) - set(ENTITY_TYPES)
    root = ET.fromstring(xml)
    ok = any(el.tag == "Labels" and el.get("name") == FROM_NAME and el.get("toName") == TO_NAME for el in root.iter())
    if extra or not ok:
        what = (
            f"labels {sorted(extra)} outside the schema"
            if extra
            else f'no <Labels name="{FROM_NAME}" toName="{TO_NAME}">'
        )
        raise VnerError(f"{source} has {what}; use the config `vner config` writes (PER, ORG, LOC, DATE over $text).")


def heldout_keys(keys: Sequence[str], ratio: float) -> set[str]:
    """The held-out part of annotated tasks: those whose key hashes under `ratio` (stable: a task held out once
    stays held out as the project grows), and at least one when there are two or more."""
    ranked = sorted((int(hashlib.sha1(k.encode("utf-8")).hexdigest()[:8], 16) / 16**8, k) for k in set(keys))
    out = {k for h, k in ranked if h < ratio}
    if not out and len(ranked) >= 2 and ratio > 0:
        out = {ranked[0][1]}
    return out


def task_key_of(task: dict) -> str:
    return str((task.get("data") or {}).get("task_key") or f"task-{task.get('id')}")


class Backend:
    """The state behind the web app: the serving stack, the event counters, the training runs."""

    def __init__(self, cfg: ServeConfig):
        self.cfg = cfg
        self.workdir = Path(cfg.workdir)
        self.runs_dir = self.workdir / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # guards counters, runs, the training flag
        self._setup: dict[int, tuple[str, str]] = {}  # project id -> (hostname, access token) from /setup
        self._events: dict[int, int] = {}  # project id -> annotation events since the last run
        self._training: threading.Thread | None = None
        self._pending: int | None = None  # a project whose START_TRAINING came during a run
        self._proc: subprocess.Popen | None = None
        self._closed = False
        self.specs = self._initial_specs()
        self.stack: tuple[list[Preannotator], str] = self._build(self.specs)

    # ------------------------------------------------------------------------------------------ serving stack
    def _initial_specs(self) -> list[str]:
        """`--model` + `--annotators`; or, when this workdir already switched to a model trained from the same
        start, that model (the same command continues where it stopped)."""
        cfg = self.cfg
        others = [s for s in cfg.annotators if not s.startswith("model:")]
        model = cfg.model
        state = self._read_serving()
        start = str(Path(cfg.model).resolve()) if cfg.model else None
        if state and state.get("started_from") == start and Path(state.get("model", "")).is_dir():
            log.info("continuing with the model this workdir switched to last: %s", state["model"])
            model = state["model"]
        return ([f"model:{model}"] if model else []) + others

    def _build(self, specs: Sequence[str]) -> tuple[list[Preannotator], str]:
        if not specs:
            raise VnerError("nothing to serve: give --model DIR and/or --annotators (e.g. rules,dates).")
        stack = _load_stack(specs, self.cfg)
        return stack, model_version(stack)

    @property
    def model_version(self) -> str:
        return self.stack[1]

    def _read_serving(self) -> dict | None:
        path = self.workdir / "serving.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    # ------------------------------------------------------------------------------------------ endpoints
    def health(self) -> dict:
        with self._lock:
            runs = self._summary()
            training = {
                "running": self._training is not None and self._training.is_alive(),
                "runs": len(runs),
                "events_since_last_run": dict(self._events),
                "train_every": self.cfg.train_every,
                "available": self.training_unavailable() is None,
            }
            if runs:
                training["last"] = {k: runs[-1].get(k) for k in ("run", "status", "reason", "model_version")}
        return {"status": "UP", "model_class": "vner", "model_version": self.model_version, "training": training}

    def setup(self, payload: dict) -> dict:
        schema = payload.get("schema")
        if isinstance(schema, str) and schema.strip():
            check_labeling_config(schema)
        pid = _project_id(payload.get("project"))
        hostname, token = payload.get("hostname"), payload.get("access_token")
        if pid is not None and isinstance(hostname, str) and isinstance(token, str) and token:
            self._setup[pid] = (hostname.rstrip("/"), token)
            if not self.cfg.url and not is_loopback_url(hostname):
                log.warning(
                    "/setup of project %s names Label Studio at %r, not on this machine: training will not pull "
                    "from it (no token goes to a host a request names); pass --url to `vner serve` to use it",
                    pid,
                    hostname,
                )
        return {"model_version": self.model_version}

    def predict(self, tasks: Sequence[dict]) -> list[dict]:
        """One prediction item per task, in order (an empty result for a task with no entity)."""
        stack, version = self.stack  # one consistent stack for the whole request, even if a switch happens
        texts = []
        for task in tasks:
            texts.append(self._task_text(task))
        readable = [tt for tt in texts if tt is not None]
        proposals = iter(annotate_units([tt.unit for tt in readable], stack))
        out = []
        for tt in texts:
            if tt is None:
                out.append({"model_version": version, "score": 0.0, "result": []})
                continue
            found = next(proposals)
            spans = tt.to_original(found.spans)
            out.append(prediction(Proposal(spans, found.word_confidence), tt.original_text, version))
        return out

    @staticmethod
    def _task_text(task: dict):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            log.warning(
                "task %s has no data.text: predicted nothing for it (use the config `vner config` writes)",
                task.get("id") if isinstance(task, dict) else "?",
            )
            return None
        try:
            return read_task(task)
        except ValueError as exc:
            # a vner task whose text was edited in Label Studio: its words no longer fit, segment the text anew
            log.warning("task %s: %s; segmenting its text on the fly", task.get("id"), exc)
            plain = {**task, "data": {k: v for k, v in data.items() if k != "vner"}}
            return read_task(plain)

    def webhook(self, payload: dict) -> dict:
        """Count annotation events; start a training run when enough came, or on START_TRAINING. Never waits."""
        action = str(payload.get("action") or "")
        pid = _project_id(payload.get("project"))
        if action == "START_TRAINING":
            return {"status": self.request_training(pid, "START_TRAINING")}
        if action not in ANNOTATION_EVENTS:
            return {"status": "ignored", "action": action}
        n = 1
        if action == "ANNOTATIONS_DELETED":  # one event for a bulk deletion: count each annotation
            n = max(1, len(payload.get("annotations") or []))
        with self._lock:
            if pid is None:
                return {"status": "ignored: no project in the event"}
            self._events[pid] = self._events.get(pid, 0) + n
            due = self.cfg.train_every > 0 and self._events[pid] >= self.cfg.train_every
        if due:
            return {"status": self.request_training(pid, f"{self._events[pid]} annotation events")}
        return {"status": "counted", "events": self._events[pid]}

    # ------------------------------------------------------------------------------------------ training
    def training_unavailable(self) -> str | None:
        import importlib.util

        if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
            return "training needs the training extra: pip install 'vner[train]'"
        return None

    def request_training(self, pid: int | None, reason: str) -> str:
        why_not = self.training_unavailable()
        if why_not:
            return f"not training: {why_not}"
        if pid is None:
            return "not training: no project in the request"
        with self._lock:
            if self._closed:
                return "not training: shutting down"
            if self._training is not None and self._training.is_alive():
                if reason == "START_TRAINING":
                    self._pending = pid
                return "training already running"
            self._training = threading.Thread(
                target=self._run_training, args=(pid, reason), daemon=True, name="vner-training"
            )
            self._training.start()
        return "training started"

    def wait_for_training(self, timeout: float | None = None) -> None:
        thread = self._training
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        """Stop a running training subprocess (the server is shutting down)."""
        with self._lock:
            self._closed = True
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def _next_run(self) -> tuple[str, Path]:
        numbers = [int(p.name) for p in self.runs_dir.iterdir() if p.is_dir() and p.name.isdigit()]
        name = f"{max(numbers, default=0) + 1:04d}"
        path = self.runs_dir / name
        path.mkdir()
        return name, path

    def _run_training(self, pid: int, reason: str) -> None:
        with self._lock:
            counted = self._events.get(pid, 0)
        name, run_dir = self._next_run()
        record: dict = {
            "run": name,
            "project": pid,
            "trigger": reason,
            "started_at": _now(),
            "serving_before": self.model_version,
        }
        t0 = time.perf_counter()
        try:
            record.update(self._train_and_compare(pid, name, run_dir))
            with self._lock:  # these events are learnt from (or judged too few): count from here on
                self._events[pid] = max(0, self._events.get(pid, 0) - counted)
        except Exception as exc:  # the serving stack is untouched; the next event retries
            record.update(status="failed", reason=str(exc))
            log.error(
                "training run %s failed: %s (serving %s unchanged; the next event retries)",
                name,
                exc,
                self.model_version,
            )
        record["seconds"] = round(time.perf_counter() - t0, 1)
        record["model_version"] = self.model_version
        write_atomic(run_dir / "run.json", json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        line = json.dumps({k: record.get(k) for k in SUMMARY_KEYS}, ensure_ascii=False) + "\n"
        with self._lock:
            with open(self.runs_dir / "summary.jsonl", "a+b") as out:
                out.seek(0, os.SEEK_END)
                if out.tell():  # a line cut short by a kill must not swallow this one
                    out.seek(-1, os.SEEK_END)
                    if out.read(1) != b"\n":
                        line = "\n" + line
                out.write(line.encode("utf-8"))
            pending, self._pending = self._pending, None
            self._training = None
        log.info("training run %s: %s (%s)", name, record["status"], record.get("reason", ""))
        if pending is not None:
            self.request_training(pending, "START_TRAINING")

    def _summary(self) -> list[dict]:
        """Every run's summary line; a line that is not a JSON object (cut short when the server was killed
        mid-write) is skipped with a warning, so /health and /runs keep answering."""
        path = self.runs_dir / "summary.jsonl"
        if not path.exists():
            return []
        out = []
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict):
                log.warning("%s line %d is not a JSON object (a write cut short?): skipped", path, n)
                continue
            out.append(row)
        return out

    def runs(self) -> list[dict]:
        with self._lock:
            return self._summary()

    def _client(self, pid: int):
        """The Label Studio a run pulls from: --url (or LABEL_STUDIO_URL), else the one /setup named if it is on
        this machine, else the local server. /setup is unauthenticated: a host it names elsewhere is never sent
        the configured token."""
        from annotation.studio.client import StudioClient, resolve_api_key, resolve_url

        hostname, token = self._setup.get(pid, (None, None))
        if self.cfg.url:
            url = self.cfg.url.rstrip("/")
        elif hostname:
            if not is_loopback_url(hostname):
                raise VnerError(
                    f"/setup of project {pid} named Label Studio at {hostname!r}, not on this machine: no token is "
                    "sent to a host a request names; pass --url (and --api-key) to `vner serve` to pull from it."
                )
            url = hostname
        else:
            url = resolve_url(None)
        key = self.cfg.api_key or (token if url == hostname else None) or resolve_api_key(None, url)
        return StudioClient(url, key)

    def _train_and_compare(self, pid: int, name: str, run_dir: Path) -> dict:
        from annotation.dataset import build_dataset_dict, write_dataset
        from annotation.export import live_annotations, load_export
        from annotation.studio.client import pull_tasks, write_export

        # 1. pull, 2. hold out
        tasks = pull_tasks(self._client(pid), pid, progress=False)
        annotated = [t for t in tasks if live_annotations(t)]
        held = heldout_keys([task_key_of(t) for t in annotated], self.cfg.heldout)
        train_tasks = [t for t in annotated if task_key_of(t) not in held]
        info: dict = {
            "tasks": len(tasks),
            "annotated_tasks": len(annotated),
            "heldout_tasks": len(held),
            "train_tasks": len(train_tasks),
        }
        if not held or not train_tasks:
            return {
                **info,
                "status": "skipped",
                "reason": f"{len(annotated)} annotated task(s): need 2 or more (one to train on, one held out)",
            }
        train_export = write_export(train_tasks, run_dir / "train_export.json")
        heldout_export = write_export([t for t in annotated if task_key_of(t) in held], run_dir / "heldout_export.json")

        # 3. dataset of the training tasks, as `vner dataset --lenient` (validation by document when there are 3+)
        result = load_export(train_export, lenient=True)
        if not result.examples:
            return {
                **info,
                "status": "skipped",
                "reason": "no usable sentence in the training tasks",
                "issues": len(result.issues),
            }
        from datasets import DatasetDict

        dsd = build_dataset_dict(result.examples, ratios=(0.9, 0.1, 0.0))
        # an empty split saved with save_to_disk cannot be loaded back (datasets writes no arrow file for it)
        dsd = DatasetDict({name: ds for name, ds in dsd.items() if len(ds)})
        write_dataset(dsd, run_dir / "dataset", issues=result.issues, stats=result.stats, source=train_export.name)
        info["dataset"] = {split: len(ds) for split, ds in dsd.items()}

        # 4. fine-tune from the base model, in a subprocess
        base = self.base_model()
        model_dir = self.workdir / "models" / f"run-{name}"
        cmd = [
            sys.executable,
            "-m",
            "vner",
            "train",
            "--model_name_or_path",
            base,
            "--dataset",
            str(run_dir / "dataset"),
            "--output_dir",
            str(model_dir),
            "--overwrite_output_dir",
            *self.cfg.train_args,
        ]
        info["train_command"] = shlex.join(cmd[1:])
        self._train_subprocess(cmd, run_dir / "train.log")
        metrics_file = model_dir / "metrics.json"
        if metrics_file.is_file():
            info["train_metrics"] = json.loads(metrics_file.read_text(encoding="utf-8"))

        # 5. both stacks on the held-out tasks: strict IOB2 micro F1 (vner corrections' path)
        serving, serving_version = self.stack
        candidate = [_load_stack([f"model:{model_dir}"], self.cfg)[0]] + [a for a in serving if a.name != "model"]
        scores = {
            "serving": heldout_score(heldout_export, serving),
            "candidate": heldout_score(heldout_export, candidate),
        }
        info["heldout"] = scores

        # 6. switch only if not worse, and only on evidence
        better, f1s = switch_decision(scores, len(held))
        if not better:
            _remove_weights(model_dir)
            return {**info, "status": "kept", "reason": f1s}
        specs = [f"model:{model_dir}"] + [s for s in self.specs if not s.startswith("model:")]
        with self._lock:
            if self.stack[1] != serving_version:  # pragma: no cover (one run at a time)
                raise VnerError("the serving stack changed during the run")
            self.stack = (candidate, model_version(candidate))
            self.specs = specs
        start = str(Path(self.cfg.model).resolve()) if self.cfg.model else None
        state = {
            "model": str(model_dir.resolve()),
            "model_version": self.model_version,
            "run": name,
            "started_from": start,
            "switched_at": _now(),
        }
        write_atomic(self.workdir / "serving.json", json.dumps(state, indent=1) + "\n")
        log.info("switched to %s (%s)", self.model_version, f1s)
        return {**info, "status": "switched", "reason": f1s, "model": str(model_dir)}

    def base_model(self) -> str:
        """What every run fine-tunes from: --base-model, else the base the --model was trained from, else
        vinai/phobert-base (every run starts from the base, never from the last fine-tune: no drift)."""
        if self.cfg.base_model:
            return self.cfg.base_model
        if self.cfg.model:
            try:
                args = json.loads((Path(self.cfg.model) / "training_args.json").read_text(encoding="utf-8"))
                return str(args["model"]["model_name_or_path"])
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return DEFAULT_BASE_MODEL

    def _train_subprocess(self, cmd: list[str], log_file: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_API_KEY",)}
        with open(log_file, "w", encoding="utf-8") as out:
            with self._lock:
                if self._closed:
                    raise VnerError("the server is shutting down")
                self._proc = subprocess.Popen(
                    cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
                )
            code = self._proc.wait()
            with self._lock:
                self._proc = None
        if code != 0:
            tail = "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-5:])
            raise VnerError(f"`vner train` exited with code {code}; log {log_file}; last lines:\n{tail}")


def heldout_score(heldout_export: Path, stack: Sequence[Preannotator]) -> dict:
    """A stack's strict IOB2 micro F1 on the held-out export, with what it rests on (tasks compared, gold
    entities, the problems that left tasks out)."""
    from annotation.corrections import correction_report
    from annotation.metrics import headline

    report = correction_report(heldout_export, preannotators=stack, lenient=True)
    return {
        "model_version": model_version(stack),
        "f1": headline(report["seqeval"]),
        "seqeval": report["seqeval"],
        "tasks_compared": report["tasks_compared"],
        "gold_entities": report["total"]["gold"],
        "predicted_entities": report["total"]["predicted"],
        "issues": report["issues"],
    }


def switch_decision(scores: dict, heldout_tasks: int) -> tuple[bool, str]:
    """Whether the candidate replaces the serving stack, and why: its strict F1 on the held-out tasks is not
    worse. With no held-out task compared, or none of their annotations marking an entity, both F1 are 0
    whatever each stack predicts: no evidence, the serving stack stays."""
    cand, serv = scores["candidate"], scores["serving"]
    compared = min(cand["tasks_compared"], serv["tasks_compared"])
    if not compared:
        return False, (
            f"no evidence, serving model kept: none of the {heldout_tasks} held-out task(s) could be compared "
            "(problems in their annotations; see the run's heldout scores)"
        )
    if not min(cand["gold_entities"], serv["gold_entities"]):
        return False, (
            f"no evidence, serving model kept: the {compared} held-out task(s) compared mark no entity, so F1 "
            "cannot tell the models apart"
        )
    f1s = f"strict F1 {cand['f1']:.4f} vs {serv['f1']:.4f} on {compared} held-out task(s)"
    if cand["f1"] < serv["f1"]:
        return False, f"candidate worse: {f1s}"
    return True, f1s


SUMMARY_KEYS = (
    "run",
    "started_at",
    "seconds",
    "trigger",
    "status",
    "reason",
    "annotated_tasks",
    "heldout_tasks",
    "train_tasks",
    "serving_before",
    "model_version",
)


def _remove_weights(model_dir: Path) -> None:
    """A rejected candidate keeps its metrics (in the run record), not its weights."""
    import shutil

    shutil.rmtree(model_dir, ignore_errors=True)


def _project_id(project) -> int | None:
    """The project id of a request: `"12.1700000000"` (/setup, /predict) or `{"id": 12, ...}` (webhooks)."""
    if isinstance(project, dict):
        project = project.get("id")
    if isinstance(project, int):
        return project
    if isinstance(project, str):
        head = project.split(".", 1)[0]
        return int(head) if head.isdigit() else None
    return None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class MediaTypeError(VnerError):
    """A request body that is not JSON by its Content-Type (answered 415)."""


# ---------------------------------------------------------------------------------------------- the web app
def create_app(backend: Backend):
    """The Starlette app: one process, requests never wait for training (it runs in a background thread)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def body(request: Request) -> dict:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":  # Label Studio sends JSON; a cross-origin form or text/plain post is refused
            raise MediaTypeError(f"the request body must be JSON (Content-Type: application/json), not {media!r}")
        try:
            payload = await request.json()
        except ValueError:
            raise VnerError("the request body is not JSON") from None
        if not isinstance(payload, dict):
            raise VnerError("the request body is not a JSON object")
        return payload

    async def health(request: Request):
        return JSONResponse(backend.health())

    async def setup(request: Request):
        return JSONResponse(await run_in_threadpool(backend.setup, await body(request)))

    async def predict(request: Request):
        payload = await body(request)
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise VnerError("`tasks` must be a list of Label Studio tasks")
        return JSONResponse(
            {"results": await run_in_threadpool(backend.predict, tasks), "model_version": backend.model_version}
        )

    async def webhook(request: Request):
        return JSONResponse(backend.webhook(await body(request)))

    async def runs(request: Request):
        return JSONResponse({"runs": backend.runs()})

    async def vner_error(request: Request, exc: VnerError):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"error": str(exc)}, status_code=415 if isinstance(exc, MediaTypeError) else 400)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        backend.close()  # a training subprocess ends with the server

    return Starlette(
        routes=[
            Route("/", health),
            Route("/health", health),
            Route("/runs", runs),
            Route("/setup", setup, methods=["POST"]),
            Route("/predict", predict, methods=["POST"]),
            Route("/webhook", webhook, methods=["POST"]),
        ],
        exception_handlers={VnerError: vner_error},
        lifespan=lifespan,
    )


def serve(cfg: ServeConfig, *, host: str = "127.0.0.1", port: int = 9090, log_level: str = "info") -> None:
    """Run the backend until interrupted (uvicorn, one process)."""
    import uvicorn

    if not is_loopback_host(host):
        log.warning(
            "--host %s: the backend is reachable from other machines and has no authentication: anyone who "
            "reaches it can ask for predictions and start training runs (127.0.0.1 keeps it to this machine)",
            host,
        )
    backend = Backend(cfg)
    log.info("vner ML backend at http://%s:%d serving %s", host, port, backend.model_version)
    uvicorn.run(create_app(backend), host=host, port=port, log_level=log_level)
