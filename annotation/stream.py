"""Many text files through loading and word segmentation: in file order, in bounded memory, on all cores.

`iter_document_parts(paths, ...)` reads one file at a time (`read_text_file`, `normalise_text`,
`prepare_document`), cuts its paragraphs into jobs of about `JOB_CHARS` characters, analyses the jobs (words
and sentences: `analyse_paragraph`) in a process pool of `workers` processes with at most `window` jobs in
flight, and yields `DocumentPart`s: runs of consecutive paragraphs of one document as `Unit`s, in input order.
Memory holds one file's text plus the jobs in flight, whatever the number or size of the files; the output is
the same for any number of workers. `iter_documents` joins the parts of each document into a whole `Document`
(what `annotation.text.load_documents` returns).

Files found in folders that are empty (or blank) are skipped and reported; a file whose text is the text of an
earlier file (same `document_id`) is skipped and reported; an empty file named on the command line is an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import VnerError
from .text import (
    Analysed,
    Document,
    ParagraphMode,
    SegmentationMode,
    analyse_paragraph,
    iter_text_files,
    normalise_text,
    paragraph_units,
    prepare_document,
    read_text_file,
    segmenter_name,
)
from .unit import Unit

log = logging.getLogger(__name__)

JOB_CHARS = 32_000  # characters of paragraph text per job: large enough to amortise the hand-over to a worker
DEFAULT_WINDOW_PER_WORKER = 3  # jobs in flight per worker: keeps every worker busy, bounds memory


@dataclass
class DocumentPart:
    doc: Document  # the document's header and text; `doc.paragraphs` stays empty here
    paragraphs: list[Unit]  # consecutive paragraphs of the document (paragraph indices are document-wide)
    last: bool  # the document's last part
    nbytes: int  # bytes of the file this part stands for (sums to the file size over its parts)


@dataclass
class LoadReport:
    """What loading decided, one line per file (`Document.describe`), and the files left out, with why."""

    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    modes: Counter = field(default_factory=Counter)  # ("pre-segmented"|"raw", paragraph rule) -> files
    total_bytes: int = 0

    def summary(self, max_lines: int = 20) -> list[str]:
        """Lines to print: every file's line when there are at most `max_lines` files, else one line of counts
        per mode; then every skipped file."""
        if len(self.files) <= max_lines:
            lines = list(self.files)
        else:
            lines = [f"{n} files: {seg}, {rule}" for (seg, rule), n in self.modes.most_common()]
            lines.append("(one line per file with -v)")
        return lines + self.skipped


@dataclass
class _Job:
    doc: Document
    texts: list[str]
    offsets: list[int | None]
    last: bool
    nbytes: int


@dataclass
class TextFiles:
    """The files to read (`iter_text_files`: folders searched recursively for `*.txt`), those named on the command
    line (an empty one is an error; an empty one found in a folder is skipped), and their total size."""

    files: list[Path]
    named: set[Path]
    total_bytes: int


def text_files(paths: Iterable[str | Path] | str | Path | TextFiles) -> TextFiles:
    if isinstance(paths, TextFiles):
        return paths
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    files = iter_text_files(paths)
    return TextFiles(files, {p.resolve() for p in paths if not p.is_dir()}, sum(f.stat().st_size for f in files))


def _jobs(
    files: list[Path],
    named: set[Path],
    report: LoadReport,
    *,
    segmentation: SegmentationMode,
    paragraphs: ParagraphMode,
) -> Iterator[_Job]:
    seen: dict[str, str] = {}
    for path in files:
        explicit = path.resolve() in named
        raw = read_text_file(path, empty_ok=not explicit)
        text = normalise_text(raw)
        size = path.stat().st_size
        doc, pieces = prepare_document(path, text, segmentation=segmentation, paragraphs=paragraphs)
        if not pieces:
            if explicit:
                raise VnerError(
                    f"{path}: no text left after removing blank lines and control characters; remove it or add text."
                )
            report.skipped.append(f"{path}: skipped: the file is empty")
            continue
        # the same text under any name (a copy, a re-download) is one document: two copies would put the same
        # sentences in two splits of a dataset
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if digest in seen:
            report.skipped.append(f"{path}: skipped: the same text as {seen[digest]}")
            continue
        seen[digest] = str(path)
        report.modes[("pre-segmented" if doc.segmented else "raw", doc.paragraph_mode)] += 1
        total = sum(len(t) for t, _ in pieces) or 1
        start, chars, done = 0, 0, 0
        for k, (t, _) in enumerate(pieces):
            chars += len(t)
            if chars >= JOB_CHARS or k == len(pieces) - 1:
                last = k == len(pieces) - 1
                nbytes = size - done if last else size * chars // total
                done += nbytes
                chunk = pieces[start : k + 1]
                yield _Job(doc, [t for t, _ in chunk], [o for _, o in chunk], last, nbytes)
                start, chars = k + 1, 0


# ------------------------------------------------------------------------------------------ the pool

_worker_segmenter = None


def _init_worker(segmenter) -> None:
    global _worker_segmenter
    _worker_segmenter = segmenter


def _analyse(segmented: bool, texts: list[str]) -> list[Analysed]:
    return [analyse_paragraph(t, segmented, _worker_segmenter) for t in texts]


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


BYTES_PER_WORKER = 256 * 1024  # about 10 s of underthesea on one core: below that a worker costs more than it saves


def default_workers(total_bytes: int) -> int:
    """Every core this process may run on, but no more workers than the input keeps busy (starting a worker
    that imports the segmenter takes a few seconds)."""
    return max(1, min(available_cores(), -(-total_bytes // BYTES_PER_WORKER)))


def _pool(workers: int, segmenter):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver/spawn, never fork: the parent may hold threads (a progress bar, torch) that fork would copy
    # half-way; workers import the segmenter once each.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver" and segmenter is None:
        # underthesea (about 4 s and 300 MB to import: it pulls in transformers and torch when they are installed)
        # and its model are loaded once in the fork server and shared by every worker
        ctx.set_forkserver_preload(["annotation._segmenter_preload"])
    return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(segmenter,))


def _picklable(obj) -> bool:
    import pickle

    try:
        pickle.dumps(obj)
    except Exception:
        return False
    return True


def _results(jobs: Iterator[_Job], workers: int, window: int, segmenter) -> Iterator[tuple[_Job, list[Analysed]]]:
    """(job, analysis) in job order; with workers > 1, at most `window` jobs in flight in a process pool."""
    if workers > 1 and segmenter is not None and not _picklable(segmenter):
        log.warning("the segmenter %r cannot be sent to worker processes; segmenting in this process", segmenter)
        workers = 1
    if workers <= 1:
        for job in jobs:
            yield job, [analyse_paragraph(t, job.doc.segmented, segmenter) for t in job.texts]
        return
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(workers, segmenter)
    pending: deque = deque()
    try:
        for job in jobs:
            pending.append((job, pool.submit(_analyse, job.doc.segmented, job.texts)))
            while len(pending) >= window:
                done, fut = pending.popleft()
                yield done, fut.result()
        while pending:
            done, fut = pending.popleft()
            yield done, fut.result()
    except BrokenProcessPool as exc:
        raise VnerError(
            f"a segmentation worker process stopped ({exc}; out of memory?); run again with fewer "
            "workers (--workers 1 segments in this process)."
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def iter_document_parts(
    paths: Iterable[str | Path] | TextFiles,
    *,
    segmentation: SegmentationMode = "auto",
    paragraphs: ParagraphMode = "auto",
    segmenter=None,
    workers: int = 1,
    window: int | None = None,
    report: LoadReport | None = None,
) -> Iterator[DocumentPart]:
    """Parts of every document of `paths` (files, folders searched recursively for `*.txt`), in file order.

    workers: processes segmenting raw text (1: in this process; a custom `segmenter` must then be picklable).
    report: filled with one line per file (`Document.describe`) and the files skipped."""
    report = report if report is not None else LoadReport()
    inputs = text_files(paths)
    report.total_bytes = inputs.total_bytes
    window = window or max(2, DEFAULT_WINDOW_PER_WORKER * workers)
    state: dict[str, tuple[int, int]] = {}  # doc_id -> (paragraphs, sentences) so far
    jobs = _jobs(inputs.files, inputs.named, report, segmentation=segmentation, paragraphs=paragraphs)
    for job, analysed in _results(jobs, workers, window, segmenter):
        doc = job.doc
        n_par, n_sent = state.get(doc.doc_id, (0, 0))
        units = paragraph_units(
            doc,
            list(zip(job.texts, job.offsets)),
            analysed,
            segmenter_name(doc.segmented, segmenter),
            first_index=n_par,
            first_sentence=n_sent,
        )
        n_par += len(units)
        n_sent += sum(len(u.sentence_spans) for u in units)
        if job.last:
            state.pop(doc.doc_id, None)
            line = doc.describe(paragraphs=n_par)
            report.files.append(line)
            log.debug(line)
        else:
            state[doc.doc_id] = (n_par, n_sent)
        yield DocumentPart(doc, units, job.last, job.nbytes)


def iter_documents(paths: Iterable[str | Path], **kwargs) -> Iterator[Document]:
    """Whole documents (`Document.paragraphs` filled) from `iter_document_parts`, in file order."""
    paragraphs: list[Unit] = []
    for part in iter_document_parts(paths, **kwargs):
        paragraphs.extend(part.paragraphs)
        if part.last:
            doc = part.doc
            doc.paragraphs, paragraphs = paragraphs, []
            yield doc
