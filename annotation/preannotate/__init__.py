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
The output never holds two overlapping spans. A model may instead only fill the gaps the rules leave, or win
only above a confidence threshold (`set_model_mode`). Every annotation carries the confidence of each word's tag
(`Proposal`), which `annotation.tasks.task_score` turns into the task's score.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..errors import VnerError
from ..progress import progress_bar
from ..schema import ENTITY_TYPES
from ..spans import Proposal, Span, SpanError, check_spans
from ..stream import DocumentPart
from ..tasks import make_task
from ..text import Document
from ..unit import MAX_TASK_CHARS, Granularity, Sentence, Unit, repeated, units_at

log = logging.getLogger(__name__)


@runtime_checkable
class Preannotator(Protocol):
    name: str  # short id: "rules", "dates", "crf", "gazetteer", "model"
    version: str  # goes into the task's model_version

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        """One list of spans per sentence; offsets relative to `sentence.text`."""
        ...


# Optional, for annotators that know how sure they are of every word (a model): `propose(sentences) ->
# list[Proposal]` gives the spans and a confidence per word (O included) in one pass; `combine` uses it when
# present, so task scores can rank tasks by the model's uncertainty over all their words.
#
# Optional `yield_below: float` (set by `set_model_mode`): spans of that annotator scoring under it rank after
# the rules and dates (they only fill gaps); 0 or absent: its normal PRECEDENCE.


# Lower rank wins an overlap. A user's gazetteer is an explicit instruction; a trained model has seen
# corrected data; the date grammar is near-exact on its narrow type; the rules are broad; the CRF is weak
# on news text (entity F1 under 0.5), so it only fills gaps.
PRECEDENCE: dict[str, int] = {"gazetteer": 0, "model": 1, "dates": 2, "rules": 3, "crf": 4}
GAP_RANK = 3.5  # a span that yields (`yield_below`): after gazetteer, dates and rules, before the CRF

DEFAULT_ANNOTATORS = ("rules", "dates")
MODEL_MODES = "override, fill-gaps, threshold:P"


def set_model_mode(annotator: Preannotator, mode: str) -> Preannotator:
    """How a model's spans meet the rules': `override` (the model wins every overlap: PRECEDENCE), `fill-gaps`
    (the model only adds spans where gazetteer, dates and rules proposed nothing), `threshold:P` (a model span
    whose score, the probability of its least sure word, is under P yields to the rules). The mode is part of the
    annotator's version, so the `model_version` of its predictions changes with it."""
    mode = (mode or "override").strip()
    if mode == "override":
        threshold = 0.0
    elif mode == "fill-gaps":
        threshold = 2.0  # above any score: every span yields
    elif mode.startswith("threshold:"):
        try:
            threshold = float(mode.partition(":")[2])
        except ValueError:
            threshold = -1.0
        if not 0.0 <= threshold <= 1.0:
            raise VnerError(f"model mode {mode!r}: the threshold is a probability, e.g. threshold:0.8.")
    else:
        raise VnerError(f"unknown model mode {mode!r}; use {MODEL_MODES}.")
    annotator.yield_below = threshold  # type: ignore[attr-defined]
    if mode != "override":
        annotator.version = f"{annotator.version}~{mode.replace(':', '')}"
    return annotator


def resolve_overlaps(
    spans: Iterable[Span], rank: Callable[[Span], float] = lambda s: 0, tiebreak: Callable[[Span], int] = lambda s: 0
) -> list[Span]:
    """Keep a non-overlapping subset, greedily in this order: lowest `rank`, longest, lowest `tiebreak`,
    highest score, leftmost."""
    ordered = sorted(
        spans, key=lambda s: (rank(s), -(s.end - s.start), tiebreak(s), -(s.score or 0.0), s.start, s.label)
    )
    # kept spans never overlap, so sorted by start they are sorted by end too: a span is free when the kept span
    # starting before its end ends at or before its start (one bisect, not a scan of every kept span)
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Span] = []
    for sp in ordered:
        k = bisect.bisect_left(starts, sp.end)  # kept spans [0, k) start before sp ends
        if k and ends[k - 1] > sp.start:
            continue
        starts.insert(k, sp.start)
        ends.insert(k, sp.end)
        kept.insert(k, sp)
    return kept


