"""Writing a document atomically: to a hidden temporary file beside it, then renamed into place,
so a crash never leaves half a report; the file gets the usual permissions (umask), not the
owner-only ones ``mkstemp`` gives, so a shared folder's readers can open it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_atomically(path: Path, save: Callable[[str], None]) -> Path:
    """Call ``save(temporary path)`` and move the result to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".weipian-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        save(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
