"""The Excel report: rows, columns, sheets, and cells that must stay text."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from io import BytesIO

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from hienfeld.reference import ReferenceComparison
from hienfeld.report import TRUNCATION_MARKER, write_report
from hienfeld.types import Advice, Cluster, PolicyTable

BASE_HEADERS = [
    "Status", "Cluster_ID", "Cluster_Naam", "Vertrouwen", "Advies", "Adviescode", "Reden", "Artikel",
    "Frequentie", "Tekst", "Polisnummer", "Variant",
]


def _table(texts: list[str], policies: list[str] | None = None) -> PolicyTable:
    policies = policies or [f"P{i}" for i in range(len(texts))]
    rows = [[p, "Auto", t, f"2024-0{i % 9 + 1}"] for i, (p, t) in enumerate(zip(policies, texts))]
    return PolicyTable(["Polis", "Branche", "Omschrijving", "Datum"], rows, "Omschrijving", "Polis")


def _clusters(row_cluster: list[int], texts: list[str]) -> list[Cluster]:
    clusters = [
        Cluster(f"CL-{k + 1:04d}", f"Naam {k + 1}", "", advice=Advice("BEHOUDEN", "Hoog", "reden"))
        for k in range(max(row_cluster) + 1)
    ]
    for i, k in enumerate(row_cluster):
        clusters[k].rows.append(i)
        clusters[k].leader_text = clusters[k].leader_text or texts[i]
    return clusters


def _write(table: PolicyTable, row_cluster: list[int], **kwargs: object) -> openpyxl.Workbook:
    out = BytesIO()
    write_report(out, table, _clusters(row_cluster, table.texts), row_cluster, **kwargs)
    return openpyxl.load_workbook(BytesIO(out.getvalue()))


def _records(sheet) -> list[dict[str, object]]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row)) for row in rows]


def test_every_input_row_in_input_order_including_empty_and_short():
    texts = ["Dekking bij storm", "", "ab", "Dekking bij storm", "x"]
    wb = _write(_table(texts), [0, 1, 2, 0, 2])
    records = _records(wb["Analyseresultaten"])
    assert [r["Tekst"] or "" for r in records] == texts
    assert [r["Cluster_ID"] for r in records] == ["CL-0001", "CL-0002", "CL-0003", "CL-0001",
                                                   "CL-0003"]
    assert [r["Frequentie"] for r in records] == [2, 1, 2, 2, 2]
    assert [r["Polisnummer"] for r in records] == ["P0", "P1", "P2", "P3", "P4"]
    assert all(r["Status"] is None and r["Advies"] == "BEHOUDEN" for r in records)


def test_column_order_and_extra_columns_kept():
    wb = _write(_table(["a", "b"]), [0, 0])
    sheet = wb["Analyseresultaten"]
    assert [c.value for c in sheet[1]] == BASE_HEADERS + ["Branche", "Datum"]
    assert [c.value for c in sheet[2]][-2:] == ["Auto", "2024-01"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N3"
    assert sheet[1][0].font.b


def test_comparison_columns_and_gone_sheet():
    comparison = ReferenceComparison(
        ["✅ Afgerond", "🆕 Nieuw"], ["VERWIJDEREN", ""], ["⚠️", "🆕"],
        [{"Tekst": "oude tekst", "Polisnummer": "P9", "Advies": "BEHOUDEN", "Status": "open"}],
    )
    wb = _write(_table(["a", "b"]), [0, 0], comparison=comparison)
    headers = [c.value for c in wb["Analyseresultaten"][1]]
    assert headers == BASE_HEADERS + ["Actie Status", "Ref. Advies", "Vergelijking", "Branche",
                                      "Datum"]
    first = _records(wb["Analyseresultaten"])[0]
    assert (first["Actie Status"], first["Ref. Advies"], first["Vergelijking"]) == (
        "✅ Afgerond", "VERWIJDEREN", "⚠️")
    assert _records(wb["Verdwenen Teksten"]) == [
        {"Tekst": "oude tekst", "Polisnummer": "P9", "Advies": "BEHOUDEN", "Status": "open"}
    ]


def test_without_comparison_no_gone_sheet_and_no_policy_column():
    table = PolicyTable(["Tekst", "Advies"], [["a", "eigen advies"]], "Tekst")
    wb = _write(table, [0])
    assert wb.sheetnames == ["Analyseresultaten", "Lange teksten", "Cluster Samenvatting"]
    record = _records(wb["Analyseresultaten"])[0]
    assert record["Polisnummer"] is None
    # The input's own "Advies" column is kept without shadowing ours.
    assert record["Advies"] == "BEHOUDEN" and record["Advies (origineel)"] == "eigen advies"


def test_formula_looking_cells_stay_text():
    risky = ["=SUM(A1:A2)", "+31 6 1234", "-1", "@HYPERLINK(\"x\")", "\t=1+1", "\r=1+1",
             "<r><t>x</t></r>", '=HYPERLINK("http://evil","klik")']
    table = PolicyTable(["Tekst", "Polis", "=Extra"], [[t, t, t] for t in risky], "Tekst", "Polis")
    out = BytesIO()
    write_report(out, table, _clusters([0] * len(risky), risky), [0] * len(risky))
    sheet = openpyxl.load_workbook(BytesIO(out.getvalue()))["Analyseresultaten"]
    assert (sheet["M1"].value, sheet["M1"].data_type) == ("=Extra", "s")  # an input column name
    for row_no, text in enumerate(risky, start=2):
        for col in ("J", "K", "M"):  # Tekst, Polisnummer, Extra
            cell = sheet[f"{col}{row_no}"]
            assert cell.data_type == "s"
            # openpyxl leaves the OOXML escape of CR (_x000D_) in place; Excel decodes it.
            assert unescape(cell.value) == text
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)


def test_illegal_characters_stripped_and_huge_text_truncated():
    huge = "woord " * 7000  # 42,000 characters
    wb = _write(_table(["a\x00b\x0bc\x1f", "\ud800x\ufffe", huge]), [0, 1, 2])
    texts = [r["Tekst"] for r in _records(wb["Analyseresultaten"])]
    assert texts[:2] == ["abc", "x"]
    assert len(texts[2]) == 32_767 and texts[2].endswith(TRUNCATION_MARKER)
    assert texts[2].startswith(huge[:1000])


def test_long_texts_sheet():
    texts = ["kort", "x" * 11, "y" * 10, "z" * 50]
    wb = _write(_table(texts), [0, 1, 1, 2], long_text_chars=10)
    assert _records(wb["Lange teksten"]) == [
        {"Cluster_ID": "CL-0002", "Polisnummer": "P1", "Lengte": 11, "Tekst": "x" * 11},
        {"Cluster_ID": "CL-0003", "Polisnummer": "P3", "Lengte": 50, "Tekst": "z" * 50},
    ]


def test_summary_ordered_by_frequency_then_id():
    texts = ["a1", "b1", "b2", "c1", "c2", "c3", "d1", "d2", "d3"]
    wb = _write(_table(texts), [0, 1, 1, 2, 2, 2, 3, 3, 3])
    records = _records(wb["Cluster Samenvatting"])
    assert [(r["Cluster_ID"], r["Frequentie"]) for r in records] == [
        ("CL-0003", 3), ("CL-0004", 3), ("CL-0002", 2), ("CL-0001", 1)]
    assert list(records[0]) == ["Cluster_ID", "Cluster_Naam", "Frequentie", "Advies", "Adviescode",
                                "Vertrouwen", "Reden", "Artikel", "Tekst", "Samengevoegd via", "Slots en waarden"]
    assert records[0]["Tekst"] == "c1"


def test_cluster_without_advice_leaves_advice_cells_empty():
    table = _table(["a"])
    out = BytesIO()
    write_report(out, table, [Cluster("CL-0001", "n", "a", [0])], [0])
    record = _records(openpyxl.load_workbook(out)["Analyseresultaten"])[0]
    assert record["Advies"] is None and record["Cluster_ID"] == "CL-0001"


@pytest.mark.slow  # 100,000 rows written: several seconds of CPU
def test_100k_rows_stream_within_time():
    n = 100_000
    rows = [[f"P{i % 7000}", f"Dekking vervalt bij opzet, variant {i % 500}", "Auto"]
            for i in range(n)]
    table = PolicyTable(["Polis", "Tekst", "Branche"], rows, "Tekst", "Polis")
    row_cluster = [i % 500 for i in range(n)]
    advice = Advice("🛠️ STANDAARDISEREN", "Midden", "Lijkt op art 2.3", "Art 2.3")
    clusters = [Cluster(f"CL-{k:04d}", f"Opzet {k}", f"leader {k}", advice=advice)
                for k in range(500)]
    for i, k in enumerate(row_cluster):
        clusters[k].rows.append(i)
    out = BytesIO()
    start = time.process_time()  # CPU time: wall time swings with whatever else shares the cores
    write_report(out, table, clusters, row_cluster)
    assert time.process_time() - start < 20  # ~6 s measured
    out.seek(0)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb["Analyseresultaten"].max_row == n + 1  # the declared sheet dimension
    with zipfile.ZipFile(out) as archive:  # and the rows really are there
        assert archive.read("xl/worksheets/sheet1.xml").count(b"<row ") == n + 1


def test_rows_are_streamed_not_held_in_memory():
    n = 5_000
    table = _table([f"Clausule nummer {i}" for i in range(n)])
    clusters = _clusters([0] * n, table.texts)
    tracemalloc.start()
    try:
        write_report(BytesIO(), table, clusters, [0] * n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # ~0.7 MB here; holding the cells (xlsxwriter without constant_memory) peaks at ~6.5 MB.
    assert peak < 3_000_000


def test_the_advice_code_column_is_the_label_without_its_emoji():
    table = _table(["a", "b", "c"])
    clusters = _clusters([0, 1, 2], ["a", "b", "c"])
    for cluster, code in zip(clusters, ["🔄 VERVANGEN", "HANDMATIG CHECKEN", "📋 NAAR JURIDISCH"]):
        cluster.advice = Advice(code, "Hoog", "reden")
    out = BytesIO()
    write_report(out, table, clusters, [0, 1, 2])
    wb = openpyxl.load_workbook(BytesIO(out.getvalue()), read_only=True)
    records = _records(wb["Analyseresultaten"])
    assert [(r["Advies"], r["Adviescode"]) for r in records] == [
        ("🔄 VERVANGEN", "VERVANGEN"), ("HANDMATIG CHECKEN", "HANDMATIG CHECKEN"), ("📋 NAAR JURIDISCH", "NAAR JURIDISCH")]
    summary = _records(wb["Cluster Samenvatting"])
    assert {r["Adviescode"] for r in summary} == {"VERVANGEN", "HANDMATIG CHECKEN", "NAAR JURIDISCH"}


def _per_cell_reference(table: PolicyTable, clusters: list[Cluster], row_cluster: list[int], **kwargs) -> bytes:
    """The report as xlsxwriter's own per-cell API writes it (the writer before the rows were
    streamed as XML): the same sheets, columns, formats and calls, cell by cell."""
    import xlsxwriter

    from hienfeld import report

    sheets: list[tuple[str, list, list]] = []

    class Recorder:
        def __init__(self, name, columns):
            self.rows: list = []
            sheets.append((name, list(columns), self.rows))

        def append(self, cells):
            self.rows.append(list(cells))

    report._write_results(Recorder, table, clusters, row_cluster, kwargs.get("comparison"), {}, [""] * len(row_cluster))
    report._write_long_texts(Recorder, table, clusters, row_cluster, kwargs.get("long_text_chars", 800))
    report._write_summary(Recorder, clusters, [""] * len(clusters))
    out = BytesIO()
    with xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False}) as workbook:
        styles = report._Styles.create(workbook)

        def text(ws, row, col, value, style=None):
            if len(value) > report._EXCEL_MAX_CHARS // 2 or report._XML_ILLEGAL.search(value):
                value = report._excel_text(value)
            if not value:
                return
            if value.startswith("<r>") and value.endswith("</r>"):
                ws.write_rich_string(row, col, styles.plain, value[:3], value[3:], *([style] if style else []))
            else:
                ws.write_string(row, col, value, style)

        for name, columns, rows in sheets:
            ws = workbook.add_worksheet(name)
            for col, column in enumerate(columns):
                ws.set_column(col, col, column.width, styles.wrapped if column.wrap else None)
                text(ws, 0, col, column.header, styles.header)
            ws.freeze_panes(1, 0)
            for r, cells in enumerate(rows, start=1):
                for col, value in enumerate(cells):
                    if isinstance(value, str):
                        text(ws, r, col, value)
                    elif value is not None:
                        ws.write_number(r, col, value)
            ws.autofilter(0, 0, len(rows), len(columns) - 1)
    return out.getvalue()


def test_streamed_rows_are_the_xml_xlsxwriter_writes_cell_by_cell():
    # every kind of cell the escaping treats apart: XML specials, control characters and their
    # literal escapes, surrounding whitespace (also non-ASCII), rich-string look-alikes, emoji,
    # empty cells, over-long text. ("<r>...</r>" differs in markup only: xlsxwriter needs a
    # two-run rich string to keep it text, the streamed row escapes it; the value is the same,
    # test_formula_looking_cells_stay_text.)
    tricky = ["gewoon", "a & b < c > d", 'aanhalingsteken " en \n nieuwe regel', "\r=1+1", "tab\tin",
              " voorloopspatie", "naloopspatie ", "\u00a0nbsp", "regel\n", "_x0041_ letterlijk",
              "_x00zz_ geen escape", "<r> begin", "x\x00y\x1fz", "\ud800los", "\ufffe", "😀 emoji",
              "", "woord " * 7000, "=SUM(A1)", "ééé"]
    texts = [t for t in tricky for _ in range(2)]
    table = PolicyTable(["Polis", "Tekst", " Extra "], [[t, texts[i], t[::-1]] for i, t in enumerate(texts)],
                        "Tekst", "Polis")
    row_cluster = [i % 5 for i in range(len(texts))]
    clusters = _clusters(row_cluster, texts)
    clusters[1].advice = None
    streamed = BytesIO()
    write_report(streamed, table, clusters, row_cluster, long_text_chars=10)
    reference = _per_cell_reference(table, clusters, row_cluster, long_text_chars=10)
    with zipfile.ZipFile(streamed) as a, zipfile.ZipFile(BytesIO(reference)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":  # holds the time of writing
                assert a.read(name) == b.read(name), name
