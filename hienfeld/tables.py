"""One reader for every uploaded table: the policy export, a clause library table and an earlier
report (.csv or .xlsx), with the same limits for all of them.

- CSV: encoding from the bytes (UTF-8 with or without BOM, UTF-16 with BOM, cp1252/Latin-1);
  Excel's `sep=;` first line is honoured; otherwise the delimiter (`;`, `,`, tab, `|`) is the one
  under which a header row with the expected column names appears, parsed with quoting respected,
  so commas, quotes and line breaks inside quoted cells never mislead it.
- XLSX: before a sheet is opened, the zip directory is checked (unpacked size) and every worksheet
  part is streamed once to find how far its cells reach, so a few-KB file with two cells far apart
  is refused instead of being built as a dense sheet of billions of cells. Then python-calamine reads
  the sheets; the first one with the expected columns is used.
- The header row may sit below title rows (within the first HEADER_SEARCH_ROWS rows); trailing
  empty columns are dropped; every cell is text (`=`, `+`, `-`, `@` at the start stay text).
- Limits (`config.Limits`): unpacked size, rows, columns and characters per cell, for every table.

Messages are Dutch and do not start with the file name: callers add which file it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .errors import InputError, TooLargeError, UnsupportedFileError
from .uploads import TABLE_EXTENSIONS, decode_text, file_extension, open_office_zip
from .xlsx_scan import check_sheets

DELIMITERS = (";", ",", "\t", "|")
HEADER_SEARCH_ROWS = 20  # the header may follow a title block of at most this many rows
_XLSX_WHAT = "Excel-bestand (.xlsx)"


@dataclass(frozen=True)
class TableKind:
    """What a table must hold: accepted header names per field (lower case, single spaces; the
    first name that matches wins) and the fields without which the table is refused."""

    label: str  # Dutch, for messages: "het polisbestand"
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    preferred_sheets: tuple[str, ...] = ()

    def fields_in(self, header: list[str]) -> dict[str, int | None]:
        keys = [_key(cell) for cell in header]
        found: dict[str, int | None] = {}
        for name, options in self.columns.items():
            found[name] = next((keys.index(o) for o in options if o in keys), None)
        return found

    def missing(self, header: list[str]) -> list[str]:
        fields = self.fields_in(header)
        return [name for name in self.required if fields[name] is None]


POLICY = TableKind(
    "het polisbestand",
    {"text": ("tekst", "vrije tekst", "vrije_tekst", "vrijetekst", "clausule", "clausuletekst", "text",
              "description", "omschrijving"),
     "policy": ("polisnummer", "polisnr", "polis", "polis_nummer", "policy", "policy_number", "policynumber",
                "contractnummer")},
    required=("text",),
)
LIBRARY = TableKind(
    "de clausulebibliotheek",
    {"code": ("code", "clausulecode", "code clausule"),
     "text": ("tekst", "text", "clausule", "clausuletekst", "omschrijving"),
     "category": ("categorie", "category"),
     "description": ("beschrijving", "description")},
    required=("code", "text"),
)
REFERENCE = TableKind(
    "het referentiebestand",
    {"text": ("tekst",), "policy": ("polisnummer",), "advice": ("advies",), "status": ("status",)},
    required=("text", "policy", "advice", "status"),
    preferred_sheets=("Analyseresultaten",),
)
# Names shown in messages when a required column is missing.
_SHOWN = {"text": "Tekst", "policy": "Polisnummer", "advice": "Advies", "status": "Status", "code": "Code"}


@dataclass
class Table:
    """A table as read: header names (unique, "Kolom n" for empty ones), data rows as text padded
    to the header's width, the column index per field of the kind, the sheet read (xlsx) and notes
    for the analyst (e.g. which sheet of several was used)."""

    columns: list[str]
    rows: list[list[str]]
    fields: dict[str, int | None]
    row_count: int
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def column_name(self, name: str) -> str | None:
        index = self.fields.get(name)
        return None if index is None else self.columns[index]

    def values(self, name: str) -> list[str]:
        index = self.fields.get(name)
        return [row[index] if index is not None else "" for row in self.rows]


def read_table(filename: str, data: bytes, limits, kind: TableKind, keep_rows: bool = True) -> Table:
    """Read a .csv/.xlsx upload as `kind`; InputError (422), UnsupportedFileError (415) or
    TooLargeError (413) say what is wrong. With keep_rows=False only counts (the upload check)."""
    ext = file_extension(filename)
    if ext not in TABLE_EXTENSIONS:
        shown = f"bestandstype '{ext}'" if ext else "een bestand zonder extensie"
        raise UnsupportedFileError(f"{shown} wordt niet ondersteund voor {kind.label}; "
                                   f"toegestaan: {', '.join(TABLE_EXTENSIONS)}")
    if not data:
        raise InputError(f"{kind.label} is leeg (0 bytes)")
    if ext == ".csv":
        candidates = [(None, _csv_source(data, limits, kind))]
        several = False
    else:
        candidates = _xlsx_sources(data, limits, kind)
        several = len(candidates) > 1
    for sheet, rows in candidates:
        found = _find_header(rows(), kind, limits)
        if found is not None:
            table = _build(*found, kind, limits, keep_rows, csv_source=sheet is None)
            table.sheet = sheet
            if several:
                table.notes.append(f"Werkblad '{sheet}' gelezen ({len(candidates)} werkbladen in het bestand).")
            return table
    # No sheet has the columns: name what was found in the first one.
    first_seen = _first_nonempty(candidates[0][1](), limits) if candidates else None
    if first_seen is None:
        raise InputError(f"{kind.label} bevat geen kopregel (het is leeg)")
    if kind is POLICY:
        problem = ("geen tekstkolom gevonden; noem de kolom met de clausules 'Tekst', 'Vrije Tekst', "
                   "'Clausule', 'Text' of 'Description'")
    else:
        missing = ", ".join(_SHOWN.get(name, name) for name in kind.missing(first_seen))
        problem = f"{kind.label} mist de kolom(men) {missing}"
    found = ", ".join(c.strip() for c in first_seen if c.strip()) or "(geen)"
    message = f"{problem}. Gevonden kolommen: {found}."
    if ext == ".xlsx":
        sheets = ", ".join(f"'{name}'" for name, _ in candidates)
        wanted = "".join(f" (verwacht: tabblad '{name}')" for name in kind.preferred_sheets)
        message += f" Werkbladen in het bestand: {sheets}{wanted}."
    raise InputError(message)


# -- rows -> table ---------------------------------------------------------------------------------

def _key(cell: str) -> str:
    return " ".join(cell.split()).lower()


def _checked(rows: Iterable[list[str]], limits) -> Iterator[list[str]]:
    """Rows with trailing empty cells dropped, refused when a row or cell is beyond the limits."""
    for row in rows:
        end = len(row)
        while end and not row[end - 1].strip():
            end -= 1
        if end > limits.max_columns:
            raise TooLargeError(f"de tabel heeft {end} kolommen, meer dan de grens van {limits.max_columns} "
                                "(max_columns)")
        # A CSV line of only delimiters is a row of empty cells; an empty line is no row.
        row = row[:end] if end or len(row) <= 1 else [""]
        for cell in row:
            if len(cell) > limits.max_cell_chars:
                raise _cell_too_long(limits)
        yield row


def _find_header(rows: Iterator[list[str]], kind: TableKind, limits):
    """(header, remaining rows) for the first of the first HEADER_SEARCH_ROWS rows that holds the
    required columns; None when none does."""
    checked = _checked(rows, limits)
    for _, row in zip(range(HEADER_SEARCH_ROWS), checked):
        if any(cell.strip() for cell in row) and not kind.missing(row):
            return row, checked
    return None


def _first_nonempty(rows: Iterator[list[str]], limits) -> list[str] | None:
    for _, row in zip(range(HEADER_SEARCH_ROWS), _checked(rows, limits)):
        if any(cell.strip() for cell in row):
            return row
    return None


def _build(raw_header: list[str], body: Iterator[list[str]], kind: TableKind, limits, keep_rows: bool,
           csv_source: bool) -> Table:
    rows: list[list[str]] = []
    width = len(raw_header)
    count = 0
    pending_empty = 0  # empty sheet rows are kept, except those after the last filled row
    for row in body:
        if not row and csv_source:
            continue  # blank lines of a CSV are no rows
        if not any(cell.strip() for cell in row):
            pending_empty += 1
            continue
        count += pending_empty + 1
        if count > limits.max_rows:
            raise TooLargeError(f"de tabel heeft meer dan {limits.max_rows} rijen (max_rows)")
        if keep_rows:
            rows.extend([] for _ in range(pending_empty))
            rows.append(row)
        pending_empty = 0
        width = max(width, len(row))
    header = _header_names(raw_header + [""] * (width - len(raw_header)))
    if keep_rows:
        for i, row in enumerate(rows):
            if len(row) < width:
                rows[i] = row + [""] * (width - len(row))
    return Table(header, rows, kind.fields_in(raw_header), count)


def _header_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    for i, name in enumerate(raw, start=1):
        name = " ".join(name.split()) or f"Kolom {i}"
        while name in names:  # duplicate headers would collide in the report
            name = f"{name} ({i})"
        names.append(name)
    return names


def _cell_too_long(limits) -> TooLargeError:
    return TooLargeError(f"een cel is langer dan {limits.max_cell_chars} tekens (max_cell_chars)")


def cell_text(value: object) -> str:
    """A cell value as the text an analyst sees: whole numbers without ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed in Excel comes back as 1234.0
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# -- CSV -------------------------------------------------------------------------------------------

