"""Performance benchmark with the issue's targets: `python -m benchmarks.bench` (`make bench`).

For each size it generates a labelled policy export with its conditions and clause library (by
default the held-out corpus, benchmarks/heldout: 761 families, ~8,700 distinct texts per 10,000
rows, values, labels and typos as real exports have them; `--corpus synth` for the tuning
generator), sends it through the Serve app over HTTP twice (cold: result caches cleared,
models resident; warm: the same file again), then through the in-process CLI pipeline, and prints
one table with PASS/FAIL per target. While the largest cold job runs, it samples /api/health latency
and the resident memory of the app's processes. All figures go to <out>/bench.json.

By default it starts its own Ray instance and app on 127.0.0.1:--port with serve_config.yaml's
deployment settings (as tests/conftest.py does) and stops them afterwards; with --url it measures a
running app and starts or stops nothing (memory then covers every Ray process on this machine).
Exit code 0 when every job ran, whether or not targets pass; 1 when the benchmark itself broke (a
job failed or timed out, in Serve or in the CLI): then it says so on stderr in a banner and writes
no figures.

Per size it also prints the seconds of every phase (CLI and Serve cold) and how each phase grew
from the size before (its ratio next to the rows' ratio: a phase that grows faster than the rows
is superlinear), the Serve/CLI ratio, the peak RSS of every process (each Serve replica, the CLI
process) and how varied the generated export is (distinct texts per 10,000 rows). The default run
is 10,000 and 50,000 rows (about 5 minutes on 2 cores); `--rows 200000,500000` adds the large
sizes (`make bench BENCH_ARGS="--rows 10000,50000,200000"`): roughly 10 and 30 minutes more per
size for Serve and CLI together on a 2-core machine. `--cli-only` measures the in-process path
alone (no Ray); `--cli-repeat N` runs each CLI job N times and reports best and median.

    python -m benchmarks.bench [--rows 10000,50000] [--corpus heldout|synth] [--seed 0] [--out bench_out]
                               [--port 18500 | --url URL | --cli-only] [--cli-repeat 1]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

from hienfeld.config import packaged_config

QUALITY = ("ari", "pairwise_precision", "pairwise_recall", "remove_verbatim", "remove_paraphrase",
           "remove_uncovered", "replace_library", "lapsed", "keep")
# "merging" includes the lemmas and embeddings it fetches; those two also count on their own
PHASES = ("read", "clustering", "merging", "lemmas", "embeddings", "matching", "advice", "report")
HEALTH_INTERVAL_S = 0.05
MEMORY_INTERVAL_S = 0.5
POLL_INTERVAL_S = 0.2
MB = 1_000_000
MIN_DISTINCT_PER_10K = 6_500  # real exports: at least this many distinct texts per 10,000 rows
REPLICA = re.compile(r"ServeReplica:[^:\s]+:(\w+)")
# Ray's own processes, matched on the start of their command line (later arguments name paths
# such as the session's socket folder, which would match too).
INFRA = (("gcs_server", "GCS"), ("raylet/raylet", "raylet"), ("dashboard.py", "dashboard"),
         ("DashboardAgent", "dashboard"), ("ProxyActor", "proxy"), ("ServeController", "controller"))


class BenchError(Exception):
    """The benchmark itself broke (a job failed, a wait timed out): exit code 1."""


# -- setup -----------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", default="10000,50000", help="comma-separated policy row counts")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpus", choices=("heldout", "synth"), default="heldout",
                   help="held-out corpus (default) or the generator the analysis was tuned on")
    p.add_argument("--out", type=Path, default=Path("bench_out"))
    p.add_argument("--port", type=int, default=18500, help="HTTP port of the app this benchmark starts")
    p.add_argument("--url", help="measure a running app (e.g. http://127.0.0.1:8000) instead of starting one")
    p.add_argument("--cli-only", action="store_true", help="only the in-process CLI path: no Ray, no Serve")
    p.add_argument("--cli-repeat", type=int, default=1, help="CLI runs per size (best and median reported)")
    p.add_argument("--job-timeout", type=float, default=1800, help="seconds one analysis job may take")
    p.add_argument("--ready-timeout", type=float, default=600, help="seconds the app may take to become ready")
    args = p.parse_args(argv)
    args.sizes = sorted({int(n) for n in args.rows.split(",") if n.strip()})
    if not args.sizes or min(args.sizes) < 1:
        p.error("--rows needs positive row counts")
    if args.cli_only and args.url:
        p.error("--cli-only and --url exclude each other")
    if args.cli_repeat < 1:
        p.error("--cli-repeat needs at least 1")
    return args


def shipped_config() -> dict[str, Any]:
    """serve_config.yaml's application, so the benchmark measures what users run."""
    return yaml.safe_load(packaged_config("serve_config.yaml").read_text())["applications"][0]


