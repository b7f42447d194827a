"""One Ray instance and one Serve app (serve_config.yaml's settings) per test session, and the test
markers (CONTRIBUTING.md): a test is marked by the fixtures it uses, so a new test file that asks for
`client` is a `serve` test without a marker of its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HIENFELD_EMBED_THREADS", "2")

import httpx
import psutil
import pytest
from pg_server import PostgresServer
from service_helpers import CRASH_POLICY_NAME, HTTP_PORT, deploy_config

DASHBOARD_PORT = int(os.environ.get("HIENFELD_TEST_DASHBOARD_PORT", 18265))

# What a fixture needs, as the marker of every test that uses it (directly or through another fixture).
FIXTURE_MARKERS = {
    "serve_app": "serve",
    "client": "serve",
    "postgres_server": "postgres",
    "cluster": "cluster",
    "browser": "browser",
}
RAY_MARKERS = ("serve", "cluster")  # the only ones allowed to start Ray
RAY_PROCESS_NAMES = ("raylet", "gcs_server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            marker = FIXTURE_MARKERS.get(fixture)
            if marker and not item.get_closest_marker(marker):
                item.add_marker(marker)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run without serve or cluster tests (`make test-unit`) must not have started Ray: it would
    make the fast path slow and hide a test that needs a marker."""
    if any(item.get_closest_marker(m) for item in session.items for m in RAY_MARKERS):
        return
    started = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.name() in RAY_PROCESS_NAMES:
                started.append(child.name())
        except psutil.Error:  # gone meanwhile
            continue
    ray = sys.modules.get("ray")
    if started or (ray is not None and ray.is_initialized()):
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"A test without a serve or cluster marker started Ray ({', '.join(started) or 'ray.init'}); "
            "mark it (CONTRIBUTING.md)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def serve_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hienfeld-data")
    os.environ["HIENFELD_DATA_DIR"] = str(data_dir)
    os.environ["HIENFELD_STALE_JOB_SECONDS"] = "20"
    os.environ["HIENFELD_TEST_CRASH_ON_POLICY_NAME"] = CRASH_POLICY_NAME  # tests/test_faults.py
    import ray
    from ray import serve

    ray.init(num_cpus=2, include_dashboard=True, dashboard_host="127.0.0.1", dashboard_port=DASHBOARD_PORT,
             log_to_driver=False)
    serve.start(http_options={"host": "127.0.0.1", "port": HTTP_PORT})
    dashboard = f"http://127.0.0.1:{DASHBOARD_PORT}"
    deploy_config(dashboard)  # serve_config.yaml through the dashboard's REST API, as `serve deploy` does
    yield {"url": f"http://127.0.0.1:{HTTP_PORT}", "data_dir": data_dir, "dashboard": dashboard}
    serve.shutdown()
    ray.shutdown()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for this session (tests/pg_server.py), stopped at its end."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(serve_app):
    with httpx.Client(base_url=serve_app["url"], timeout=120) as c:
        yield c


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory) -> dict[str, Path]:
    from evaluation.synth import generate
    return generate(600, tmp_path_factory.mktemp("synth"), seed=7)
