"""Waterfall steps that depend on matching evidence (pure logic, thresholds from the shipped config)."""

from __future__ import annotations

import datetime as dt

from hienfeld.advice_codes import AdviceCode
from hienfeld.advice import ClusterFacts, KeywordRule, MatchEvidence, WaterfallConfig, advise
from hienfeld.config import load_settings
from hienfeld.advising import _article_finder
from hienfeld.types import Chunk, LibraryClause

TODAY = dt.date(2026, 11, 29)
CHUNKS = [
    Chunk(0, "voorwaarden.pdf", "2.3", "Diefstal", 4, "Diefstal na braak is gedekt."),
    Chunk(1, "voorwaarden.pdf", "12", "Fraude", 9, "Bij fraude vervalt elk recht op uitkering."),
]


def _cfg(with_conditions: bool = True) -> WaterfallConfig:
    settings = load_settings()
    return WaterfallConfig(settings.thresholds_for("balanced"), 20, settings.consistency_max, with_conditions, [],
                           settings.keyword_rules)


def _facts(text: str, library=None, conditions=None, frequency: int = 3) -> ClusterFacts:
    return ClusterFacts(text, text.lower(), frequency, library, conditions)


def test_keyword_rule_points_at_the_article_that_covers_the_topic():
    advice = advise(_facts("Bij fraude door verzekerde volgt aangifte."), _cfg(), TODAY,
                    find_article=_article_finder(CHUNKS))
    assert advice.code == AdviceCode.MANUAL and advice.article == "Art. 12 – Fraude"
    assert "fraude" in advice.reason


def test_library_comes_before_conditions_and_names_the_code():
    evidence = MatchEvidence(hybrid=0.99, fuzzy=0.99, embedding=0.9, contained=True,
                             same_template=True)
    advice = advise(_facts("Diefstal na braak is gedekt.", library=(LibraryClause("9NX3", "x"), evidence),
                           conditions=(CHUNKS[0], evidence)), _cfg(), TODAY)
    assert advice.code == AdviceCode.REPLACE and advice.article == "9NX3"


def test_a_library_clause_that_says_something_else_is_not_replaced_however_alike():
    """98% alike but another template (another peril): a check, never a replacement."""
    evidence = MatchEvidence(hybrid=0.95, fuzzy=0.98, embedding=0.9, contained=False,
                             same_template=False)
    advice = advise(_facts("Diefstal na braak is gedekt.", library=(LibraryClause("9NX3", "x"), evidence)),
                    _cfg(), TODAY)
    assert advice.code == AdviceCode.SIMILAR and advice.article == "9NX3"


def test_contained_in_conditions_is_remove_high_with_the_article():
    evidence = MatchEvidence(hybrid=0.7, fuzzy=1.0, embedding=0.6, contained=True)
    advice = advise(_facts("Diefstal na braak is gedekt.", conditions=(CHUNKS[0], evidence)), _cfg(), TODAY)
    assert (advice.code, advice.confidence, advice.article) == (AdviceCode.REMOVE, "Hoog", "Art. 2.3 – Diefstal")


def test_weak_match_with_conditions_ends_in_manual_check_low():
    evidence = MatchEvidence(hybrid=0.2, fuzzy=0.5, embedding=0.3, contained=False)
    advice = advise(_facts("Een geheel eigen afspraak over de kas", conditions=(CHUNKS[0], evidence)), _cfg(),
                    TODAY)
    assert (advice.code, advice.confidence) == (AdviceCode.MANUAL, "Laag")


def test_internal_mode_frequency_labels():
    cfg = _cfg(with_conditions=False)
    labels = [advise(_facts("Een geheel eigen afspraak over de kas", frequency=n), cfg, TODAY).code
              for n in (1, 3, 8, 25)]
    assert labels == [AdviceCode.UNIQUE, AdviceCode.CONSISTENCY, AdviceCode.FREQUENCY, AdviceCode.STANDARDISE]


def test_keyword_rules_match_whole_words_not_prefixes():
    alarm = KeywordRule("alarm", ("alarm",))
    assert alarm.found_in("een alarm is verplicht") == "alarm"
    assert alarm.found_in("de alarmeringsdienst wordt ingeschakeld") is None
    assert KeywordRule("premie", ("premiebetaling",)).found_in("de premiebetalingstermijn is een maand") is None


def test_every_configured_keyword_pattern_and_deviation_marker_can_match_normalised_text():
    """A pattern with punctuation, capitals or digits can never be found in normalised text."""
    from hienfeld.normalize import normalize_text
    settings = load_settings()
    patterns = [p for r in settings.keyword_rules for p in r.patterns] + list(settings.deviation_markers)
    unmatchable = [p for p in patterns if normalize_text(p) != p]
    assert not unmatchable, f"never matches normalised text: {unmatchable}"


