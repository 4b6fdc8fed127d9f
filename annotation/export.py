"""Read a Label Studio JSON export back into vner examples (one per sentence) without losing a span silently.

Tasks written by vner (`data.vner`, the codec of `annotation.unit.Unit`) carry their sentences and words: they are
used as they are, after checking that the task text is still the text vner wrote (`task_key`). Tasks from any
other project (only `data.text`) are normalised to NFC (annotation offsets follow through the map), split into
paragraphs (lines) and sentences, and segmented with underthesea (whitespace words when the text is pre-segmented).

How each problem is handled (reason code: default / `lenient=True`):

| reason          | what                                          | default / lenient                                 |
| --------------- | --------------------------------------------- | ------------------------------------------------- |
| (trimmed)       | span with leading/trailing whitespace         | trimmed, counted in stats                         |
| (merged)        | span crossing a sentence boundary             | sentences merged into one example, listed         |
| (cancelled)     | task whose annotations were all cancelled     | task skipped, listed in stats                     |
| (no annotation) | task without annotation                       | skipped, listed (use_predictions: the prediction) |
| (several)       | several annotations on a task                 | `choose_annotation`, or one per annotator         |
| out_of_range    | start/end missing, not ints, outside the text | error / task skipped, listed                      |
| text_mismatch   | `value.text` != text[start:end]               | error / task skipped, listed                      |
| text_changed    | vner task text/segmentation no longer matches | error / task skipped, listed                      |
| text_unreadable | a text NFC cannot normalise keeping offsets   | error / task skipped, listed                      |
| unknown_label   | label not in the schema                       | error / sentence skipped, listed                  |
| several_labels  | a region with zero or several labels          | error / sentence skipped, listed                  |
| empty_span      | span of whitespace only                       | error / span listed (nothing to keep)             |
| overlap         | two spans overlap                             | error / sentence skipped, listed                  |
| duplicate       | two tasks give the same document sentence     | error / first kept, listed                        |
| (repeated)      | the same sentence text twice in one document  | kept once, listed in stats (`keep_repeats`)       |
| (other config)  | result type / from_name not in the config     | error, always (the export is from another project) |

Errors name the file and task ids; nothing is dropped without an issue. Sentence ids are document-level.
`ner_tags` in the examples are BIO label *names* (`"B-PER"`); `build_dataset_dict` encodes them as ids.
"""

from __future__ import annotations

import bisect
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .dataset import make_example
from .errors import VnerError
from .progress import progress_bar
from .regions import Problem, Regions, parse_regions, region_shape_problem
from .spans import Span, SpanError
from .text import (
    controls_to_boundaries,
    default_segmenter,
    looks_segmented,
    nfc_with_offsets,
    read_text_file,
    split_paragraphs,
)
from .unit import Offsets, Unit

