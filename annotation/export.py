"""Read a Label Studio JSON export back into vner examples (one per sentence) without losing a span silently.

Tasks written by vner (`data.vner`, see tasks.py) carry their sentences and words: they are used as they are,
after checking that the task text is still the text vner wrote (`task_key`). Tasks from any other project
(only `data.text`) are normalised to NFC (annotation offsets follow through the map), split into paragraphs
(lines) and sentences, and segmented with underthesea (whitespace words when the text is pre-segmented).

How each problem is handled (reason code → default / `lenient=True`):

| reason            | what                                             | default | lenient                        |
| ----------------- | ------------------------------------------------ | ------- | ------------------------------ |
| (trimmed)         | span with leading/trailing whitespace            | trimmed, counted in stats            |
| (merged)          | span crossing a sentence boundary                | sentences merged into one example, listed in stats |
| (cancelled)       | task whose annotations were all cancelled        | task skipped, listed in stats        |
| (no annotation)   | task without annotation                          | skipped, listed (or its prediction with use_predictions) |
| (several)         | several annotations on a task                    | latest by updated_at, or one example per annotator |
| out_of_range      | start/end missing, not ints, outside the text    | error   | task skipped, listed           |
| text_mismatch     | `value.text` != text[start:end]                  | error   | task skipped, listed           |
| text_changed      | vner task text/segmentation no longer matches    | error   | task skipped, listed           |
| unknown_label     | label not in the schema                          | error   | sentence skipped, listed       |
| several_labels    | a region with zero or several labels             | error   | sentence skipped, listed       |
| empty_span        | span of whitespace only                          | error   | span listed (nothing to keep)  |
| overlap           | two spans overlap                                | error   | sentence skipped, listed       |
| duplicate         | two tasks give the same document sentence        | error   | first kept, listed             |
| (other config)    | result type / from_name not in the vner config   | error, always (the export is from another project) |

Errors name the file and task ids; nothing is dropped without an issue. Sentence ids are document-level.
`ner_tags` in the examples are BIO label *names* (`"B-PER"`); `build_dataset_dict` encodes them as ids.
"""
from __future__ import annotations

import bisect
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import VnerError
from .schema import ENTITY_TYPES, FROM_NAME, TO_NAME
from .spans import Span, SpanError, spans_to_bio, trim_span
from .tasks import TASK_FORMAT_VERSION, task_key
from .text import Offsets, looks_segmented, nfc_with_offsets, read_text_file, split_paragraphs

ANNOTATION_MODES = ("latest", "per-annotator")
RELABEL_HINT = (
    "label with the config that `vner config` writes (Labels name=\"label\" toName=\"text\" over $text)"
)
REEXPORT_PREDICTIONS_HINT = (
    "re-export with full predictions: POST /api/projects/<id>/exports with "
    "serialization_options {\"predictions\": {\"only_id\": false}}, or list tasks with the SDK "
    "`client.tasks.list(project=<id>, fields=\"all\")`"
)


@dataclass
class ExportIssue:
    file: str
    task_id: int | str | None
    reason: str  # short code, see the table above
    message: str

    def __str__(self) -> str:
        return f"task {self.task_id}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ExportResult:
    examples: list[dict]
    issues: list[ExportIssue]
    stats: dict


@dataclass
class ParsedTask:
    """One task's text (NFC) with sentence and word spans into it (document-level sentence numbering)."""

    task_id: int | str | None
    doc_id: str
    first_sentence: int
    text: str
    sentence_spans: list[Offsets]
    word_spans: list[Offsets]
    original_text: str  # as stored in Label Studio: annotation offsets point here
    offset_map: list[int] | None  # original offset -> `text` offset (None: identical)
    raw: dict = field(repr=False, default_factory=dict)
    # Ranges of `text` whose sentences the last `ExportReader.spans` call found unusable; None: the whole task.
    bad: list[Offsets] | None = field(default_factory=list)


# ------------------------------------------------------------------------------------------ the file