def _source_name(span: Span) -> str:
    return (span.source or "").split(":", 1)[0]


def _proposals(ann: Preannotator, sentences: Sequence[Sentence]) -> list[Proposal]:
    propose = getattr(ann, "propose", None)
    out = propose(sentences) if propose is not None else [Proposal(list(s)) for s in ann.annotate(sentences)]
    if len(out) != len(sentences):
        raise VnerError(f"pre-annotator {ann.name!r} returned {len(out)} span lists for {len(sentences)} sentences.")
    return out


def word_confidence(
    sentence: Sentence, proposals: Sequence[Proposal], kept: Sequence[Span]
) -> tuple[float | None, ...]:
    """The merged confidence of each word's tag: the least sure of what any annotator said about the word (its
    word confidence) and of the kept spans covering it; None where nobody said anything."""
    if not any(p.word_confidence for p in proposals):
        return ()
    out: list[float | None] = []
    for k, (ws, we) in enumerate(sentence.word_spans):
        values = [p.word_confidence[k] for p in proposals if p.word_confidence and p.word_confidence[k] is not None]
        values += [sp.score for sp in kept if sp.score is not None and sp.start < we and ws < sp.end]
        out.append(min(values) if values else None)
    return tuple(out)


def combine_proposals(preannotators: Sequence[Preannotator], sentences: Sequence[Sentence]) -> list[Proposal]:
    """Run every pre-annotator over `sentences` and merge their spans by PRECEDENCE, then length; with the merged
    word confidences (`word_confidence`).

    Each span keeps its `source` (`<annotator>:<rule>`); spans an annotator returns without a source are
    stamped with the annotator's name. Unknown annotator names rank after the built-in ones. A span of an
    annotator with `yield_below` (`set_model_mode`) scoring under it ranks GAP_RANK.
    """
    per_annotator = [(ann, _proposals(ann, sentences)) for ann in preannotators]
    yielding = {ann.name: float(getattr(ann, "yield_below", 0.0) or 0.0) for ann in preannotators}

    def rank(sp: Span) -> float:
        name = _source_name(sp)
        if yielding.get(name, 0.0) > 0.0 and (sp.score if sp.score is not None else 1.0) < yielding[name]:
            return GAP_RANK
        return PRECEDENCE.get(name, len(PRECEDENCE))

    merged: list[Proposal] = []
    for i, sent in enumerate(sentences):
        candidates: list[Span] = []
        for ann, out in per_annotator:
            for sp in out[i].spans:
                if not sp.source or not sp.source.startswith(ann.name):
                    sp = Span(
                        sp.start, sp.end, sp.label, sp.score, f"{ann.name}:{sp.source}" if sp.source else ann.name
                    )
                candidates.append(sp)
        kept = resolve_overlaps(candidates, rank=rank)
        try:
            check_spans(sent.text, kept)
        except SpanError as exc:
            who = exc.span.source if exc.span is not None and exc.span.source else "a pre-annotator"
            raise VnerError(
                f"document {sent.doc_id}, sentence {sent.index}: {who} proposed a bad span: {exc}"
            ) from None
        merged.append(Proposal(kept, word_confidence(sent, [out[i] for _, out in per_annotator], kept)))
    return merged


def combine(preannotators: Sequence[Preannotator], sentences: Sequence[Sentence]) -> list[list[Span]]:
    """The merged spans of `combine_proposals` (see there)."""
    return [p.spans for p in combine_proposals(preannotators, sentences)]


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
        raise VnerError(
            f"{spec}: a model pre-annotator comes from the training side; use "
            "`vner.load_preannotators` (or `training.predict.ModelAnnotator`), which add it."
        )
    raise VnerError(f"unknown pre-annotator {spec!r}; use rules, dates, crf, gazetteer:PATH or model:DIR.")


