"""`vner tiny-model`: a PhoBERT-format checkpoint on PhoBERT's own tokenizer files that loads through
vinai/phobert-base's own code path; `--corpus` learns a small vocabulary instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from training_data import tiny_base_model

from training.tiny import apply_bpe, build_tiny_model, file_digest, learn_bpe


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return Path(tiny_base_model(tmp_path_factory.getbasetemp()))


def test_build_is_byte_identical(tiny_model, tmp_path):
    again = build_tiny_model(tmp_path / "again")  # in this process; the fixture was built by `vner tiny-model`
    assert file_digest(again) == file_digest(tiny_model)
    assert {"config.json", "model.safetensors", "vocab.txt", "bpe.codes", "tokenizer_config.json", "LICENSE"} <= set(
        file_digest(again)
    )


def test_carries_phobert_files_and_base_config(tiny_model):
    import json

    from training.tiny import PHOBERT_BASE_CONFIG, TINY_SIZE
    from training.tokenizer import phobert_files

    for name in ("vocab.txt", "bpe.codes", "LICENSE"):
        assert (tiny_model / name).read_bytes() == (phobert_files() / name).read_bytes()
    config = json.loads((tiny_model / "config.json").read_text())
    for key, value in PHOBERT_BASE_CONFIG.items():  # vinai/phobert-base's config apart from the size
        assert config[key] == TINY_SIZE.get(key, value), key
    assert config["vocab_size"] == 64_001 and config["vner_tiny"] == {"vocabulary": "phobert", "seed": 0}
    assert "MIT" in (tiny_model / "README.md").read_text()


def test_loads_like_phobert(tiny_model):
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model))
    assert type(tok).__name__ == "PhobertTokenizer"
    config = AutoConfig.from_pretrained(str(tiny_model))
    assert (config.model_type, config.max_position_embeddings, config.pad_token_id) == ("roberta", 258, 1)
    assert config.vocab_size == len(tok) == 64_001 and tok.convert_tokens_to_ids("<mask>") == len(tok) - 1
    model = AutoModelForTokenClassification.from_pretrained(str(tiny_model), num_labels=9)
    assert model.roberta.embeddings.word_embeddings.weight.shape == (64_001, 64)
    enc = tok("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản .", return_tensors="pt")
    assert tok.unk_token_id not in enc["input_ids"][0].tolist()  # PhoBERT's vocabulary knows these words
    assert model(**enc).logits.shape == (1, enc["input_ids"].shape[1], 9)


def test_size_options(tmp_path, capsys):
    import json

    from vner.cli import main

    out = tmp_path / "wide"
    assert (
        main(
            [
                "tiny-model",
                "-o",
                str(out),
                "--hidden-size",
                "96",
                "--layers",
                "3",
                "--heads",
                "3",
                "--intermediate-size",
                "200",
            ]
        )
        == 0
    )
    config = json.loads((out / "config.json").read_text())
    assert [config[k] for k in ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size")] == [
        96,
        3,
        3,
        200,
    ]
    assert main(["tiny-model", "-o", str(tmp_path / "bad"), "--hidden-size", "100", "--heads", "3"]) == 2
    assert "not a multiple of 3 heads" in capsys.readouterr().err
    assert main(["tiny-model", "-o", str(tmp_path / "bad"), "--layers", "0"]) == 2
    assert "num_hidden_layers must be a positive" in capsys.readouterr().err
    assert main(["tiny-model", "-o", str(tmp_path / "bad" / "deeper"), "--hidden-size", "0"]) == 2
    assert "hidden_size must be a positive" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()  # a bad argument leaves no folder behind


def test_bpe_learner_merges_most_frequent_pair_first():
    merges = learn_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 10)
    assert merges[0] == ("e", "s", 9) and merges[1] == ("es", "t</w>", 9)
    ranks = {(a, b): i for i, (a, b, _) in enumerate(merges)}
    assert apply_bpe("newest", ranks) == ["newest"]  # frequent word: one piece
    assert apply_bpe("lowest", ranks) == ["lo@@", "w@@", "est"]  # unseen word: PhoBERT-style pieces


def test_corpus_mode_learns_a_small_vocabulary(tmp_path, capsys):
    from tokenizer_cases import random_string, vocab_words
    from transformers import PhobertTokenizer

    from training.tokenizer import load_tokenizer
    from vner.cli import main

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản .\n" * 3, encoding="utf-8")
    out = tmp_path / "m"
    assert main(["tiny-model", "-o", str(out), "--corpus", str(corpus), "--merges", "20"]) == 0
    codes = (out / "bpe.codes").read_text(encoding="utf-8").splitlines()
    vocab = (out / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert len(codes) == 20 and all(len(line.split(" ")) == 3 for line in codes)
    assert all(len(line.split(" ")) == 2 and line.split(" ")[1].isdigit() for line in vocab)
    assert any(line.split(" ")[0].endswith("@@") for line in vocab) and not (out / "LICENSE").exists()
    # the fast tokenizer is exact on a learned vocabulary too
    slow = PhobertTokenizer.from_pretrained(str(out))
    fast = load_tokenizer(out)
    import random

    rng = random.Random(5)
    texts = [random_string(rng, vocab_words(slow)) for _ in range(2000)]
    assert fast(texts)["input_ids"] == [slow(t)["input_ids"] for t in texts]
    assert main(["tiny-model", "-o", str(tmp_path / "m2"), "--corpus", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
    assert not (tmp_path / "m2").exists()  # the corpus is read before the folder is made
