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