def model_version(preannotators: Sequence[Preannotator]) -> str:
    """The one `model_version` of vner's predictions: `vner:rules@1.1+dates@1.1`, `vner:model@run1-1a2b3c4d`.
    Label Studio skips tasks that already hold a prediction of the current version, so it changes whenever an
    annotator (or a model's weights) changes."""
    return "vner:" + "+".join(f"{a.name}@{a.version}" for a in preannotators)


def annotate_units(
    units: Sequence[Unit], preannotators: Sequence[Preannotator], *, progress: bool = False, chunk_size: int = 256
) -> list[Proposal]:
    """The one annotation path: for each unit, the combined spans of `preannotators` in unit-text offsets and the
    confidence of every word of the unit (`Proposal`; `annotation.tasks.prediction` scores it). Every sentence
    of every unit is annotated in chunks (batched model annotators, a live progress bar)."""
    sentences, owners = [], []
    for k, unit in enumerate(units):
        for j, sent in enumerate(unit.sentences()):
            sentences.append(sent)
            owners.append((k, unit.sentence_spans[j][0]))
    spans: list[list[Span]] = [[] for _ in units]
    confidence: list[list[float | None]] = [[] for _ in units]
    scored = [False] * len(units)
    with progress_bar(total=len(sentences), enabled=progress, unit="sent", desc="pre-annotating") as bar:
        for i in range(0, len(sentences), chunk_size):
            chunk = sentences[i : i + chunk_size]
            for (k, offset), sent, found in zip(
                owners[i : i + chunk_size], chunk, combine_proposals(preannotators, chunk)
            ):
                spans[k].extend(sp.shifted(offset) for sp in found.spans)
                confidence[k].extend(found.word_confidence or [None] * len(sent.word_spans))
                scored[k] = scored[k] or bool(found.word_confidence)
            bar.update(len(chunk))
    return [Proposal(s, tuple(c) if ok else ()) for s, c, ok in zip(spans, confidence, scored)]


@dataclass
class PreannotateStats:
    docs: int = 0
    sentences: int = 0
    tasks: int = 0
    spans: Counter = field(default_factory=Counter)
    seconds: float = 0.0  # end to end for the CLI (loading, segmentation, pre-annotation, writing)
    cut: Counter = field(default_factory=Counter)  # (doc_id, unit index) of each unit cut -> its number of pieces
    repeats: list[tuple[str, int, int]] = field(default_factory=list)  # (doc_id, repeat, first occurrence)
    granularity: str = "paragraph"  # what a cut unit was, for the summary

    def summary(self) -> str:
        per_type = ", ".join(f"{t} {self.spans.get(t, 0)}" for t in ENTITY_TYPES)
        rate = self.sentences / self.seconds if self.seconds > 0 else float("inf")
        notes = ""
        if self.cut:
            notes += f", {len(self.cut)} long {self.granularity}s cut into {sum(self.cut.values())} tasks"
        if self.repeats:
            notes += f", {len(self.repeats)} repeated paragraphs pushed once"
        return (
            f"{self.docs} docs, {self.sentences} sentences, {self.tasks} tasks, "
            f"{sum(self.spans.values())} spans ({per_type}){notes}, {rate:.0f} sentences/s"
        )


