"""hienfeld.tables, the one reader of uploaded tables: limits for every table and format, the
streamed extent check of .xlsx sheets, delimiter and encoding detection, cell text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest
from test_bad_input import _bomb, docx_bomb, sparse_xlsx

from hienfeld.clause_library import parse_clause_library
from hienfeld.config import load_settings
from hienfeld.errors import InputError, TooLargeError, UnsupportedFileError
from hienfeld.tables import LIBRARY, POLICY, REFERENCE, cell_text, read_table
from hienfeld.types import LibraryClause
from hienfeld.uploads import check_docx, decode_text

LIMITS = load_settings().limits
SMALL = dataclasses.replace(LIMITS, max_rows=3, max_columns=4, max_cell_chars=20)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", [POLICY, LIBRARY, REFERENCE])
@pytest.mark.parametrize("far, fragment", [("XFD1048576", "kolom 16384"), ("A1048576", "rij 1048576"),
                                           ("GR500000", "vrijwel leeg")])
def test_sparse_sheets_are_refused_before_they_are_built(kind, far, fragment):
    header = {"het polisbestand": ("Tekst",), "de clausulebibliotheek": ("Code", "Tekst")}.get(
        kind.label, ("Tekst", "Polisnummer", "Advies", "Status"))
    started = time.perf_counter()
    with pytest.raises(TooLargeError, match=fragment):
        read_table("x.xlsx", sparse_xlsx(far, header), LIMITS, kind)
    assert time.perf_counter() - started < 0.5


def _rewritten(data: bytes, change) -> bytes:
    """The workbook with its parts ({name: bytes}) changed in place by `change`."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, content in parts.items():
            dst.writestr(name, content)
    return out.getvalue()


def _in_sheet(old: bytes, new: bytes):
    def change(parts: dict[str, bytes]) -> None:
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(old, new)
    return change


def test_cells_without_a_position_are_counted_as_columns():
    cells = b"<c t=\"inlineStr\"><is><t>x</t></is></c>" * 300
    data = _rewritten(sparse_xlsx("B2"), _in_sheet(b'<row r="2">', b'<row r="2">' + cells))
    with pytest.raises(TooLargeError, match="max_columns"):
        read_table("x.xlsx", data, LIMITS, POLICY)


@pytest.mark.parametrize("kind", [POLICY, LIBRARY, REFERENCE])
def test_unpack_limit_holds_for_every_table(kind):
    with pytest.raises(TooLargeError, match="pakt uit tot 450 MB"):
        read_table("x.xlsx", _bomb(450), LIMITS, kind)


def test_row_column_and_cell_limits_hold_for_csv_and_xlsx():
    rows = [["Code", "Tekst"]] + [[f"{i}AB{i}", "t"] for i in range(1, 5)]
    for name, data in (("l.csv", "\n".join(";".join(r) for r in rows).encode()), ("l.xlsx", _xlsx(rows))):
        with pytest.raises(TooLargeError, match="meer dan 3 rijen"):
            read_table(name, data, SMALL, LIBRARY)
    wide = [["Code", "Tekst", "a", "b", "c"], ["1AB1", "t", "1", "2", "3"]]
    with pytest.raises(TooLargeError, match="kolom 5, meer dan de grens van 4"):
        read_table("l.xlsx", _xlsx(wide), SMALL, LIBRARY)
    with pytest.raises(TooLargeError, match="20 tekens"):
        read_table("l.csv", b"Code;Tekst\n1AB1;" + b"x" * 21 + b"\n", SMALL, LIBRARY)
    with pytest.raises(TooLargeError, match="20 tekens"):
        read_table("l.xlsx", _xlsx([["Code", "Tekst"], ["1AB1", "x" * 21]]), SMALL, LIBRARY)


def test_docx_is_judged_by_its_zip_directory():
    bomb = docx_bomb()
    started = time.perf_counter()
    with pytest.raises(TooLargeError, match="pakt uit tot 480 MB"):
        check_docx(bomb, LIMITS)
    assert time.perf_counter() - started < 0.5


def test_library_table_shares_the_reader():
    data = ('sep=;\r\nClausulebibliotheek 2024\r\n\r\n"Code";"Tekst";"Categorie";;\r\n'
            '"9NX3";"Eigen risico, € 250; ook ""extra""\r\nbij storm";"ER";;\r\n').encode("utf-8-sig")
    assert parse_clause_library([("l.csv", data)], LIMITS) == [
        LibraryClause("9NX3", 'Eigen risico, € 250; ook "extra" bij storm', "ER")]


def test_wrong_type_and_empty_file():
    with pytest.raises(UnsupportedFileError, match="toegestaan: .xlsx, .csv"):
        read_table("p.ods", b"x", LIMITS, POLICY)
    with pytest.raises(InputError, match="leeg"):
        read_table("p.csv", b"", LIMITS, POLICY)