def _csv_source(data: bytes, limits, kind: TableKind) -> Callable[[], Iterator[list[str]]]:
    text = decode_text(data)
    text, delimiter = _strip_sep_line(text)
    if delimiter is None:
        delimiter = _detect_delimiter(text, kind)
    csv.field_size_limit(limits.max_cell_chars + 1)  # a longer cell fails here instead of filling memory

    def rows() -> Iterator[list[str]]:
        try:
            yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _cell_too_long(limits) from None
            raise InputError(f"het CSV-bestand kon niet worden gelezen ({exc})") from None
    return rows


def _strip_sep_line(text: str) -> tuple[str, str | None]:
    """Excel's "sep=;" first line announces the delimiter; it is no part of the table."""
    first, _, rest = text.partition("\n")
    line = first.strip().strip('"')
    if line.lower().startswith("sep=") and len(line) == 5:
        return rest, line[4]
    return text, None


def _detect_delimiter(text: str, kind: TableKind) -> str:
    """The delimiter under which a header row with the kind's required columns appears in the
    first rows (quoting respected); failing that, the one that splits the first rows into the most
    equal number of columns (more than one); failing that ';'."""
    sample = text[:200_000]
    best: tuple[int, int, str] | None = None  # (header cells, -rank, delimiter)
    fallback: tuple[int, int, str] = (0, 0, ";")  # (rows agreeing, columns, delimiter)
    for rank, delimiter in enumerate(DELIMITERS):
        rows = _sample_rows(sample, delimiter)
        for row in rows[:HEADER_SEARCH_ROWS]:
            if any(cell.strip() for cell in row) and not kind.missing(row):
                score = (len(row), -rank, delimiter)
                best = max(best, score) if best else score
                break
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if widths:
            common = max(set(widths), key=lambda w: (widths.count(w), w))
            if common > 1:
                fallback = max(fallback, (widths.count(common), common, delimiter))
    if best is not None:
        return best[2]
    return fallback[2]


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= 50:
                break
    except csv.Error:
        pass  # an unfinished quoted cell at the sample's end, or an oversize cell: judged later
    return rows


