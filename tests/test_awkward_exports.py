"""Awkward but valid policy exports, as they really come (issue 11): delimiters, encodings, quoted
commas, quotes and line breaks, formula-like cells, header rows below a title block, several
sheets, Excel's `sep=` line, trailing empty columns. Each one is read by hienfeld.tables with every
row and every text intact, and analysed through the service with every row in the report."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
from openpyxl.styles import Font

from hienfeld.config import load_settings
from hienfeld.ingest import inspect_policy_file, read_policy_file
from shipped import read_reference

LIMITS = load_settings().limits
HYPERLINK = '=HYPERLINK("https://polis.example/voorwaarden?a=1,b=2","Zie voorwaarden, artikel 3")'
TEXTS = [
    "Eigen risico € 250 per gebeurtenis, ook bij storm, hagel en neerslag.",
    "Diefstal uit de auto is gedekt, mits sporen van braak aanwezig zijn.",
    "Uitgesloten: schade door opzet, grove schuld of fraude.",
]


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    texts: list[str]  # the text column, row by row
    policies: list[str] | None = None
    sheet: str | None = None


def _csv(rows: list[list[str]], delimiter: str = ";", encoding: str = "utf-8", newline: str = "\n",
         before: str = "", quote_all: bool = False) -> bytes:
    def cell(value: str) -> str:
        if quote_all or any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value
    body = newline.join(delimiter.join(cell(c) for c in row) for row in rows) + newline
    return (before + body).encode(encoding)


def _table(texts: list[str], policies: list[str] | None = None, extra: bool = True) -> list[list[str]]:
    policies = policies or [f"P{i:05d}" for i in range(1, len(texts) + 1)]
    rows = [["Polisnummer", "Tekst", "Branche"] if extra else ["Polisnummer", "Tekst"]]
    rows += [[p, t, "Wonen"] if extra else [p, t] for p, t in zip(policies, texts)]
    return rows


def _xlsx(sheets: dict[str, list[list[object]]], styled_empty: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = sheet.cell(r, c, value)
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"  # a text cell that looks like a formula, as exports hold them
        if styled_empty:  # formatted but empty cells to the right, as Excel leaves them
            for r in range(1, len(rows) + 1):
                sheet.cell(r, 12).font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _exports() -> dict[str, Export]:
    p = [f"P{i:05d}" for i in range(1, 4)]
    bug_text = f'{HYPERLINK} - geldt voor "alle" risico\'s, ook buiten Nederland'
    multi_line = "Regel een van de clausule,\nregel twee; met puntkomma\r\nen regel drie."
    formulas = ["=SOM(A1:A3) is geen formule", "+31 6 1234 5678 bellen bij schade", "-10% korting op de premie",
                "@verzekerde meldt schade binnen 3 dagen", "\tingesprongen tekst", "=1+1"]
    cases = {
        "utf8 semicolon": Export("p.csv", _csv(_table(TEXTS)), TEXTS, p),
        "bom semicolon quoted hyperlink (the refused export)": Export(
            "p.csv", _csv(_table([bug_text] + TEXTS[1:]), encoding="utf-8-sig", newline="\r\n"),
            [bug_text] + TEXTS[1:], p),
        "cp1252 semicolon": Export("p.csv", _csv(_table(TEXTS), encoding="cp1252"), TEXTS, p),
        "latin-1 comma quoted": Export("p.csv", _csv(_table(["Café-inventaris, ruïne en zo", "Één, twee"]),
                                                     delimiter=",", encoding="latin-1"),
                                       ["Café-inventaris, ruïne en zo", "Één, twee"]),
        "latin-1 bytes cp1252 leaves undefined": Export(
            "p.csv", "Polisnummer;Tekst\n1;Tekst met \x81 en \x8d erin\n".encode("latin-1"),
            ["Tekst met \x81 en \x8d erin"]),
        "tab separated with bom": Export("p.tsv.csv", _csv(_table(TEXTS), delimiter="\t", encoding="utf-8-sig"),
                                         TEXTS, p),
        "pipe separated": Export("p.csv", _csv(_table(TEXTS), delimiter="|"), TEXTS, p),
        "excel sep line": Export("p.csv", _csv(_table(TEXTS), delimiter=",", before="sep=,\n"), TEXTS, p),
        "excel sep line semicolon crlf": Export(
            "p.csv", _csv(_table(TEXTS), delimiter=";", before="sep=;\r\n", newline="\r\n", encoding="utf-8-sig"),
            TEXTS, p),
        "quoted line breaks": Export("p.csv", _csv(_table([multi_line, TEXTS[0]]), newline="\r\n"),
                                     [multi_line, TEXTS[0]]),
        "doubled quotes everywhere": Export("p.csv", _csv(_table(['Dekking "all risk" en "extra"', TEXTS[1]]),
                                                          quote_all=True),
                                            ['Dekking "all risk" en "extra"', TEXTS[1]]),
        "title block above header": Export(
            "p.csv", _csv(_table(TEXTS), before="Export vrije teksten\nGemaakt op 01-02-2024, door: systeem\n\n"),
            TEXTS, p),
        "trailing empty columns": Export(
            "p.csv", "Polisnummer;Tekst;;;\nP1;Eerste clausule;;;\nP2;Tweede clausule;;;\n".encode(),
            ["Eerste clausule", "Tweede clausule"], ["P1", "P2"]),
        "formula-like cells": Export("p.csv", _csv(_table(formulas)), formulas),
        "utf-16 with bom tab (Excel unicode text)": Export(
            "p.csv", _csv(_table(TEXTS), delimiter="\t", encoding="utf-16"), TEXTS, p),
        "old mac line endings": Export("p.csv", _csv(_table(TEXTS), newline="\r"), TEXTS, p),
        "blank lines between rows": Export(
            "p.csv", ("Polisnummer;Tekst\n\nP1;" + TEXTS[0] + "\n\n\nP2;" + TEXTS[1] + "\n\n").encode(),
            TEXTS[:2], ["P1", "P2"]),
        "ragged rows": Export("p.csv", "Polisnummer;Tekst;Branche\nP1;Kort\nP2;Lang;Wonen;extra;meer\n".encode(),
                              ["Kort", "Lang"], ["P1", "P2"]),
        "header in other case and spacing": Export(
            "p.csv", " POLISNR ; Vrije   Tekst \nP1;Een\nP2;Twee\n".encode(), ["Een", "Twee"], ["P1", "P2"]),
        "single column without delimiter": Export("p.csv", ("Tekst\n" + "\n".join(TEXTS) + "\n").encode(), TEXTS),
        "semicolons but more commas in the data": Export(
            "p.csv", "Polisnummer;Tekst\nP1;a, b, c, d, e, f en g\nP2;h, i, j\n".encode(),
            ["a, b, c, d, e, f en g", "h, i, j"], ["P1", "P2"]),
        "empty and short texts kept": Export("p.csv", "Polisnummer;Tekst\nP1;\nP2;x\nP3;" .encode() + TEXTS[0].encode()
                                             + b"\n", ["", "x", TEXTS[0]], ["P1", "P2", "P3"]),
        "xlsx plain": Export("p.xlsx", _xlsx({"Blad1": _table(TEXTS)}), TEXTS, p, "Blad1"),
        "xlsx header on row 4 below a title": Export(
            "p.xlsx", _xlsx({"Export": [["Vrije teksten per polis"], [], ["Datum: 2024-02-01"]] + _table(TEXTS)}),
            TEXTS, p, "Export"),
        "xlsx several sheets, table on the second": Export(
            "p.xlsx", _xlsx({"Toelichting": [["Deze export bevat de vrije teksten."], ["Zie tabblad Export."]],
                             "Export": _table(TEXTS)}), TEXTS, p, "Export"),
        "xlsx numbers and dates as text": Export(
            "p.xlsx", _xlsx({"Blad1": [["Polisnummer", "Tekst", "Ingangsdatum"],
                                       [12345, TEXTS[0], dt.datetime(2024, 1, 31)],
                                       [67890.0, TEXTS[1], dt.date(2023, 12, 1)]]}),
            TEXTS[:2], ["12345", "67890"], "Blad1"),
        "xlsx formula-like strings": Export("p.xlsx", _xlsx({"Blad1": _table(formulas)}), formulas, sheet="Blad1"),
        "xlsx trailing formatted empty columns": Export(
            "p.xlsx", _xlsx({"Blad1": _table(TEXTS)}, styled_empty=True), TEXTS, p, "Blad1"),
        "xlsx line breaks in cells": Export("p.xlsx", _xlsx({"Blad1": _table([multi_line, TEXTS[2]])}),
                                            [multi_line, TEXTS[2]], sheet="Blad1"),
    }
    return cases


EXPORTS = _exports()


@pytest.mark.parametrize("name", list(EXPORTS))
def test_awkward_export_reads_every_row(name):
    export = EXPORTS[name]
    table = read_policy_file(export.filename, export.data, LIMITS)
    assert table.texts == export.texts
    if export.policies is not None:
        assert table.policy_numbers == export.policies
    info = inspect_policy_file(export.filename, export.data, LIMITS)
    assert info["row_count"] == len(export.texts) and info["text_column"] == table.text_column
    assert info["sheet"] == export.sheet


def test_corpus_is_large_enough():
    assert len(EXPORTS) >= 25


def test_the_sheet_used_is_named_when_there_are_several():
    table = read_policy_file("p.xlsx", EXPORTS["xlsx several sheets, table on the second"].data, LIMITS)
    assert table.notes == ["Werkblad 'Export' gelezen (2 werkbladen in het bestand)."]


# -- through the service: every row of every export in the report ---------------------------------

@pytest.mark.parametrize("name", list(EXPORTS))
def test_awkward_export_analyses_with_every_row_in_the_report(client, name):
    from service_helpers import analyse
    export = EXPORTS[name]
    status = analyse(client, [("policy_file", (export.filename, export.data))],
                     data={"analysis_mode": "fast", "min_frequency": "2"})
    assert status["status"] == "completed", status
    assert status["stats"]["total_rows"] == len(export.texts)
    report = client.get(f"/api/report/{status['job_id']}")
    assert report.status_code == 200
    rows = read_reference(report.content).rows  # the report's Analyseresultaten sheet
    assert sorted(r.text for r in rows) == sorted(export.texts)
    if export.policies is not None:
        assert sorted(r.policy for r in rows) == sorted(export.policies)
    if export.sheet == "Export" and "several" in name:
        assert any("Werkblad 'Export'" in w for w in status["stats"]["warnings"])
