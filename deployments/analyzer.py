"""Analyzer: runs analysis jobs off the ingress, in worker threads, writing state to the job store.

Each call runs one attempt of a job (deployments/jobstore/base.py: attempts); every write names
the attempt, so an attempt the ingress gave up on can no longer change the job.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from ray import serve
from ray.serve import metrics
from ray.serve.handle import DeploymentHandle

from hienfeld.cache import AnalysisCache
from hienfeld.config import Settings, load_settings
from hienfeld.report_cache import ReportCache
from hienfeld.errors import InputError
from hienfeld.pipeline import AnalysisInput, Cancelled, run_analysis

from .environment import AnalyzerEnvironment
from .jobstore import JobRequest, JobStore, StoredFile, attempt_note, open_store
from .model_client import ServeModels
from .rows import result_rows, result_stats

log = logging.getLogger("ray.serve")


def load_inputs(store: JobStore, job_id: str, request: JobRequest) -> AnalysisInput:
    """Uploads were stored once by the ingress in the job store; names are only labels."""
    def blob(item: StoredFile) -> tuple[str, bytes]:
        return item.name, store.read_file(job_id, item.key)
    return AnalysisInput(
        policy=blob(request.policy),
        conditions=[blob(f) for f in request.conditions],
        library=[blob(f) for f in request.library],
        reference=blob(request.reference) if request.reference else None,
    )


class RetryGate:
    """A retried job runs alone in its replica. A replica that died under several jobs cannot say
    which one ended it, so every job that ran there lost an attempt; run alone, a retry that ends
    the replica again takes no other job with it. The others wait still pending (costing them no
    attempt) until the retry ends; a retry waits for the jobs already running."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        self._retries_waiting = 0
        self._retry_running = False

    @contextmanager
    def enter(self, retry: bool) -> Iterator[None]:
        with self._changed:
            if retry:
                self._retries_waiting += 1
                self._changed.wait_for(lambda: not self._retry_running and not self._running)
                self._retries_waiting -= 1
                self._retry_running = True
            else:
                self._changed.wait_for(lambda: not self._retry_running and not self._retries_waiting)
                self._running += 1
        try:
            yield
        finally:
            with self._changed:
                if retry:
                    self._retry_running = False
                else:
                    self._running -= 1
                self._changed.notify_all()