ANNOTATION_MODES = ("latest", "per-annotator")
RELABEL_HINT = 'label with the config that `vner config` writes (Labels name="label" toName="text" over $text)'
REEXPORT_PREDICTIONS_HINT = (
    "re-export with full predictions: POST /api/projects/<id>/exports with "
    'serialization_options {"predictions": {"only_id": false}}, or list tasks with the SDK '
    '`client.tasks.list(project=<id>, fields="all")`'
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
    """Every region must come from the vner labeling config (`region_shape_problem`, the region parser's own
    check); anything else means another project, so it stops the whole export."""
    for task in tasks:
        for kind in ("annotations", "predictions"):
            for item in task.get(kind) or []:
                if not isinstance(item, dict):
                    continue
                for r in item.get("result") or []:
                    what = region_shape_problem(r)
                    if what is not None:
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


ANNOTATION_RULES = ("ground_truth", "latest", "only")  # what decided in `choose_annotation` (see there)


def choose_annotation(annotations: Sequence[dict]) -> tuple[dict, str]:
    """The annotation that counts among a task's live (not cancelled) annotations, and the rule that decided:

    1. "only": the task has one annotation;
    2. "ground_truth": one marked ground truth in Label Studio (the star in the editor, `ground_truth: true`) wins
       over later ones; of several so marked (Label Studio keeps one), the latest of them;
    3. "latest": otherwise the last updated (`updated_at`, else `created_at`, then the highest id).

    The one selection rule of `vner dataset`, `vner corrections`, `vner agreement` (per annotator) and
    `vner adjudicate --reviewed`.
    """
    if not annotations:
        raise ValueError("no annotation to choose from")
    if len(annotations) == 1:
        return annotations[0], "only"
    marked = [a for a in annotations if a.get("ground_truth") is True]
    if marked:
        return latest(marked), "ground_truth"
    return latest(annotations), "latest"


def annotation_rule_line(chosen_by: dict) -> str:
    """How many tasks each rule of `choose_annotation` decided, as one sentence for a summary."""
    names = {"ground_truth": "marked ground truth", "latest": "the latest of several", "only": "the only one"}
    parts = [f"{names[rule]} {n}" for rule, n in chosen_by.items() if n]
    return "annotation used (ground truth, else the latest): " + (", ".join(parts) or "none")


def annotator_name(annotation: dict) -> str:
    """Who made an annotation: the Label Studio user (email or id), else the username it was created under. An
    annotation by a deleted user (no user, no username) is named by its own id: two deleted users' annotations of
    one task must not merge into one annotator, whose latest annotation alone would count."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    if who is None:
        who = annotation.get("created_username") or f"deleted user (annotation {annotation.get('id', '?')})"
    return str(who)


def full_predictions(path: str | Path, task: dict) -> list[dict]:
    preds = task.get("predictions") or []
    if any(not isinstance(p, dict) for p in preds):
        raise VnerError(
            f"{path}: task {task.get('id')}: predictions were exported as ids only; {REEXPORT_PREDICTIONS_HINT}."
        )
    return preds


# ------------------------------------------------------------------------------------------ one task


@dataclass(frozen=True)
class TaskText:
    """A task's unit (NFC text, sentences, words; document-level sentence numbering) and how annotation
    offsets map onto it."""

    task_id: int | str | None
    unit: Unit
    original_text: str  # as stored in Label Studio: annotation offsets point here
    offset_map: list[int] | None = None  # original offset -> unit text offset (None: identical)

    def regions(self, results: Sequence[dict], who: str = "") -> Regions:
        """Checked spans in unit-text offsets (the one region parser)."""
        return parse_regions(results, self.unit.text, original=self.original_text, offset_map=self.offset_map, who=who)

    def to_original(self, spans: Sequence[Span]) -> list[Span]:
        """Spans in unit-text offsets moved back onto the text as stored in Label Studio (what a prediction for
        this task must point into). The map is monotone; several original offsets map to the end of a cluster
        (a letter and its combining marks), the last of them is where the next cluster starts."""
        if self.offset_map is None:
            return list(spans)
        m = self.offset_map

        def back(u: int) -> int:
            return bisect.bisect_right(m, u) - 1

        return [Span(back(sp.start), back(sp.end), sp.label, sp.score, sp.source) for sp in spans]


def whitespace_segmenter(text: str) -> list[list[str]]:
    """Each whitespace token is a word (pre-segmented text: `Võ_Văn_Thưởng` is one word)."""
    return [[w] for w in text.split()]


whitespace_segmenter.name = "whitespace"  # type: ignore[attr-defined]


def foreign_doc_id(task: dict, doc_prefix: str = "") -> str:
    """The document of a task vner did not write: its `data.doc_id`, else `task-<id>`, after `doc_prefix` (which
    keeps the documents of several exports apart)."""
    return doc_prefix + str(task["data"].get("doc_id") or f"task-{task.get('id')}")


def read_task(task: dict, *, segmenter=None, first_sentence: int = 0, doc_prefix: str = "") -> TaskText:
    """The text of a task. A vner task (`data.vner`) is decoded as it is (ValueError if it no longer matches its
    text); any other text task is normalised to NFC (offsets follow; ValueError when that cannot keep offsets),
    its control characters made boundaries, cut into lines, sentences and words (underthesea, or whitespace words
    for `_`-segmented text), numbered from `first_sentence`, in document `foreign_doc_id(task, doc_prefix)`.
    `unreadable_task` turns the ValueError into the task's issue."""
    data = task["data"]
    if isinstance(data.get("vner"), dict):
        unit = Unit.from_task_data(data)
        return TaskText(task.get("id"), unit, unit.text)
    original = data["text"]
    if unicodedata.is_normalized("NFC", original):
        text, mapping = original, None
    else:
        try:
            text, mapping = nfc_with_offsets(original)
        except VnerError as exc:
            raise ValueError(str(exc)) from None
    text = controls_to_boundaries(text)  # one character for one: the offset map still holds
    if looks_segmented(text):
        segmenter = whitespace_segmenter
    elif segmenter is None:
        segmenter = default_segmenter()
    doc_id = foreign_doc_id(task, doc_prefix)
    paragraphs = split_paragraphs(text, segmented=False, segmenter=segmenter, doc_id=doc_id)
    if paragraphs:
        unit = replace(Unit.join(paragraphs, text=text), first_sentence=first_sentence)
    else:
        unit = Unit(doc_id, 0, first_sentence, text, (), (), getattr(segmenter, "name", ""))
    return TaskText(task.get("id"), unit, original, mapping)


def written_sentences(task: dict) -> int | None:
    """The number of sentences vner wrote into a task it could not read back (`data.vner`), or None (a task of
    another project whose text cannot be read)."""
    meta = task["data"].get("vner")
    sentences = meta.get("sentences") if isinstance(meta, dict) else None
    return len(sentences) if isinstance(sentences, list) else None


def unreadable_task(path, task: dict, exc: ValueError) -> ExportIssue:
    """The issue of a task `read_task` could not read: vner task data that no longer matches its text, or a
    text whose NFC form cannot keep its offsets."""
    if isinstance(task["data"].get("vner"), dict):
        reason = "text_changed"
        message = f"vner task data no longer matches its text: {exc}; re-create the task with `vner preannotate`"
    else:
        reason, message = "text_unreadable", str(exc)
    return ExportIssue(str(path), task.get("id"), reason, message)


def sentence_groups(sentence_spans: Sequence[Offsets], spans: Sequence[Span]) -> list[tuple[int, int]]:
    """(first, last) sentence indices of each example: a span crossing a sentence boundary merges the sentences
    it touches (sentence splitting is a heuristic; the annotator's span is not)."""
    starts = [s for s, _ in sentence_spans]
    join = [False] * len(sentence_spans)
    for sp in spans:
        i = bisect.bisect_right(starts, sp.start) - 1
        j = bisect.bisect_right(starts, sp.end - 1) - 1
        for k in range(max(i, 0), j):
            join[k] = True
    groups = []
    i = 0
    while i < len(sentence_spans):
        j = i
        while join[j]:
            j += 1
        groups.append((i, j))
        i = j + 1
    return groups


@dataclass
class TaskExamples:
    examples: list[dict]
    problems: list[Problem]  # the regions' problems plus those found while building the examples
    merged: list[list[int]]  # document-level sentence ids merged into one example
    dropped_sentences: int  # examples (sentences, merged groups as one) left out because of a problem


def task_examples(tt: TaskText, regions: Regions, annotator: str, *, id_suffix: str = "") -> TaskExamples:
    """One example per sentence (or merged sentence group) of a task from its checked regions. Sentences a
    problem spoils are left out and counted; a problem that spoils the task leaves it out whole (every sentence
    counted)."""
    unit, spans = tt.unit, regions.spans
    problems = list(regions.problems)
    out = TaskExamples([], problems, [], 0)
    if any(p.where is None and p.spoils for p in problems):
        out.dropped_sentences = len(sentence_groups(unit.sentence_spans, spans))
        return out
    bad = [p.where for p in problems if p.spoils and p.where is not None]
    placed = 0
    for i, j in sentence_groups(unit.sentence_spans, spans):
        gs, ge = unit.sentence_spans[i][0], unit.sentence_spans[j][1]
        sid = unit.first_sentence + i
        if j > i:
            out.merged.append(list(range(sid, unit.first_sentence + j + 1)))
        inside = [sp for sp in spans if sp.start < ge and sp.end > gs]
        placed += len(inside)
        if any(a < ge and b > gs for a, b in bad):
            out.dropped_sentences += 1
            continue
        if any(sp.start < gs or sp.end > ge for sp in inside):
            problems.append(
                Problem("outside_sentences", f"sentence {sid}: a span reaches outside the task's sentences", (gs, ge))
            )
            out.dropped_sentences += 1
            continue
        try:
            example = make_example(
                unit.doc_id,
                sid,
                annotator,
                unit.text[gs:ge],
                unit.slice_words(gs, ge),
                [sp.shifted(-gs) for sp in inside],
                id_suffix=id_suffix,
            )
        except SpanError as exc:
            problems.append(Problem(exc.reason, f"sentence {sid}: {exc}", (gs, ge)))
            out.dropped_sentences += 1
            continue
        out.examples.append(example)
    if placed != len(spans):
        problems.append(Problem("outside_sentences", f"{len(spans) - placed} span(s) lie outside the task's sentences"))
        out.dropped_sentences += len(out.examples)
        out.examples = []
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
    keep_repeats: bool = False,
    doc_prefix: str = "",
) -> ExportResult:
    """Examples (one per sentence; dicts matching `dataset_features()`, `ner_tags` as label names) from a Label
    Studio JSON export. See the module docstring for how each problem is handled.

    annotations: "latest" (one annotation per task: `choose_annotation`, i.e. the one marked ground truth, else the
    last updated) or "per-annotator" (one example per annotator, `annotator` set, id suffixed with `@annotator`; an
    annotator's own several annotations are chosen the same way). `stats["chosen_by"]` counts the choices by
    rule (ground_truth / latest / only; per task, or per task and annotator). use_predictions: a task without annotation
    uses its latest prediction (`annotator` = "prediction:<model_version>"). lenient: problems are collected in
    `issues` instead of raising; the affected sentences/tasks are left out. keep_repeats: keep every copy of a
    sentence text repeated in a document (by default each weighs once: `keep_repeats_once`).
    doc_prefix: put before the document
    ids of tasks vner did not write (`foreign_doc_id`), to keep several exports' documents apart.
    """
    if annotations not in ANNOTATION_MODES:
        raise VnerError(f"annotations must be one of {ANNOTATION_MODES}, not {annotations!r}.")
    tasks = read_export(path)
    n_live = sum(1 for t in tasks if live_annotations(t))
    if not n_live and not use_predictions:
        cancelled = sum(1 for t in tasks if t.get("annotations"))
        why = (
            f"all {cancelled} annotated task(s) were cancelled (skipped)" if cancelled else "no task has an annotation"
        )
        raise VnerError(
            f"{path}: {why}; annotate the tasks in Label Studio first, or pass --use-predictions to build "
            "the dataset from the pre-annotations."
        )
    if use_predictions and not n_live:
        if not any(t.get("predictions") for t in tasks):
            raise VnerError(
                f"{path}: no task has an annotation or a prediction; pre-annotate (`vner preannotate`) or annotate "
                "first."
            )
    issues: list[ExportIssue] = []
    stats: dict[str, Any] = {
        "file": str(path),
        "tasks": len(tasks),
        "tasks_used": 0,
        "cancelled_tasks": [],
        "unannotated_tasks": [],
        "from_predictions": [],
        "several_annotations": [],
        "annotations_mode": annotations,
        "chosen_by": dict.fromkeys(ANNOTATION_RULES, 0),
        "trimmed_spans": 0,
        "merged_sentences": [],
        "dropped_sentences": 0,  # every example left out because of an issue (`annotation.dataset.left_out_note`)
        "dropped_unknown_tasks": [],  # tasks left out whole whose sentences could not be counted
    }
    examples: list[dict] = []
    example_tasks: list = []  # the task id of each example (for duplicate reports)
    next_sentence: dict[str, int] = {}  # foreign tasks of one doc_id are numbered on from the previous one
    for task in progress_bar(tasks, enabled=progress, unit="task", desc="reading export"):
        tid = task.get("id")
        live = live_annotations(task)
        if not live:
            if task.get("annotations"):
                stats["cancelled_tasks"].append(tid)
                continue
            if not (use_predictions and task.get("predictions")):
                stats["unannotated_tasks"].append(tid)
                continue
        try:
            doc_id = foreign_doc_id(task, doc_prefix)
            tt = read_task(
                task, segmenter=segmenter, first_sentence=next_sentence.get(doc_id, 0), doc_prefix=doc_prefix
            )
        except ValueError as exc:
            issues.append(unreadable_task(path, task, exc))
            n = written_sentences(task)
            if n is None:
                stats["dropped_unknown_tasks"].append({"file": str(path), "task_id": tid})
            else:  # one copy of each sentence per annotator kept apart
                per = len({annotator_name(a) for a in live}) if live and annotations == "per-annotator" else 1
                stats["dropped_sentences"] += n * per
            continue
        if "vner" not in task["data"]:
            next_sentence[doc_id] = tt.unit.first_sentence + len(tt.unit.sentence_spans)
        chosen: list[tuple[str, list[dict], str]] = []  # (annotator, results, id suffix)
        if not live:
            pred = latest(full_predictions(path, task))
            chosen.append((f"prediction:{pred.get('model_version') or ''}", pred.get("result") or [], ""))
            stats["from_predictions"].append(tid)
        else:
            if len(live) > 1:
                stats["several_annotations"].append(tid)
            if annotations == "latest":
                ann, rule = choose_annotation(live)
                stats["chosen_by"][rule] += 1
                chosen.append((annotator_name(ann), ann.get("result") or [], ""))
            else:
                by_annotator: dict[str, list[dict]] = {}
                for ann in live:
                    by_annotator.setdefault(annotator_name(ann), []).append(ann)
                for who, anns in sorted(by_annotator.items()):
                    ann, rule = choose_annotation(anns)
                    stats["chosen_by"][rule] += 1
                    chosen.append((who, ann.get("result") or [], f"@{who}"))
        task_rows = []
        for who, results, suffix in chosen:
            regions = tt.regions(results, who if annotations == "per-annotator" else "")
            found = task_examples(tt, regions, who, id_suffix=suffix)
            stats["trimmed_spans"] += regions.trimmed
            stats["dropped_sentences"] += found.dropped_sentences
            stats["merged_sentences"] += [
                {"task_id": tid, "doc_id": tt.unit.doc_id, "sentences": m} for m in found.merged
            ]
            issues += [ExportIssue(str(path), tid, p.reason, p.message) for p in found.problems]
            task_rows += found.examples
        if task_rows:
            stats["tasks_used"] += 1
        examples.extend(task_rows)
        example_tasks.extend([tid] * len(task_rows))
    seen: dict[str, tuple[Any, str]] = {}
    unique: list[dict] = []
    unique_tasks: list = []
    for ex, task_id in zip(examples, example_tasks):
        if ex["id"] in seen:
            issues.append(ExportIssue(str(path), task_id, "duplicate", duplicate_message(ex, *seen[ex["id"]])))
            if ex["text"] != seen[ex["id"]][1]:  # another document's sentence is lost; a copy of the same text is not
                stats["dropped_sentences"] += 1
            continue
        seen[ex["id"]] = (task_id, ex["text"])
        unique.append(ex)
        unique_tasks.append(task_id)
    stats["repeated_sentences"] = []
    stats["repeats_kept"] = keep_repeats  # the card says when every copy was kept on purpose
    if not keep_repeats:
        unique, stats["repeated_sentences"] = keep_repeats_once(
            unique, unique_tasks, per_annotator=annotations == "per-annotator"
        )
    stats["examples"] = len(unique)
    stats["issues"] = len(issues)
    stats["merged_sentence_groups"] = len(stats["merged_sentences"])
    if issues and not lenient:
        raise VnerError(issues_summary(path, issues))
    return ExportResult(unique, issues, stats)


