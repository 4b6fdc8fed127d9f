"""PhoBERT's REAL tokenizer files (vendored in training/phobert_files): vner's fast tokenizer gives exactly the ids of
`transformers.PhobertTokenizer` on 10,000+ strings (real Vietnamese sentences, their segmented / NFD / noisy variants,
text around every U+00A0 merge, random strings), and `encode_words` gives the word ids, first-subword positions and
windows that the slow tokenizer run word by word implies."""

from __future__ import annotations

import hashlib
import random

import pytest
from tokenizer_cases import DEVTEXT, nbsp_merge_cases, parity_strings, real_lines, word_lists
from transformers import PhobertTokenizer

from training.features import IGNORE, encode_words
from training.tokenizer import load_tokenizer, phobert_files, read_merges

MD5 = {"vocab.txt": "836e2f3f5f77887859a817d9c9e69f9f", "bpe.codes": "8dd27c49fbe01dc5307a8cd8773b70e9"}


@pytest.fixture(scope="module")
def files():
    return phobert_files()


@pytest.fixture(scope="module")
def slow(files):
    return PhobertTokenizer(str(files / "vocab.txt"), str(files / "bpe.codes"), model_max_length=10**6)


@pytest.fixture(scope="module")
def fast(files):
    return load_tokenizer(files)


def test_vendored_files_are_vinais(files):
    for name, md5 in MD5.items():
        assert hashlib.md5((files / name).read_bytes()).hexdigest() == md5, name
    readme = (files / "README.md").read_text(encoding="utf-8")
    assert all(md5 in readme for md5 in MD5.values())  # the provenance README states the same checksums
    assert "MIT License" in (files / "LICENSE").read_text(encoding="utf-8")


def test_merges_read_as_the_slow_tokenizer_reads_them(files, slow):
    pairs = read_merges(files / "bpe.codes")
    assert len(slow.bpe_ranks) == 64_000 and len(pairs) == 64_000 - 22  # 22 U+00A0 lines are not pairs once split
    assert ("°", "C</w>") in pairs  # `\xa0° C</w>`: split() makes it a real pair, which the slow tokenizer uses
    ranks = {p: slow.bpe_ranks[p] for p in pairs}
    assert sorted(ranks, key=ranks.get) == pairs  # same pairs, same order
    assert len(slow) == 64_001 and len(load_tokenizer(files)) == 64_001


def test_ids_identical_on_10000_strings(slow, fast, files):
    texts = parity_strings(slow, files / "bpe.codes")
    real = real_lines()
    assert len(texts) >= 10_000 and len(real) >= 200
    expected = [slow(t)["input_ids"] for t in texts]
    got = fast(texts)["input_ids"]
    mismatches = [(t, e, g) for t, e, g in zip(texts, expected, got) if e != g]
    assert not mismatches, f"{len(mismatches)} of {len(texts)} differ, first: {mismatches[0]!r}"
    # the cases reach what they are meant to: unknown pieces, <mask> in text, the °C merge, real words whole
    assert sum(slow.unk_token_id in e for e in expected) > 500
    assert any(slow.mask_token_id in e[1:-1] for e in expected)
    assert slow.convert_tokens_to_ids("°C") in fast("trời 30\xa0°C")["input_ids"]
    assert fast("Chủ_tịch nước Võ_Văn_Thưởng")["input_ids"] == slow("Chủ_tịch nước Võ_Văn_Thưởng")["input_ids"]
    ids = [i for line in fast(real)["input_ids"] for i in line]
    assert ids.count(slow.unk_token_id) < 0.005 * len(ids)  # real NFC text: PhoBERT's vocab knows (almost) all of it


def test_nbsp_merge_cases_cover_every_nbsp_line(files):
    lines = [line for line in (files / "bpe.codes").read_text(encoding="utf-8").split("\n") if "\xa0" in line]
    assert len(lines) == 23  # 22 with U+00A0 as a symbol of its own, and `\xa0° C</w>`
    cases = nbsp_merge_cases(files / "bpe.codes")
    assert all(line.rsplit(" ", 1)[0].replace("</w>", "") in cases for line in lines)


