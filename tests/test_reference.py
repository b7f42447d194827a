"""Reading an earlier report and comparing the current analysis with it."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from io import BytesIO

import openpyxl
import pytest

from hienfeld.config import load_settings
from hienfeld.errors import InputError, TooLargeError, UnsupportedFileError
from hienfeld.reference import (
    ReferenceData,
    ReferenceRow,
    compare_with_reference,
    is_done_status,
)
from hienfeld.report import write_report
from shipped import read_reference
from hienfeld.types import Advice, Cluster, PolicyTable

HEADER = ["Status", "Cluster_ID", "Advies", "Tekst", "Polisnummer"]


def _xlsx(rows: list[list[object]], header: list[str] = HEADER,
          sheet: str = "Analyseresultaten") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _ref(*rows: tuple[str, str, str, str]) -> ReferenceData:
    """Rows as (text, policy, advice, status)."""
    return ReferenceData([ReferenceRow(*row) for row in rows])


def test_read_reference_matches_headers_case_insensitively():
    data = _xlsx([["Afgerond", "CL-1", "VERWIJDEREN", "Tekst a", 12345],
                  [None, None, None, None, None],
                  [None, "CL-2", "BEHOUDEN", "Tekst b", " P2 "]],
                 header=[" status", "Cluster_ID", "ADVIES", "tekst", "PolisNummer"],
                 sheet="analyseresultaten")
    ref = read_reference(data)
    assert ref.rows == [
        ReferenceRow("Tekst a", "12345", "VERWIJDEREN", "Afgerond"),
        ReferenceRow("Tekst b", "P2", "BEHOUDEN", ""),
    ]


@pytest.mark.parametrize(
    ("status", "done"),
    [("Afgerond", True), ("GEREED", True), ("klaar.", True), ("Done", True), ("verwerkt", True),
     ("OK", True), ("✅", True), ("✅ Afgerond", True), ("", False), ("open", False),
     ("niet afgerond", False), ("in behandeling", False), ("🔲 Open", False)],
)
def test_done_status(status: str, done: bool):
    assert is_done_status(status) is done


def test_done_open_new_changed_same():
    ref = _ref(("Dekking bij storm", "P1", "BEHOUDEN", "Afgerond"),
               ("Eigen risico € 250", "P1", "VERWIJDEREN", ""))
    result = compare_with_reference(
        ref,
        ["dekking bij STORM!", "Eigen risico EUR 500", "Geheel nieuwe clausule"],
        ["P1", " P1 ", "P1"],
        ["BEHOUDEN", "🛠️ STANDAARDISEREN", "BEHOUDEN"],
    )
    assert result.action_status == ["✅ Afgerond", "🔲 Open", "🆕 Nieuw"]
    assert result.ref_advice == ["BEHOUDEN", "VERWIJDEREN", ""]
    assert result.comparison == ["✓", "⚠️", "🆕"]
    assert result.gone == []
    assert result.summary() == {"afgerond": 1, "open": 1, "nieuw": 1, "gewijzigd": 1,
                                "verdwenen": 0}


def test_text_moved_to_another_policy_is_not_new():
    ref = _ref(("Dekking bij storm", "P1", "BEHOUDEN", "ok"))
    result = compare_with_reference(ref, ["Dekking bij storm"], ["P7"], ["BEHOUDEN"])
    assert result.action_status == ["✅ Afgerond"]
    assert result.comparison == ["✓"]
    assert result.gone == []


def test_exact_policy_match_wins_over_text_match():
    ref = _ref(("Clausule", "P1", "BEHOUDEN", "afgerond"), ("Clausule", "P2", "VERWIJDEREN", ""))
    result = compare_with_reference(ref, ["Clausule", "Clausule"], ["P2", "P1"],
                                    ["VERWIJDEREN", "VERWIJDEREN"])
    assert result.action_status == ["🔲 Open", "✅ Afgerond"]
    assert result.comparison == ["✓", "⚠️"]


def test_gone_texts_are_deduplicated_and_exclude_texts_still_present():
    ref = _ref(("Oude clausule", "P1", "VERWIJDEREN", "open"),
               ("oude clausule.", "P1", "VERWIJDEREN", "open"),  # same key after normalising
               ("Oude clausule", "P2", "VERWIJDEREN", "open"),
               ("Verhuisde clausule", "P3", "BEHOUDEN", ""),
               ("Blijvende clausule", "P4", "BEHOUDEN", ""),
               ("Blijvende clausule", "P4", "BEHOUDEN", ""))  # per-policy duplicate
    result = compare_with_reference(ref, ["Blijvende clausule", "Verhuisde clausule"],
                                    ["P4", "P9"], ["BEHOUDEN", "BEHOUDEN"])
    assert result.gone == [
        {"Tekst": "Oude clausule", "Polisnummer": "P1", "Advies": "VERWIJDEREN", "Status": "open"},
        {"Tekst": "Oude clausule", "Polisnummer": "P2", "Advies": "VERWIJDEREN", "Status": "open"},
    ]
    assert result.summary()["verdwenen"] == 2


def test_not_an_xlsx_file():
    with pytest.raises(InputError, match="geen Excel-bestand"):
        read_reference(b"Polisnummer;Tekst\n1;abc\n")


def test_damaged_sheet():
    good = BytesIO(_xlsx([["", "CL-1", "BEHOUDEN", "tekst", "P1"]]))
    damaged = BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            dst.writestr(name, content[: len(content) // 2] if "worksheets/" in name else content)
    with pytest.raises(InputError, match="beschadigd"):
        read_reference(damaged.getvalue())


def test_missing_sheet_names_sheets_found():
    with pytest.raises(InputError, match=r"Blad1.*Analyseresultaten"):
        read_reference(_xlsx([["x"] * 5], header=["a", "b", "c", "d", "e"], sheet="Blad1"))
    # A renamed results sheet with the report's columns is still read.
    assert len(read_reference(_xlsx([["", "CL-1", "BEHOUDEN", "t", "P1"]], sheet="Blad1")).rows) == 1


def test_missing_columns_named_with_columns_found():
    data = _xlsx([["a", "P1"]], header=["Tekst", "Polis"])
    with pytest.raises(InputError) as info:
        read_reference(data)
    message = str(info.value)
    assert "Polisnummer, Advies, Status" in message and "Tekst, Polis." in message


def test_too_many_rows():
    data = _xlsx([["", "CL-1", "BEHOUDEN", f"t{i}", "P1"] for i in range(6)])
    limits = load_settings().limits  # the configured limits are the one source of the row limit
    assert len(read_reference(data, limits=replace(limits, max_rows=6)).rows) == 6
    with pytest.raises(TooLargeError):
        read_reference(data, limits=replace(limits, max_rows=5))


def test_round_trip_through_our_own_report():
    texts = ["Regel een\r\nregel twee", "=1+1", "Dekking € 1.250,-"]
    table = PolicyTable(["Polis", "Tekst"], [[f"P{i}", t] for i, t in enumerate(texts)],
                        "Tekst", "Polis")
    clusters = [Cluster(f"CL-{i}", "n", t, [i], Advice("BEHOUDEN", "Hoog", "r"))
                for i, t in enumerate(texts)]
    out = BytesIO()
    write_report(out, table, clusters, [0, 1, 2])
    ref = read_reference(out.getvalue())
    assert [row.text for row in ref.rows] == texts
    result = compare_with_reference(ref, texts, table.policy_numbers, ["BEHOUDEN"] * 3)
    assert result.action_status == ["🔲 Open"] * 3 and result.comparison == ["✓"] * 3
