"""The analysts' web page in a real browser (Playwright driving Debian's headless Chromium).

CI installs the browser with `apt-get install -y chromium` and the driver with `pip install playwright`;
`playwright install` is never needed (no download at test time). Without them these tests fail, not skip.
Set HIENFELD_SCREENSHOT_DIR to keep screenshots of the page before, during and after an analysis.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest

from hienfeld.config import load_settings

CHROMIUM = os.environ.get("HIENFELD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ANALYSIS_TIMEOUT_MS = 240_000
API_KEY = "geheim-sleutel-123"
FAKE_JOB = "11111111-2222-4333-8444-555555555555"
HOSTILE_TEXT = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Eigen risico <b>vet</b> & "quote"'


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install 'playwright>=1.45,<2' (no 'playwright install' "
                    "needed; the tests use the system Chromium)")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with 'apt-get install -y chromium' "
                    "(or point HIENFELD_CHROMIUM at a Chromium binary)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, serve_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                  base_url=serve_app["url"], locale="nl-NL")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.console_errors = []
    page.page_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
    yield page
    context.close()


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("HIENFELD_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _open(page):
    from playwright.sync_api import expect
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    return expect


def test_page_runs_an_analysis_end_to_end(page, client, synth_dir, tmp_path):
    expect = _open(page)
    assert page.title() == "Hienfeld Clausule-analyse"
    expect(page.get_by_test_id("service-state")).to_contain_text("Service actief")
    expect(page.get_by_test_id("start-button")).to_be_disabled()
    expect(page.get_by_test_id("drop-policy")).to_contain_text(".xlsx of .csv")
    expect(page.get_by_test_id("setting-accuracy")).to_have_value("90")
    expect(page.get_by_test_id("setting-min-frequency")).to_have_value("20")
    expect(page.get_by_test_id("setting-mode")).to_have_value("balanced")
    expect(page.get_by_test_id("model-row").first).to_be_visible()  # the Modellen panel loaded on its own

    page.set_input_files("#file-policy", synth_dir["policies"])
    expect(page.get_by_test_id("preview-text-column")).to_have_text("Tekst")
    expect(page.get_by_test_id("preview-policy-column")).to_have_text("Polisnummer")
    expect(page.get_by_test_id("preview-row-count")).to_have_text("600")
    page.set_input_files("#file-conditions", synth_dir["conditions"])
    page.set_input_files("#file-library", synth_dir["library"])
    expect(page.get_by_test_id("list-conditions")).to_contain_text(synth_dir["conditions"].name)
    expect(page.get_by_test_id("list-library")).to_contain_text(synth_dir["library"].name)
    expect(page.get_by_test_id("start-button")).to_be_enabled()
    _screenshot(page, "01-before")

    page.get_by_test_id("start-button").click()
    expect(page.get_by_test_id("progress")).to_be_visible()
    expect(page.get_by_test_id("cancel-button")).to_be_visible()
    _screenshot(page, "02-during")
    expect(page.get_by_test_id("results")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.get_by_test_id("progress-message")).to_have_text("Analyse voltooid!")
    expect(page.get_by_test_id("cancel-button")).to_be_hidden()

    job_id = page.get_by_test_id("results").get_attribute("data-job-id")
    body = client.get(f"/api/results/{job_id}").json()
    stats, rows = body["stats"], body["results"]
    expect(page.get_by_test_id("total-rows")).to_have_text("600")
    expect(page.get_by_test_id("total-clusters")).to_have_text(str(stats["unique_clusters"]))
    reduction = f"{stats['reduction_percentage']:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    expect(page.get_by_test_id("total-reduction")).to_have_text(f"{reduction}%")

    table_rows = page.get_by_test_id("result-row")
    expect(table_rows).to_have_count(min(len(rows), 200))
    distribution = stats["advice_distribution"]
    bars = page.get_by_test_id("chart-bar")
    expect(bars).to_have_count(len(distribution))
    drawn = {bars.nth(i).get_attribute("data-advice"): int(bars.nth(i).get_attribute("data-count"))
             for i in range(len(distribution))}
    assert drawn == distribution
    _screenshot(page, "03-after")

    # sorting: frequency descending by default; a click on the header turns it around
    def frequencies() -> list[int]:
        return [int(t.replace(".", "")) for t in page.locator("[data-testid=result-row] td:nth-child(3)").all_inner_texts()]
    assert frequencies() == sorted(frequencies(), reverse=True)
    page.locator("th[data-key=frequency] button").click()
    expect(page.locator("th[data-key=frequency]")).to_have_attribute("aria-sort", "ascending")
    assert frequencies() == sorted(frequencies())

    # filter by one advice: only its rows, all with its label
    advice = min(distribution, key=lambda a: (distribution[a], a))
    page.get_by_test_id("advice-filter").select_option(advice)
    expect(table_rows).to_have_count(distribution[advice])
    assert set(page.locator("[data-testid=result-row] [data-testid=advice-badge]").all_inner_texts()) == {advice}
    expect(page.get_by_test_id("table-count")).to_have_text(f"{distribution[advice]} van {len(rows)} clusters")

    # click a row: its full text, reason and article
    row = next(r for r in rows if r["advice_code"] == advice)
    page.locator(f"[data-testid=result-row][data-cluster-id='{row['cluster_id']}']").click()
    detail = page.get_by_test_id("cluster-detail")
    expect(detail.get_by_test_id("detail-text")).to_have_text(row["original_text"].strip() or "(geen tekst)")
    expect(detail.get_by_test_id("detail-reason")).to_have_text(row["reason"])
    expect(detail.get_by_test_id("detail-article")).to_have_text(row["reference_article"] or "–")
    expect(detail.get_by_test_id("detail-advice")).to_have_text(advice)
    _screenshot(page, "04-filtered-detail")

    # search over everything; cleared filter
    page.get_by_test_id("advice-filter").select_option("")
    page.get_by_test_id("table-search").fill(rows[0]["cluster_id"])
    expect(table_rows.first).to_have_attribute("data-cluster-id", rows[0]["cluster_id"])
    page.get_by_test_id("table-search").fill("zzz-bestaat-niet")
    expect(table_rows).to_have_count(0)
    expect(page.get_by_test_id("table-empty")).to_be_visible()

    # the report
    with page.expect_download() as info:
        page.get_by_test_id("download-report").click()
    download = info.value
    assert download.suggested_filename == "Hienfeld_Analyse.xlsx"
    path = tmp_path / "report.xlsx"
    download.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert {"Analyseresultaten", "Cluster Samenvatting"} <= set(book.sheetnames)
    assert book["Analyseresultaten"].max_row == 601

    # Modellen: after a refresh every model replica is listed with its keys
    page.get_by_test_id("models-refresh").click()
    expect(page.get_by_test_id("models-summary")).to_contain_text("Bijgewerkt")
    replicas = client.get("/api/cache/stats").json()["replicas"]
    expect(page.get_by_test_id("model-row")).to_have_count(len(replicas))
    expect(page.get_by_test_id("models-table")).to_contain_text(f"embeddings_{load_settings().default_embedding_model}")

    assert not page.page_errors, page.page_errors
    assert not page.console_errors, page.console_errors  # includes any Content-Security-Policy violation


def test_static_files_are_whitelisted(client):
    page = client.get("/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    codes = client.get("/static/advice_codes.js")
    assert codes.headers["content-type"].startswith("text/javascript") and '"family": "remove"' in codes.text
    for name in ("index.html", "..%2Fingress.py", "app.js.map", "%2Fetc%2Fpasswd"):
        assert client.get(f"/static/{name}").status_code == 404, name


def test_page_asks_for_api_key_shows_errors_and_never_renders_markup(page, synth_dir, tmp_path):
    """The API is put behind a key by intercepting the page's requests; analyze/status/results/cancel/report
    are answered by the fake, preview and cache stats by the real service (which then sees the key)."""
    seen_keys: list[str | None] = []
    forms: list[bytes] = []
    status_calls = {"n": 0}
    analyses = iter([{"job_id": FAKE_JOB + "-a"}, {"job_id": FAKE_JOB}])

    def fake_api(route, request):
        path = request.url.split("://", 1)[1].split("/", 1)[1]
        path = "/" + path.split("?", 1)[0]
        if path.startswith("/api/health"):
            return route.continue_()
        key = request.headers.get("x-api-key")
        seen_keys.append(key)
        if key != API_KEY:
            return route.fulfill(status=401, json={"detail": "API key required: send 'X-API-Key: <key>'"})
        if path == "/api/analyze":
            forms.append(request.post_data_buffer)
            return route.fulfill(status=202, json={**next(analyses), "status": "pending"})
        if path == f"/api/status/{FAKE_JOB}-a":  # runs until cancelled
            return route.fulfill(json={"job_id": FAKE_JOB + "-a", "status": "running", "progress": 35,
                                       "status_message": "Slim clusteren...", "error": None, "stats": None})
        if path == f"/api/cancel/{FAKE_JOB}-a":
            return route.fulfill(json={"job_id": FAKE_JOB + "-a", "status": "cancelled", "progress": 35,
                                       "status_message": "Analyse geannuleerd", "error": None, "stats": None})
        if path == f"/api/status/{FAKE_JOB}":
            status_calls["n"] += 1
            done = status_calls["n"] > 1
            return route.fulfill(json={"job_id": FAKE_JOB, "status": "completed" if done else "running",
                                       "progress": 100 if done else 60,
                                       "status_message": "Analyse voltooid!" if done else "Analyseren...",
                                       "error": None, "stats": FAKE_STATS if done else None})
        if path == f"/api/results/{FAKE_JOB}":
            return route.fulfill(json={"job_id": FAKE_JOB, "status": "completed", "stats": FAKE_STATS,
                                       "results": FAKE_ROWS})
        if path == f"/api/report/{FAKE_JOB}":
            return route.fulfill(status=409, json={"detail": f"job {FAKE_JOB} is expired, not completed"})
        return route.continue_()

    page.route(re.compile(r".*/api/.*"), fake_api)
    expect = _open(page)

    # the Modellen panel's first call gets a 401: the key field appears
    expect(page.get_by_test_id("api-key-panel")).to_be_visible()
    expect(page.get_by_test_id("models-summary")).to_have_text("API-sleutel nodig.")
    page.get_by_test_id("api-key-input").fill(API_KEY)
    page.get_by_test_id("api-key-save").click()
    expect(page.get_by_test_id("api-key-panel")).to_be_hidden()
    expect(page.get_by_test_id("model-row").first).to_be_visible()  # retried with the key, real answer
    assert page.evaluate("sessionStorage.getItem('hienfeld.apiKey')") == API_KEY

    # errors: a wrong file type (refused in the page) and a file the service rejects (its detail shown)
    wrong = tmp_path / "notities.txt"
    wrong.write_text("geen polisexport")
    page.set_input_files("#file-policy", wrong)
    expect(page.get_by_test_id("error-alert").last).to_contain_text("Fout: Polisexport: 'notities.txt'")
    no_text = tmp_path / "zonder_tekst.csv"
    no_text.write_text("Polisnummer;Bedrag\nP1;100\n", encoding="utf-8")
    page.set_input_files("#file-policy", no_text)
    expect(page.get_by_test_id("error-alert").last).to_contain_text("geen tekstkolom gevonden")
    expect(page.get_by_test_id("error-alert").last).to_contain_text("HTTP 422")
    expect(page.get_by_test_id("preview-error")).to_contain_text("geen tekstkolom gevonden")
    page.get_by_test_id("setting-min-frequency").fill("5000")
    page.get_by_test_id("start-button").click()
    expect(page.get_by_test_id("error-alert").last).to_contain_text("Minimale frequentie")
    page.set_input_files("#file-policy", synth_dir["policies_csv"])
    expect(page.get_by_test_id("preview-row-count")).to_have_text("600")

    # settings and a dropped file travel in the multipart form under the contract's names
    page.get_by_test_id("setting-min-frequency").fill("5")
    page.get_by_test_id("setting-accuracy").fill("95")
    expect(page.get_by_test_id("accuracy-value")).to_have_text("95%")
    page.get_by_test_id("setting-mode").select_option("accurate")
    page.get_by_test_id("setting-instructions").fill("eigen risico storm -> VERWIJDEREN")
    dropped = page.evaluate_handle(
        "() => { const dt = new DataTransfer();"
        " dt.items.add(new File([new Uint8Array([80, 75, 3, 4])], 'vorig_rapport.xlsx')); return dt; }")
    page.dispatch_event("#drop-reference", "drop", {"dataTransfer": dropped})
    expect(page.get_by_test_id("list-reference")).to_contain_text("vorig_rapport.xlsx")

    # a job that is cancelled
    page.get_by_test_id("start-button").click()
    expect(page.get_by_test_id("progress-message")).to_have_text("Slim clusteren...")
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("aria-valuenow", "35")
    page.get_by_test_id("cancel-button").click()
    expect(page.get_by_test_id("progress-message")).to_have_text("Analyse geannuleerd")
    expect(page.get_by_test_id("start-button")).to_be_enabled()
    form = forms[0]
    for field, value in (("cluster_accuracy", b"95"), ("min_frequency", b"5"), ("analysis_mode", b"accurate"),
                         ("extra_instruction", b"eigen risico storm -> VERWIJDEREN")):
        assert b'name="%s"\r\n\r\n%s\r\n' % (field.encode(), value) in form, field
    assert b'name="policy_file"; filename="polissen.csv"' in form
    assert b'name="reference_file"; filename="vorig_rapport.xlsx"' in form

    # a job whose clause texts look like HTML: shown as text, never run
    page.get_by_test_id("start-button").click()
    expect(page.get_by_test_id("results")).to_be_visible()
    expect(page.get_by_test_id("result-row")).to_have_count(len(FAKE_ROWS))
    expect(page.get_by_test_id("chart-bar")).to_have_count(len(FAKE_STATS["advice_distribution"]))
    page.locator("[data-testid=result-row][data-cluster-id='CL-0001']").click()
    expect(page.get_by_test_id("detail-text")).to_have_text(HOSTILE_TEXT)
    expect(page.get_by_test_id("detail-reason")).to_have_text(FAKE_ROWS[0]["reason"])
    assert page.locator("#results img, #results script, #results b").count() == 0
    assert page.evaluate("window.__xss") is None
    families = {page.locator(f"[data-cluster-id='{r['cluster_id']}'] [data-testid=advice-badge]")
                .get_attribute("class").split()[-1] for r in FAKE_ROWS}
    assert families == {"badge-remove", "badge-replace", "badge-check", "badge-custom"}  # advice_codes.py's
    _screenshot(page, "05-hostile-text")

    # the report is gone: the service's 409 detail is shown
    page.get_by_test_id("download-report").click()
    expect(page.get_by_test_id("error-alert").last).to_contain_text(f"Fout: job {FAKE_JOB} is expired")
    _screenshot(page, "06-errors")

    assert API_KEY in seen_keys and seen_keys[0] is None
    assert all(k == API_KEY for k in seen_keys[seen_keys.index(API_KEY):]), seen_keys
    assert not page.page_errors, page.page_errors
    assert not [m for m in page.console_errors if "Content Security Policy" in m], page.console_errors


FAKE_ROWS = [
    {"cluster_id": "CL-0001", "cluster_name": "<b>vet</b> clausule", "frequency": 12, "advice_code": "VERWIJDEREN",
     "confidence": "Hoog", "reason": "Staat in de voorwaarden <i>(art. 2)</i>", "reference_article": "Art 2 – <u>x</u>",
     "original_text": HOSTILE_TEXT, "row_type": "SINGLE", "parent_id": None, "action_status": None},
    {"cluster_id": "CL-0002", "cluster_name": "Vervangen", "frequency": 5, "advice_code": "🔄 VERVANGEN",
     "confidence": "Midden", "reason": "Bibliotheek", "reference_article": "LIB-01", "original_text": "Tekst twee",
     "row_type": "SINGLE", "parent_id": None, "action_status": None},
    {"cluster_id": "CL-0003", "cluster_name": "Handmatig", "frequency": 1, "advice_code": "HANDMATIG CHECKEN",
     "confidence": "Laag", "reason": "Geen overeenkomst", "reference_article": "", "original_text": "Tekst drie",
     "row_type": "SINGLE", "parent_id": None, "action_status": None},
    {"cluster_id": "CL-0004", "cluster_name": "Eigen regel", "frequency": 2, "advice_code": "📋 <em>ACTIE</em>",
     "confidence": "Hoog", "reason": "Eigen instructie", "reference_article": "", "original_text": "Tekst vier",
     "row_type": "SINGLE", "parent_id": None, "action_status": None},
]
FAKE_STATS = {
    "total_rows": 20, "total_clauses": 20, "unique_clusters": 4, "reduction_percentage": 80.0,
    "analysis_mode": "with_conditions",
    "advice_distribution": {r["advice_code"]: 1 for r in FAKE_ROWS},
}
