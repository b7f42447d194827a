"""The service's environment variables: read here and nowhere else in `deployments/`, into typed
settings that the deployments take as constructor (`bind`) arguments.

Each deployment reads its own in its constructor, in its replica (`X.from_environ()`), when none
is bound: an operator sets these per node (the data folder is a local disk) or per deployment
(`ray_actor_options.runtime_env.env_vars`, how secrets stay out of the config file, which the
dashboard shows), and the process that builds the graph sees neither. A test or another app that
wants other values binds them: `Ingress.bind(analyzer, parser, embedder, IngressEnvironment(...))`.

| variable | default | what |
|---|---|---|
| `HIENFELD_DATA_DIR` | `./data` | SQLite job store and report cache (a node's local folder) |
| `HIENFELD_DATABASE_URL` | unset: SQLite | `postgresql://...`: the job store on a server |
| `HIENFELD_JOB_TTL_HOURS` | 24 | a finished job's results and files are kept this long |
| `HIENFELD_STALE_JOB_SECONDS` | 60 | a job without a heartbeat this long is queued again |
| `HIENFELD_MAX_ACTIVE_JOBS` | 50 | jobs pending or running at once; beyond, 503 |
| `HIENFELD_MAX_JOB_SECONDS` | 3600 | one attempt of a job at most |
| `HIENFELD_API_KEY`, `HIENFELD_ADMIN_KEY` | unset | keys for /api and for cache administration |
| `HIENFELD_CORS_ORIGINS` | unset | comma-separated origins allowed cross-site |
| `HIENFELD_ENABLE_DOCS` | off | `1`: /docs and /openapi.json |
| `HIENFELD_EMBED_THREADS`, else `OMP_NUM_THREADS` | 1 | torch threads of an Embedder replica |
| `HIENFELD_TEST_CRASH_ON_POLICY_NAME` | unset | fault tests only: a job with this policy file name ends the replica |

The analysis settings (`HIENFELD_CONFIG`, `HIENFELD_<LIMIT>`) are `hienfeld.config.load_settings`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")


def _number(environ: Mapping[str, str], name: str, default: float, kind: type = float) -> float:
    text = environ.get(name, "").strip()
    try:
        return kind(text) if text else default
    except ValueError:
        raise ValueError(f"{name}={text!r}: expected {'an integer' if kind is int else 'a number'}") from None


@dataclass(frozen=True)
class StoreEnvironment:
    """Where the jobs are kept (deployments/jobstore)."""

    data_dir: Path
    database_url: str = ""  # "" is the SQLite store under data_dir
    ttl_s: float = 24 * 3600

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "StoreEnvironment":
        return cls(data_dir=data_dir(environ), database_url=environ.get("HIENFELD_DATABASE_URL", ""),
                   ttl_s=_number(environ, "HIENFELD_JOB_TTL_HOURS", 24) * 3600)


@dataclass(frozen=True)
class AccessEnvironment:
    """Who may call the API (deployments/http_guard.py)."""

    api_key: str | None = None
    admin_key: str | None = None
    cors_origins: tuple[str, ...] = ()
    docs: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "AccessEnvironment":
        origins = environ.get("HIENFELD_CORS_ORIGINS", "").split(",")
        return cls(api_key=environ.get("HIENFELD_API_KEY") or None,
                   admin_key=environ.get("HIENFELD_ADMIN_KEY") or None,
                   cors_origins=tuple(o.strip().rstrip("/") for o in origins if o.strip()),
                   docs=environ.get("HIENFELD_ENABLE_DOCS", "").lower() in ("1", "true", "yes"))


@dataclass(frozen=True)
class IngressEnvironment:
    store: StoreEnvironment
    access: AccessEnvironment
    stale_after_s: float = 60.0
    max_active_jobs: int = 50
    max_job_s: float = 3600.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "IngressEnvironment":
        return cls(store=StoreEnvironment.from_environ(environ), access=AccessEnvironment.from_environ(environ),
                   stale_after_s=_number(environ, "HIENFELD_STALE_JOB_SECONDS", 60),
                   max_active_jobs=_number(environ, "HIENFELD_MAX_ACTIVE_JOBS", 50, int),
                   max_job_s=_number(environ, "HIENFELD_MAX_JOB_SECONDS", 3600))


@dataclass(frozen=True)
class AnalyzerEnvironment:
    store: StoreEnvironment
    # fault tests only (tests/conftest.py sets it; unset in service): a job whose policy file has
    # this name ends the replica process, as a crash would, on every attempt
    crash_on_policy_name: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "AnalyzerEnvironment":
        return cls(store=StoreEnvironment.from_environ(environ),
                   crash_on_policy_name=environ.get("HIENFELD_TEST_CRASH_ON_POLICY_NAME") or None)


def data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get("HIENFELD_DATA_DIR") or DEFAULT_DATA_DIR).absolute()


def embed_threads(environ: Mapping[str, str] = os.environ) -> int:
    """torch threads: HIENFELD_EMBED_THREADS, else OMP_NUM_THREADS (Ray derives it from the
    replica's num_cpus), else 1."""
    return int(environ.get("HIENFELD_EMBED_THREADS") or environ.get("OMP_NUM_THREADS") or 1)
