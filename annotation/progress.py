"""The one progress bar of vner: tqdm on stderr, only when stderr is a terminal (logs and CI get none), at most
two updates a second, removed when done unless asked to stay. Long steps use it from their first second."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any


def progress_bar(iterable: Iterable | None = None, *, enabled: bool = True, **kwargs: Any):
    from tqdm import tqdm

    kwargs.setdefault("mininterval", 0.5)
    kwargs.setdefault("leave", False)
    kwargs.setdefault("dynamic_ncols", True)
    # disable=None: tqdm turns itself off when the stream is not a terminal
    return tqdm(iterable, disable=None if enabled else True, file=sys.stderr, **kwargs)
