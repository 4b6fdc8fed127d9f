"""Hugging Face dataset built from corrected Label Studio exports (one example per sentence)."""
from __future__ import annotations

from .errors import VnerError
from .export import annotation_rule_line
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


def build_dataset_dict(examples, *, ratios=(0.8, 0.1, 0.1), seed: int = 42):
    """A `DatasetDict` (train/validation/test, split by document, see `split_documents`) with
    `dataset_features()`; `ner_tags` may be label names or ids. Within a split, examples are ordered by
    document (shuffled order), sentence id and annotator."""
    from datasets import Dataset, DatasetDict

    examples = list(examples)
    if not examples:
        raise VnerError("no examples to build a dataset from.")
    assignment = split_documents((ex["doc_id"] for ex in examples), ratios, seed)
    features = dataset_features()
    out = {}
    for name in SPLITS:
        order = {d: k for k, d in enumerate(assignment[name])}
        rows = sorted((ex for ex in examples if ex["doc_id"] in order),
                      key=lambda ex: (order[ex["doc_id"]], ex["sentence_id"], ex["annotator"]))
        out[name] = Dataset.from_dict(_columns(rows), features=features, split=name)
    return DatasetDict(out)


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


def write_dataset(dsd, out_dir, *, issues=(), stats: dict | None = None, source: str | None = None) -> dict:
    """Write `dsd` to `out_dir`: `save_to_disk` (what `vner train --dataset` reads), `conll/{split}.conll`
    (token TAB tag, `-DOCSTART-` before each document, a blank line after each sentence),
    `jsonl/{split}.jsonl` (one example per line, `ner_tags` as names), `README.md` (a Hugging Face dataset
    card) and, when there are issues, `issues.jsonl`. Returns the entity counts per split and type."""
    import json
    from pathlib import Path

    from datasets.utils.logging import disable_progress_bar, enable_progress_bar, is_progress_bar_enabled

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    was_enabled = is_progress_bar_enabled()
    disable_progress_bar()  # one "Saving the dataset" bar per split is noise for a write of seconds
    try:
        dsd.save_to_disk(str(out))
    finally:
        if was_enabled:
            enable_progress_bar()
    (out / "conll").mkdir(exist_ok=True)
    (out / "jsonl").mkdir(exist_ok=True)
    for name, ds in dsd.items():
        rows = ds.to_list()
        with open(out / "conll" / f"{name}.conll", "w", encoding="utf-8") as f:
            prev_doc = None
            parts = []
            for row in rows:
                if row["doc_id"] != prev_doc:
                    parts.append("-DOCSTART-\tO\n\n")
                    prev_doc = row["doc_id"]
                parts.append("".join(f"{tok}\t{BIO_LABELS[tag]}\n" for tok, tag in zip(row["tokens"], row["ner_tags"])) + "\n")
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
    (out / "README.md").write_text(dataset_card(dsd, counts, issues=issues, stats=stats, source=source), encoding="utf-8")
    return counts


def repeats_note(repeats: list[dict]) -> str:
    """The card's and the terminal's line on repeated text (`annotation.export.keep_repeats_once`)."""
    left_out = [r for r in repeats if not r["kept"]]
    differ = [r for r in repeats if r["kept"] and not r["same_labels"]]
    parts = []
    if left_out:
        parts.append(f"{len(left_out)} repeated sentences kept once (the same text earlier in the same document: "
                     "captions and headlines a page shows twice; a copy a person corrected wins over a "
                     "pre-annotated one)")
    if differ:
        where = ", ".join(f"{r['doc_id']}:{r['sentence_id']}" for r in differ[:5]) + (" ..." if len(differ) > 5 else "")
        parts.append(f"{len(differ)} repeated sentences labelled differently by people, all kept, worth a look: "
                     f"{where}")
    return "; ".join(parts)


