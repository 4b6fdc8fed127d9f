"""Label Studio `labels` regions: the one writer (`region`) and the one parser (`parse_regions`).

Every place that reads regions goes through `parse_regions`: reading an export (`vner dataset`,
`vner corrections`, agreement), checking tasks before a push, and the labeling-config check of a whole export
(`region_shape_problem`). It returns what it found, checked spans and problems, and changes nothing else.

A problem's `where` says what it spoils: a range of the task text (the sentences touching it are left out), or
None (the whole task). Reason codes:

| reason          | what                                                           | spoils     |
| --------------- | -------------------------------------------------------------- | ---------- |
| other_config    | not a `labels` region from `label` to `text` (another config)  | the task   |
| out_of_range    | start/end missing, not integers, or outside the text           | the task   |
| text_mismatch   | `value.text` differs from the text at start:end                | the task   |
| several_labels  | a region with zero or several labels                           | sentences  |
| unknown_label   | a label outside the schema                                     | sentences  |
| empty_span      | a span of whitespace only                                      | nothing (listed) |
| overlap         | two spans overlap                                              | sentences  |

Leading/trailing whitespace is trimmed and counted (`Regions.trimmed`), not a problem.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .schema import ENTITY_TYPES, FROM_NAME, TO_NAME
from .spans import Span, trim_span
from .unit import Offsets


def region(span: Span, text: str, region_id: str | None = None, origin: str = "prediction") -> dict:
    """One Label Studio `labels` region for a span of `text` (`origin` "manual" for an annotator's region)."""
    out = {
        "id": region_id or uuid.uuid5(uuid.NAMESPACE_URL, f"{span.start}:{span.end}:{span.label}").hex[:10],
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": origin,
        "value": {"start": span.start, "end": span.end, "text": text[span.start : span.end], "labels": [span.label]},
    }
    if span.score is not None:
        out["score"] = round(float(span.score), 4)
    if span.source:
        out["meta"] = {"source": span.source}
    return out


@dataclass(frozen=True)
class Problem:
    reason: str  # code, see the module docstring
    message: str
    where: Offsets | None = None  # task-text range whose sentences it spoils; None: the whole task
    spoils: bool = True  # False: listed only (nothing that could be kept is lost)


@dataclass
class Regions:
    spans: list[Span] = field(default_factory=list)  # sorted, trimmed, in the schema, never overlapping
    problems: list[Problem] = field(default_factory=list)
    trimmed: int = 0  # spans that had leading/trailing whitespace removed


def region_shape_problem(r) -> str | None:
    """Why a result item is not a region of vner's labeling config (it comes from another project), or None."""
    if isinstance(r, dict) and (r.get("type"), r.get("from_name"), r.get("to_name")) == ("labels", FROM_NAME, TO_NAME):
        return None
    if isinstance(r, dict):
        return f"a {r.get('type')!r} result from {r.get('from_name')!r} to {r.get('to_name')!r}"
    return f"a result that is not an object ({r!r:.40})"


def parse_regions(
    results: Iterable, text: str, *, original: str | None = None, offset_map: Sequence[int] | None = None, who: str = ""
) -> Regions:
    """Checked spans (offsets into `text`) from an annotation's or prediction's `result` list.

    Offsets in the regions point into `original` (the text as stored in Label Studio; default `text`);
    `offset_map` maps them onto `text` when the two differ (NFC normalisation). `who` names the annotation in
    messages. Overlapping spans are all reported; of two overlapping spans the longer stays in `spans` so the
    caller can still see what was meant, but the overlap spoils its sentences.
    """
    orig = text if original is None else original
    n = len(orig)
    tag = f" ({who})" if who else ""
    out = Regions()
    spans: list[Span] = []
    for r in results:
        shape = region_shape_problem(r)
        if shape is not None:
            out.problems.append(
                Problem("other_config", f"{shape}{tag}; use the labeling config that `vner config` writes")
            )
            continue
        v = r.get("value") or {}
        start, end, labels = v.get("start"), v.get("end"), v.get("labels")
        if not (type(start) is int and type(end) is int and 0 <= start < end <= n):
            out.problems.append(Problem("out_of_range", f"span {start}-{end}{tag} is outside the text (length {n})"))
            continue
        if "text" in v and v["text"] != orig[start:end]:
            out.problems.append(
                Problem(
                    "text_mismatch",
                    f"span {start}-{end}{tag} says {v['text']!r} but the text "
                    f"there is {orig[start:end]!r}; the task text changed after annotation",
                )
            )
            continue
        s, e = (start, end) if offset_map is None else (offset_map[start], offset_map[end])
        if not isinstance(labels, list) or len(labels) != 1:
            out.problems.append(
                Problem(
                    "several_labels",
                    f"span {start}-{end} {orig[start:end]!r}{tag} has labels "
                    f"{labels!r}; give each region exactly one label",
                    (s, e),
                )
            )
            continue
        label = labels[0]
        if label not in ENTITY_TYPES:
            out.problems.append(
                Problem(
                    "unknown_label",
                    f"span {start}-{end} {orig[start:end]!r}{tag} has label "
                    f"{label!r}, not in the schema {list(ENTITY_TYPES)}",
                    (s, e),
                )
            )
            continue
        trimmed = trim_span(text, Span(s, e, label, r.get("score")))
        if trimmed is None:
            out.problems.append(
                Problem("empty_span", f"span {start}-{end} {label}{tag} holds only whitespace", (s, e), spoils=False)
            )
            continue
        if (trimmed.start, trimmed.end) != (s, e):
            out.trimmed += 1
        spans.append(trimmed)
    spans.sort()
    for sp in spans:
        if out.spans and sp.start < out.spans[-1].end:
            prev = out.spans[-1]
            out.problems.append(
                Problem(
                    "overlap",
                    f"span {sp.start}-{sp.end} {sp.label} {text[sp.start : sp.end]!r}{tag} overlaps "
                    f"{prev.start}-{prev.end} {prev.label} {text[prev.start : prev.end]!r}",
                    (min(sp.start, prev.start), max(sp.end, prev.end)),
                )
            )
            if sp.end - sp.start > prev.end - prev.start:
                out.spans[-1] = sp
            continue
        out.spans.append(sp)
    return out