@serve.deployment
class Analyzer:
    def __init__(self, parser: DeploymentHandle, embedder: DeploymentHandle, max_concurrent_jobs: int = 2,
                 environment: AnalyzerEnvironment | None = None, settings: Settings | None = None):
        """`environment` and `settings` as bound, else this replica's environment and analysis.yaml."""
        self.parser, self.embedder = parser, embedder
        self.environment = environment or AnalyzerEnvironment.from_environ()
        self.settings = settings or load_settings()
        store = self.environment.store
        self.store = open_store(store.database_url, data_dir=store.data_dir, ttl_seconds=store.ttl_s,
                                max_file_bytes=self.settings.limits.max_upload_bytes)
        log.info("Analyzer job store: %s", self.store.describe())
        # this replica's recent results and the node's reports (the store purges old reports)
        self.cache = AnalysisCache(reports=ReportCache(self.store.report_cache_dir))
        self.executor = ThreadPoolExecutor(max_workers=max_concurrent_jobs, thread_name_prefix="job")
        self.max_concurrent_jobs = max_concurrent_jobs
        self.held: set[str] = set()  # jobs queued or running here: they heartbeat
        self.running: set[str] = set()
        self.gate = RetryGate()
        self.jobs_total = metrics.Counter("hienfeld_jobs", "Analysis jobs finished, by status.",
                                          tag_keys=("status",))
        self.duration = metrics.Histogram("hienfeld_job_seconds", "Analysis job duration.",
                                          boundaries=[1, 5, 10, 20, 40, 80, 160, 320])
        self.rows = metrics.Histogram("hienfeld_job_rows", "Rows per analysed policy file.",
                                      boundaries=[100, 1000, 10_000, 50_000, 100_000, 500_000])
        self.running_gauge = metrics.Gauge("hienfeld_jobs_running", "Jobs running in this replica.")
        threading.Thread(target=self._heartbeat_loop, daemon=True, name="heartbeat").start()

    def reconfigure(self, config: dict[str, Any]) -> None:
        """user_config: `max_concurrent_jobs` sizes the worker pool (keep max_ongoing_requests equal,
        so Serve routes no more jobs to a replica than it runs)."""
        size = int(config.get("max_concurrent_jobs", self.max_concurrent_jobs))
        if size != self.max_concurrent_jobs:
            old, self.executor = self.executor, ThreadPoolExecutor(max_workers=size, thread_name_prefix="job")
            old.shutdown(wait=False)  # running jobs finish in the old pool
            self.max_concurrent_jobs = size

    def _heartbeat_loop(self) -> None:
        # Queued and running jobs beat; a job whose replica died stops beating and a sweeper queues it again.
        while True:
            time.sleep(self.settings.jobs.heartbeat_s)
            try:
                self.store.heartbeat(list(self.held))
            except Exception:  # a busy database must not end the loop
                log.exception("heartbeat failed")

    async def run(self, job_id: str, attempt: int) -> str:
        self.held.add(job_id)
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, self._run, job_id, attempt)
        finally:
            self.held.discard(job_id)

    def _run(self, job_id: str, attempt: int) -> str:
        with self.gate.enter(retry=attempt > 1):
            if not self.store.start(job_id, attempt):
                return "skipped"  # cancelled while queued, or taken by another dispatch of it
            return self._attempt(job_id, attempt)

    def _attempt(self, job_id: str, attempt: int) -> str:
        self.running.add(job_id)
        self.running_gauge.set(len(self.running))
        started = time.perf_counter()
        status = "failed"
        try:
            status = self._analyse(job_id, attempt)
        except Cancelled:
            status = "cancelled" if self.store.get(job_id).status == "cancelled" else "superseded"
            log.info("Job %s attempt %d stopped: %s", job_id, attempt, status)
        except InputError as exc:
            self.store.fail(job_id, str(exc), attempt)
        except Exception as exc:  # the job must end failed, never stuck in running
            log.exception("Job %s failed", job_id)
            self.store.fail(job_id, f"Interne fout tijdens de analyse ({type(exc).__name__}). "
                                    "Probeer het opnieuw; blijft het misgaan, neem contact op met de beheerder.",
                            attempt)
        finally:
            self.running.discard(job_id)
            self.running_gauge.set(len(self.running))
            seconds = time.perf_counter() - started
            self.jobs_total.inc(tags={"status": status})
            self.duration.observe(seconds)
            log.info("Job %s attempt %d %s. Total time: %.2fs", job_id, attempt, status, seconds)
        return status

    def _analyse(self, job_id: str, attempt: int) -> str:
        job = self.store.get(job_id)
        crash_on = self.environment.crash_on_policy_name
        if crash_on and job.request.policy.name == crash_on:
            os._exit(70)
        inputs = load_inputs(self.store, job_id, job.request)
        options = job.request.options
        retry = f" ({attempt_note(attempt, job.max_attempts)})" if attempt > 1 else ""

        def progress(percent: int, message: str) -> None:
            if not self.store.progress(job_id, attempt, percent, message + retry):
                raise Cancelled(job_id)

        models = ServeModels(self.parser, self.embedder, job_id, self.settings.model_calls)
        with self.store.report_writer(job_id) as out:  # the job's report only once complete() takes it
            result = run_analysis(inputs, options, models, self.settings, progress, report_out=out,
                                  cache=self.cache)
            self.rows.observe(len(result.table.rows))
            if not self.store.complete(job_id, attempt, result_stats(result), result_rows(result), report=out):
                raise Cancelled(job_id)
        return "completed"
