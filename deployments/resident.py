"""What both model deployments share: a bounded LRU result cache, per-model usage statistics, the
replica's identity, and the Serve metrics they export.

A model replica loads its model once in `__init__`; these objects count how it is used afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import psutil
import ray
from ray import serve
from ray.serve import metrics

log = logging.getLogger("ray.serve")

DEFAULT_MAX_BATCH_SIZE = 16  # @serve.batch default in both deployments; user_config may change it
DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024  # result-cache budget; serve_config.yaml's user_config sets it
_ENTRY_OVERHEAD = 200  # bytes an entry costs besides its value: digest key, LRU links, dict slot
MAX_TRACKED_JOBS = 100_000  # job ids remembered for access_count; far above a day's jobs


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat()


def cache_key(model: str, text: str) -> bytes:
    """A fixed-size key for (model, text): texts of up to 100k characters are not held as keys."""
    # the model name is length-prefixed, so no (model, text) pair can spell another's input
    return hashlib.blake2b(f"{len(model)}:{model}{text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


def value_bytes(value: Any) -> int:
    """Approximate memory of a cached result: an embedding vector or a list of lemmas."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 112
    if isinstance(value, (list, tuple)):
        return sys.getsizeof(value) + sum(value_bytes(v) for v in value)
    return sys.getsizeof(value)


