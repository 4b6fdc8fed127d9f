"""Hugging Face dataset built from corrected Label Studio exports and token files (one example per sentence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import VnerError
from .schema import BIO_LABELS, ENTITY_DESCRIPTIONS, ENTITY_TYPES, label2id


def dataset_features():
    """The one `datasets.Features` of every vner dataset. `tokens` are PhoBERT words (`Võ_Văn_Thưởng`);
    `token_starts`/`token_ends` are their character offsets in `text` (the display sentence), which makes
    the dataset lossless: spans come back exactly from (text, offsets, ner_tags)."""
    from datasets import ClassLabel, Features, Sequence, Value

    return Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "sentence_id": Value("int32"),
            "annotator": Value("string"),
            "text": Value("string"),
            "tokens": Sequence(Value("string")),
            "token_starts": Sequence(Value("int32")),
            "token_ends": Sequence(Value("int32")),
            "ner_tags": Sequence(ClassLabel(names=list(BIO_LABELS))),
        }
    )


# ------------------------------------------------------------------------------------------ building

SPLITS = ("train", "validation", "test")


def split_documents(doc_ids, ratios=(0.8, 0.1, 0.1), seed: int = 42) -> dict[str, list[str]]:
    """Assign whole documents to train/validation/test, deterministically for a seed.

    Documents are shuffled with `random.Random(seed)` (over their sorted ids, so input order does not matter)
    and cut by document counts (largest remainder). With 3 or more documents, every split with a nonzero ratio
    gets at least one document, taken from the split with the most. Ratios count documents, not sentences."""
    import random

    if len(ratios) != 3 or any(r < 0 for r in ratios) or not sum(ratios) > 0:
        raise VnerError(f"split ratios must be three non-negative numbers (train, validation, test), got {ratios}.")
    total = float(sum(ratios))
    ratios = [r / total for r in ratios]
    docs = sorted(set(doc_ids))
    random.Random(seed).shuffle(docs)
    n = len(docs)
    exact = [r * n for r in ratios]
    counts = [int(x) for x in exact]
    for k in sorted(range(3), key=lambda k: exact[k] - counts[k], reverse=True)[: n - sum(counts)]:
        counts[k] += 1
    if n >= 3:
        for k in range(3):
            if ratios[k] > 0 and counts[k] == 0:
                donor = max(range(3), key=lambda d: counts[d])
                counts[donor] -= 1
                counts[k] += 1
    out, pos = {}, 0
    for name, c in zip(SPLITS, counts):
        out[name] = docs[pos : pos + c]
        pos += c
    return out


def _columns(examples) -> dict:
    """Arrow columns for `dataset_features()`, built in bulk (no per-example encoding in `datasets`)."""
    import pyarrow as pa

    ids = label2id()
    cols: dict = {name: pa.array([ex[name] for ex in examples], pa.string()) for name in ("id", "doc_id")}
    cols["sentence_id"] = pa.array([ex["sentence_id"] for ex in examples], pa.int32())
    for name in ("annotator", "text"):
        cols[name] = pa.array([ex[name] for ex in examples], pa.string())
    cols["tokens"] = pa.array([ex["tokens"] for ex in examples], pa.list_(pa.string()))
    cols["token_starts"] = pa.array([ex["token_starts"] for ex in examples], pa.list_(pa.int32()))
    cols["token_ends"] = pa.array([ex["token_ends"] for ex in examples], pa.list_(pa.int32()))
    try:
        tags = [[t if type(t) is int else ids[t] for t in ex["ner_tags"]] for ex in examples]
    except KeyError as exc:
        raise VnerError(f"unknown BIO tag {exc.args[0]!r}; tags must be one of {list(BIO_LABELS)}.") from None
    cols["ner_tags"] = pa.array(tags, pa.list_(pa.int64()))
    return cols


def make_example(
    doc_id: str, sentence_id: int, annotator: str, text: str, word_spans, spans, *, id_suffix: str = ""
) -> dict:
    """The one shape of a dataset example, from a sentence's display text, its word spans and entity spans
    (offsets into `text`), through `spans_to_bio`: what a Label Studio task and a token file (CoNLL, JSON Lines)
    both become. Raises `annotation.spans.SpanError` for spans BIO cannot hold as they are."""
    from .spans import spans_to_bio

    tokens, token_spans, tags = spans_to_bio(text, word_spans, spans)
    return {
        "id": f"{doc_id}:{sentence_id}{id_suffix}",
        "doc_id": doc_id,
        "sentence_id": sentence_id,
        "annotator": annotator,
        "text": text,
        "tokens": tokens,
        "token_starts": [a for a, _ in token_spans],
        "token_ends": [b for _, b in token_spans],
        "ner_tags": tags,
    }


def assign_splits(
    doc_ids, *, ratios=(0.8, 0.1, 0.1), seed: int = 42, fixed: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Documents per split: those in `fixed` (doc_id -> split, a corpus's own split) where they are given, the
    others by `split_documents` with `ratios`."""
    fixed = fixed or {}
    docs = sorted(set(doc_ids))
    bad = sorted({s for s in fixed.values() if s not in SPLITS})
    if bad:
        raise VnerError(f"unknown split name(s) {bad}; use {', '.join(SPLITS)}.")
    free = [d for d in docs if d not in fixed]
    out = split_documents(free, ratios, seed) if free else {name: [] for name in SPLITS}
    for name in SPLITS:
        out[name] = out[name] + [d for d in docs if fixed.get(d) == name]
    return out


