"""Small Vietnamese NER datasets for the training tests, built exactly like `vner dataset` builds them
(offset map -> `spans_to_bio` -> `dataset_features()`)."""

from __future__ import annotations

import random
import re
import sys

from annotation.dataset import dataset_features
from annotation.spans import Span, spans_to_bio
from annotation.text import whitespace_words

PEOPLE = ["Võ Văn Thưởng", "Nguyễn Phú Trọng", "Phạm Minh Chính", "Lê Thị Hoa", "Trần Đại Quang"]
ORGS = ["Bộ Ngoại giao", "Quốc hội", "Đại học Quốc gia Hà Nội", "Vietcombank", "Thông tấn xã Việt Nam"]
PLACES = ["Hà Nội", "Nhật Bản", "Thành phố Hồ Chí Minh", "Đà Nẵng", "sông Hồng"]
DATES = ["ngày 5/3", "tháng 10 năm 2023", "năm 2024", "hôm qua", "ngày 12 tháng 7"]
TEMPLATES = [
    "Chủ tịch [PER] đã gặp đại diện [ORG] tại [LOC] [DATE] .",
    "[DATE] , [ORG] công bố kết quả ở [LOC] .",
    "Ông [PER] làm việc cho [ORG] từ [DATE] .",
    "Đoàn đại biểu [LOC] thăm [ORG] .",
    "Bà [PER] sinh ra tại [LOC] .",
    "Trời hôm nay mưa nhiều và gió mạnh .",
]
_SLOT = re.compile(r"\[(PER|ORG|LOC|DATE)\]")
FILLERS = {"PER": PEOPLE, "ORG": ORGS, "LOC": PLACES, "DATE": DATES}


def make_sentence(template: str, rng: random.Random) -> tuple[str, list[Span]]:
    text, spans, pos = "", [], 0
    for m in _SLOT.finditer(template):
        text += template[pos : m.start()]
        value = rng.choice(FILLERS[m.group(1)])
        spans.append(Span(len(text), len(text) + len(value), m.group(1)))
        text += value
        pos = m.end()
    return text + template[pos:], spans


def make_rows(n: int, seed: int = 0, split: str = "train") -> list[dict]:
    """Rows with segmentation = whitespace syllables joined into PhoBERT-style multi-syllable words for
    names (so `tokens` look like `Võ_Văn_Thưởng`)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        text, spans = make_sentence(TEMPLATES[i % len(TEMPLATES)], rng)
        # words: each entity is one word (as a segmenter joins names), the rest are syllables
        words, cursor = [], 0
        for sp in spans:
            words += [(s + cursor, e + cursor) for s, e in whitespace_words(text[cursor : sp.start])]
            words.append((sp.start, sp.end))
            cursor = sp.end
        words += [(s + cursor, e + cursor) for s, e in whitespace_words(text[cursor:])]
        tokens, token_spans, tags = spans_to_bio(text, words, spans)
        rows.append(
            {
                "id": f"{split}-{i}",
                "doc_id": f"doc{i // 5}",
                "sentence_id": i % 5,
                "annotator": "test",
                "text": text,
                "tokens": tokens,
                "token_starts": [s for s, _ in token_spans],
                "token_ends": [e for _, e in token_spans],
                "ner_tags": tags,
            }
        )
    return rows


def make_dataset_dict(n_train: int = 48, n_eval: int = 12, seed: int = 0):
    from datasets import Dataset, DatasetDict

    features = dataset_features()
    return DatasetDict(
        {
            split: Dataset.from_list(make_rows(n, seed + k, split), features=features)
            for k, (split, n) in enumerate((("train", n_train), ("validation", n_eval), ("test", n_eval)))
        }
    )


# ------------------------------------------------------------------------------------ shared, built once per run

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def tiny_base_model(base_temp) -> str:
    """`vner tiny-model` output (a PhoBERT-format checkpoint), built once per test session."""
    import subprocess
    import sys

    out = base_temp / "vner-tiny-base"
    if not (out / "config.json").exists():
        subprocess.run(
            [sys.executable, "-m", "vner", "tiny-model", "-o", str(out)], check=True, cwd=ROOT, capture_output=True
        )
    return str(out)


def dataset_dir(base_temp) -> str:
    out = base_temp / "vner-dataset"
    if not (out / "dataset_dict.json").exists():
        make_dataset_dict().save_to_disk(str(out))
    return str(out)


def train_command(base_temp, out, *extra: str, entry: tuple[str, ...] = ("-m", "vner", "train")) -> list[str]:
    """A training command line on the tiny model and the shared dataset, run as a user runs it (a subprocess):
    `vner train` by default, `entry=("scripts/train.py",)` for the script torchrun launches."""
    return [
        sys.executable,
        *entry,
        "--model_name_or_path",
        tiny_base_model(base_temp),
        "--dataset",
        dataset_dir(base_temp),
        "--output_dir",
        str(out),
        *extra,
    ]


def trained_model(base_temp) -> str:
    """The tiny model fine-tuned for a few steps on `dataset_dir` (shared by the evaluate/predict/publish tests)."""
    out = base_temp / "vner-trained"
    if not (out / "metrics.json").exists():
        from training.train import main

        main(
            [
                "--model_name_or_path",
                tiny_base_model(base_temp),
                "--dataset",
                dataset_dir(base_temp),
                "--output_dir",
                str(out),
                "--num_train_epochs",
                "2",
                "--per_device_train_batch_size",
                "8",
                "--learning_rate",
                "5e-3",
                "--disable_tqdm",
                "true",
            ]
        )
    return str(out)
