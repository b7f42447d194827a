"""The service's environment variables: read in deployments/environment.py only, into typed settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deployments.environment import AnalyzerEnvironment, IngressEnvironment, StoreEnvironment, embed_threads

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_when_nothing_is_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = IngressEnvironment.from_environ({})
    assert env.store == StoreEnvironment(data_dir=tmp_path / "data", database_url="", ttl_s=24 * 3600)
    assert (env.stale_after_s, env.max_active_jobs, env.max_job_s) == (60, 50, 3600)
    assert env.access.api_key is None and env.access.cors_origins == () and not env.access.docs
    assert AnalyzerEnvironment.from_environ({}).crash_on_policy_name is None
    assert embed_threads({}) == 1 and embed_threads({"OMP_NUM_THREADS": "3"}) == 3
    assert embed_threads({"OMP_NUM_THREADS": "3", "HIENFELD_EMBED_THREADS": "2"}) == 2


def test_values_are_typed(tmp_path):
    env = IngressEnvironment.from_environ({
        "HIENFELD_DATA_DIR": str(tmp_path), "HIENFELD_DATABASE_URL": "postgresql://h/db", "HIENFELD_JOB_TTL_HOURS": "2",
        "HIENFELD_MAX_ACTIVE_JOBS": "3", "HIENFELD_STALE_JOB_SECONDS": "20.5", "HIENFELD_API_KEY": "k",
        "HIENFELD_CORS_ORIGINS": "https://a.example/, https://b.example", "HIENFELD_ENABLE_DOCS": "true"})
    assert env.store == StoreEnvironment(tmp_path, "postgresql://h/db", 7200.0)
    assert (env.max_active_jobs, env.stale_after_s) == (3, 20.5)
    assert env.access.cors_origins == ("https://a.example", "https://b.example") and env.access.docs


def test_a_malformed_value_names_the_variable():
    with pytest.raises(ValueError, match="HIENFELD_MAX_ACTIVE_JOBS='veel': expected an integer"):
        IngressEnvironment.from_environ({"HIENFELD_MAX_ACTIVE_JOBS": "veel"})


def test_no_other_module_of_the_service_reads_the_environment():
    """dashboard_info.py prints where Ray's dashboard is for `hienfeld serve` (RAY_* variables)."""
    readers = {p.relative_to(ROOT).as_posix() for p in (ROOT / "deployments").rglob("*.py")
               if re.search(r"\bos\.environ|\bgetenv\(", p.read_text(encoding="utf-8"))}
    assert readers == {"deployments/environment.py", "deployments/dashboard_info.py"}
