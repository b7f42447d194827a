"""What both model deployments share: a bounded LRU result cache, per-model usage statistics, the
replica's identity, and the Serve metrics they export.

A model replica loads its model once in `__init__`; these objects count how it is used afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import psutil
import ray
from ray import serve
from ray.serve import metrics

log = logging.getLogger("ray.serve")

DEFAULT_MAX_BATCH_SIZE = 16  # @serve.batch default in both deployments; user_config may change it
MAX_TRACKED_JOBS = 100_000  # job ids remembered for access_count; far above a day's jobs


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat()


class ResultCache:
    """Bounded LRU of model results keyed by (model, text)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def lookup(self, keys: Sequence[Hashable]) -> tuple[dict[Hashable, Any], list[Hashable]]:
        """(found results, keys still to compute — unique, in first-seen order)."""
        found: dict[Hashable, Any] = {}
        missing: dict[Hashable, None] = {}
        for key in keys:
            if key in self._data:
                self._data.move_to_end(key)
                found[key] = self._data[key]
                self.hits += 1
            elif key not in missing:
                missing[key] = None
                self.misses += 1
        if found:
            log.debug("Cache HIT: %d of %d texts", len(found), len(keys))
        if missing:
            log.debug("Cache MISS: %d of %d texts", len(missing), len(keys))
        return found, list(missing)

    def store(self, items: Iterable[tuple[Hashable, Any]]) -> None:
        if self.capacity <= 0:
            return
        for key, value in items:
            self._data[key] = value
            self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def resize(self, capacity: int) -> None:
        self.capacity = capacity
        self.store(())

    def clear(self) -> None:
        self._data.clear()
        self.hits = self.misses = 0

    def stats(self) -> dict[str, Any]:
        lookups = self.hits + self.misses
        return {"hits": self.hits, "misses": self.misses, "size": len(self._data), "capacity": self.capacity,
                "hit_rate": round(self.hits / lookups, 4) if lookups else 0.0}


class ModelUsage:
    """The contract's cache entry for one resident model in this replica."""

    def __init__(self, load_seconds: float):
        self.created_at = time.time()
        self.load_seconds = round(load_seconds, 3)
        self.reset()

    def reset(self) -> None:
        self.jobs: dict[str, None] = {}  # insertion-ordered set, bounded below
        self.request_count = 0
        self.item_count = 0
        self.last_accessed: float | None = None

    def record(self, job_id: str, items: int) -> bool:
        """Count a request; True when it is the first of this job on this model."""
        self.request_count += 1
        self.item_count += items
        self.last_accessed = time.time()
        if job_id and job_id not in self.jobs:
            self.jobs[job_id] = None
            if len(self.jobs) > MAX_TRACKED_JOBS:
                self.jobs.pop(next(iter(self.jobs)))
            return True
        return False

    def entry(self) -> dict[str, Any]:
        now = time.time()
        return {
            "access_count": len(self.jobs),
            "request_count": self.request_count,
            "item_count": self.item_count,
            "created_at": _iso(self.created_at),
            "last_accessed": _iso(self.last_accessed) if self.last_accessed else None,
            "age_seconds": round(now - self.created_at, 1),
            "load_seconds": self.load_seconds,
            "job_ids": list(self.jobs),  # the ingress unions these across replicas, then drops them
        }


class ModelMetrics:
    """Serve metrics of a model deployment; Serve tags them with deployment and replica."""

    def __init__(self, prefix: str):
        self.hits = metrics.Counter(f"hienfeld_{prefix}_cache_hits", "Result-cache hits (texts).",
                                    tag_keys=("model",))
        self.misses = metrics.Counter(f"hienfeld_{prefix}_cache_misses", "Result-cache misses (texts).",
                                      tag_keys=("model",))
        self.items = metrics.Counter(f"hienfeld_{prefix}_items", "Texts processed by the model.",
                                     tag_keys=("model",))
        self.batch = metrics.Histogram(f"hienfeld_{prefix}_batch_size", "Requests per @serve.batch call.",
                                       boundaries=[1, 2, 4, 8, 16, 32, 64])
        self.load = metrics.Gauge(f"hienfeld_{prefix}_model_load_seconds", "Seconds to load the model.",
                                  tag_keys=("model",))


def replica_identity() -> dict[str, Any]:
    ctx = serve.get_replica_context()
    return {
        "deployment": ctx.deployment,
        "replica_id": ctx.replica_tag,
        "pid": os.getpid(),
        "node_id": ray.get_runtime_context().get_node_id(),
        "rss_bytes": psutil.Process().memory_info().rss,
    }


