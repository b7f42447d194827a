"""The durable job store, one suite run against both stores: SQLite (WAL, the embedded default) and
PostgreSQL (a real server started by the `postgres_server` fixture). Transitions, persistence,
heartbeats, cancel, the queue limit, attempts (a job whose attempt stopped, or that a stopped app
left behind, is queued again; only the attempt that holds it writes), expired jobs, files and the
schema version."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import threading
import time

import pytest

from deployments.jobstore import REPORT, JobRequest, JobStore, SQLiteJobStore, StoredFile, open_store
from hienfeld.errors import TooLargeError
from hienfeld.options import AnalysisOptions

REQUEST = JobRequest(AnalysisOptions(cluster_accuracy=90), StoredFile("polis.csv", "uploads/0.csv"),
                     conditions=(StoredFile("voorwaarden.pdf", "uploads/1.pdf"),))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def make_store(request, tmp_path):
    """Opens a store on one database (a new store on the same database = another replica)."""
    url = ""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_server").create_database("jobs")
    opened: list[JobStore] = []

    def make(ttl_seconds: float = 3600, max_file_bytes: int = 5 << 20) -> JobStore:
        store = open_store(url, data_dir=tmp_path, ttl_seconds=ttl_seconds, max_file_bytes=max_file_bytes)
        opened.append(store)
        return store
    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store):
    return make_store()


def _job(store: JobStore, request: JobRequest = REQUEST, max_attempts: int = 3) -> str:
    job_id = store.new_job_id()
    assert store.create(job_id, request, max_attempts=max_attempts)
    return job_id


def test_state_and_request_survive_a_new_store(make_store, store):
    job_id = _job(store)
    assert store.start(job_id, 1)
    store.progress(job_id, 1, 40, "Analyseren...")
    again = make_store().get(job_id)  # another process/replica opening the same database
    assert again.status == "running" and again.progress == 40
    assert again.request == REQUEST and again.request.options.cluster_accuracy == 90
    assert again.request.conditions[0].name == "voorwaarden.pdf"
    if isinstance(store, SQLiteJobStore):
        with sqlite3.connect(store.db_path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_is_versioned_and_opening_again_migrates_nothing(make_store, store):
    assert store.schema_version() == 2
    assert make_store().schema_version() == 2


def test_progress_never_goes_back_and_complete_stores_results(store):
    job_id = _job(store)
    store.start(job_id, 1)
    store.progress(job_id, 1, 60, "Analyseren...")
    store.progress(job_id, 1, 30, "Slim clusteren...")
    assert store.get(job_id).progress == 60
    assert store.complete(job_id, 1, {"total_rows": 3}, [{"cluster_id": "CL-0001"}])
    job = store.get(job_id)
    assert job.status == "completed" and job.progress == 100 and job.results[0]["cluster_id"] == "CL-0001"
    assert job.status_view()["stats"] == {"total_rows": 3}


def test_cancel_stops_progress_and_completion(store):
    job_id = _job(store)
    assert store.cancel(job_id)
    assert not store.start(job_id, 1)  # a cancelled job is never picked up
    assert not store.progress(job_id, 1, 50, "x") and not store.complete(job_id, 1, {}, [])
    assert store.get(job_id).status == "cancelled"
    assert not store.cancel(job_id)
    time.sleep(0.02)
    assert store.requeue_stale(max_silence_s=0.01) == []  # nor run again
    assert store.interrupted(job_id, 1) is None and store.get(job_id).status == "cancelled"


def test_start_takes_a_job_once(make_store, store):
    job_id = _job(store)
    assert store.start(job_id, 1)
    assert not make_store().start(job_id, 1)


def test_silent_jobs_are_queued_again_not_left_running(store):
    job_id = _job(store)
    store.start(job_id, 1)
    store.progress(job_id, 1, 40, "Analyseren...")
    alive = _job(store)
    store.start(alive, 1)
    time.sleep(0.6)
    store.heartbeat([alive])
    assert store.requeue_stale(max_silence_s=0.5) == [(job_id, "pending", 2)]
    view = store.get(job_id).status_view()
    assert view["status"] == "pending" and view["progress"] == 40  # never back for the client
    assert view["attempt"] == 2 and view["max_attempts"] == 3
    assert view["status_message"] == "Opnieuw gestart na een onderbreking, poging 2 van 3"
    assert store.get(alive).status == "running" and store.get(alive).attempt == 1
    assert store.requeue_stale(max_silence_s=0.5) == []  # its heartbeat restarted with the new attempt


def test_only_the_attempt_that_holds_the_job_writes(store):
    job_id = _job(store)
    assert store.start(job_id, 1)
    assert store.interrupted(job_id, 1) == ("pending", 2)  # attempt 1's replica died (so it seemed)
    # attempt 1 still runs somewhere: it can neither start again, move progress, fail nor complete
    assert not store.start(job_id, 1) and not store.progress(job_id, 1, 90, "Rapport maken...")
    with store.report_writer(job_id) as stale_report:
        stale_report.write(b"PK attempt 1")
        assert not store.complete(job_id, 1, {"by": 1}, [{"cluster_id": "CL-0001"}], report=stale_report)
    assert not store.fail(job_id, "x", attempt=1)
    assert store.get(job_id).status == "pending" and store.file_size(job_id, REPORT) is None
    assert store.interrupted(job_id, 1) is None  # an old attempt's death says nothing any more
    assert store.start(job_id, 2) and store.progress(job_id, 2, 10, "Bestand inlezen...")
    with store.report_writer(job_id) as out:
        out.write(b"PK attempt 2")
        assert store.complete(job_id, 2, {"by": 2}, [{"cluster_id": "CL-0002"}], report=out)
    job = store.get(job_id)
    assert job.status == "completed" and job.stats == {"by": 2} and job.results == [{"cluster_id": "CL-0002"}]
    assert store.read_file(job_id, REPORT) == b"PK attempt 2"
    assert not store.complete(job_id, 2, {"by": 2}, [])  # once


def test_a_job_that_never_started_costs_no_attempt(store):
    job_id = _job(store)
    assert store.interrupted(job_id, 1) == ("pending", 1)  # it only waited on the replica that died
    job = store.get(job_id)
    assert job.status == "pending" and job.attempt == 1
    assert job.status_message == "Opnieuw in de wachtrij na een onderbreking (poging 1 van 3)"
    assert store.start(job_id, 1)


def test_attempts_are_bounded_and_the_last_one_fails_the_job(store):
    job_id = _job(store, max_attempts=2)
    other = _job(store, max_attempts=2)
    assert store.start(job_id, 1) and store.interrupted(job_id, 1) == ("pending", 2)
    assert store.start(job_id, 2) and store.interrupted(job_id, 2) == ("failed", 2)
    failed = store.get(job_id)
    assert failed.status == "failed" and failed.attempt == 2
    assert "2 keer afgebroken" in failed.error and "niet nog eens gestart" in failed.error
    assert not store.start(job_id, 2) and not store.start(job_id, 3)
    assert store.start(other, 1) and store.get(other).status == "running"  # the other job goes on


def test_jobs_left_by_a_stopped_app_resume_in_a_new_one(make_store):
    """The app stopped mid-job (nothing beats any more); a store opened anew on the same database,
    as the restarted app's Ingress does, queues the running job and the waiting one again, once."""
    old = make_store()
    running, waiting = _job(old), _job(old)
    old.start(running, 1)
    old.progress(running, 1, 55, "Analyseren...")
    old.close()
    time.sleep(0.6)
    new, other_ingress = make_store(), make_store()
    assert sorted(new.requeue_stale(max_silence_s=0.5)) == sorted([(running, "pending", 2),
                                                                   (waiting, "pending", 1)])
    assert other_ingress.requeue_stale(max_silence_s=0.5) == []  # one sweeper resumes each job
    assert new.start(running, 2) and new.get(running).progress == 55
    assert new.complete(running, 2, {"total_rows": 1}, [{"cluster_id": "CL-0001"}])
    assert new.start(waiting, 1) and new.get(waiting).attempt == 1
    assert make_store().get(running).status == "completed"


