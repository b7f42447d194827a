"""Helpers for tests that talk to the running Serve app over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx


def upload(path: Path, field: str = "policy_file") -> tuple[str, tuple[str, bytes]]:
    return field, (path.name, path.read_bytes())


def wait_for(client: httpx.Client, job_id: str, timeout_s: float = 240) -> dict:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        status = client.get(f"/api/status/{job_id}").json()
        if status["status"] not in ("pending", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s}s: {status}")


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
