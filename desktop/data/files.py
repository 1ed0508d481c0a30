"""Small file-system facts and names shared by the data layer's writers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def partial_name(target: Path) -> Path:
    """A temporary name beside `target` that no other operation, in this process or another,
    can pick: the process id and a random token, so two backups or restores at once never
    write or delete each other's file."""
    return target.with_name(f"{target.name}.{os.getpid()}-{os.urandom(4).hex()}.partial")


def identity(path: Path) -> tuple[int, int] | None:
    """The file system's identity of the file at `path` (device and inode, or volume and file
    index on Windows), None when nothing is there: a file renamed over it has another."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino


def claim(staged: Path, names: Iterable[Path]) -> Path:
    """Give the finished file `staged` the first of `names` that no file has, atomically (a
    hard link fails where a file exists, where a check and a rename could both succeed), and
    return it."""
    for name in names:
        try:
            os.link(staged, name)
        except FileExistsError:
            continue
        staged.unlink()
        return name
    raise FileExistsError(f"no free name for {staged}")
