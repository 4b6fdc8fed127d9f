"""Peak memory (max RSS) of `vner train` on the tiny model and the seed sentences, measured in a child process
with resource.getrusage(RUSAGE_CHILDREN). Target: < 2 GB.

    python benchmarks/train_memory.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import ROOT, seed_dataset, tiny_model  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model, data = tiny_model(work), seed_dataset(work, repeat=1)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vner",
                "train",
                "--model_name_or_path",
                model,
                "--dataset",
                data,
                "--output_dir",
                str(work / "run"),
                "--num_train_epochs",
                "2",
                "--disable_tqdm",
                "true",
            ],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child's peak; the tiny-model build ran before, so take the max
    print(
        f"peak RSS of `vner train` (tiny model, seed sentences, 2 epochs): {peak_kib / 2**20:.2f} GiB "
        f"(largest earlier child: {before / 2**20:.2f} GiB); target < 2 GB"
    )


if __name__ == "__main__":
    main()
