"""Faults survived with the real app: model replicas killed while serving a job's batch, models
reloaded during a job, the analyzer's process killed mid-job (the job resumes by itself), a job
that ends its replica on every attempt, 20 jobs with conditions and library at once (issues 5, 11, 17)."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time

import pytest
import ray
from service_helpers import (CRASH_POLICY_NAME, analyse, distinct_clauses, follow, replica_actors, replica_pids,
                             upload, wait_for, wait_until)


def _policy_csv(tmp_path, count: int, seed: int, name: str = "polissen.csv"):
    path = tmp_path / name
    lines = ["Polisnummer;Tekst"] + [f"P{i:05d};{text}" for i, text in enumerate(distinct_clauses(count, seed))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _files(policy, synth_dir):
    return [upload(policy), upload(synth_dir["conditions"], "conditions_files")]


def _submit(client, files) -> str:
    response = client.post("/api/analyze", files=files)
    assert response.status_code == 202, response.text
    return response.json()["job_id"]


def _wait_progress(client, job_id: str, at_least: int) -> None:
    wait_until(lambda: client.get(f"/api/status/{job_id}").json()["progress"] >= at_least, timeout_s=120,
               interval_s=0.05)


def _results(client, job_id):
    return client.get(f"/api/results/{job_id}").json()["results"]


_SOLO: dict[tuple, list] = {}


def _solo(client, key: tuple, files) -> list:
    """Results of a job run alone (once per input in this module)."""
    if key not in _SOLO:
        final = analyse(client, files)
        assert final["status"] == "completed", final
        _SOLO[key] = _results(client, final["job_id"])
    return _SOLO[key]


def _served(client, deployment: str) -> int:
    """Requests the deployment's live replicas served since their counters were last reset."""
    replicas = client.get("/api/cache/stats").json()["replicas"]
    return sum(entry["request_count"] for r in replicas if r["deployment"] == deployment
               for entry in r["entries"].values())


@pytest.mark.parametrize("deployment, seed", [("Embedder", 1), ("DutchParser", 2)])
def test_model_replica_killed_while_serving_a_batch_of_the_job(client, synth_dir, tmp_path, deployment, seed):
    """A balanced job (merge pass, conditions) calls both models; the replica is killed once it has
    served the job's first batch, while the job's further batches are on their way to it."""
    files = _files(_policy_csv(tmp_path, 1000, seed=seed), synth_dir)
    solo = _solo(client, ("kill", seed), files)
    client.post("/api/cache/clear")  # cold and counters at zero, so the job needs the models for seconds

    job_id = _submit(client, files)
    wait_until(lambda: _served(client, deployment) >= 1, timeout_s=120, interval_s=0.02)
    victims = replica_actors(deployment)
    assert victims
    killed = {r["pid"] for r in client.get("/api/cache/stats").json()["replicas"] if r["deployment"] == deployment}
    assert killed
    for actor in victims:
        ray.kill(actor, no_restart=True)
    # the stats answer while the replica is gone and its replacement starts: live replicas only,
    # the other deployment's all there, and only the killed replicas can be missing
    for _ in range(5):
        stats = client.get("/api/cache/stats")
        assert stats.status_code == 200, stats.text
        body = stats.json()
        assert not killed & {r["pid"] for r in body["replicas"]}, body["replicas"]
        assert any(r["deployment"] != deployment for r in body["replicas"])
        assert 0 <= body["unreachable_replicas"] <= len(victims)
        time.sleep(0.2)
    status = wait_for(client, job_id, timeout_s=300)
    assert status["status"] == "completed", status
    assert _results(client, job_id) == solo
    # Serve replaced the replica, and the replacement served the rest of the job: the kill came
    # while the job still needed this model (no other job runs meanwhile).
    assert _served(client, deployment) >= 1


def test_model_reload_while_a_job_runs_does_not_fail_it(client, synth_dir, tmp_path):
    files = _files(_policy_csv(tmp_path, 1000, seed=1), synth_dir)
    solo = _solo(client, ("kill", 1), files)
    client.post("/api/cache/clear")
    job_id = _submit(client, files)
    wait_until(lambda: _served(client, "DutchParser") >= 1, timeout_s=120, interval_s=0.02)
    for _ in range(2):  # both reload endpoints, while the job's batches run
        assert client.post("/api/cache/clear", params={"reload": "true"}).status_code == 200
        key = next(k for k in client.get("/api/cache/stats").json()["entries"] if k.startswith("embeddings_"))
        assert client.delete(f"/api/cache/{key}").status_code == 200
    status = wait_for(client, job_id, timeout_s=300)
    assert status["status"] == "completed", status
    assert _results(client, job_id) == solo