class ResultCache:
    """Bounded LRU of model results keyed by `cache_key(model, text)`: at most `capacity` entries
    and `max_bytes` bytes (values plus a fixed overhead per entry), whichever is reached first."""

    def __init__(self, capacity: int, max_bytes: int = DEFAULT_CACHE_MAX_BYTES):
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()  # key -> (value, bytes)
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self._lock = threading.Lock()  # batches run in worker threads; stats and clear come from others

    def lookup(self, keys: Sequence[Hashable]) -> tuple[dict[Hashable, Any], list[Hashable]]:
        """(found results, keys still to compute — unique, in first-seen order)."""
        found: dict[Hashable, Any] = {}
        missing: dict[Hashable, None] = {}
        with self._lock:
            for key in keys:
                if key in found:
                    self.hits += 1
                elif key in self._data:
                    self._data.move_to_end(key)
                    found[key] = self._data[key][0]
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
        with self._lock:
            if self.capacity > 0 and self.max_bytes > 0:
                for key, value in items:
                    size = value_bytes(value) + _ENTRY_OVERHEAD
                    if size > self.max_bytes:
                        continue  # would evict everything else and still not fit
                    old = self._data.pop(key, None)
                    if old is not None:
                        self.bytes -= old[1]
                    self._data[key] = (value, size)
                    self.bytes += size
                    self._evict()
            else:
                self._drop_all()

    def _evict(self) -> None:
        while self._data and (len(self._data) > self.capacity or self.bytes > self.max_bytes):
            _, (_, size) = self._data.popitem(last=False)
            self.bytes -= size
            self.evictions += 1

    def _drop_all(self) -> None:
        self._data.clear()
        self.bytes = 0

    def resize(self, capacity: int | None = None, max_bytes: int | None = None) -> None:
        with self._lock:
            if capacity is not None:
                self.capacity = capacity
            if max_bytes is not None:
                self.max_bytes = max_bytes
            if self.capacity <= 0 or self.max_bytes <= 0:
                self._drop_all()
            self._evict()

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._drop_all()
            self.hits = self.misses = self.evictions = 0

    def stats(self) -> dict[str, Any]:
        with self._lock:
            lookups = self.hits + self.misses
            return {"hits": self.hits, "misses": self.misses, "size": len(self._data), "capacity": self.capacity,
                    "bytes": self.bytes, "max_bytes": self.max_bytes, "evictions": self.evictions,
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

    def __init__(self, preload: Sequence[str], max_models: int, cache_capacity: int, metrics_prefix: str,
                 cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES):
        self.max_models = max(1, max_models)
        self.models: OrderedDict[str, Any] = OrderedDict()  # reported name -> loaded model
        self.usage: dict[str, ModelUsage] = {}
        self.aliases: dict[str, str] = {}  # requested name -> reported name (fallback pipelines)
        # Batches run in worker threads while stats, clear and reload arrive on others: the model
        # table changes only under `_table`, and loads (seconds) are serialised by `_loading`
        # outside it, so a batch never waits for a reload nor sees a half-replaced entry.
        self._table = threading.RLock()
        self._loading = threading.RLock()
        self.cache = ResultCache(cache_capacity, cache_max_bytes)
        self.max_batch_size = DEFAULT_MAX_BATCH_SIZE
        self.metrics = ModelMetrics(metrics_prefix)
        for name in preload:
            self._ensure(name)
        log.info("Service cache initialized: %s holds %s (result cache: %d entries, %d bytes at most)",
                 type(self).__name__, ", ".join(self.keys()), cache_capacity, cache_max_bytes)

    def _load(self, name: str) -> tuple[Any, str]:
        """(model, name it reports); may differ from the requested name (fallback pipeline)."""
        raise NotImplementedError

    def _compute(self, model: Any, texts: list[str]) -> list[Any]:
        raise NotImplementedError

    def keys(self) -> list[str]:
        with self._table:
            return [self.key_prefix + name for name in self.models]

    def _loaded(self, requested: str) -> tuple[str, Any, ModelUsage] | None:
        with self._table:
            name = self.aliases.get(requested, requested)
            if name not in self.models:
                return None
            self.models.move_to_end(name)
            return name, self.models[name], self.usage[name]

    def _ensure(self, requested: str) -> tuple[str, Any, ModelUsage]:
        """(reported name, model, its usage entry): the caller records into that entry even when a
        reload replaces it meanwhile."""
        loaded = self._loaded(requested)
        if loaded:
            return loaded
        with self._loading:
            loaded = self._loaded(requested)  # another thread may have loaded it while we waited
            return loaded or self._install(requested, replaces=None)

    def _install(self, requested: str, replaces: str | None) -> tuple[str, Any, ModelUsage]:
        """Load `requested` (outside the table lock), then put it in the table in one step."""
        start = time.perf_counter()
        model, name = self._load(requested)
        seconds = time.perf_counter() - start
        usage = ModelUsage(seconds)
        with self._table:
            if replaces is not None and replaces != name:
                self.models.pop(replaces, None)
                self.usage.pop(replaces, None)
            self.aliases[requested] = name
            self.models[name] = model
            self.models.move_to_end(name)
            self.usage[name] = usage
            while len(self.models) > self.max_models:
                evicted, _ = self.models.popitem(last=False)
                self.usage.pop(evicted, None)
                log.info("Evicted model %s (max_models=%d)", evicted, self.max_models)
        self.metrics.load.set(seconds, tags={"model": name})
        log.info("Loaded model %s in %.1fs", name, seconds)
        return name, model, usage

    def serve_batch(self, requests: list[tuple[list[str], str, str]]) -> list[list[Any]]:
        """One model call per model for a batch of requests (texts, model, job id); cache first."""
        self.metrics.batch.observe(len(requests))
        by_model: dict[str, list[int]] = {}
        for i, (_, requested, _) in enumerate(requests):
            by_model.setdefault(requested, []).append(i)
        results: dict[int, list[Any]] = {}
        for requested, indices in by_model.items():
            name, model, usage = self._ensure(requested)
            digests = {t: cache_key(name, t) for i in indices for t in requests[i][0]}
            keys = [digests[t] for i in indices for t in requests[i][0]]
            found, missing = self.cache.lookup(keys)
            computed = set(missing)
            tags = {"model": name}
            if len(keys) > len(missing):  # Ray counters refuse increments of 0
                self.metrics.hits.inc(len(keys) - len(missing), tags=tags)
            if missing:
                self.metrics.misses.inc(len(missing), tags=tags)
                texts_of = {d: t for t, d in digests.items()}
                fresh = dict(zip(missing, self._compute(model, [texts_of[d] for d in missing])))
                self.metrics.items.inc(len(missing), tags=tags)
                self.cache.store(fresh.items())
                found.update(fresh)
            for i in indices:
                texts, _, job_id = requests[i]
                if usage.record(job_id, len(texts)):
                    fresh_count = sum(1 for t in texts if digests[t] in computed)
                    self._log_first_use(name, usage, job_id, len(texts), fresh_count)
                results[i] = [found[digests[t]] for t in texts]
        return [results[i] for i in range(len(requests))]

    def _log_first_use(self, name: str, usage: ModelUsage, job_id: str, count: int, fresh: int) -> None:
        """The deployment checklist's line, once per job and model: was the job's first request
        answered from the result cache, and how many jobs has the entry served."""
        log.info("Cache %s: %s%s job=%s access_count=%d (%d of %d texts cached)",
                 "MISS" if fresh else "HIT", self.key_prefix, name, job_id,
                 len(usage.jobs), count - fresh, count)

    def reconfigure(self, config: dict[str, Any]) -> None:
        """Live tunables from serve_config.yaml's user_config, applied without a restart.
        Subclasses define `run_batch` with @serve.batch."""
        if "max_batch_size" in config:
            self.max_batch_size = int(config["max_batch_size"])
            self.run_batch.set_max_batch_size(self.max_batch_size)
        if "batch_wait_timeout_s" in config:
            self.run_batch.set_batch_wait_timeout_s(float(config["batch_wait_timeout_s"]))
        if "cache_capacity" in config or "cache_max_bytes" in config:
            self.cache.resize(int(config["cache_capacity"]) if "cache_capacity" in config else None,
                              int(config["cache_max_bytes"]) if "cache_max_bytes" in config else None)
        if "max_models" in config:
            self.max_models = max(1, int(config["max_models"]))

    # Control plane, called on every replica through DeploymentHandle.broadcast.
    def stats(self) -> dict[str, Any]:
        with self._table:
            usages = list(self.usage.items())
        entries = {self.key_prefix + name: usage.entry() for name, usage in usages}
        return {**replica_identity(), "entries": entries, "result_cache": self.cache.stats(),
                "config": {"max_batch_size": self.max_batch_size, "cache_capacity": self.cache.capacity,
                           "cache_max_bytes": self.cache.max_bytes, "max_models": self.max_models}}

    def clear(self, reload: bool = False) -> int:
        """Empty the result cache and reset counters; with reload, load every model anew (batches
        running meanwhile finish on the model they started with)."""
        self.cache.clear()
        with self._table:
            usages = list(self.usage.values())
        for usage in usages:
            usage.reset()
        if reload:
            for name in self.keys():
                self._reload(name.removeprefix(self.key_prefix))
        return len(self.keys())

    def reload_key(self, key: str) -> bool:
        name = key.removeprefix(self.key_prefix)
        if not key.startswith(self.key_prefix):
            return False
        return self._reload(name)

    def _reload(self, name: str) -> bool:
        """Load `name` anew and swap it in; the old model and entry stay valid for batches that hold them."""
        with self._loading:
            with self._table:
                if name not in self.models:
                    return False
                requested = [r for r, n in self.aliases.items() if n == name] or [name]
            self._install(requested[0], replaces=name)
        return True
