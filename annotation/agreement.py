"""Agreement between annotators of the same tasks, every disagreement, and per-annotator statistics.

Which tasks: those with live (not cancelled) annotations by two or more annotators (`annotator_name`: the
Label Studio user, `completed_by`; an annotation by a deleted user is its own annotator, `deleted user
(annotation N)`, listed like any other). An annotator with several annotations on one task counts with one of them,
chosen as everywhere in vner (`annotation.export.choose_annotation`: ground truth, else the latest). Spans are
read by the one region parser (`TaskText.regions`), so every problem is handled as `vner dataset` handles it:
an error by default; with `lenient`, a task with a problem in any annotator's version is left out of the
agreement and listed (`issues`).

Per pair of annotators (A, B in name order), over the tasks both annotated:

- strict F1: a span of A matches a span of B with the same start, end and type. F1 = 2·matches / (spans of A +
  spans of B), the harmonic mean of precision and recall taking either annotator as the reference (it is
  symmetric); None when neither marked anything.
- overlap F1: the same with a looser match: the largest one-to-one pairing of A's and B's spans of the same type
  that share at least one character (`overlap_matches`). Exact matches are overlapping pairs, so overlap F1 >=
  strict F1. Per type: both F1s with their counts (`spans` = [A's, B's]).
- kappa: Cohen's kappa (scikit-learn's `cohen_kappa_score`) over words, one label per word: its entity type or
  O. Words are each task's words split at every span boundary of both annotators (`corrections.shared_tags`, as
  `vner corrections` does), so a boundary inside a word never hides a disagreement. None when both gave every
  word the same single label (kappa is undefined there).
- disagreements: A's and B's spans are grouped into clusters (spans linked by overlapping each other); a cluster
  where the two differ is one disagreement, of kind `missing` (only A marked something there), `extra` (only B
  did), `boundary` (both did, all of one type, with different boundaries) or `type` (both did, with different
  types, whatever the boundaries). Each comes with its task id, sentence and both annotators' spans (offsets
  into that sentence).

Over all pairs ("overall"): the same figures from counts pooled over the pairs (sums of matches and spans; kappa
over the words of all pairs laid end to end), so a pair that shares more tasks weighs more; `tasks` there is the
number of distinct tasks with two or more annotators.

Annotator statistics (every annotated task, not only the shared ones): tasks done (a live annotation), skipped
(only cancelled annotations), entities per type in the chosen annotation, and the median of Label Studio's
`lead_time` (seconds spent on the task in the editor) over the tasks done.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from .corrections import shared_tags
from .errors import VnerError
from .export import (
    ExportIssue,
    TaskText,
    annotator_name,
    choose_annotation,
    read_export,
    read_task,
    unreadable_task,
)
from .progress import progress_bar
from .schema import ENTITY_TYPES
from .spans import Span, SpanError, spans_to_bio

KINDS = ("missing", "extra", "boundary", "type")

# Label Studio 1.23 Community has no overlap field in its UI; the project field exists and its label stream honours it.
OVERLAP_HINT = (
    "Agreement needs overlap: the same tasks annotated by two or more annotators. In Label Studio Community "
    "(1.23) set the project's `maximum_annotations` through the API — there is no field for it in the UI: "
    '`curl -X PATCH $LABEL_STUDIO_URL/api/projects/<id> -H "Authorization: Token $LABEL_STUDIO_API_KEY" '
    "-H 'Content-Type: application/json' -d '{\"maximum_annotations\": 2}'` (Python: "
    "`LabelStudio(...).projects.update(<id>, maximum_annotations=2)`). Each task then stays in the queue of "
    '"Label All Tasks" until two different annotators have submitted it (a task is done when it has that many '
    "annotations; the stream never gives a task back to someone who already annotated it). Label Studio Enterprise: "
    'Settings > Quality > Overlap of Annotations ("Annotations per task"). Then export again and rerun.'
)


# ------------------------------------------------------------------------------------------ reading


@dataclass
class Version:
    """One annotator's version of one task."""

    annotator: str
    annotation: dict  # the annotation chosen among this annotator's live ones
    rule: str  # how it was chosen (annotation.export.ANNOTATION_RULES)
    spans: list[Span]  # checked, in the unit text's offsets


@dataclass
class SharedTask:
    """A task annotated by two or more annotators, every version readable."""

    task: dict
    tt: TaskText
    versions: dict[str, Version]  # by annotator, in name order

    @property
    def task_id(self):
        return self.task.get("id")