def build_dataset_dict(examples, *, ratios=(0.8, 0.1, 0.1), seed: int = 42, fixed: dict[str, str] | None = None):
    """A `DatasetDict` split by document (`assign_splits`: a document's split from `fixed`, else
    `split_documents`) with `dataset_features()`; `ner_tags` may be label names or ids. A split without an
    example is left out (a 0-row split cannot be read back by `load_from_disk`); `empty_splits(dsd)` names them.
    Within a split, examples are ordered by document (shuffled order, then fixed documents in id order), sentence
    id and annotator."""
    from datasets import Dataset, DatasetDict

    examples = list(examples)
    if not examples:
        raise VnerError("no examples to build a dataset from.")
    assignment = assign_splits((ex["doc_id"] for ex in examples), ratios=ratios, seed=seed, fixed=fixed)
    features = dataset_features()
    out = {}
    for name in SPLITS:
        order = {d: k for k, d in enumerate(assignment[name])}
        rows = sorted(
            (ex for ex in examples if ex["doc_id"] in order),
            key=lambda ex: (order[ex["doc_id"]], ex["sentence_id"], ex["annotator"]),
        )
        if rows:
            out[name] = Dataset.from_dict(_columns(rows), features=features, split=name)
    return DatasetDict(out)


def empty_splits(dsd) -> list[str]:
    """The splits of `SPLITS` that `build_dataset_dict` left out because no example fell in them."""
    return [name for name in SPLITS if name not in dsd]


def example_spans(example) -> list:
    """The entity spans of an example (offsets into `example["text"]`), from its BIO tags (names or ids)."""
    from .spans import bio_to_spans

    tags = [BIO_LABELS[t] if type(t) is int else t for t in example["ner_tags"]]
    return bio_to_spans(list(zip(example["token_starts"], example["token_ends"])), tags)


# ------------------------------------------------------------------------------------------ writing


def entity_counts(dsd) -> dict[str, dict[str, int]]:
    """Entities per split and type, decoded by `bio_entities` (the one BIO decoder)."""
    from collections import Counter

    from .spans import bio_entities

    out = {}
    for name, ds in dsd.items():
        counts: Counter = Counter()
        for tags in ds.data.column("ner_tags").to_pylist():
            counts.update(label for _, _, label in bio_entities([BIO_LABELS[t] for t in tags]))
        out[name] = {t: counts[t] for t in ENTITY_TYPES}
    return out


