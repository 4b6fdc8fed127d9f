#!/usr/bin/env python
"""Service script: start/stop/status of the local Label Studio (same as `vner studio start|stop|status`).

python scripts/studio.py start [--port P]
python scripts/studio.py stop
"""

import sys

from vner.cli import main

if __name__ == "__main__":
    sys.exit(main(["studio", *sys.argv[1:]]))
