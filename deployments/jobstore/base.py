"""Durable job store: status, progress, results, uploads and the report, seen by every replica.

Service state, not analysis: it lives beside the deployments. One interface, two stores:

- `SQLiteJobStore` (the embedded default): one SQLite file in WAL mode plus a folder per job under
  `HIENFELD_DATA_DIR`. All its users must be on one host.
- `PostgresJobStore` (chosen by `HIENFELD_DATABASE_URL`): job rows and the job files (uploads,
  report) in PostgreSQL, so any replica on any node reads them.

The job transitions (create with the queue limit, start, progress, heartbeat, complete, fail, cancel,
interrupted and stale attempts queued again, expired jobs) are written once, here, in SQL both
databases run; a store adds its connection, its schema migrations and where the files live.

Attempts: a job is run by numbered attempts (`attempt`, at most `max_attempts`). The attempt
number is the lease: start, progress, complete and fail name their attempt and change nothing once
the job has moved on to a newer one, so an attempt thought dead that still runs can never write a
result, and the result and report are stored by one transaction of the attempt that completes.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from hienfeld.errors import TooLargeError
from hienfeld.report_cache import ReportCache
from hienfeld.options import AnalysisOptions

ACTIVE = ("pending", "running")
FINAL = ("completed", "failed", "cancelled")
ACTIVE_SQL = "(" + ",".join(f"'{state}'" for state in ACTIVE) + ")"  # `{active}` in the stores' SQL
REPORT = "report.xlsx"
CHUNK_BYTES = 1 << 20  # files move in and out in pieces of this size
# Of the working directory, never the installed package; `hienfeld serve` sets HIENFELD_DATA_DIR to
# its own ./data, so replicas started elsewhere agree.
DEFAULT_TTL_S = 24 * 3600.0
ORPHAN_AGE_S = 3600.0  # files without a job row (an ingress stopped between upload and create)
PARTIAL_AGE_S = 3600.0  # a `.partial` report this old belongs to a writer that is gone
_KEY = re.compile(r"^(uploads/[0-9]{1,6}(\.[a-z0-9]{1,8})?|report\.xlsx)$")

# The jobs table, in SQL both SQLite and PostgreSQL accept (SQLite reads DOUBLE PRECISION as REAL).
JOBS_DDL = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    status_message TEXT NOT NULL DEFAULT '',
    error TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    heartbeat_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    request TEXT NOT NULL,
    stats TEXT,
    results TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status)
"""
# Schema version 2: attempts. Rows from before count as on their first of three.
ATTEMPTS_DDL = """
ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3
"""


@dataclass(frozen=True)
class StoredFile:
    """An upload kept in the store: `name` is the user's file name (a label only, never a path),
    `key` the store's own name for it (`uploads/<n><ext>`)."""

    name: str
    key: str


