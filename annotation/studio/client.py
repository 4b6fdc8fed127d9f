"""Push vner tasks to Label Studio and pull corrected tasks back, over its REST API (label-studio-sdk 2.x).

Works with the server `vner studio start` runs or any Label Studio (`--url`, `LABEL_STUDIO_URL`,
`LABEL_STUDIO_API_KEY`). Pushes are idempotent: every task carries a stable `data.task_key`, existing keys
are listed first and skipped, so a re-run after a failure ends with each task exactly once. The API token
never appears in messages: every error text is scrubbed before it is raised.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..errors import VnerError
from ..progress import progress_bar
from ..regions import parse_regions
from ..schema import check_config_labels, labeling_config_xml
from . import server

log = logging.getLogger(__name__)
T = TypeVar("T")

# Fields of every task read from the task list: cheap columns only. Annotations come from Label Studio's own
# export of the annotated tasks and predictions from the prediction list, both in full (the task list gives
# their ids only when fields are picked, and computing all its columns costs 5x more).
TASK_LIST_FIELDS = (
    "id,data,meta,created_at,updated_at,inner_id,project,total_annotations,cancelled_annotations,total_predictions"
)
_NO_SDK_RETRIES = {"max_retries": 0}  # retries are ours (below): backoff, and a re-check before re-importing


@dataclass
class RetryPolicy:
    attempts: int = 5  # total tries of one request
    initial_delay: float = 0.5  # seconds; doubles each try (0.5, 1, 2, 4 -> 7.5 s before giving up)
    timeout: float = 120.0  # seconds per request (a 10k-task page or import batch can take a while)


UNCERTAINTY_SAMPLING = "Uncertainty sampling"  # Label Studio's project.sampling value


@dataclass
class ProjectSetup:
    """What `setup_project` did: the Data Manager view annotators open on, and the instructions."""

    view_id: int
    view_created: bool
    shown_columns: list[str]
    hidden_columns: list[str]
    instructions_chars: int


@dataclass
class PushResult:
    project_id: int
    project_created: bool
    imported: int
    skipped_existing: int
    duplicates_in_input: list[str] = field(default_factory=list)
    refreshed: int = 0  # tasks already there that got predictions of a model_version they did not have
    left_for_later: int = 0  # new tasks not pushed because of `limit`
    setup: ProjectSetup | None = None  # set when the project was created, or set up again on request


# --------------------------------------------------------------------------------------------- settings
def resolve_url(url: str | None = None, home: str | Path | None = None) -> str:
    """`--url`, else `LABEL_STUDIO_URL`, else the server `vner studio start` runs."""
    url = url or os.environ.get("LABEL_STUDIO_URL")
    if not url:
        info = server.running_server(server.studio_home(home))
        if info is None:
            raise VnerError(
                "no Label Studio to talk to: start one with `vner studio start`, or point at yours with "
                "--url / LABEL_STUDIO_URL."
            )
        url = info.url
    return url.rstrip("/")


def resolve_api_key(api_key: str | None, url: str, home: str | Path | None = None) -> str:
    """`--api-key`, else `LABEL_STUDIO_API_KEY`, else the token of the local server vner started at `url`."""
    key = api_key if api_key is not None else os.environ.get("LABEL_STUDIO_API_KEY")
    if key is None:
        h = server.studio_home(home)
        info = server.running_server(h)
        if info is not None and info.url.rstrip("/") == url:
            key = server.local_token(h)
    if not key or not key.strip():
        raise VnerError(
            f"no API token for Label Studio at {url}: set LABEL_STUDIO_API_KEY or pass --api-key "
            "(Account & Settings > Access Token in Label Studio; for the server `vner studio start` runs, "
            "`export LABEL_STUDIO_API_KEY=$(cat .studio/token)`)."
        )
    return key.strip()


# --------------------------------------------------------------------------------------------- client
class StudioClient:
    """A Label Studio connection with retries and token-free error messages."""

    def __init__(self, url: str, api_key: str, *, retry: RetryPolicy | None = None):
        from label_studio_sdk import LabelStudio

        self.url = url.rstrip("/")
        self._key = api_key
        self.retry = retry or RetryPolicy()
        http = None
        if server.is_loopback_url(self.url):
            import httpx

            # a local server is talked to directly: an http_proxy of the environment must not see the token
            http = httpx.Client(timeout=self.retry.timeout, follow_redirects=True, trust_env=False)
        self.sdk = LabelStudio(
            base_url=self.url, api_key=api_key, timeout=self.retry.timeout, max_retries=0, httpx_client=http
        )

    def scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def call(self, what: str, fn: Callable[..., T], *args, **kwargs) -> T:
        """`fn(*args, **kwargs)` with exponential backoff on connection errors, timeouts, 429 and 5xx."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        kwargs.setdefault("request_options", _NO_SDK_RETRIES)
        delay = self.retry.initial_delay
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return fn(*args, **kwargs)
            except (httpx.TransportError, ApiError) as exc:
                problem = self._transient(what, exc)
            if attempt < self.retry.attempts:
                self._wait(what, problem, attempt, delay)
                delay *= 2
        raise self._gave_up(what, problem)

    def _transient(self, what: str, exc: Exception) -> str:
        """What went wrong, in a few words, when a retry may help (connection error, timeout, 429, 5xx); any other
        failure raises the VnerError that says what to fix. Shared by `call` and `send_once`."""
        from label_studio_sdk.core.api_error import ApiError

        if not isinstance(exc, ApiError):
            return f"{type(exc).__name__}: {exc}"
        status = exc.status_code or 0
        if status in (401, 403):
            raise VnerError(
                f"Label Studio at {self.url} rejected the API token (HTTP {status}) while {what}: "
                "fix LABEL_STUDIO_API_KEY or --api-key."
            ) from None
        if status < 500 and status != 429:
            raise VnerError(
                self.scrub(f"Label Studio at {self.url}: {what} failed (HTTP {status}): {_body_text(exc.body)}")
            ) from None
        return f"HTTP {status}"

    def _wait(self, what: str, problem: str, attempt: int, delay: float) -> None:
        log.warning("%s", self.scrub(f"{what}: {problem}; retrying in {delay:g} s ({attempt}/{self.retry.attempts})"))
        time.sleep(delay)

    def _gave_up(self, what: str, problem: str) -> VnerError:
        return VnerError(
            self.scrub(
                f"Label Studio at {self.url} is unreachable or failing ({problem}) after {self.retry.attempts} tries "
                f"while {what}; is it running (`vner studio status`)? Otherwise fix --url / LABEL_STUDIO_URL."
            )
        )

    # ----------------------------------------------------------------------------------------- projects
    def find_project(self, title: str):
        first_page = self.call("listing projects", self.sdk.projects.list, title=title, page_size=1000)
        matches = [p for p in first_page.items or [] if p.title == title]
        if len(matches) > 1:
            ids = ", ".join(str(p.id) for p in matches)
            raise VnerError(
                f"Label Studio at {self.url} has {len(matches)} projects titled {title!r} (ids {ids}); "
                "rename all but one."
            )
        if not matches:
            return None
        project = self.call(f"reading project {title!r}", self.sdk.projects.get, matches[0].id)
        check_config_labels(project.label_config or "", source=f"project {title!r} (id {project.id}) at {self.url}")
        return project

    def project_for_push(self, title: str) -> tuple[int, bool]:
        """The id of the project titled `title` (created with vner's labeling config if missing)."""
        project = self.find_project(title)
        if project is not None:
            return project.id, False
        project = self.call(
            f"creating project {title!r}",
            self.sdk.projects.create,
            title=title,
            label_config=labeling_config_xml(),
            description="Vietnamese NER (PER, ORG, LOC, DATE); tasks pushed by `vner studio push`",
        )
        return project.id, True

    def project_id(self, title: str) -> int:
        project = self.find_project(title)
        if project is None:
            raise VnerError(f"no project titled {title!r} at {self.url}; push tasks first (`vner studio push`).")
        return project.id

    # ----------------------------------------------------------------------------------------- tasks
    def iter_task_pages(self, project_id: int, *, include: str, page_size: int):
        """Pages (lists of dicts with the `include`d fields) of the project's tasks, each fetched with retries.

        Asking only for the fields needed matters: the Data Manager computes every column otherwise (5x slower)."""
        page, seen = 1, 0
        while True:
            pager = self.call(
                f"listing tasks of project {project_id} (page {page})",
                self.sdk.tasks.list,
                project=project_id,
                fields="all",
                include=include,
                page=page,
                page_size=page_size,
            )
            items = pager.items or []
            total = pager.response.total  # the server answers 404 past the last page: stop on the count
            yield [t.model_dump(mode="json", exclude_unset=True) for t in items], total
            seen += len(items)
            if not items or seen >= total:
                return
            page += 1

    def existing_tasks(self, project_id: int, page_size: int = 1000) -> dict[str, int]:
        """`data.task_key` -> task id of every vner task in the project."""
        out: dict[str, int] = {}
        for page, _ in self.iter_task_pages(project_id, include="id,data", page_size=page_size):
            for t in page:
                key = (t.get("data") or {}).get("task_key")
                if key:
                    out.setdefault(str(key), t["id"])
        return out

    def existing_task_keys(self, project_id: int, page_size: int = 1000) -> set[str]:
        return set(self.existing_tasks(project_id, page_size))

    def prediction_versions(self, project_id: int) -> dict[int, set[str]]:
        """task id -> the model_versions of the predictions it holds."""
        return {
            task: {str(p.get("model_version") or "") for p in preds}
            for task, preds in self.predictions_by_task(project_id).items()
        }

    def send_once(
        self, what: str, pending: Callable[[], list], send: Callable[[list], None], relist: Callable[[], None]
    ) -> list:
        """Send what `pending()` returns, exactly once: after a transient failure (connection error, 429, 5xx) the
        request may have landed, so `relist()` refreshes what the server holds and only what is still pending is
        sent again, with backoff. Returns what this call sent; errors as `call` gives them."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        delay = self.retry.initial_delay
        for attempt in range(1, self.retry.attempts + 1):
            todo = pending()
            if not todo:
                return []
            try:
                send(todo)
            except (httpx.TransportError, ApiError) as exc:
                problem = self._transient(what, exc)
                if attempt == self.retry.attempts:
                    raise self._gave_up(what, problem) from None
                self._wait(what, problem, attempt, delay)
                delay *= 2
                relist()
                continue
            return todo
        return []  # pragma: no cover (the last attempt raises)

    def import_predictions(self, project_id: int, items: list[dict], held: dict[int, set[str]]) -> int:
        """Add predictions (`{"task": id, "model_version", "score", "result"}`) to existing tasks, each at most
        once per (task, model_version): after a transient failure the versions are listed again before re-sending."""
        sent = self.send_once(
            f"adding predictions to project {project_id}",
            lambda: [p for p in items if p["model_version"] not in held.get(p["task"], set())],
            lambda todo: self.sdk.projects.import_predictions(
                project_id, request=todo, request_options=_NO_SDK_RETRIES
            ),
            lambda: held.update(self.prediction_versions(project_id)),
        )
        for p in sent:
            held.setdefault(p["task"], set()).add(p["model_version"])
        return len(sent)

    def annotated_export(self, project_id: int) -> list[dict]:
        """Label Studio's JSON export of the tasks that have annotations (cancelled ones included)."""

        def download(**kw):
            return b"".join(
                self.sdk.projects.exports.download_sync(project_id, export_type="JSON", download_all_tasks=False, **kw)
            )

        raw = self.call(f"exporting annotations of project {project_id}", download)
        return json.loads(raw.decode("utf-8"))

    def predictions_by_task(self, project_id: int) -> dict[int, list[dict]]:
        """Every prediction of the project, full (the task list and exports give only their ids cheaply)."""
        preds = self.call(f"listing predictions of project {project_id}", self.sdk.predictions.list, project=project_id)
        by_task: dict[int, list[dict]] = {}
        for p in preds:
            d = p.model_dump(mode="json", exclude_unset=True)
            by_task.setdefault(d["task"], []).append(d)
        for items in by_task.values():
            items.sort(key=lambda d: d["id"])
        return by_task

    def import_batch(self, project_id: int, batch: list[dict], existing: set[str]) -> int:
        """Import one batch; after a transient failure, re-list keys before re-sending (exactly once)."""
        sent = self.send_once(
            f"importing tasks into project {project_id}",
            lambda: [t for t in batch if t["data"]["task_key"] not in existing],
            lambda todo: self.sdk.projects.import_tasks(
                project_id, request=todo, return_task_ids=True, request_options=_NO_SDK_RETRIES
            ),
            lambda: existing.update(self.existing_task_keys(project_id)),
        )
        existing.update(t["data"]["task_key"] for t in sent)
        return len(sent)

    def request(self, what: str, method: str, path: str, **kwargs) -> dict | list:
        """A JSON request to a Label Studio endpoint the SDK does not wrap (e.g. `api/dm/columns`), with the
        same retries and token-free errors as every other call."""
        from label_studio_sdk.core.api_error import ApiError

        def send(request_options=None):
            resp = self.sdk._client_wrapper.httpx_client.request(
                path, method=method, request_options=request_options, **kwargs
            )
            if resp.status_code >= 400:
                try:
                    body = resp.json()
                except ValueError:
                    body = resp.text
                raise ApiError(status_code=resp.status_code, headers=dict(resp.headers), body=body)
            return resp.json() if resp.content else {}

        return self.call(what, send)


