"""Output paths are checked before any work: a destination that cannot be written is a one-line error naming
the option and the path, not a traceback after minutes of work. Every command that writes calls `check_output`
for each of its outputs before it reads its inputs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import VnerError


def check_output(
    path: str | Path, *, folder: bool = False, option: str = "-o", create: bool = True, replaced: bool = False
) -> Path:
    """`path` as a Path once it is known to be writable: a file (`folder=False`) or a folder (`folder=True`,
    filled when it exists; `replaced=True`: built beside it and renamed into place, so the folder it lies in must
    be writable). Missing folders on the way are created now (`create=False`: not; the nearest existing
    folder is tried instead, for commands that must leave nothing behind when a later check fails); then a
    temporary file is created and removed there, which catches read-only file systems and permissions that
    `os.access` misses (root). Raises a one-line VnerError otherwise."""
    p = Path(path)
    what = f"{option} {p}"
    if not str(path).strip():
        raise VnerError(f"{option}: empty path; give a {'folder' if folder else 'file'} to write.")
    if folder and p.exists() and not p.is_dir():
        raise VnerError(f"{what}: exists and is a file, not a folder; give a folder (new or existing).")
    if not folder and p.is_dir():
        raise VnerError(f"{what}: is a folder; give a file name, e.g. {p / 'out.json'}.")
    where = p if folder and not replaced else p.parent
    anc = where
    while not anc.exists() and anc != anc.parent:
        anc = anc.parent
    if anc.exists() and not anc.is_dir():
        raise VnerError(f"{what}: {anc} is a file, so nothing can be created under it; choose another path.")
    try:
        if create:
            where.mkdir(parents=True, exist_ok=True)
        else:
            where = anc
        fd, probe = tempfile.mkstemp(dir=where, prefix=".vner-write-check-")
        os.close(fd)
        os.unlink(probe)
        if p.exists() and not folder and not os.access(p, os.W_OK):
            raise PermissionError(f"{p} is read-only")
    except OSError as exc:
        raise VnerError(
            f"{what}: cannot be written ({exc.strerror or exc}); choose another path or fix its permissions."
        ) from None
    return p