@dataclass
class Provenance:
    """Where a dataset came from, for its card: one line per source file (format, split, what was read), how
    the splits were made, and what each source entity type became (`(source type, schema type or "O",
    entities)`; "O" = dropped)."""

    sources: list[str] = field(default_factory=list)
    split_rule: str = ""
    label_map: list[tuple[str, str, int]] = field(default_factory=list)


# What marks a folder as a `vner dataset` build (with dataset_dict.json): the card's first line of prose says it. A
# rebuild replaces such a folder whole, so the names below are all it may hold; anything else is the user's.
CARD_MARK = "converted by `vner dataset`"
DATASET_NAMES = frozenset({"dataset_dict.json", "README.md", "issues.jsonl", "conll", "jsonl", *SPLITS})


def check_dataset_folder(path, *, option: str = "-o") -> Path:
    """`path` as a Path once `write_dataset` may replace it: missing, an empty folder, or a folder `vner dataset`
    wrote (dataset_dict.json and a card with `CARD_MARK`) holding nothing but `DATASET_NAMES`. A one-line
    VnerError otherwise: nothing of the user's is ever overwritten or removed."""
    out = Path(path)
    what = f"{option} {out}"
    if not out.exists():
        return out
    if not out.is_dir():
        raise VnerError(f"{what}: exists and is a file, not a folder; give a new folder.")
    here = Path.cwd().resolve()
    if out.resolve() in (here, *here.parents):
        raise VnerError(f"{what}: is the current folder (or holds it), which a build replaces; run vner elsewhere.")
    try:
        names = sorted(p.name for p in out.iterdir())
    except OSError as exc:
        raise VnerError(f"{what}: cannot be read ({exc.strerror or exc}); choose another folder.") from None
    if not names:
        return out
    card = out / "README.md"
    try:
        ours = (out / "dataset_dict.json").is_file() and CARD_MARK in card.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        ours = False
    if not ours:
        raise VnerError(
            f"{what}: a folder vner dataset did not write (it holds {_listed(names)}); pick another folder, new or "
            "empty: a build replaces the whole folder."
        )
    other = [n for n in names if n not in DATASET_NAMES]
    if other:
        raise VnerError(
            f"{what}: a vner dataset that also holds {_listed(other)}, not written by vner dataset; a rebuild "
            "replaces the whole folder, so move them out of it or pick another folder."
        )
    return out


def _listed(names: list[str], shown: int = 4) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def write_dataset(
    dsd,
    out_dir,
    *,
    issues=(),
    stats: dict | None = None,
    source: str | None = None,
    provenance: Provenance | None = None,
) -> dict:
    """Write `dsd` to `out_dir`: `save_to_disk` (what `vner train --dataset` reads), `conll/{split}.conll`
    (token TAB tag, `-DOCSTART-` before each document, a blank line after each sentence),
    `jsonl/{split}.jsonl` (one example per line, `ner_tags` as names), `README.md` (a Hugging Face dataset
    card) and, when there are issues, `issues.jsonl`. Returns the entity counts per split and type.

    `out_dir` must pass `check_dataset_folder`. Everything is written into a temporary folder beside it, which
    then takes its place: a build that fails leaves the previous folder as it was, one that succeeds leaves exactly
    its own files (no split, export or issue list of an earlier build)."""
    import os
    import shutil
    import tempfile

    out = check_dataset_folder(Path(out_dir).resolve())  # resolved: a symlinked folder is replaced where it lies
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{out.name}.tmp-"))
    try:
        new = work / "new"
        new.mkdir()
        counts = _write_files(dsd, new, issues=issues, stats=stats, source=source, provenance=provenance)
        check_dataset_folder(out)  # again: a file put there during the build is not removed with the old build
        if out.exists():
            os.rename(out, work / "old")
        os.rename(new, out)
    except BaseException:  # Ctrl-C too: the old build goes back into place before `work` is removed
        if (work / "old").exists() and not out.exists():
            os.rename(work / "old", out)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return counts


