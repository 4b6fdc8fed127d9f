#!/usr/bin/env python
"""Launchable training entry point (what `torchrun` / `accelerate launch` start); same arguments as `vner train`.

torchrun --nproc_per_node 2 scripts/train.py --dataset data/vner --output_dir models/run1
accelerate launch scripts/train.py config.yaml
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from annotation.errors import VnerError  # noqa: E402
from training.train import main  # noqa: E402

if __name__ == "__main__":
    try:
        sys.exit(main())
    except VnerError as exc:
        print(f"train: error: {exc}", file=sys.stderr)
        sys.exit(2)
