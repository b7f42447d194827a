"""Write the four files: policy export (CSV or XLSX), conditions (DOCX), library (XLSX), truth (JSON)."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter
from docx import Document

POLICY_COLUMNS = ["Polisnummer", "Branche", "Ingangsdatum", "Tekst", "Opmerking"]


def write_policy_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        w.writerow(POLICY_COLUMNS)
        w.writerows(rows)


def write_policy_xlsx(path: Path, rows: list[list[str]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Polissen")
    for c, name in enumerate(POLICY_COLUMNS):
        ws.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, val in enumerate(row):
            ws.write_string(r, c, val)
    wb.close()


def write_library(path: Path, entries: list[tuple[str, str, str]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    ws = wb.add_worksheet("Clausules")
    for c, name in enumerate(["Code", "Tekst", "Categorie"]):
        ws.write_string(0, c, name)
    for r, row in enumerate(entries, start=1):
        for c, val in enumerate(row):
            ws.write_string(r, c, val)
    wb.close()


def write_conditions(path: Path, conditions) -> None:
    doc = Document()
    doc.add_heading(conditions.title, level=0)
    doc.add_paragraph(conditions.intro)
    for heading, subs in conditions.articles:
        doc.add_heading(heading, level=2)
        for sub in subs:
            doc.add_paragraph(sub)
    doc.save(str(path))