def _write_files(dsd, out: Path, *, issues, stats, source, provenance) -> dict:
    """The files of `write_dataset`, into the empty folder `out`."""
    import json

    from datasets.utils.logging import disable_progress_bar, enable_progress_bar, is_progress_bar_enabled

    was_enabled = is_progress_bar_enabled()
    disable_progress_bar()  # one "Saving the dataset" bar per split is noise for a write of seconds
    try:
        dsd.save_to_disk(str(out))
    finally:
        if was_enabled:
            enable_progress_bar()
    (out / "conll").mkdir()
    (out / "jsonl").mkdir()
    for name, ds in dsd.items():
        rows = ds.to_list()
        with open(out / "conll" / f"{name}.conll", "w", encoding="utf-8") as f:
            prev_doc = None
            parts = []
            for row in rows:
                if row["doc_id"] != prev_doc:
                    parts.append("-DOCSTART-\tO\n\n")
                    prev_doc = row["doc_id"]
                parts.append(
                    "".join(f"{tok}\t{BIO_LABELS[tag]}\n" for tok, tag in zip(row["tokens"], row["ner_tags"])) + "\n"
                )
            f.write("".join(parts))
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps(**kw) builds one per call
        with open(out / "jsonl" / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                row["ner_tags"] = [BIO_LABELS[t] for t in row["ner_tags"]]
                f.write(encode(row) + "\n")
    counts = entity_counts(dsd)
    issues = list(issues)
    if issues:
        from .export import write_issues

        write_issues(issues, out / "issues.jsonl")
    card = dataset_card(dsd, counts, issues=issues, stats=stats, source=source, provenance=provenance)
    (out / "README.md").write_text(card, encoding="utf-8")
    return counts


def left_out_note(stats: dict) -> str:
    """What the problems left out, for the card and the terminal: every sentence (a sentence group an entity merged
    counts as one, like its example), those of tasks left out whole included; a task whose sentences could not be
    counted (its text unreadable) is named. Empty when nothing was left out."""
    n = stats.get("dropped_sentences") or 0
    unknown = stats.get("dropped_unknown_tasks") or []
    several = len({u["file"] for u in unknown}) > 1
    parts = [f"{n} sentence{'' if n == 1 else 's'}"] if n else []
    for u in unknown:
        where = f" of {Path(u['file']).name}" if several else ""
        parts.append(f"task {u['task_id']}{where} (sentences unknown)")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")


def repeats_note(repeats: list[dict]) -> str:
    """The card's and the terminal's line on repeated text (`annotation.export.keep_repeats_once`)."""
    left_out = [r for r in repeats if not r["kept"]]
    differ = [r for r in repeats if r["kept"] and not r["same_labels"]]
    parts = []
    if left_out:
        parts.append(
            f"{len(left_out)} repeated sentences kept once (the same text earlier in the same document: "
            "captions and headlines a page shows twice; a copy a person corrected wins over a "
            "pre-annotated one)"
        )
    if differ:
        where = ", ".join(f"{r['doc_id']}:{r['sentence_id']}" for r in differ[:5]) + (" ..." if len(differ) > 5 else "")
        parts.append(
            f"{len(differ)} repeated sentences labelled differently by people, all kept, worth a look: {where}"
        )
    return "; ".join(parts)


def dataset_card(
    dsd,
    counts,
    *,
    issues=(),
    stats: dict | None = None,
    source: str | None = None,
    provenance: Provenance | None = None,
) -> str:
    """A Hugging Face dataset card: YAML header (features, splits) plus counts, schema and provenance."""
    from collections import Counter

    stats = stats or {}
    split_lines = "\n".join(f"  - name: {name}\n    num_examples: {len(ds)}" for name, ds in dsd.items())
    names = "\n".join(f"          '{i}': {label}" for i, label in enumerate(BIO_LABELS))
    header = f"""---
language:
- vi
task_categories:
- token-classification
task_ids:
- named-entity-recognition
pretty_name: vner Vietnamese NER
dataset_info:
  features:
  - name: id
    dtype: string
  - name: doc_id
    dtype: string
  - name: sentence_id
    dtype: int32
  - name: annotator
    dtype: string
  - name: text
    dtype: string
  - name: tokens
    sequence: string
  - name: token_starts
    sequence: int32
  - name: token_ends
    sequence: int32
  - name: ner_tags
    sequence:
      class_label:
        names:
{names}
  splits:
{split_lines}
configs:
- config_name: default
  data_files:
{chr(10).join(f"  - split: {name}{chr(10)}    path: jsonl/{name}.jsonl" for name in dsd)}
---
"""
    rows = []
    for name, ds in dsd.items():
        n_docs = len(set(ds.data.column("doc_id").to_pylist()))
        n_tokens = sum(len(t) for t in ds.data.column("tokens").to_pylist())
        rows.append(
            f"| {name} | {n_docs} | {len(ds)} | {n_tokens} | "
            + " | ".join(str(counts[name][t]) for t in ENTITY_TYPES)
            + f" | {sum(counts[name].values())} |"
        )
    table = (
        f"| split | documents | sentences | tokens | {' | '.join(ENTITY_TYPES)} | entities |\n"
        f"| --- | ---: | ---: | ---: | {' | '.join('---:' for _ in ENTITY_TYPES)} | ---: |\n" + "\n".join(rows)
    )
    schema = "\n".join(f"| {t} | {ENTITY_DESCRIPTIONS[t]} |" for t in ENTITY_TYPES)
    reasons = Counter(i.reason for i in issues)
    issue_text = (
        "No problems were found in the export."
        if not issues
        else f"{len(issues)} problem(s) were found and the affected sentences left out (built with `--lenient`); "
        "every one is listed in `issues.jsonl`: " + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())) + "."
    )
    handled = []
    for key, what in (
        ("cancelled_tasks", "tasks skipped because their annotation was cancelled"),
        ("unannotated_tasks", "tasks skipped because nobody annotated them"),
        ("from_predictions", "tasks taken from pre-annotations (not corrected by a person)"),
        ("several_annotations", f"tasks with several annotations ({stats.get('annotations_mode', 'latest')})"),
        ("merged_sentences", "sentence groups merged because an entity crossed a sentence boundary"),
    ):
        if stats.get(key):
            handled.append(f"- {len(stats[key])} {what}")
    chosen_by = stats.get("chosen_by") or {}
    if chosen_by.get("ground_truth") or chosen_by.get("latest"):
        from .export import annotation_rule_line  # export builds its examples with this module

        handled.append(f"- {annotation_rule_line(chosen_by)}")
    if left_out_note(stats):
        handled.append(f"- {left_out_note(stats)} left out because of the problems below")
    if stats.get("trimmed_spans"):
        handled.append(
            f"- {stats['trimmed_spans']} spans trimmed of surrounding whitespace (a region dragged over a "
            "space keeps only the name)"
        )
    if stats.get("repeated_sentences"):
        handled.append(f"- {repeats_note(stats['repeated_sentences'])}")
    if stats.get("repeats_kept"):
        handled.append("- sentences repeated in a document were all kept, each copy an example (`--keep-repeats`)")
    handled_text = "\n".join(handled) or "- nothing needed special handling"
    prov = provenance or Provenance()
    left_out = "".join(
        f"\n\n`{name}`: no example fell in this split, so it is left out (splits are by document; "
        "a split without rows cannot be read back by `load_from_disk`)."
        for name in empty_splits(dsd)
    )
    split_rule = prov.split_rule or "Splits are by document (no document is in two splits), shuffled with a fixed seed."
    sources = ""
    if prov.sources:
        sources = "\n## Sources\n\n" + "\n".join(f"- {line}" for line in prov.sources) + "\n"
    if prov.label_map:
        rows = "\n".join(f"| {src} | {'dropped (O)' if dst == 'O' else dst} | {n} |" for src, dst, n in prov.label_map)
        dropped = sum(n for _, dst, n in prov.label_map if dst == "O")
        sources += (
            "\n## Entity types of the sources\n\n| source type | becomes | entities |\n| --- | --- | ---: |\n"
            + rows
            + f"\n\n{dropped} source entities were dropped (their words are tagged O).\n"
        )
    origin = CARD_MARK
    if prov.sources:
        origin += " from the sources listed below"
    elif source:
        origin += f" from `{source}`"
    return f"""{header}
# vner Vietnamese NER dataset

Named entities ({", ".join(ENTITY_TYPES)}) in Vietnamese text, {origin}. One example per sentence.

## Counts

{table}{left_out}

{split_rule}
{sources}
## Schema

| type | what it covers |
| --- | --- |
{schema}

`ner_tags` are IOB2 tags over `tokens` in this order: {", ".join(f"{i} {label}" for i, label in enumerate(BIO_LABELS))}.

## Fields

- `text`: the sentence as annotators read it (NFC, natural spacing, no segmentation underscores); for a corpus
  file, built from its words (a JSON Lines line's own `text` and offsets are kept when they fit its words).
- `tokens`: PhoBERT words (syllables joined by `_`, e.g. `Võ_Văn_Thưởng`); a word that an entity boundary cut
  is split there, so every entity starts and ends on a token.
- `token_starts`/`token_ends`: character offsets of each token in `text`: entities come back exactly as
  (`text[start:end]`, label), so the dataset is lossless.
- `doc_id`, `sentence_id` (sentence index in the document), `annotator` (Label Studio user,
  `prediction:<model_version>` for uncorrected pre-annotations, or `corpus:<file>` for a corpus file's sentences),
  `id` (`doc_id:sentence_id`).

Also here: `conll/{{split}}.conll` (token TAB tag, `-DOCSTART-` before each document) and
`jsonl/{{split}}.jsonl` (tags as names). Load with `datasets.load_from_disk(path)`.

## How it was built

{handled_text}

{issue_text}
"""