def prepare_environment(out: Path, app_config: dict[str, Any]) -> None:
    """Before Ray starts: its workers inherit this process's environment (as in tests/conftest.py)."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HIENFELD_DATA_DIR"] = str(out / "data")
    for key, value in app_config.get("runtime_env", {}).get("env_vars", {}).items():
        os.environ.setdefault(key, str(value))


def generate_data(sizes: list[int], out: Path, seed: int, corpus: str) -> dict[int, dict[str, Path]]:
    """Per size: paths of `policies`, `conditions`, `library` and `truth`."""
    data = {}
    for rows in sizes:
        started = time.perf_counter()
        if corpus == "synth":
            from evaluation.synth import generate as synth
            data[rows] = synth(rows, out / f"rows_{rows}", seed=seed)
        else:
            from benchmarks.heldout import generate as heldout
            paths = heldout(rows, out / f"rows_{rows}", seed=seed)
            data[rows] = {"policies": paths["policy"], "conditions": paths["conditions"],
                          "library": paths["library"], "truth": paths["truth"]}
        data[rows]["distinct_texts"] = distinct = distinct_texts(data[rows]["policies"])
        per_10k = distinct * 10_000 / rows
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s: {distinct:,} distinct texts "
              f"({per_10k:,.0f} per 10,000 rows)", file=sys.stderr)
        if rows >= 10_000 and per_10k < MIN_DISTINCT_PER_10K:
            print(f"WARNING: the {rows:,}-row export has {per_10k:,.0f} distinct texts per 10,000 rows, fewer "
                  f"than real exports ({MIN_DISTINCT_PER_10K:,}): its figures flatter the analysis", file=sys.stderr)
    return data


def distinct_texts(path: Path) -> int:
    """Distinct values of the export's text column, read as the analysis reads it."""
    from hienfeld.config import load_settings
    from hienfeld.ingest import read_policy_file

    return len(set(read_policy_file(path.name, path.read_bytes(), load_settings().limits).texts))


def auth_headers() -> dict[str, str]:
    """The admin key (cache clear needs it) or the API key, when the app requires one."""
    key = os.environ.get("HIENFELD_ADMIN_KEY") or os.environ.get("HIENFELD_API_KEY")
    return {"Authorization": f"Bearer {key}"} if key else {}


@contextmanager
def local_app(port: int, deployments: list[dict[str, Any]], ready_timeout_s: float) -> Iterator[str]:
    """A Ray instance and the app, as tests/conftest.py starts them; stopped on exit."""
    import ray
    from ray import serve

    from deployments.app import build_app

    # address="local": always a new instance, never one another process started on this machine
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        # not blocking, so the wait below has a timeout and sees a failed deployment
        serve._run(build_app(deployments), name="hienfeld", route_prefix="/", _blocking=False)
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, ready_timeout_s, lambda: serve.status().applications.get("hienfeld"))
        yield url
    finally:
        try:
            serve.shutdown()
        finally:
            ray.shutdown()


