"""Model replicas' shared parts without Ray: the result cache bounded in entries and bytes with
hashed keys, reloads while batches run, the ingress's broadcast tolerating dying replicas (issue 11)."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from deployments import resident
from deployments.resident import ResidentModels, ResultCache, cache_key, value_bytes


def test_keys_are_fixed_size_digests_not_texts():
    long_text = "verzekerde " * 10_000
    key = cache_key("use-multilingual-v3", long_text)
    assert isinstance(key, bytes) and len(key) == 16
    assert key == cache_key("use-multilingual-v3", long_text)
    assert key != cache_key("all-MiniLM-L6-v2", long_text)
    assert cache_key("a", "b\0c") != cache_key("a\0b", "c")


def test_cache_is_bounded_in_bytes_and_reports_them():
    vector = np.zeros(512, np.float32)  # 2 KB
    size = value_bytes(vector) + resident._ENTRY_OVERHEAD
    cache = ResultCache(capacity=1000, max_bytes=10 * size)
    cache.store((cache_key("m", str(i)), vector.copy()) for i in range(25))
    stats = cache.stats()
    assert stats["size"] == 10 and stats["bytes"] == 10 * size and stats["max_bytes"] == 10 * size
    assert stats["evictions"] == 15
    found, missing = cache.lookup([cache_key("m", "24"), cache_key("m", "0")])
    assert list(found) == [cache_key("m", "24")] and missing == [cache_key("m", "0")]  # LRU kept the newest
    cache.resize(max_bytes=3 * size)
    assert cache.stats()["size"] == 3 and cache.stats()["bytes"] == 3 * size
    cache.resize(capacity=2)
    assert len(cache) == 2
    cache.clear()
    assert cache.stats()["bytes"] == 0 and len(cache) == 0


def test_a_value_larger_than_the_budget_is_not_cached_and_lemmas_count_their_strings():
    cache = ResultCache(capacity=10, max_bytes=500)
    cache.store([(b"k", np.zeros(1000, np.float32))])
    assert len(cache) == 0
    assert value_bytes(["woning", "verzekering"]) > value_bytes(["a"]) > 0


class _Metric:
    def inc(self, *a, **k): pass
    def observe(self, *a, **k): pass
    def set(self, *a, **k): pass


class _Metrics:
    def __init__(self, prefix):
        self.hits = self.misses = self.items = self.batch = self.load = _Metric()


class _Slow(ResidentModels):
    """A model that takes a while to load and to run, so reloads overlap batches."""

    key_prefix = "fake_"
    loads = 0

    def _load(self, name):
        time.sleep(0.05)
        type(self).loads += 1
        return {"version": type(self).loads}, name

    def _compute(self, model, texts):
        time.sleep(0.002)
        return [[t.upper()] for t in texts]


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(resident, "ModelMetrics", _Metrics)
    monkeypatch.setattr(resident, "replica_identity", lambda: {"deployment": "Fake"})
    return _Slow(["m"], max_models=2, cache_capacity=100, metrics_prefix="fake", cache_max_bytes=10**6)


def test_reload_and_clear_while_batches_run_never_fail_a_batch(replica):
    errors: list[BaseException] = []
    stop = threading.Event()

    def batches(worker: int):
        n = 0
        while not stop.is_set():
            texts = [f"tekst {worker} {n} {i}" for i in range(20)]
            try:
                out = replica.serve_batch([(texts, "m", f"job{worker}"), (texts[:3], "m", "other")])
                assert out[0] == [[t.upper()] for t in texts] and out[1] == out[0][:3]
            except BaseException as exc:  # noqa: BLE001 - any failure is the test's failure
                errors.append(exc)
                return
            n += 1

    workers = [threading.Thread(target=batches, args=(w,)) for w in range(4)]
    for w in workers:
        w.start()
    try:
        for round_ in range(15):  # the endpoints' calls: clear?reload=true and DELETE /api/cache/{key}
            if round_ % 2:
                assert replica.clear(reload=True) == 1
            else:
                assert replica.reload_key("fake_m")
            replica.stats()
            time.sleep(0.01)
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert not errors, errors
    assert replica.keys() == ["fake_m"] and set(replica.usage) == {"m"}
    assert _Slow.loads >= 16


def test_reload_of_an_unknown_key_is_refused(replica):
    assert not replica.reload_key("fake_other") and not replica.reload_key("other_m")


class _Answers:
    def __init__(self, answers):
        self.answers = answers

    async def results_async(self, timeout_s=None, return_exceptions=False):
        if isinstance(self.answers, BaseException):
            raise self.answers
        if not return_exceptions and any(isinstance(a, BaseException) for a in self.answers):
            raise next(a for a in self.answers if isinstance(a, BaseException))
        return self.answers


class _Handle:
    def __init__(self, name, answers):
        self.deployment_name, self._answers = name, answers

    def broadcast(self, method, *args):
        return _Answers(self._answers)


def test_broadcast_skips_replicas_that_die_while_asked():
    from ray.exceptions import RayActorError

    from deployments.ingress import Ingress
    cls = Ingress.func_or_class

    class Fake:
        parser = _Handle("DutchParser", [{"replica": 1}, RayActorError()])
        embedder = _Handle("Embedder", [{"replica": 2}])

    answers, unreachable = asyncio.run(cls._broadcast(Fake(), "stats"))
    assert answers == [{"replica": 1}, {"replica": 2}] and unreachable == 1

    Fake.embedder = _Handle("Embedder", TimeoutError())
    answers, unreachable = asyncio.run(cls._broadcast(Fake(), "stats"))
    assert answers == [{"replica": 1}] and unreachable == 2
