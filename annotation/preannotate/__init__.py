"""Pluggable pre-annotators: propose PER/ORG/LOC/DATE spans for annotators to correct in Label Studio.

A pre-annotator is any object with a `name`, a `version` and `annotate(sentences) -> list[list[Span]]`
(one list per sentence, offsets relative to `sentence.text`). Built in, by spec:

    rules            capitalisation-aware rules + lexicons (annotation/lexicons/)      rules.py
    dates            Vietnamese calendar-expression grammar                              dates.py
    crf              underthesea's CRF NER mapped to PER/ORG/LOC (MISC dropped)         crf.py
    gazetteer:PATH   exact matches of a `LABEL<TAB>name` file                           gazetteer.py

    model:DIR        a model fine-tuned by `vner train` (training/predict.py; needs `vner[train]`)

`model:DIR` lives on the training side and is added by `vner.load_preannotators` (the composition layer that
the CLI and the ML backend use), so this package never imports training/ or torch.

Several pre-annotators are merged by `combine` with one precedence (PRECEDENCE below): a span from a
stronger source wins any overlap; between spans from the same source the longer wins, then the higher score.
The output never holds two overlapping spans.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..errors import VnerError
from ..progress import progress_bar
from ..schema import ENTITY_TYPES
from ..spans import Span, SpanError, check_spans
from ..stream import DocumentPart
from ..tasks import make_task
from ..text import Document
from ..unit import Granularity, Sentence, Unit, units_at


@runtime_checkable
class Preannotator(Protocol):
    name: str  # short id: "rules", "dates", "crf", "gazetteer", "model"
    version: str  # goes into the task's model_version

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        """One list of spans per sentence; offsets relative to `sentence.text`."""
        ...


# Lower rank wins an overlap. A user's gazetteer is an explicit instruction; a trained model has seen
# corrected data; the date grammar is near-exact on its narrow type; the rules are broad; the CRF is weak
# on news text (entity F1 under 0.5), so it only fills gaps.
PRECEDENCE: dict[str, int] = {"gazetteer": 0, "model": 1, "dates": 2, "rules": 3, "crf": 4}

DEFAULT_ANNOTATORS = ("rules", "dates")


def resolve_overlaps(spans: Iterable[Span], rank: Callable[[Span], int] = lambda s: 0, tiebreak: Callable[[Span], int] = lambda s: 0) -> list[Span]:
    """Keep a non-overlapping subset, greedily in this order: lowest `rank`, longest, lowest `tiebreak`,
    highest score, leftmost."""
    ordered = sorted(spans, key=lambda s: (rank(s), -(s.end - s.start), tiebreak(s), -(s.score or 0.0), s.start, s.label))
    kept: list[Span] = []
    for sp in ordered:
        if all(sp.end <= k.start or sp.start >= k.end for k in kept):
            kept.append(sp)
    return sorted(kept)


def _source_name(span: Span) -> str:
    return (span.source or "").split(":", 1)[0]


def combine(preannotators: Sequence[Preannotator], sentences: Sequence[Sentence]) -> list[list[Span]]:
    """Run every pre-annotator over `sentences` and merge their spans by PRECEDENCE, then length.

    Each span keeps its `source` (`<annotator>:<rule>`); spans an annotator returns without a source are
    stamped with the annotator's name. Unknown annotator names rank after the built-in ones.
    """
    per_annotator = []
    for ann in preannotators:
        out = ann.annotate(sentences)
        if len(out) != len(sentences):
            raise VnerError(f"pre-annotator {ann.name!r} returned {len(out)} span lists for {len(sentences)} sentences.")
        per_annotator.append((ann, out))
    merged: list[list[Span]] = []
    for i, sent in enumerate(sentences):
        candidates: list[Span] = []
        for ann, out in per_annotator:
            for sp in out[i]:
                if not sp.source or not sp.source.startswith(ann.name):
                    sp = Span(sp.start, sp.end, sp.label, sp.score, f"{ann.name}:{sp.source}" if sp.source else ann.name)
                candidates.append(sp)
        kept = resolve_overlaps(candidates, rank=lambda s: PRECEDENCE.get(_source_name(s), len(PRECEDENCE)))
        try:
            check_spans(sent.text, kept)
        except SpanError as exc:
            who = exc.span.source if exc.span is not None and exc.span.source else "a pre-annotator"
            raise VnerError(f"document {sent.doc_id}, sentence {sent.index}: {who} proposed a bad span: {exc}") from None
        merged.append(kept)
    return merged


def make_preannotator(spec: str) -> Preannotator:
    """A built-in pre-annotator from its spec: `rules`, `dates`, `crf` or `gazetteer:PATH`."""
    name, _, arg = spec.strip().partition(":")
    if name == "rules" and not arg:
        from .rules import RuleTagger

        return RuleTagger()
    if name == "dates" and not arg:
        from .dates import DateTagger

        return DateTagger()
    if name == "crf" and not arg:
        from .crf import UndertheseaCRF

        return UndertheseaCRF()
    if name == "gazetteer":
        if not arg:
            raise VnerError("gazetteer needs a file: `gazetteer:PATH` (lines `LABEL<TAB>name`).")
        from .gazetteer import Gazetteer

        return Gazetteer(arg)
    if name == "model":
        raise VnerError(f"{spec}: a model pre-annotator comes from the training side; use "
                        "`vner.load_preannotators` (or `training.predict.ModelAnnotator`), which add it.")
    raise VnerError(f"unknown pre-annotator {spec!r}; use rules, dates, crf, gazetteer:PATH or model:DIR.")


def model_version(preannotators: Sequence[Preannotator]) -> str:
    """The one `model_version` of vner's predictions: `vner:rules@1.0+dates@1.0`, `vner:model@run1-1a2b3c4d`.
    Label Studio skips tasks that already hold a prediction of the current version, so it changes whenever an
    annotator (or a model's weights) changes."""
    return "vner:" + "+".join(f"{a.name}@{a.version}" for a in preannotators)


def annotate_units(units: Sequence[Unit], preannotators: Sequence[Preannotator], *, progress: bool = False,
                   chunk_size: int = 256) -> list[list[Span]]:
    """The one annotation path: the combined spans of `preannotators` for each unit, in unit-text offsets.
    Every sentence of every unit is annotated in chunks (batched model annotators, a live progress bar)."""
    sentences, owners = [], []
    for k, unit in enumerate(units):
        for j, sent in enumerate(unit.sentences()):
            sentences.append(sent)
            owners.append((k, unit.sentence_spans[j][0]))
    per_unit: list[list[Span]] = [[] for _ in units]
    with progress_bar(total=len(sentences), enabled=progress, unit="sent", desc="pre-annotating") as bar:
        for i in range(0, len(sentences), chunk_size):
            chunk = sentences[i : i + chunk_size]
            for (k, offset), spans in zip(owners[i : i + chunk_size], combine(preannotators, chunk)):
                per_unit[k].extend(sp.shifted(offset) for sp in spans)
            bar.update(len(chunk))
    return per_unit


@dataclass
class PreannotateStats:
    docs: int = 0
    sentences: int = 0
    tasks: int = 0
    spans: Counter = field(default_factory=Counter)
    seconds: float = 0.0  # end to end for the CLI (loading, segmentation, pre-annotation, writing)

    def summary(self) -> str:
        per_type = ", ".join(f"{t} {self.spans.get(t, 0)}" for t in ENTITY_TYPES)
        rate = self.sentences / self.seconds if self.seconds > 0 else float("inf")
        return (
            f"{self.docs} docs, {self.sentences} sentences, {self.tasks} tasks, "
            f"{sum(self.spans.values())} spans ({per_type}), {rate:.0f} sentences/s"
        )


def preannotate_stream(
    parts: Iterable[DocumentPart | Document],
    preannotators: Sequence[Preannotator],
    granularity: Granularity = "paragraph",
    *,
    stats: PreannotateStats | None = None,
    batch_sentences: int = 1024,
    on_part: Callable[[DocumentPart], None] | None = None,
) -> Iterator[dict]:
    """Label Studio tasks (one per unit of `granularity`, each with one prediction holding the combined spans)
    for a stream of documents or document parts (`annotation.stream.iter_document_parts`), in order, holding
    at most about `batch_sentences` sentences (plus one document at document granularity). A document's paragraphs
    become task units in `units_at`, part by part (a whole document at document granularity). `stats` is
    updated as tasks are made; `on_part` is called with each part once it is read (progress)."""
    stats = stats if stats is not None else PreannotateStats()
    version = model_version(preannotators)
    buffer: list[Unit] = []
    n_buffered = 0
    whole: list[Unit] = []  # document granularity: the current document's paragraphs

    def flush() -> Iterator[dict]:
        nonlocal n_buffered
        found = annotate_units(buffer, preannotators)
        for unit, spans in zip(buffer, found):
            stats.tasks += 1
            stats.sentences += len(unit.sentence_spans)
            stats.spans.update(sp.label for sp in spans)
            yield make_task(unit, [(version, spans)])
        buffer.clear()
        n_buffered = 0

    for part in parts:
        if isinstance(part, Document):
            part = DocumentPart(part, part.paragraphs, True, 0)
        if granularity == "document":
            whole.extend(part.paragraphs)
            units = units_at(whole, granularity) if part.last else []
            if part.last:
                whole = []
        else:
            units = units_at(part.paragraphs, granularity)
        if part.last:
            stats.docs += 1
        buffer.extend(units)
        n_buffered += sum(len(u.sentence_spans) for u in units)
        if on_part is not None:
            on_part(part)
        if n_buffered >= batch_sentences:
            yield from flush()
    if buffer:
        yield from flush()


def preannotate_documents(
    docs: Sequence[Document],
    preannotators: Sequence[Preannotator],
    granularity: Granularity = "paragraph",
    progress: bool = False,
) -> tuple[list[dict], PreannotateStats]:
    """Label Studio tasks (one per unit of `granularity`) with one prediction holding the combined spans, for
    documents in memory (`preannotate_stream` over them)."""
    t0 = time.perf_counter()
    stats = PreannotateStats()
    total = sum(len(p.sentence_spans) for d in docs for p in d.paragraphs)
    with progress_bar(total=total, enabled=progress, unit="sent", desc="pre-annotating") as bar:
        tasks = []
        for task in preannotate_stream(docs, preannotators, granularity, stats=stats):
            tasks.append(task)
            bar.update(len(task["data"]["vner"]["sentences"]))
    stats.seconds = time.perf_counter() - t0
    return tasks, stats


__all__ = [
    "DEFAULT_ANNOTATORS",
    "PRECEDENCE",
    "PreannotateStats",
    "Preannotator",
    "combine",
    "make_preannotator",
    "annotate_units",
    "model_version",
    "preannotate_documents",
    "preannotate_stream",
    "resolve_overlaps",
]
