"""The standard clause library: a table (.csv/.xlsx) with a code and a text per clause, or a
document (.pdf/.docx/.txt) in which every clause starts at its code ("9NX3 ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hienfeld.config import Limits
from hienfeld.document_text import extract_pages
from hienfeld.errors import InputError, UnsupportedFileError
from hienfeld.normalize import clean_text
from hienfeld.tables import LIBRARY, read_table
from hienfeld.types import LibraryClause
from hienfeld.uploads import ACCEPTED_EXTENSIONS, DOCUMENT_EXTENSIONS, TABLE_EXTENSIONS, file_extension

# A clause code: digit, two capitals, digit ("9NX3"), at line start, then ":", "-" or whitespace.
_CLAUSE_CODE = re.compile(r"^[ \t]*(\d[A-Z]{2}\d)(?=[\s:\-–]|$)[ \t]*[:\-–]?", re.MULTILINE)


def parse_clause_library(files: Sequence[tuple[str, bytes]], limits: Limits) -> list[LibraryClause]:
    """All clauses of the uploaded library files; a code seen twice keeps its first clause.

    Raises UnsupportedFileError for other file types, TooLargeError beyond the upload limits and
    InputError for unreadable files, tables without a code or text column, and files in which no
    clause is found. Messages are Dutch and leave naming the file to the caller.
    """
    clauses: dict[str, LibraryClause] = {}
    for filename, data in files:
        ext = file_extension(filename)
        if ext in TABLE_EXTENSIONS:
            found = _table_clauses(read_table(filename, data, limits, LIBRARY))
        elif ext in DOCUMENT_EXTENSIONS:
            found = _document_clauses(filename, data, limits)
        else:
            accepted = ", ".join(ACCEPTED_EXTENSIONS["clause_library_files"])
            raise UnsupportedFileError(
                f"bestandstype '{ext or '(geen)'}' wordt niet ondersteund voor de clausulebibliotheek;"
                f" toegestaan: {accepted}"
            )
        for clause in found:
            clauses.setdefault(clause.code, clause)
    return list(clauses.values())


def _table_clauses(table) -> list[LibraryClause]:
    columns = {name: table.values(name) for name in ("code", "text", "category", "description")}
    clauses = [LibraryClause(*(clean_text(value) for value in values)) for values in zip(*columns.values())]
    # A clause without text has nothing to match; one without a code cannot be referred to.
    clauses = [clause for clause in clauses if clause.text and clause.code]
    if not clauses:
        raise InputError("de clausulebibliotheek heeft geen rijen met zowel een code als een tekst")
    return clauses


def _document_clauses(filename: str, data: bytes, limits) -> list[LibraryClause]:
    text = "\n".join(page_text for _, page_text in extract_pages(filename, data, limits))
    matches = list(_CLAUSE_CODE.finditer(text))
    if not matches:
        raise InputError(
            "geen clausulecodes gevonden; elke clausule moet op een nieuwe regel met haar code"
            " beginnen, bijvoorbeeld '9NX3'"
        )
    # Text before the first code (title page, introduction) belongs to no clause.
    ends = [match.start() for match in matches[1:]] + [len(text)]
    clauses = [
        LibraryClause(match.group(1), clean_text(text[match.end() : end]))
        for match, end in zip(matches, ends)
    ]
    clauses = [clause for clause in clauses if clause.text]
    if not clauses:
        raise InputError("clausulecodes gevonden, maar geen clausuletekst erna")
    return clauses