def test_jobs_of_a_schema_1_database_run_on_after_the_migration(make_store, monkeypatch):
    """A database of the code before attempts, with a job running: opened by this code, the job has
    attempt 1 of 3 and resumes like any other."""
    from deployments.jobstore.postgres import PostgresJobStore
    for cls in (SQLiteJobStore, PostgresJobStore):
        monkeypatch.setattr(cls, "migrations", cls.migrations[:1])
    old = make_store()
    job_id = old.new_job_id()
    old._execute("INSERT INTO jobs (id, status, progress, status_message, created_at, updated_at, heartbeat_at, "
                 "expires_at, request) VALUES (?, 'running', 20, 'Slim clusteren...', 0, 0, 0, ?, ?)",
                 (job_id, time.time() + 3600, json.dumps(REQUEST.to_json())))
    assert old.schema_version() == 1
    monkeypatch.undo()
    new = make_store()
    assert new.schema_version() == 2
    job = new.get(job_id)
    assert (job.status, job.attempt, job.max_attempts, job.request) == ("running", 1, 3, REQUEST)
    assert new.requeue_stale(max_silence_s=60) == [(job_id, "pending", 2)]


def test_queue_limit_counts_pending_and_running_jobs(store):
    first, second = _job(store), _job(store)
    store.start(first, 1)
    assert store.count_active() == 2
    refused = store.new_job_id()
    assert not store.create(refused, REQUEST, max_active=2)
    assert store.get(refused) is None and store.count_active() == 2
    store.complete(first, 1, {}, [])
    assert store.create(refused, REQUEST, max_active=2)
    assert store.count_active() == 2 and store.get(second).status == "pending"