def test_analyzer_process_killed_mid_job_resumes_it_with_the_undisturbed_result(client, synth_dir, tmp_path):
    policy = _policy_csv(tmp_path, 1000, seed=3)
    solo = _solo(client, ("resume", 3), _files(policy, synth_dir))
    # The same rows under another name: no replica holds this input's result, so the job computes.
    renamed = tmp_path / "polissen-hervat.csv"
    renamed.write_bytes(policy.read_bytes())
    client.post("/api/cache/clear")
    job_id = _submit(client, _files(renamed, synth_dir))
    _wait_progress(client, job_id, 20)
    before = client.get(f"/api/status/{job_id}").json()
    assert before["status"] == "running" and before["attempt"] == 1 and before["max_attempts"] == 3
    pids = replica_pids("Analyzer")
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    seen = follow(client, job_id)
    final = seen[-1]
    assert final["status"] == "completed", final
    assert final["attempt"] == 2 and final["stats"]["result_reused"] is False
    assert any("poging 2 van 3" in s["status_message"] for s in seen), [s["status_message"] for s in seen]
    progress = [before["progress"]] + [s["progress"] for s in seen]
    assert progress == sorted(progress)  # never back for the client, also over the restart
    assert _results(client, job_id) == solo
    assert client.get(f"/api/report/{job_id}").status_code == 200
    assert not set(pids) & set(replica_pids("Analyzer"))  # it ran on a new replica


def test_a_job_left_running_by_a_stopped_app_is_resumed_by_the_running_one(serve_app, client, synth_dir, tmp_path):
    """The job as the store holds it after `serve run` was stopped mid-job: uploads stored, running
    on attempt 1, nobody beating for it. The running app's sweeper queues it again once silent for
    HIENFELD_STALE_JOB_SECONDS (20 s in tests) and it completes with the result of a direct run."""
    from deployments.jobstore import JobRequest, StoredFile, open_store
    from hienfeld.options import AnalysisOptions
    policy = _policy_csv(tmp_path, 300, seed=6)
    solo = _solo(client, ("left behind", 6), _files(policy, synth_dir))
    conditions = synth_dir["conditions"]
    store = open_store(data_dir=serve_app["data_dir"])  # the app's SQLite store, as the stopped app had it
    job_id = store.new_job_id()
    store.put_file(job_id, "uploads/0.csv", policy.read_bytes())
    store.put_file(job_id, f"uploads/1{conditions.suffix}", conditions.read_bytes())
    request = JobRequest(AnalysisOptions(), StoredFile("achtergelaten.csv", "uploads/0.csv"),
                         conditions=(StoredFile(conditions.name, f"uploads/1{conditions.suffix}"),))
    assert store.create(job_id, request, max_attempts=3)
    assert store.start(job_id, 1) and store.progress(job_id, 1, 30, "Analyseren...")
    store.close()
    seen = follow(client, job_id, timeout_s=180)
    final = seen[-1]
    assert final["status"] == "completed" and final["attempt"] == 2, final
    assert any("poging 2 van 3" in s["status_message"] for s in seen), [s["status_message"] for s in seen]
    assert min(s["progress"] for s in seen) >= 30
    assert _results(client, job_id) == solo


def test_a_job_that_ends_its_replica_every_time_fails_after_its_attempts_and_the_other_completes(
        client, synth_dir, tmp_path):
    crash = tmp_path / CRASH_POLICY_NAME
    crash.write_bytes(_policy_csv(tmp_path, 50, seed=4).read_bytes())
    other = _policy_csv(tmp_path, 300, seed=5, name="naast-de-crash.csv")
    doomed = _submit(client, [upload(crash)])
    job_id = _submit(client, _files(other, synth_dir))  # at the same time, on the same replicas
    failed = wait_for(client, doomed, timeout_s=300)
    assert failed["status"] == "failed", failed
    assert failed["attempt"] == failed["max_attempts"] == 3
    assert "3 keer afgebroken" in failed["error"] and "niet nog eens gestart" in failed["error"], failed
    assert "Traceback" not in failed["error"]
    done = wait_for(client, job_id, timeout_s=300)
    assert done["status"] == "completed", done
    assert sum(r["frequency"] for r in _results(client, job_id)) == 300


def test_twenty_concurrent_analyses_with_conditions_and_library_match_solo_runs(client, synth_dir, tmp_path):
    """20 balanced jobs at once, each with conditions and a clause library, so both models serve
    batches of many jobs together; every job's results equal those of its input run alone."""
    seeds = range(4)
    files = {seed: _files(_policy_csv(tmp_path, 300, seed=100 + seed, name=f"p{seed}.csv"), synth_dir)
             + [upload(synth_dir["library"], "clause_library_files")] for seed in seeds}
    solo = {seed: _solo(client, ("load", seed), files[seed]) for seed in seeds}
    client.post("/api/cache/clear")  # cold: the concurrent jobs compute, not only look up
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        submitted = list(pool.map(lambda i: client.post("/api/analyze", files=files[i % 4]), range(20)))
    assert [r.status_code for r in submitted] == [202] * 20
    start = time.time()
    finals = [wait_for(client, r.json()["job_id"], timeout_s=600) for r in submitted]
    assert all(f["status"] == "completed" for f in finals), [(f["status"], f.get("error")) for f in finals]
    for i, final in enumerate(finals):
        rows = _results(client, final["job_id"])
        assert sum(r["frequency"] for r in rows) == 300
        assert rows == solo[i % 4], f"job {i} differs from its solo run"
    assert time.time() - start < 600