@dataclass
class ExportVersions:
    file: str
    tasks: int
    shared: list[SharedTask]  # tasks with two or more annotators and no problem
    single: list = field(default_factory=list)  # ids of tasks annotated by one annotator
    left_out: list = field(default_factory=list)  # ids of tasks with two or more annotators left out for problems
    annotators: dict[str, dict] = field(default_factory=dict)  # statistics per annotator
    issues: list[ExportIssue] = field(default_factory=list)


def read_versions(path: str | Path, *, lenient: bool = False, segmenter=None, progress: bool = False) -> ExportVersions:
    """Every annotator's version of every task of an export, checked by the one region parser.

    Problems raise a one-line VnerError unless `lenient`; then the task is left out of `shared` and listed.
    Sentences of tasks that are not vner tasks are numbered per `doc_id` in export order, as `load_export` does.
    """
    path = Path(path)
    tasks = read_export(path)
    out = ExportVersions(str(path), len(tasks), [])
    raw: dict[str, dict] = {}
    next_sentence: dict[str, int] = {}
    for task in progress_bar(tasks, enabled=progress, unit="task", desc="reading export"):
        tid = task.get("id")
        by_annotator: dict[str, list[dict]] = {}
        for ann in task.get("annotations") or []:
            if isinstance(ann, dict):
                by_annotator.setdefault(annotator_name(ann), []).append(ann)
        live = {}
        for who, anns in sorted(by_annotator.items()):
            stats = raw.setdefault(who, {"tasks": 0, "skipped": 0, "entities": Counter(), "lead_times": []})
            kept = [a for a in anns if not a.get("was_cancelled")]
            if not kept:
                stats["skipped"] += 1
                continue
            stats["tasks"] += 1
            live[who] = kept
        if not live:
            continue
        doc_id = str(task["data"].get("doc_id") or f"task-{tid}")
        try:
            tt = read_task(task, segmenter=segmenter, first_sentence=next_sentence.get(doc_id, 0))
        except ValueError as exc:
            out.issues.append(unreadable_task(path, task, exc))
            (out.left_out if len(live) > 1 else out.single).append(tid)
            continue
        if "vner" not in task["data"]:
            next_sentence[doc_id] = tt.unit.first_sentence + len(tt.unit.sentence_spans)
        versions: dict[str, Version] = {}
        spoiled = False
        for who, anns in live.items():
            ann, rule = choose_annotation(anns)
            regions = tt.regions(ann.get("result") or [], who)
            problems = [(p.reason, p.message, p.spoils) for p in regions.problems]
            if not any(spoils for *_, spoils in problems):
                try:  # spans BIO cannot hold over the task's words are a problem of `vner dataset` too
                    spans_to_bio(tt.unit.text, tt.unit.word_spans, regions.spans)
                except SpanError as exc:
                    problems.append((exc.reason, f"{exc} ({who})", True))
            out.issues += [ExportIssue(str(path), tid, reason, message) for reason, message, _ in problems]
            spoiled = spoiled or any(spoils for *_, spoils in problems)
            stats = raw[who]
            stats["entities"].update(sp.label for sp in regions.spans)
            if isinstance(ann.get("lead_time"), (int, float)) and not isinstance(ann.get("lead_time"), bool):
                stats["lead_times"].append(float(ann["lead_time"]))
            versions[who] = Version(who, ann, rule, list(regions.spans))
        if len(versions) < 2:
            out.single.append(tid)
        elif spoiled:
            out.left_out.append(tid)
        else:
            out.shared.append(SharedTask(task, tt, versions))
    if out.issues and not lenient:
        first = "; ".join(str(i) for i in out.issues[:3])
        more = f" (and {len(out.issues) - 3} more)" if len(out.issues) > 3 else ""
        raise VnerError(
            f"{path}: {len(out.issues)} problem(s) in the export: {first}{more}. Fix them in Label "
            "Studio, or pass --lenient to leave those tasks out (every problem is listed in the report)."
        )
    out.annotators = {
        who: {
            "tasks": s["tasks"],
            "skipped": s["skipped"],
            "entities": {t: s["entities"].get(t, 0) for t in ENTITY_TYPES},
            "median_lead_time": statistics.median(s["lead_times"]) if s["lead_times"] else None,
        }
        for who, s in sorted(raw.items())
    }
    return out


