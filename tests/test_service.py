"""The Serve app end to end: health, jobs, results, report, resident-model statistics (issue 2)."""

from __future__ import annotations

import io
import time
import uuid

import openpyxl
import pytest
import yaml
from service_helpers import ROOT, analyse, upload, wait_for

from hienfeld.config import load_settings, packaged_config
from hienfeld.models import LocalModels
from hienfeld.options import AnalysisOptions
from hienfeld.pipeline import AnalysisInput, run_analysis
from deployments.rows import result_rows

UNKNOWN = "00000000-0000-4000-8000-000000000000"
BALANCED_MODEL = load_settings().mode("balanced").embedding_model
DEFAULT_KEY = f"embeddings_{load_settings().default_embedding_model}"
ANALYZER_MAX_REPLICAS = next(d for d in yaml.safe_load(packaged_config("serve_config.yaml").read_text())["applications"][0][
    "deployments"] if d["name"] == "Analyzer")["autoscaling_config"]["max_replicas"]


def _files(synth_dir, conditions: bool = True, library: bool = True) -> list:
    files = [upload(synth_dir["policies"])]
    if conditions:
        files.append(upload(synth_dir["conditions"], "conditions_files"))
    if library:
        files.append(upload(synth_dir["library"], "clause_library_files"))
    return files


