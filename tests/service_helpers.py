"""Helpers for tests that talk to the running Serve app over HTTP."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import yaml

from hienfeld.config import packaged_config

ROOT = Path(__file__).resolve().parent.parent
APP = "hienfeld"
HTTP_PORT = int(os.environ.get("HIENFELD_TEST_PORT", 18000))
# A policy file of this name ends its Analyzer replica on every attempt (deployments/analyzer.py,
# HIENFELD_TEST_CRASH_ON_POLICY_NAME, set for the session's app in conftest.py).
CRASH_POLICY_NAME = "beeindigt-de-analyse-replica.csv"


def upload(path: Path, field: str = "policy_file") -> tuple[str, tuple[str, bytes]]:
    return field, (path.name, path.read_bytes())


def follow(client: httpx.Client, job_id: str, timeout_s: float = 240) -> list[dict]:
    """Every status the client saw until the job ended, the final one last."""
    seen: list[dict] = []
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        seen.append(client.get(f"/api/status/{job_id}").json())
        if seen[-1]["status"] not in ("pending", "running"):
            return seen
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s}s: {seen[-1] if seen else None}")


def wait_for(client: httpx.Client, job_id: str, timeout_s: float = 240) -> dict:
    return follow(client, job_id, timeout_s)[-1]


def analyse(client: httpx.Client, files: list, data: dict | None = None, timeout_s: float = 240) -> dict:
    """Submit an analysis and wait for it; returns the final status."""
    response = client.post("/api/analyze", files=files, data=data or {})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending"
    return wait_for(client, body["job_id"], timeout_s)


def replica_actors(deployment: str) -> list:
    """Live Serve replica actors of one deployment of the app (for fault injection)."""
    import ray
    from ray.util import list_named_actors
    return [ray.get_actor(a["name"], namespace=a["namespace"])
            for a in list_named_actors(all_namespaces=True)
            if a["name"].startswith("SERVE_REPLICA::") and f"#{deployment}#" in a["name"]]


def replica_pids(deployment: str) -> list[int]:
    """Process ids of the live Serve replicas of one deployment of this session's cluster."""
    import ray
    from ray.util.state import list_actors
    address = ray.get_runtime_context().gcs_address  # this session's cluster, not another on the machine
    return [a.pid for a in list_actors(address=address, filters=[("state", "=", "ALIVE")], limit=1000)
            if (a.name or "").startswith("SERVE_REPLICA::") and f"#{deployment}#" in a.name]


def wait_until(predicate, timeout_s: float = 60, interval_s: float = 0.2):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s")


def distinct_clauses(count: int, seed: int = 0) -> list[str]:
    """Clauses that are all far apart, so every one is its own cluster and reaches the models."""
    import random
    rng = random.Random(seed)
    words = ("verzekerde", "dekking", "schade", "woning", "inboedel", "opstal", "voertuig", "diefstal",
             "brand", "storm", "water", "glas", "eigen", "risico", "premie", "termijn", "polis", "clausule",
             "uitkering", "maximaal", "bedrijf", "gebouw", "vergoeding", "expert", "herstel", "melding",
             "aansprakelijk", "derden", "opzet", "fraude", "taxatie", "waarde", "herbouw", "reparatie",
             "verplichting", "inspectie", "beveiliging", "alarm", "slot", "kluis", "sieraden", "geld",
             "computer", "fiets", "boot", "caravan", "tuin", "schuur", "garage", "dak", "kelder", "zolder")
    return [f"Afspraak {i}: " + " ".join(rng.choice(words) for _ in range(14)) for i in range(count)]


def ray_auth_headers() -> dict[str, str]:
    """Ray 2.60 protects the dashboard with a token (RAY_AUTH_TOKEN or ~/.ray/auth_token)."""
    token = os.environ.get("RAY_AUTH_TOKEN")
    path = Path.home() / ".ray" / "auth_token"
    if not token and path.exists():
        token = path.read_text().strip()
    return {"Authorization": f"Bearer {token}"} if token else {}


def deploy_config(dashboard: str, changes: dict[str, dict] | None = None, timeout_s: float = 300) -> None:
    """Deploy serve_config.yaml (with per-deployment `changes` merged in) through the dashboard's
    REST API, like `serve deploy`, and wait until the app runs this config. Only deployments whose
    settings changed are touched; user_config changes reconfigure replicas in place."""
    config = yaml.safe_load(packaged_config("serve_config.yaml").read_text())
    config["http_options"]["port"] = HTTP_PORT
    for deployment in config["applications"][0]["deployments"]:
        for key, value in (changes or {}).get(deployment["name"], {}).items():
            current = deployment.get(key)
            deployment[key] = {**current, **value} if isinstance(value, dict) and current else value
    headers = ray_auth_headers()
    before = time.time()
    response = httpx.put(f"{dashboard}/api/serve/applications/", json=config, headers=headers, timeout=60)
    assert response.status_code == 200, response.text

    def running():
        apps = httpx.get(f"{dashboard}/api/serve/applications/", headers=headers, timeout=30).json()["applications"]
        app = apps.get(APP)
        # Also wait until replaced replicas are gone, so no request reaches an old one.
        return (app and app["status"] == "RUNNING" and app["last_deployed_time_s"] >= before - 1
                and all(d["status"] == "HEALTHY" and all(r["state"] == "RUNNING" for r in d["replicas"])
                        for d in app["deployments"].values()))
    wait_until(running, timeout_s=timeout_s, interval_s=0.5)
