"""The fast PhoBERT tokenizer gives exactly the slow `transformers.PhobertTokenizer` ids, on PhoBERT's real files
(vendored in training/phobert_files; the 10,000-string parity test is tests/test_phobert_parity.py), on hand-made
adversarial vocabularies, and through every loader (Hub layout, fairseq layout, a `vner tiny-model` folder)."""

from __future__ import annotations

import random
import re
import shutil
import unicodedata

import pytest

pytest.importorskip("tokenizers")
from tokenizer_cases import random_string, vocab_words  # noqa: E402
from training_data import tiny_base_model  # noqa: E402
from transformers import AutoTokenizer, PhobertTokenizer  # noqa: E402

from annotation.errors import VnerError  # noqa: E402
from training.tokenizer import (  # noqa: E402
    _PY_WHITESPACE,
    is_phobert,
    load_tokenizer,
    phobert_files,
    pretokenize_pattern,
)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from pathlib import Path

    return Path(tiny_base_model(tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="module")
def slow():
    files = phobert_files()
    return PhobertTokenizer(str(files / "vocab.txt"), str(files / "bpe.codes"), model_max_length=10**6)


@pytest.fixture(scope="module")
def fast():
    return load_tokenizer(phobert_files())


def test_pretokenizer_class_is_pythons_whitespace():
    assert _PY_WHITESPACE == "".join(re.findall(r"\s", "".join(map(chr, range(0x110000)))))
    assert "\x1c" in _PY_WHITESPACE and "[^" in pretokenize_pattern()


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n",
        "\n\n \t",
        "\x1c\x1d\x1e\x1f",
        "a\x1cb",
        "Chủ_tịch\x1fnước",
        unicodedata.normalize("NFD", "Chủ_tịch nước Võ_Văn_Thưởng"),
        "Hà_Nội 😀 𝔘𠀀 \U0010ffff",
        "ab@@ @@ @@@ x@@y",
        "<mask>",
        "a<mask>b <s></s><pad><unk> <MASK>",
        "Nhật_Bản\n\nkiều_bào\n",
        "x" * 300,
        "Nhật_Bản" * 40,
        "trẻ\r\nđược\u2028người\xa0Nhật",
    ],
)
def test_parity_targeted(slow, fast, text):
    assert fast(text)["input_ids"] == slow(text)["input_ids"]
    # token strings are vocab entries; the slow tokenizer shows out-of-vocab pieces raw where we show <unk>
    expected = [t if t in slow.get_vocab() else "<unk>" for t in slow.tokenize(text)]
    assert fast.tokenize(text) == expected
    assert fast.convert_tokens_to_ids(fast.tokenize(text)) == slow(text, add_special_tokens=False)["input_ids"]


def test_pretokenized_words_and_word_ids(slow, fast):
    words = ["Chủ_tịch", "nước", "Võ_Văn_Thưởng", "", "a b", "<mask>", "Nhật_Bản" * 5]
    enc = fast(words, is_split_into_words=True)
    assert enc["input_ids"] == slow(words, is_split_into_words=True)["input_ids"]
    word_ids = enc.word_ids()
    assert word_ids[0] is None and word_ids[-1] is None
    assert 3 not in word_ids  # the empty word has no subword
    assert word_ids.count(4) == 2  # "a b" is two pieces of one word
    assert max(enc["input_ids"]) < len(slow)


def test_pair_and_batch_padding(slow, fast):
    assert fast("Nhật_Bản", "kiều_bào")["input_ids"] == slow("Nhật_Bản", "kiều_bào")["input_ids"]
    batch = fast(["Nhật_Bản", "Chủ_tịch nước Võ_Văn_Thưởng"], padding=True)
    assert batch["input_ids"][0][-1] == slow.pad_token_id and batch["attention_mask"][0][-1] == 0


def test_segmented_sentence_is_known(slow):
    ids = slow("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản .")["input_ids"]
    assert slow.unk_token_id not in ids and len(ids) == 10  # PhoBERT knows each of these words whole


