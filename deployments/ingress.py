"""Ingress: the FastAPI app of the HTTP contract (../shared/API_CONTRACT.md).

It validates input, stores uploads once, creates jobs and answers status/results/report/cache
requests. Heavy work never runs on its event loop: analyses go to the Analyzer deployment, file
inspection and database calls run in worker threads.
"""


import asyncio
import datetime as dt
import itertools
import json
import logging
import os
import time
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from ray import serve
from ray.exceptions import RayActorError
from ray.serve import metrics
from ray.serve.handle import DeploymentHandle

import hienfeld
from hienfeld.advice_codes import code_table
from hienfeld.config import Limits, Settings, load_settings
from hienfeld.uploads import check_extension, file_extension
from hienfeld.errors import InputError
from hienfeld.upload_check import check_upload
from hienfeld.instructions import parse_instructions
from hienfeld.options import AnalysisOptions

from .cache_stats import aggregate
from .environment import IngressEnvironment
from .jobstore import REPORT, JobRequest, StoredFile, open_store
from .http_guard import (ConfiguredCORS, GuardMiddleware, GuardSettings, docs_enabled, require_admin_key,
                         require_api_key)

log = logging.getLogger("ray.serve")

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REDISPATCH_DELAY_S = 2.0  # Serve notices a dead replica within seconds; until then it may route to it
STATIC_DIR = os.fspath(resources.files("deployments") / "static")  # package data, in a checkout and a wheel

app = FastAPI(title="hienfeld-serve", version=hienfeld.__version__, docs_url=None, redoc_url=None,
              openapi_url=None, dependencies=[Depends(require_api_key)])
app.add_middleware(ConfiguredCORS)
app.add_middleware(GuardMiddleware)


@app.get("/openapi.json", include_in_schema=False)
def openapi_schema() -> JSONResponse:
    if not docs_enabled():
        raise HTTPException(404, detail="niet gevonden")
    return JSONResponse(app.openapi())


@app.get("/docs", include_in_schema=False)
def api_docs() -> HTMLResponse:
    """Off unless HIENFELD_ENABLE_DOCS=1 (the schema tells an attacker every endpoint)."""
    if not docs_enabled():
        raise HTTPException(404, detail="niet gevonden")
    return get_swagger_ui_html(openapi_url="/openapi.json", title="hienfeld-serve API")


@app.exception_handler(InputError)
async def _input_error(request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)


_VALIDATION_MESSAGES = {
    "missing": "ontbreekt",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "bool_parsing": "moet true of false zijn",
    "string_too_long": "is te lang",
    "value_error": "heeft een ongeldige waarde",
}


