"""Analyzer: runs analysis jobs off the ingress, in worker threads, writing state to the job store."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ray import serve
from ray.serve import metrics
from ray.serve.handle import DeploymentHandle

from hienfeld.config import load_settings
from hienfeld.errors import InputError
from hienfeld.pipeline import AnalysisInput, Cancelled, run_analysis

from .jobstore import JobRequest, JobStore, StoredFile, open_store
from .model_client import ServeModels

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


@serve.deployment
class Analyzer:
    def __init__(self, parser: DeploymentHandle, embedder: DeploymentHandle, max_concurrent_jobs: int = 2):
        self.parser, self.embedder = parser, embedder
        self.store = open_store()
        log.info("Analyzer job store: %s", self.store.describe())
        self.settings = load_settings()
        self.executor = ThreadPoolExecutor(max_workers=max_concurrent_jobs, thread_name_prefix="job")
        self.max_concurrent_jobs = max_concurrent_jobs
        self.held: set[str] = set()  # jobs queued or running here: they heartbeat
        self.running: set[str] = set()
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
        # Queued and running jobs beat; a job whose replica died stops beating and the sweeper fails it.
        while True:
            time.sleep(self.settings.jobs.heartbeat_s)
            try:
                self.store.heartbeat(list(self.held))
            except Exception:  # a busy database must not end the loop
                log.exception("heartbeat failed")

    async def run(self, job_id: str) -> str:
        self.held.add(job_id)
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, self._run, job_id)
        finally:
            self.held.discard(job_id)

    def _run(self, job_id: str) -> str:
        if not self.store.start(job_id):
            return "skipped"  # cancelled while queued
        self.running.add(job_id)
        self.running_gauge.set(len(self.running))
        started = time.perf_counter()
        status = "failed"
        try:
            status = self._analyse(job_id)
        except Cancelled:
            status = "cancelled"
            log.info("Job %s cancelled", job_id)
        except InputError as exc:
            self.store.fail(job_id, str(exc))
        except Exception as exc:  # the job must end failed, never stuck in running
            log.exception("Job %s failed", job_id)
            self.store.fail(job_id, f"Interne fout tijdens de analyse ({type(exc).__name__}). "
                                    "Probeer het opnieuw; blijft het misgaan, neem contact op met de beheerder.")
        finally:
            self.running.discard(job_id)
            self.running_gauge.set(len(self.running))
            seconds = time.perf_counter() - started
            self.jobs_total.inc(tags={"status": status})
            self.duration.observe(seconds)
            log.info("Job %s %s. Total time: %.2fs", job_id, status, seconds)
        return status

    def _analyse(self, job_id: str) -> str:
        job = self.store.get(job_id)
        inputs = load_inputs(self.store, job_id, job.request)
        options = job.request.options

        def progress(percent: int, message: str) -> None:
            if not self.store.progress(job_id, percent, message):
                raise Cancelled(job_id)

        models = ServeModels(self.parser, self.embedder, job_id, self.settings.model_calls)
        with self.store.report_writer(job_id) as out:  # the report exists only once complete
            result = run_analysis(inputs, options, models, self.settings, progress, report_out=out,
                                  report_cache=self.store.report_cache_dir)
        self.rows.observe(len(result.table.rows))
        # What the table reader has to tell the analyst (e.g. which of several sheets it read).
        notes = [n for n in result.table.notes if n not in result.stats.get("warnings", [])]
        result.stats["warnings"] = notes + list(result.stats.get("warnings", []))
        if not self.store.complete(job_id, result.stats, result.result_rows()):
            return "cancelled"
        return "completed"
