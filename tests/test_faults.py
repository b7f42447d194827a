"""Faults survived with the real app: model replicas killed while serving a job's batch, models
reloaded during a job, the analyzer killed, 20 jobs with conditions and library at once (issues 5, 11)."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import ray
from service_helpers import analyse, distinct_clauses, replica_actors, upload, wait_for, wait_until


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
    for actor in victims:
        ray.kill(actor, no_restart=True)
    # the stats answer while the replica is gone and its replacement starts: live replicas only
    for _ in range(5):
        stats = client.get("/api/cache/stats")
        assert stats.status_code == 200, stats.text
        assert stats.json()["unreachable_replicas"] >= 0
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


def test_analyzer_killed_fails_job_clearly_and_next_job_runs(client, synth_dir, tmp_path):
    policy = _policy_csv(tmp_path, 1000, seed=3)
    client.post("/api/cache/clear")
    job_id = _submit(client, _files(policy, synth_dir))
    _wait_progress(client, job_id, 20)
    for actor in replica_actors("Analyzer"):
        ray.kill(actor, no_restart=True)
    status = wait_for(client, job_id, timeout_s=120)
    assert status["status"] == "failed"
    assert "opnieuw" in status["error"] and "Traceback" not in status["error"]
    again = analyse(client, _files(policy, synth_dir), timeout_s=300)
    assert again["status"] == "completed", again


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