def test_queue_limit_holds_under_concurrent_creates(make_store):
    stores = [make_store() for _ in range(4)]
    results: list[bool] = []
    lock = threading.Lock()

    def create(store: JobStore) -> None:
        for _ in range(5):
            ok = store.create(store.new_job_id(), REQUEST, max_active=7)
            with lock:
                results.append(ok)
    threads = [threading.Thread(target=create, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 7 and stores[0].count_active() == 7


def test_files_stream_in_and_out_in_chunks_within_the_limit(store):
    job_id = store.new_job_id()
    data = bytes(range(256)) * 12_000  # 3 MB: several chunks
    assert store.put_file(job_id, "uploads/0.xlsx", io.BytesIO(data)) == len(data)
    assert store.file_size(job_id, "uploads/0.xlsx") == len(data)
    chunks = list(store.iter_file(job_id, "uploads/0.xlsx"))
    assert len(chunks) == 3 and b"".join(chunks) == data
    assert store.read_file(job_id, "uploads/0.xlsx") == data
    with pytest.raises(TooLargeError):
        store.put_file(job_id, "uploads/1.csv", b"x" * ((5 << 20) + 1))
    assert store.file_size(job_id, "uploads/1.csv") is None  # nothing half-stored
    assert store.file_size(job_id, REPORT) is None


def test_a_report_exists_only_when_completely_written(store):
    job_id = _job(store)
    store.start(job_id, 1)
    with pytest.raises(RuntimeError):
        with store.report_writer(job_id) as out:
            out.write(b"half a report")
            raise RuntimeError("writer died")
    assert store.file_size(job_id, REPORT) is None
    with store.report_writer(job_id) as out:
        out.write(b"PK" + b"r" * (2 << 20))  # reports have no upload limit
        assert store.file_size(job_id, REPORT) is None  # written, not yet the job's
        assert store.complete(job_id, 1, {}, [], report=out)
    assert store.read_file(job_id, REPORT) == b"PK" + b"r" * (2 << 20)
    if isinstance(store, SQLiteJobStore):
        assert not list(store.job_dir(job_id).glob("*.partial"))


def test_expired_jobs_and_their_files_are_deleted(make_store):
    store = make_store(ttl_seconds=0)
    job_id = _job(store)
    active = _job(store)
    store.put_file(job_id, "uploads/0.csv", b"a;b\n")
    store.put_file(active, "uploads/0.csv", b"a;b\n")
    store.start(job_id, 1)
    with store.report_writer(job_id) as out:
        out.write(b"data")
        store.complete(job_id, 1, {}, [], report=out)
    time.sleep(0.01)
    assert store.purge_expired() == 1
    assert store.get(job_id) is None
    assert store.file_size(job_id, REPORT) is None and store.file_size(job_id, "uploads/0.csv") is None
    assert store.get(active).status == "pending" and store.file_size(active, "uploads/0.csv") == 4


def test_purge_removes_leftover_partial_reports(make_store):
    store = make_store(ttl_seconds=0)
    job_id = _job(store)
    store.fail(job_id, "x")
    cache = store.report_cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    old, fresh = cache / "old.partial", cache / "fresh.partial"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    leftovers = []
    if isinstance(store, SQLiteJobStore):  # a report writer killed mid-write in the job's folder
        leftovers.append(store.job_dir(job_id) / "report.partial")
        leftovers[0].write_bytes(b"x")
    store.purge_expired()
    assert not old.exists() and fresh.exists()  # a fresh one may still be written
    assert not any(p.exists() for p in leftovers)


def test_ids_and_keys_are_never_paths(store):
    assert store.get("../../etc/passwd") is None
    with pytest.raises(ValueError):
        store.put_file("../x", "uploads/0.csv", b"x")
    with pytest.raises(ValueError):
        store.put_file(store.new_job_id(), "../../etc/passwd", b"x")
    if isinstance(store, SQLiteJobStore):
        with pytest.raises(ValueError):
            store.job_dir("../x")


def test_request_record_reads_rows_written_before_it():
    old_row = {"options": {"cluster_accuracy": 85, "min_frequency": 20, "window_size": 100,
                           "use_conditions": True, "use_window_limit": True, "use_semantic": True,
                           "analysis_mode": "fast", "extra_instruction": ""},
               "files": {"policy": {"name": "p.xlsx", "path": "uploads/0.xlsx"}, "conditions": [],
                         "library": [{"name": "l.csv", "path": "uploads/1.csv"}], "reference": None}}
    request = JobRequest.from_json(old_row)
    assert request.options.analysis_mode == "fast" and request.library[0].key == "uploads/1.csv"
    assert request.to_json() == old_row


def test_database_url_must_be_postgres(tmp_path):
    with pytest.raises(ValueError, match="postgresql://"):
        open_store("mysql://x", data_dir=tmp_path)
    assert isinstance(open_store("", data_dir=tmp_path), SQLiteJobStore)