def dataset_card(dsd, counts, *, issues=(), stats: dict | None = None, source: str | None = None) -> str:
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
        rows.append(f"| {name} | {n_docs} | {len(ds)} | {n_tokens} | " + " | ".join(str(counts[name][t]) for t in ENTITY_TYPES)
                    + f" | {sum(counts[name].values())} |")
    table = (f"| split | documents | sentences | tokens | {' | '.join(ENTITY_TYPES)} | entities |\n"
             f"| --- | ---: | ---: | ---: | {' | '.join('---:' for _ in ENTITY_TYPES)} | ---: |\n" + "\n".join(rows))
    schema = "\n".join(f"| {t} | {ENTITY_DESCRIPTIONS[t]} |" for t in ENTITY_TYPES)
    reasons = Counter(i.reason for i in issues)
    issue_text = (
        "No problems were found in the export." if not issues else
        f"{len(issues)} problem(s) were found and the affected sentences left out (built with `--lenient`); every one "
        f"is listed in `issues.jsonl`: " + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())) + "."
    )
    handled = []
    for key, what in (("cancelled_tasks", "tasks skipped because their annotation was cancelled"),
                      ("unannotated_tasks", "tasks skipped because nobody annotated them"),
                      ("from_predictions", "tasks taken from pre-annotations (not corrected by a person)"),
                      ("several_annotations", f"tasks with several annotations ({stats.get('annotations_mode', 'latest')})"),
                      ("merged_sentences", "sentence groups merged because an entity crossed a sentence boundary")):
        if stats.get(key):
            handled.append(f"- {len(stats[key])} {what}")
    chosen_by = stats.get("chosen_by") or {}
    if chosen_by.get("ground_truth") or chosen_by.get("latest"):
        handled.append(f"- {annotation_rule_line(chosen_by)}")
    if stats.get("dropped_sentences"):
        handled.append(f"- {stats['dropped_sentences']} sentences left out because of the problems below")
    if stats.get("trimmed_spans"):
        handled.append(f"- {stats['trimmed_spans']} spans trimmed of surrounding whitespace (a region dragged over a "
                       "space keeps only the name)")
    if stats.get("repeated_sentences"):
        handled.append(f"- {repeats_note(stats['repeated_sentences'])}")
    handled_text = "\n".join(handled) or "- nothing needed special handling"
    return f"""{header}
# vner Vietnamese NER dataset

Named entities ({", ".join(ENTITY_TYPES)}) in Vietnamese text, corrected by annotators in Label Studio and
converted by `vner dataset`{f" from `{source}`" if source else ""}. One example per sentence.

## Counts

{table}

Splits are by document (no document is in two splits), shuffled with a fixed seed.

## Schema

| type | what it covers |
| --- | --- |
{schema}

`ner_tags` are IOB2 tags over `tokens` in this order: {", ".join(f"{i} {label}" for i, label in enumerate(BIO_LABELS))}.

## Fields

- `text`: the sentence as annotators read it (NFC, natural spacing, no segmentation underscores).
- `tokens`: PhoBERT words (syllables joined by `_`, e.g. `Võ_Văn_Thưởng`); a word that an entity boundary cut
  is split there, so every entity starts and ends on a token.
- `token_starts`/`token_ends`: character offsets of each token in `text`: entities come back exactly as
  (`text[start:end]`, label), so the dataset is lossless.
- `doc_id`, `sentence_id` (sentence index in the document), `annotator` (Label Studio user, or
  `prediction:<model_version>` for uncorrected pre-annotations), `id` (`doc_id:sentence_id`).

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

    from datasets import DatasetDict, load_from_disk

    if not Path(path).exists():
        raise VnerError(f"{path}: no such dataset folder; build one with `vner dataset`.")
    try:
        ds = load_from_disk(str(path))
    except Exception as exc:
        raise VnerError(f"{path}: not a saved dataset ({str(exc).splitlines()[0]}); build one with `vner dataset`.") from None
    if not isinstance(ds, DatasetDict):
        raise VnerError(f"{path}: holds a single Dataset; vner expects a DatasetDict with train/validation/test splits.")
    for split in ds.values():
        missing = {"tokens", "ner_tags"} - set(split.column_names)
        if missing:
            raise VnerError(f"{path}: dataset lacks column(s) {sorted(missing)}; build it with `vner dataset`.")
    return ds
