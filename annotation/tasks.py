"""Label Studio tasks (import format): a unit's task data (`Unit.to_task_data`, see annotation.unit) plus zero or
more predictions, each a list of regions (`annotation.regions.region`) with a `model_version` and a task score.

    {"data": {"text": ..., "doc_id": ..., "unit": 4, "task_key": ..., "vner": {...}},
     "predictions": [{"model_version": "vner:rules@1.0+dates@1.0", "score": 0.62, "result": [regions]}]}
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .regions import region
from .spans import Span
from .unit import Unit


def task_score(spans: Sequence[Span]) -> float:
    """Task-level confidence for sorting by uncertainty: the least sure region (1.0 when none proposed)."""
    scores = [s.score for s in spans if s.score is not None]
    return round(min(scores), 4) if scores else 1.0


def prediction(spans: Sequence[Span], text: str, model_version: str, score: float | None = None) -> dict:
    """One prediction: regions of `spans` over `text`; `score` defaults to `task_score(spans)`."""
    return {
        "model_version": model_version,
        "score": task_score(spans) if score is None else round(float(score), 4),
        "result": [region(sp, text) for sp in sorted(spans)],
    }


def make_task(unit: Unit, predictions: Iterable[tuple[str, Sequence[Span]]] = ()) -> dict:
    """A Label Studio task for one unit, with zero or more `(model_version, spans)` predictions."""
    task: dict = {"data": unit.to_task_data()}
    preds = [prediction(spans, unit.text, version) for version, spans in predictions]
    if preds:
        task["predictions"] = preds
    return task


def write_tasks(tasks: Iterable[dict], path: str | Path) -> Path:
    """Tasks as a JSON list (what `vner studio push` and Label Studio's import read), written as they come (any
    iterable: a stream of tasks is never held whole) into a temporary file renamed into place at the end, so a
    failure never leaves half a file. The bytes are those of `json.dumps(list(tasks), ensure_ascii=False,
    indent=1)` plus a newline."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    encode = json.JSONEncoder(ensure_ascii=False, indent=1).encode
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("[")
            n = 0
            for task in tasks:
                # an item of a list dumped with indent=1 is the item dumped alone, one level deeper (JSON strings
                # hold no raw newline, so every newline is a line break of the layout)
                f.write(("\n " if n == 0 else ",\n ") + encode(task).replace("\n", "\n "))
                n += 1
            f.write("\n]\n" if n else "]\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
