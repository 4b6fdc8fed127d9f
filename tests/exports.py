"""Small hand-written Label Studio exports for the dataset/corrections tests."""

from __future__ import annotations

import json

from annotation.regions import region
from annotation.spans import Span
from annotation.tasks import make_task
from annotation.text import split_sentences, whitespace_words
from annotation.unit import Unit

WHEN = "2026-11-01T10:00:00.000000Z"


def unit(text: str, doc_id: str = "doc", index: int = 0, first: int = 0, words=None) -> Unit:
    """A vner task unit; words are whitespace tokens unless given."""
    words = list(words) if words is not None else whitespace_words(text)
    return Unit(doc_id, index, first, text, tuple(split_sentences(text, words)), tuple(words), "test")


def find(text: str, phrase: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Span(start, start + len(phrase), label)


def annotation(text: str, spans, *, who=1, updated=WHEN, cancelled=False, ann_id=1) -> dict:
    return {
        "id": ann_id,
        "completed_by": who,
        "was_cancelled": cancelled,
        "created_at": updated,
        "updated_at": updated,
        "result": [dict(region(sp, text), origin="manual") for sp in spans],
    }


def task(u: Unit, task_id: int, annotations=(), predictions=None) -> dict:
    t = make_task(u, [("test-model", predictions)] if predictions is not None else ())
    t["id"] = task_id
    t["annotations"] = list(annotations)
    t.setdefault("predictions", [])
    return t


def foreign_task(text: str, task_id: int, annotations=(), **data) -> dict:
    return {"id": task_id, "data": {"text": text, **data}, "annotations": list(annotations), "predictions": []}


def write(tmp_path, tasks, name: str = "export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path
