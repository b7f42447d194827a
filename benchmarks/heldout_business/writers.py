"""Write the files: policy export (XLSX or CSV), conditions (TXT, DOCX, PDF), library (XLSX), truth (JSON).

Zip-based files (XLSX, DOCX) are rewritten with fixed member timestamps, so equal input gives equal bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import xlsxwriter
from docx import Document
from docx.shared import Pt

POLICY_COLUMNS = ["Polisnummer", "Volgnr", "Branche", "Ingangsdatum", "Clausulecode", "Omschrijving", "Opmerking"]
FIXED = dt.datetime(2024, 1, 1, 9, 0, 0)


def normalize_zip(path: Path) -> None:
    src = zipfile.ZipFile(path)
    members = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    src.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            out.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _xlsx(path: Path, sheet: str, header: list[str], rows: list[list[str]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED, "author": "heldout_business"})
    ws = wb.add_worksheet(sheet)
    for c, name in enumerate(header):
        ws.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, val in enumerate(row):
            ws.write_string(r, c, val.replace("\r\n", "\n"))   # a carriage return would be stored as _x000D_
    wb.close()
    normalize_zip(path)


def write_policy(path: Path, rows: list[list[str]], fmt: str) -> None:
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_MINIMAL)
            w.writerow(POLICY_COLUMNS)
            w.writerows(rows)
    else:
        _xlsx(path, "Clausules polis", POLICY_COLUMNS, rows)


def write_library(path: Path, entries: list[tuple[str, str, str]]) -> None:
    _xlsx(path, "Clausulebibliotheek", ["Code", "Tekst", "Categorie"], [list(e) for e in entries])


def conditions_lines(cond) -> list[tuple[str, str]]:
    """(kind, text) in reading order: title, intro, part, article, sub, item."""
    out = [("title", cond.title), ("intro", cond.intro)]
    for art in cond.articles:
        if art.part:
            out.append(("part", art.part))
        out.append(("article", art.heading))
        for sub in art.subs:
            out.append(("sub", f"{sub.number} {sub.text}"))
            for i, item in enumerate(sub.items):
                out.append(("item", f"{'abcdefghij'[i]}. {item}"))
    return out


def write_conditions_txt(path: Path, cond) -> None:
    parts = []
    for kind, text in conditions_lines(cond):
        if kind in ("title", "intro", "part", "article"):
            parts.append("")
        parts.append(text)
    path.write_text("\n".join(parts).strip() + "\n", encoding="utf-8")


def write_conditions_docx(path: Path, cond) -> None:
    doc = Document()
    props = doc.core_properties
    props.author = props.last_modified_by = "heldout_business"
    props.title = cond.title
    props.created = props.modified = FIXED
    props.revision = 1
    for kind, text in conditions_lines(cond):
        if kind == "title":
            doc.add_heading(text, level=0)
        elif kind == "part":
            doc.add_heading(text, level=1)
        elif kind == "article":
            doc.add_heading(text, level=2)
        else:
            p = doc.add_paragraph(text)
            if kind == "item":
                p.paragraph_format.left_indent = Pt(24)
    doc.save(str(path))
    normalize_zip(path)
