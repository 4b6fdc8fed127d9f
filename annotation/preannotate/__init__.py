"""Pluggable pre-annotators: propose PER/ORG/LOC/DATE spans for annotators to correct in Label Studio.

A pre-annotator is any object with a `name`, a `version` and `annotate(sentences) -> list[list[Span]]`
(one list per sentence, offsets relative to `sentence.text`). Built in, by spec:

    rules            capitalisation-aware rules + lexicons (annotation/lexicons/)      rules.py
    dates            Vietnamese calendar-expression grammar                              dates.py
    crf              underthesea's CRF NER mapped to PER/ORG/LOC (MISC dropped)         crf.py
    gazetteer:PATH   exact matches of a `LABEL<TAB>name` file                           gazetteer.py

`model:DIR` (a fine-tuned model) comes from the training side and is resolved by the CLI, so this package
never imports training/ or torch.

Several pre-annotators are merged by `combine` with one precedence (PRECEDENCE below): a span from a
stronger source wins any overlap; between spans from the same source the longer wins, then the higher score.
The output never holds two overlapping spans.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

from ..errors import VnerError
from ..schema import ENTITY_TYPES
from ..spans import Span, SpanError, check_spans
from ..tasks import Granularity, make_task, task_units
from ..text import Document, Sentence


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
        raise VnerError("`model:DIR` pre-annotators are loaded by the vner CLI (they need the training extras).")
    raise VnerError(f"unknown pre-annotator {spec!r}; use rules, dates, crf, gazetteer:PATH or model:DIR.")


def model_version(preannotators: Sequence[Preannotator]) -> str:
    """`vner-preannotate:rules+dates@1.0+1.0`: which annotators, at which versions."""
    names = "+".join(a.name for a in preannotators)
    versions = "+".join(a.version for a in preannotators)
    return f"vner-preannotate:{names}@{versions}"


@dataclass
class PreannotateStats:
    docs: int = 0
    sentences: int = 0
    tasks: int = 0
    spans: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        per_type = ", ".join(f"{t} {self.spans.get(t, 0)}" for t in ENTITY_TYPES)
        rate = self.sentences / self.seconds if self.seconds > 0 else float("inf")
        return (
            f"{self.docs} docs, {self.sentences} sentences, {self.tasks} tasks, "
            f"{sum(self.spans.values())} spans ({per_type}), {rate:.0f} sentences/s"
        )


def preannotate_documents(
    docs: Sequence[Document],
    preannotators: Sequence[Preannotator],
    granularity: Granularity = "paragraph",
    segmenter: str = "",
    progress: bool = False,
    chunk_size: int = 256,
) -> tuple[list[dict], PreannotateStats]:
    """Label Studio tasks (one per unit of `granularity`) with one prediction holding the combined spans."""
    stats = PreannotateStats(docs=len(docs))
    version = model_version(preannotators)
    t0 = time.perf_counter()
    per_doc = [d.sentences() for d in docs]
    flat = [s for sents in per_doc for s in sents]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(flat), unit="sent", desc="pre-annotating")
    flat_spans: list[list[Span]] = []
    for k in range(0, len(flat), chunk_size):  # chunks: batched model annotators, a live progress bar
        chunk = flat[k : k + chunk_size]
        flat_spans.extend(combine(preannotators, chunk))
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    tasks: list[dict] = []
    pos = 0
    for doc, sentences in zip(docs, per_doc):
        spans = flat_spans[pos : pos + len(sentences)]
        pos += len(sentences)
        stats.sentences += len(sentences)
        for unit in task_units(doc, granularity, segmenter):
            unit_spans: list[Span] = []
            for k, (s, e) in enumerate(unit.sentence_spans):
                sent = sentences[unit.first_sentence + k]
                if unit.text[s:e] != sent.text:  # the offset map promises this; fail loudly if it ever breaks
                    raise VnerError(f"document {doc.doc_id}: sentence {sent.index} does not line up with its task text.")
                unit_spans.extend(sp.shifted(s) for sp in spans[sent.index])
            stats.spans.update(sp.label for sp in unit_spans)
            tasks.append(make_task(unit, [(version, unit_spans)]))
    stats.tasks = len(tasks)
    stats.seconds = time.perf_counter() - t0
    return tasks, stats


__all__ = [
    "DEFAULT_ANNOTATORS",
    "PRECEDENCE",
    "PreannotateStats",
    "Preannotator",
    "combine",
    "make_preannotator",
    "model_version",
    "preannotate_documents",
    "resolve_overlaps",
]