def read_export(path: str | Path) -> list[dict]:
    """The tasks of a Label Studio JSON export, with a one-line VnerError for anything that is not one."""
    path = Path(path)
    text = read_text_file(path, fix="pass the JSON file exported from Label Studio (Export > JSON).")
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VnerError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); "
            "export the project again from Label Studio (Export > JSON)."
        ) from None
    if isinstance(tasks, dict):
        raise VnerError(
            f"{path}: a JSON object, not a Label Studio export (a JSON list of tasks); "
            "export the project from Label Studio with Export > JSON."
        )
    if not isinstance(tasks, list):
        raise VnerError(f"{path}: JSON {type(tasks).__name__}, not a Label Studio export (a JSON list of tasks).")
    if not tasks:
        raise VnerError(f"{path}: the export holds no tasks; import and annotate tasks first.")
    for i, task in enumerate(tasks):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            if isinstance(task, dict) and "text" in task and ("label" in task or "annotator" in task):
                raise VnerError(f"{path}: a JSON-MIN export; export the project as JSON (the full format) instead.")
            raise VnerError(
                f"{path}: item {i} is not a Label Studio task (no `data` object); "
                "pass the JSON export of a Label Studio project (Export > JSON)."
            )
        if not isinstance(task["data"].get("text"), str):
            raise VnerError(
                f"{path}: task {task.get('id', i)} has no `data.text`; the project does not label text with $text — "
                f"{RELABEL_HINT}."
            )
    check_labeling_config(path, tasks)
    return tasks


def check_labeling_config(path: str | Path, tasks: Iterable[dict]) -> None:
    """Every region must come from the vner labeling config; anything else means another project."""
    for task in tasks:
        for kind in ("annotations", "predictions"):
            for item in task.get(kind) or []:
                if not isinstance(item, dict):
                    continue
                for r in item.get("result") or []:
                    if not isinstance(r, dict) or (r.get("type"), r.get("from_name"), r.get("to_name")) != ("labels", FROM_NAME, TO_NAME):
                        what = (
                            f"a {r.get('type')!r} result from {r.get('from_name')!r} to {r.get('to_name')!r}"
                            if isinstance(r, dict) else f"a result that is not an object ({r!r:.40})"
                        )
                        raise VnerError(
                            f"{path}: task {task.get('id')} has {what} in its {kind}; this export comes from a "
                            f"different labeling config — {RELABEL_HINT}."
                        )


def live_annotations(task: dict) -> list[dict]:
    return [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]


def _when(item: dict) -> tuple:
    return (str(item.get("updated_at") or item.get("created_at") or ""), _sortable(item.get("id")))


def _sortable(value) -> tuple:
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


def latest(items: Sequence[dict]) -> dict:
    """The most recently updated annotation/prediction (updated_at, else created_at, then id)."""
    return max(items, key=_when)


def annotator_name(annotation: dict) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    if who is None:
        who = annotation.get("created_username") or ""
    return str(who)


def full_predictions(path: str | Path, task: dict) -> list[dict]:
    preds = task.get("predictions") or []
    if any(not isinstance(p, dict) for p in preds):
        raise VnerError(f"{path}: task {task.get('id')}: predictions were exported as ids only; {REEXPORT_PREDICTIONS_HINT}.")
    return preds


# ------------------------------------------------------------------------------------------ one task


def _ordered_spans(pairs, length: int, what: str) -> list[Offsets]:
    """[[s, e], ...] as tuples, checked: integers, in order, not overlapping, inside the text."""
    out = [(s, e) for s, e in pairs]
    prev = 0
    for s, e in out:
        if not (type(s) is int and type(e) is int and prev <= s < e <= length):
            raise ValueError(f"{what} span {s}-{e} is out of order or outside the text")
        prev = e
    return out


def whitespace_segmenter(text: str) -> list[list[str]]:
    """Each whitespace token is a word (pre-segmented text: `Võ_Văn_Thưởng` is one word)."""
    return [[w] for w in text.split()]


