"""The Excel report, streamed row by row in one pass.

xlsxwriter (constant_memory mode) writes the workbook's frame: styles, column widths, frozen
header, autofilter, sheet dimensions, document properties. The data rows do not go through its
per-cell API (about 10 Python calls a cell: 40 s for a 200,000-row report); each row becomes the
XML xlsxwriter would have written for it in one string (`_Sheet.append`) and goes to a temporary
file as it is made, so a 500,000-row export never exists as cell objects. When the frame is
closed, its sheets are copied into the final zip with the streamed rows in place of a marker row.
Every text goes in as a string cell: policy texts are untrusted, and a clause starting with "="
must never become a formula in the analyst's Excel.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

import xlsxwriter

from hienfeld.advice_codes import plain_label
from hienfeld.reference import RESULTS_SHEET, ReferenceComparison
from hienfeld.results import AnalysisResult
from hienfeld.types import Advice, Cluster, PolicyTable
from hienfeld.variants import slot_summary

LONG_TEXTS_SHEET = "Lange teksten"
SUMMARY_SHEET = "Cluster Samenvatting"
GONE_SHEET = "Verdwenen Teksten"
TRUNCATION_MARKER = " …[afgekapt]"

_EXCEL_MAX_CHARS = 32_767  # counted in UTF-16 units
# Characters XML 1.0 cannot hold (lone surrogates also break the UTF-8 encoding of the file).
# \t, \n and \r are legal and kept.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# What xlsxwriter's constant_memory writer changes in a string (xmlwriter.py, utility.py): control
# characters and literal "_xHHHH_" are escaped, "&<>" too, leading/trailing whitespace gets
# xml:space="preserve". A cell matching none of this (nearly all) is written as it is.
# (re's \\s is str.isspace(); "_x" is looked for as a substring first)
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE, _TRAILING_SPACE = re.compile(r"^\s"), re.compile(r"\s$")
_MARKER = "\x01"  # the frame's stand-in for the streamed rows, in the last row's first cell
_COPY_CHUNK = 1 << 16
_ZIP_LEVEL = 6
_NO_ADVICE = Advice(code="", confidence="", reason="")
_CLASHING_SUFFIX = " (origineel)"


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    wrap: bool = False


_TEXT = _Column("Tekst", 80, wrap=True)
_POLICY = _Column("Polisnummer", 16)
_CLUSTER_ID = _Column("Cluster_ID", 11)
_CLUSTER_NAME = _Column("Cluster_Naam", 40, wrap=True)
_FREQUENCY = _Column("Frequentie", 11)
_ADVICE = _Column("Advies", 24)
_CODE = _Column("Adviescode", 24)  # the advice without its emoji (advice_codes.plain_label)
_CONFIDENCE = _Column("Vertrouwen", 11)
_REASON = _Column("Reden", 50, wrap=True)
_ARTICLE = _Column("Artikel", 30, wrap=True)
_STATUS = _Column("Status", 14)
_VARIANT = _Column("Variant", 30, wrap=True)  # the values this row fills into its cluster's template

_RESULT_COLUMNS = (
    _STATUS, _CLUSTER_ID, _CLUSTER_NAME, _CONFIDENCE, _ADVICE, _CODE, _REASON, _ARTICLE, _FREQUENCY,
    _TEXT, _POLICY,
)
_COMPARISON_COLUMNS = (
    _Column("Actie Status", 14), _Column("Ref. Advies", 24), _Column("Vergelijking", 13),
)
_LONG_TEXT_COLUMNS = (_CLUSTER_ID, _POLICY, _Column("Lengte", 10), _TEXT)
_SUMMARY_COLUMNS = (
    _CLUSTER_ID, _CLUSTER_NAME, _FREQUENCY, _ADVICE, _CODE, _CONFIDENCE, _REASON, _ARTICLE, _TEXT,
    _Column("Samengevoegd via", 40, wrap=True), _Column("Slots en waarden", 50, wrap=True),
)
_GONE_COLUMNS = (_TEXT, _POLICY, _ADVICE, _STATUS)

_Cell = str | int | float | None
_NewSheet = Callable[[str, Sequence[_Column]], "_Sheet"]

_XF_HEADER, _XF_WRAPPED = 1, 2  # cell format indices in the frame's styles.xml (_Styles.create)


def write_result_report(out: BinaryIO, result: AnalysisResult, long_text_chars: int) -> None:
    """The report stage: the report of one analysis result."""
    found = result.variants
    write_report(out, result.table, result.clusters, result.row_cluster, result.comparison,
                 long_text_chars=long_text_chars, row_advice=result.row_advice,
                 row_variant=found.row_variant if found else None,
                 slot_summaries=[slot_summary(t, c) for t, c in zip(found.templates, found.slot_values)]
                 if found else None)


def write_report(
    out: BinaryIO,
    table: PolicyTable,
    clusters: Sequence[Cluster],
    row_cluster: Sequence[int],
    comparison: ReferenceComparison | None = None,
    long_text_chars: int = 800,
    row_advice: Mapping[int, Advice] | None = None,
    row_variant: Sequence[str] | None = None,
    slot_summaries: Sequence[str] | None = None,
) -> None:
    """Write the xlsx report to `out`; row_cluster[i] indexes `clusters` for input row i.
    `row_advice` overrides the cluster's advice for single rows (a row whose own date lapsed);
    `row_variant[i]` is the values row i fills into its cluster's template, `slot_summaries[c]`
    the values per slot of cluster c (hienfeld/variants.py)."""
    if len(row_cluster) != len(table.rows):
        raise ValueError("row_cluster must have one entry per table row")
    if comparison is not None and len(comparison.action_status) != len(table.rows):
        raise ValueError("comparison must have one entry per table row")
    sheets: list[_Sheet] = []

    def new_sheet(name: str, columns: Sequence[_Column]) -> _Sheet:
        sheets.append(_Sheet(name, columns))
        return sheets[-1]

    try:
        _write_results(new_sheet, table, clusters, row_cluster, comparison, row_advice or {},
                       row_variant or [""] * len(table.rows))
        _write_long_texts(new_sheet, table, clusters, row_cluster, long_text_chars)
        _write_summary(new_sheet, clusters, slot_summaries or [""] * len(clusters))
        if comparison is not None:
            _write_gone(new_sheet, comparison.gone)
        _assemble(out, sheets)
    finally:
        for sheet in sheets:
            sheet.close()


def _write_results(
    new_sheet: _NewSheet,
    table: PolicyTable,
    clusters: Sequence[Cluster],
    row_cluster: Sequence[int],
    comparison: ReferenceComparison | None,
    row_advice: Mapping[int, Advice],
    row_variant: Sequence[str],
) -> None:
    text_i = table.columns.index(table.text_column)
    policy_i = table.columns.index(table.policy_column) if table.policy_column else None
    extra = [i for i in range(len(table.columns)) if i not in (text_i, policy_i)]
    columns = [*_RESULT_COLUMNS, _VARIANT]
    if comparison is not None:
        columns += _COMPARISON_COLUMNS
    # An input that already has e.g. an "Advies" column keeps it, under a name that does not
    # shadow ours (the reference reader takes the first matching header).
    taken = {c.header.lower() for c in columns}
    columns += [
        _Column(name + _CLASHING_SUFFIX if name.lower() in taken else name, 18)
        for name in (table.columns[i] for i in extra)
    ]
    sheet = new_sheet(RESULTS_SHEET, columns)
    for i, row in enumerate(table.rows):
        cluster = clusters[row_cluster[i]]
        advice = row_advice.get(i) or cluster.advice or _NO_ADVICE
        cells: list[_Cell] = [
            None,  # Status: for the analyst to fill in
            cluster.cluster_id, cluster.name, advice.confidence, advice.code, plain_label(advice.code), advice.reason,
            advice.article, cluster.frequency, row[text_i],
            row[policy_i] if policy_i is not None else "", row_variant[i],
        ]
        if comparison is not None:
            cells += [comparison.action_status[i], comparison.ref_advice[i],
                      comparison.comparison[i]]
        cells += [row[j] for j in extra]
        sheet.append(cells)


def _write_long_texts(
    new_sheet: _NewSheet,
    table: PolicyTable,
    clusters: Sequence[Cluster],
    row_cluster: Sequence[int],
    long_text_chars: int,
) -> None:
    text_i = table.columns.index(table.text_column)
    policy_i = table.columns.index(table.policy_column) if table.policy_column else None
    sheet = new_sheet(LONG_TEXTS_SHEET, _LONG_TEXT_COLUMNS)
    for i, row in enumerate(table.rows):
        text = row[text_i]
        if len(text) > long_text_chars:
            policy = row[policy_i] if policy_i is not None else ""
            sheet.append([clusters[row_cluster[i]].cluster_id, policy, len(text), text])


def _write_summary(new_sheet: _NewSheet, clusters: Sequence[Cluster], slot_summaries: Sequence[str]) -> None:
    sheet = new_sheet(SUMMARY_SHEET, _SUMMARY_COLUMNS)
    for c in sorted(range(len(clusters)), key=lambda c: (-clusters[c].frequency, clusters[c].cluster_id)):
        cluster = clusters[c]
        advice = cluster.advice or _NO_ADVICE
        sheet.append([
            cluster.cluster_id, cluster.name, cluster.frequency, advice.code, plain_label(advice.code), advice.confidence,
            advice.reason, advice.article, cluster.leader_text, cluster.merged_by, slot_summaries[c],
        ])


def _write_gone(new_sheet: _NewSheet, gone: Sequence[dict[str, str]]) -> None:
    sheet = new_sheet(GONE_SHEET, _GONE_COLUMNS)
    for row in gone:
        sheet.append([row.get(c.header, "") for c in _GONE_COLUMNS])


@dataclass(frozen=True)
class _Styles:
    header: Any
    wrapped: Any
    plain: Any

    @classmethod
    def create(cls, workbook: Any) -> _Styles:
        header = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1,
                  "text_wrap": True, "valign": "top"}
        styles = cls(
            header=workbook.add_format(header),
            wrapped=workbook.add_format({"text_wrap": True, "valign": "top"}),
            plain=workbook.add_format(),
        )
        # xlsxwriter numbers formats in order of first use; the streamed rows name them by number
        # before the frame is written, so they are numbered here, in a fixed order.
        if (styles.header._get_xf_index(), styles.wrapped._get_xf_index()) != (_XF_HEADER, _XF_WRAPPED):
            raise RuntimeError("unexpected xlsxwriter format numbering")
        return styles


class _Sheet:
    """One worksheet's data rows, written top to bottom as the XML of xlsxwriter's constant_memory
    mode (cell references, column formats, inline strings, escapes), to a temporary file."""

    def __init__(self, name: str, columns: Sequence[_Column]) -> None:
        self.name, self.columns = name, list(columns)
        self.rows = 0  # data rows appended (the header is row 0)
        self.last_row = 0  # the last row with a cell: the sheet's dimension
        self._file = tempfile.TemporaryFile()
        self._out = io.TextIOWrapper(self._file, encoding="utf-8", newline="", write_through=False)
        # per column: the reference's letters and the style attribute (a wrapped column's format
        # applies to its cells, as xlsxwriter writes them)
        self._cells = [(_column_letters(col), f' s="{_XF_WRAPPED}"' if column.wrap else "")
                       for col, column in enumerate(self.columns)]

    def append(self, cells: Sequence[_Cell]) -> None:
        self.rows += 1
        number = str(self.rows + 1)
        xml = []
        for value, (letters, style) in zip(cells, self._cells):
            if isinstance(value, str):
                if not value:
                    continue
                if (len(value) > _EXCEL_MAX_CHARS // 2 or _SPECIAL.search(value) or "_x" in value
                        or value[0].isspace() or value[-1].isspace()):
                    value, space = _escaped_text(value)
                    if not value:
                        continue
                else:
                    space = ""
                xml.append(f'<c r="{letters}{number}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>')
            elif value is not None:
                xml.append(f'<c r="{letters}{number}"{style}><v>{value:.16G}</v></c>')
        if xml:
            self.last_row = self.rows
            self._out.write(f'<row r="{number}">{"".join(xml)}</row>')

    def write_frame(self, workbook: Any, styles: _Styles) -> None:
        """The sheet in the frame: widths and column formats, the header, frozen panes, the
        autofilter over every appended row, and the marker where the rows go."""
        ws = workbook.add_worksheet(self.name)
        for col, column in enumerate(self.columns):
            # Only text columns get a column format (no per-cell format lookups).
            ws.set_column(col, col, column.width, styles.wrapped if column.wrap else None)
            # Headers can be the input's own column names: as untrusted as any cell.
            header = _excel_text(column.header) if (
                len(column.header) > _EXCEL_MAX_CHARS // 2 or _XML_ILLEGAL.search(column.header)) else column.header
            if header:
                # as a two-run rich string a "<r>...</r>" name stays plain text (constant_memory
                # mode would pass it through as raw XML)
                if header.startswith("<r>") and header.endswith("</r>"):
                    ws.write_rich_string(0, col, styles.plain, header[:3], header[3:], styles.header)
                else:
                    ws.write_string(0, col, header, styles.header)
        if self.last_row:
            ws.write_string(self.last_row, 0, _MARKER)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, self.rows, len(self.columns) - 1)

    def splice(self, frame_xml: bytes, out: BinaryIO) -> None:
        """The frame's sheet XML with the streamed rows in place of its marker row."""
        if not self.last_row:
            out.write(frame_xml)
            return
        start = frame_xml.index(f'<row r="{self.last_row + 1}"'.encode())
        end = frame_xml.index(b"</sheetData>", start)
        out.write(frame_xml[:start])
        self._out.flush()
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, _COPY_CHUNK)
        out.write(frame_xml[end:])

    def close(self) -> None:
        self._out.close()


