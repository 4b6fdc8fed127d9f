"""The fast PhoBERT tokenizer gives exactly the slow `transformers.PhobertTokenizer` ids, on a tiny
PhoBERT-format checkpoint built by `vner tiny-model` (same files and loader as vinai/phobert-base)."""
from __future__ import annotations

import random
import re
import unicodedata

import pytest

pytest.importorskip("tokenizers")
from transformers import AutoTokenizer, PhobertTokenizer  # noqa: E402

from training.tokenizer import _PY_WHITESPACE, is_phobert, load_tokenizer, pretokenize_pattern  # noqa: E402
from training_data import tiny_base_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from pathlib import Path

    return Path(tiny_base_model(tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="module")
def slow(tiny_model):
    return PhobertTokenizer.from_pretrained(str(tiny_model))


@pytest.fixture(scope="module")
def fast(tiny_model):
    return load_tokenizer(str(tiny_model))


def _vocab_words(slow) -> list[str]:
    return sorted(t.removesuffix("@@") for t in slow.get_vocab() if not t.startswith("<"))


ODD = [
    "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028", "\u2029", "\u3000", "\u200b", "\u180e", "\ufeff",
    "\x00", "\x07", "\x7f", "\t", "\r", "\x0b", "\x0c", "\r\n",
    "😀", "👨‍👩‍👧", "𝔘", "𠀀", "\U0010ffff", "\ufffd", "\u0301", "\u0323",
    "@@", "@", "<mask>", "<s>", "</s>", "<pad>", "<unk>", "<MASK>", "<mask", "mask>", "<<s>>",
    "_", "__", "\n", "\n\n", " ", "  ",
]


def random_string(rng: random.Random, words: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(0, 12)):
        r = rng.random()
        if r < 0.45:
            w = rng.choice(words)
        elif r < 0.55:
            w = unicodedata.normalize("NFD", rng.choice(words))
        elif r < 0.7:
            w = rng.choice(ODD)
        elif r < 0.71:
            w = "".join(rng.choice(words) for _ in range(rng.randint(2, 40)))[:300]  # long words
        elif r < 0.85:  # glue pieces without spaces
            w = rng.choice(words) + rng.choice(ODD) + rng.choice(words)
        else:
            w = "".join(chr(rng.choice([rng.randint(32, 0x2FF), rng.randint(0x300, 0x1FFF), rng.randint(0, 0x10FFFF)]))
                        for _ in range(rng.randint(1, 6)))
            w = w.encode("utf-8", "replace").decode("utf-8", "replace") if any(0xD800 <= ord(c) <= 0xDFFF for c in w) else w
        parts.append(w)
        parts.append(rng.choice([" ", " ", " ", "", "\n", "  ", "\t", "\x1f", "\u3000"]))
    return "".join(parts)


def test_pretokenizer_class_is_pythons_whitespace():
    assert _PY_WHITESPACE == "".join(re.findall(r"\s", "".join(map(chr, range(0x110000)))))
    assert "\x1c" in _PY_WHITESPACE and "[^" in pretokenize_pattern()


def test_parity_on_10000_generated_strings(slow, fast):
    rng = random.Random(1234)
    words = _vocab_words(slow)
    texts = [random_string(rng, words) for _ in range(10_000)]
    expected = [slow(t)["input_ids"] for t in texts]
    got = fast(texts)["input_ids"]
    mismatches = [(t, e, g) for t, e, g in zip(texts, expected, got) if e != g]
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[0]!r}"
    # the generator does reach the tricky paths
    assert sum(3 in e for e in expected) > 1000 and any(slow.mask_token_id in e for e in expected)


@pytest.mark.parametrize(
    "text",
    [
        "", " ", "\n", "\n\n \t", "\x1c\x1d\x1e\x1f", "a\x1cb", "Chủ_tịch\x1fnước",
        unicodedata.normalize("NFD", "Chủ_tịch nước Võ_Văn_Thưởng"),
        "Hà_Nội 😀 𝔘𠀀 \U0010ffff", "ab@@ @@ @@@ x@@y", "<mask>", "a<mask>b <s></s><pad><unk> <MASK>",
        "Nhật_Bản\n\nkiều_bào\n", "x" * 300, "Nhật_Bản" * 40, "trẻ\r\nđược\u2028người\xa0Nhật",
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


def test_segmented_sentence_is_not_unknown(slow, tiny_model):
    ids = slow("Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản .")["input_ids"]
    assert any(i != slow.unk_token_id for i in ids[1:-1])


def test_loaders_and_save_roundtrip(fast, tiny_model, tmp_path):
    assert is_phobert(tiny_model) and is_phobert("vinai/phobert-base") and not is_phobert(tmp_path)
    assert type(AutoTokenizer.from_pretrained(str(tiny_model))).__name__ == "PhobertTokenizer"
    fast.save_pretrained(str(tmp_path))
    assert (tmp_path / "vocab.txt").read_bytes() == (tiny_model / "vocab.txt").read_bytes()
    assert (tmp_path / "bpe.codes").read_bytes() == (tiny_model / "bpe.codes").read_bytes()
    assert not (tmp_path / "tokenizer.json").exists()  # reloads through PhoBERT's own files, like the Hub model
    text = "Chủ_tịch nước Võ_Văn_Thưởng 😀 <mask>"
    assert load_tokenizer(str(tmp_path))(text)["input_ids"] == fast(text)["input_ids"]
    assert AutoTokenizer.from_pretrained(str(tmp_path))(text)["input_ids"] == fast(text)["input_ids"]
    assert len(fast) == len(AutoTokenizer.from_pretrained(str(tmp_path)))


def test_decode_round_trip(fast):
    text = "Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào"
    assert fast.decode(fast(text)["input_ids"], skip_special_tokens=True) == text


def test_parity_on_adversarial_vocab(tmp_path):
    """A hand-made vocab where PhoBERT's string lookups are tricky: `X@@` entries that are also final pieces,
    merges whose results are missing from the vocab, `@` and `<`/`>` characters, pieces named like specials."""
    vocab = ["a@@", "b", "ab", "c", "@@", "@@@", "a@@@", "@", "ab@@", "bc", "<@@", "s>", "<s", "abc", "x@@", "w>"]
    merges = ["a b", "b c</w>", "a @", "@ @</w>", "a@ @@</w>", "ab c", "abc c</w>", "< s", "s >", "w ></w>",
              "@ @", "@@ @</w>", "< /", "</ w>", "x x", "xx x</w>", "</w> x</w>"]
    (tmp_path / "vocab.txt").write_text("".join(f"{t} {100 - i}\n" for i, t in enumerate(vocab)), encoding="utf-8")
    (tmp_path / "bpe.codes").write_text("".join(f"{m} {50 - i}\n" for i, m in enumerate(merges)), encoding="utf-8")
    slow = PhobertTokenizer(str(tmp_path / "vocab.txt"), str(tmp_path / "bpe.codes"))
    fast = load_tokenizer(str(tmp_path))
    rng = random.Random(7)
    alphabet = ["a", "b", "c", "@", "@@", "<", ">", "/", "</w>", "s", "x", "w", " ", "\n", "<s>", "<mask>", "\x1c", "😀", "ab@@"]
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
    words = _vocab_words(slow)
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