def _body_text(body) -> str:
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k in ("detail", "validation_errors", "message")} or body
    text = json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body
    return text[:500]


def connect(
    url: str | None = None,
    api_key: str | None = None,
    *,
    home: str | Path | None = None,
    retry: RetryPolicy | None = None,
) -> StudioClient:
    url = resolve_url(url, home)
    return StudioClient(url, resolve_api_key(api_key, url, home), retry=retry)


# --------------------------------------------------------------------------------------------- push / pull
def read_tasks(path: str | Path) -> list[dict]:
    """Tasks from a JSON list (what `vner preannotate` writes) or JSON lines; each needs data.text and data.task_key."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VnerError(f"{path}: cannot read ({exc.strerror}).") from None
    try:
        tasks = (
            json.loads(raw)
            if raw.lstrip().startswith("[")
            else [json.loads(line) for line in raw.splitlines() if line.strip()]
        )
    except ValueError as exc:
        raise VnerError(f"{path}: not a JSON list of tasks or JSON lines ({exc}).") from None
    if not isinstance(tasks, list) or not tasks:
        raise VnerError(f"{path}: no tasks in it; write tasks with `vner preannotate`.")
    for i, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data.get("task_key"):
            raise VnerError(
                f"{path}: task #{i} has no data.text / data.task_key; write tasks with "
                "`vner preannotate` (annotation.tasks.make_task)."
            )
        for pred in task.get("predictions") or []:
            _check_regions(path, i, data, pred.get("result") if isinstance(pred, dict) else None)
    return tasks


def _check_regions(path: Path, i: int, data: dict, results) -> None:
    """Prediction regions must pass the region parser (schema labels, offsets on their own text, no overlap):
    checked here, once, so a bad pre-annotation is an error naming its task rather than a region the editor
    cannot show."""
    where = f"{path}: task #{i} ({data['task_key']})"
    if not isinstance(results, list):
        raise VnerError(f"{where}: a prediction without a `result` list.")
    problems = parse_regions(results, data["text"], who="prediction").problems
    if problems:
        raise VnerError(f"{where}: {problems[0].message}.")


# --------------------------------------------------------------------------------------------- project setup
# What annotators meet around the editor: the Data Manager opens on VIEW_TITLE, which shows the text, the
# prediction score and the annotation counts (vner's bookkeeping columns, `vner`, `task_key`, `unit`, ..., are
# hidden) and puts the least sure prediction first; the project instructions (the summary in
# annotation/guidelines.md) show before labeling.
VIEW_TITLE = "Least sure first"
VIEW_COLUMNS = {  # shown; every other column of the project is hidden
    "explore": (
        "tasks:id",
        "tasks:data.text",
        "tasks:predictions_score",
        "tasks:total_annotations",
        "tasks:cancelled_annotations",
        "tasks:annotators",
    ),
    "labeling": ("tasks:id", "tasks:data.text", "tasks:predictions_score", "tasks:total_annotations"),
}
VIEW_ORDERING = ["tasks:predictions_score"]  # ascending: the lowest prediction score (least sure) first
TEXT_COLUMN_WIDTH = 640  # pixels: the text is what annotators choose a task by


def dm_columns(client: StudioClient, project_id: int) -> list[str]:
    """Ids of the project's Data Manager columns as views name them (`tasks:data.text`, `tasks:id`, ...)."""
    answer = client.request(
        f"listing the Data Manager columns of project {project_id}",
        "GET",
        "api/dm/columns",
        params={"project": project_id},
    )
    by_id = {c["id"]: c for c in answer.get("columns", [])}
    out = []
    for c in by_id.values():
        if c.get("children"):  # `data`: a group, shown through its children
            continue
        parent = c.get("parent")
        out.append(f"{c.get('target', 'tasks')}:{parent + '.' if parent else ''}{c['id']}")
    return out