# ------------------------------------------------------------------------------------------ two versions


def overlap_matches(a: Sequence[Span], b: Sequence[Span]) -> int:
    """The size of the largest one-to-one pairing of spans of `a` with spans of `b` that share a character.

    Each list is sorted and never overlaps itself (the region parser sees to it), so two pairing edges never
    cross, and pairing the first overlapping spans from the left is optimal (an exchange argument: in any
    maximum pairing, at most one of the two is paired elsewhere, and swapping keeps the size).
    """
    i = j = n = 0
    while i < len(a) and j < len(b):
        if b[j].end <= a[i].start:
            j += 1
        elif a[i].end <= b[j].start:
            i += 1
        else:
            n += 1
            i += 1
            j += 1
    return n


def clusters(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[str, list[Span], list[Span]]]:
    """The disagreements between two versions: (kind, A's spans, B's spans) of each cluster of spans linked by
    overlap where they differ (see the module docstring for the kinds)."""
    items = sorted([(s, 0) for s in a] + [(s, 1) for s in b], key=lambda x: (x[0].start, x[0].end, x[1]))
    groups: list[list[tuple[Span, int]]] = []
    end = -1
    for sp, side in items:
        if groups and sp.start < end:  # the cluster's spans cover [its start, end) without gaps
            groups[-1].append((sp, side))
            end = max(end, sp.end)
        else:
            groups.append([(sp, side)])
            end = sp.end
    out = []
    for group in groups:
        sa = [s for s, side in group if side == 0]
        sb = [s for s, side in group if side == 1]
        if sa and sb and [s.key for s in sa] == [s.key for s in sb]:
            continue  # the same span in both (only ever alone in its cluster)
        if not sb:
            kind = "missing"
        elif not sa:
            kind = "extra"
        else:
            kind = "boundary" if len({s.label for s in sa + sb}) == 1 else "type"
        out.append((kind, sa, sb))
    return out


@dataclass
class Tally:
    """Counts of one pair (or of all pairs) from which every figure is computed."""

    tasks: int = 0
    counts: dict[str, Counter] = field(default_factory=lambda: {t: Counter() for t in ENTITY_TYPES})
    labels_a: list[str] = field(default_factory=list)
    labels_b: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    def total(self) -> Counter:
        """Counts summed over the types: a, b (spans of each annotator), strict and overlap (matches)."""
        out = Counter()
        for t in ENTITY_TYPES:
            out.update(self.counts[t])
        return out

    def add(self, other: Tally) -> None:
        self.tasks += other.tasks
        for t in ENTITY_TYPES:
            self.counts[t].update(other.counts[t])
        self.labels_a += other.labels_a
        self.labels_b += other.labels_b
        self.kinds.update(other.kinds)


def word_label(tag: str) -> str:
    return tag.partition("-")[2] or "O"


Cluster = tuple[str, list[Span], list[Span]]  # (kind, first annotator's spans, second's)


def compare(tt: TaskText, a: Sequence[Span], b: Sequence[Span]) -> tuple[Tally, list[Cluster]]:
    """The counts and the disagreements of two versions of one task."""
    tally = Tally(tasks=1)
    b_keys = {s.key for s in b}
    for t in ENTITY_TYPES:
        at = [s for s in a if s.label == t]
        bt = [s for s in b if s.label == t]
        tally.counts[t].update(
            a=len(at), b=len(bt), strict=sum(s.key in b_keys for s in at), overlap=overlap_matches(at, bt)
        )
    tags_a, tags_b = shared_tags(tt.unit.text, tt.unit.word_spans, a, b)
    tally.labels_a = [word_label(t) for t in tags_a]
    tally.labels_b = [word_label(t) for t in tags_b]
    found = clusters(a, b)
    tally.kinds.update(kind for kind, _, _ in found)
    return tally, found


def f1(matches: int, n_a: int, n_b: int) -> float | None:
    return 2 * matches / (n_a + n_b) if n_a + n_b else None


def kappa(labels_a: Sequence[str], labels_b: Sequence[str]) -> float | None:
    """Cohen's kappa of two label sequences (scikit-learn); None where it is undefined (one label in all)."""
    if len(set(labels_a) | set(labels_b)) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(labels_a, labels_b))


