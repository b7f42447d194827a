"""The job store of the service: `open_store(url, data_dir=...)` picks the store by its URL
(`HIENFELD_DATABASE_URL`, read by deployments/environment.py):

- `""`: `SQLiteJobStore`, a SQLite file and a folder under `data_dir` (`HIENFELD_DATA_DIR`; one
  machine; nothing to set up).
- `postgresql://user:password@host:5432/db`: `PostgresJobStore`, job rows, uploads and reports in
  PostgreSQL, reachable from every node.
"""

from __future__ import annotations

from pathlib import Path

from .base import DEFAULT_TTL_S, ACTIVE, FINAL, REPORT, Job, JobRequest, JobStore, StoredFile, attempt_note
from .sqlite import SQLiteJobStore

__all__ = ["ACTIVE", "FINAL", "REPORT", "Job", "JobRequest", "JobStore", "SQLiteJobStore", "StoredFile",
           "attempt_note", "open_store"]


def open_store(url: str = "", *, data_dir: Path, ttl_seconds: float = DEFAULT_TTL_S,
               max_file_bytes: int | None = None) -> JobStore:
    """The store of `url`, its schema created or migrated; an empty `url` means the SQLite default."""
    if not url.strip():
        return SQLiteJobStore(data_dir, ttl_seconds, max_file_bytes)
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError("HIENFELD_DATABASE_URL must be a postgresql://... URL (or unset for SQLite)")
    from .postgres import PostgresJobStore  # psycopg is imported only when the server store is used
    return PostgresJobStore(url, data_dir, ttl_seconds, max_file_bytes)
