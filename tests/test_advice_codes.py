"""The advice codes: one enum, each with its family; labels derived from it."""

from __future__ import annotations

import json

from hienfeld.advice import advise, frequency_advice
from hienfeld.advice_codes import AdviceCode, Family, code_table, family_of, instruction_label
from hienfeld.hygiene import check_hygiene


def test_every_code_has_a_family_and_a_plain_label_without_emoji():
    for code in AdviceCode:
        assert isinstance(code.family, Family)
        assert code.plain and code.plain.isascii() and code.plain in code.label
    assert AdviceCode.REPLACE.plain == "VERVANGEN" and AdviceCode.STANDARDISE.plain == "STANDAARDISEREN"
    assert {c.family for c in AdviceCode} == set(Family)


def test_the_label_is_what_the_api_and_report_have_always_shown():
    assert AdviceCode.REMOVE == "VERWIJDEREN" and AdviceCode.LAPSED == "📅 VERWIJDEREN (VERLOPEN)"
    assert json.dumps({"advice_code": AdviceCode.REPLACE}, ensure_ascii=False) == '{"advice_code": "🔄 VERVANGEN"}'
    assert f"{AdviceCode.KEEP}" == str(AdviceCode.KEEP) == "✅ BEHOUDEN"


def test_the_waterfall_answers_with_members():
    assert frequency_advice(30, 20, False, 5).code is AdviceCode.STANDARDISE
    assert frequency_advice(1, 20, False, 5).code is AdviceCode.UNIQUE
    assert check_hygiene("", None).code is AdviceCode.EMPTY
    assert advise is not None


def test_instruction_labels_are_the_analysts_own_and_have_no_family():
    assert instruction_label("NAAR JURIDISCH") == "📋 NAAR JURIDISCH"
    assert family_of("📋 NAAR JURIDISCH") is None and family_of("HANDMATIG CHECKEN") is Family.CHECK


def test_the_code_table_names_each_code_once():
    table = code_table()
    assert len({row["code"] for row in table}) == len(AdviceCode) == len(table)
    assert {"code": "REMOVE", "label": "VERWIJDEREN", "plain": "VERWIJDEREN", "family": "remove"} in table