def wait_ready(url: str, timeout_s: float, app_status: Callable[[], Any] | None = None) -> None:
    """Until GET /api/health/ready says ready (models loaded), or a failed deployment, or timeout."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            status = app_status() if app_status else None
            if status is not None and status.status == "DEPLOY_FAILED":
                raise BenchError(f"the app failed to deploy: {status.message}")
            try:
                if client.get("/api/health/ready").status_code == 200:
                    return
            except httpx.HTTPError:
                pass  # the proxy is not listening yet
            time.sleep(1)
    raise BenchError(f"the app at {url} was not ready within {timeout_s:.0f} s")


# -- jobs over HTTP --------------------------------------------------------------------------------

@dataclass
class JobRun:
    job_id: str
    seconds: float  # upload -> completed -> report downloaded
    report_bytes: int
    stats: dict[str, Any]
    rows: list[dict[str, Any]]


def analysis_files(paths: dict[str, Path]) -> list[tuple[str, tuple[str, bytes]]]:
    return [(name, (paths[key].name, paths[key].read_bytes()))
            for name, key in (("policy_file", "policies"), ("conditions_files", "conditions"),
                              ("clause_library_files", "library"))]


def run_job(client: httpx.Client, files: list, timeout_s: float) -> JobRun:
    """One balanced analysis with conditions and library, timed from upload to downloaded report."""
    started = time.perf_counter()
    response = client.post("/api/analyze", files=files, data={"analysis_mode": "balanced"})
    if response.status_code != 202:
        raise BenchError(f"upload refused: {response.status_code} {response.text[:300]}")
    job_id = response.json()["job_id"]
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.get(f"/api/status/{job_id}").json()
        if status["status"] == "completed":
            break
        if status["status"] not in ("pending", "running"):
            raise BenchError(f"job {job_id} ended {status['status']}: {status.get('error')}")
        if time.monotonic() > deadline:
            raise BenchError(f"job {job_id} did not finish within {timeout_s:.0f} s ({status['progress']}%)")
        time.sleep(POLL_INTERVAL_S)
    report = client.get(f"/api/report/{job_id}")
    seconds = time.perf_counter() - started
    if report.status_code != 200 or not report.content:
        raise BenchError(f"report of job {job_id}: {report.status_code}")
    results = client.get(f"/api/results/{job_id}").json()
    return JobRun(job_id, round(seconds, 3), len(report.content), results["stats"], results["results"])


def clear_caches(client: httpx.Client) -> None:
    response = client.post("/api/cache/clear")
    if response.status_code != 200:
        raise BenchError(f"cache clear refused: {response.status_code} {response.text[:300]}")


# -- sampling while the largest job runs -----------------------------------------------------------

def classify(cmdline: list[str]) -> str:
    """A Ray process's group: the deployment of a Serve replica, or a part of Ray itself."""
    head = " ".join(cmdline[:3])
    replica = REPLICA.search(head)
    if replica:
        return replica.group(1)
    return next((group for needle, group in INFRA if needle in head), "other")


def own_processes() -> list[psutil.Process]:
    """Everything this benchmark's ray.init started (GCS, raylet, workers) descends from it."""
    return psutil.Process().children(recursive=True)


