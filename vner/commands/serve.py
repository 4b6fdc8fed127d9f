"""`vner serve`: the Label Studio ML backend (vner/backend.py); `vner studio connect` registers it with a project."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="run a Label Studio ML backend: predictions from vner's stack, retrained from the annotations",
        description="A Label Studio ML backend (/health, /setup, /predict, /webhook) on 127.0.0.1 (it has no "
        "authentication: another --host is reachable by anyone on that network). It predicts with "
        "--model and/or --annotators (combined as `vner preannotate` does), counts annotation events and, after "
        "--train-every of them or on Start Training, fine-tunes from the base model in the background (`vner "
        "train` in a subprocess), compares the new model with the serving one on held-out annotated tasks (strict "
        "F1) and switches only if it is not worse (model_version changes). Connect it with `vner studio connect`.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", metavar="DIR", help="a `vner train` folder to predict with (needs vner[train])")
    p.add_argument(
        "--annotators",
        default="rules,dates",
        help="pre-annotators combined with the model: rules, dates, crf, gazetteer:PATH; `none` for the model alone",
    )
    p.add_argument(
        "--model-mode",
        default="override",
        metavar="MODE",
        help="how the model meets the rules: override, fill-gaps, threshold:P (see `vner preannotate`)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=9090, help="port to listen on")
    p.add_argument(
        "--train-every",
        type=int,
        default=10,
        metavar="N",
        help="start a training run after N new, changed or deleted annotations (0: only on Start Training)",
    )
    p.add_argument(
        "--base-model",
        metavar="NAME_OR_DIR",
        help="what every run fine-tunes from (default: the --model's own base, else vinai/phobert-base)",
    )
    p.add_argument(
        "--train-args",
        default="",
        metavar="'ARGS'",
        help="extra `vner train` arguments, one quoted string (e.g. '--num_train_epochs 3 "
        "--learning_rate 3e-5'); default: vner train's recipe",
    )
    p.add_argument(
        "--heldout",
        type=float,
        default=0.2,
        help="share of annotated tasks held out to compare the new model with the serving one (between 0 and 1)",
    )
    p.add_argument(
        "--workdir",
        default="models/serve",
        help="runs (pulled data, dataset, training log, scores: runs/NNNN/, runs/summary.jsonl) and models",
    )
    p.add_argument(
        "--url",
        help="Label Studio to pull annotations from (default: $LABEL_STUDIO_URL, else what "
        "Label Studio says at /setup when it is on this machine (127.0.0.1, ::1, localhost), else the local "
        "server); a Label Studio on another machine needs --url: no token goes to a host a request names",
    )
    p.add_argument(
        "--api-key",
        help="its token (default: $LABEL_STUDIO_API_KEY, else the token Label Studio "
        "sends at /setup, else the local server's; prefer the variable: a flag shows in `ps` to other users)",
    )
    p.add_argument("--device", help="cpu, cuda, ... for the model (default: cuda if available)")
    p.add_argument("--batch-size", type=int, default=32, help="sentences per model batch")
    p.set_defaults(func=_serve)


def register_connect(studio_sub) -> None:
    """`vner studio connect` (registered under `vner studio`)."""
    c = studio_sub.add_parser(
        "connect",
        help="connect a `vner serve` backend to a project (predictions and training in Label Studio)",
        description="Register an ML backend with a project (Label Studio's ml.create): Label Studio then asks it for "
        "predictions (Data Manager > Retrieve Predictions, or automatically when annotators open tasks) and sends "
        "it annotation events (webhooks) to learn from. Reuses the connection if the project already has it.",
    )
    c.add_argument("--project", required=True, help="project title")
    c.add_argument("--backend", default="http://127.0.0.1:9090", help="URL of the backend (`vner serve`)")
    c.add_argument(
        "--interactive",
        action="store_true",
        help="also predict interactively while annotating (Label Studio's Auto-Annotation)",
    )
    c.add_argument("--title", default="vner", help="the backend's name in the project settings")
    c.add_argument("--url", help="Label Studio URL (default: $LABEL_STUDIO_URL, else the local server)")
    c.add_argument(
        "--api-key",
        help="API token (default: $LABEL_STUDIO_API_KEY, else the local server's; prefer the variable: a flag "
        "shows in `ps` to other users)",
    )
    c.add_argument("--retries", type=int, default=5, help="tries per request on connection errors/5xx (default: 5)")
    c.set_defaults(func=_connect)


def _serve(args) -> int:
    import logging
    import os
    import shlex

    from annotation.errors import VnerError
    from vner.api import split_specs
    from vner.backend import ServeConfig, serve

    annotators = [] if args.annotators.strip().lower() in ("", "none") else split_specs(args.annotators)
    if any(s.startswith("model:") for s in annotators):
        raise VnerError("pass the model with --model DIR (the one a training run replaces), not in --annotators.")
    cfg = ServeConfig(  # checks --train-every and --heldout
        model=args.model,
        annotators=annotators,
        model_mode=args.model_mode,
        workdir=args.workdir,
        train_every=args.train_every,
        base_model=args.base_model,
        train_args=shlex.split(args.train_args),
        heldout=args.heldout,
        url=args.url or os.environ.get("LABEL_STUDIO_URL"),
        api_key=args.api_key or os.environ.get("LABEL_STUDIO_API_KEY"),
        device=args.device,
        batch_size=args.batch_size,
    )
    if not args.verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    serve(cfg, host=args.host, port=args.port, log_level="debug" if args.verbose else "info")
    return 0


def _connect(args) -> int:
    from annotation.studio.client import RetryPolicy, connect, connect_backend

    client = connect(args.url, args.api_key, retry=RetryPolicy(attempts=max(1, args.retries)))
    res = connect_backend(client, args.project, args.backend, interactive=args.interactive, title=args.title)
    print(
        f"project {args.project!r} (id {res['project_id']}) at {client.url}: backend {args.backend} "
        f"{'connected' if res['created'] else 'already connected'} (id {res['id']}, state {res['state']}, "
        f"model_version {res['model_version']!r})"
    )
    print(
        f"  predictions: Data Manager > select tasks > Actions > Retrieve Predictions, at "
        f"{client.url}/projects/{res['project_id']}/data"
    )
    print("  training: after the backend's --train-every annotations, or Settings > Model > Start Training")
    return 0