def test_loaders_and_save_roundtrip(fast, tiny_model, tmp_path):
    assert is_phobert(tiny_model) and is_phobert("vinai/phobert-base") and not is_phobert(tmp_path)
    assert type(AutoTokenizer.from_pretrained(str(tiny_model))).__name__ == "PhobertTokenizer"
    fast.save_pretrained(str(tmp_path))
    assert (tmp_path / "vocab.txt").read_bytes() == (phobert_files() / "vocab.txt").read_bytes()
    assert (tmp_path / "bpe.codes").read_bytes() == (phobert_files() / "bpe.codes").read_bytes()
    assert not (tmp_path / "tokenizer.json").exists()  # reloads through PhoBERT's own files, like the Hub model
    text = "Chủ_tịch nước Võ_Văn_Thưởng 😀 <mask>"
    assert load_tokenizer(str(tmp_path))(text)["input_ids"] == fast(text)["input_ids"]
    assert load_tokenizer(tiny_model)(text)["input_ids"] == fast(text)["input_ids"]  # the tiny model: real files
    assert AutoTokenizer.from_pretrained(str(tmp_path))(text)["input_ids"] == fast(text)["input_ids"]
    assert len(fast) == len(AutoTokenizer.from_pretrained(str(tmp_path))) == 64_001


def test_fairseq_layout_loads(fast, tmp_path):
    """VinAI's fairseq checkpoints ship the vocabulary as dict.txt (same `token count` lines) beside bpe.codes."""
    shutil.copyfile(phobert_files() / "vocab.txt", tmp_path / "dict.txt")
    shutil.copyfile(phobert_files() / "bpe.codes", tmp_path / "bpe.codes")
    (tmp_path / "model.pt").write_bytes(b"")  # what a fairseq folder also holds; not read here
    assert is_phobert(tmp_path)
    tok = load_tokenizer(tmp_path)
    text = "Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản ở 30\xa0°C"
    assert tok(text)["input_ids"] == fast(text)["input_ids"]
    tok.save_pretrained(str(tmp_path / "saved"))  # saves in the Hub layout
    assert (tmp_path / "saved" / "vocab.txt").read_bytes() == (tmp_path / "dict.txt").read_bytes()


@pytest.mark.parametrize(
    "present, missing",
    [
        ((), "a tokenizer: vocab.txt + bpe.codes (PhoBERT), dict.txt + bpe.codes (fairseq)"),
        (("bpe.codes",), "vocab.txt (or fairseq's dict.txt) next to bpe.codes"),
        (("vocab.txt",), "bpe.codes next to vocab.txt"),
        (("dict.txt", "config.json"), "bpe.codes next to dict.txt"),
    ],
)
def test_folder_that_is_neither_is_one_line_error(tmp_path, present, missing):
    for name in present:
        (tmp_path / name).write_text('{"tokenizer_class": "PhobertTokenizer"}\n' if name == "config.json" else "a 1\n")
    with pytest.raises(VnerError) as err:
        load_tokenizer(tmp_path)
    message = str(err.value)
    assert f"missing {missing}" in message and "\n" not in message
    with pytest.raises(VnerError, match="no such folder"):
        load_tokenizer(tmp_path / "nope" / "x")


def test_decode_round_trip(fast):
    text = "Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào"
    assert fast.decode(fast(text)["input_ids"], skip_special_tokens=True) == text