def ray_processes() -> list[psutil.Process]:
    """With --url: every Ray process on this machine (their parent is unknown)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if cmdline and (cmdline[0].startswith("ray::") or "/site-packages/ray/" in " ".join(cmdline[:3])):
            found.append(proc)
    return found


@dataclass
class Samples:
    health_ms: list[float] = field(default_factory=list)
    health_errors: int = 0
    memory_samples: int = 0
    peak_process: dict[str, int] = field(default_factory=dict)  # group -> largest single process
    peak_group: dict[str, int] = field(default_factory=dict)  # group -> largest sum over its processes
    pids: dict[str, set[int]] = field(default_factory=dict)
    peak_total: int = 0
    # RSS counts pages shared between processes (Ray's libraries, the object store) in each of them;
    # PSS splits them, so its sum is what the app really holds
    peak_total_pss: int = 0


class Monitor:
    """Samples health latency (~50 ms) and RSS per process (~0.5 s) in two threads, bounded in count."""

    def __init__(self, url: str, processes: Callable[[], Iterable[psutil.Process]], max_seconds: float):
        self.url, self.processes = url, processes
        self.samples = Samples()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._health, args=(int(max_seconds / HEALTH_INTERVAL_S),), daemon=True),
            threading.Thread(target=self._memory, args=(int(max_seconds / MEMORY_INTERVAL_S),), daemon=True),
        ]

    def __enter__(self) -> Samples:
        for thread in self.threads:
            thread.start()
        return self.samples

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def _health(self, max_samples: int) -> None:
        with httpx.Client(base_url=self.url, timeout=5) as client:
            for _ in range(max_samples):
                if self.stop.wait(HEALTH_INTERVAL_S):
                    return
                started = time.perf_counter()
                try:
                    ok = client.get("/api/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.samples.health_ms.append((time.perf_counter() - started) * 1000)
                else:
                    self.samples.health_errors += 1

    def _memory(self, max_samples: int) -> None:
        s = self.samples
        for _ in range(max_samples):
            groups: dict[str, int] = {}
            pss = 0
            for proc in self.processes():
                try:
                    group, memory = classify(proc.cmdline()), proc.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue  # ended between listing and reading
                rss = memory.rss
                pss += memory.pss
                groups[group] = groups.get(group, 0) + rss
                s.peak_process[group] = max(s.peak_process.get(group, 0), rss)
                s.pids.setdefault(group, set()).add(proc.pid)
            for group, rss in groups.items():
                s.peak_group[group] = max(s.peak_group.get(group, 0), rss)
            s.peak_total = max(s.peak_total, sum(groups.values()))
            s.peak_total_pss = max(s.peak_total_pss, pss)
            s.memory_samples += 1
            if self.stop.wait(MEMORY_INTERVAL_S):
                return


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (no interpolation: p99 is a latency some request really had)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# -- the benchmark ---------------------------------------------------------------------------------

def serve_runs(url: str, data: dict[int, dict[str, Path]], processes: Callable[[], Iterable[psutil.Process]],
               job_timeout_s: float) -> tuple[dict[int, dict[str, JobRun]], dict[int, Samples]]:
    """Cold and warm run per size; the monitor watches every cold run (health and memory)."""
    runs: dict[int, dict[str, JobRun]] = {}
    samples: dict[int, Samples] = {}
    with httpx.Client(base_url=url, timeout=120, headers=auth_headers()) as client:
        for rows, paths in data.items():
            files = analysis_files(paths)
            clear_caches(client)
            try:
                with Monitor(url, processes, job_timeout_s) as samples[rows]:
                    cold = run_job(client, files, job_timeout_s)
                warm = run_job(client, files, job_timeout_s)
            except BenchError as exc:
                raise BenchError(f"Serve, {rows:,} rows: {exc}") from exc
            runs[rows] = {"cold": cold, "warm": warm}
            print(f"serve {rows:,} rows: cold {cold.seconds:.1f} s, warm {warm.seconds:.1f} s", file=sys.stderr)
    return runs, samples


def cli_runs(data: dict[int, dict[str, Path]], repeat: int = 1) -> dict[int, dict[str, Any]]:
    """The in-process path (`python -m hienfeld analyze`), models loaded before the clock starts
    so the figure compares with the service, whose models are resident."""
    from hienfeld.config import load_settings
    from hienfeld.models import LocalModels
    from deployments.rows import result_rows
    from hienfeld.pipeline import AnalysisInput, AnalysisOptions, run_analysis
    from evaluation.quality import evaluate

    settings = load_settings()
    models = LocalModels(settings.spacy_model)
    started = time.perf_counter()
    models.lemmatize(["Opwarmen van het model."])
    embedding_model = settings.mode("balanced").embedding_model
    if embedding_model:
        models.embed(["Opwarmen van het model."], embedding_model)
    load_s = round(time.perf_counter() - started, 3)
    out: dict[int, dict[str, Any]] = {}
    for rows, paths in data.items():
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            inputs = AnalysisInput(policy=(paths["policies"].name, paths["policies"].read_bytes()),
                                   conditions=[(paths["conditions"].name, paths["conditions"].read_bytes())],
                                   library=[(paths["library"].name, paths["library"].read_bytes())])
            # no AnalysisCache passed: every attempt analyses anew
            try:
                with RssMonitor() as rss, open(paths["policies"].parent / "cli_report.xlsx", "wb") as report:
                    result = run_analysis(inputs, AnalysisOptions(analysis_mode="balanced"), models, settings,
                                          report_out=report)
            except Exception as exc:
                traceback.print_exc()
                raise BenchError(f"CLI, {rows:,} rows: {type(exc).__name__}: {exc}") from exc
            runs.append((round(time.perf_counter() - started, 3), result, rss.peak))
            print(f"cli {rows:,} rows: {runs[-1][0]:.1f} s, peak RSS {rss.peak / MB:.0f} MB", file=sys.stderr)
        best = min(runs, key=lambda r: r[0])
        seconds, result, _ = best
        # through JSON, as the service's rows came, so equal results compare equal
        rows_json = json.loads(json.dumps(result_rows(result), ensure_ascii=False))
        out[rows] = {"seconds": seconds, "median_s": round(statistics.median(r[0] for r in runs), 3),
                     "all_s": [r[0] for r in runs], "timings": dict(result.stats.timings), "rows": rows_json,
                     "peak_rss_mb": _round(max(r[2] for r in runs) / MB),
                     "quality": evaluate(result, paths["truth"]), "model_load_s": load_s}
    return out


class RssMonitor:
    """Peak resident memory of this process while a CLI job runs (sampled every 0.2 s)."""

    def __init__(self) -> None:
        self.peak = psutil.Process().memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        proc = psutil.Process()
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, proc.memory_info().rss)

    def __enter__(self) -> "RssMonitor":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, psutil.Process().memory_info().rss)


def summarise(sizes: list[int], data: dict[int, dict[str, Any]], runs: dict[int, dict[str, JobRun]],
              cli: dict[int, dict[str, Any]], samples: dict[int, Samples], args: argparse.Namespace) -> dict[str, Any]:
    per_size = []
    for rows in sizes:
        entry: dict[str, Any] = {
            "rows": rows, "distinct_texts": data[rows]["distinct_texts"],
            "distinct_per_10k": round(data[rows]["distinct_texts"] * 10_000 / rows),
            "cli_s": cli[rows]["seconds"], "cli_median_s": cli[rows]["median_s"], "cli_all_s": cli[rows]["all_s"],
            "cli_model_load_s": cli[rows]["model_load_s"], "cli_timings": cli[rows]["timings"],
            "cli_peak_rss_mb": cli[rows]["peak_rss_mb"], "quality": cli[rows]["quality"],
            "clusters": len(cli[rows]["rows"]),
        }
        if rows in runs:
            cold, warm = runs[rows]["cold"], runs[rows]["warm"]
            entry.update({
                "cold_s": cold.seconds, "warm_s": warm.seconds,
                "warm_over_cold": round(warm.seconds / cold.seconds, 3),
                "serve_over_cli": round(cold.seconds / cli[rows]["seconds"], 3),
                "report_bytes": cold.report_bytes, "clusters": len(cold.rows),
                "cold_timings": cold.stats.get("timings", {}), "warm_timings": warm.stats.get("timings", {}),
                "same_results_cold_warm": cold.rows == warm.rows,
                "cli_equals_serve": cli[rows]["rows"] == cold.rows,
                "job_ids": [cold.job_id, warm.job_id],
                "health": _health(samples[rows]), "memory": _memory(samples[rows]),
            })
        per_size.append(entry)
    # how each phase grew from the size before: next to the rows' ratio, > it is superlinear
    for before, after in zip(per_size, per_size[1:]):
        after["growth"] = {"rows": round(after["rows"] / before["rows"], 3)}
        for kind in ("cli_timings", "cold_timings"):
            if kind in before and kind in after:
                after["growth"][kind] = {
                    phase: round(after[kind][phase] / before[kind][phase], 2)
                    for phase in (*PHASES, "total")
                    if before[kind].get(phase) and after[kind].get(phase) is not None}
    smallest, largest = per_size[0], per_size[-1]
    time_key = "cold_s" if runs else "cli_s"
    return {
        "settings": {"sizes": sizes, "seed": args.seed, "corpus": args.corpus, "mode": "balanced",
                     "url": "none (--cli-only)" if args.cli_only else args.url or "started",
                     "cli_repeat": args.cli_repeat, "cpu_count": os.cpu_count(),
                     "date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": os.uname().nodename},
        "sizes": per_size,
        "scaling": {"smallest": smallest["rows"], "largest": largest["rows"], "measure": time_key,
                    "cold_ratio": round(largest[time_key] / smallest[time_key], 3),
                    "rows_ratio": largest["rows"] / smallest["rows"]},
        # app-wide figures of the largest size's cold run (the targets)
        "health": largest.get("health", _health(Samples())),
        "memory": largest.get("memory", _memory(Samples())),
    }


def _health(samples: Samples) -> dict[str, Any]:
    return {"samples": len(samples.health_ms), "errors": samples.health_errors,
            "p50_ms": _round(percentile(samples.health_ms, 50)), "p99_ms": _round(percentile(samples.health_ms, 99))}


def _memory(samples: Samples) -> dict[str, Any]:
    replicas = {g: v for g, v in samples.peak_process.items() if g not in {i for _, i in INFRA} | {"other"}}
    return {"samples": samples.memory_samples,
            "peak_replica_mb": {g: _round(v / MB) for g, v in sorted(replicas.items())},
            "replicas_seen": {g: len(samples.pids[g]) for g in sorted(replicas)},
            "peak_group_mb": {g: _round(v / MB) for g, v in sorted(samples.peak_group.items())},
            "peak_app_mb": _round(samples.peak_total / MB),
            "peak_app_pss_mb": _round(samples.peak_total_pss / MB)}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets; a target whose size (or the Serve path) was not run is "n/a"."""
    by_rows = {s["rows"]: s for s in summary["sizes"]}
    serve = all("cold_s" in s for s in summary["sizes"])
    scaling, health, memory = summary["scaling"], summary["health"], summary["memory"]
    # 50k/10k <= 5.5 is 1.1 x linear; other size pairs get the same allowance
    allowed = round(1.1 * scaling["rows_ratio"], 2)
    ten_k = by_rows.get(10_000)
    checks = [
        ("10k cold <= 15 s", ten_k["cold_s"] <= 15 if ten_k and serve else None,
         f"{ten_k['cold_s']:.1f} s" if ten_k and serve else "no 10,000-row Serve run"),
        ("warm/cold <= 0.25 (every size)",
         max(s["warm_over_cold"] for s in summary["sizes"]) <= 0.25 if serve else None,
         f"max {max(s['warm_over_cold'] for s in summary['sizes']):.2f}" if serve else "no Serve run"),
        (f"{'cold' if serve else 'CLI'} {scaling['largest']:,}/{scaling['smallest']:,} <= {allowed} (issue: 50k/10k <= 5.5)",
         scaling["cold_ratio"] <= allowed if scaling["rows_ratio"] > 1 else None, f"{scaling['cold_ratio']:.2f}"),
        ("Serve/CLI <= 1.15 (every size)",
         max(s["serve_over_cli"] for s in summary["sizes"]) <= 1.15 if serve else None,
         f"max {max(s['serve_over_cli'] for s in summary['sizes']):.2f}" if serve else "no Serve run"),
        ("health p99 < 100 ms, no errors",
         health["p99_ms"] is not None and health["p99_ms"] < 100 and health["errors"] == 0 if serve else None,
         f"p99 {health['p99_ms']} ms, {health['errors']} errors, {health['samples']} samples"),
        ("whole app RSS < 3 GB", 0 < memory["peak_app_mb"] < 3000 if serve else None,
         f"{memory['peak_app_mb']:.0f} MB"),
        (f"varied data (>= {MIN_DISTINCT_PER_10K:,} distinct texts per 10,000 rows)",
         min(s["distinct_per_10k"] for s in summary["sizes"]) >= MIN_DISTINCT_PER_10K,
         f"min {min(s['distinct_per_10k'] for s in summary['sizes']):,}"),
        ("identical results (cold == warm, CLI == Serve)",
         all(s["same_results_cold_warm"] and s["cli_equals_serve"] for s in summary["sizes"]) if serve else None, ""),
    ]
    return [{"target": name, "result": {True: "PASS", False: "FAIL", None: "n/a"}[ok], "value": value}
            for name, ok, value in checks]


