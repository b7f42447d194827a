"""Aggregate the per-replica stats of the model deployments into the contract's cache view."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any


def _ts(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


def aggregate(replicas: list[dict[str, Any]]) -> dict[str, Any]:
    """`entries` across replicas: jobs counted once however many replicas served them, the earliest
    load time, the latest use. Replica entries keep their own counts; job id lists are dropped."""
    merged: dict[str, dict[str, Any]] = {}
    for replica in replicas:
        for key, entry in replica["entries"].items():
            m = merged.setdefault(key, {"jobs": set(), "created": [], "accessed": [], "replicas": 0})
            m["jobs"].update(entry["job_ids"])
            m["created"].append(_ts(entry["created_at"]))
            if entry["last_accessed"]:
                m["accessed"].append(_ts(entry["last_accessed"]))
            m["replicas"] += 1
    now = time.time()
    entries = {}
    for key, m in sorted(merged.items()):
        created = min(m["created"])
        last = max(m["accessed"]) if m["accessed"] else None
        entries[key] = {
            "access_count": len(m["jobs"]),
            "created_at": datetime.fromtimestamp(created, timezone.utc).isoformat(),
            "last_accessed": datetime.fromtimestamp(last, timezone.utc).isoformat() if last else None,
            "age_seconds": round(now - created, 1),
            "replicas": m["replicas"],
        }
    shown = [
        {**r, "entries": {k: {f: v for f, v in e.items() if f != "job_ids"} for k, e in r["entries"].items()}}
        for r in replicas
    ]
    return {"total_entries": len(entries), "entries": entries, "replicas": shown}
