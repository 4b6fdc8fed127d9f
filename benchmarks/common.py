"""Shared set-up of the CPU benchmarks: the tiny PhoBERT-format model and a dataset of the seed sentences."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tiny_model(work: Path) -> str:
    out = work / "tiny-base"
    if not (out / "config.json").exists():
        subprocess.run([sys.executable, "-m", "vner", "tiny-model", "-o", str(out)], check=True, cwd=ROOT)
    return str(out)


def seed_sentences() -> list:
    """Every sentence of the seed articles (offset map: NFC, sentences, underthesea words)."""
    from annotation.text import load_documents

    return [s for d in load_documents([ROOT / "seeds"]) for s in d.sentences() if s.word_spans]


def seed_dataset(work: Path, repeat: int = 4) -> str:
    """The seed sentences as a vner DatasetDict. Tags are all O: these benchmarks time the training path, and
    throughput does not depend on the labels."""
    from datasets import Dataset, DatasetDict

    from annotation.dataset import dataset_features

    out = work / "seed-dataset"
    if (out / "dataset_dict.json").exists():
        return str(out)
    rows = []
    for k in range(repeat):
        for s in seed_sentences():
            rows.append(
                {
                    "id": f"{k}-{s.doc_id}-{s.index}",
                    "doc_id": s.doc_id,
                    "sentence_id": s.index,
                    "annotator": "bench",
                    "text": s.text,
                    "tokens": s.words,
                    "token_starts": [a for a, _ in s.word_spans],
                    "token_ends": [b for _, b in s.word_spans],
                    "ner_tags": ["O"] * len(s.word_spans),
                }
            )
    features = dataset_features()
    DatasetDict(
        {
            "train": Dataset.from_list(rows, features=features),
            "validation": Dataset.from_list(rows[: len(rows) // repeat], features=features),
        }
    ).save_to_disk(str(out))
    return str(out)
