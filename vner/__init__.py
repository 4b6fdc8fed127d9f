"""vner: Vietnamese named-entity recognition, from raw text to a published PhoBERT model.

The small API a Python user needs (each also a `vner` subcommand):

    import vner
    docs = vner.load_documents(["seeds/"])                       # NFC, paragraphs, sentences, words
    tasks = vner.preannotate(docs, "rules,dates")                # Label Studio tasks with predictions
    result = vner.read_export("export.json")                     # examples (one per sentence) + issues
    dsd = vner.build_dataset(result.examples)                    # a datasets.DatasetDict
    tagger = vner.Tagger("models/run1")                          # needs vner[train]: torch, transformers
    spans = tagger.spans(docs[0].sentences())

The annotation side (`annotation`, everything above but `Tagger`) runs without torch; the training side
(`training`) needs the `vner[train]` extra.
"""

from __future__ import annotations

__version__ = "0.2.0"

from .api import build_dataset, load_documents, load_preannotators, preannotate, read_export  # noqa: E402


def __getattr__(name: str):
    if name == "Tagger":  # imports torch: only when a model is used
        from . import api

        return api.Tagger
    raise AttributeError(f"module 'vner' has no attribute {name!r}")


__all__ = [
    "Tagger",
    "__version__",
    "build_dataset",
    "load_documents",
    "load_preannotators",
    "preannotate",
    "read_export",
]
