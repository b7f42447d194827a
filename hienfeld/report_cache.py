"""Reports by content fingerprint in a local folder: a repeat of the same analysis copies the report
instead of writing it again. Stdlib only: the job store (deployments/jobstore) purges it too."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class ReportCache:
    """Reports by content fingerprint in a local folder (a cache per node is enough: a miss only
    costs writing the report). Complete files only; concurrent writers of one report are safe."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def write_or_reuse(self, out: BinaryIO, fingerprint: str, write: Callable[[BinaryIO], None]) -> bool:
        """Copies the cached report to `out`, writing it first when missing; True when it was there."""
        cache = self.folder
        cache.mkdir(parents=True, exist_ok=True)
        cached = cache / f"{fingerprint}.xlsx"
        reused = cached.exists()
        if not reused:
            # A name of its own per writer: concurrent jobs on the same file may both get here.
            with tempfile.NamedTemporaryFile(dir=cache, suffix=".partial", delete=False) as fh:
                write(fh)
            os.replace(fh.name, cached)  # complete files only
        with open(cached, "rb") as fh:
            shutil.copyfileobj(fh, out)
        return reused

    def purge(self, max_age_s: float, partial_age_s: float, now: float | None = None) -> None:
        """Deletes reports older than `max_age_s` and `.partial` files whose writer is gone."""
        now = time.time() if now is None else now
        if not self.folder.is_dir():
            return
        for cached in self.folder.iterdir():
            age = now - _mtime(cached)
            if (cached.suffix == ".xlsx" and age > max_age_s) or (cached.suffix == ".partial" and age > partial_age_s):
                cached.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()
