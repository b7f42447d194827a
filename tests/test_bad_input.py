"""Every bad input refused with a clear Dutch 4xx while the server keeps serving and a running job
finishes untouched (issues 5 and 11), for the policy file, the conditions, the clause library and
the reference. Bombs (a sparse .xlsx, a .docx that unpacks to gigabytes) are refused within a second
without the ingress growing. Valid encodings and delimiters parse right."""

from __future__ import annotations

import functools
import glob
import io
import os
import time
import zipfile

import pytest
from service_helpers import analyse, upload, wait_for
from upload_mutations import damage_member

BIG = "x" * (3 * 1024 * 1024)


def _csv(text: str, encoding: str = "utf-8", name: str = "polissen.csv") -> tuple[str, tuple[str, bytes]]:
    return "policy_file", (name, text.encode(encoding))


_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def sparse_xlsx(far: str = "XFD1048576", header: tuple[str, ...] = ("Tekst",)) -> bytes:
    """A few-KB workbook with a header in row 1 and one cell at `far`: made dense, billions of cells."""
    row = int("".join(ch for ch in far if ch.isdigit()))
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(header))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><dimension ref="A1:{far}"/><sheetData><row r="1">{cells}</row>'
             f'<row r="{row}"><c r="{far}" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(name, text)
    return buffer.getvalue()