def view_data(columns: Sequence[str]) -> dict:
    """The `data` of vner's Data Manager view for a project with these columns."""
    return {
        "title": VIEW_TITLE,
        "type": "list",
        "target": "tasks",
        "ordering": list(VIEW_ORDERING),
        "hiddenColumns": {mode: [c for c in columns if c not in shown] for mode, shown in VIEW_COLUMNS.items()},
        "columnsWidth": {"tasks:data.text": TEXT_COLUMN_WIDTH},
        "filters": {"conjunction": "and", "items": []},
    }


def setup_view(client: StudioClient, project_id: int) -> tuple[int, bool, list[str]]:
    """Create (or reset) vner's view of the project and put it first, so the Data Manager opens on it.
    Other views are left as they are. Returns (view id, created, the project's columns)."""
    columns = dm_columns(client, project_id)
    data = view_data(columns)
    views = client.call(f"listing the views of project {project_id}", client.sdk.views.list, project=project_id)
    mine = [v for v in views if (v.data or {}).get("title") == VIEW_TITLE]
    if mine:
        view_id = mine[0].id
        client.call(
            f"updating view {view_id} of project {project_id}",
            client.sdk.views.update,
            str(view_id),
            data=data,
            project=project_id,
        )
    else:
        view_id = client.call(
            f"creating a view in project {project_id}", client.sdk.views.create, data=data, project=project_id
        ).id
    others = [v.id for v in views if v.id != view_id]
    if others:
        client.call(
            f"ordering the views of project {project_id}",
            client.sdk.views.update_order,
            ids=[view_id, *others],
            project=project_id,
        )
    return view_id, not mine, columns


