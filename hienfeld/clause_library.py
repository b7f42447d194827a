"""The standard clause library: a table (.csv/.xlsx) with a code and a text per clause, or a
document (.pdf/.docx/.txt) in which every clause starts at its code ("9NX3 ...").
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from hienfeld.document_text import DOCUMENT_EXTENSIONS, decode_text, extract_pages, file_extension
from hienfeld.errors import InputError, UnsupportedFileError
from hienfeld.normalize import clean_text
from hienfeld.types import LibraryClause

TABLE_EXTENSIONS = (".csv", ".xlsx")

# Accepted header names per LibraryClause field (lower case, single spaces); the first match wins.
_HEADER_NAMES = {
    "code": ("code", "clausulecode", "code clausule"),
    "text": ("tekst", "text", "clausule", "clausuletekst", "omschrijving"),
    "category": ("categorie", "category"),
    "description": ("beschrijving", "description"),
}
_CSV_DELIMITERS = (";", "\t", ",")
# A clause code: digit, two capitals, digit ("9NX3"), at line start, then ":", "-" or whitespace.
_CLAUSE_CODE = re.compile(r"^[ \t]*(\d[A-Z]{2}\d)(?=[\s:\-–]|$)[ \t]*[:\-–]?", re.MULTILINE)


def parse_clause_library(files: Sequence[tuple[str, bytes]]) -> list[LibraryClause]:
    """All clauses of the uploaded library files; a code seen twice keeps its first clause.

    Raises UnsupportedFileError for other file types and InputError for unreadable files, tables
    without a code or text column, and files in which no clause is found.
    """
    clauses: dict[str, LibraryClause] = {}
    for filename, data in files:
        ext = file_extension(filename)
        if ext == ".csv":
            found = _table_clauses(filename, _csv_rows(filename, data))
        elif ext == ".xlsx":
            found = _table_clauses(filename, _xlsx_rows(filename, data))
        elif ext in DOCUMENT_EXTENSIONS:
            found = _document_clauses(filename, data)
        else:
            accepted = ", ".join(TABLE_EXTENSIONS + DOCUMENT_EXTENSIONS)
            raise UnsupportedFileError(
                f"{filename}: unsupported file type '{ext or '(none)'}' for a clause library;"
                f" accepted: {accepted}"
            )
        for clause in found:
            clauses.setdefault(clause.code, clause)
    return list(clauses.values())


def _csv_rows(filename: str, data: bytes) -> list[list[str]]:
    text = decode_text(filename, data)
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        # Excel writes "sep=;" as a first line to announce the delimiter.
        delimiter, text = first[4], "\n".join(lines[1:])
    else:
        # The header line holds no quoted text, so the most frequent candidate is the delimiter.
        delimiter = max(_CSV_DELIMITERS, key=first.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{filename}: could not read the CSV file ({exc})") from exc


def _xlsx_rows(filename: str, data: bytes) -> list[list[str]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InputError(
            f"{filename}: could not read the Excel file (file is damaged or not an .xlsx)"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric code typed in Excel comes back as 1234.0
    return str(value)


def _table_clauses(filename: str, all_rows: Sequence[list[str]]) -> list[LibraryClause]:
    rows = [row for row in all_rows if any(cell.strip() for cell in row)]
    header = [clean_text(cell).lower() for cell in rows[0]] if rows else []
    columns = {name: _find_column(header, options) for name, options in _HEADER_NAMES.items()}
    if columns["code"] is None or columns["text"] is None:
        names = [clean_text(cell) for cell in rows[0] if cell.strip()] if rows else []
        raise InputError(
            f"{filename}: a clause library needs columns 'Code' and 'Tekst';"
            f" found: {', '.join(names) or '(nothing)'}"
        )

    def cell(row: list[str], name: str) -> str:
        index = columns[name]
        return clean_text(row[index]) if index is not None and index < len(row) else ""

    clauses = [
        LibraryClause(**{name: cell(row, name) for name in _HEADER_NAMES})
        for row in rows[1:]
    ]
    # A clause without text has nothing to match; one without a code cannot be referred to.
    clauses = [clause for clause in clauses if clause.text and clause.code]
    if not clauses:
        raise InputError(f"{filename}: the clause library has no rows with both a code and a text")
    return clauses


def _find_column(header: list[str], options: Sequence[str]) -> int | None:
    for option in options:
        if option in header:
            return header.index(option)
    return None


def _document_clauses(filename: str, data: bytes) -> list[LibraryClause]:
    text = "\n".join(page_text for _, page_text in extract_pages(filename, data))
    matches = list(_CLAUSE_CODE.finditer(text))
    if not matches:
        raise InputError(
            f"{filename}: no clause codes found; each clause must start on a new line"
            " with its code, e.g. '9NX3'"
        )
    # Text before the first code (title page, introduction) belongs to no clause.
    ends = [match.start() for match in matches[1:]] + [len(text)]
    clauses = [
        LibraryClause(match.group(1), clean_text(text[match.end() : end]))
        for match, end in zip(matches, ends)
    ]
    clauses = [clause for clause in clauses if clause.text]
    if not clauses:
        raise InputError(f"{filename}: clause codes found, but no clause text after them")
    return clauses