@functools.cache
def docx_bomb(uncompressed_mb: int = 480) -> bytes:
    """A .docx of 2 MB whose word/document.xml unpacks to 480 MB of paragraphs (limit: 400 MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"<w:p/>" * (1024 * 1024)
            for _ in range(uncompressed_mb // 6):
                member.write(chunk)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def _bomb(uncompressed_mb: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(uncompressed_mb):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def running_job(client, synth_dir):
    """A job submitted before the bad inputs; it must complete normally."""
    response = client.post("/api/analyze", files=[upload(synth_dir["policies"]),
                                                  upload(synth_dir["conditions"], "conditions_files")])
    assert response.status_code == 202
    return response.json()["job_id"]


def _valid_xlsx(synth_dir) -> bytes:
    return synth_dir["policies"].read_bytes()


def _with(d, field: str, name: str, data: bytes) -> list:
    return [upload(d["policies"]), (field, (name, data))]


CASES = {
    # the policy file
    "empty file": (lambda d: [_csv("")], 422, "leeg"),
    "corrupt xlsx": (lambda d: [("policy_file", ("p.xlsx", b"PK\x03\x04 not really a zip"))], 422, "beschadigd"),
    "truncated xlsx": (lambda d: [("policy_file", ("p.xlsx", _valid_xlsx(d)[: len(_valid_xlsx(d)) // 2]))],
                       422, "beschadigd"),
    # issue 17: the zip directory intact, the sheet's deflate data not ("invalid distance too far back")
    "xlsx with damaged compressed sheet data": (
        lambda d: [("policy_file", ("p.xlsx", damage_member(_valid_xlsx(d), "xl/worksheets/sheet1.xml", 0)))],
        422, "beschadigd"),
    "csv named xlsx": (lambda d: [("policy_file", ("p.xlsx", b"Polisnummer;Tekst\n1;a\n"))], 422,
                       "geen Excel-bestand (.xlsx)"),
    "wrong extension": (lambda d: [("policy_file", ("p.pdf", b"%PDF-1.4"))], 415, "toegestaan: .xlsx, .csv"),
    "no extension": (lambda d: [("policy_file", ("polissen", b"a;b\n1;2\n"))], 415, "toegestaan: .xlsx, .csv"),
    "no text column": (lambda d: [_csv("Nummer;Bedrag;Datum\n1;2;3\n")], 422,
                       "Gevonden kolommen: Nummer, Bedrag, Datum"),
    "binary data named csv": (lambda d: [("policy_file", ("p.csv", b"\x00\x01\x02Tekst\x00"))], 422,
                              "geen tekstbestand"),
    "too many columns": (lambda d: [_csv(";".join(["Tekst"] + [f"k{i}" for i in range(250)]) + "\n")], 413,
                         "kolommen"),
    "too many rows": (lambda d: [_csv("Tekst\n" + "a\n" * 500_001)], 413, "rijen"),
    "cell of several MB": (lambda d: [_csv(f"Polisnummer;Tekst\n1;{BIG}\n")], 413, "cel"),
    "xlsx bomb": (lambda d: [("policy_file", ("p.xlsx", _bomb(450)))], 413, "pakt uit tot"),
    "sparse xlsx to the last cell": (lambda d: [("policy_file", ("p.xlsx", sparse_xlsx()))], 413, "kolom 16384"),
    "sparse xlsx to the last row": (lambda d: [("policy_file", ("p.xlsx", sparse_xlsx("A1048576")))], 413,
                                    "rij 1048576"),
    "sparse xlsx within the limits": (lambda d: [("policy_file", ("p.xlsx", sparse_xlsx("GR500000")))], 413,
                                      "vrijwel leeg"),
    # the conditions
    "conditions wrong type": (lambda d: _with(d, "conditions_files", "v.exe", b"MZ"), 415, "conditions_files"),
    "empty conditions": (lambda d: _with(d, "conditions_files", "v.txt", b""), 422, "leeg"),
    "conditions docx bomb": (lambda d: _with(d, "conditions_files", "v.docx", docx_bomb()), 413, "pakt uit tot"),
    "conditions docx without a document": (lambda d: _with(d, "conditions_files", "v.docx",
                                                           _zip({"[Content_Types].xml": b"<Types/>"})),
                                           422, "geen Word-document"),
    "conditions pdf that is no pdf": (lambda d: _with(d, "conditions_files", "v.pdf", b"Dit is tekst, geen PDF"),
                                      422, "geen PDF"),
    "conditions binary txt": (lambda d: _with(d, "conditions_files", "v.txt", b"\x00\x01\x02\x03"), 422,
                              "geen tekstbestand"),
    # the clause library
    "library wrong type": (lambda d: _with(d, "clause_library_files", "l.doc", b"x"), 415, "clause_library_files"),
    "library without code column": (lambda d: _with(d, "clause_library_files", "l.csv", b"Nummer;Tekst\n1;a\n"),
                                    422, "mist de kolom(men) Code"),
    "library sparse xlsx": (lambda d: _with(d, "clause_library_files", "l.xlsx", sparse_xlsx(header=("Code", "Tekst"))),
                            413, "kolom 16384"),
    "library xlsx bomb": (lambda d: _with(d, "clause_library_files", "l.xlsx", _bomb(450)), 413, "pakt uit tot"),
    "empty library": (lambda d: _with(d, "clause_library_files", "l.csv", b""), 422, "leeg"),
    # the reference
    "reference not xlsx": (lambda d: _with(d, "reference_file", "r.csv", b"x"), 415, "reference_file"),
    "reference sparse xlsx": (lambda d: _with(d, "reference_file", "r.xlsx",
                                              sparse_xlsx(header=("Tekst", "Polisnummer", "Advies", "Status"))),
                              413, "kolom 16384"),
    "reference without report columns": (lambda d: _with(d, "reference_file", "r.xlsx", _valid_xlsx(d)), 422,
                                         "mist de kolom(men) Advies, Status"),
    "reference damaged": (lambda d: _with(d, "reference_file", "r.xlsx", b"PK\x03\x04kapot"), 422, "beschadigd"),
    "reference with damaged compressed sheet data": (
        lambda d: _with(d, "reference_file", "r.xlsx", damage_member(_valid_xlsx(d), "xl/worksheets/sheet1.xml", 0)),
        422, "beschadigd"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_clearly(client, synth_dir, running_job, case):
    files, status, fragment = CASES[case]
    for path in ("/api/upload/preview", "/api/analyze"):
        if path == "/api/upload/preview" and any(f[0] != "policy_file" for f in files(synth_dir)):
            continue
        response = client.post(path, files=files(synth_dir))
        assert response.status_code == status, (case, path, response.text)
        detail = response.json()["detail"]
        assert fragment in detail, (case, detail)
        assert "Traceback" not in detail
        assert files(synth_dir)[-1][0] in detail, (case, detail)  # says which upload it is about
    assert client.get("/api/health").status_code == 200


def _ingress_pid() -> int:
    import ray
    from ray.util.state import list_actors
    address = ray.get_runtime_context().gcs_address  # this session's cluster, not another on the machine
    actors = [a for a in list_actors(address=address, filters=[("state", "=", "ALIVE")], limit=1000)
              if "Ingress" in (a.class_name or "")]
    assert len(actors) == 1, actors
    return actors[0].pid


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


BOMBS = {
    "policy sparse xlsx": lambda d: [("policy_file", ("p.xlsx", sparse_xlsx()))],
    "library sparse xlsx": lambda d: _with(d, "clause_library_files", "l.xlsx", sparse_xlsx(header=("Code", "Tekst"))),
    "reference sparse xlsx": lambda d: _with(d, "reference_file", "r.xlsx",
                                             sparse_xlsx(header=("Tekst", "Polisnummer", "Advies", "Status"))),
    "conditions docx bomb": lambda d: _with(d, "conditions_files", "v.docx", docx_bomb()),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_bombs_are_refused_fast_without_growing_the_ingress(client, synth_dir, bomb):
    """A few-KB sparse workbook (A1 and XFD1048576: 17 billion cells once dense) as policy, library
    or reference, and a .docx unpacking to 2 GB as conditions: 4xx within a second, and the
    ingress's peak memory grows by less than 50 MB."""
    files = BOMBS[bomb](synth_dir)
    client.post("/api/upload/preview", files=[upload(synth_dir["policies"])])  # warm the code path
    pid = _ingress_pid()
    with open(f"/proc/{pid}/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current RSS
    before = _status_kb(pid, "VmRSS")
    started = time.perf_counter()
    response = client.post("/api/analyze", files=files)
    seconds = time.perf_counter() - started
    grown_mb = (_status_kb(pid, "VmHWM") - before) / 1024
    print(f"{bomb}: {response.status_code} in {seconds:.3f} s, ingress peak RSS +{grown_mb:.1f} MB")
    assert 400 <= response.status_code < 500, response.text
    assert seconds < 1.0
    assert grown_mb < 50


def test_validation_errors_are_one_dutch_sentence(client):
    missing = client.post("/api/analyze", data={"cluster_accuracy": "90"})
    assert missing.status_code == 422
    assert isinstance(missing.json()["detail"], str) and "policy_file ontbreekt" in missing.json()["detail"]
    wrong = client.post("/api/analyze", files=[_csv("Tekst\na\n")], data={"cluster_accuracy": "abc"})
    assert wrong.status_code == 422
    detail = wrong.json()["detail"]
    assert isinstance(detail, str) and "cluster_accuracy moet een geheel getal zijn" in detail and "abc" in detail
    out_of_range = client.post("/api/analyze", files=[_csv("Tekst\na\n")], data={"cluster_accuracy": "79"})
    assert out_of_range.status_code == 422 and "tussen 80 en 100" in out_of_range.json()["detail"]


def test_cross_site_requests_cannot_change_state(client, serve_app):
    host = serve_app["url"].split("//", 1)[1]
    files = [_csv("Polisnummer;Tekst\n1;Een korte clausule voor de test\n")]
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    for method, path, kwargs in (("POST", "/api/analyze", {"files": files}),
                                 ("POST", "/api/cancel/00000000-0000-4000-8000-000000000000", {}),
                                 ("POST", "/api/cache/clear?reload=true", {}),
                                 ("DELETE", "/api/cache/embeddings_x", {})):
        refused = client.request(method, path, headers=evil, **kwargs)
        assert refused.status_code == 403, (path, refused.text)
        assert "andere website" in refused.json()["detail"]
    no_origin = client.post("/api/cache/clear", headers={"Sec-Fetch-Site": "cross-site"})
    assert no_origin.status_code == 403
    # the service's own page (same origin) and clients without Origin (curl, scripts) keep working
    own = client.post("/api/analyze", files=files,
                      headers={"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 202, own.text
    assert wait_for(client, own.json()["job_id"])["status"] == "completed"
    assert client.post("/api/cancel/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/api/health", headers=evil).status_code == 200  # reading is not state-changing


def test_running_job_untouched_by_bad_inputs(client, running_job):
    status = wait_for(client, running_job)
    assert status["status"] == "completed", status


@pytest.mark.parametrize("encoding, delimiter, text", [
    ("cp1252", ";", "Eigen risico € 250 voor schade aan het dak, geldig voor de hele polis"),
    ("latin-1", ",", "Dekking voor ruïne en café-inventaris, geldig voor het hele pand"),
    ("utf-8-sig", "\t", "Eigen risico € 500 voor schade aan de privé-auto, geldig overal"),
    ("utf-8", ";", "Eigen risico € 750 voor schade aan de patiëntenkamer, geldig overal"),
])
def test_valid_encodings_and_delimiters_parse_right(client, encoding, delimiter, text):
    body = f"Polisnummer{delimiter}Tekst{delimiter}Branche\n1{delimiter}\"{text}\"{delimiter}Wonen\n"
    preview = client.post("/api/upload/preview", files=[_csv(body, encoding)])
    assert preview.status_code == 200, preview.text
    assert preview.json()["text_column"] == "Tekst" and preview.json()["row_count"] == 1
    status = analyse(client, [_csv(body, encoding)])
    rows = client.get(f"/api/results/{status['job_id']}").json()["results"]
    assert rows[0]["original_text"] == text  # €, ë, é intact


def test_unreadable_conditions_file_is_skipped_with_a_warning(client, synth_dir):
    status = analyse(client, [upload(synth_dir["policies"]), upload(synth_dir["conditions"], "conditions_files"),
                              ("conditions_files", ("kapot.pdf", b"%PDF-1.4 broken"))])
    assert status["status"] == "completed", status
    stats = status["stats"]
    assert stats["analysis_mode"] == "with_conditions"
    assert "kapot.pdf overgeslagen: de PDF kon niet worden gelezen (het bestand is beschadigd of geen PDF)" \
        in stats["warnings"]  # Dutch, the file named once


def test_file_names_are_never_paths(client, serve_app, synth_dir):
    name = "../../../../tmp/hienfeld-escape.csv"
    status = analyse(client, [("policy_file", (name, synth_dir["policies_csv"].read_bytes()))])
    assert status["status"] == "completed"
    stored = list((serve_app["data_dir"] / "jobs" / status["job_id"] / "uploads").iterdir())
    assert [p.name for p in stored] == ["0.csv"]
    assert not any(p.name == "hienfeld-escape.csv" for p in serve_app["data_dir"].rglob("*"))


def test_logs_never_carry_clause_text(client, serve_app, tmp_path):
    import ray
    marker = "Zeldzame-controletekst-7f3a over de tuinkabouter"
    path = tmp_path / "marker.csv"
    path.write_text(f"Polisnummer;Tekst\n1;{marker}\n2;{marker}\n", encoding="utf-8")
    status = wait_for(client, client.post("/api/analyze", files=[upload(path)]).json()["job_id"])
    assert status["status"] == "completed"
    session = ray._private.worker._global_node.get_session_dir_path()
    logs = glob.glob(os.path.join(session, "logs", "**", "*"), recursive=True)
    assert logs
    for log in logs:
        if os.path.isfile(log):
            with open(log, "rb") as fh:
                assert marker.encode() not in fh.read(), log
