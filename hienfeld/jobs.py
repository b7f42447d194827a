"""Durable job store: status, progress, results and the report, seen by every replica.

The embedded default is one SQLite file in WAL mode (readers never block the writer) plus a folder
per job for its uploads and report, under `HIENFELD_DATA_DIR`. The interface is narrow (create,
read, transition, sweep) so that a server database can stand behind it on a multi-node cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACTIVE = ("pending", "running")
FINAL = ("completed", "failed", "cancelled")
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    status_message TEXT NOT NULL DEFAULT '',
    error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    request TEXT NOT NULL,
    stats TEXT,
    results TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
"""


@dataclass(frozen=True)
class Job:
    id: str
    status: str
    progress: int
    status_message: str
    error: str | None
    created_at: float
    updated_at: float
    request: dict[str, Any]  # options and the manifest of stored uploads
    stats: dict[str, Any] | None
    results: list[dict[str, Any]] | None

    def status_view(self) -> dict[str, Any]:
        return {"job_id": self.id, "status": self.status, "progress": self.progress,
                "status_message": self.status_message, "error": self.error,
                "stats": self.stats if self.status == "completed" else None}


def data_dir_from_env() -> Path:
    return Path(os.environ.get("HIENFELD_DATA_DIR") or DEFAULT_DATA_DIR)


class JobStore:
    def __init__(self, data_dir: Path | None = None, ttl_seconds: float | None = None):
        self.data_dir = Path(data_dir or data_dir_from_env())
        self.ttl = (ttl_seconds if ttl_seconds is not None
                    else float(os.environ.get("HIENFELD_JOB_TTL_HOURS", 24)) * 3600)
        (self.data_dir / "jobs").mkdir(parents=True, exist_ok=True)
        self.db_path = self.data_dir / "jobs.sqlite3"
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self):
        # One short connection per operation: safe from any thread, process or replica.
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    def job_dir(self, job_id: str) -> Path:
        uuid.UUID(job_id)  # ids are uuids: never a path component from a user
        return self.data_dir / "jobs" / job_id

    @property
    def report_cache_dir(self) -> Path:
        """Reports by content fingerprint, reused by repeats of the same analysis."""
        return self.data_dir / "report_cache"

    def report_path(self, job_id: str) -> Path:
        return self.job_dir(job_id) / "report.xlsx"

    def new_job_id(self) -> str:
        job_id = str(uuid.uuid4())
        self.job_dir(job_id).mkdir(parents=True)
        return job_id

    def create(self, job_id: str, request: dict[str, Any]) -> None:
        now = time.time()
        with self._connect() as db:
            db.execute(
                "INSERT INTO jobs (id, status, progress, status_message, created_at, updated_at, heartbeat_at,"
                " expires_at, request) VALUES (?, 'pending', 0, 'In de wachtrij...', ?, ?, ?, ?, ?)",
                (job_id, now, now, now, now + self.ttl, json.dumps(request)),
            )

    def get(self, job_id: str) -> Job | None:
        try:
            uuid.UUID(job_id)
        except ValueError:
            return None
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        return Job(row["id"], row["status"], row["progress"], row["status_message"], row["error"],
                   row["created_at"], row["updated_at"], json.loads(row["request"]),
                   json.loads(row["stats"]) if row["stats"] else None,
                   json.loads(row["results"]) if row["results"] else None)

    def _update(self, sql: str, params: tuple) -> bool:
        with self._connect() as db:
            return db.execute(sql, params).rowcount > 0

    def start(self, job_id: str) -> bool:
        """pending -> running; False when the job was cancelled (or already taken)."""
        now = time.time()
        return self._update("UPDATE jobs SET status='running', updated_at=?, heartbeat_at=? "
                            "WHERE id=? AND status='pending'", (now, now, job_id))

    def progress(self, job_id: str, percent: int, message: str) -> bool:
        """Progress never goes back; False when the job is no longer running (cancelled)."""
        now = time.time()
        return self._update("UPDATE jobs SET progress=MAX(progress, ?), status_message=?, updated_at=?, "
                            "heartbeat_at=? WHERE id=? AND status='running'",
                            (int(percent), message, now, now, job_id))

    def heartbeat(self, job_ids: list[str]) -> None:
        if job_ids:
            with self._connect() as db:
                db.executemany("UPDATE jobs SET heartbeat_at=? WHERE id=? AND status IN ('pending','running')",
                               [(time.time(), j) for j in job_ids])

    def complete(self, job_id: str, stats: dict[str, Any], results: list[dict[str, Any]]) -> bool:
        return self._update(
            "UPDATE jobs SET status='completed', progress=100, status_message='Analyse voltooid!', stats=?, "
            "results=?, updated_at=? WHERE id=? AND status='running'",
            (json.dumps(stats), json.dumps(results), time.time(), job_id))

    def fail(self, job_id: str, error: str) -> bool:
        return self._update("UPDATE jobs SET status='failed', error=?, status_message='Analyse mislukt', "
                            "updated_at=? WHERE id=? AND status IN ('pending','running')",
                            (error, time.time(), job_id))

    def cancel(self, job_id: str) -> bool:
        return self._update("UPDATE jobs SET status='cancelled', status_message='Analyse geannuleerd', "
                            "updated_at=? WHERE id=? AND status IN ('pending','running')", (time.time(), job_id))

    def count_active(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('pending','running')").fetchone()[0]

    def fail_stale(self, max_silence_s: float) -> list[str]:
        """Active jobs whose worker stopped heart-beating are ended as failed, never left running."""
        cutoff = time.time() - max_silence_s
        with self._connect() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE status IN ('pending','running') AND heartbeat_at < ?", (cutoff,))]
        message = ("De analyse is onderbroken omdat de verwerkende replica is gestopt "
                   "(worker stopped responding). Start de analyse opnieuw.")
        return [j for j in ids if self.fail(j, message)]

    def purge_expired(self) -> int:
        now = time.time()
        with self._connect() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE expires_at < ? AND status NOT IN ('pending','running')", (now,))]
            db.executemany("DELETE FROM jobs WHERE id=?", [(j,) for j in ids])
        for job_id in ids:
            shutil.rmtree(self.job_dir(job_id), ignore_errors=True)
        for cached in self.report_cache_dir.glob("*.xlsx"):
            if cached.stat().st_mtime < now - self.ttl:
                cached.unlink(missing_ok=True)
        return len(ids)