def keep_repeats_once(
    examples: Sequence[dict], task_ids: Sequence, *, per_annotator: bool = False
) -> tuple[list[dict], list[dict]]:
    """Repeated text of a document (web pages repeat captions and headlines) weighs once in the dataset.

    Copies of a sentence text in one document (per annotator with `per_annotator`) are compared: a copy labelled
    exactly like an earlier kept one is left out, and so is a copy taken from a prediction when a person
    corrected another copy; copies people labelled differently are all kept (nothing a person decided is
    dropped) and listed with `same_labels` False, worth a look. Returns (kept examples in their order, the
    repeats: every copy left out or differing, with the sentence it repeats)."""
    groups: dict[tuple, list[int]] = {}
    for k, ex in enumerate(examples):
        groups.setdefault((ex["doc_id"], ex["annotator"] if per_annotator else "", ex["text"]), []).append(k)
    dropped: set[int] = set()
    repeats = []

    def labels(k: int) -> tuple:
        return examples[k]["tokens"], examples[k]["ner_tags"]

    for members in groups.values():
        if len(members) < 2:
            continue
        people = [k for k in members if not examples[k]["annotator"].startswith("prediction:")]
        kept: list[int] = []
        for k in people or members[:1]:
            same = next((j for j in kept if labels(j) == labels(k)), None)
            if same is None and kept:
                repeats.append((k, kept[0], False))
            if same is None:
                kept.append(k)
            else:
                dropped.add(k)
                repeats.append((k, same, True))
        for k in members:
            if k not in kept and k not in dropped:
                dropped.add(k)
                repeats.append((k, kept[0], any(labels(j) == labels(k) for j in kept)))
    out = [
        {
            "task_id": task_ids[k],
            "doc_id": examples[k]["doc_id"],
            "sentence_id": examples[k]["sentence_id"],
            "same_as": examples[first]["sentence_id"],
            "annotator": examples[k]["annotator"],
            "kept": k not in dropped,
            "same_labels": same,
        }
        for k, first, same in sorted(repeats)
    ]
    return [ex for k, ex in enumerate(examples) if k not in dropped], out


