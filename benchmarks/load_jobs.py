"""Load held (issue 17): `python -m benchmarks.load_jobs`. Not part of the test suite: it runs for
minutes and loads the machine.

Generates `--inputs` held-out policy exports (benchmarks/heldout) of `--rows` rows, each with its
conditions and clause library, runs each once alone through the Serve app (balanced mode), then
submits `--jobs` analyses of them at once, every one under a file name of its own so that no
Analyzer reuses an earlier result (each job computes: `result_reused` is false; the model
replicas' result caches are warm from the solo runs, as in a service that ran jobs). It checks that
every job completes with the rows of its input's solo run and that no request answered 5xx, and
samples GET /api/health (every ~50 ms, benchmarks/bench.py's monitor) from the first upload to the
last result: p50, p99, max and errors. Figures go to <out>/load_jobs.json.

It starts its own Ray instance and app on 127.0.0.1:--port with serve_config.yaml's settings, as
`make bench` does, or with --url measures a running app. Exit code 0 when every check passed.

    python -m benchmarks.load_jobs [--jobs 8] [--inputs 2] [--rows 10000] [--seed 0] [--out bench_out/load]
                                   [--port 18500 | --url URL]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench import (BenchError, JobRun, Monitor, analysis_files, auth_headers, generate_data, local_app,
                              own_processes, percentile, prepare_environment, ray_processes, run_job, shipped_config,
                              wait_ready)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load_jobs", description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=8, help="analyses submitted at once")
    p.add_argument("--inputs", type=int, default=2, help="distinct policy exports the jobs cycle through")
    p.add_argument("--rows", type=int, default=10_000, help="rows per policy export")
    p.add_argument("--seed", type=int, default=0, help="seed of the first input (the next ones count on)")
    p.add_argument("--out", type=Path, default=Path("bench_out/load"))
    p.add_argument("--port", type=int, default=18500, help="HTTP port of the app this benchmark starts")
    p.add_argument("--url", help="measure a running app instead of starting one")
    p.add_argument("--job-timeout", type=float, default=3600, help="seconds the concurrent phase may take")
    p.add_argument("--ready-timeout", type=float, default=600, help="seconds the app may take to become ready")
    args = p.parse_args(argv)
    if args.jobs < 1 or args.inputs < 1 or args.rows < 1:
        p.error("--jobs, --inputs and --rows must be positive")
    return args


def renamed(files: list, label: str) -> list:
    """The same uploads, the policy under a name of its own (the result caches key on it)."""
    (field, (name, data)), rest = files[0], files[1:]
    return [(field, (f"{label}-{name}", data))] + rest


class ServerErrors:
    """Counts 5xx answers of every request the load makes (an httpx response hook)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        if response.status_code >= 500:
            with self.lock:
                self.seen.append(f"{response.request.method} {response.request.url.path} {response.status_code}")


def load(url: str, inputs: list[list], jobs: int, processes, timeout_s: float) -> dict[str, Any]:
    errors = ServerErrors()
    with httpx.Client(base_url=url, timeout=120, headers=auth_headers(), event_hooks={"response": [errors]}) as client:
        solo: list[JobRun] = []
        for i, files in enumerate(inputs):
            solo.append(run_job(client, renamed(files, f"solo{i}"), timeout_s))
            print(f"solo run of input {i}: {solo[-1].seconds:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        with Monitor(url, processes, timeout_s) as samples, \
                concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_job, client, renamed(inputs[j % len(inputs)], f"load{j}"), timeout_s)
                       for j in range(jobs)]
            outcomes: list[JobRun | BaseException] = []
            for future in futures:
                try:
                    outcomes.append(future.result())
                except (BenchError, httpx.HTTPError) as exc:
                    outcomes.append(exc)
        wall_s = time.perf_counter() - started
    per_job = []
    for j, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            per_job.append({"job": j, "input": j % len(inputs), "error": str(outcome)})
            continue
        per_job.append({"job": j, "input": j % len(inputs), "job_id": outcome.job_id, "seconds": outcome.seconds,
                        "clusters": len(outcome.rows), "result_reused": outcome.stats.get("result_reused"),
                        "equals_solo": outcome.rows == solo[j % len(inputs)].rows})
    health = samples.health_ms
    return {
        "solo_s": [run.seconds for run in solo],
        "concurrent_wall_s": round(wall_s, 1),
        "jobs": per_job,
        "server_errors": errors.seen,
        "health": {"samples": len(health), "errors": samples.health_errors,
                   "p50_ms": _round(percentile(health, 50)), "p99_ms": _round(percentile(health, 99)),
                   "max_ms": _round(max(health) if health else None)},
        "peak_app_pss_mb": _round(samples.peak_total_pss / 1e6),
    }


def checks(figures: dict[str, Any]) -> dict[str, bool]:
    jobs = figures["jobs"]
    return {
        "every job completed": all("error" not in j for j in jobs),
        "every job computed (result_reused false)": all(j.get("result_reused") is False for j in jobs),
        "every job equals its solo run": all(j.get("equals_solo") for j in jobs),
        "no 5xx answer": not figures["server_errors"],
        "health always answered": figures["health"]["errors"] == 0 and figures["health"]["samples"] > 0,
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out.resolve()
    app_config = shipped_config()
    prepare_environment(out, app_config)
    data = generate_data([args.rows], out, args.seed, "heldout")[args.rows]
    inputs = [analysis_files(data)]
    for i in range(1, args.inputs):  # further inputs: other seeds, same size
        inputs.append(analysis_files(generate_data([args.rows], out / f"input{i}", args.seed + i, "heldout")[args.rows]))
    try:
        if args.url:
            wait_ready(args.url, args.ready_timeout)
            figures = load(args.url, inputs, args.jobs, ray_processes, args.job_timeout)
        else:
            with local_app(args.port, app_config["deployments"], args.ready_timeout) as url:
                figures = load(url, inputs, args.jobs, own_processes, args.job_timeout)
    except (BenchError, httpx.HTTPError) as exc:
        print(f"load benchmark failed: {exc}", file=sys.stderr)
        return 1
    figures["settings"] = {"jobs": args.jobs, "inputs": args.inputs, "rows": args.rows, "seed": args.seed,
                           "mode": "balanced", "corpus": "heldout", "url": args.url or "started"}
    figures["checks"] = checks(figures)
    (out / "load_jobs.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({k: figures[k] for k in ("solo_s", "concurrent_wall_s", "health", "checks")}, indent=2))
    print(f"\nfigures: {out / 'load_jobs.json'}")
    return 0 if all(figures["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