def _assemble(out: BinaryIO, sheets: Sequence[_Sheet]) -> None:
    """The frame written by xlsxwriter (small: headers and markers only), then copied part by part
    into `out`, each sheet with its rows spliced in."""
    frame = io.BytesIO()
    # in_memory=True would turn constant_memory off (shared strings); the frame is small anyway
    with xlsxwriter.Workbook(frame, {"constant_memory": True, "in_memory": False}) as workbook:
        styles = _Styles.create(workbook)
        for sheet in sheets:
            sheet.write_frame(workbook, styles)
    by_part = {f"xl/worksheets/sheet{i + 1}.xml": sheet for i, sheet in enumerate(sheets)}
    with zipfile.ZipFile(frame) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as target:
        for info in source.infolist():
            data = source.read(info)
            sheet = by_part.get(info.filename)
            if sheet is None:
                target.writestr(info, data)
                continue
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.compress_type, part.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            part._compresslevel = _ZIP_LEVEL  # what ZipFile.open(name) sets (3.13: also compress_level)
            with target.open(part, "w", force_zip64=True) as fh:
                sheet.splice(data, fh)


def _column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escaped_text(value: str) -> tuple[str, str]:
    """A suspicious text as xlsxwriter writes it: legal for Excel and XML (`_excel_text`), then
    its control-character escapes and XML escapes; with the xml:space attribute it needs."""
    value = _excel_text(value)
    value = _ESCAPED_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
    space = ' xml:space="preserve"' if _LEADING_SPACE.search(value) or _TRAILING_SPACE.search(value) else ""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), space


def _excel_text(value: str) -> str:
    """`value` as an Excel cell can hold it: no XML-illegal characters, within the length limit."""
    text = _XML_ILLEGAL.sub("", value)
    if len(text) <= _EXCEL_MAX_CHARS // 2:  # cannot exceed the limit even at 2 units a character
        return text
    units = text.encode("utf-16-le")
    if len(units) // 2 <= _EXCEL_MAX_CHARS:
        return text
    keep = 2 * (_EXCEL_MAX_CHARS - len(TRUNCATION_MARKER))
    # "ignore" drops half a surrogate pair cut at the boundary.
    return units[:keep].decode("utf-16-le", "ignore") + TRUNCATION_MARKER
