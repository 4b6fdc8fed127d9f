"""`vner preannotate` at scale, before and after streaming: end-to-end sentences/s, peak memory of the whole
process tree and the time until the progress bar first shows, for the old code path (a commit before
streaming) and the new one, side by side on the same input; each tree is extracted with `git archive`, or the
new one is this working tree.

Memory is the peak of the PSS summed over the process tree (pages shared by the segmentation workers, forked
from one server that loaded underthesea, are counted once), sampled every 0.2 s. The input is generated from the
repo's own text (seeds, benchmarks/heldout and benchmarks/devtext, as plain text): documents of 2-8 paragraphs,
each paragraph 1-5 sentences drawn at random from that text, written as many .txt files under
out/bench/scale/<size>/ (ignored by git; regenerated when missing). `--one-file` writes one big file instead
(memory must not grow with a file either).

    .venv/bin/python benchmarks/preannotate_scale.py --sizes 5,50 [--before 80db964] [--skip-before 50]
                                                       [--after HEAD] [--workers N] [--one-file]

The progress bar is only drawn on a terminal, so each run gets a pseudo-terminal (100 columns) as stderr. The
last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import os
import pty
import random
import re
import struct
import subprocess
import sys
import tarfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "out" / "bench" / "scale"
BEFORE_DEFAULT = "80db964"  # the last commit before documents were streamed


def source_sentences() -> list[str]:
    """Sentences of the repo's Vietnamese text, as plain text (segmented seeds shown without `_`)."""
    from annotation.gold_markup import read_gold_file
    from annotation.text import display_from_segmented, normalise_text, segmentation_evidence

    paragraphs: list[str] = []
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        text = normalise_text(seed.read_text(encoding="utf-8"))
        for line in text.splitlines():
            if line.strip():
                paragraphs.append(display_from_segmented(line)[0] if segmentation_evidence(text).segmented else line)
    for md in sorted((ROOT / "benchmarks" / "heldout").glob("[0-9]*.md")) + sorted(
        (ROOT / "benchmarks" / "devtext").glob("*/[nw]*_[0-9]*.md")
    ):
        paragraphs += [u.text for u in read_gold_file(md).values()]
    sentences = []
    for p in paragraphs:
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ\"“])", p) if len(s.strip()) > 20]
    return sentences