def figures(tally: Tally) -> dict:
    """The figures of a tally, in the report's shape."""
    per_type = {}
    for t in ENTITY_TYPES:
        c = tally.counts[t]
        per_type[t] = {
            "strict_f1": f1(c["strict"], c["a"], c["b"]),
            "overlap_f1": f1(c["overlap"], c["a"], c["b"]),
            "strict_matches": c["strict"],
            "overlap_matches": c["overlap"],
            "spans": [c["a"], c["b"]],
        }
    total = tally.total()
    return {
        "tasks": tally.tasks,
        "strict_f1": f1(total["strict"], total["a"], total["b"]),
        "overlap_f1": f1(total["overlap"], total["a"], total["b"]),
        "per_type": per_type,
        "kappa": kappa(tally.labels_a, tally.labels_b),
        "words": len(tally.labels_a),
        "spans": [total["a"], total["b"]],
        "strict_matches": total["strict"],
        "overlap_matches": total["overlap"],
        "disagreements": {k: tally.kinds.get(k, 0) for k in KINDS},
    }


def disagreement_record(st: SharedTask, names: tuple[str, str], kind: str, sa: list[Span], sb: list[Span]) -> dict:
    """One disagreement: its task, the sentence(s) it lies in and both versions there (offsets into `sentence`)."""
    unit = st.tt.unit
    start, end = min(s.start for s in sa + sb), max(s.end for s in sa + sb)
    touched = [k for k, (s, e) in enumerate(unit.sentence_spans) if s < end and start < e]
    if touched:
        gs, ge = unit.sentence_spans[touched[0]][0], unit.sentence_spans[touched[-1]][1]
        sentence_id = unit.first_sentence + touched[0]
    else:  # not inside a sentence (cannot happen for spans on words): the whole task text
        gs, ge, sentence_id = 0, len(unit.text), None

    def spans(items):
        return [
            {"start": s.start - gs, "end": s.end - gs, "label": s.label, "text": unit.text[s.start : s.end]}
            for s in items
        ]

    return {
        "task_id": st.task_id,
        "doc_id": unit.doc_id,
        "sentence_id": sentence_id,
        "annotators": list(names),
        "kind": kind,
        "sentence": unit.text[gs:ge],
        "spans": {names[0]: spans(sa), names[1]: spans(sb)},
    }


def pair_results(st: SharedTask) -> list[tuple[tuple[str, str], Tally, list]]:
    """Each pair of the task's annotators (name order), with its tally and disagreements."""
    out = []
    for a, b in combinations(st.versions, 2):
        tally, found = compare(st.tt, st.versions[a].spans, st.versions[b].spans)
        out.append(((a, b), tally, found))
    return out


# ------------------------------------------------------------------------------------------ the report


def agreement_report(path: str | Path, *, lenient: bool = False, segmenter=None, progress: bool = False) -> dict:
    """The agreement report of an export as a JSON-able dict (see the module docstring):
    `{"pairs": [...], "overall": {...} | None, "disagreements": [...], "annotators": {...}, ...}`."""
    ev = read_versions(path, lenient=lenient, segmenter=segmenter, progress=progress)
    tallies: dict[tuple[str, str], Tally] = {}
    disagreements = []
    for st in ev.shared:
        for names, tally, found in pair_results(st):
            tallies.setdefault(names, Tally()).add(tally)
            disagreements += [disagreement_record(st, names, kind, sa, sb) for kind, sa, sb in found]
    pairs = [{"annotators": list(names), **figures(tally)} for names, tally in sorted(tallies.items())]
    overall = None
    if tallies:
        pooled = Tally()
        for tally in tallies.values():
            pooled.add(tally)
        overall = {
            "annotators": sorted({n for names in tallies for n in names}),
            "pairs": len(tallies),
            **figures(pooled),
            "tasks": len(ev.shared),
        }
    return {
        "file": ev.file,
        "tasks": ev.tasks,
        "tasks_shared": len(ev.shared),
        "tasks_single": len(ev.single),
        "tasks_left_out": ev.left_out,
        "pairs": pairs,
        "overall": overall,
        "disagreements": disagreements,
        "annotators": ev.annotators,
        "note": None if tallies else OVERLAP_HINT,
        "issues": [i.to_dict() for i in ev.issues],
    }


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


def _context(sentence: str, spans: list[dict], width: int = 60) -> str:
    """The part of a sentence around a disagreement (the whole sentence when short)."""
    start, end = min(s["start"] for s in spans), max(s["end"] for s in spans)
    a, b = max(0, start - width), min(len(sentence), end + width)
    return ("…" if a else "") + sentence[a:b] + ("…" if b < len(sentence) else "")