def render(summary: dict[str, Any]) -> str:
    """One aligned table: a column per size; app-wide figures in the largest size's column; a
    growth ratio in the column of the larger of the two sizes it compares."""
    sizes = summary["sizes"]
    serve = all("cold_s" in s for s in sizes)

    def num(value: float | None, fmt: str = "{:.2f}") -> str:
        return "-" if value is None else fmt.format(value)

    def yes(flag: bool) -> str:
        return "yes" if flag else "NO"

    def growth(s: dict[str, Any], kind: str, phase: str) -> str:
        g = s.get("growth", {}).get(kind, {}).get(phase)
        return "" if g is None else f"x{g:.2f}"

    def phases(kind: str, label: str) -> list[tuple[str, list[Any]]]:
        lines = []
        for phase in (*PHASES, "total"):
            lines.append((f"  {label} {phase} s", [num(s[kind].get(phase)) for s in sizes]))
            if len(sizes) > 1:
                lines.append((f"    growth {phase}", [growth(s, kind, phase) for s in sizes]))
        return lines

    table: list[tuple[str, list[Any]]] = [
        ("rows", [f"{s['rows']:,}" for s in sizes]),
        ("  growth rows", ["" if "growth" not in s else f"x{s['growth']['rows']:.2f}" for s in sizes]),
        ("distinct texts per 10,000 rows", [f"{s['distinct_per_10k']:,}" for s in sizes]),
        ("CLI s (models loaded, best)", [num(s["cli_s"]) for s in sizes]),
        ("CLI s median" + (f" of {len(sizes[0]['cli_all_s'])}" if len(sizes[0]["cli_all_s"]) > 1 else ""),
         [num(s["cli_median_s"]) for s in sizes]),
        *phases("cli_timings", "CLI phase"),
        ("peak RSS CLI process MB", [num(s["cli_peak_rss_mb"], "{:.0f}") for s in sizes]),
    ]
    if serve:
        table += [
            ("cold s (serve, end to end)", [num(s["cold_s"]) for s in sizes]),
            ("warm s", [num(s["warm_s"]) for s in sizes]),
            ("warm/cold", [num(s["warm_over_cold"]) for s in sizes]),
            ("Serve/CLI (cold / CLI)", [num(s["serve_over_cli"]) for s in sizes]),
            *phases("cold_timings", "cold phase"),
            ("health p50 ms", [num(s["health"]["p50_ms"], "{:.1f}") for s in sizes]),
            ("health p99 ms", [num(s["health"]["p99_ms"], "{:.1f}") for s in sizes]),
        ]
        groups = sorted({g for s in sizes for g in s["memory"]["peak_group_mb"]})
        replicas = sorted({g for s in sizes for g in s["memory"]["peak_replica_mb"]})
        table += [(f"peak RSS replica {g} MB", [num(s["memory"]["peak_replica_mb"].get(g), "{:.0f}") for s in sizes])
                  for g in replicas]
        table += [(f"peak RSS {g} MB (all its processes)",
                   [num(s["memory"]["peak_group_mb"].get(g), "{:.0f}") for s in sizes])
                  for g in groups if g not in replicas]
        table += [
            ("peak RSS whole app MB", [num(s["memory"]["peak_app_mb"], "{:.0f}") for s in sizes]),
            ("peak PSS whole app MB (shared split)", [num(s["memory"]["peak_app_pss_mb"], "{:.0f}") for s in sizes]),
            ("same results cold == warm", [yes(s["same_results_cold_warm"]) for s in sizes]),
            ("CLI == Serve", [yes(s["cli_equals_serve"]) for s in sizes]),
        ]
    table += [("clusters", [str(s["clusters"]) for s in sizes])]
    table += [(f"quality {name} (CLI)", [num(s["quality"].get(name), "{:.3f}") for s in sizes])
              for name in QUALITY if any(s["quality"].get(name) is not None for s in sizes)]
    label_w = max(len(label) for label, _ in table)
    col_w = max(len(str(v)) for _, values in table for v in values) + 2
    lines = [f"{label:<{label_w}}" + "".join(f"{str(v):>{col_w}}" for v in values) for label, values in table]
    lines.append("")
    target_w = max(len(t["target"]) for t in summary["targets"])
    lines += [f"{t['result']:<5} {t['target']:<{target_w}}  {t['value']}" for t in summary["targets"]]
    return "\n".join(lines)


def _fail(message: str) -> int:
    bar = "!" * 78
    print(f"\n{bar}\nBENCHMARK FAILED: {message}\nno figures written\n{bar}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out.resolve()
    app_config = shipped_config()
    prepare_environment(out, app_config)
    data = generate_data(args.sizes, out, args.seed, args.corpus)
    runs: dict[int, dict[str, JobRun]] = {}
    samples: dict[int, Samples] = {}
    try:
        if args.cli_only:
            pass
        elif args.url:
            wait_ready(args.url, args.ready_timeout)
            runs, samples = serve_runs(args.url, data, ray_processes, args.job_timeout)
        else:
            with local_app(args.port, app_config["deployments"], args.ready_timeout) as url:
                runs, samples = serve_runs(url, data, own_processes, args.job_timeout)
        cli = cli_runs(data, args.cli_repeat)  # after the app stopped, so it does not compete for the cores
    except (BenchError, httpx.HTTPError) as exc:
        return _fail(str(exc) or type(exc).__name__)
    summary = summarise(args.sizes, data, runs, cli, samples, args)
    summary["targets"] = targets(summary)
    (out / "bench.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(render(summary))
    print(f"\nfigures: {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