def test_a_clause_that_deviates_from_an_article_is_kept_not_removed():
    chunk = CHUNKS[0]
    evidence = MatchEvidence(hybrid=0.9, fuzzy=0.97, embedding=0.9, contained=True, lemma=1.0)
    text = "In afwijking van de voorwaarden is diefstal na braak gedekt."
    facts = ClusterFacts(text, text.lower(), 3, None, (chunk, evidence), deviation="in afwijking van")
    advice = advise(facts, _cfg(), TODAY)
    assert advice.code == AdviceCode.KEEP and advice.article == "Art. 2.3 – Diefstal"
    plain = advise(_facts("Diefstal na braak is gedekt.", conditions=(chunk, evidence)), _cfg(), TODAY)
    assert plain.code == AdviceCode.REMOVE


def test_a_library_clause_with_other_values_is_replaced_with_its_code():
    clause = LibraryClause("BR-104", "Het eigen risico bij storm bedraagt € 500 per gebeurtenis.")
    evidence = MatchEvidence(hybrid=0.7, fuzzy=0.8, embedding=0.8, contained=False,
                             lemma=0.9, same_template=True)
    advice = advise(_facts("Het eigen risico bij storm bedraagt € 2.500 per gebeurtenis.", library=(clause, evidence)),
                    _cfg(), TODAY)
    assert advice.code == AdviceCode.REPLACE and advice.article == "BR-104"


def test_a_clause_the_conditions_state_word_for_word_is_removed_even_if_it_resembles_a_standard_clause():
    """A near-miss standard clause (another peril) says "check"; the article stating the very text
    says the clause is redundant, and that is the stronger evidence."""
    similar = MatchEvidence(hybrid=0.9, fuzzy=0.9, embedding=0.9, contained=False, same_template=False)
    stated = MatchEvidence(hybrid=0.8, fuzzy=1.0, embedding=0.8, contained=True)
    text = "Diefstal na braak is gedekt."
    both = advise(_facts(text, library=(LibraryClause("9NX3", "x"), similar), conditions=(CHUNKS[0], stated)),
                  _cfg(), TODAY)
    assert (both.code, both.article) == (AdviceCode.REMOVE, "Art. 2.3 – Diefstal")
    partly = MatchEvidence(hybrid=0.5, fuzzy=0.6, embedding=0.6, contained=False)
    weak = advise(_facts(text, library=(LibraryClause("9NX3", "x"), similar), conditions=(CHUNKS[0], partly)),
                  _cfg(), TODAY)
    assert (weak.code, weak.article) == (AdviceCode.SIMILAR, "9NX3")


def test_the_same_rule_in_other_words_is_pointed_out_for_a_check_not_removed():
    t = load_settings().thresholds_for("balanced")
    evidence = MatchEvidence(hybrid=0.3, fuzzy=0.4, embedding=t["paraphrase_embedding"] + 0.05, contained=False,
                             lemma=t["paraphrase_lemmas"] + 0.1)
    advice = advise(_facts("Diefstal na inbraak wordt vergoed.", conditions=(CHUNKS[0], evidence)), _cfg(), TODAY)
    assert (advice.code, advice.article) == (AdviceCode.MANUAL, "Art. 2.3 – Diefstal")
    assert "andere woorden" in advice.reason


def test_stated_sentence_by_sentence_is_removed_but_other_amounts_or_mere_likeness_are_checked():
    text = "Bij schade door storm geldt een eigen risico van € 500. Zie polisblad."
    stated = MatchEvidence(hybrid=0.5, fuzzy=0.6, embedding=0.6, contained=False, stated=True)
    advice = advise(_facts(text, conditions=(CHUNKS[0], stated)), _cfg(), TODAY)
    assert (advice.code, advice.confidence, advice.article) == (AdviceCode.REMOVE, "Hoog", "Art. 2.3 – Diefstal")
    other = MatchEvidence(hybrid=0.9, fuzzy=1.0, embedding=0.9, contained=True, stated=True,
                          other_amounts=("€ 500", "€ 250"))
    advice = advise(_facts(text, conditions=(CHUNKS[0], other)), _cfg(), TODAY)
    assert advice.code == AdviceCode.MANUAL and "€ 500" in advice.reason and "€ 250" in advice.reason
    t = load_settings().thresholds_for("balanced")
    alike = MatchEvidence(hybrid=t["conditions_remove"] + 0.1, fuzzy=0.8, embedding=0.8, contained=False)
    advice = advise(_facts(text, conditions=(CHUNKS[0], alike)), _cfg(), TODAY)
    assert advice.code == AdviceCode.MANUAL and "niet elke zin" in advice.reason
