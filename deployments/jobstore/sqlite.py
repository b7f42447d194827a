"""The embedded job store: one SQLite file in WAL mode (readers never block the writer) and a folder
per job for its uploads and report, under `HIENFELD_DATA_DIR`. Every user must be on one host."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from .base import (ATTEMPTS_DDL, CHUNK_BYTES, DEFAULT_TTL_S, JOBS_DDL, ORPHAN_AGE_S, PARTIAL_AGE_S, REPORT, JobStore,
                   _mtime, check_job_id, check_key, chunks_of)

# Version n is MIGRATIONS[n - 1]; a database is brought up to len(MIGRATIONS) when a store opens it.
MIGRATIONS = (JOBS_DDL, ATTEMPTS_DDL)


class SQLiteJobStore(JobStore):
    kind = "sqlite"
    migrations = MIGRATIONS

    def __init__(self, data_dir: Path, ttl_seconds: float = DEFAULT_TTL_S,
                 max_file_bytes: int | None = None):
        super().__init__(data_dir, ttl_seconds, max_file_bytes)
        (self.data_dir / "jobs").mkdir(parents=True, exist_ok=True)
        self.db_path = self.data_dir / "jobs.sqlite3"
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
        self._migrate()

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

    @contextmanager
    def _transaction(self, lock: bool = False):
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # the write lock at once: one creator at a time
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- files: a folder per job ------------------------------------------------------------------
    def job_dir(self, job_id: str) -> Path:
        return self.data_dir / "jobs" / check_job_id(job_id)

    def report_path(self, job_id: str) -> Path:
        return self.job_dir(job_id) / REPORT

    def _path(self, job_id: str, key: str) -> Path:
        return self.job_dir(job_id) / check_key(key)

    def new_job_id(self) -> str:
        job_id = super().new_job_id()
        self.job_dir(job_id).mkdir(parents=True)
        return job_id

    def put_file(self, job_id: str, key: str, data: bytes | BinaryIO, max_bytes: int | None = -1) -> int:
        path = self._path(job_id, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        try:
            with open(path, "wb") as out:
                for piece in chunks_of(data, self._limit(max_bytes), key):
                    out.write(piece)
                    size += len(piece)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return size

    def file_size(self, job_id: str, key: str) -> int | None:
        try:
            return self._path(job_id, key).stat().st_size
        except FileNotFoundError:
            return None

    def iter_file(self, job_id: str, key: str) -> Iterator[bytes]:
        with open(self._path(job_id, key), "rb") as fh:
            yield from iter(lambda: fh.read(CHUNK_BYTES), b"")

    @contextmanager
    def report_writer(self, job_id: str):
        # One file per attempt, beside the report, so publishing it is a rename.
        partial = self.job_dir(job_id) / f"report.{uuid.uuid4().hex}.partial"
        try:
            with open(partial, "wb") as out:
                yield out
        finally:
            partial.unlink(missing_ok=True)

    def _publish_report(self, db, job_id: str, report: BinaryIO) -> None:
        # Renamed while complete's transaction holds the write lock: no other attempt completes meanwhile.
        report.flush()
        os.replace(report.name, self.report_path(job_id))

    def delete_files(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            shutil.rmtree(self.job_dir(job_id), ignore_errors=True)

    def _sweep_files(self, now: float) -> None:
        with self._connect() as db:
            active = {r["id"] for r in db.execute(self._sql("SELECT id FROM jobs WHERE status IN {active}"))}
            known = {r["id"] for r in db.execute("SELECT id FROM jobs")}
        for folder in (self.data_dir / "jobs").iterdir():
            age = now - _mtime(folder)
            if folder.name not in known and age > ORPHAN_AGE_S:
                shutil.rmtree(folder, ignore_errors=True)  # uploads whose job was never created
            elif folder.name not in active:
                for partial in folder.glob("*.partial"):  # a writer that died mid-report
                    if now - _mtime(partial) > PARTIAL_AGE_S or folder.name in known:
                        partial.unlink(missing_ok=True)

    def describe(self) -> str:
        return f"sqlite:{self.db_path}"
