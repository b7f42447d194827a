"""The advice waterfall: per cluster, the first step that has something to say wins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .config import KeywordRule, Thresholds
from .advice_codes import AdviceCode
from .hygiene import check_hygiene
from .instructions import Instruction, instruction_advice
from .types import Advice, Chunk, LibraryClause

STANDARDISE, KEEP, MANUAL = AdviceCode.STANDARDISE, AdviceCode.KEEP, AdviceCode.MANUAL
REMOVE, REPLACE = AdviceCode.REMOVE, AdviceCode.REPLACE


@dataclass(frozen=True)
class MatchEvidence:
    """The best target of one cluster and its scores (see similarity.Matches)."""

    hybrid: float
    fuzzy: float
    embedding: float
    contained: bool
    lemma: float = 0.0  # IDF-weighted lemma containment
    same_template: bool = False  # template_match: same clause up to values, typos and whole sentences
    near_miss: str | None = None  # a sentence the target states almost literally but with another meaning
    stated: bool = False  # sentence_cover: the target states the clause sentence by sentence, in one passage
    other_amounts: tuple[str, str] | None = None  # stated, but with other amounts: (the clause's, the target's)


def _pct(score: float) -> str:
    return f"{round(score * 100)}%"


IN_TEXT = "text"
IN_OTHER_WORDS = "other words"


def evidence_strength(e: MatchEvidence, t: Thresholds) -> str | None:
    """How a target states the clause on this evidence alone: `IN_TEXT`, the text itself (contained,
    or fuzzy from `conditions_contained`), or `IN_OTHER_WORDS`, the same rule in other words by both
    the sentence encoder and the lemmas; else None. The one place of these thresholds."""
    if e.contained or e.fuzzy >= t["conditions_contained"]:
        return IN_TEXT
    if e.embedding >= t["paraphrase_embedding"] and e.lemma >= t["paraphrase_lemmas"]:
        return IN_OTHER_WORDS
    return None


def strong_evidence(e: MatchEvidence, t: Thresholds) -> bool:
    """Evidence that may outrank a near miss ranked above it (matching.py)."""
    return evidence_strength(e, t) is not None


def library_advice(clause: LibraryClause, evidence: MatchEvidence, t: Thresholds) -> Advice | None:
    """Templates are compared, not filled-in values: the same clause with another amount or address
    is the standard clause; a clause that is nearly the same text but says something else is not."""
    if evidence.same_template:
        how = (f"vrijwel gelijk ({_pct(evidence.fuzzy)})" if evidence.fuzzy >= t["library_replace"]
               else "zelfde tekst met andere ingevulde waarden")
        return Advice(REPLACE, "Hoog",
                      f"Standaardclausule {clause.code}: {how}; vervang door de standaardclausule.",
                      clause.code, evidence.fuzzy)
    score = max(evidence.fuzzy, evidence.hybrid)
    if score >= t["library_similar"]:
        differs = f", maar verschilt: {evidence.near_miss}" if evidence.near_miss else ""
        return Advice(AdviceCode.SIMILAR, "Midden",
                      f"Lijkt op standaardclausule {clause.code} ({_pct(score)}){differs}; controleer of dat de "
                      "betekenis verandert.", clause.code, score)
    return None


def conditions_advice(chunk: Chunk, evidence: MatchEvidence, t: Thresholds,
                      deviation: str | None = None) -> Advice | None:
    where = chunk.label()
    if deviation and evidence.hybrid >= t["conditions_check"]:
        # it resembles the article because it changes it: removing it would drop the deviation
        return Advice(KEEP, "Hoog", f"Wijkt volgens de tekst bewust af van de voorwaarden ('{deviation}', "
                      f"vergelijk {where}); behouden en controleer of de afwijking nog geldt.", where, evidence.hybrid)
    if deviation:
        return None
    if evidence.other_amounts:
        mine, theirs = evidence.other_amounts
        return Advice(MANUAL, "Midden", f"Zelfde tekst als de voorwaarden ({where}), maar met andere bedragen of "
                      f"percentages (clausule: {mine}; voorwaarden: {theirs}); controleer of de afwijking bedoeld is.",
                      where, evidence.hybrid)
    if evidence.near_miss and not (evidence.contained or evidence.stated):
        return Advice(MANUAL, "Midden",
                      f"Lijkt sterk op de voorwaarden ({where}), maar regelt een ander geval: "
                      f"'{evidence.near_miss}'; controleer de afwijking.", where, evidence.hybrid)
    strength = evidence_strength(evidence, t)
    if evidence.stated or strength == IN_TEXT:
        how = ("staat letterlijk" if evidence.contained
               else f"staat vrijwel letterlijk ({_pct(evidence.fuzzy)})" if strength == IN_TEXT
               else "staat zin voor zin (op ingevulde waarden en tikfouten na)")
        return Advice(REMOVE, "Hoog", f"Tekst {how} in de voorwaarden ({where}); de clausule is overbodig.",
                      where, max(evidence.fuzzy, evidence.hybrid))
    # much alike, but not every sentence is stated there as it is here: an added condition or
    # another consequence makes a clause that resembles an article a change of it
    if evidence.hybrid >= t["conditions_remove"]:
        return Advice(MANUAL, "Midden", f"Grote overeenkomst met de voorwaarden ({where}, {_pct(evidence.hybrid)}), "
                      "maar niet elke zin staat er zo in; controleer of de clausule overbodig is.",
                      where, evidence.hybrid)
    # the same rule in other words, by the sentence encoder and the clause's specific lemmas: on
    # independently written exports this is as often a neighbouring rule as the same one, so it
    # points at the article for a person to judge instead of removing the clause
    if strength == IN_OTHER_WORDS:
        return Advice(MANUAL, "Midden", f"Mogelijk in andere woorden al gedekt door de voorwaarden ({where}, "
                      f"semantisch {_pct(evidence.embedding)}); controleer of de clausule overbodig is.",
                      where, evidence.embedding)
    if evidence.hybrid >= t["conditions_check"]:
        return Advice(MANUAL, "Midden",
                      f"Gedeeltelijke overeenkomst met de voorwaarden ({where}, {_pct(evidence.hybrid)}); "
                      "controleer of de clausule afwijkt.", where, evidence.hybrid)
    return None


def keyword_advice(norm_text: str, rules: Sequence[KeywordRule],
                   find_article: Callable[[KeywordRule], Chunk | None] | None) -> Advice | None:
    """A topic the conditions regulate themselves; points at the article that really covers it."""
    for rule in rules:
        hit = rule.found_in(norm_text)
        if hit is None:
            continue
        chunk = find_article(rule) if find_article else None
        if chunk is not None:
            return Advice(MANUAL, "Midden",
                          f"Onderwerp '{rule.topic}' wordt geregeld in de voorwaarden ({chunk.label()}); "
                          "controleer of deze clausule daarvan afwijkt.", chunk.label())
        return Advice(MANUAL, "Laag",
                      f"Onderwerp '{rule.topic}' is meestal in de voorwaarden geregeld; "
                      "controleer of deze clausule nodig is.")
    return None


def frequency_advice(frequency: int, min_frequency: int, with_conditions: bool, consistency_max: int) -> Advice:
    if frequency >= min_frequency:
        return Advice(STANDARDISE, "Hoog",
                      f"Komt {frequency} keer voor (vanaf {min_frequency}); maak er een standaardclausule van.")
    if with_conditions:
        return Advice(MANUAL, "Laag", "Geen overeenkomst met de voorwaarden of de clausulebibliotheek gevonden.")
    if frequency == 1:
        return Advice(AdviceCode.UNIQUE, "Midden", "Komt één keer voor; maatwerk, beoordeel apart.")
    if frequency <= consistency_max:
        return Advice(AdviceCode.CONSISTENCY, "Midden",
                      f"Komt {frequency} keer voor; controleer of de varianten gelijk moeten zijn.")
    return Advice(AdviceCode.FREQUENCY, "Laag",
                  f"Komt {frequency} keer voor, onder de standaardgrens van {min_frequency}.")


@dataclass(frozen=True)
class ClusterFacts:
    """Everything the waterfall needs to know about one cluster."""

    text: str  # leader text as written
    norm: str
    frequency: int
    library: tuple[LibraryClause, MatchEvidence] | None
    conditions: tuple[Chunk, MatchEvidence] | None
    deviation: str | None = None  # the words saying it deviates from the conditions, if it says so


@dataclass(frozen=True)
class WaterfallConfig:
    thresholds: Thresholds
    min_frequency: int
    consistency_max: int
    with_conditions: bool
    instructions: Sequence[Instruction]
    keyword_rules: Sequence[KeywordRule]


def advise(facts: ClusterFacts, cfg: WaterfallConfig, today,
           semantic: Callable[[str, str], float] | None = None,
           find_article: Callable[[KeywordRule], Chunk | None] | None = None) -> Advice:
    t = cfg.thresholds
    steps = (
        # validity dates are values of each row (the pipeline's row hygiene), not of the cluster
        lambda: check_hygiene(facts.text, today, lapsed=False),
        lambda: instruction_advice(facts.text, cfg.instructions, t["instruction_fuzzy"], semantic,
                                   t["instruction_semantic"]) if cfg.instructions else None,
        lambda: _length_advice(facts.text, t),
        lambda: _library_or_conditions(facts, t),
        lambda: keyword_advice(facts.norm, cfg.keyword_rules, find_article),
    )
    for step in steps:
        advice = step()
        if advice is not None:
            return advice
    return frequency_advice(facts.frequency, cfg.min_frequency, cfg.with_conditions, cfg.consistency_max)


def _library_or_conditions(facts: ClusterFacts, t: Thresholds) -> Advice | None:
    """The standard clause first; but a clause the conditions state word for word is redundant
    however much it also resembles a standard clause it is not."""
    library = library_advice(*facts.library, t) if facts.library else None
    if library is not None and library.code == REPLACE:
        return library
    conditions = conditions_advice(*facts.conditions, t, facts.deviation) if facts.conditions else None
    if library is None or (conditions is not None and conditions.code == REMOVE and conditions.confidence == "Hoog"):
        return conditions
    return library


def _length_advice(text: str, t: Thresholds) -> Advice | None:
    length = len(text.strip())
    if length < t["too_short_chars"]:
        return Advice(MANUAL, "Laag", f"Tekst is erg kort ({length} tekens); controleer of dit een echte clausule is.")
    if length > t["too_long_chars"]:
        return Advice(MANUAL, "Laag",
                      f"Tekst is erg lang ({length} tekens); beoordeel handmatig of splits de clausule.")
    return None