def generate(folder: Path, megabytes: float, *, one_file: bool, seed: int = 13) -> dict:
    """Write about `megabytes` MB of documents into `folder` (once; reused when the marker file says so)."""
    marker = folder / ".generated.json"
    if marker.exists():
        return json.loads(marker.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sentences = source_sentences()
    target = int(megabytes * 1_000_000)
    written, n_docs = 0, 0
    big = open(folder / "corpus.txt", "w", encoding="utf-8") if one_file else None
    while written < target:
        paragraphs = [
            " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(2, 8))
        ]
        text = "\n".join(paragraphs) + "\n"
        if big is not None:
            big.write(text + "\n")
        else:
            sub = folder / f"{n_docs // 1000:03d}"
            sub.mkdir(exist_ok=True)
            (sub / f"{n_docs:06d}.txt").write_text(text, encoding="utf-8")
        written += len(text.encode("utf-8"))
        n_docs += 1
    if big is not None:
        big.close()
    info = {
        "bytes": written,
        "documents": n_docs,
        "files": 1 if one_file else n_docs,
        "source_sentences": len(sentences),
    }
    marker.write_text(json.dumps(info))
    return info


def extract(commit: str) -> Path:
    """The tree of `commit` under out/bench/tree-<commit> (git archive: no worktree is registered)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    dest = OUT.parent / f"tree-{commit}"
    if not (dest / "vner" / "cli.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        data = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(dest, filter="data")
    return dest


def tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) summed over the process and its children. PSS counts a page shared by n processes as 1/n in
    each, so the sum is the memory the tree really holds (workers forked from one server share most of theirs);
    the RSS sum counts shared pages once per process."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0
    pss = rss = 0
    for p in procs:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += getattr(info, "pss", info.rss)
        rss += info.rss
    return pss, rss


def run(code_dir: Path, inputs: Path, output: Path, extra: list[str]) -> dict:
    """One `vner preannotate` run of the code in `code_dir`, with a pseudo-terminal as stderr."""
    env = dict(os.environ, PYTHONPATH=str(code_dir), COLUMNS="100")
    cmd = [
        sys.executable,
        "-c",
        "import sys; from vner.cli import main; sys.exit(main())",
        "preannotate",
        str(inputs),
        "-o",
        str(output),
        *extra,
    ]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code_dir, env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    first_stderr: list[float] = []
    err_chunks: list[bytes] = []

    def read_tty() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            if not first_stderr:
                first_stderr.append(time.perf_counter() - t0)
            err_chunks.append(chunk)

    reader = threading.Thread(target=read_tty, daemon=True)
    reader.start()
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss, rss = tree_memory(proc.pid)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    stdout = proc.stdout.read()
    reader.join(timeout=2)
    os.close(master)
    if proc.returncode != 0:
        tail = b"".join(err_chunks).decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"run failed ({proc.returncode}): {' '.join(cmd)}\n{stdout[-2000:]}\n{tail}")
    summary = stdout.strip().splitlines()[-1]
    m = re.search(r"(\d+) docs, (\d+) sentences, (\d+) tasks, (\d+) spans .*?, (\d+) sentences/s", summary)
    docs, sentences, tasks, spans, printed_rate = map(int, m.groups())
    return {
        "wall_s": round(wall, 1),
        "sentences": sentences,
        "tasks": tasks,
        "spans": spans,
        "docs": docs,
        "sentences_per_s": round(sentences / wall, 1),
        "printed_rate": printed_rate,
        "printed_rate_vs_true": round(printed_rate / (sentences / wall), 2),
        "peak_pss_gib": round(peak_pss / 2**30, 3),
        "peak_rss_sum_gib": round(peak_rss / 2**30, 3),
        "first_progress_s": round(first_stderr[0], 1) if first_stderr else None,
        "output_mb": round(output.stat().st_size / 1e6, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="5,50", help="input sizes in MB, comma-separated")
    ap.add_argument("--before", default=BEFORE_DEFAULT, help="commit of the old code path ('' to skip)")
    ap.add_argument("--after", default="", help="commit of the new code path (default: this working tree)")
    ap.add_argument("--skip-before", default="", help="sizes (MB) to run only after, e.g. 50")
    ap.add_argument("--workers", type=int, default=None, help="--workers for the new code (default: its own)")
    ap.add_argument("--one-file", action="store_true", help="one big file instead of many documents")
    args = ap.parse_args()
    figures: dict = {"cores": len(os.sched_getaffinity(0)), "load_before": os.getloadavg()[0], "runs": {}}
    before = extract(args.before) if args.before else None
    after = extract(args.after) if args.after else ROOT
    skip = {float(s) for s in args.skip_before.split(",") if s}
    for size in [float(s) for s in args.sizes.split(",")]:
        label = f"{size:g}MB" + ("-one-file" if args.one_file else "")
        inputs = OUT / label
        info = generate(inputs, size, one_file=args.one_file)
        print(f"input {label}: {info['bytes'] / 1e6:.1f} MB, {info['documents']} documents in {info['files']} files")
        runs = {"input": info}
        plans = [("after", after, [] if args.workers is None else ["--workers", str(args.workers)])]
        if before is not None and size not in skip:
            plans.insert(0, ("before", before, []))
        for name, code, extra in plans:
            res = run(code, inputs, OUT / f"{label}-{name}.json", extra)
            (OUT / f"{label}-{name}.json").unlink()
            runs[name] = res
            print(
                f"  {name:<6} {res['wall_s']:>7.1f} s  {res['sentences_per_s']:>7.1f} sentences/s (printed "
                f"{res['printed_rate']}, {res['printed_rate_vs_true']}x the true rate)  peak memory "
                f"{res['peak_pss_gib']:.2f} GiB (PSS; RSS sum {res['peak_rss_sum_gib']:.2f})  first progress output "
                f"{res['first_progress_s']} s  "
                f"{res['sentences']} sentences, {res['tasks']} tasks, {res['spans']} spans"
            )
        if "before" in runs:
            b, a = runs["before"], runs["after"]
            runs["speedup"] = round(a["sentences_per_s"] / b["sentences_per_s"], 2)
            runs["memory_ratio"] = round(b["peak_pss_gib"] / a["peak_pss_gib"], 1)
            same = all(b[k] == a[k] for k in ("sentences", "tasks", "spans"))
            print(
                f"  after/before: {runs['speedup']}x sentences/s, {runs['memory_ratio']}x less peak memory; "
                f"same sentences/tasks/spans: {same}"
            )
        figures["runs"][label] = runs
    figures["load_after"] = os.getloadavg()[0]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
