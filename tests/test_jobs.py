"""The durable job store (SQLite WAL): transitions, persistence, stale and expired jobs."""

from __future__ import annotations

import sqlite3
import time

import pytest

from hienfeld.jobs import JobStore


@pytest.fixture
def store(tmp_path):
    return JobStore(tmp_path, ttl_seconds=3600)


def _job(store: JobStore) -> str:
    job_id = store.new_job_id()
    store.create(job_id, {"options": {"cluster_accuracy": 90}, "files": {}})
    return job_id


def test_wal_mode_and_state_survives_a_new_store(tmp_path, store):
    job_id = _job(store)
    assert store.start(job_id)
    store.progress(job_id, 40, "Analyseren...")
    with sqlite3.connect(store.db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = JobStore(tmp_path).get(job_id)  # another process/replica opening the same folder
    assert again.status == "running" and again.progress == 40 and again.request["options"]["cluster_accuracy"] == 90


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


def test_expired_jobs_and_their_files_are_deleted(tmp_path):
    store = JobStore(tmp_path, ttl_seconds=0)
    job_id = _job(store)
    store.start(job_id)
    store.fail(job_id, "x")
    (store.job_dir(job_id) / "report.xlsx").write_bytes(b"data")
    time.sleep(0.01)
    assert store.purge_expired() == 1
    assert store.get(job_id) is None and not store.job_dir(job_id).exists()


def test_ids_are_never_paths(store):
    assert store.get("../../etc/passwd") is None
    with pytest.raises(ValueError):
        store.job_dir("../x")
