"""Check the real-text gold (benchmarks/devtext/{dev,heldout}/*.md) against the source articles.

Each gold file is one source article of ../shared/devtext/ (`wiki/NN_name.txt` -> `wiki_NN_name.md`): every
non-blank line of the source, stripped and NFC-normalised, is one unit (`## unit N`, N = 0, 1, ...) with its
entities marked `[[text|LABEL]]` (parsed by annotation.gold_markup, the parser of the seed gold and of
benchmarks/heldout). Removing the marks must give back the source line exactly.

    .venv/bin/python benchmarks/devtext/check_gold.py [--source ../shared/devtext] [FILE.md ...]

Without the source folder (a fresh clone elsewhere) only the markup is checked.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotation.errors import VnerError  # noqa: E402
from annotation.gold_markup import read_gold_file  # noqa: E402
from annotation.schema import ENTITY_TYPES  # noqa: E402

HERE = Path(__file__).resolve().parent
PARTS = ("dev", "heldout")
GOLD_PATTERN = "[nw]*_[0-9]*.md"  # wiki_NN_*.md, news_NN_*.md; README.md and SOURCES.md are not gold


def gold_files(parts=PARTS) -> list[Path]:
    return sorted(p for part in parts for p in (HERE / part).glob(GOLD_PATTERN))


def source_lines(source_dir: Path, gold_file: Path) -> list[str]:
    genre, _, rest = gold_file.stem.partition("_")
    text = (source_dir / genre / f"{rest}.txt").read_text(encoding="utf-8")
    return [unicodedata.normalize("NFC", line.strip()) for line in text.splitlines() if line.strip()]


def check(gold_file: Path, source_dir: Path | None) -> Counter:
    units = read_gold_file(gold_file)
    indices = sorted(units)
    if indices != list(range(len(indices))):
        missing = sorted(set(range(max(indices) + 1)) - set(indices)) if indices else [0]
        raise VnerError(f"{gold_file}: units must be numbered 0..n-1 without gaps; missing {missing[:5]}.")
    if source_dir is not None:
        lines = source_lines(source_dir, gold_file)
        if len(lines) != len(units):
            raise VnerError(f"{gold_file}: {len(units)} units but the source has {len(lines)} non-blank lines.")
        for i, line in enumerate(lines):
            got = units[i].text
            if got != line:
                cut = next((k for k, (a, b) in enumerate(zip(got, line)) if a != b), min(len(got), len(line)))
                raise VnerError(
                    f"{units[i].source}: unit {i} differs from the source at character {cut}: "
                    f"{got[max(0, cut - 25) : cut + 25]!r} vs source {line[max(0, cut - 25) : cut + 25]!r}."
                )
    return Counter(sp.label for u in units.values() for sp in u.spans)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="gold files (default: all of dev/ and heldout/)")
    ap.add_argument(
        "--source",
        type=Path,
        default=ROOT.parent / "shared" / "devtext",
        help="the source articles (wiki/, news/); skipped when missing",
    )
    args = ap.parse_args()
    source = args.source if args.source.is_dir() else None
    if source is None:
        print(f"(no source folder {args.source}: checking the markup only)")
    total, bad = Counter(), 0
    for f in args.files or gold_files():
        try:
            counts = check(f, source)
        except VnerError as exc:
            print(f"FAIL {exc}")
            bad += 1
            continue
        total += counts
        print(f"ok   {f.name}: " + ", ".join(f"{t} {counts[t]}" for t in ENTITY_TYPES))
    print("all: " + ", ".join(f"{t} {total[t]}" for t in ENTITY_TYPES) + f"; {bad} file(s) failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