def reference_windows(pieces: list[list[int]], room: int) -> list[list[tuple[int, int]]]:
    """Windows as the module doc of training.features states them, built from the slow tokenizer's pieces:
    whole words, greedily; a word that does not fit starts the next window; a word longer than a window is cut
    inside itself (it starts a window and fills as many as it needs). Items are (word, piece index)."""
    windows: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for w, word in enumerate(pieces):
        items = [(w, k) for k in range(len(word))]
        if len(current) + len(items) <= room:
            current += items
            continue
        if current:
            windows.append(current)
            current = []
        while len(items) > room:
            windows.append(items[:room])
            items = items[room:]
        current = items
    windows.append(current)
    return windows


@pytest.mark.parametrize("max_length", [16, 256])
def test_word_ids_first_subwords_and_windows_match_slow_word_by_word(slow, fast, max_length):
    rng = random.Random(max_length)
    batch = word_lists(rng, 1500)
    memo: dict[str, list[int]] = {}

    def slow_word(word: str) -> list[int]:  # one word alone through the slow tokenizer (what is_split does)
        if word not in memo:
            memo[word] = slow(word, add_special_tokens=False)["input_ids"]
        return memo[word]

    batch = [[w for w in words if slow_word(w)] for words in batch]  # a word must have a subword (encode_words)
    labels = [[(7 * w) % 9 for w in range(len(words))] for words in batch]
    enc = encode_words(fast, batch, labels, max_length=max_length)
    room = max_length - 2
    k = 0
    assert any(sum(len(slow_word(w)) for w in words) > 254 for words in batch)  # several windows of 256
    if max_length == 16:
        assert any(len(slow_word(w)) > room for words in batch for w in words)  # a word cut inside itself
    for ex, words in enumerate(batch):
        pieces = [slow_word(w) for w in words]
        for window in reference_windows(pieces, room):
            assert enc.example_index[k] == ex
            assert enc.input_ids[k] == [slow.cls_token_id] + [pieces[w][p] for w, p in window] + [slow.sep_token_id]
            assert enc.word_ids[k] == [None] + [w for w, _ in window] + [None]
            firsts = [j for j, (_, p) in enumerate(window, 1) if p == 0]
            assert enc.first_subwords[k] == firsts
            assert [j for j, lab in enumerate(enc.labels[k]) if lab != IGNORE] == firsts
            assert [enc.labels[k][j] for j in firsts] == [labels[ex][window[j - 1][0]] for j in firsts]
            k += 1
    assert k == enc.num_windows
    if max_length == 256:  # the plain transformers call agrees too: word_ids() on whole sentences
        sample = [words for words in batch if sum(len(slow_word(w)) for w in words) <= 254][:300]
        call = fast(sample, is_split_into_words=True)
        for i, words in enumerate(sample):
            assert call["input_ids"][i] == slow(words, is_split_into_words=True)["input_ids"]
            assert call.word_ids(i) == [None] + [w for w, word in enumerate(words) for _ in slow_word(word)] + [None]


def test_devtext_feeds_the_parity_strings_and_its_raw_files_are_not_vendored():
    """The devtext articles (their annotated copies in benchmarks/devtext) feed the parity strings on every
    machine; the raw files of ../shared/devtext are not copied into the repository."""
    from tokenizer_cases import ROOT

    assert len(real_lines()) > len(real_lines(include_devtext=False)) + 900
    if DEVTEXT.is_dir():
        names = {p.name for p in DEVTEXT.glob("*/*.txt")}
        tracked = {
            p.name
            for top in ("seeds", "benchmarks", "tests", "training", "annotation")
            for p in (ROOT / top).rglob("*.txt")
        }
        assert names and not (names & tracked)