def duplicate_message(example: dict, first_task, first_text: str, where: str = "task") -> str:
    """Why two tasks give the same document sentence, and what to do: the same text twice, or two different
    documents under one id (never "delete one" then: both hold real annotations)."""
    if example["text"] == first_text:
        return (
            f"sentence {example['id']} is also in {where} {first_task} with the same text: the same task was "
            "imported twice; keep the copy whose annotation you want (--lenient keeps the first)"
        )
    return (
        f"sentence {example['id']} differs from the one in {where} {first_task}: two different documents share "
        f"the id {example['doc_id']!r} (files of the same name from two folders or batches, made before document "
        "ids carried a content hash); give each batch its own project and pass both exports to `vner dataset`, "
        "or re-create the tasks with this vner"
    )


def issues_summary(path, issues: Sequence[ExportIssue], shown: int = 3) -> str:
    first = "; ".join(str(i) for i in issues[:shown])
    more = f" (and {len(issues) - shown} more)" if len(issues) > shown else ""
    return (
        f"{path}: {len(issues)} problem(s) in the export: {first}{more}. Fix them in Label Studio, or pass "
        "--lenient to leave the affected sentences out and list every problem in issues.jsonl."
    )


def write_issues(issues: Sequence[ExportIssue], path: str | Path) -> None:
    """One JSON object per issue (file, task_id, reason, message)."""
    with open(path, "w", encoding="utf-8") as f:
        for issue in issues:
            f.write(json.dumps(issue.to_dict(), ensure_ascii=False) + "\n")
