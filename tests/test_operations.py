"""Operations with the real app: the dashboard's Serve API, Serve metrics, live reconfiguration and
autoscaling of the Embedder (issue 6)."""

from __future__ import annotations

import concurrent.futures
import json
import time
from pathlib import Path

import httpx
from hienfeld.config import load_settings
from service_helpers import deploy_config, distinct_clauses, ray_auth_headers, wait_until

DEPLOYMENTS = {"Ingress", "Analyzer", "DutchParser", "Embedder"}


def _embedder_replicas(client) -> list[dict]:
    return [r for r in client.get("/api/cache/stats").json()["replicas"] if r["deployment"] == "Embedder"]


def test_dashboard_serve_api_shows_app_running(serve_app):
    response = httpx.get(f"{serve_app['dashboard']}/api/serve/applications/", headers=ray_auth_headers(), timeout=30)
    assert response.status_code == 200, response.text
    app = response.json()["applications"]["hienfeld"]
    assert app["status"] == "RUNNING"
    assert set(app["deployments"]) == DEPLOYMENTS
    for name, deployment in app["deployments"].items():
        assert deployment["status"] == "HEALTHY", (name, deployment["status"])
        assert [r["state"] for r in deployment["replicas"]] and all(
            r["state"] == "RUNNING" for r in deployment["replicas"]), name


def test_custom_metrics_reach_rays_prometheus_endpoint(client, synth_dir):
    import ray
    from service_helpers import analyse, upload
    analyse(client, [upload(synth_dir["policies"]), upload(synth_dir["conditions"], "conditions_files")])
    port = ray._private.worker._global_node.metrics_export_port
    wanted = ("ray_hienfeld_jobs_total", "ray_hienfeld_job_seconds_bucket", "ray_hienfeld_job_rows_bucket",
              "ray_hienfeld_embedder_cache_misses_total", "ray_hienfeld_parser_items_total",
              "ray_hienfeld_embedder_batch_size_bucket", "ray_hienfeld_jobs_submitted_total",
              "ray_hienfeld_jobs_active")

    def scraped():
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        return text if all(name in text for name in wanted) else None
    text = wait_until(scraped, timeout_s=90, interval_s=2)
    assert 'deployment="Embedder"' in text and 'status="completed"' in text


def test_user_config_changes_live_without_restart(client, serve_app):
    before = {r["replica_id"]: r for r in _embedder_replicas(client)}
    try:
        deploy_config(serve_app["dashboard"], {"Embedder": {"user_config": {"cache_capacity": 1234, "max_batch_size": 8}}})
        after = wait_until(lambda: [r for r in _embedder_replicas(client)
                                    if r["config"]["cache_capacity"] == 1234] or None, timeout_s=60)
        for replica in after:
            assert replica["replica_id"] in before  # the same replica, reconfigured in place
            assert replica["pid"] == before[replica["replica_id"]]["pid"]
            assert replica["config"]["max_batch_size"] == 8
            key = f"embeddings_{load_settings().default_embedding_model}"
            assert replica["entries"][key]["created_at"] == before[replica["replica_id"]]["entries"][key]["created_at"]
    finally:
        deploy_config(serve_app["dashboard"])


def test_embedder_scales_out_under_load_and_back(client, serve_app):
    from ray import serve
    fast = {"autoscaling_config": {"min_replicas": 1, "max_replicas": 2, "target_ongoing_requests": 1,
                                   "upscale_delay_s": 1, "downscale_delay_s": 6, "look_back_period_s": 2,
                                   "metrics_interval_s": 0.5}}
    trace: list[tuple[float, int]] = []
    start = time.time()

    def record() -> int:
        count = len(_embedder_replicas(client))
        trace.append((round(time.time() - start, 1), count))
        return count

    try:
        deploy_config(serve_app["dashboard"], {"Embedder": fast})
        wait_until(lambda: record() == 1, timeout_s=120)
        handle = serve.get_deployment_handle("Embedder", "hienfeld")
        texts = distinct_clauses(2400, seed=99)
        batches = [texts[i:i + 16] for i in range(0, len(texts), 16)]
        seen_two: list[dict] = []

        def load():
            return [r.result(timeout_s=300) for r in [handle.embed.remote(b, job_id="autoscale") for b in batches]]
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            future = pool.submit(load)
            deadline = time.time() + 240
            while time.time() < deadline and not future.done():
                if record() == 2:
                    seen_two = _embedder_replicas(client)
                    break
                time.sleep(0.5)
            future.result(timeout=300)
        assert len(seen_two) == 2, trace
        assert len({r["replica_id"] for r in seen_two}) == 2  # stats list both replicas while they live
        wait_until(lambda: record() == 1, timeout_s=180, interval_s=1)
    finally:
        deploy_config(serve_app["dashboard"])
        Path(serve_app["data_dir"], "autoscaling_trace.json").write_text(json.dumps(trace))
        print("autoscaling trace (s, Embedder replicas):", trace)