def preannotate_stream(
    parts: Iterable[DocumentPart | Document],
    preannotators: Sequence[Preannotator],
    granularity: Granularity = "paragraph",
    *,
    stats: PreannotateStats | None = None,
    max_chars: int | None = MAX_TASK_CHARS,
    drop_repeats: bool = True,
    batch_sentences: int = 1024,
    on_part: Callable[[DocumentPart], None] | None = None,
) -> Iterator[dict]:
    """Label Studio tasks (one per unit of `granularity`, each with one prediction holding the combined spans)
    for a stream of documents or document parts (`annotation.stream.iter_document_parts`), in order, holding
    at most about `batch_sentences` sentences (plus one document at document granularity). A document's paragraphs
    become task units in `units_at`, part by part (a whole document at document granularity).

    Units longer than `max_chars` are cut between sentences into several tasks (None or 0: never); a paragraph
    that repeats an earlier one of its document (in any of its parts) is left out (`drop_repeats`; not at document
    granularity, where the document is one task), so each text is annotated once. Both are counted in `stats`
    (`cut`, `repeats`), which is updated as tasks are made; `on_part` is called with each part once it is read
    (progress)."""
    if not preannotators:
        raise VnerError("no pre-annotator given; name at least one, e.g. rules,dates.")
    if max_chars is not None and max_chars < 0:
        raise VnerError(f"task size limit {max_chars}: give a number of characters, or 0 to never cut tasks.")
    stats = stats if stats is not None else PreannotateStats()
    stats.granularity = granularity
    version = model_version(preannotators)
    buffer: list[Unit] = []
    n_buffered = 0
    whole: list[Unit] = []  # document granularity: the current document's paragraphs
    seen: dict[str, int] = {}  # the current document's paragraph texts -> first occurrence (repeats)

    def flush() -> Iterator[dict]:
        nonlocal n_buffered
        found = annotate_units(buffer, preannotators)
        for unit, proposal in zip(buffer, found):
            stats.tasks += 1
            stats.sentences += len(unit.sentence_spans)
            stats.spans.update(sp.label for sp in proposal.spans)
            yield make_task(unit, [(version, proposal)])
        buffer.clear()
        n_buffered = 0

    for part in parts:
        if isinstance(part, Document):
            part = DocumentPart(part, part.paragraphs, True, 0)
        paragraphs = part.paragraphs
        # A whole document is one task read as written: its repeats stay (dropping one would renumber the
        # sentences after it); the dataset still keeps one example of each repeated sentence.
        if drop_repeats and granularity != "document":
            again = repeated(paragraphs, seen)
            for k, first in sorted(again.items()):
                stats.repeats.append((part.doc.doc_id, k, first))
                log.debug("%s: paragraph %d repeats paragraph %d: pushed once", part.doc.doc_id, k, first)
            paragraphs = [p for p in paragraphs if p.index not in again]
        if granularity == "document":
            whole.extend(paragraphs)
            units = units_at(whole, granularity, max_chars=max_chars) if part.last and whole else []
        else:
            units = units_at(paragraphs, granularity, max_chars=max_chars)
        for u in units:
            if u.part is not None:
                stats.cut[u.doc_id, u.index] += 1
        if part.last:
            stats.docs += 1
            whole, seen = [], {}
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
    *,
    max_chars: int | None = MAX_TASK_CHARS,
    drop_repeats: bool = True,
) -> tuple[list[dict], PreannotateStats]:
    """Label Studio tasks (one per unit of `granularity`) with one prediction holding the combined spans, for
    documents in memory (`preannotate_stream` over them)."""
    t0 = time.perf_counter()
    stats = PreannotateStats()
    total = sum(len(p.sentence_spans) for d in docs for p in d.paragraphs)
    with progress_bar(total=total, enabled=progress, unit="sent", desc="pre-annotating") as bar:
        tasks = []
        for task in preannotate_stream(
            docs, preannotators, granularity, stats=stats, max_chars=max_chars, drop_repeats=drop_repeats
        ):
            tasks.append(task)
            bar.update(len(task["data"]["vner"]["sentences"]))
    stats.seconds = time.perf_counter() - t0
    return tasks, stats


__all__ = [
    "DEFAULT_ANNOTATORS",
    "PRECEDENCE",
    "PreannotateStats",
    "Preannotator",
    "GAP_RANK",
    "MODEL_MODES",
    "Proposal",
    "combine",
    "combine_proposals",
    "set_model_mode",
    "word_confidence",
    "make_preannotator",
    "annotate_units",
    "model_version",
    "preannotate_documents",
    "preannotate_stream",
    "resolve_overlaps",
]
