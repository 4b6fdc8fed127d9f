"""The composition layer: what `vner/__init__.py` exports, what the CLI commands and the ML backend call.

It is the one place that joins the annotation side with the training side (a model as a pre-annotator), so
`annotation/` never imports `training/` and runs without torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotation.errors import VnerError
from annotation.export import ExportResult, load_export
from annotation.preannotate import (
    DEFAULT_ANNOTATORS,
    Preannotator,
    make_preannotator,
    preannotate_documents,
    set_model_mode,
)
from annotation.text import Document
from annotation.text import load_documents as _load_documents
from annotation.unit import MAX_TASK_CHARS

ANNOTATOR_SPECS = "rules, dates, crf, gazetteer:PATH, model:DIR"


def split_specs(specs: str | Sequence[str]) -> list[str]:
    """`"rules,dates"` or `["rules", "dates"]` -> specs; `default` stands for the default stack."""
    items = specs.split(",") if isinstance(specs, str) else list(specs)
    out = [s.strip() for s in items if s and s.strip()]
    out = [x for s in out for x in (DEFAULT_ANNOTATORS if s == "default" else [s])]
    if not out:
        raise VnerError(f"no pre-annotator named; use one or more of {ANNOTATOR_SPECS}.")
    return out


def load_preannotators(
    specs: str | Sequence[str], *, batch_size: int = 32, device: str | None = None, model_mode: str = "override"
) -> list[Preannotator]:
    """Pre-annotators from specs (`rules`, `dates`, `crf`, `gazetteer:PATH`, `model:DIR`); `model:DIR` loads a
    model trained with `vner train` (needs the `vner[train]` extra). `model_mode` says how a model meets the rules
    (`override`, `fill-gaps`, `threshold:P`; see `annotation.preannotate.set_model_mode`)."""
    set_model_mode(_NoModel(), model_mode)  # a bad mode is an error even when no model is named
    out = []
    for spec in split_specs(specs):
        name, _, arg = spec.partition(":")
        if name != "model":
            out.append(make_preannotator(spec))
            continue
        if not arg:
            raise VnerError("model needs a folder: `model:DIR` (a `vner train` output folder).")
        out.append(model_preannotator(arg, batch_size=batch_size, device=device, mode=model_mode))
    return out


def model_preannotator(
    model_dir: str | Path, *, batch_size: int = 32, device: str | None = None, mode: str = "override"
) -> Preannotator:
    set_model_mode(_NoModel(), mode)  # a bad mode fails before a model is loaded
    try:
        from training.predict import ModelAnnotator
    except ImportError as exc:  # torch/transformers missing: the annotation side installs without them
        raise VnerError(
            f"model:{model_dir}: a model needs the training extra ({exc.name} is not installed); "
            "install it with `pip install 'vner[train]'`."
        ) from None
    return set_model_mode(ModelAnnotator(model_dir, batch_size=batch_size, device=device), mode)


class _NoModel:
    name, version = "model", ""


def load_documents(paths: Sequence[str | Path], **kwargs: Any) -> list[Document]:
    """Text files and folders -> documents (NFC, paragraphs, sentences, words); see `annotation.text`."""
    return _load_documents([paths] if isinstance(paths, (str, Path)) else paths, **kwargs)


def preannotate(
    docs: Sequence[Document],
    annotators: str | Sequence[str] | Sequence[Preannotator] = "default",
    *,
    granularity: str = "paragraph",
    max_chars: int | None = MAX_TASK_CHARS,
    drop_repeats: bool = True,
) -> list[dict]:
    """Label Studio tasks for `docs`, each with one prediction of the combined `annotators`; tasks longer than
    `max_chars` are cut between sentences, repeated paragraphs are made into one task (see
    `annotation.preannotate.preannotate_documents`)."""
    if isinstance(annotators, str) or (annotators and isinstance(annotators[0], str)):
        annotators = load_preannotators(annotators)  # type: ignore[arg-type]
    tasks, _ = preannotate_documents(
        docs,
        annotators,
        granularity,
        max_chars=max_chars,  # type: ignore[arg-type]
        drop_repeats=drop_repeats,
    )
    return tasks


def read_export(path: str | Path, **kwargs: Any) -> ExportResult:
    """Examples (one per sentence), issues and stats of a Label Studio JSON export; see `annotation.export`."""
    return load_export(path, **kwargs)


def build_dataset(examples, **kwargs: Any):
    """A `datasets.DatasetDict` split by document; see `annotation.dataset.build_dataset_dict`."""
    from annotation.dataset import build_dataset_dict

    return build_dataset_dict(examples, **kwargs)


def __getattr__(name: str):
    if name == "Tagger":  # torch is imported only when a model is used
        try:
            from training.predict import Tagger
        except ImportError as exc:
            raise VnerError(
                f"vner.Tagger needs the training extra ({exc.name} is not installed); "
                "install it with `pip install 'vner[train]'`."
            ) from None
        return Tagger
    raise AttributeError(name)
