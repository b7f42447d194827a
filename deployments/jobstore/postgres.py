"""The server job store: job rows and job files in PostgreSQL (psycopg 3), for a cluster of nodes.

Every Ingress and Analyzer replica, on any node, reads and writes the same database; nothing of a
job lives on a node's disk. Uploads and reports are kept in `job_files` as rows of up to
CHUNK_BYTES (1 MiB) each, written in one transaction and read back one chunk per query, so neither
side holds a whole file in a single database value. They are deleted with their job. Only the
report cache (a per-node shortcut) stays in the local `HIENFELD_DATA_DIR`.
"""

from __future__ import annotations

import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

import psycopg
from psycopg.rows import dict_row

from .base import (ATTEMPTS_DDL, DEFAULT_TTL_S, JOBS_DDL, ORPHAN_AGE_S, REPORT, JobStore, check_job_id, check_key,
                   chunks_of)

FILES_DDL = """
CREATE TABLE IF NOT EXISTS job_files (
    job_id TEXT NOT NULL,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (job_id, name, seq)
);
ALTER TABLE job_files ALTER COLUMN data SET STORAGE EXTERNAL
"""
# Version n is MIGRATIONS[n - 1]; the first store that starts brings the database up to date.
MIGRATIONS = (JOBS_DDL + ";" + FILES_DDL, ATTEMPTS_DDL)
_MIGRATE_LOCK = 0x6869656E  # advisory lock ids: one for migrations, one for job creation
_CREATE_LOCK = 0x6869656F
_IDLE_CHECK_S = 30.0


class _Pool:
    """A few idle connections kept per process; any number opened when busy. A connection idle for
    a while is checked before use, so a restarted database costs no failed operation."""

    def __init__(self, url: str, max_idle: int = 4):
        self.url, self.max_idle = url, max_idle
        self.idle: list[tuple[psycopg.Connection, float]] = []
        self.lock = threading.Lock()

    def _open(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, row_factory=dict_row, connect_timeout=10,
                               application_name="hienfeld-serve")

    def _take(self) -> psycopg.Connection:
        while True:
            with self.lock:
                if not self.idle:
                    return self._open()
                conn, since = self.idle.pop()
            if conn.closed:
                continue
            if time.monotonic() - since > _IDLE_CHECK_S:
                try:
                    conn.execute("SELECT 1")
                except psycopg.Error:
                    conn.close()
                    continue
            return conn

    @contextmanager
    def connection(self):
        conn = self._take()
        try:
            yield conn
        except psycopg.OperationalError:
            conn.close()
            raise
        finally:
            if not conn.closed:
                keep = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
                with self.lock:
                    if keep and len(self.idle) < self.max_idle:
                        self.idle.append((conn, time.monotonic()))
                        conn = None
                if conn is not None:
                    conn.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for conn, _ in idle:
            conn.close()


class PostgresJobStore(JobStore):
    kind = "postgres"
    migrations = MIGRATIONS
    placeholder = "%s"
    greatest = "GREATEST"

    def __init__(self, url: str, data_dir: Path, ttl_seconds: float = DEFAULT_TTL_S,
                 max_file_bytes: int | None = None):
        super().__init__(data_dir, ttl_seconds, max_file_bytes)
        self.url = url
        self.pool = _Pool(url)
        self._migrate()

    def _connect(self):
        return self.pool.connection()

    @contextmanager
    def _transaction(self, lock: bool = False):
        with self.pool.connection() as conn, conn.transaction():
            if lock:  # job creation: count and insert as one step across all replicas
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            yield conn

    def _lock_migrations(self, db) -> None:
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))  # replicas start together

    def close(self) -> None:
        self.pool.close()

    # -- files: chunk rows in job_files ------------------------------------------------------------
    def put_file(self, job_id: str, key: str, data: bytes | BinaryIO, max_bytes: int | None = -1) -> int:
        check_job_id(job_id)
        check_key(key)
        with self._transaction() as db:  # all chunks or none
            return self._write_chunks(db, job_id, key, data, self._limit(max_bytes))

    @staticmethod
    def _write_chunks(db, job_id: str, key: str, data: bytes | BinaryIO, max_bytes: int | None) -> int:
        size = 0
        now = time.time()
        db.execute("DELETE FROM job_files WHERE job_id=%s AND name=%s", (job_id, key))
        for seq, piece in enumerate(chunks_of(data, max_bytes, key)):
            db.execute("INSERT INTO job_files (job_id, name, seq, data, created_at) VALUES (%s, %s, %s, %s, %s)",
                       (job_id, key, seq, piece, now))
            size += len(piece)
        return size

    def _chunk_count(self, job_id: str, key: str) -> tuple[int, int]:
        with self._connect() as db:
            row = db.execute("SELECT COUNT(*) AS n, COALESCE(SUM(octet_length(data)), 0) AS size FROM job_files "
                             "WHERE job_id=%s AND name=%s", (check_job_id(job_id), check_key(key))).fetchone()
        return int(row["n"]), int(row["size"])

    def file_size(self, job_id: str, key: str) -> int | None:
        count, size = self._chunk_count(job_id, key)
        return size if count else None

    def iter_file(self, job_id: str, key: str) -> Iterator[bytes]:
        count, _ = self._chunk_count(job_id, key)
        if not count:
            raise FileNotFoundError(f"job {job_id} has no file {key}")
        for seq in range(count):  # one chunk per query: no connection held while a client reads
            with self._connect() as db:
                row = db.execute("SELECT data FROM job_files WHERE job_id=%s AND name=%s AND seq=%s",
                                 (job_id, key, seq)).fetchone()
            if row is None:
                raise FileNotFoundError(f"job {job_id}: {key} was deleted while it was read")
            yield bytes(row["data"])

    @contextmanager
    def report_writer(self, job_id: str):
        # A local temporary file (removed by the OS when closed); complete() streams it into the
        # database in its own transaction, so a half-written report never reaches the store.
        with tempfile.TemporaryFile(prefix="hienfeld-report-") as out:
            yield out

    def _publish_report(self, db, job_id: str, report: BinaryIO) -> None:
        report.seek(0)
        self._write_chunks(db, job_id, REPORT, report, max_bytes=None)

    def delete_files(self, job_ids: list[str]) -> None:
        if job_ids:
            with self._connect() as db:
                db.execute("DELETE FROM job_files WHERE job_id = ANY(%s)", (list(job_ids),))

    def _sweep_files(self, now: float) -> None:
        # Uploads whose job row never came (the ingress stopped between storing and creating).
        with self._connect() as db:
            db.execute("DELETE FROM job_files f WHERE f.created_at < %s "
                       "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = f.job_id)", (now - ORPHAN_AGE_S,))

    def describe(self) -> str:
        info = psycopg.conninfo.conninfo_to_dict(self.url)
        return f"postgres:{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"
