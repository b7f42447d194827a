"""The Excel report, streamed row by row with xlsxwriter's constant_memory mode.

Rows go to disk as they are written, so a 100,000-row export never exists as cell objects. Every
text goes in as a string cell: policy texts are untrusted, and a clause starting with "=" must
never become a formula in the analyst's Excel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
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
    # in_memory=False: xlsxwriter assembles the zip from temp files instead of RAM.
    with xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False}) as workbook:
        new_sheet = partial(_Sheet, workbook, _Styles.create(workbook))
        _write_results(new_sheet, table, clusters, row_cluster, comparison, row_advice or {},
                       row_variant or [""] * len(table.rows))
        _write_long_texts(new_sheet, table, clusters, row_cluster, long_text_chars)
        _write_summary(new_sheet, clusters, slot_summaries or [""] * len(clusters))
        if comparison is not None:
            _write_gone(new_sheet, comparison.gone)


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
    sheet.finish()


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
    sheet.finish()


def _write_summary(new_sheet: _NewSheet, clusters: Sequence[Cluster], slot_summaries: Sequence[str]) -> None:
    sheet = new_sheet(SUMMARY_SHEET, _SUMMARY_COLUMNS)
    for c in sorted(range(len(clusters)), key=lambda c: (-clusters[c].frequency, clusters[c].cluster_id)):
        cluster = clusters[c]
        advice = cluster.advice or _NO_ADVICE
        sheet.append([
            cluster.cluster_id, cluster.name, cluster.frequency, advice.code, plain_label(advice.code), advice.confidence,
            advice.reason, advice.article, cluster.leader_text, cluster.merged_by, slot_summaries[c],
        ])
    sheet.finish()


def _write_gone(new_sheet: _NewSheet, gone: Sequence[dict[str, str]]) -> None:
    sheet = new_sheet(GONE_SHEET, _GONE_COLUMNS)
    for row in gone:
        sheet.append([row.get(c.header, "") for c in _GONE_COLUMNS])
    sheet.finish()


@dataclass(frozen=True)
class _Styles:
    header: Any
    wrapped: Any
    plain: Any

    @classmethod
    def create(cls, workbook: Any) -> _Styles:
        header = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1,
                  "text_wrap": True, "valign": "top"}
        return cls(
            header=workbook.add_format(header),
            wrapped=workbook.add_format({"text_wrap": True, "valign": "top"}),
            plain=workbook.add_format(),
        )


class _Sheet:
    """One worksheet written top to bottom, as constant_memory mode requires."""

    def __init__(
        self, workbook: Any, styles: _Styles, name: str, columns: Sequence[_Column]
    ) -> None:
        self._ws = workbook.add_worksheet(name)
        self._plain = styles.plain
        self._rows = 0
        self._width = len(columns)
        for col, column in enumerate(columns):
            # Only text columns get a column format: each formatted column adds ~0.1-0.3 s of
            # write time per 100k rows.
            self._ws.set_column(col, col, column.width, styles.wrapped if column.wrap else None)
            # Headers can be the input's own column names: as untrusted as any cell.
            self._write_text(0, col, column.header, styles.header)
        self._ws.freeze_panes(1, 0)

    def append(self, cells: Sequence[_Cell]) -> None:
        self._rows += 1
        for col, value in enumerate(cells):
            if isinstance(value, str):
                self._write_text(self._rows, col, value)
            elif value is not None:
                self._ws.write_number(self._rows, col, value)

    def _write_text(self, row: int, col: int, value: str, style: Any = None) -> None:
        # The hot path of a 100k-row report: most cells are short, clean strings that go straight
        # to write_string; only suspicious ones pay for _excel_text().
        if len(value) > _EXCEL_MAX_CHARS // 2 or _XML_ILLEGAL.search(value):
            value = _excel_text(value)
        if not value:
            return
        if value.startswith("<r>") and value.endswith("</r>"):
            # constant_memory mode passes such strings through as raw rich-text XML; as a
            # two-run rich string the same text is escaped and stays plain text.
            tokens = [self._plain, value[:3], value[3:]] + ([style] if style else [])
            self._ws.write_rich_string(row, col, *tokens)
        else:
            self._ws.write_string(row, col, value, style)

    def finish(self) -> None:
        self._ws.autofilter(0, 0, self._rows, self._width - 1)


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
