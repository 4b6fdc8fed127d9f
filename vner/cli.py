"""The `vner` command: one entry point, one subcommand per pipeline step.

Each module in COMMAND_MODULES has `register(subparsers)`; modules import their heavy libraries (torch,
transformers, underthesea) inside the command, so `vner --help` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from annotation.errors import VnerError

COMMAND_MODULES = [
    "vner.commands.annotate",
    "vner.commands.dataset",
    "vner.commands.studio",
    "vner.commands.tiny",
    "vner.commands.training",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vner",
        description="Vietnamese NER toolkit: pre-annotate, correct in Label Studio, build datasets, "
        "fine-tune PhoBERT, evaluate, predict, publish.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command module not written yet
        module.register(sub)
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
    except KeyboardInterrupt:
        print(f"vner {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
