"""One Ray instance and one Serve app (serve_config.yaml's settings) per test session."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HIENFELD_EMBED_THREADS", "2")

import httpx
import pytest
from pg_server import PostgresServer
from service_helpers import CRASH_POLICY_NAME, HTTP_PORT, deploy_config

DASHBOARD_PORT = int(os.environ.get("HIENFELD_TEST_DASHBOARD_PORT", 18265))


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
    from hienfeld.synth import generate
    return generate(600, tmp_path_factory.mktemp("synth"), seed=7)
