"""Every bad input refused with a clear 4xx while the server keeps serving and a running job
finishes untouched (issue 5). Valid encodings and delimiters parse right."""

from __future__ import annotations

import glob
import io
import os
import zipfile

import pytest
from service_helpers import analyse, upload, wait_for

BIG = "x" * (3 * 1024 * 1024)


def _csv(text: str, encoding: str = "utf-8", name: str = "polissen.csv") -> tuple[str, tuple[str, bytes]]:
    return "policy_file", (name, text.encode(encoding))


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


CASES = {
    "empty file": (lambda d: [_csv("")], 422, "empty"),
    "corrupt xlsx": (lambda d: [("policy_file", ("p.xlsx", b"PK\x03\x04 not really a zip"))], 422, "damaged"),
    "truncated xlsx": (lambda d: [("policy_file", ("p.xlsx", _valid_xlsx(d)[: len(_valid_xlsx(d)) // 2]))],
                       422, "damaged"),
    "csv named xlsx": (lambda d: [("policy_file", ("p.xlsx", b"Polisnummer;Tekst\n1;a\n"))], 422, "xlsx"),
    "wrong extension": (lambda d: [("policy_file", ("p.pdf", b"%PDF-1.4"))], 415, "accepted: .xlsx, .csv"),
    "no extension": (lambda d: [("policy_file", ("polissen", b"a;b\n1;2\n"))], 415, "accepted: .xlsx, .csv"),
    "no text column": (lambda d: [_csv("Nummer;Bedrag;Datum\n1;2;3\n")], 422, "Columns found: Nummer, Bedrag, Datum"),
    "too many columns": (lambda d: [_csv(";".join(["Tekst"] + [f"k{i}" for i in range(250)]) + "\n")], 413,
                         "columns"),
    "too many rows": (lambda d: [_csv("Tekst\n" + "a\n" * 500_001)], 413, "rows"),
    "cell of several MB": (lambda d: [_csv(f"Polisnummer;Tekst\n1;{BIG}\n")], 413, "cell"),
    "xlsx bomb": (lambda d: [("policy_file", ("p.xlsx", _bomb(450)))], 413, "unpacks to"),
    "conditions wrong type": (lambda d: [upload(d["policies"]), ("conditions_files", ("v.exe", b"MZ"))], 415,
                              "conditions_files"),
    "library wrong type": (lambda d: [upload(d["policies"]), ("clause_library_files", ("l.doc", b"x"))], 415,
                           "clause_library_files"),
    "reference not xlsx": (lambda d: [upload(d["policies"]), ("reference_file", ("r.csv", b"x"))], 415,
                           "reference_file"),
    "empty conditions": (lambda d: [upload(d["policies"]), ("conditions_files", ("v.txt", b""))], 422, "empty"),
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
    assert client.get("/api/health").status_code == 200


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
    assert any("kapot.pdf" in w for w in stats["warnings"])


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
