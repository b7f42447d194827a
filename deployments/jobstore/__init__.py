"""The job store of the service: `open_store()` picks the store from the environment.

- `HIENFELD_DATABASE_URL` unset: `SQLiteJobStore`, a SQLite file and a folder under
  `HIENFELD_DATA_DIR` (one machine; nothing to set up).
- `HIENFELD_DATABASE_URL=postgresql://user:password@host:5432/db`: `PostgresJobStore`, job rows,
  uploads and reports in PostgreSQL, reachable from every node.
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import ACTIVE, FINAL, REPORT, Job, JobRequest, JobStore, StoredFile, attempt_note
from .sqlite import SQLiteJobStore

__all__ = ["ACTIVE", "FINAL", "REPORT", "Job", "JobRequest", "JobStore", "SQLiteJobStore", "StoredFile",
           "attempt_note", "open_store"]


def open_store(url: str | None = None, data_dir: Path | None = None, ttl_seconds: float | None = None,
               max_file_bytes: int | None = None) -> JobStore:
    """The configured store, its schema created or migrated. `url` defaults to
    `HIENFELD_DATABASE_URL`; an empty value means the SQLite default."""
    url = url if url is not None else os.environ.get("HIENFELD_DATABASE_URL", "")
    if not url.strip():
        return SQLiteJobStore(data_dir, ttl_seconds, max_file_bytes)
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError("HIENFELD_DATABASE_URL must be a postgresql://... URL (or unset for SQLite)")
    from .postgres import PostgresJobStore  # psycopg is imported only when the server store is used
    return PostgresJobStore(url, data_dir, ttl_seconds, max_file_bytes)