class ExportReader:
    """Turns tasks into `ParsedTask`s, region lists into checked spans and spans into examples, collecting
    issues. The one span parser of `load_export` and `annotation.corrections`."""

    def __init__(self, path: str | Path, *, segmenter=None):
        self.path = str(path)
        self.segmenter = segmenter  # for foreign raw text; None: underthesea, loaded when first needed
        self.issues: list[ExportIssue] = []
        self.stats: dict[str, Any] = {"trimmed_spans": 0, "merged_sentences": [], "dropped_sentences": 0}
        self._foreign_next: dict[str, int] = {}

    def issue(self, pt_or_id, reason: str, message: str, where: Offsets | None = None, *, drop: bool = True) -> None:
        """Record a problem; `drop` marks what `examples` leaves out: the sentences touching `where`, or the
        whole task when `where` is None."""
        task_id = pt_or_id.task_id if isinstance(pt_or_id, ParsedTask) else pt_or_id
        self.issues.append(ExportIssue(self.path, task_id, reason, message))
        if drop and isinstance(pt_or_id, ParsedTask):
            if where is None:
                pt_or_id.bad = None
            elif pt_or_id.bad is not None:
                pt_or_id.bad.append(where)

    # -- text and segmentation

    def parse(self, task: dict) -> ParsedTask | None:
        data = task["data"]
        if isinstance(data.get("vner"), dict):
            return self._parse_vner(task)
        return self._parse_foreign(task)

    def _parse_vner(self, task: dict) -> ParsedTask | None:
        data, meta = task["data"], task["data"]["vner"]
        text, tid = data["text"], task.get("id")
        try:
            if meta.get("version") != TASK_FORMAT_VERSION:
                raise ValueError(f"task format version {meta.get('version')!r}, this vner reads {TASK_FORMAT_VERSION}")
            if data.get("task_key") != task_key(data["doc_id"], data["unit"], text):
                raise ValueError("the text differs from the text vner wrote (task_key hash)")
            sents = _ordered_spans(meta["sentences"], len(text), "sentence")
            words = _ordered_spans(meta["words"], len(text), "word")
            first = int(meta["first_sentence"])
        except (KeyError, TypeError, ValueError) as exc:
            msg = exc.args[0] if isinstance(exc, ValueError) and exc.args else f"missing or malformed {exc}"
            self.issues.append(ExportIssue(self.path, tid, "text_changed",
                                           f"vner task data no longer matches its text: {msg}; re-create the task with `vner preannotate`"))
            return None
        return ParsedTask(tid, str(data["doc_id"]), first, text, sents, words, text, None, task)

    def _parse_foreign(self, task: dict) -> ParsedTask:
        original = task["data"]["text"]
        if unicodedata.is_normalized("NFC", original):
            text, mapping = original, None
        else:
            text, mapping = nfc_with_offsets(original)
        if looks_segmented(text):
            segmenter = whitespace_segmenter
        else:
            if self.segmenter is None:
                from .text import default_segmenter

                self.segmenter = default_segmenter()
            segmenter = self.segmenter
        sents: list[Offsets] = []
        words: list[Offsets] = []
        for p in split_paragraphs(text, segmented=False, segmenter=segmenter):
            off = p.source_offset
            sents += [(s + off, e + off) for s, e in p.sentence_spans]
            words += [(s + off, e + off) for s, e in p.word_spans]
        doc_id = str(task["data"].get("doc_id") or f"task-{task.get('id')}")
        first = self._foreign_next.get(doc_id, 0)
        self._foreign_next[doc_id] = first + len(sents)
        return ParsedTask(task.get("id"), doc_id, first, text, sents, words, original, mapping, task)

    # -- regions

    def spans(self, pt: ParsedTask, results: Sequence[dict], who: str = "") -> list[Span]:
        """Checked spans in `pt.text` offsets from a `result` list. Problems become issues (and mark what
        `examples` must leave out); returned spans never overlap."""
        orig, n = pt.original_text, len(pt.original_text)
        where = f" ({who})" if who else ""
        pt.bad = []
        out: list[Span] = []
        for r in results:
            v = r.get("value") or {}
            start, end, labels = v.get("start"), v.get("end"), v.get("labels")
            if not (type(start) is int and type(end) is int and 0 <= start < end <= n):
                self.issue(pt, "out_of_range", f"span {start}-{end}{where} is outside the text (length {n})")
                continue
            if "text" in v and v["text"] != orig[start:end]:
                self.issue(pt, "text_mismatch", f"span {start}-{end}{where} says {v['text']!r} but the text there is "
                           f"{orig[start:end]!r}; the task text changed after annotation")
                continue
            s, e = (start, end) if pt.offset_map is None else (pt.offset_map[start], pt.offset_map[end])
            if not isinstance(labels, list) or len(labels) != 1:
                self.issue(pt, "several_labels", f"span {start}-{end} {orig[start:end]!r}{where} has labels {labels!r}; "
                           "give each region exactly one label", (s, e))
                continue
            label = labels[0]
            if label not in ENTITY_TYPES:
                self.issue(pt, "unknown_label", f"span {start}-{end} {orig[start:end]!r}{where} has label {label!r}, "
                           f"not in the schema {list(ENTITY_TYPES)}", (s, e))
                continue
            trimmed = trim_span(pt.text, Span(s, e, label, r.get("score")))
            if trimmed is None:
                self.issue(pt, "empty_span", f"span {start}-{end} {label}{where} holds only whitespace", drop=False)
                continue
            if (trimmed.start, trimmed.end) != (s, e):
                self.stats["trimmed_spans"] += 1
            out.append(trimmed)
        out.sort()
        kept: list[Span] = []
        for sp in out:
            if kept and sp.start < kept[-1].end:
                prev = kept[-1]
                self.issue(pt, "overlap", f"span {sp.start}-{sp.end} {sp.label} {pt.text[sp.start:sp.end]!r}{where} overlaps "
                           f"{prev.start}-{prev.end} {prev.label} {pt.text[prev.start:prev.end]!r}",
                           (min(sp.start, prev.start), max(sp.end, prev.end)))
                if sp.end > prev.end:
                    kept[-1] = sp
                continue
            kept.append(sp)
        return kept

    # -- examples

    def sentence_groups(self, pt: ParsedTask, spans: Sequence[Span]) -> list[tuple[int, int, int]]:
        """(first sentence index, last sentence index, ...) groups: a span crossing a sentence boundary merges
        the sentences it touches (sentence splitting is a heuristic; the annotator's span is not)."""
        sents = pt.sentence_spans
        starts = [s for s, _ in sents]
        join = [False] * len(sents)
        for sp in spans:
            i = bisect.bisect_right(starts, sp.start) - 1
            j = bisect.bisect_right(starts, sp.end - 1) - 1
            if j > i >= 0:
                for k in range(i, j):
                    join[k] = True
        groups = []
        i = 0
        while i < len(sents):
            j = i
            while join[j]:
                j += 1
            groups.append((i, j))
            i = j + 1
        return groups

    def examples(self, pt: ParsedTask, spans: Sequence[Span], annotator: str, *, id_suffix: str = "") -> list[dict]:
        bad = pt.bad
        if bad is None:
            return []
        out: list[dict] = []
        sents, words = pt.sentence_spans, pt.word_spans
        wi = si = 0
        used_words = 0
        for i, j in self.sentence_groups(pt, spans):
            gs, ge = sents[i][0], sents[j][1]
            if j > i:
                self.stats["merged_sentences"].append(
                    {"task_id": pt.task_id, "doc_id": pt.doc_id, "sentences": list(range(pt.first_sentence + i, pt.first_sentence + j + 1))}
                )
            while wi < len(words) and words[wi][0] < gs:
                wi += 1
            w0 = wi
            while wi < len(words) and words[wi][1] <= ge:
                wi += 1
            used_words += wi - w0
            while si < len(spans) and spans[si].end <= gs:  # only a span outside every sentence stops here
                self.issue(pt, "outside_sentences", f"span {spans[si].start}-{spans[si].end} lies outside the task's sentences")
                si += 1
            s0 = si
            while si < len(spans) and spans[si].start < ge:
                si += 1
            local_spans = [sp.shifted(-gs) for sp in spans[s0:si]]
            if any(a < ge and b > gs for a, b in bad):
                self.stats["dropped_sentences"] += 1
                continue
            if any(sp.start < 0 or sp.end > ge - gs for sp in local_spans):
                self.issue(pt, "outside_sentences", f"sentence {pt.first_sentence + i}: a span reaches outside the task's sentences", (gs, ge))
                continue
            sentence_text = pt.text[gs:ge]
            try:
                tokens, token_spans, tags = spans_to_bio(sentence_text, [(a - gs, b - gs) for a, b in words[w0:wi]], local_spans)
            except SpanError as exc:
                self.issue(pt, exc.reason, f"sentence {pt.first_sentence + i}: {exc}", (gs, ge))
                continue
            sid = pt.first_sentence + i
            out.append({
                "id": f"{pt.doc_id}:{sid}{id_suffix}",
                "doc_id": pt.doc_id,
                "sentence_id": sid,
                "annotator": annotator,
                "text": sentence_text,
                "tokens": tokens,
                "token_starts": [a for a, _ in token_spans],
                "token_ends": [b for _, b in token_spans],
                "ner_tags": tags,
            })
        for sp in spans[si:]:
            self.issue(pt, "outside_sentences", f"span {sp.start}-{sp.end} lies outside the task's sentences")
        if used_words != len(words):
            self.issue(pt, "text_changed", f"{len(words) - used_words} word(s) lie outside the task's sentences; "
                       "re-create the task with `vner preannotate`")
            return []
        return out


