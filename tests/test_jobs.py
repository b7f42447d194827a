"""The durable job store, one suite run against both stores: SQLite (WAL, the embedded default) and
PostgreSQL (a real server started by the `postgres_server` fixture). Transitions, persistence,
heartbeats, cancel, the queue limit, stale and expired jobs, files and the schema version."""

from __future__ import annotations

import io
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


def _job(store: JobStore, request: JobRequest = REQUEST) -> str:
    job_id = store.new_job_id()
    assert store.create(job_id, request)
    return job_id


def test_state_and_request_survive_a_new_store(make_store, store):
    job_id = _job(store)
    assert store.start(job_id)
    store.progress(job_id, 40, "Analyseren...")
    again = make_store().get(job_id)  # another process/replica opening the same database
    assert again.status == "running" and again.progress == 40
    assert again.request == REQUEST and again.request.options.cluster_accuracy == 90
    assert again.request.conditions[0].name == "voorwaarden.pdf"
    if isinstance(store, SQLiteJobStore):
        with sqlite3.connect(store.db_path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_is_versioned_and_opening_again_migrates_nothing(make_store, store):
    assert store.schema_version() == 1
    assert make_store().schema_version() == 1


def test_progress_never_goes_back_and_complete_stores_results(store):
    job_id = _job(store)
    store.start(job_id)
    store.progress(job_id, 60, "Analyseren...")
    store.progress(job_id, 30, "Slim clusteren...")
    assert store.get(job_id).progress == 60
    assert store.complete(job_id, {"total_rows": 3}, [{"cluster_id": "CL-0001"}])
    job = store.get(job_id)
    assert job.status == "completed" and job.progress == 100 and job.results[0]["cluster_id"] == "CL-0001"
    assert job.status_view()["stats"] == {"total_rows": 3}


def test_cancel_stops_progress_and_completion(store):
    job_id = _job(store)
    assert store.cancel(job_id)
    assert not store.start(job_id)  # a cancelled job is never picked up
    assert not store.progress(job_id, 50, "x") and not store.complete(job_id, {}, [])
    assert store.get(job_id).status == "cancelled"
    assert not store.cancel(job_id)


def test_start_takes_a_job_once(make_store, store):
    job_id = _job(store)
    assert store.start(job_id)
    assert not make_store().start(job_id)


def test_silent_jobs_are_failed_not_left_running(store):
    job_id = _job(store)
    store.start(job_id)
    alive = _job(store)
    store.start(alive)
    time.sleep(0.05)
    store.heartbeat([alive])
    assert store.fail_stale(max_silence_s=0.03) == [job_id]
    failed = store.get(job_id)
    assert failed.status == "failed" and "opnieuw" in failed.error
    assert store.get(alive).status == "running"


def test_queue_limit_counts_pending_and_running_jobs(store):
    first, second = _job(store), _job(store)
    store.start(first)
    assert store.count_active() == 2
    refused = store.new_job_id()
    assert not store.create(refused, REQUEST, max_active=2)
    assert store.get(refused) is None and store.count_active() == 2
    store.complete(first, {}, [])
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
    with pytest.raises(RuntimeError):
        with store.report_writer(job_id) as out:
            out.write(b"half a report")
            raise RuntimeError("writer died")
    assert store.file_size(job_id, REPORT) is None
    with store.report_writer(job_id) as out:
        out.write(b"PK" + b"r" * (2 << 20))  # reports have no upload limit
    assert store.read_file(job_id, REPORT) == b"PK" + b"r" * (2 << 20)


def test_expired_jobs_and_their_files_are_deleted(make_store):
    store = make_store(ttl_seconds=0)
    job_id = _job(store)
    active = _job(store)
    store.put_file(job_id, "uploads/0.csv", b"a;b\n")
    store.put_file(active, "uploads/0.csv", b"a;b\n")
    store.start(job_id)
    with store.report_writer(job_id) as out:
        out.write(b"data")
    store.fail(job_id, "x")
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