@app.exception_handler(RequestValidationError)
async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with one readable Dutch sentence as `detail` (the contract's error shape), not a list."""
    problems = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")]
        name = ".".join(location) or "het verzoek"
        problem = _VALIDATION_MESSAGES.get(error.get("type", ""), "heeft een ongeldige waarde")
        given = error.get("input")
        if error.get("type") != "missing" and isinstance(given, (str, int, float)) and len(str(given)) <= 40:
            problem += f" (ontvangen: '{given}')"
        problems.append(f"{name} {problem}")
    return JSONResponse({"detail": "Ongeldige invoer: " + "; ".join(problems) + "."}, status_code=422)


@app.exception_handler(Exception)
async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Never a stack trace to the client; the log has it (Serve adds the request id to the line).
    log.error("Unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"detail": "interne fout; de beheerder vindt de details in de logs"}, status_code=500)


def _utcnow() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


async def _read_upload(upload: UploadFile, field: str) -> tuple[str, bytes]:
    """Name (a label only, never a path) and bytes of one uploaded file; the type is checked before
    the body is read."""
    name = os.path.basename(upload.filename or "")
    try:
        check_extension(name, field)
    except InputError as exc:
        raise type(exc)(f"{field} '{name or 'zonder naam'}': {exc}") from None
    return name, await upload.read()


def _check_uploads(limits: Limits, policy, conditions, library, reference) -> dict | None:
    """Every file of a request checked with the upload `limits` (bounded; Office files by their zip
    directory first), so a bad one gets a 4xx before a job exists."""
    info = check_upload("policy_file", *policy, limits)
    for field, blobs in (("conditions_files", conditions), ("clause_library_files", library),
                         ("reference_file", [reference] if reference else [])):
        for blob in blobs:
            check_upload(field, *blob, limits)
    return info


@serve.deployment
@serve.ingress(app)
class Ingress:
    def __init__(self, analyzer: DeploymentHandle, parser: DeploymentHandle, embedder: DeploymentHandle,
                 environment: IngressEnvironment | None = None, settings: Settings | None = None):
        """`environment` and `settings` as bound, else this replica's environment and analysis.yaml."""
        self.analyzer, self.parser, self.embedder = analyzer, parser, embedder
        self.environment = env = environment or IngressEnvironment.from_environ()
        self.settings = settings or load_settings()
        self.guard = GuardSettings(env.access, self.settings.limits.max_upload_bytes)  # http_guard reads it
        self.store = open_store(env.store.database_url, data_dir=env.store.data_dir, ttl_seconds=env.store.ttl_s,
                                max_file_bytes=self.settings.limits.max_upload_bytes)
        self.in_flight: set[str] = set()
        self.watchers: set[asyncio.Task] = set()
        self.submitted = metrics.Counter("hienfeld_jobs_submitted", "Analysis jobs accepted.")
        self.queue_length = metrics.Gauge("hienfeld_jobs_active", "Jobs pending or running (all replicas).")
        self.last_purge = 0.0
        # Serve runs the constructor on the replica's event loop: the sweeper dispatches from it.
        self.sweeper = asyncio.get_running_loop().create_task(self._sweep_loop())

    async def _sweep_loop(self) -> None:
        """From the start on (so jobs a stopped app left behind resume): keeps this replica's jobs
        alive, queues silent ones again and dispatches them, deletes expired ones."""
        while True:
            try:
                for job_id, attempt in await asyncio.to_thread(self._sweep):
                    self._dispatch(job_id, attempt)
            except Exception:  # a busy database must not end the loop
                log.exception("job sweep failed")
            await asyncio.sleep(self.settings.jobs.sweep_s)

    def _sweep(self) -> list[tuple[str, int]]:
        """The jobs queued again (id, attempt) for this replica to dispatch."""
        self.store.heartbeat(list(self.in_flight))
        resumed = []
        for job_id, outcome, attempt in self.store.requeue_stale(self.environment.stale_after_s):
            if outcome == "failed":
                log.warning("Job %s failed: its worker stopped responding on its last attempt (%d)", job_id, attempt)
            else:
                log.warning("Job %s queued again (attempt %d): its worker stopped responding", job_id, attempt)
                resumed.append((job_id, attempt))
        if time.time() - self.last_purge > self.settings.jobs.purge_s:
            log.info("Purged %d expired jobs", self.store.purge_expired())
            self.last_purge = time.time()
        self.queue_length.set(self.store.count_active())
        return resumed

    # -- health ---------------------------------------------------------------------------------
    @app.get("/api/health")
    def health(self) -> dict[str, Any]:
        return {"status": "ok", "version": hienfeld.__version__, "timestamp": _utcnow()}

    @app.get("/api/health/live")
    def live(self) -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/api/health/ready")
    async def ready(self) -> JSONResponse:
        checks: dict[str, Any] = {}
        for name, handle in (("spacy", self.parser), ("embeddings", self.embedder)):
            try:
                replicas = await handle.broadcast("stats").results_async(timeout_s=5, return_exceptions=True)
                live = [r for r in replicas if isinstance(r, dict) and r["entries"]]
                checks[name] = {"ok": bool(live), "replicas": len(live),
                                "models": sorted({k for r in live for k in r["entries"]})}
            except Exception as exc:
                checks[name] = {"ok": False, "replicas": 0, "error": type(exc).__name__}
        if checks["spacy"]["ok"]:
            checks["spacy"]["pipeline"] = checks["spacy"]["models"][0].removeprefix("nlp_service_")
        ok = all(c["ok"] for c in checks.values())
        failing = [n for n, c in checks.items() if not c["ok"]]
        body = {"status": "ready" if ok else "not_ready", "checks": checks}
        if failing:
            body["failing"] = failing
        return JSONResponse(body, status_code=200 if ok else 503)

    # -- jobs -----------------------------------------------------------------------------------
    @app.post("/api/upload/preview")
    async def preview(self, policy_file: UploadFile = File(...)) -> dict[str, Any]:
        name, data = await _read_upload(policy_file, "policy_file")
        return await run_in_threadpool(check_upload, "policy_file", name, data, self.settings.limits)

    @app.post("/api/analyze", status_code=202)
    async def analyze(
        self,
        policy_file: UploadFile = File(...),
        conditions_files: list[UploadFile] = File(default=[]),
        clause_library_files: list[UploadFile] = File(default=[]),
        reference_file: UploadFile | None = File(default=None),
        cluster_accuracy: int = Form(90),
        min_frequency: int = Form(20),
        window_size: int = Form(100),
        use_conditions: bool = Form(True),
        use_window_limit: bool = Form(True),
        use_semantic: bool = Form(True),
        ai_enabled: bool = Form(False),  # accepted for compatibility; no external AI service is called
        analysis_mode: str = Form("balanced"),
        extra_instruction: str = Form(""),
    ) -> JSONResponse:
        options = AnalysisOptions(cluster_accuracy, min_frequency, window_size, use_conditions, use_window_limit,
                                  use_semantic, analysis_mode, extra_instruction)
        options.validate(self.settings)
        parse_instructions(extra_instruction, self.settings.limits.max_instruction_chars)
        if await run_in_threadpool(self.store.count_active) >= self.environment.max_active_jobs:
            raise self._busy()
        policy = await _read_upload(policy_file, "policy_file")
        conditions = [await _read_upload(f, "conditions_files") for f in conditions_files]
        library = [await _read_upload(f, "clause_library_files") for f in clause_library_files]
        reference = await _read_upload(reference_file, "reference_file") if reference_file else None
        await run_in_threadpool(_check_uploads, self.settings.limits, policy, conditions, library, reference)
        job_id = await run_in_threadpool(self._store_job, options, policy, conditions, library, reference)
        if job_id is None:
            raise self._busy()
        self.submitted.inc()
        self._dispatch(job_id, attempt=1)
        return JSONResponse({"job_id": job_id, "status": "pending"}, status_code=202)

    def _busy(self) -> HTTPException:
        return HTTPException(503, detail=f"de dienst is bezet ({self.environment.max_active_jobs} analyses "
                                         "wachten of lopen); probeer het zo opnieuw", headers={"Retry-After": "30"})

    def _store_job(self, options: AnalysisOptions, policy, conditions, library, reference) -> str | None:
        """Uploads are written once into the job store under generated keys, then the job is created
        with its request record. None (and nothing kept) when the queue is full."""
        job_id = self.store.new_job_id()
        counter = itertools.count()
        def keep(blob: tuple[str, bytes]) -> StoredFile:
            key = f"uploads/{next(counter)}{file_extension(blob[0])}"
            self.store.put_file(job_id, key, blob[1])
            return StoredFile(blob[0], key)
        try:
            request = JobRequest(options, keep(policy), conditions=tuple(keep(f) for f in conditions),
                                 library=tuple(keep(f) for f in library),
                                 reference=keep(reference) if reference else None)
            created = self.store.create(job_id, request, max_active=self.environment.max_active_jobs,
                                        max_attempts=self.settings.jobs.max_attempts)
        except BaseException:
            self.store.delete_files([job_id])
            raise
        if not created:
            self.store.delete_files([job_id])
            return None
        return job_id

    def _dispatch(self, job_id: str, attempt: int) -> None:
        """Runs the job's attempt on an Analyzer replica; this replica beats for it meanwhile."""
        self.in_flight.add(job_id)
        task = asyncio.create_task(self._watch(job_id, attempt))
        self.watchers.add(task)
        task.add_done_callback(self.watchers.discard)

    async def _watch(self, job_id: str, attempt: int) -> None:
        """An Analyzer replica that dies under the job queues it again (jobstore `interrupted`: the
        next attempt, or failed after the last) and it is dispatched anew. A job that hangs beyond
        HIENFELD_MAX_JOB_SECONDS ends failed (its worker stops at the next progress step). Other
        errors of the call (this ingress being replaced in a rolling update) say nothing about the
        job: the analyzer's heartbeat, or a sweeper, decides."""
        try:
            while True:
                try:
                    await asyncio.wait_for(self.analyzer.run.remote(job_id, attempt),
                                           timeout=self.environment.max_job_s)
                    return
                except asyncio.TimeoutError:
                    await run_in_threadpool(self.store.fail, job_id, f"De analyse duurde langer dan "
                                            f"{self.environment.max_job_s:.0f} seconden en is gestopt.", attempt)
                    return
                except RayActorError as exc:
                    outcome = await run_in_threadpool(self.store.interrupted, job_id, attempt)
                    log.error("Analyzer replica died running job %s attempt %d (%s): %s", job_id, attempt,
                              type(exc).__name__, outcome or "the job had moved on")
                    if outcome is None or outcome[0] == "failed":
                        return
                    attempt = outcome[1]
                    await asyncio.sleep(REDISPATCH_DELAY_S)
                except Exception as exc:
                    log.warning("Analyzer call for job %s ended with %s; the job's heartbeat decides", job_id,
                                type(exc).__name__)
                    return
        finally:
            self.in_flight.discard(job_id)

    def _job(self, job_id: str):
        job = self.store.get(job_id)
        if job is None:
            raise HTTPException(404, detail=f"analyse {job_id} niet gevonden (onbekend of verlopen)")
        return job

    def _finished(self, job_id: str):
        job = self._job(job_id)
        if job.status != "completed":
            raise HTTPException(409, detail=f"analyse {job_id} is niet voltooid (status: {job.status})"
                                + (f": {job.error}" if job.error else ""))
        return job

    @app.get("/api/status/{job_id}")
    def status(self, job_id: str) -> dict[str, Any]:
        return self._job(job_id).status_view()

    @app.get("/api/results/{job_id}")
    def results(self, job_id: str) -> dict[str, Any]:
        job = self._finished(job_id)
        return {"job_id": job.id, "status": job.status, "stats": job.stats, "results": job.results}

    @app.get("/api/report/{job_id}")
    def report(self, job_id: str) -> StreamingResponse:
        """Streamed from the job store in chunks (a local file or database rows)."""
        self._finished(job_id)
        size = self.store.file_size(job_id, REPORT)
        if size is None:
            raise HTTPException(404, detail=f"analyse {job_id} heeft geen rapport (verlopen of verwijderd)")
        return StreamingResponse(self.store.iter_file(job_id, REPORT), media_type=XLSX_MEDIA_TYPE, headers={
            "Content-Length": str(size), "Content-Disposition": 'attachment; filename="Hienfeld_Analyse.xlsx"'})

    @app.post("/api/cancel/{job_id}")
    def cancel(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        if not self.store.cancel(job_id):
            raise HTTPException(409, detail=f"analyse {job_id} is al beëindigd (status: {job.status}); alleen "
                                            "wachtende of lopende analyses kunnen worden gestopt")
        return self._job(job_id).status_view()

    # -- model caches ---------------------------------------------------------------------------
    async def _broadcast(self, method: str, *args: Any) -> tuple[list[Any], int]:
        """(answers of the live model replicas, how many could not be reached). Replicas come and go
        (a crash, a scale-down, a restart): one that dies while asked is skipped, not an error."""
        async def ask(handle: DeploymentHandle) -> tuple[list[Any], int]:
            try:
                answers = await handle.broadcast(method, *args).results_async(timeout_s=30, return_exceptions=True)
            except Exception as exc:  # the whole deployment unreachable (timeout, no replica at all)
                log.warning("%s on %s: no replica answered (%s)", method, handle.deployment_name,
                            type(exc).__name__)
                return [], 1
            live = [a for a in answers if not isinstance(a, BaseException)]
            for failure in (a for a in answers if isinstance(a, BaseException)):
                log.warning("%s on a %s replica failed (%s); skipped", method, handle.deployment_name,
                            type(failure).__name__)
            return live, len(answers) - len(live)

        results: list[Any] = []
        unreachable = 0
        for live, failed in await asyncio.gather(ask(self.parser), ask(self.embedder)):
            results += live
            unreachable += failed
        return results, unreachable

    @app.get("/api/cache/stats")
    async def cache_stats(self) -> dict[str, Any]:
        replicas, unreachable = await self._broadcast("stats")
        return {**aggregate(replicas), "unreachable_replicas": unreachable}

    @app.post("/api/cache/clear", dependencies=[Depends(require_admin_key)])
    async def cache_clear(self, reload: bool = False) -> dict[str, Any]:
        answers, unreachable = await self._broadcast("clear", reload)
        cleared = sum(answers)
        return {"status": "ok", "message": f"Cleared {cleared} cached services", "cleared_count": cleared,
                "reloaded": reload, "unreachable_replicas": unreachable}

    @app.delete("/api/cache/{key}", dependencies=[Depends(require_admin_key)])
    async def cache_delete(self, key: str) -> dict[str, Any]:
        answers, unreachable = await self._broadcast("reload_key", key)
        reloaded = sum(bool(r) for r in answers)
        if not reloaded:
            raise HTTPException(404, detail=f"geen model-cache '{key}'; GET /api/cache/stats toont de sleutels")
        return {"status": "ok", "message": f"{key} opnieuw geladen op {reloaded} replica's", "reloaded_replicas": reloaded,
                "unreachable_replicas": unreachable}

    # -- web page -------------------------------------------------------------------------------
    # The analysts' page: static files only, all data comes from the /api endpoints above. No inline
    # script or style, so the policy below forbids them (clause texts are shown, never executed).
    STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
    PAGE_HEADERS = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                   "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    }

    @app.get("/", include_in_schema=False)
    def index(self) -> HTMLResponse:
        with open(os.path.join(STATIC_DIR, "index.html"), encoding="utf-8") as fh:
            return HTMLResponse(fh.read(), headers=self.PAGE_HEADERS)

    @app.get("/static/advice_codes.js", include_in_schema=False)
    def advice_codes(self) -> Response:
        """The advice codes (hienfeld/advice_codes.py) for the page: label, plain label and family of each."""
        script = f"window.HIENFELD_ADVICE_CODES = {json.dumps(code_table())};\n"
        return Response(script, media_type=self.STATIC_FILES["app.js"], headers=self.PAGE_HEADERS)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(self, name: str) -> FileResponse:
        media_type = self.STATIC_FILES.get(name)  # a fixed whitelist; the name is never used as a path
        if media_type is None:
            raise HTTPException(404, detail="niet gevonden")
        return FileResponse(os.path.join(STATIC_DIR, name), media_type=media_type, headers=self.PAGE_HEADERS)