def setup_instructions(client: StudioClient, project_id: int) -> int:
    """Set the project instructions from annotation/guidelines.md, shown before labeling; returns their size."""
    from ..instructions import instructions_html

    html = instructions_html()
    client.call(
        f"setting the instructions of project {project_id}",
        client.sdk.projects.update,
        project_id,
        expert_instruction=html,
        show_instruction=True,
    )
    return len(html)


def setup_project(client: StudioClient, project_id: int) -> ProjectSetup:
    """What annotators see around the editor: vner's Data Manager view, the project instructions, and the
    labeling queue. Done for every project `push_tasks` creates; on an existing project only when asked
    (`vner studio push --setup-project`). Call it after importing: the view hides the task-data columns the
    tasks brought."""
    view_id, created, columns = setup_view(client, project_id)
    hidden = view_data(columns)["hiddenColumns"]["explore"]
    size = setup_instructions(client, project_id)
    # "Label All Tasks" does not follow a view's ordering: it follows the project's sampling. Uncertainty
    # sampling serves the lowest prediction score of the project's `model_version` first (`push_tasks` keeps
    # that version the one it pushed), so the queue is least sure first like the view.
    client.call(
        f"setting the labeling queue of project {project_id}",
        client.sdk.projects.update,
        project_id,
        sampling=UNCERTAINTY_SAMPLING,
    )
    return ProjectSetup(view_id, created, [c for c in columns if c not in hidden], hidden, size)