# ------------------------------------------------------------------------------------------ load_export


def load_export(
    path: str | Path,
    *,
    use_predictions: bool = False,
    annotations: str = "latest",
    lenient: bool = False,
    segmenter=None,
    progress: bool = False,
) -> ExportResult:
    """Examples (one per sentence; dicts matching `dataset_features()`, `ner_tags` as label names) from a Label
    Studio JSON export. See the module docstring for how each problem is handled.

    annotations: "latest" (one annotation per task, the last updated) or "per-annotator" (one example per
    annotator, `annotator` set, id suffixed with `@annotator`). use_predictions: a task without annotation
    uses its latest prediction (`annotator` = "prediction:<model_version>"). lenient: problems are collected in
    `issues` instead of raising; the affected sentences/tasks are left out.
    """
    if annotations not in ANNOTATION_MODES:
        raise VnerError(f"annotations must be one of {ANNOTATION_MODES}, not {annotations!r}.")
    tasks = read_export(path)
    n_live = sum(1 for t in tasks if live_annotations(t))
    if not n_live and not use_predictions:
        cancelled = sum(1 for t in tasks if t.get("annotations"))
        why = f"all {cancelled} annotated task(s) were cancelled (skipped)" if cancelled else "no task has an annotation"
        raise VnerError(f"{path}: {why}; annotate the tasks in Label Studio first, or pass --use-predictions to build "
                        "the dataset from the pre-annotations.")
    if use_predictions and not n_live:
        if not any(t.get("predictions") for t in tasks):
            raise VnerError(f"{path}: no task has an annotation or a prediction; pre-annotate (`vner preannotate`) or annotate first.")
    reader = ExportReader(path, segmenter=segmenter)
    stats = reader.stats
    stats.update(file=str(path), tasks=len(tasks), tasks_used=0, cancelled_tasks=[], unannotated_tasks=[],
                 from_predictions=[], several_annotations=[], annotations_mode=annotations)
    examples: list[dict] = []
    example_tasks: list = []  # the task id of each example (for duplicate reports)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), unit="task", desc="reading export", mininterval=0.5)
    for task in tasks:
        if bar is not None:
            bar.update(1)
        tid = task.get("id")
        live = live_annotations(task)
        if not live:
            if task.get("annotations"):
                stats["cancelled_tasks"].append(tid)
                continue
            if not (use_predictions and task.get("predictions")):
                stats["unannotated_tasks"].append(tid)
                continue
        pt = reader.parse(task)
        if pt is None:
            continue
        chosen: list[tuple[str, list[dict], str]] = []  # (annotator, results, id suffix)
        if not live:
            pred = latest(full_predictions(path, task))
            chosen.append((f"prediction:{pred.get('model_version') or ''}", pred.get("result") or [], ""))
            stats["from_predictions"].append(tid)
        else:
            if len(live) > 1:
                stats["several_annotations"].append(tid)
            if annotations == "latest":
                ann = latest(live)
                chosen.append((annotator_name(ann), ann.get("result") or [], ""))
            else:
                by_annotator: dict[str, list[dict]] = {}
                for ann in live:
                    by_annotator.setdefault(annotator_name(ann), []).append(ann)
                for who, anns in sorted(by_annotator.items()):
                    chosen.append((who, latest(anns).get("result") or [], f"@{who}"))
        task_examples = []
        for who, results, suffix in chosen:
            spans = reader.spans(pt, results, who if annotations == "per-annotator" else "")
            task_examples += reader.examples(pt, spans, who, id_suffix=suffix)
        if task_examples:
            stats["tasks_used"] += 1
        examples.extend(task_examples)
        example_tasks.extend([tid] * len(task_examples))
    if bar is not None:
        bar.close()
    seen: dict[str, Any] = {}
    unique: list[dict] = []
    for ex, task_id in zip(examples, example_tasks):
        if ex["id"] in seen:
            reader.issues.append(ExportIssue(reader.path, task_id, "duplicate",
                                             f"sentence {ex['id']} also comes from task {seen[ex['id']]}; "
                                             "the same text was imported twice — delete one of the tasks"))
            continue
        seen[ex["id"]] = task_id
        unique.append(ex)
    examples = unique
    stats["examples"] = len(examples)
    stats["issues"] = len(reader.issues)
    stats["merged_sentence_groups"] = len(stats["merged_sentences"])
    if reader.issues and not lenient:
        raise VnerError(issues_summary(path, reader.issues))
    return ExportResult(examples, reader.issues, stats)


def issues_summary(path, issues: Sequence[ExportIssue], shown: int = 3) -> str:
    first = "; ".join(str(i) for i in issues[:shown])
    more = f" (and {len(issues) - shown} more)" if len(issues) > shown else ""
    return (f"{path}: {len(issues)} problem(s) in the export: {first}{more}. Fix them in Label Studio, or pass "
            "--lenient to leave the affected sentences out and list every problem in issues.jsonl.")


def write_issues(issues: Sequence[ExportIssue], path: str | Path) -> None:
    """One JSON object per issue (file, task_id, reason, message)."""
    with open(path, "w", encoding="utf-8") as f:
        for issue in issues:
            f.write(json.dumps(issue.to_dict(), ensure_ascii=False) + "\n")