# -- XLSX ------------------------------------------------------------------------------------------

def _xlsx_sources(data: bytes, limits, kind: TableKind) -> list[tuple[str, Callable[[], Iterator[list[str]]]]]:
    max_rows = limits.max_rows + HEADER_SEARCH_ROWS
    with open_office_zip(data, limits, _XLSX_WHAT) as archive:
        # The directory was fine; a member's data may not be. Inflating it fails with zlib.error
        # (damaged deflate data), BadZipFile (bad CRC or local header), EOFError (cut short),
        # NotImplementedError (unknown compression) or RuntimeError (encrypted member).
        try:
            check_sheets(archive, limits, max_rows)
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
            raise InputError(f"het bestand is beschadigd: de ingepakte gegevens van het {_XLSX_WHAT} zijn "
                             "onleesbaar; open het in Excel, sla het opnieuw op en upload het nog eens") from None
    try:
        from python_calamine import CalamineWorkbook
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = [m.name for m in workbook.sheets_metadata if "work" in str(m.typ).lower()] \
            or list(workbook.sheet_names)
    except Exception:  # calamine raises its own error types for damaged parts
        raise InputError(f"het bestand is beschadigd of geen {_XLSX_WHAT}") from None
    preferred = {name.lower() for name in kind.preferred_sheets}
    sheet_names.sort(key=lambda name: name.strip().lower() not in preferred)

    def source(name: str) -> Callable[[], Iterator[list[str]]]:
        def rows() -> Iterator[list[str]]:
            try:
                sheet = workbook.get_sheet_by_name(name)
                iterator = sheet.iter_rows()
                for values in iterator:
                    yield [cell_text(v) for v in values]
            except (InputError, GeneratorExit):
                raise
            except Exception:
                raise InputError(f"werkblad '{name}' kon niet worden gelezen; is het bestand beschadigd?") from None
        return rows
    return [(name, source(name)) for name in sheet_names]
