"""Strings for the tokenizer parity tests: real Vietnamese text from the repository (and `../shared/devtext` when
that folder exists; nothing of it is copied into the repository), its variants (word-segmented, NFD, with emoji
and control characters), text around every U+00A0 merge of PhoBERT's bpe.codes, and random strings."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVTEXT = ROOT.parent / "shared" / "devtext"  # the raw articles, on the development machines only; absent on CI
DEVTEXT_GOLD = ROOT / "benchmarks" / "devtext"  # the same articles, annotated copies in the repository

ODD = [
    "\x1c",
    "\x1d",
    "\x1e",
    "\x1f",
    "\x85",
    "\xa0",
    "\u2028",
    "\u2029",
    "\u3000",
    "\u200b",
    "\u180e",
    "\ufeff",
    "\x00",
    "\x07",
    "\x7f",
    "\t",
    "\r",
    "\x0b",
    "\x0c",
    "\r\n",
    "\u202f",
    "😀",
    "👨‍👩‍👧",
    "🇻🇳",
    "𝔘",
    "𠀀",
    "\U0010ffff",
    "\ufffd",
    "\u0301",
    "\u0323",
    "@@",
    "@",
    "<mask>",
    "<s>",
    "</s>",
    "<pad>",
    "<unk>",
    "<MASK>",
    "<mask",
    "mask>",
    "<<s>>",
    "_",
    "__",
    "\n",
    "\n\n",
    " ",
    "  ",
]
_MARKUP = re.compile(r"\[\[(.*?)\|[A-Z]+\]\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _lines(paths) -> list[str]:
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = _MARKUP.sub(r"\1", line).strip()
            if line and not line.startswith(("#", "Source: ", "Markup: ")):  # skip the gold files' headers
                out.append(line)
    return out


def real_lines(include_devtext: bool = True) -> list[str]:
    """Lines of real Vietnamese text: seeds/ (two of them already word-segmented), benchmarks/heldout/ and the
    Wikipedia and news articles of ../shared/devtext/ as annotated in benchmarks/devtext/ (gold markup removed:
    the text verbatim), so CI runs on them too."""
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "benchmarks" / "heldout").glob("*.md"))
    if include_devtext:
        paths += sorted(DEVTEXT_GOLD.glob("*/*_[0-9]*.md"))
    return _lines(paths)


def sentences(lines: list[str]) -> list[str]:
    return [s for line in lines for s in _SENTENCE_END.split(line) if s.strip()]


def segmented(text: str, rng: random.Random) -> str:
    """A word-segmented look-alike: some runs of adjacent syllables joined by `_` (as PhoBERT's input)."""
    out = []
    for syllable in text.split(" "):
        if out and syllable and out[-1] and rng.random() < 0.35:
            out[-1] += "_" + syllable
        else:
            out.append(syllable)
    return " ".join(out)


def noisy(text: str, rng: random.Random) -> str:
    """Emoji, control characters, odd spaces and special-token look-alikes dropped into real text."""
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(ODD))
    return "".join(chars)


def nbsp_merge_cases(merges_file: Path) -> list[str]:
    """Text around every merge line of bpe.codes that holds U+00A0: the symbols with U+00A0, U+202F, a space or
    nothing between them, after digits and inside a sentence."""
    out = []
    for line in merges_file.read_text(encoding="utf-8").split("\n"):
        if "\xa0" not in line:
            continue
        pair = line.rsplit(" ", 1)[0].replace("</w>", "")  # e.g. "\xa0 km": the symbols "\xa0" and "km"
        joined = pair.replace(" ", "")  # what the merge would build: "\xa0km"
        out.append(pair)
        for sep in ("\xa0", "\u202f", " ", ""):
            text = joined.replace("\xa0", sep).strip(" ") or "\xa0"
            out += [
                text,
                f"12{text}",
                f"12 {text}",
                f"dài 3{text} và cao 25{text} .",
                f"Nhiệt_độ lên tới 30{text} ở Hà_Nội",
                f"{text}{text}",
            ]
    out += ["25°C", "25 °C", "25\xa0°C", "-5\xa0°C", "°C", "°", "\xa0°C", "km²", "5\xa0km²", "1.000\xa0km"]
    return list(dict.fromkeys(out))


def random_string(rng: random.Random, words: list[str]) -> str:
    """Vocabulary words, NFD words, odd characters, glued pieces, long words and random code points."""
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
            w = "".join(
                chr(rng.choice([rng.randint(32, 0x2FF), rng.randint(0x300, 0x1FFF), rng.randint(0, 0x10FFFF)]))
                for _ in range(rng.randint(1, 6))
            )
            w = (
                w.encode("utf-8", "replace").decode("utf-8", "replace")
                if any(0xD800 <= ord(c) <= 0xDFFF for c in w)
                else w
            )
        parts.append(w)
        parts.append(rng.choice([" ", " ", " ", "", "\n", "  ", "\t", "\x1f", "\u3000", "\xa0"]))
    return "".join(parts)


def vocab_words(slow) -> list[str]:
    return sorted(t.removesuffix("@@") for t in slow.get_vocab() if not t.startswith("<"))


def parity_strings(slow, merges_file: Path, total: int = 10_000, seed: int = 11) -> list[str]:
    """At least `total` strings: every real sentence and line, segmented / NFD / noisy variants of up to 1,500 of
    the sentences, the U+00A0 merge cases, then random strings up to `total`."""
    rng = random.Random(seed)
    lines = real_lines()
    sents = list(dict.fromkeys(sentences(lines)))
    out = list(dict.fromkeys(sents + lines))
    for s in rng.sample(sents, min(len(sents), 1500)):  # bounded: the slow tokenizer sets the test's pace
        seg = segmented(s, rng)
        out += [seg, unicodedata.normalize("NFD", seg), noisy(seg, rng)]
    out += nbsp_merge_cases(merges_file)
    words = vocab_words(slow)
    while len(out) < total:
        out.append(random_string(rng, words))
    return out


def word_lists(rng: random.Random, count: int) -> list[list[str]]:
    """Word lists as PhoBERT sees them (whitespace-free words): segmented real sentences, some noisy or NFD,
    some sentences glued into long ones (several windows), some with a very long word."""
    real = [segmented(s, rng) for s in sentences(real_lines())]
    out = []
    for k in range(count):
        text = real[k % len(real)]
        r = rng.random()
        if r < 0.15:
            text = noisy(text, rng)
        elif r < 0.25:
            text = unicodedata.normalize("NFD", text)
        elif r < 0.35:
            text = " ".join(rng.choice(real) for _ in range(rng.randint(5, 15)))  # longer than a window
        elif r < 0.4:
            text = f"{text} {'x' * rng.randint(30, 300)} {'Nhật_Bản' * rng.randint(5, 40)}"
        out.append(text.split())
    return out
