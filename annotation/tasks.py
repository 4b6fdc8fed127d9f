"""Label Studio tasks (import format): a unit's task data (`Unit.to_task_data`, see annotation.unit) plus zero or
more predictions, each a list of regions (`annotation.regions.region`) with a `model_version` and a task score.

    {"data": {"text": ..., "doc_id": ..., "unit": 4, "task_key": ..., "vner": {...}},
     "predictions": [{"model_version": "vner:rules@1.1+dates@1.1", "score": 0.62, "result": [regions]}]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .regions import region
from .spans import Proposal, Span
from .unit import Unit

# The score of a task on which nothing was proposed and no pre-annotator vouched for any word (rules and dates
# alone, no entity found): as likely to hide a missed entity as not. News paragraphs rarely hold no entity, so an
# empty pre-annotation is not a sure one.
UNSURE = 0.5


def task_score(spans: Sequence[Span], word_confidence: Sequence[float | None] = ()) -> float:
    """How sure the pre-annotation of a task is (0-1), for sorting: the lowest scores are the tasks a correction
    is most worth. The least sure thing proposed for the task: its least sure region (rules: how often that rule
    is right; a model: the probability of its least sure word), and, where a model tags the task, the least sure
    of ALL its words, O included (a word the model barely calls O may be a missed entity). A task with no region
    and no word confidence scores UNSURE (0.5), not 1.0. Spans without a score (manual regions) count as sure."""
    values = [s.score for s in spans if s.score is not None] + [c for c in word_confidence if c is not None]
    if values:
        return round(float(min(values)), 4)
    return 1.0 if spans else UNSURE


def prediction(spans: Sequence[Span] | Proposal, text: str, model_version: str, score: float | None = None) -> dict:
    """One prediction: regions of `spans` (or of a `Proposal`) over `text`; `score` defaults to `task_score`."""
    confidence: Sequence[float | None] = ()
    if isinstance(spans, Proposal):
        spans, confidence = spans.spans, spans.word_confidence
    return {
        "model_version": model_version,
        "score": task_score(spans, confidence) if score is None else round(float(score), 4),
        "result": [region(sp, text) for sp in sorted(spans)],
    }


def make_task(unit: Unit, predictions: Iterable[tuple[str, Sequence[Span] | Proposal]] = ()) -> dict:
    """A Label Studio task for one unit, with zero or more `(model_version, spans or Proposal)` predictions."""
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