def load_dataset_dict(path: str | Path):
    """The DatasetDict written by `vner dataset`, with a one-line error for anything else (read by `vner train`,
    `vner evaluate`)."""
    from pathlib import Path

    from datasets import ClassLabel, DatasetDict, load_from_disk

    if not Path(path).exists():
        raise VnerError(f"{path}: no such dataset folder; build one with `vner dataset`.")
    try:
        ds = load_from_disk(str(path))
    except Exception as exc:
        raise VnerError(
            f"{path}: not a saved dataset ({str(exc).splitlines()[0]}); build one with `vner dataset`."
        ) from None
    if not isinstance(ds, DatasetDict):
        raise VnerError(
            f"{path}: holds a single Dataset; vner expects a DatasetDict with train/validation/test splits."
        )
    names = None
    for name, split in ds.items():
        missing = {"tokens", "ner_tags"} - set(split.column_names)
        if missing:
            raise VnerError(f"{path}: dataset lacks column(s) {sorted(missing)}; build it with `vner dataset`.")
        # the label names come from the ClassLabel: plain integers (or strings) say nothing of what they mean
        tags = split.features["ner_tags"]
        inner = getattr(tags, "feature", tags)
        if not isinstance(inner, ClassLabel):
            raise VnerError(
                f"{path}: split {name!r} has ner_tags of {inner!r}, not BIO label names (a sequence of ClassLabel, "
                "as a vner dataset has); build it with `vner dataset`."
            )
        if names is not None and inner.names != names:
            raise VnerError(f"{path}: the splits' ner_tags have different label names; build it with `vner dataset`.")
        names = inner.names
    return ds
