"""A cluster as a template with slots, each row as the values it fills in (pure logic), and the
report's Variant column and per-slot values."""

from __future__ import annotations

import io
from itertools import combinations

import openpyxl

from hienfeld.advice_codes import AdviceCode
from hienfeld.normalize import normalize_text
from hienfeld.report import write_report
from hienfeld.slots import Slots, learn_slots
from hienfeld.types import Advice, Cluster, PolicyTable
from hienfeld.variants import clause_template, fill, find_variants, slot_summary

OBJECTS = ["schuur", "garage", "carport", "paardenstal", "tuinhuis"]
TEXTS = [f"Meeverzekerd is de vrijstaande {o} op het risicoadres tot een bedrag van € {n}.000,-."
         for o, n in zip(OBJECTS, (5, 10, 5, 25, 5))]


def _slots() -> Slots:
    words = [[normalize_text(t).split()] for t in TEXTS]
    pairs = [(j, i) for i, j in combinations(range(len(TEXTS)), 2)]
    return learn_slots(words, pairs, frozenset({"niet", "geen"}))


def test_the_template_marks_the_learned_slot_and_the_masked_amount():
    template = clause_template(TEXTS[0], _slots())
    assert template.slots == ("woord", "bedrag")
    assert template.marked() == ("meeverzekerd is de vrijstaande <woord> op het risicoadres tot een bedrag van "
                                 "<bedrag>")


def test_a_row_fills_in_its_values_as_written_noise_is_no_value():
    template = clause_template(TEXTS[0], _slots())
    assert fill(template, TEXTS[3]) == ("paardenstal", "€ 25.000,-")
    noisy = "Let op: meeverzekerd is de vrijstaande GARAGE op het risicoadres tot een bedarg van EUR 7500."
    assert fill(template, noisy) == ("GARAGE", "EUR 7500")
    assert fill(clause_template("Schade door storm is gedekt.", Slots({})), "Schade door storm is gedekt.") == ()


def test_the_report_has_each_rows_variant_and_the_values_per_slot():
    found = find_variants(TEXTS, [0] * len(TEXTS), [TEXTS[0]], _slots())
    assert found.row_variant[1] == "garage · € 10.000,-"
    summary = slot_summary(found.templates[0], found.slot_values[0])
    assert summary.splitlines()[1] == "2 (bedrag): € 5.000,- 3, € 10.000,- 1, € 25.000,- 1"
    table = PolicyTable(["Tekst"], [[t] for t in TEXTS], "Tekst")
    cluster = Cluster("CL-0001", "Meeverzekerd", TEXTS[0], list(range(len(TEXTS))),
                      Advice(AdviceCode.STANDARDISE, "Hoog", "Komt 5 keer voor"))
    out = io.BytesIO()
    write_report(out, table, [cluster], [0] * len(TEXTS), row_variant=found.row_variant,
                 slot_summaries=[summary])
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    rows = list(wb["Analyseresultaten"].iter_rows(values_only=True))
    variant = rows[0].index("Variant")
    assert [r[variant] for r in rows[1:]] == found.row_variant
    summary_rows = list(wb["Cluster Samenvatting"].iter_rows(values_only=True))
    assert summary_rows[1][summary_rows[0].index("Slots en waarden")] == summary
