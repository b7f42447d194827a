"""Clause library parsing from csv/xlsx tables and from pdf/docx/txt documents with clause codes."""

from __future__ import annotations

import io

import openpyxl
import pytest
from test_conditions import make_docx, make_pdf  # the hand-written PDF/docx fixture builders

from shipped import parse_clause_library
from hienfeld.errors import InputError, UnsupportedFileError
from hienfeld.types import LibraryClause


def make_xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Tweede blad").append(["Code", "Tekst"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_with_semicolons_in_cp1252_keeps_euro_and_diaeresis():
    data = (
        "Code;Tekst;Categorie;Beschrijving\n"
        "9NX3;Eigen risico € 250 per gebeurtenis, ook bij reëel gebruik;Eigen risico;E\n"
        "1AB2;\"Tekst met ; puntkomma\";;\n"
    ).encode("cp1252")
    clauses = parse_clause_library([("clausules.csv", data)])
    assert clauses == [
        LibraryClause(
            "9NX3", "Eigen risico € 250 per gebeurtenis, ook bij reëel gebruik", "Eigen risico", "E"
        ),
        LibraryClause("1AB2", "Tekst met ; puntkomma"),
    ]


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_delimiter_is_detected_and_alternative_headers_accepted(delimiter):
    header = delimiter.join([" Clausulecode ", "OMSCHRIJVING"])
    data = f"{header}\n2CD4{delimiter}Dekking bij storm\n".encode("utf-8-sig")
    assert parse_clause_library([("lib.csv", data)]) == [LibraryClause("2CD4", "Dekking bij storm")]


def test_csv_rows_without_text_are_skipped_and_sep_line_is_honoured():
    data = b"sep=,\nCode clausule,Text\n3EF5,\n4GH6,  Twee   spaties  \n"
    assert parse_clause_library([("lib.csv", data)]) == [LibraryClause("4GH6", "Twee spaties")]


def test_xlsx_first_sheet_with_numeric_code():
    rows = [["code", "Clausule", "Categorie"], [1234, "Tekst één", "Cat"], ["5XY6", None, None]]
    expected = [LibraryClause("1234", "Tekst één", "Cat")]
    assert parse_clause_library([("lib.xlsx", make_xlsx(rows))]) == expected


def test_missing_columns_message_names_the_columns_found():
    data = b"Nummer;Inhoud\n1;iets\n"
    message = r"^de clausulebibliotheek mist de kolom\(men\) Code, Tekst\. Gevonden kolommen: Nummer, Inhoud\.$"
    with pytest.raises(InputError, match=message):
        parse_clause_library([("clausules.csv", data)])


def test_library_without_usable_rows_is_an_input_error():
    with pytest.raises(InputError, match=r"geen rijen met zowel een code als een tekst"):
        parse_clause_library([("lib.xlsx", make_xlsx([["Code", "Tekst"], ["9NX3", ""]]))])


def test_pdf_library_splits_on_codes_and_ignores_the_introduction():
    pdf = make_pdf(
        [
            ["Clausuleblad 2024", "Inleidende tekst zonder code."],
            ["9NX3: Diefstal alleen na braak.", "Dit loopt door.", "1AB2 - Geen glasdekking."],
        ]
    )
    clauses = parse_clause_library([("lib.pdf", pdf)])
    assert clauses == [
        LibraryClause("9NX3", "Diefstal alleen na braak. Dit loopt door."),
        LibraryClause("1AB2", "Geen glasdekking."),
    ]


def test_docx_library_reads_codes_from_paragraphs_and_table_rows():
    data = make_docx(["Inleiding", "7KL8 Eerste clausule"], table=[["8MN9", "In een tabel"]])
    clauses = parse_clause_library([("lib.docx", data)])
    expected = [("7KL8", "Eerste clausule"), ("8MN9", "In een tabel")]
    assert [(c.code, c.text) for c in clauses] == expected


def test_code_must_stand_alone_at_line_start():
    data = "9NX3 Echte clausule, zie ook 1AB2 in de tekst.\n9NX3abc is geen code\n".encode()
    assert parse_clause_library([("lib.txt", data)]) == [
        LibraryClause("9NX3", "Echte clausule, zie ook 1AB2 in de tekst. 9NX3abc is geen code")
    ]


def test_document_without_codes_is_an_input_error():
    with pytest.raises(InputError, match=r"geen clausulecodes gevonden"):
        parse_clause_library([("lib.txt", b"Alleen tekst, geen codes.\n")])


def test_duplicate_codes_keep_the_first_in_file_order():
    first = b"Code;Tekst\n9NX3;Eerste\n1AB2;Anders\n"
    second = b"9NX3 Tweede\n2CD4 Nieuw\n"
    clauses = parse_clause_library([("a.csv", first), ("b.txt", second)])
    expected = [("9NX3", "Eerste"), ("1AB2", "Anders"), ("2CD4", "Nieuw")]
    assert [(c.code, c.text) for c in clauses] == expected


def test_empty_file_list_gives_an_empty_library():
    assert parse_clause_library([]) == []


def test_unknown_extension_names_accepted_types():
    accepted = r"'\.xls'.*clausulebibliotheek.*\.xlsx, \.csv, \.pdf, \.docx, \.txt"
    with pytest.raises(UnsupportedFileError, match=accepted):
        parse_clause_library([("lib.xls", b"\xd0\xcf\x11\xe0")])


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("lib.xlsx", r"beschadigd of geen Excel-bestand"),
        ("lib.pdf", r"de PDF kon niet worden gelezen"),
    ],
)
def test_corrupt_files_raise_input_error(filename, message):
    with pytest.raises(InputError, match=message):
        parse_clause_library([(filename, b"not really this format")])
