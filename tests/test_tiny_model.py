"""`vner tiny-model`: a PhoBERT-format checkpoint that loads through vinai/phobert-base's own code path."""
from __future__ import annotations

from pathlib import Path

import pytest

from training.tiny import apply_bpe, build_tiny_model, file_digest, learn_bpe
from training_data import tiny_base_model


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return Path(tiny_base_model(tmp_path_factory.getbasetemp()))


def test_build_is_byte_identical(tiny_model, tmp_path):
    again = build_tiny_model(tmp_path / "again")  # in this process; the fixture was built by `vner tiny-model`
    assert file_digest(again) == file_digest(tiny_model)
    assert {"config.json", "model.safetensors", "vocab.txt", "bpe.codes", "tokenizer_config.json"} <= set(
        file_digest(again))


def test_loads_like_phobert(tiny_model):
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model))
    assert type(tok).__name__ == "PhobertTokenizer"
    config = AutoConfig.from_pretrained(str(tiny_model))
    assert (config.model_type, config.max_position_embeddings, config.pad_token_id) == ("roberta", 258, 1)
    assert config.vocab_size == len(tok) and tok.convert_tokens_to_ids("<mask>") == len(tok) - 1
    model = AutoModelForTokenClassification.from_pretrained(str(tiny_model), num_labels=9)
    enc = tok("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản .", return_tensors="pt")
    assert model(**enc).logits.shape == (1, enc["input_ids"].shape[1], 9)


def test_vocab_and_codes_formats(tiny_model):
    vocab = (tiny_model / "vocab.txt").read_text(encoding="utf-8").splitlines()
    codes = (tiny_model / "bpe.codes").read_text(encoding="utf-8").splitlines()
    assert all(len(line.split(" ")) == 2 and line.split(" ")[1].isdigit() for line in vocab)
    assert all(len(line.split(" ")) == 3 for line in codes) and 100 < len(codes) <= 3000
    assert any(t.endswith("@@") for t in (line.split(" ")[0] for line in vocab))
    assert any(line.split(" ")[1].endswith("</w>") for line in codes)
    assert "Nhật_Bản" in {line.split(" ")[0] for line in vocab}  # a frequent seed word is one piece


def test_bpe_learner_merges_most_frequent_pair_first():
    merges = learn_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 10)
    assert merges[0] == ("e", "s", 9) and merges[1] == ("es", "t</w>", 9)
    ranks = {(a, b): i for i, (a, b, _) in enumerate(merges)}
    assert apply_bpe("newest", ranks) == ["newest"]  # frequent word: one piece
    assert apply_bpe("lowest", ranks) == ["lo@@", "w@@", "est"]  # unseen word: PhoBERT-style pieces


def test_custom_corpus_and_clear_errors(tmp_path, capsys):
    from vner.cli import main

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản .\n" * 3, encoding="utf-8")
    assert main(["tiny-model", "-o", str(tmp_path / "m"), "--corpus", str(corpus), "--merges", "20"]) == 0
    assert len((tmp_path / "m" / "bpe.codes").read_text(encoding="utf-8").splitlines()) == 20
    assert main(["tiny-model", "-o", str(tmp_path / "m2"), "--corpus", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
