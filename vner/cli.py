"""The `vner` command: one entry point, one subcommand per pipeline step.

Each module in COMMAND_MODULES has `register(subparsers)`; modules import their heavy libraries (torch,
transformers, underthesea) inside the command, so `vner --help` stays fast and the annotation commands run
without the training extra.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from annotation.errors import VnerError

from . import __version__

COMMAND_MODULES = [
    "vner.commands.annotate",
    "vner.commands.dataset",
    "vner.commands.agreement",
    "vner.commands.serve",
    "vner.commands.studio",
    "vner.commands.tiny",
    "vner.commands.training",
]
TRAINING_EXTRA = {"torch", "transformers", "accelerate", "safetensors"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vner",
        description="Vietnamese NER toolkit: pre-annotate, correct in Label Studio, build datasets, "
        "fine-tune PhoBERT, evaluate, predict, publish.",
    )
    parser.add_argument("--version", action="version", version=f"vner {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    try:
        return int(args.func(args) or 0)
    except VnerError as exc:
        print(f"vner {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in TRAINING_EXTRA:
            raise
        print(
            f"vner {args.command}: error: needs the training extra ({exc.name} is not installed); install it with "
            "`pip install 'vner[train]'` (with the CPU build of torch: `pip install torch==2.13.0` first).",
            file=sys.stderr,
        )
        return 2
    except ImportError as exc:  # a version guard (e.g. transformers too old): its message says what to install
        if "pip install" not in str(exc):
            raise
        print(f"vner {args.command}: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"vner {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
