"""Corpus-shaped fixtures: a VLSP-style CoNLL corpus and a PhoNER_COVID19-style JSON Lines corpus, written
deterministically, with the entities each sentence got recorded as they were written (so a test can check what
`vner dataset` keeps against what the files hold, without decoding the files the way vner does)."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FILLER = [
    "hôm_nay",
    "đã",
    "đến",
    "thăm",
    "làm_việc",
    "với",
    "và",
    "tại",
    "cho_biết",
    "sẽ",
    "trong",
    "các",
    "người_dân",
    "cuộc",
    "họp",
    "về",
    "kinh_tế",
    "nhiều",
    "năm",
    "ông",
    "bà",
    "theo",
    "một",
    "số",
    "dự_án",
    "được",
    "triển_khai",
    "ngày",
    "mới",
    "thông_tin",
]

# VLSP 2016 style: PER, ORG, LOC and MISC (not in the schema); DATE added so that 4 schema types occur.
CONLL_NAMES = {
    "PER": [["Nguyễn_Văn_An"], ["Trần_Thị", "Bình"], ["Lê", "Hoàng_Nam"], ["Phạm_Minh_Chính"], ["Võ_Văn_Thưởng"]],
    "ORG": [["Bộ", "Y_tế"], ["Công_ty", "Vinamilk"], ["Đại_học", "Quốc_gia", "Hà_Nội"], ["Quốc_hội"], ["TTXVN"]],
    "LOC": [["Hà_Nội"], ["TP.", "Hồ_Chí_Minh"], ["Đà_Nẵng"], ["Nhật_Bản"], ["sông", "Hồng"]],
    "DATE": [["ngày", "27/11"], ["tháng", "3/2024"], ["năm", "2023"], ["hôm_qua"]],
    "MISC": [["tiếng", "Việt"], ["Tết"], ["người", "Nhật"]],
}

# PhoNER_COVID19's ten types, with its own names.
JSONL_NAMES = {
    "PATIENT_ID": [["BN91"], ["1.542"], ["BN_17"]],
    "NAME": [["Nguyễn_Văn_An"], ["Trần_Thị", "Bình"], ["Hoa"]],
    "AGE": [["36"], ["70"]],
    "GENDER": [["nam"], ["nữ"]],
    "JOB": [["phi_công"], ["bác_sĩ"], ["công_nhân"]],
    "LOCATION": [["Hà_Nội"], ["Bệnh_viện", "Bạch_Mai"], ["quận", "Hoàn_Kiếm"]],
    "ORGANIZATION": [["Bộ", "Y_tế"], ["Sở", "Y_tế", "TP.", "HCM"]],
    "SYMPTOM_AND_DISEASE": [["sốt"], ["ho"], ["viêm_phổi"]],
    "TRANSPORTATION": [["VN0054"], ["xe_buýt"]],
    "DATE": [["15/3"], ["ngày", "20/4"]],
}
PHONER_MAP = {
    "NAME": "PER",
    "ORGANIZATION": "ORG",
    "LOCATION": "LOC",
    "DATE": "DATE",
    "PATIENT_ID": "O",
    "AGE": "O",
    "GENDER": "O",
    "JOB": "O",
    "SYMPTOM_AND_DISEASE": "O",
    "TRANSPORTATION": "O",
}


@dataclass
class Sentence:
    words: list[str]
    tags: list[str]  # IOB2, source types
    entities: list[tuple[str, tuple[str, ...]]]  # (source type, words) in order


@dataclass
class Corpus:
    splits: dict[str, list[list[Sentence]]] = field(default_factory=dict)  # split -> documents -> sentences

    def entities(self, split: str, type_map: dict[str, str] | None = None) -> Counter:
        """Entities per (mapped) type in a split, from what was written; types mapped to O are left out."""
        out: Counter = Counter()
        for doc in self.splits[split]:
            for s in doc:
                for typ, _ in s.entities:
                    target = (type_map or {}).get(typ, typ)
                    if target != "O":
                        out[target] += 1
        return out

    def sentences(self, split: str) -> list[Sentence]:
        return [s for doc in self.splits[split] for s in doc]


def make_sentence(rng: random.Random, names: dict[str, list[list[str]]]) -> Sentence:
    words: list[str] = []
    tags: list[str] = []
    entities = []
    for _ in range(rng.randint(1, 3)):
        for _ in range(rng.randint(1, 4)):
            words.append(rng.choice(FILLER))
            tags.append("O")
        if rng.random() < 0.85:
            typ = rng.choice(sorted(names))
            name = rng.choice(names[typ])
            words += name
            tags += [f"B-{typ}"] + [f"I-{typ}"] * (len(name) - 1)
            entities.append((typ, tuple(name)))
    if rng.random() < 0.3 and tags[-1].startswith(("B-", "I-")):  # two entities side by side: B- after I-
        typ = rng.choice(sorted(names))
        name = rng.choice(names[typ])
        words += name
        tags += [f"B-{typ}"] + [f"I-{typ}"] * (len(name) - 1)
        entities.append((typ, tuple(name)))
    words.append(".")
    tags.append("O")
    return Sentence(words, tags, entities)


def make_corpus(seed: int, names: dict[str, list[list[str]]], sizes: dict[str, tuple[int, int]]) -> Corpus:
    """`sizes`: split -> (documents, sentences per document)."""
    rng = random.Random(seed)
    corpus = Corpus()
    for split, (n_docs, per_doc) in sizes.items():
        corpus.splits[split] = [[make_sentence(rng, names) for _ in range(per_doc)] for _ in range(n_docs)]
    return corpus


def as_scheme(tags: list[str], scheme: str) -> list[str]:
    """IOB2 tags written in another scheme (the inverse of vner's converter, written independently)."""
    if scheme == "IOB2":
        return list(tags)
    out = []
    for i, tag in enumerate(tags):
        if tag == "O":
            out.append(tag)
            continue
        prefix, typ = tag.split("-", 1)
        nxt = tags[i + 1] if i + 1 < len(tags) else "O"
        continues = nxt == f"I-{typ}"
        if scheme == "BIOES":
            out.append(("B-" if continues else "S-") if prefix == "B" else ("I-" if continues else "E-"))
            out[-1] += typ
        elif scheme == "IOB1":  # B- only where an entity directly follows one of the same type
            prev = tags[i - 1] if i else "O"
            same_before = prefix == "B" and prev != "O" and prev.split("-", 1)[1] == typ
            out.append(("B-" if same_before else "I-") + typ)
        else:
            raise ValueError(scheme)
    return out


def write_conll(
    corpus: Corpus, split: str, path: Path, *, scheme: str = "IOB2", docstart: bool = True, vlsp_columns: bool = True
) -> Path:
    """VLSP 2016-like lines: word, POS, chunk, NER, nested NER (5 tab-separated columns), or word TAB tag."""
    lines = []
    for doc in corpus.splits[split]:
        if docstart:
            lines += ["-DOCSTART- -X- O O O" if vlsp_columns else "-DOCSTART-\tO", ""]
        for s in doc:
            for word, tag in zip(s.words, as_scheme(s.tags, scheme)):
                lines.append(f"{word}\tN\tB-NP\t{tag}\tO" if vlsp_columns else f"{word}\t{tag}")
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(corpus: Corpus, split: str, path: Path) -> Path:
    """PhoNER_COVID19 lines: {"words": [...], "tags": [...]}, one sentence each."""
    with open(path, "w", encoding="utf-8") as f:
        for s in corpus.sentences(split):
            f.write(json.dumps({"words": s.words, "tags": s.tags}, ensure_ascii=False) + "\n")
    return path