def _per_deployment(stats: dict, field: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for replica in stats["replicas"]:
        totals[replica["deployment"]] = totals.get(replica["deployment"], 0) + replica["result_cache"][field]
    return totals


def test_health_endpoints(client):
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["version"] and health["timestamp"].endswith("+00:00")
    assert client.get("/api/health/live").json() == {"status": "alive"}
    ready = client.get("/api/health/ready")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["spacy"]["ok"] and checks["spacy"]["pipeline"] == LocalModels("nl_core_news_md").pipeline_name()
    assert DEFAULT_KEY in checks["embeddings"]["models"]


def test_security_headers_and_request_id(client):
    response = client.get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/docs").status_code == 404  # docs are off unless enabled


@pytest.mark.parametrize("with_documents", [False, True], ids=["policy-only", "with-conditions-and-library"])
def test_resident_models_count_jobs_and_answer_repeats_from_cache(client, synth_dir, with_documents, tmp_path):
    """The deployment checklist's Test 1: a balanced analysis, also of a policy file alone, uses
    both resident models (access_count 1, then 2) without reloading them."""
    assert client.post("/api/cache/clear").status_code == 200
    before = client.get("/api/cache/stats").json()
    created = {k: e["created_at"] for k, e in before["entries"].items()}
    used = [f"embeddings_{BALANCED_MODEL}", next(k for k in created if k.startswith("nlp_service_"))]
    assert set(used) <= set(created)

    # The policy rows under a name no earlier job used: no Analyzer holds this input's result.
    policy = tmp_path / f"koud-{uuid.uuid4().hex[:8]}{synth_dir['policies'].suffix}"
    policy.write_bytes(synth_dir["policies"].read_bytes())
    files = [upload(policy)] + _files(synth_dir, conditions=with_documents, library=with_documents)[1:]
    first = analyse(client, files)
    assert first["status"] == "completed", first
    assert first["stats"]["result_reused"] is False
    after_one = client.get("/api/cache/stats").json()
    for key in used:
        entry = after_one["entries"][key]
        assert entry["access_count"] == 1, (key, entry)
        assert entry["created_at"] == created[key]
    misses_one = _per_deployment(after_one, "misses")
    last_one = {k: e["last_accessed"] for k, e in after_one["entries"].items()}

    time.sleep(0.05)
    second = analyse(client, files)
    assert second["status"] == "completed", second
    after_two = client.get("/api/cache/stats").json()
    for key in used:
        entry = after_two["entries"][key]
        assert entry["access_count"] == 2, (key, entry)
        assert entry["created_at"] == created[key]  # resident: not reloaded for the second job
        assert entry["last_accessed"] > last_one[key]
    # The repeat was answered from the result caches: no new misses, hits grew (summed per
    # deployment, since the Embedder may have scaled out meanwhile).
    assert _per_deployment(after_two, "misses") == misses_one
    assert all(hits > 0 for hits in _per_deployment(after_two, "hits").values())
    for replica in after_two["replicas"]:
        for entry in replica["entries"].values():
            assert {"request_count", "item_count", "load_seconds", "age_seconds"} <= set(entry)
            assert "job_ids" not in entry
        assert replica["pid"] > 0 and replica["node_id"] and replica["rss_bytes"] > 0

    def results(job: dict) -> list:
        return client.get(f"/api/results/{job['job_id']}").json()["results"]
    results_one = results(first)
    # A repeat gets the first result from the Analyzer process that computed it; one that reaches
    # another Analyzer replica computes it there once, so of max_replicas repeats the last is reused.
    repeats = [second]
    while not repeats[-1]["stats"]["result_reused"] and len(repeats) < ANALYZER_MAX_REPLICAS:
        repeats.append(analyse(client, files))
    assert repeats[-1]["stats"]["result_reused"] is True
    assert results(repeats[-1]) == results_one
    # Cold and warm model caches, both computed: the same rows under another name again.
    renamed = policy.rename(policy.with_name(f"warm-{uuid.uuid4().hex[:8]}{policy.suffix}"))
    warm = analyse(client, [upload(renamed)] + files[1:])
    assert warm["status"] == "completed" and warm["stats"]["result_reused"] is False, warm
    assert results(warm) == results_one


def test_cache_clear_empties_every_replica(client, synth_dir):
    analyse(client, _files(synth_dir, library=False))
    cleared = client.post("/api/cache/clear").json()
    assert cleared["status"] == "ok" and cleared["cleared_count"] >= 2
    assert cleared["message"] == f"Cleared {cleared['cleared_count']} cached services"
    stats = client.get("/api/cache/stats").json()
    assert stats["replicas"]
    for replica in stats["replicas"]:
        assert replica["result_cache"]["size"] == 0 and replica["result_cache"]["hits"] == 0
    assert all(e["access_count"] == 0 for e in stats["entries"].values())


def test_cache_reload_gives_new_created_at_and_unknown_key_is_404(client):
    stats = client.get("/api/cache/stats").json()
    key = next(k for k in stats["entries"] if k.startswith("nlp_service_"))
    old = stats["entries"][key]["created_at"]
    assert client.delete(f"/api/cache/{key}").status_code == 200
    assert client.get("/api/cache/stats").json()["entries"][key]["created_at"] > old
    assert client.delete("/api/cache/embeddings_nope").status_code == 404


def test_unknown_job_ids_are_404(client):
    for path in (f"/api/status/{UNKNOWN}", f"/api/results/{UNKNOWN}", f"/api/report/{UNKNOWN}",
                 "/api/status/not-a-uuid", "/api/results/..%2F..%2Fetc"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/api/cancel/{UNKNOWN}").status_code == 404


def test_results_rows_stats_and_report(client, synth_dir):
    status = analyse(client, _files(synth_dir))
    assert status["progress"] == 100 and status["status_message"] == "Analyse voltooid!"
    body = client.get(f"/api/results/{status['job_id']}").json()
    stats, rows = body["stats"], body["results"]
    assert stats["total_rows"] == 600 and stats["analysis_mode"] == "with_conditions"
    assert stats["unique_clusters"] == len(rows) and sum(r["frequency"] for r in rows) == 600
    assert sum(stats["advice_distribution"].values()) == len(rows)
    assert stats["models"]["embedding_model"] == BALANCED_MODEL and stats["models"]["spacy_pipeline"]
    assert {"read", "clustering", "matching", "report", "total"} <= set(stats["timings"])
    assert rows[0]["cluster_id"] == "CL-0001"
    assert set(rows[0]) >= {"cluster_id", "cluster_name", "frequency", "advice_code", "confidence", "reason",
                            "reference_article", "original_text", "row_type", "parent_id", "action_status"}
    assert all(r["confidence"] in ("Hoog", "Midden", "Laag") and r["row_type"] == "SINGLE" for r in rows)

    report = client.get(f"/api/report/{status['job_id']}")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "Hienfeld_Analyse.xlsx" in report.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)
    assert {"Analyseresultaten", "Cluster Samenvatting"} <= set(book.sheetnames)
    assert book["Analyseresultaten"].max_row == 601


def test_cancel_and_not_finished_is_409(client, synth_dir):
    response = client.post("/api/analyze", files=_files(synth_dir))
    job_id = response.json()["job_id"]
    cancelled = client.post(f"/api/cancel/{job_id}")
    if cancelled.status_code == 200:  # it may already have finished on a fast machine
        assert cancelled.json()["status"] == "cancelled"
        assert client.get(f"/api/results/{job_id}").status_code == 409
        assert client.get(f"/api/report/{job_id}").status_code == 409
        assert wait_for(client, job_id)["status"] == "cancelled"
    else:
        assert cancelled.status_code == 409


def test_progress_never_goes_back(client, synth_dir):
    job_id = client.post("/api/analyze", files=_files(synth_dir)).json()["job_id"]
    seen = []
    for _ in range(600):
        status = client.get(f"/api/status/{job_id}").json()
        seen.append(status["progress"])
        if status["status"] not in ("pending", "running"):
            break
        time.sleep(0.05)
    assert seen == sorted(seen) and seen[-1] == 100


def test_cli_and_service_give_same_clusters(client, synth_dir):
    status = analyse(client, _files(synth_dir))
    served = client.get(f"/api/results/{status['job_id']}").json()["results"]
    settings = load_settings()
    local = run_analysis(
        AnalysisInput(policy=(synth_dir["policies"].name, synth_dir["policies"].read_bytes()),
                      conditions=[(synth_dir["conditions"].name, synth_dir["conditions"].read_bytes())],
                      library=[(synth_dir["library"].name, synth_dir["library"].read_bytes())]),
        AnalysisOptions(), LocalModels(settings.spacy_model), settings)
    assert result_rows(local) == served


@pytest.mark.parametrize("data, fragment", [
    ({"cluster_accuracy": "79"}, "cluster_accuracy"),
    ({"min_frequency": "0"}, "min_frequency"),
    ({"analysis_mode": "turbo"}, "analysis_mode"),
    ({"window_size": "5000"}, "window_size"),
])
def test_parameters_out_of_range_are_422(client, synth_dir, data, fragment):
    response = client.post("/api/analyze", files=[upload(synth_dir["policies"])], data=data)
    assert response.status_code == 422 and fragment in response.json()["detail"]


def test_preview_detects_columns(client, synth_dir):
    preview = client.post("/api/upload/preview", files=[upload(synth_dir["policies_csv"])]).json()
    assert preview["text_column"] == "Tekst" and preview["policy_column"] == "Polisnummer"
    assert preview["row_count"] == 600 and "Branche" in preview["columns"]


@pytest.mark.parametrize("mode, model", [("fast", None), ("accurate", "use-multilingual-v3")])
def test_every_mode_runs_through_the_service(client, synth_dir, mode, model):
    status = analyse(client, _files(synth_dir), data={"analysis_mode": mode})
    assert status["status"] == "completed", status
    assert status["stats"]["mode"] == mode
    assert status["stats"]["models"]["embedding_model"] == model
    if model:  # the Embedder holds it with its own stats entry
        entries = client.get("/api/cache/stats").json()["entries"]
        assert entries[f"embeddings_{model}"]["access_count"] >= 1
        assert DEFAULT_KEY in entries


def test_all_minilm_stays_loadable_next_to_the_default_model(client):
    """all-MiniLM-L6-v2 is no mode's model any more (docs/quality.md), but a deployment checklist
    names it: the Embedder loads it on request, with its own entry."""
    from ray import serve
    embedder = serve.get_deployment_handle("Embedder", app_name="hienfeld")
    vectors = embedder.embed.remote(["De woning is verzekerd tegen brand."], model="all-MiniLM-L6-v2",
                                    job_id="minilm-check").result(timeout_s=120)
    assert vectors.shape == (1, 384)
    entries = client.get("/api/cache/stats").json()["entries"]
    assert entries["embeddings_all-MiniLM-L6-v2"]["access_count"] >= 1 and DEFAULT_KEY in entries


def test_reference_report_is_compared(client, synth_dir, tmp_path):
    first = analyse(client, _files(synth_dir))
    reference = tmp_path / "vorige.xlsx"
    reference.write_bytes(client.get(f"/api/report/{first['job_id']}").content)
    again = analyse(client, _files(synth_dir) + [upload(reference, "reference_file")])
    assert again["status"] == "completed", again
    summary = again["stats"]["reference"]
    assert summary["nieuw"] == 0 and summary["verdwenen"] == 0 and summary["gewijzigd"] == 0
    rows = client.get(f"/api/results/{again['job_id']}").json()["results"]
    assert {r["action_status"] for r in rows} == {"🔲 Open"}  # nothing marked done in the reference
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/report/{again['job_id']}").content), read_only=True)
    assert "Verdwenen Teksten" in book.sheetnames
    header = next(book["Analyseresultaten"].iter_rows(max_row=1, values_only=True))
    assert {"Actie Status", "Ref. Advies", "Vergelijking"} <= set(header)
