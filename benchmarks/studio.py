"""Push 10,000 tasks to a real Label Studio and pull them back; print tasks/s for both, per batch size.

    python benchmarks/studio.py                      # throw-away server from .studio/template (installs LS if needed)
    python benchmarks/studio.py --tasks 10000 --batch-sizes 250 1000 2000 --page-size 1000
    python benchmarks/studio.py --url http://host:8080   # an existing server; token from LABEL_STUDIO_API_KEY

Tasks are real seed sentences (with their word spans and a prediction per entity-like span), made distinct per
copy, so payloads have the size of real vner tasks. Each batch size pushes into its own fresh project; the
pull (fields="all": annotations and full predictions) reads the project of the last batch size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from annotation.spans import Span  # noqa: E402
from annotation.studio import server  # noqa: E402
from annotation.studio.client import StudioClient, pull_tasks, push_tasks  # noqa: E402
from annotation.tasks import make_task  # noqa: E402
from annotation.text import load_documents  # noqa: E402
from annotation.unit import units_at  # noqa: E402

NAME = re.compile(r"(?:[A-ZĐ][\wÀ-ỹ]*\s){1,3}[A-ZĐ][\wÀ-ỹ]*")  # runs of capitalised syllables


def make_tasks(n: int) -> list[dict]:
    docs = load_documents([REPO / "seeds" / "000_0b6129e26ca133c0.txt", REPO / "seeds" / "001_18e3242f10aed1ec.txt"])
    units = [u for d in docs for u in units_at(d.paragraphs, "sentence")]
    tasks = []
    for i in range(n):
        u = units[i % len(units)]
        copy = replace(u, doc_id=f"bench{i // len(units):04d}_{u.doc_id}")
        spans = [Span(m.start(), m.end(), "PER", 0.5) for m in NAME.finditer(u.text)]
        tasks.append(make_task(copy, [("bench", spans)]))
    return tasks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--batch-sizes", type=int, nargs="+", default=[250, 1000, 2500])
    ap.add_argument("--page-size", type=int, default=1000)
    ap.add_argument("--url", help="existing Label Studio (default: start a throw-away one)")
    args = ap.parse_args()

    tasks = make_tasks(args.tasks)
    size_mb = len(json.dumps(tasks, ensure_ascii=False).encode()) / 1e6
    print(
        f"{len(tasks)} tasks, {size_mb:.1f} MB of JSON, "
        f"{sum(len(t['predictions'][0]['result']) for t in tasks)} predicted regions"
    )
    pid = None
    tmp = tempfile.TemporaryDirectory(prefix="vner-bench-studio-")
    if args.url:
        url, token = args.url.rstrip("/"), os.environ.get("LABEL_STUDIO_API_KEY", "")
    else:
        token = server.new_token()
        t0 = time.perf_counter()
        info = server.launch(
            server.studio_home(REPO / ".studio"),
            Path(tmp.name) / "data",
            token=token,
            password=server.new_token(),
            log_file=Path(tmp.name) / "server.log",
        )
        pid, url = info.pid, info.url
        print(f"server from the migrated template up in {time.perf_counter() - t0:.1f} s at {url}")
    try:
        client = StudioClient(url, token)
        rows = []
        for bs in args.batch_sizes:
            title = f"bench-{args.tasks}-b{bs}-{int(time.time())}"
            t0 = time.perf_counter()
            res = push_tasks(client, tasks, title, batch_size=bs, progress=False)
            dt = time.perf_counter() - t0
            assert res.imported == len(tasks), res
            rows.append((bs, dt))
            print(f"push  batch {bs:>5}: {dt:6.1f} s  {len(tasks) / dt:7.0f} tasks/s")
        t0 = time.perf_counter()
        res = push_tasks(client, tasks, title, batch_size=args.batch_sizes[-1], progress=False)
        dt_again = time.perf_counter() - t0
        assert res.imported == 0 and res.skipped_existing == len(tasks)
        print(f"re-push (all {len(tasks)} already there, nothing imported): {dt_again:.1f} s")
        t0 = time.perf_counter()
        pulled = pull_tasks(client, title, page_size=args.page_size, progress=False)
        dt_pull = time.perf_counter() - t0
        assert len(pulled) == len(tasks) and all(isinstance(p, dict) for t in pulled for p in t["predictions"])
        print(
            f"pull  page  {args.page_size:>5}: {dt_pull:6.1f} s  {len(pulled) / dt_pull:7.0f} tasks/s "
            "(annotations + full predictions)"
        )
        best = min(rows, key=lambda r: r[1])
        print(
            f"fastest push batch size: {best[0]} ({best[1]:.1f} s); slowest/fastest = "
            f"{max(r[1] for r in rows) / best[1]:.2f}x"
        )
    finally:
        if pid is not None:
            server.stop_pid(pid)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