class ResidentModels:
    """Base of a model replica: an LRU of loaded models (each with its usage entry), a result
    cache, and batched serving. Subclasses say how to load a model and how to run it."""

    key_prefix = ""

    def __init__(self, preload: Sequence[str], max_models: int, cache_capacity: int, metrics_prefix: str):
        self.max_models = max(1, max_models)
        self.models: OrderedDict[str, Any] = OrderedDict()  # reported name -> loaded model
        self.usage: dict[str, ModelUsage] = {}
        self.aliases: dict[str, str] = {}  # requested name -> reported name (fallback pipelines)
        self.cache = ResultCache(cache_capacity)
        self.max_batch_size = DEFAULT_MAX_BATCH_SIZE
        self.metrics = ModelMetrics(metrics_prefix)
        for name in preload:
            self._ensure(name)
        log.info("Service cache initialized: %s holds %s (result cache capacity %d)",
                 type(self).__name__, ", ".join(self.keys()), cache_capacity)

    def _load(self, name: str) -> tuple[Any, str]:
        """(model, name it reports); may differ from the requested name (fallback pipeline)."""
        raise NotImplementedError

    def _compute(self, model: Any, texts: list[str]) -> list[Any]:
        raise NotImplementedError

    def keys(self) -> list[str]:
        return [self.key_prefix + name for name in self.models]

    def _ensure(self, requested: str) -> tuple[str, Any]:
        name = self.aliases.get(requested, requested)
        if name in self.models:
            self.models.move_to_end(name)
            return name, self.models[name]
        start = time.perf_counter()
        model, name = self._load(requested)
        seconds = time.perf_counter() - start
        self.aliases[requested] = name
        self.models[name] = model
        self.usage[name] = ModelUsage(seconds)
        self.metrics.load.set(seconds, tags={"model": name})
        log.info("Loaded model %s in %.1fs", name, seconds)
        while len(self.models) > self.max_models:
            evicted, _ = self.models.popitem(last=False)
            del self.usage[evicted]
            log.info("Evicted model %s (max_models=%d)", evicted, self.max_models)
        return name, model

    def serve_batch(self, requests: list[tuple[list[str], str, str]]) -> list[list[Any]]:
        """One model call per model for a batch of requests (texts, model, job id); cache first."""
        self.metrics.batch.observe(len(requests))
        by_model: dict[str, list[int]] = {}
        for i, (_, requested, _) in enumerate(requests):
            by_model.setdefault(requested, []).append(i)
        results: dict[int, list[Any]] = {}
        for requested, indices in by_model.items():
            name, model = self._ensure(requested)
            keys = [(name, t) for i in indices for t in requests[i][0]]
            found, missing = self.cache.lookup(keys)
            computed = set(missing)
            tags = {"model": name}
            if len(keys) > len(missing):  # Ray counters refuse increments of 0
                self.metrics.hits.inc(len(keys) - len(missing), tags=tags)
            if missing:
                self.metrics.misses.inc(len(missing), tags=tags)
                fresh = dict(zip(missing, self._compute(model, [t for _, t in missing])))
                self.metrics.items.inc(len(missing), tags=tags)
                self.cache.store(fresh.items())
                found.update(fresh)
            for i in indices:
                texts, _, job_id = requests[i]
                if self.usage[name].record(job_id, len(texts)):
                    self._log_first_use(name, job_id, texts, computed)
                results[i] = [found[(name, t)] for t in texts]
        return [results[i] for i in range(len(requests))]

    def _log_first_use(self, name: str, job_id: str, texts: list[str], computed: set) -> None:
        """The deployment checklist's line, once per job and model: was the job's first request
        answered from the result cache, and how many jobs has the entry served."""
        fresh = sum(1 for t in texts if (name, t) in computed)
        log.info("Cache %s: %s%s job=%s access_count=%d (%d of %d texts cached)",
                 "MISS" if fresh else "HIT", self.key_prefix, name, job_id,
                 len(self.usage[name].jobs), len(texts) - fresh, len(texts))

    def reconfigure(self, config: dict[str, Any]) -> None:
        """Live tunables from serve_config.yaml's user_config, applied without a restart.
        Subclasses define `run_batch` with @serve.batch."""
        if "max_batch_size" in config:
            self.max_batch_size = int(config["max_batch_size"])
            self.run_batch.set_max_batch_size(self.max_batch_size)
        if "batch_wait_timeout_s" in config:
            self.run_batch.set_batch_wait_timeout_s(float(config["batch_wait_timeout_s"]))
        if "cache_capacity" in config:
            self.cache.resize(int(config["cache_capacity"]))
        if "max_models" in config:
            self.max_models = max(1, int(config["max_models"]))

    # Control plane, called on every replica through DeploymentHandle.broadcast.
    def stats(self) -> dict[str, Any]:
        entries = {self.key_prefix + name: usage.entry() for name, usage in self.usage.items()}
        return {**replica_identity(), "entries": entries, "result_cache": self.cache.stats(),
                "config": {"max_batch_size": self.max_batch_size, "cache_capacity": self.cache.capacity,
                           "max_models": self.max_models}}

    def clear(self, reload: bool = False) -> int:
        """Empty the result cache and reset counters; with reload, load every model anew."""
        self.cache.clear()
        for usage in self.usage.values():
            usage.reset()
        if reload:
            for name in list(self.models):
                self._reload(name)
        return len(self.models)

    def reload_key(self, key: str) -> bool:
        name = key.removeprefix(self.key_prefix)
        if not key.startswith(self.key_prefix) or name not in self.models:
            return False
        self._reload(name)
        return True

    def _reload(self, name: str) -> None:
        requested = [r for r, n in self.aliases.items() if n == name] or [name]
        del self.models[name], self.usage[name]
        self._ensure(requested[0])