def render_markdown(report: dict, shown: int = 30) -> str:
    """The report as a markdown page: the pair table, the first `shown` disagreements, the annotators."""
    lines = [f"# Agreement between annotators in `{report['file']}`", ""]
    names = sorted(report["annotators"])
    lines.append(
        f"{report['tasks']} tasks: {report['tasks_shared']} annotated by two or more annotators, "
        f"{report['tasks_single']} by one; annotators: {', '.join(names) or 'none'}."
    )
    if report["tasks_left_out"]:
        lines.append(
            f"{len(report['tasks_left_out'])} task(s) with two or more annotators left out for problems "
            f"(tasks {', '.join(str(t) for t in report['tasks_left_out'][:20])}; listed in the JSON report)."
        )
    if report["overall"] is None:
        lines += ["", "## Agreement needs overlap", "", report["note"]]
    else:
        lines += [
            "",
            "## Pairs",
            "",
            "| annotators | tasks | words | strict F1 | overlap F1 | kappa | "
            + " | ".join(ENTITY_TYPES)
            + " | missing | extra | boundary | type |",
            "| --- | ---: | ---: | ---: | ---: | ---: | "
            + " | ".join("---:" for _ in ENTITY_TYPES)
            + " | ---: | ---: | ---: | ---: |",
        ]
        rows = [(" / ".join(p["annotators"]), p) for p in report["pairs"]]
        if len(rows) > 1:
            rows.append(("**all pairs**", report["overall"]))
        for name, p in rows:
            lines.append(
                f"| {name} | {p['tasks']} | {p['words']} | {_num(p['strict_f1'])} | {_num(p['overlap_f1'])} "
                f"| {_num(p['kappa'])} | "
                + " | ".join(_num(p["per_type"][t]["strict_f1"]) for t in ENTITY_TYPES)
                + " | "
                + " | ".join(str(p["disagreements"][k]) for k in KINDS)
                + " |"
            )
        lines += [
            "",
            "Strict F1: same start, end and type. Overlap F1: the largest one-to-one pairing of spans of the same type "
            "that share a character. Kappa: Cohen's kappa over words (entity type or O), words split at every span "
            "boundary of both annotators. Per type: strict F1. All pairs: counts pooled over the pairs. Disagreement "
            "kinds: missing (only the first annotator marked it), extra (only the second), boundary (same type, "
            "other boundaries), type (other types).",
        ]
        dis = report["disagreements"]
        lines += [
            "",
            f"## Disagreements ({'first ' + str(shown) + ' of ' if len(dis) > shown else ''}{len(dis)}; "
            "all in the JSON report)",
            "",
        ]
        if not dis:
            lines.append("None: every pair marked exactly the same spans.")
        for d in dis[:shown]:
            a, b = d["annotators"]
            where = f"task {d['task_id']}" + (
                f", sentence {d['doc_id']}:{d['sentence_id']}" if d["sentence_id"] is not None else ""
            )

            def show(spans):
                return ", ".join(f"`{s['text']}` {s['label']}" for s in spans) or "nothing"

            lines.append(f"- **{d['kind']}** ({where}) {a}: {show(d['spans'][a])}; {b}: {show(d['spans'][b])}  ")
            lines.append(f"  > {_context(d['sentence'], d['spans'][a] + d['spans'][b])}")
    lines += [
        "",
        "## Annotators",
        "",
        "| annotator | tasks | skipped | " + " | ".join(ENTITY_TYPES) + " | median time per task |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in ENTITY_TYPES) + " | ---: |",
    ]
    for who, s in report["annotators"].items():
        lines.append(
            f"| {who} | {s['tasks']} | {s['skipped']} | "
            + " | ".join(str(s["entities"][t]) for t in ENTITY_TYPES)
            + f" | {_duration(s['median_lead_time'])} |"
        )
    lines += [
        "",
        "Annotators are Label Studio users as the export names them (`completed_by`: a user id unless "
        "the export expands it; `deleted user (annotation N)`: an annotation whose user was deleted, counted "
        "on its own). Time: the median of Label Studio's `lead_time` over the tasks done.",
    ]
    if report["issues"]:
        lines += ["", f"{len(report['issues'])} problem(s) found (listed in the JSON report)."]
    return "\n".join(lines) + "\n"