def test_parity_on_adversarial_vocab(tmp_path):
    """A hand-made vocab where PhoBERT's string lookups are tricky: `X@@` entries that are also final pieces,
    merges whose results are missing from the vocab, `@` and `<`/`>` characters, pieces named like specials."""
    vocab = ["a@@", "b", "ab", "c", "@@", "@@@", "a@@@", "@", "ab@@", "bc", "<@@", "s>", "<s", "abc", "x@@", "w>"]
    merges = [
        "a b",
        "b c</w>",
        "a @",
        "@ @</w>",
        "a@ @@</w>",
        "ab c",
        "abc c</w>",
        "< s",
        "s >",
        "w ></w>",
        "@ @",
        "@@ @</w>",
        "< /",
        "</ w>",
        "x x",
        "xx x</w>",
        "</w> x</w>",
    ]
    (tmp_path / "vocab.txt").write_text("".join(f"{t} {100 - i}\n" for i, t in enumerate(vocab)), encoding="utf-8")
    (tmp_path / "bpe.codes").write_text("".join(f"{m} {50 - i}\n" for i, m in enumerate(merges)), encoding="utf-8")
    slow = PhobertTokenizer(str(tmp_path / "vocab.txt"), str(tmp_path / "bpe.codes"))
    fast = load_tokenizer(str(tmp_path))
    rng = random.Random(7)
    alphabet = [
        "a",
        "b",
        "c",
        "@",
        "@@",
        "<",
        ">",
        "/",
        "</w>",
        "s",
        "x",
        "w",
        " ",
        "\n",
        "<s>",
        "<mask>",
        "\x1c",
        "😀",
        "ab@@",
    ]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15))) for _ in range(3000)]
    mismatches = [t for t in texts if slow(t)["input_ids"] != fast(t)["input_ids"]]
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[0]!r}"


def test_parity_with_typed_end_of_word_marker(tmp_path):
    """Text containing a literal `</w>`: merges can build the marker from `<`,`/`,`w`,`>`; PhoBERT then looks the
    non-final symbol `x</w>` up as `x</w>@@`, not as the final piece `x`."""
    (tmp_path / "vocab.txt").write_text("x 5\nx</w>@@ 4\ny 3\n</w>@@ 2\n", encoding="utf-8")
    (tmp_path / "bpe.codes").write_text("< / 9\nw > 8\n</ w> 7\nx </w> 6\n", encoding="utf-8")
    slow = PhobertTokenizer(str(tmp_path / "vocab.txt"), str(tmp_path / "bpe.codes"))
    fast = load_tokenizer(str(tmp_path))
    assert fast("x</w>y")["input_ids"] == slow("x</w>y")["input_ids"] == [0, 5, 6, 2]
    rng = random.Random(3)
    alphabet = ["x", "y", "</w>", "<", "/", "w", ">", " ", "\n", "😀", "<s>"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(2000)]
    assert [slow(t)["input_ids"] for t in texts] == fast(texts)["input_ids"]
    words = ["x</w>y", "x</w>", "y"]
    assert fast(words, is_split_into_words=True)["input_ids"] == slow(words, is_split_into_words=True)["input_ids"]
    assert fast.encode_pretokenized([words])[0][0] == slow(words, is_split_into_words=True)["input_ids"][1:-1]


def test_encode_pretokenized_matches_call(slow, fast):
    """The memoised word-list path of encode_words gives what `__call__(is_split_into_words=True)` gives."""
    rng = random.Random(99)
    words = vocab_words(slow)
    batch = [random_string(rng, words).split(" ") for _ in range(400)]  # words may hold \n, \t, specials, ""
    got = fast.encode_pretokenized(batch) + fast.encode_pretokenized(batch)  # second time from the memo
    for k, word_list in enumerate(batch * 2):
        ids, word_ids = got[k]
        assert ids == slow(word_list, is_split_into_words=True)["input_ids"][1:-1]
        assert word_ids == fast(word_list, is_split_into_words=True).word_ids()[1:-1]


def test_pickles_for_dataloader_workers_and_datasets(fast):
    import pickle

    text = "Chủ_tịch nước Fukuoka <mask>"
    clone = pickle.loads(pickle.dumps(fast))
    assert clone(text)["input_ids"] == fast(text)["input_ids"]
    assert clone.encode_pretokenized([text.split()]) == fast.encode_pretokenized([text.split()])


def test_transformers_version_guard(monkeypatch):
    """PhobertTokenizerFast overrides private transformers methods: an older transformers fails at import, saying
    what to install, instead of giving wrong ids."""
    from training import tokenizer

    tokenizer._check_transformers()  # the installed version passes
    monkeypatch.setattr(tokenizer.transformers, "__version__", "4.40.0")  # the module the check reads
    with pytest.raises(ImportError, match=r"needs transformers>=\d+\.\d+ \(found 4\.40\.0\); run: pip install"):
        tokenizer._check_transformers()
