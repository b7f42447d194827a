"""The XLSX guard of the table reader (tables.py): before a sheet is opened, every worksheet part
is streamed once to find how far its cells reach, so a few-KB file with two cells far apart is
refused instead of being built as a dense sheet of billions of cells. Nothing is built."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from posixpath import dirname, join, normpath
from xml.etree import ElementTree

from .errors import TooLargeError

# A sheet whose cells span a rectangle this many times larger than the cells it holds (and more
# than SPARSE_MIN_AREA cells) is refused: reading it would build the whole rectangle.
SPARSE_FACTOR = 20
SPARSE_MIN_AREA = 5_000_000
_SCAN_CHUNK = 1 << 20

# Positions in either quote style, any number of letters (calamine would read "AAAA1" as a column too).
# A tag's attributes end at the next "<" as well as at ">": searching on to the next ">" from every
# "<row" of a sheet of "<row<row<row..." (no ">") would take hours on a few-KB upload.
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^<>]*?\sr\s*=\s*[\"'](\d+)[\"']")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^<>]*?\sr\s*=\s*[\"']([A-Za-z]+)(\d+)[\"']")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _row_number(digits: bytes) -> int:
    """A row position as written; one of thousands of digits (int() refuses those) is capped far
    beyond every row limit."""
    digits = digits.lstrip(b"0") or b"0"
    return int(digits) if len(digits) <= 18 else 10**18


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters[:8].upper():
        number = number * 26 + ch - 64
    return number


@dataclass
class SheetExtent:
    rows: int = 0  # highest row number used
    columns: int = 0  # highest column number used
    cells: int = 0  # cells present in the XML
    row_tags: int = 0
    open_row_cells: int = 0  # cells of the row the last window ended in


def scan_sheet(archive: zipfile.ZipFile, part: str, limits, max_rows: int) -> SheetExtent:
    """Stream one worksheet part once (1 MB at a time) and find how far its cells reach; stops at
    the first row or column beyond the limits. Nothing is built."""
    extent = SheetExtent()
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            if not chunk:
                break
            window = tail + chunk
            # Tags cut at the chunk's end are matched again in the next window (kept tail).
            cut = window.rfind(b"<")
            scan, tail = (window[:cut], window[cut:]) if cut > len(window) - 4096 else (window, b"")
            _scan_window(scan, extent)
            if extent.columns > limits.max_columns or extent.rows > max_rows:
                break
    _scan_window(tail, extent)
    return extent


def _scan_window(window: bytes, extent: SheetExtent) -> None:
    cells = len(_CELL_TAG.findall(window))
    extent.cells += cells
    row_tags = _ROW_REF.findall(window)
    if row_tags:
        extent.rows = max(extent.rows, max(map(_row_number, row_tags)))
    extent.rows = max(extent.rows, extent.row_tags + window.count(b"<row") + window.count(b":row "))
    extent.row_tags += window.count(b"<row") + window.count(b":row ")
    refs = _CELL_REF.findall(window)
    if refs:
        extent.columns = max(extent.columns, max(_column_number(c) for c in {c for c, _ in refs}))
        extent.rows = max(extent.rows, max(_row_number(r) for r in {r for _, r in refs}))
    if len(refs) < cells:
        # Cells without a position take the next column: bound them by the cells per row.
        segments = _ROW_START.split(window)
        extent.open_row_cells += len(_CELL_TAG.findall(segments[0]))
        for segment in segments[1:]:
            extent.columns = max(extent.columns, extent.open_row_cells)
            extent.open_row_cells = len(_CELL_TAG.findall(segment))
        extent.columns = max(extent.columns, extent.open_row_cells)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, from the workbook and its relationships; {} when their XML is
    unreadable (damaged member data raises: the caller refuses the file)."""
    try:
        root_rels = _small_xml(archive, "_rels/.rels")
        workbook = next(r.get("Target", "") for r in root_rels.iter(f"{_PKG_REL_NS}Relationship")
                        if r.get("Type", "").endswith("/officeDocument")).lstrip("/")
        base = dirname(workbook)
        rels = _small_xml(archive, join(base, "_rels", workbook.rsplit("/", 1)[-1] + ".rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL_NS}Relationship")}
        parts: dict[str, str] = {}
        for sheet in _small_xml(archive, workbook).iter():
            if sheet.tag.endswith("}sheet"):
                rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
                target = targets.get(rel_id, "")
                path = target.lstrip("/") if target.startswith("/") else normpath(join(base, target))
                parts[sheet.get("name", "")] = path
        return parts
    except (KeyError, StopIteration, ElementTree.ParseError):
        return {}


def _small_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    if archive.getinfo(name).file_size > 20 * 1024 * 1024:
        raise KeyError(name)  # a workbook index is a few KB; anything else is not one
    return ElementTree.fromstring(archive.read(name))


def check_sheets(archive: zipfile.ZipFile, limits, max_rows: int) -> None:
    """Refuses a workbook one of whose sheets reaches beyond the limits or is sparse over a large
    area. Damaged member data raises zlib, zip or OS errors: the caller refuses the file."""
    parts = _sheet_parts(archive)
    names = {part: name for name, part in parts.items()}
    # Every part that may be a sheet is scanned: the workbook's own, anything in a worksheets
    # folder and, when the workbook index cannot be read, every XML part but the known others.
    members = archive.namelist()
    to_scan = {p for p in parts.values() if p in members}
    to_scan |= {m for m in members if _WORKSHEET_PART.search(m) or (not parts and _maybe_sheet(m))}
    for part in sorted(to_scan):
        extent = scan_sheet(archive, part, limits, max_rows)
        _check_extent(extent, names.get(part, part), limits, max_rows)


_WORKSHEET_PART = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)
_NOT_SHEETS = re.compile(r"(^|/)(_rels/|docProps/|theme/|styles\.xml$|sharedStrings\.xml$|\[Content_Types\]\.xml$)")


def _maybe_sheet(member: str) -> bool:
    return member.lower().endswith(".xml") and not _NOT_SHEETS.search(member)


def _check_extent(extent: SheetExtent, sheet: str, limits, max_rows: int) -> None:
    if extent.columns > limits.max_columns:
        raise TooLargeError(f"werkblad '{sheet}' heeft cellen tot kolom {extent.columns}, meer dan de grens "
                            f"van {limits.max_columns} kolommen (max_columns)")
    if extent.rows > max_rows:
        raise TooLargeError(f"werkblad '{sheet}' heeft cellen tot rij {extent.rows}, meer dan de grens van "
                            f"{limits.max_rows} rijen (max_rows)")
    area = extent.rows * extent.columns
    if area > SPARSE_MIN_AREA and area > SPARSE_FACTOR * max(extent.cells, 1):
        raise TooLargeError(
            f"werkblad '{sheet}' is vrijwel leeg over een groot gebied ({extent.rows} rijen × {extent.columns} "
            f"kolommen met {extent.cells} gevulde cellen); verwijder losse cellen ver buiten de tabel"
        )