def pushed_model_version(tasks: Sequence[dict]) -> str | None:
    """The `model_version` of the pushed tasks' latest predictions when they share one, else None."""
    versions = {str(t["predictions"][-1].get("model_version") or "") for t in tasks if t.get("predictions")}
    return versions.pop() if len(versions) == 1 else None


def push_tasks(
    client: StudioClient,
    tasks: Sequence[dict],
    project: str,
    *,
    batch_size: int = 2500,
    progress: bool = True,
    order: str = "input",
    limit: int | None = None,
    seed: int = 0,
    setup: bool = False,
) -> PushResult:
    """Create or reuse project `project`; import the tasks whose `data.task_key` it does not have yet, and add to
    the tasks it already has the predictions of a `model_version` they do not hold yet (refreshed
    pre-annotations: no duplicate task, annotations untouched; an identical push changes nothing).

    `order` (`input`, `uncertainty`: least sure prediction first, `random` with `seed`) and `limit` pick which new
    tasks go in: the next `limit` tasks of a larger pool. A project it creates is set up for annotators
    (`setup_project`); an existing one only with `setup`."""
    project_id, created = client.project_for_push(project)
    existing = {} if created else client.existing_tasks(project_id)
    seen: set[str] = set()
    todo, duplicates, refresh = [], [], []
    for task in tasks:
        key = task["data"]["task_key"]
        if key in seen:
            duplicates.append(key)
            continue
        seen.add(key)
        if key not in existing:
            todo.append({k: task[k] for k in ("data", "predictions", "annotations", "meta") if k in task})
        elif task.get("predictions"):
            refresh += [
                {
                    "task": existing[key],
                    "model_version": str(p.get("model_version") or ""),
                    "score": p.get("score"),
                    "result": p.get("result") or [],
                }
                for p in task["predictions"]
            ]
    skipped = len(seen) - len(todo)
    todo = order_tasks(todo, order, seed=seed)
    left = 0
    if limit is not None and len(todo) > limit:
        todo, left = todo[:limit], len(todo) - limit
    imported = refreshed = 0
    keys = set(existing)
    with progress_bar(total=len(todo), enabled=progress, desc=f"pushing to {project!r}", unit="task") as bar:
        for i in range(0, len(todo), batch_size):
            n = client.import_batch(project_id, todo[i : i + batch_size], keys)
            imported += n
            bar.update(len(todo[i : i + batch_size]))
    if refresh:
        held = client.prediction_versions(project_id)
        refresh = [p for p in refresh if p["model_version"] not in held.get(p["task"], set())]
        with progress_bar(
            total=len(refresh), enabled=progress and bool(refresh), desc="refreshing predictions", unit="pred"
        ) as bar:
            for i in range(0, len(refresh), batch_size):
                refreshed_tasks = {p["task"] for p in refresh[i : i + batch_size]}
                if client.import_predictions(project_id, refresh[i : i + batch_size], held):
                    refreshed += len(refreshed_tasks)
                bar.update(len(refresh[i : i + batch_size]))
    done = setup_project(client, project_id) if created or setup else None
    version = pushed_model_version(tasks)
    if version and (imported or refreshed or done):
        # the project's model_version picks the predictions its uncertainty queue sorts by: the ones just pushed
        client.call(
            f"setting the model version of project {project_id}",
            client.sdk.projects.update,
            project_id,
            model_version=version,
        )
    return PushResult(project_id, created, imported, skipped, duplicates, refreshed, left, done)


