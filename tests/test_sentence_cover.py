"""Where the conditions state a clause, sentence by sentence, and the amounts filled into it
(pure logic: rapidfuzz and the masking rules, no models)."""

from __future__ import annotations

import pytest

from hienfeld.amounts import dutch_number, filled_amounts
from hienfeld.sentence_cover import ConditionsSentences

CONDITIONS = [
    "12.1 Schade door storm aan de inboedel is gedekt tot € 5.000. 12.2 Bij schade door storm aan het woonhuis "
    "geldt een eigen risico van € 250 per gebeurtenis.",
    "Artikel 19 Preventie. 19.1 Verzekeringnemer is verplicht te zorgen voor een alarmsysteem met doormelding. "
    "Bij het niet nakomen van deze verplichting vervalt de dekking voor diefstal. 19.2 Verzekeringnemer is "
    "verplicht te zorgen voor cameratoezicht. Bij het niet nakomen van deze verplichting geldt een extra eigen "
    "risico van 25% bij inbraak. 19.3 Ramen op de begane grond hebben goedgekeurde sloten.",
    "42.1 Het vervoer van non-ferrometalen naar bestemmingen buiten Europa is niet gedekt.",
]
RATIO = 0.6


@pytest.fixture(scope="module")
def conditions() -> ConditionsSentences:
    return ConditionsSentences(CONDITIONS)


def _find(conditions: ConditionsSentences, clause: str):
    return conditions.find([clause], RATIO)[0].statement


def test_a_clause_with_a_typo_other_notation_and_an_appended_note_is_stated(conditions):
    found = _find(conditions, "Bij schade door storm aan het woonhuis geldt een eigen risico van EUR 250,00 "
                              "per gebeurtnis. Zie polisblad.")
    assert found is not None and found.target == 0
    assert found.notes == ("zie polisblad",)
    assert found.same_amounts


def test_another_amount_is_stated_but_not_the_same(conditions):
    found = _find(conditions, "Bij schade door storm aan het woonhuis geldt een eigen risico van € 500 per gebeurtenis.")
    assert found is not None and not found.same_amounts
    assert (found.clause_amounts, found.stated_amounts) == (("€ 500",), ("€ 250",))


def test_the_passage_with_the_clause_s_own_amount_is_preferred():
    texts = ["Bij schade door storm geldt een eigen risico van € 250 per gebeurtenis.",
             "Bij schade door storm geldt een eigen risico van € 500 per gebeurtenis."]
    found = ConditionsSentences(texts).find(["Bij schade door storm geldt een eigen risico van EUR 500,- per "
                                             "gebeurtenis."], RATIO)[0].statement
    assert found is not None and found.target == 1 and found.same_amounts


def test_a_neighbouring_case_is_not_stated_and_names_the_text_that_states_it(conditions):
    """Another peril in an otherwise identical sentence: the conditions regulate storm, not hail."""
    hail = "Bij schade door hagel aan het woonhuis geldt een eigen risico van € 250 per gebeurtenis."
    cover = conditions.find([hail], RATIO)[0]
    assert cover.statement is None
    assert cover.differing == {0: "bij schade door hagel aan het woonhuis geldt een eigen risico van bedrag per gebeurtenis"}
    storm = conditions.find([hail.replace("hagel", "storm")], RATIO)[0]
    assert storm.statement is not None and storm.differing == {}


def test_sentences_that_follow_each_other_in_one_passage_are_stated(conditions):
    found = _find(conditions, "Verzekeringnemer is verplicht te zorgen voor een alarmsysteem met doormelding. "
                              "Bij het niet nakomen van deze verplichting vervalt de dekking voor diefstal.")
    assert found is not None and found.target == 1 and found.notes == ()


def test_an_obligation_with_another_consequence_is_not_stated(conditions):
    """Both sentences occur in the conditions, but the alarm obligation goes on with another
    consequence there: the clause changes the article."""
    assert _find(conditions, "Verzekeringnemer is verplicht te zorgen voor een alarmsysteem met doormelding. "
                             "Bij het niet nakomen van deze verplichting geldt een extra eigen risico van 25% bij "
                             "inbraak.") is None


def test_a_clause_mostly_about_something_the_conditions_lack_is_not_stated(conditions):
    assert _find(conditions, "De dekking geldt uitsluitend voor woningen met een rieten kap, een brandmelder in "
                             "iedere ruimte en een blusdeken in de keuken. Ramen op de begane grond hebben "
                             "goedgekeurde sloten.") is None


@pytest.mark.parametrize("written", ["€ 1.250,-", "EUR 1250", "€1.250,00", "1250 euro", "eur 1.250"])
def test_one_amount_in_every_notation(written):
    assert filled_amounts(f"Het eigen risico bedraagt {written} per gebeurtenis.") == ("€ 1250",)


def test_millions_percentages_and_no_amounts():
    assert filled_amounts("Verzekerd tot € 2,5 miljoen; eigen risico 10% van de schade, minimaal 5 procent.") == \
        ("€ 2500000", "10%", "5%")
    assert filled_amounts("Binnen 14 dagen melden, polis 2024-118.") == ()


def test_dutch_numbers():
    assert [dutch_number(x) for x in ("1.250", "1.250,50", "2,5", "1250.50", "500,-")] == \
        [1250, 1250.5, 2.5, 1250.5, 500]


@pytest.mark.parametrize("clause", [
    "het vervoer van non-ferrometalen naar bestemmingen buiten europa is niet gedekt.",
    "HET VERVOER VAN NON-FERROMETALEN NAAR BESTEMMINGEN BUITEN EUROPA IS NIET GEDEKT.",
    "Het vervoer van non-ferrometalen naar bestemmingen buiten Europa is niet gedekt.",
])
def test_a_clause_in_capitals_or_lower_case_is_stated_where_the_conditions_capitalise_a_name(conditions, clause):
    """The conditions write "Europa" (masked as a name); in capitals or lower case nothing tells a
    name, so the clause is looked up with the conditions' names as words too."""
    found = _find(conditions, clause)
    assert found is not None and found.target == 2
    assert _find(conditions, clause.replace("buiten", "binnen").replace("BUITEN", "BINNEN")) is None
