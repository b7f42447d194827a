"""Damaged uploads never crash a reader (issue 17): every upload type, mutated at the byte level and,
for .xlsx/.docx, at the level of the zip's XML parts and of a member's compressed data, is either read
or refused with an InputError (a 4xx with a Dutch message), by the upload check the ingress runs and
by the reader the analysis runs. Any other exception is a 500 in the service and fails the test.

Seeded and bounded: FUZZ_EXAMPLES examples per upload type and mutation; HIENFELD_FUZZ_EXAMPLES
raises it for a longer search (`make fuzz`)."""

from __future__ import annotations

import functools
import io
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import fpdf
import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_conditions import make_docx
from upload_mutations import byte_mutations, compressed_data_damage, damage_member, part_mutations

from hienfeld.clause_library import parse_clause_library
from hienfeld.conditions import parse_conditions
from hienfeld.config import load_settings
from hienfeld.errors import InputError
from hienfeld.ingest import read_policy_file
from hienfeld.reference import read_reference
from hienfeld.upload_check import check_upload

FUZZ_EXAMPLES = int(os.environ.get("HIENFELD_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, derandomize=True, database=None,
                deadline=timedelta(seconds=10),  # generous on a shared machine; a read that slow fails
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LIMITS = load_settings().limits

CLAUSES = [
    "Eigen risico € 250 per gebeurtenis voor schade aan het woonhuis.",
    "Uitgesloten is schade door aardbeving en vulkanische uitbarsting.",
    "De verzekering geldt ook voor de inboedel in de schuur (maximaal € 5.000).",
    "Glasschade is meeverzekerd tot een bedrag van € 1.500 per jaar.",
    "Molest en atoomkernreacties zijn uitgesloten; zie artikel 4.",
]
ARTICLES = [line for i, text in enumerate(CLAUSES, 1) for line in (f"Artikel {i} Bepaling {i}", text)]
LIBRARY_LINES = [f"{code} {text}" for code, text in zip(("9NX3", "1AB2", "2CD4", "3EF5", "4GH6"), CLAUSES)]


def _policy_rows() -> list[list[str]]:
    return [[f"P{n:05d}", CLAUSES[n % len(CLAUSES)]] for n in range(40)]


def policy_xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Polissen")
    for r, row in enumerate([["Polisnummer", "Tekst"]] + _policy_rows()):
        sheet.write_row(r, 0, row)
    workbook.close()
    return buffer.getvalue()


def _openpyxl(rows: list[list[str]], title: str) -> bytes:
    # openpyxl, not xlsxwriter: another writer, another zip layout (shared strings, other parts)
    workbook = openpyxl.Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def library_xlsx() -> bytes:
    return _openpyxl([["Code", "Tekst", "Categorie"]]
                     + [line.split(" ", 1) + ["Woonhuis"] for line in LIBRARY_LINES], "Clausules")


def reference_xlsx() -> bytes:
    rows = [[row[1], row[0], "BEHOUDEN", "✅ Afgerond" if i % 2 else "🔲 Open"]
            for i, row in enumerate(_policy_rows())]
    return _openpyxl([["Tekst", "Polisnummer", "Advies", "Status"]] + rows, "Analyseresultaten")


def pdf(lines: list[str]) -> bytes:
    # fpdf2 compresses its page streams: damage reaches pypdf's inflating too
    document = fpdf.FPDF()
    document.set_font("Helvetica", size=11)
    for page in (lines[:len(lines) // 2], lines[len(lines) // 2:]):
        document.add_page()
        for line in page:
            document.multi_cell(0, 6, line.replace("€", "EUR"), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "".join(";".join(row) + "\n" for row in rows).encode("utf-8")


# What the analysis runs on each kind of upload (hienfeld.pipeline).
def _policy(filename: str, data: bytes) -> object:
    return read_policy_file(filename, data, LIMITS)


def _conditions(filename: str, data: bytes) -> object:
    return parse_conditions([(filename, data)], load_settings().conditions.chunk_chars, LIMITS)


def _library(filename: str, data: bytes) -> object:
    return parse_clause_library([(filename, data)], LIMITS)


def _reference(filename: str, data: bytes) -> object:
    return read_reference(data, LIMITS)


@dataclass(frozen=True)
class Upload:
    field: str  # the form field of POST /api/analyze
    filename: str
    make: Callable[[], bytes]
    read: Callable[[str, bytes], object]  # what the analysis runs on the file

    @functools.cached_property
    def data(self) -> bytes:
        return self.make()


UPLOADS = {
    "policy xlsx": Upload("policy_file", "polissen.xlsx", policy_xlsx, _policy),
    "policy csv": Upload("policy_file", "polissen.csv", lambda: csv_bytes([["Polisnummer", "Tekst"]] + _policy_rows()),
                         _policy),
    "conditions pdf": Upload("conditions_files", "voorwaarden.pdf", lambda: pdf(ARTICLES), _conditions),
    "conditions docx": Upload("conditions_files", "voorwaarden.docx",
                              lambda: make_docx(ARTICLES, table=[["Bedrag", "€ 250"], ["Termijn", "3 maanden"]]),
                              _conditions),
    "conditions txt": Upload("conditions_files", "voorwaarden.txt", lambda: "\n".join(ARTICLES).encode("utf-8"),
                             _conditions),
    "library csv": Upload("clause_library_files", "clausules.csv",
                          lambda: csv_bytes([["Code", "Tekst"]] + [line.split(" ", 1) for line in LIBRARY_LINES]),
                          _library),
    "library xlsx": Upload("clause_library_files", "clausules.xlsx", library_xlsx, _library),
    "library docx": Upload("clause_library_files", "clausules.docx", lambda: make_docx(LIBRARY_LINES), _library),
    "library pdf": Upload("clause_library_files", "clausules.pdf", lambda: pdf(LIBRARY_LINES), _library),
    "reference xlsx": Upload("reference_file", "referentie.xlsx", reference_xlsx, _reference),
}
ZIPPED = [name for name, upload in UPLOADS.items() if upload.filename.endswith((".xlsx", ".docx"))]
MUTATIONS = {"bytes": byte_mutations, "xml parts": part_mutations, "compressed data": compressed_data_damage}
CASES = [(name, "bytes") for name in UPLOADS] + [(name, m) for name in ZIPPED for m in ("xml parts", "compressed data")]


def read_or_refuse(upload: Upload, data: bytes) -> None:
    """The property: the upload check and the analysis's reader each read `data` or refuse it with
    an InputError whose message is a 4xx naming the field and the file (the check) or saying what is
    wrong (the reader); any other exception propagates and fails the test."""
    try:
        check_upload(upload.field, upload.filename, data, LIMITS)
    except InputError as exc:
        assert 400 <= exc.status_code < 500
        assert str(exc).startswith(f"{upload.field} '{upload.filename}' ("), str(exc)
    try:
        upload.read(upload.filename, data)
    except InputError as exc:
        assert 400 <= exc.status_code < 500 and str(exc).strip()


@pytest.mark.parametrize("name", list(UPLOADS))
def test_unmutated_uploads_are_read(name):
    """The fuzz tests start from files that are read in full, else they would prove nothing."""
    upload = UPLOADS[name]
    check_upload(upload.field, upload.filename, upload.data, LIMITS)
    result = upload.read(upload.filename, upload.data)
    assert len(result.rows if hasattr(result, "rows") else result) >= 5


@pytest.mark.parametrize("name, mutation", CASES)
@FUZZ
@given(choice=st.data())
def test_damaged_upload_is_read_or_refused(name, mutation, choice):
    upload = UPLOADS[name]
    read_or_refuse(upload, choice.draw(MUTATIONS[mutation](upload.data), label=mutation))


@pytest.mark.parametrize("name", ["policy xlsx", "library xlsx", "reference xlsx"])
def test_workbook_with_damaged_compressed_sheet_data_is_refused(name):
    """Issue 17's six 500s: the zip directory is intact, a worksheet's deflate data is not, and
    zlib says so only when the sheet is inflated ("invalid distance too far back")."""
    upload = UPLOADS[name]
    sheet = next(n for n in zipfile.ZipFile(io.BytesIO(upload.data)).namelist() if "worksheets/" in n)
    damaged = damage_member(upload.data, sheet, 0)
    with zipfile.ZipFile(io.BytesIO(damaged)) as archive:  # the directory still opens
        with pytest.raises(zlib.error, match="invalid distance too far back"):
            archive.read(sheet)
    with pytest.raises(InputError, match="beschadigd"):
        upload.read(upload.filename, damaged)
    with pytest.raises(InputError, match=rf"^{upload.field} '{upload.filename}' \(.*beschadigd"):
        check_upload(upload.field, upload.filename, damaged, LIMITS)
