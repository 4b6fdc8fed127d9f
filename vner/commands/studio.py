"""`vner studio start|stop|status|push|pull|connect`: a local Label Studio, the round trip of tasks through it, and
the ML backend (`vner serve`) connected to a project."""

from __future__ import annotations

import os


def register(sub) -> None:
    p = sub.add_parser(
        "studio",
        help="run a local Label Studio; push tasks to it and pull corrected tasks back",
        description="Start/stop a local Label Studio (installed on first use into .studio/venv; data in "
        ".studio/data; $VNER_STUDIO_HOME moves .studio), push tasks to a project and pull them back as a "
        "Label Studio JSON export. push/pull also work with any Label Studio: --url or LABEL_STUDIO_URL, and "
        "the token from LABEL_STUDIO_API_KEY or --api-key.",
    )
    s = p.add_subparsers(dest="studio_command", metavar="ACTION", required=True)

    start = s.add_parser(
        "start",
        help="start the local Label Studio (installs it on first use)",
        description="Start Label Studio on 127.0.0.1 (a free port unless --port), print the URL "
        "and how to log in. The first run installs label-studio into .studio/venv (~2 min, ~1 GB) "
        "and prepares a migrated database template (~1-2 min); later starts take ~10-20 s.",
    )
    start.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    start.set_defaults(func=_start)

    stop = s.add_parser("stop", help="stop the local Label Studio (SIGTERM, then SIGKILL)")
    stop.set_defaults(func=_stop)

    status = s.add_parser("status", help="is the local Label Studio running, and where")
    status.set_defaults(func=_status)

    for name, helptext in (
        ("push", "import tasks into a project (created if missing); re-running is safe"),
        ("pull", "export every task of a project with annotations and full predictions"),
    ):
        q = s.add_parser(name, help=helptext, description=helptext + ".")
        if name == "push":
            q.add_argument("tasks", help="tasks JSON (from `vner preannotate` / `vner predict`)")
            q.add_argument("--batch-size", type=int, default=2500, help="tasks per import request (default: 2500)")
            q.add_argument(
                "--order",
                choices=["input", "uncertainty", "random"],
                default="input",
                help="which new tasks go first: as in the file (default), uncertainty (lowest prediction "
                "score first: the tasks a correction is most worth), random (--seed)",
            )
            q.add_argument(
                "--limit",
                type=int,
                metavar="N",
                help="push only the next N new tasks (in --order) of a larger pool; run again for more",
            )
            q.add_argument("--seed", type=int, default=0, help="seed of --order random (default: 0)")
            q.add_argument(
                "--setup-project",
                action="store_true",
                help="set up an existing project for annotators as a new one is: the Data Manager view "
                "'Least sure first' (text, prediction score and annotation counts shown, vner's "
                "bookkeeping columns hidden, least sure task first) and the instructions from "
                "annotation/guidelines.md; a project push creates always gets them",
            )
        else:
            q.add_argument("-o", "--output", required=True, help="export JSON to write (input of `vner dataset`)")
            q.add_argument("--page-size", type=int, default=1000, help="tasks per list request (default: 1000)")
        q.add_argument("--project", required=True, help="project title")
        q.add_argument("--url", help="Label Studio URL (default: $LABEL_STUDIO_URL, else the local server)")
        q.add_argument(
            "--api-key",
            help="API token (default: $LABEL_STUDIO_API_KEY, else the local server's; prefer the variable: a flag "
            "shows in `ps` to other users)",
        )
        q.add_argument("--retries", type=int, default=5, help="tries per request on connection errors/5xx (default: 5)")
        q.set_defaults(func=_push if name == "push" else _pull)

    from .serve import register_connect

    register_connect(s)


def _start(args) -> int:
    from annotation.studio import server

    info, started = server.start(port=args.port)
    print(f"Label Studio {'started' if started else 'already running'} at {info.url} (pid {info.pid})")
    print(f"  log in as: {info.username}")
    print(f"  password:  in {info.password_file}")
    print(f"  API token: in {info.token_file}")
    print(f"  for push/pull from another shell: export LABEL_STUDIO_API_KEY=$(cat {os.path.relpath(info.token_file)})")
    print(f"  server log: {info.log_file}; stop with `vner studio stop`")
    return 0


def _stop(args) -> int:
    from annotation.studio import server

    info = server.stop()
    print(f"stopped Label Studio at {info.url} (pid {info.pid})" if info else "Label Studio was not running")
    return 0


def _status(args) -> int:
    from annotation.studio import server

    info = server.running_server(server.studio_home())
    if info is None:
        print("Label Studio is not running (start it with `vner studio start`)")
        return 1
    up = server.health(info.url)
    print(
        f"Label Studio at {info.url} (pid {info.pid}): {'UP' if up else 'not answering /health'}; data {info.data_dir}"
    )
    return 0 if up else 1


def _client(args):
    import logging

    from annotation.studio.client import RetryPolicy, connect

    if not args.verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the progress bar

    return connect(args.url, args.api_key, retry=RetryPolicy(attempts=max(1, args.retries)))


def _push(args) -> int:
    from annotation.errors import VnerError
    from annotation.studio.client import VIEW_TITLE, push_tasks, read_tasks

    tasks = read_tasks(args.tasks)
    client = _client(args)
    if args.limit is not None and args.limit < 0:
        raise VnerError(f"--limit {args.limit}: give a number of tasks (0 or more).")
    res = push_tasks(
        client,
        tasks,
        args.project,
        batch_size=args.batch_size,
        order=args.order,
        limit=args.limit,
        seed=args.seed,
        setup=args.setup_project,
    )
    print(
        f"project {args.project!r} (id {res.project_id}{', created' if res.project_created else ''}) at "
        f"{client.url}: imported {res.imported} tasks, {res.skipped_existing} already there"
        + (f" ({res.refreshed} refreshed with new predictions)" if res.refreshed else "")
    )
    if res.left_for_later:
        print(f"  {res.left_for_later} new tasks left for later (--limit {args.limit}); push again for the next ones")
    if res.duplicates_in_input:
        print(
            f"  {len(res.duplicates_in_input)} tasks repeat a task_key earlier in {args.tasks} and were pushed "
            f"once: {', '.join(res.duplicates_in_input[:5])}{' ...' if len(res.duplicates_in_input) > 5 else ''}"
        )
    if res.setup:
        shown = ", ".join(c.split(":", 1)[1].removeprefix("data.") for c in res.setup.shown_columns)
        print(
            f"  view '{VIEW_TITLE}' (id {res.setup.view_id}{', created' if res.setup.view_created else ', reset'}): "
            f"least sure first; columns {shown} ({len(res.setup.hidden_columns)} hidden); instructions from "
            "annotation/guidelines.md shown before labeling"
        )
    print(f"  annotate at {client.url}/projects/{res.project_id}/data")
    return 0


def _pull(args) -> int:
    from annotation.outputs import check_output
    from annotation.studio.client import pull_tasks, write_export

    check_output(args.output)
    client = _client(args)
    tasks = pull_tasks(client, args.project, page_size=args.page_size)
    out = write_export(tasks, args.output)
    n_ann = sum(1 for t in tasks if any(not a.get("was_cancelled") for a in t.get("annotations") or []))
    print(f"wrote {len(tasks)} tasks ({n_ann} annotated) from project {args.project!r} to {out}")
    return 0