def test_delimiter_without_a_known_header_is_the_consistent_one():
    data = b"Titel, met komma\nA|B|C\n1|2, 3|4\n5|6|7\n"
    with pytest.raises(InputError, match=r"Gevonden kolommen: Titel, met komma\."):
        read_table("p.csv", data, LIMITS, POLICY)


def test_decoding():
    assert decode_text("Tekst\n€ ë".encode("utf-16")) == "Tekst\n€ ë"
    assert decode_text(b"\xef\xbb\xbfTekst") == "Tekst"
    assert decode_text("€ café".encode("cp1252")) == "€ café"
    assert decode_text(b"\x81\x8d") == "\x81\x8d"  # undefined in cp1252: Latin-1
    with pytest.raises(InputError, match="geen tekstbestand"):
        decode_text(b"PK\x03\x04\x00\x00")


def test_cell_text():
    assert [cell_text(v) for v in (None, 12.0, 12.5, True, dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4),
                                   dt.date(2024, 1, 2), "=1+1")] == [
        "", "12", "12.5", "WAAR", "2024-01-02", "2024-01-02 03:04:00", "2024-01-02", "=1+1"]


@pytest.mark.parametrize("far", ["r='XFD1048576'", 'r = "XFD1048576"', 'r="AAAA1"'])
def test_cell_positions_in_any_quoting_are_seen(far):
    data = _rewritten(sparse_xlsx("B2"), _in_sheet(b'r="B2"', far.encode()))
    with pytest.raises(TooLargeError, match="max_columns"):
        read_table("x.xlsx", data, LIMITS, POLICY)


@pytest.mark.parametrize("rels", [True, False])
def test_a_sheet_outside_the_usual_folder_is_scanned_too(rels):
    def move(parts: dict[str, bytes]) -> None:
        parts["xl/elders/blad.xml"] = parts.pop("xl/worksheets/sheet1.xml")
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"worksheets/sheet1.xml", b"elders/blad.xml")
        if not rels:  # an index that cannot be read: every XML part is scanned
            parts["_rels/.rels"] = b"<kapot"
    with pytest.raises((TooLargeError, InputError)) as caught:
        read_table("x.xlsx", _rewritten(sparse_xlsx(), move), LIMITS, POLICY)
    assert caught.type is TooLargeError and "kolom 16384" in str(caught.value)


@pytest.mark.parametrize("tag", [b"<row", b"<c"])
def test_tags_that_never_close_are_scanned_in_linear_time(tag):
    """A sheet of "<row<row<row..." without any ">" (a 2-KB upload): searching each tag's attributes
    up to the next ">" took 33 s for 32 000 tags and grew with their square."""
    data = _rewritten(sparse_xlsx("B2"), _in_sheet(b"</sheetData>", tag * 100_000 + b"</sheetData>"))
    started = time.perf_counter()
    with pytest.raises(InputError):
        read_table("x.xlsx", data, LIMITS, POLICY)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("position, error", [(b'r="' + b"1" * 5000 + b'"', TooLargeError),
                                             (b'r="B' + b"0" * 5000 + b'2"', None)])
def test_positions_of_thousands_of_digits_are_judged(position, error):
    """int() refuses more than 4300 digits (ValueError, a 500): a row that long is beyond every
    limit, leading zeros count for nothing."""
    old = b'r="2"' if error else b'r="B2"'
    data = _rewritten(sparse_xlsx("B2"), _in_sheet(old, position))
    if error:
        with pytest.raises(error, match="max_rows"):
            read_table("x.xlsx", data, LIMITS, POLICY)
    else:
        assert read_table("x.xlsx", data, LIMITS, POLICY).rows == [["", "x"]]


def _directory_damaged(where: str) -> bytes:
    data = bytearray(sparse_xlsx("B2"))
    if where == "end record":
        # The directory claimed twice as far in as it is: zipfile then places every member that
        # much earlier, before the archive's start (a negative seek, ValueError).
        end = data.rindex(b"PK\x05\x06")
        data[end + 16:end + 20] = (2 * int.from_bytes(data[end + 16:end + 20], "little")).to_bytes(4, "little")
    else:
        # One entry needing zip version 8.4 to extract (NotImplementedError while opening).
        entry = data.rindex(b"PK\x01\x02")
        data[entry + 6:entry + 8] = (84).to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize("where", ["end record", "version needed"])
def test_a_damaged_zip_directory_is_refused(where):
    data = _directory_damaged(where)
    with pytest.raises(InputError, match="geen leesbaar zip-archief"):
        read_table("x.xlsx", data, LIMITS, POLICY)
    with pytest.raises(InputError, match="geen leesbaar zip-archief"):
        check_docx(data, LIMITS)
