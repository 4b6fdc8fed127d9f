"""Hugging Face dataset built from corrected Label Studio exports (one example per sentence)."""
from __future__ import annotations

from .schema import BIO_LABELS


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
