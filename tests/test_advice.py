"""Waterfall steps that depend on matching evidence (pure logic, thresholds from the shipped config)."""

from __future__ import annotations

import datetime as dt

from hienfeld.advice import ClusterFacts, KeywordRule, MatchEvidence, WaterfallConfig, advise
from hienfeld.config import load_settings
from hienfeld.pipeline import _article_finder
from hienfeld.types import Chunk, LibraryClause

TODAY = dt.date(2026, 11, 29)
CHUNKS = [
    Chunk(0, "voorwaarden.pdf", "2.3", "Diefstal", 4, "Diefstal na braak is gedekt."),
    Chunk(1, "voorwaarden.pdf", "12", "Fraude", 9, "Bij fraude vervalt elk recht op uitkering."),
]


def _cfg(with_conditions: bool = True) -> WaterfallConfig:
    settings = load_settings()
    rules = [KeywordRule(r["topic"], tuple(r["patterns"])) for r in settings.keyword_rules]
    return WaterfallConfig(settings.thresholds_for("balanced"), 20, settings.consistency_max, with_conditions, [],
                           rules)


def _facts(text: str, library=None, conditions=None, frequency: int = 3) -> ClusterFacts:
    return ClusterFacts(text, text.lower(), frequency, library, conditions)


def test_keyword_rule_points_at_the_article_that_covers_the_topic():
    advice = advise(_facts("Bij fraude door verzekerde volgt aangifte."), _cfg(), TODAY,
                    find_article=_article_finder(CHUNKS))
    assert advice.code == "HANDMATIG CHECKEN" and advice.article == "Art 12 – Fraude"
    assert "fraude" in advice.reason


def test_library_comes_before_conditions_and_names_the_code():
    evidence = MatchEvidence(hybrid=0.99, fuzzy=0.99, synonyms=1.0, embedding=0.9, contained=True)
    advice = advise(_facts("Diefstal na braak is gedekt.", library=(LibraryClause("9NX3", "x"), evidence),
                           conditions=(CHUNKS[0], evidence)), _cfg(), TODAY)
    assert advice.code == "🔄 VERVANGEN" and advice.article == "9NX3"


def test_contained_in_conditions_is_remove_high_with_the_article():
    evidence = MatchEvidence(hybrid=0.7, fuzzy=1.0, synonyms=1.0, embedding=0.6, contained=True)
    advice = advise(_facts("Diefstal na braak is gedekt.", conditions=(CHUNKS[0], evidence)), _cfg(), TODAY)
    assert (advice.code, advice.confidence, advice.article) == ("VERWIJDEREN", "Hoog", "Art 2.3 – Diefstal")


def test_weak_match_with_conditions_ends_in_manual_check_low():
    evidence = MatchEvidence(hybrid=0.2, fuzzy=0.5, synonyms=0.1, embedding=0.3, contained=False)
    advice = advise(_facts("Een geheel eigen afspraak over de kas", conditions=(CHUNKS[0], evidence)), _cfg(),
                    TODAY)
    assert (advice.code, advice.confidence) == ("HANDMATIG CHECKEN", "Laag")


def test_internal_mode_frequency_labels():
    cfg = _cfg(with_conditions=False)
    labels = [advise(_facts("Een geheel eigen afspraak over de kas", frequency=n), cfg, TODAY).code
              for n in (1, 3, 8, 25)]
    assert labels == ["✨ UNIEK", "🔄 CONSISTENTIE CHECK", "📊 FREQUENTIE INFO", "🛠️ STANDAARDISEREN"]
