"""Shared fixtures. `studio`: one real Label Studio server for the whole test session.

It is installed on first use into the project's `.studio/venv` (one time, ~2 min) and started from the migrated
template (`.studio/template`, made once, ~1-2 min) over a throw-away copy of its data dir, on a free port of
127.0.0.1. If it cannot start, every test that needs it fails (never skips): the round trip through Label Studio
is the point of those tests. Only `VNER_SKIP_STUDIO=1`, set on purpose and outside CI, skips them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Studio:
    url: str
    token: str
    log_file: Path
    data_dir: Path
    username: str = ""  # the login of the browser tests
    password: str = ""


@pytest.fixture(scope="session")
def studio(tmp_path_factory) -> Studio:
    from annotation.errors import VnerError
    from annotation.studio import server

    if os.environ.get("VNER_SKIP_STUDIO") == "1":
        if os.environ.get("CI"):
            pytest.fail("VNER_SKIP_STUDIO=1 is not allowed in CI: the Label Studio tests must run.")
        pytest.skip("VNER_SKIP_STUDIO=1: Label Studio tests skipped on request")
    home = server.studio_home(os.environ.get("VNER_STUDIO_HOME") or REPO / ".studio")
    root = tmp_path_factory.mktemp("studio")
    data_dir, log_file = root / "data", root / "server.log"
    token, password = server.new_token(), server.new_token()
    try:
        info = server.launch(home, data_dir, token=token, password=password, log_file=log_file, progress=False)
    except VnerError as exc:
        pytest.fail(f"Label Studio could not be installed/started for the tests: {exc}", pytrace=False)
    try:
        yield Studio(info.url, token, log_file, data_dir, info.username, password)
    finally:
        server.stop_pid(info.pid)