def order_tasks(tasks: list[dict], order: str = "input", *, seed: int = 0) -> list[dict]:
    """Tasks in push order: as given, by `uncertainty` (lowest prediction score first, the tasks a correction is
    most worth; see `annotation.tasks.task_score`), or `random` (shuffled with `seed`)."""
    if order == "input":
        return list(tasks)
    if order == "uncertainty":
        return sorted(tasks, key=prediction_score)  # stable: equal scores keep their input order
    if order == "random":
        import random

        out = list(tasks)
        random.Random(seed).shuffle(out)
        return out
    raise VnerError(f"unknown order {order!r}; use input, uncertainty or random.")


def prediction_score(task: dict) -> float:
    """The least sure score among a task's predictions; a task without a scored prediction is UNSURE."""
    from ..tasks import UNSURE

    scores = [p["score"] for p in task.get("predictions") or [] if isinstance(p, dict) and p.get("score") is not None]
    return float(min(scores)) if scores else UNSURE


def pull_tasks(client: StudioClient, project: str | int, *, page_size: int = 1000, progress: bool = True) -> list[dict]:
    """Every task of the project (a title, or an id), with annotations and full predictions, in Label Studio's
    JSON export shape."""
    from concurrent.futures import ThreadPoolExecutor

    project_id = project if isinstance(project, int) else client.project_id(project)
    tasks: list[dict] = []
    with (
        progress_bar(enabled=progress, desc=f"pulling {project!r}", unit="task") as bar,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        # The prediction list is the biggest single request: let the server build it while we parse task pages.
        predictions_future = pool.submit(client.predictions_by_task, project_id)
        for page, total in client.iter_task_pages(project_id, include=TASK_LIST_FIELDS, page_size=page_size):
            bar.total = total
            tasks.extend(page)
            bar.update(len(page))
        annotated = {t["id"]: t for t in client.annotated_export(project_id)}
        predictions = predictions_future.result()
    name_annotators(client, annotated.values())
    out = []
    for task in tasks:
        full = annotated.get(task["id"]) or {**task, "annotations": [], "drafts": []}
        full["predictions"] = predictions.get(task["id"], [])
        out.append(full)
    missing = set(annotated) - {t["id"] for t in tasks}
    if missing:  # annotated while we were listing: take them as exported
        out += [{**annotated[i], "predictions": predictions.get(i, [])} for i in sorted(missing)]
    out.sort(key=lambda t: t["id"])
    return out


def name_annotators(client: StudioClient, tasks) -> None:
    """The export names annotators by user id only; give each `completed_by` the user's email too
    (`{"id": 3, "email": ...}`, the shape Label Studio exports when asked for full users), so agreement reports
    and datasets say who annotated."""
    ids = {
        a["completed_by"] for t in tasks for a in t.get("annotations") or [] if isinstance(a.get("completed_by"), int)
    }
    if not ids:
        return
    users = client.call("listing the users", client.sdk.users.list)
    emails = {u.id: u.email for u in users if getattr(u, "email", None)}
    for t in tasks:
        for a in t.get("annotations") or []:
            who = a.get("completed_by")
            if isinstance(who, int) and who in emails:
                a["completed_by"] = {"id": who, "email": emails[who]}


def connect_backend(
    client: StudioClient, project: str, backend_url: str, *, interactive: bool = False, title: str = "vner"
) -> dict:
    """Register the ML backend at `backend_url` with project `project` (Label Studio's `ml.create`), or find it
    already there. Returns {id, project_id, created, state, model_version}."""
    backend_url = backend_url.rstrip("/")
    if not server.health(backend_url):
        raise VnerError(
            f"no ML backend answers at {backend_url}/health; start one with `vner serve` (or fix --backend)."
        )
    project_id = client.project_id(project)
    for ml in client.call(f"listing ML backends of project {project_id}", client.sdk.ml.list, project=project_id):
        if (ml.url or "").rstrip("/") == backend_url:
            return {
                "id": ml.id,
                "project_id": project_id,
                "created": False,
                "state": ml.state,
                "model_version": ml.model_version,
            }
    try:
        ml = client.call(
            f"connecting the ML backend {backend_url} to project {project_id}",
            client.sdk.ml.create,
            project=project_id,
            url=backend_url,
            is_interactive=interactive,
            title=title,
            auto_update=True,
        )
    except VnerError as exc:
        if "reserved" in str(exc) or "blocked" in str(exc).lower():
            raise VnerError(
                f"{exc} — this Label Studio refuses ML backends on local addresses: start it with "
                "ML_BLOCK_LOCAL_IP=false and SSRF_PROTECTION_ENABLED=false in its environment (the "
                "server `vner studio start` runs has both; restart it if it was started by an older vner), "
                "or serve the backend on an address it can reach."
            ) from None
        raise
    return {
        "id": ml.id,
        "project_id": project_id,
        "created": True,
        "state": ml.state,
        "model_version": ml.model_version,
    }


def write_export(tasks: list[dict], output: str | Path) -> Path:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    server.write_atomic(output, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    return output
