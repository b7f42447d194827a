"""Access control, CORS, upload limits and queue limits with the Ingress redeployed under test
settings (keys, a 1 MB upload limit, a queue of 1); the shipped settings are restored after."""

from __future__ import annotations

import httpx
import pytest
from service_helpers import deploy_config, upload, wait_for, wait_until

API_KEY, ADMIN_KEY = "analyst-key", "admin-key"
ORIGIN = "https://analyse.example.test"


@pytest.fixture(scope="module")
def secured(serve_app, client):
    env = {"HIENFELD_API_KEY": API_KEY, "HIENFELD_ADMIN_KEY": ADMIN_KEY, "HIENFELD_MAX_UPLOAD_MB": "1",
           "HIENFELD_MAX_ACTIVE_JOBS": "1", "HIENFELD_CORS_ORIGINS": ORIGIN}
    deploy_config(serve_app["dashboard"], {"Ingress": {"ray_actor_options": {"runtime_env": {"env_vars": env}}}})
    wait_until(lambda: client.get("/api/status/x").status_code == 401, timeout_s=120)
    yield client
    deploy_config(serve_app["dashboard"])
    wait_until(lambda: client.get("/api/status/x").status_code == 404, timeout_s=120)


def test_health_and_page_need_no_key(secured):
    assert secured.get("/api/health").status_code == 200
    assert secured.get("/api/health/live").status_code == 200
    assert secured.get("/").status_code == 200


def test_api_needs_the_key_in_either_header(secured):
    refused = secured.get("/api/cache/stats")
    assert refused.status_code == 401 and "API-sleutel" in refused.json()["detail"]
    assert secured.get("/api/cache/stats", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert secured.get("/api/cache/stats", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
    assert secured.get("/api/cache/stats", headers={"X-API-Key": API_KEY}).status_code == 200
    assert secured.post("/api/analyze").status_code == 401


def test_cache_admin_needs_the_admin_key(secured):
    analyst = {"X-API-Key": API_KEY}
    assert secured.post("/api/cache/clear", headers=analyst).status_code == 401
    assert secured.delete("/api/cache/embeddings_x", headers=analyst).status_code == 401
    assert secured.post("/api/cache/clear", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_cors_allows_only_configured_origins(secured):
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = secured.options("/api/analyze", headers={"Origin": ORIGIN, **preflight})
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    other = secured.options("/api/analyze", headers={"Origin": "https://evil.test", **preflight})
    assert "access-control-allow-origin" not in other.headers


def test_upload_limit_is_enforced_while_streaming(secured, serve_app):
    headers = {"X-API-Key": API_KEY}
    declared = secured.post("/api/upload/preview", headers=headers,
                            files=[("policy_file", ("p.csv", b"Tekst\n" + b"a" * 2_000_000))])
    assert declared.status_code == 413 and "1 MB" in declared.json()["detail"]

    def chunks():  # no Content-Length: the limit must hold on the streamed bytes
        yield b"--b\r\nContent-Disposition: form-data; name=\"policy_file\"; filename=\"p.csv\"\r\n\r\nTekst\n"
        for _ in range(64):
            yield b"a" * 65536
        yield b"\r\n--b--\r\n"
    streamed = httpx.post(f"{serve_app['url']}/api/upload/preview", content=chunks(), timeout=60,
                          headers={**headers, "Content-Type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413


def test_queue_beyond_limit_answers_503_with_retry_after(secured, synth_dir):
    headers = {"X-API-Key": API_KEY}
    files = [upload(synth_dir["policies_csv"])]
    first = secured.post("/api/analyze", headers=headers, files=files)
    assert first.status_code == 202
    second = secured.post("/api/analyze", headers=headers, files=files)
    if second.status_code == 202:  # the first finished already; the limit is still one at a time
        wait_for(httpx.Client(base_url=str(secured.base_url), headers=headers), second.json()["job_id"])
    else:
        assert second.status_code == 503 and second.headers["retry-after"] == "30"
        assert "bezet" in second.json()["detail"]
    done = wait_for(httpx.Client(base_url=str(secured.base_url), headers=headers), first.json()["job_id"])
    assert done["status"] == "completed", done["error"]