@dataclass(frozen=True)
class JobRequest:
    """What the ingress asks for, written once when the job is created and read by the analyzer."""

    options: AnalysisOptions
    policy: StoredFile
    conditions: tuple[StoredFile, ...] = ()
    library: tuple[StoredFile, ...] = ()
    reference: StoredFile | None = None

    def to_json(self) -> dict[str, Any]:
        def one(f: StoredFile) -> dict[str, str]:
            return {"name": f.name, "path": f.key}
        return {"options": asdict(self.options),
                "files": {"policy": one(self.policy), "conditions": [one(f) for f in self.conditions],
                          "library": [one(f) for f in self.library],
                          "reference": one(self.reference) if self.reference else None}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRequest:
        def one(item: dict[str, str]) -> StoredFile:
            return StoredFile(item["name"], item["path"])
        files = data["files"]
        return cls(options=AnalysisOptions(**data["options"]), policy=one(files["policy"]),
                   conditions=tuple(one(f) for f in files.get("conditions") or ()),
                   library=tuple(one(f) for f in files.get("library") or ()),
                   reference=one(files["reference"]) if files.get("reference") else None)


@dataclass(frozen=True)
class Job:
    id: str
    status: str
    progress: int
    status_message: str
    error: str | None
    created_at: float
    updated_at: float
    attempt: int  # the attempt that holds the job (1 until it was interrupted)
    max_attempts: int
    request: JobRequest
    stats: dict[str, Any] | None
    results: list[dict[str, Any]] | None = field(repr=False)

    def status_view(self) -> dict[str, Any]:
        return {"job_id": self.id, "status": self.status, "progress": self.progress,
                "status_message": self.status_message, "error": self.error,
                "stats": self.stats if self.status == "completed" else None,
                "attempt": self.attempt, "max_attempts": self.max_attempts}


def attempt_note(attempt: int, max_attempts: int) -> str:
    return f"poging {attempt} van {max_attempts}"


def check_job_id(job_id: str) -> str:
    uuid.UUID(job_id)  # ids are uuids: never a path component or a key from a user
    return job_id


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a job file key: {key!r}")
    return key


def chunks_of(data: bytes | BinaryIO, max_bytes: int | None, what: str) -> Iterator[bytes]:
    """Pieces of CHUNK_BYTES from bytes or a binary file; TooLargeError once past `max_bytes`."""
    total = 0
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        pieces: Iterator[bytes] = (bytes(view[i:i + CHUNK_BYTES]) for i in range(0, len(view), CHUNK_BYTES))
    else:
        pieces = iter(lambda: data.read(CHUNK_BYTES), b"")
    for piece in pieces:
        total += len(piece)
        if max_bytes is not None and total > max_bytes:
            raise TooLargeError(f"{what}: groter dan de limiet van {max_bytes / 1048576:.0f} MB")
        yield piece


class JobStore(ABC):
    """The store's interface and the job transitions shared by every store.

    A store provides `_connect()` (a DB-API connection in autocommit, rows by column name),
    `_transaction(lock)` (one transaction; `lock` serialises job creation for the queue limit),
    `migrations` (version n is migrations[n - 1]) and the file methods. SQL here is written with `?`
    placeholders."""

    migrations: tuple[str, ...] = ()
    placeholder = "?"
    greatest = "MAX"
    kind = "?"

    def __init__(self, data_dir: Path, ttl_seconds: float = DEFAULT_TTL_S, max_file_bytes: int | None = None):
        """`max_file_bytes`: the largest file stored (the deployments pass the upload limit); None, no limit."""
        self.data_dir = Path(data_dir)
        self.ttl = ttl_seconds
        self.max_file_bytes = max_file_bytes

    # -- what a store provides ------------------------------------------------------------------
    @abstractmethod
    def _connect(self) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _transaction(self, lock: bool = False) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def put_file(self, job_id: str, key: str, data: bytes | BinaryIO, max_bytes: int | None = -1) -> int:
        """Stores a job file, streamed in chunks; the upload limit applies unless `max_bytes` says
        otherwise (None: no limit). Returns its size."""

    @abstractmethod
    def file_size(self, job_id: str, key: str) -> int | None: ...

    @abstractmethod
    def iter_file(self, job_id: str, key: str) -> Iterator[bytes]:
        """The file in chunks, read as they are sent (never whole in memory)."""

    @abstractmethod
    def report_writer(self, job_id: str) -> AbstractContextManager[BinaryIO]:
        """A private file to write an attempt's report into, discarded when the block ends; it
        becomes the job's report only when `complete` is given it (a half-written report, or one of
        an attempt that did not complete, is never served)."""

    @abstractmethod
    def _publish_report(self, db: Any, job_id: str, report: BinaryIO) -> None:
        """Makes a file of `report_writer` the job's report, inside `complete`'s transaction `db`."""

    @abstractmethod
    def delete_files(self, job_ids: list[str]) -> None: ...

    @abstractmethod
    def _sweep_files(self, now: float) -> None:
        """Deletes files whose job is gone, and `.partial` files whose writer is gone."""

    def close(self) -> None:
        """Releases connections (a store is usable again afterwards)."""

    # -- files ------------------------------------------------------------------------------------
    def new_job_id(self) -> str:
        return str(uuid.uuid4())

    def read_file(self, job_id: str, key: str) -> bytes:
        return b"".join(self.iter_file(job_id, key))

    def _limit(self, max_bytes: int | None) -> int | None:
        return self.max_file_bytes if max_bytes == -1 else max_bytes

    @property
    def report_cache_dir(self) -> Path:
        """Reports by content fingerprint, reused by repeats of the same analysis. Always a local
        folder: a cache per node is enough (a miss only costs writing the report)."""
        return self.data_dir / "report_cache"

    # -- schema -------------------------------------------------------------------------------------
    def _lock_migrations(self, db: Any) -> None:
        """Where several replicas may open the database at once, one migrates at a time."""

    def _migrate(self) -> None:
        """Brings the database up to len(migrations), one numbered migration at a time."""
        with self._transaction() as db:
            self._lock_migrations(db)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = db.execute("SELECT MAX(version) AS v FROM schema_version").fetchone()["v"] or 0
            if current > len(self.migrations):
                raise RuntimeError(f"{self.describe()}: schema version {current} is newer than this code "
                                   f"({len(self.migrations)}); run the newer hienfeld-serve")
            for version in range(current + 1, len(self.migrations) + 1):
                for statement in self.migrations[version - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(self._sql("INSERT INTO schema_version (version) VALUES (?)"), (version,))

    def schema_version(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT MAX(version) AS v FROM schema_version").fetchone()["v"]

    # -- jobs ---------------------------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        sql = sql.replace("{greatest}", self.greatest).replace("{active}", ACTIVE_SQL)
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _execute(self, sql: str, params: tuple = ()) -> int:
        with self._connect() as db:
            return db.execute(self._sql(sql), params).rowcount

    def create(self, job_id: str, request: JobRequest, max_active: int | None = None,
               max_attempts: int = 1) -> bool:
        """A new pending job on its first of `max_attempts` attempts; False (nothing created) when
        `max_active` jobs are pending or running already. The check and the insert are one step,
        also with several ingress replicas."""
        check_job_id(job_id)
        now = time.time()
        limit = max_active if max_active is not None else 2 ** 62
        with self._transaction(lock=True) as db:
            inserted = db.execute(self._sql(
                "INSERT INTO jobs (id, status, progress, status_message, created_at, updated_at, heartbeat_at,"
                " expires_at, request, attempt, max_attempts) SELECT ?, 'pending', 0, 'In de wachtrij...', ?, ?, ?,"
                " ?, ?, 1, ? WHERE (SELECT COUNT(*) FROM jobs WHERE status IN {active}) < ?"),
                (job_id, now, now, now, now + self.ttl, json.dumps(request.to_json()), max_attempts,
                 limit)).rowcount
        return inserted > 0

    def get(self, job_id: str) -> Job | None:
        try:
            check_job_id(job_id)
        except ValueError:
            return None
        with self._connect() as db:
            row = db.execute(self._sql("SELECT * FROM jobs WHERE id = ?"), (job_id,)).fetchone()
        if row is None:
            return None
        return Job(row["id"], row["status"], row["progress"], row["status_message"], row["error"],
                   row["created_at"], row["updated_at"], row["attempt"], row["max_attempts"],
                   JobRequest.from_json(json.loads(row["request"])),
                   json.loads(row["stats"]) if row["stats"] else None,
                   json.loads(row["results"]) if row["results"] else None)

    def start(self, job_id: str, attempt: int) -> bool:
        """pending -> running for this attempt; False when the job was cancelled, taken already or
        moved on to another attempt."""
        now = time.time()
        return self._execute("UPDATE jobs SET status='running', updated_at=?, heartbeat_at=? "
                             "WHERE id=? AND status='pending' AND attempt=?", (now, now, job_id, attempt)) > 0

    def progress(self, job_id: str, attempt: int, percent: int, message: str) -> bool:
        """Progress never goes back, also over attempts; False when this attempt no longer runs the
        job (cancelled, or queued again for a newer attempt)."""
        now = time.time()
        return self._execute("UPDATE jobs SET progress={greatest}(progress, ?), status_message=?, updated_at=?, "
                             "heartbeat_at=? WHERE id=? AND status='running' AND attempt=?",
                             (int(percent), message, now, now, job_id, attempt)) > 0

    def heartbeat(self, job_ids: list[str]) -> None:
        if job_ids:
            with self._connect() as db:
                cursor = db.cursor()
                cursor.executemany(self._sql("UPDATE jobs SET heartbeat_at=? WHERE id=? "
                                             "AND status IN {active}"),
                                   [(time.time(), j) for j in job_ids])
                cursor.close()

    def complete(self, job_id: str, attempt: int, stats: dict[str, Any], results: list[dict[str, Any]],
                 report: BinaryIO | None = None) -> bool:
        """Stores the result and `report` (a file of `report_writer`) in one transaction, only while
        `attempt` runs the job; False (nothing stored) otherwise."""
        with self._transaction() as db:
            done = db.execute(self._sql(
                "UPDATE jobs SET status='completed', progress=100, status_message='Analyse voltooid!', stats=?, "
                "results=?, updated_at=? WHERE id=? AND status='running' AND attempt=?"),
                (json.dumps(stats), json.dumps(results), time.time(), job_id, attempt)).rowcount > 0
            if done and report is not None:
                self._publish_report(db, job_id, report)
        return done

    def fail(self, job_id: str, error: str, attempt: int | None = None) -> bool:
        """Ends an active job failed; with `attempt`, only while that attempt holds it."""
        only = "" if attempt is None else " AND attempt=?"
        return self._execute("UPDATE jobs SET status='failed', error=?, status_message='Analyse mislukt', "
                             "updated_at=? WHERE id=? AND status IN {active}" + only,
                             (error, time.time(), job_id) + (() if attempt is None else (attempt,))) > 0

    def cancel(self, job_id: str) -> bool:
        return self._execute("UPDATE jobs SET status='cancelled', status_message='Analyse geannuleerd', "
                             "updated_at=? WHERE id=? AND status IN {active}",
                             (time.time(), job_id)) > 0

    def count_active(self) -> int:
        with self._connect() as db:
            return int(db.execute(self._sql("SELECT COUNT(*) AS n FROM jobs WHERE status IN {active}"))
                       .fetchone()["n"])

    def interrupted(self, job_id: str, attempt: int, stale_before: float | None = None) -> tuple[str, int] | None:
        """`attempt` stopped without ending the job (its replica died; with `stale_before`: its last
        heartbeat is older). The job is queued again: on the next attempt when this one had started,
        on the same when it never did (it was only waiting, and costs no attempt); an attempt that
        started as the last allowed ends the job failed. Returns ('pending', attempt to dispatch) or
        ('failed', attempt); None when the job moved on meanwhile (finished, cancelled, queued again
        by another sweeper): the update is a compare-and-set on status, attempt and heartbeat."""
        with self._connect() as db:
            row = db.execute(self._sql("SELECT status, attempt, max_attempts FROM jobs WHERE id=?"),
                             (job_id,)).fetchone()
        if row is None or row["status"] not in ACTIVE or row["attempt"] != attempt:
            return None
        now = time.time()
        started, limit = row["status"] == "running", row["max_attempts"]
        stale = "" if stale_before is None else " AND heartbeat_at < ?"
        where = (job_id, row["status"], attempt) + (() if stale_before is None else (stale_before,))
        if started and attempt >= limit:
            error = (f"De analyse is {attempt} keer afgebroken doordat de analyse-replica stopte of niet meer "
                     "reageerde, en wordt niet nog eens gestart. Controleer de bestanden; blijft het misgaan, "
                     "neem contact op met de beheerder.")
            return ("failed", attempt) if self._execute(
                "UPDATE jobs SET status='failed', error=?, status_message='Analyse mislukt', updated_at=? "
                "WHERE id=? AND status=? AND attempt=?" + stale, (error, now) + where) > 0 else None
        queued = attempt + 1 if started else attempt
        note = attempt_note(queued, limit)
        message = (f"Opnieuw gestart na een onderbreking, {note}" if started else
                   f"Opnieuw in de wachtrij na een onderbreking ({note})")
        return ("pending", queued) if self._execute(
            "UPDATE jobs SET status='pending', attempt=?, status_message=?, updated_at=?, heartbeat_at=? "
            "WHERE id=? AND status=? AND attempt=?" + stale, (queued, message, now, now) + where) > 0 else None

    def requeue_stale(self, max_silence_s: float) -> list[tuple[str, str, int]]:
        """Active jobs whose heartbeat stopped (their replicas died, or the whole app stopped) are
        queued again or, past their attempts, failed, never left running: (job id, outcome,
        attempt) per job, as `interrupted` says."""
        cutoff = time.time() - max_silence_s
        with self._connect() as db:
            rows = [(r["id"], r["attempt"]) for r in db.execute(self._sql(
                "SELECT id, attempt FROM jobs WHERE status IN {active} AND heartbeat_at < ?"),
                (cutoff,))]
        return [(job_id, *outcome) for job_id, attempt in rows
                if (outcome := self.interrupted(job_id, attempt, stale_before=cutoff))]

    def purge_expired(self) -> int:
        """Deletes finished jobs past their TTL with their files, files left without a job,
        `.partial` reports whose writer is gone, and cached reports older than the TTL."""
        now = time.time()
        with self._connect() as db:
            ids = [r["id"] for r in db.execute(self._sql(
                "SELECT id FROM jobs WHERE expires_at < ? AND status NOT IN {active}"), (now,))]
            gone = [j for j in ids
                    if db.execute(self._sql("DELETE FROM jobs WHERE id=? AND status NOT IN {active}"),
                                  (j,)).rowcount > 0]
        self.delete_files(gone)
        self._sweep_files(now)
        ReportCache(self.report_cache_dir).purge(self.ttl, PARTIAL_AGE_S, now)
        return len(gone)

    def describe(self) -> str:
        """Where the jobs are kept, for messages."""
        return self.kind


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()
