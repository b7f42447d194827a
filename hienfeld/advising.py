"""The advice stage: the waterfall (advice.py) per cluster leader and per slot variant, then what
each row says of its own (a lapsed validity date, a placeholder left, other amounts than the
conditions state), and the lapsed rule: a cluster all of whose rows lapsed has lapsed itself.

Reads the match stage's evidence; sets each cluster's advice and returns the rows whose own
advice differs from their cluster's."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence

from .advice import REMOVE, ClusterFacts, KeywordRule, MatchEvidence, WaterfallConfig, advise, conditions_advice
from .advice_codes import HYGIENE_CODES
from .amounts import filled_amounts
from .config import Settings, Thresholds
from .hygiene import EMPTY, check_hygiene
from .instructions import Instruction
from .matching import Evidence
from .sub_articles import SubArticles
from .normalize import normalize_text
from .options import AnalysisOptions
from .semantics import Semantics
from .sentence_cover import Cover
from .types import Advice, Chunk, Cluster, LibraryClause


def waterfall_config(options: AnalysisOptions, settings: Settings, thresholds: Thresholds,
                     instructions: Sequence[Instruction], with_conditions: bool) -> WaterfallConfig:
    return WaterfallConfig(
        thresholds=thresholds, min_frequency=options.min_frequency,
        consistency_max=settings.consistency_max, with_conditions=with_conditions,
        instructions=instructions,
        keyword_rules=settings.keyword_rules,
    )


def advise_clusters(clusters: Sequence[Cluster], row_cluster: Sequence[int], texts: Sequence[str],
                    evidence: Evidence, chunks: Sequence[Chunk], library: Sequence[LibraryClause],
                    semantics: Semantics, cfg: WaterfallConfig, deviation_markers: Sequence[str],
                    today: dt.date) -> dict[int, Advice]:
    """Sets every cluster's advice; returns the rows whose own advice differs from it."""
    thresholds = cfg.thresholds
    find_article = _article_finder(chunks) if chunks else None
    semantic = semantics.similarity if semantics.embedding_model and cfg.instructions else None
    sub_articles = SubArticles(chunks, semantics.similarity if semantics.embedding_model else None)
    deviation = _deviation_finder(deviation_markers)
    same_standard = functools.partial(semantics.same_clause, min_ratio=thresholds["library_same_ratio"])

    def judge(i: int, text: str, frequency: int) -> Advice:
        norm = normalize_text(text)
        locate = functools.partial(sub_articles.locate, text)
        facts = ClusterFacts(text=text, norm=norm, frequency=frequency,
                             library=evidence.of_library(i, library, same_standard),
                             conditions=evidence.of_conditions(i, chunks, thresholds, locate), deviation=deviation(norm))
        return advise(facts, cfg, today, semantic, find_article and _located(find_article, locate))

    for i, cluster in enumerate(clusters):
        cluster.advice = judge(i, cluster.leader_text, cluster.frequency)
    variant_advice: dict[int, Advice] = {}
    for v, (owner, text, rows) in enumerate(evidence.variants, start=len(clusters)):
        advice = judge(v, text, clusters[owner].frequency)
        if (advice.code, advice.article) != (clusters[owner].advice.code, clusters[owner].advice.article):
            variant_advice.update(dict.fromkeys(rows, advice))
    other_amounts = (_other_amount_rows(texts, clusters, evidence.covers, chunks, thresholds)
                     if evidence.covers else {})
    row_advice = {**other_amounts, **variant_advice, **_row_hygiene(texts, row_cluster, clusters, today)}
    for cluster in clusters:  # every row lapsed: so has the cluster (named by its first text)
        if cluster.rows and all(r in row_advice for r in cluster.rows):
            cluster.advice = row_advice[min(cluster.rows, key=lambda r: (texts[r], r))]
    return row_advice


def _deviation_finder(markers: Sequence[str]) -> Callable[[str], str | None]:
    """The words by which a clause says it deviates from the conditions ("in afwijking van")."""
    patterns = [(m, re.compile(rf"\b{re.escape(normalize_text(m))}\b")) for m in markers]
    return lambda norm: next((m for m, p in patterns if p.search(norm)), None)


def _other_amount_rows(texts: Sequence[str], clusters: Sequence[Cluster], covers: Sequence[Cover],
                       chunks: Sequence[Chunk], t: Thresholds) -> dict[int, Advice]:
    """Rows of a clause the conditions state whose own amounts or percentages differ from the
    stated ones: amounts are values, so such rows share the cluster, but the value decides the
    advice (a check naming both, as for a cluster whose leader has other amounts)."""
    found: dict[int, Advice] = {}
    amounts = functools.lru_cache(maxsize=None)(filled_amounts)
    for cluster, cover in zip(clusters, covers):
        statement = cover.statement
        if statement is None or not statement.same_amounts or cluster.advice.code != REMOVE:
            continue
        stated = sorted(statement.stated_amounts)
        for row in cluster.rows:
            own = amounts(texts[row])
            if own and sorted(own) != stated:
                evidence = MatchEvidence(hybrid=cluster.advice.score or 0.0, fuzzy=0.0, embedding=0.0, contained=False,
                                         stated=True, other_amounts=(", ".join(own), ", ".join(stated) or "geen"))
                found[row] = conditions_advice(chunks[statement.target], evidence, t)
    return found


def _row_hygiene(texts: Sequence[str], row_cluster: Sequence[int], clusters: Sequence[Cluster],
                 today: dt.date) -> dict[int, Advice]:
    """Rows with a problem of their own: a validity date that has passed, a placeholder left
    ("Pandhouder: ........"), garbled text. Dates and blanks stand where values stand, so such rows
    share a cluster with rows that are filled in; each row says what it lacks. Rows whose cluster
    has a placeholder or garbled text keep that advice; a row with a text of its own in an empty
    cluster (a field label and a blank: "Pandhouder: ?") says what it lacks."""
    own = functools.lru_cache(maxsize=None)(lambda text: check_hygiene(text, today, lapsed=True))
    kept = HYGIENE_CODES - {EMPTY}
    return {row: advice for row, text in enumerate(texts)
            if clusters[row_cluster[row]].advice.code not in kept and (advice := own(text))
            and advice.code != EMPTY}


def _article_finder(chunks: Sequence[Chunk]) -> Callable[[KeywordRule], Chunk | None]:
    """The article that covers a topic: a title naming it first, else the chunk naming it most.
    Chunks are normalised once and each topic is looked up once per job."""
    titles = [normalize_text(c.title) for c in chunks]
    texts = [normalize_text(c.text) for c in chunks]

    @functools.cache
    def find(rule: KeywordRule) -> Chunk | None:
        for chunk, title in zip(chunks, titles):
            if rule.found_in(title):
                return chunk
        counted = [(sum(text.count(p.lower()) for p in rule.patterns), -c.chunk_id, c)
                   for c, text in zip(chunks, texts)]
        best = max(counted, key=lambda n: n[:2], default=None)
        return best[2] if best and best[0] > 0 else None
    return find


def _located(find: Callable[[KeywordRule], Chunk | None],
             locate: Callable[[Chunk], Chunk]) -> Callable[[KeywordRule], Chunk | None]:
    """The article naming a topic, narrowed to the sub-article the clause is about."""
    def found(rule: KeywordRule) -> Chunk | None:
        chunk = find(rule)
        return locate(chunk) if chunk is not None else None
    return found
