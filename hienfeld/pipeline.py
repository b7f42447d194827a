"""One analysis: policy file (+ conditions, library, reference) -> clusters, advice, report.

Steps report progress through a callback (which may raise `Cancelled`); every phase is timed.
Models are reached only through a `ModelBackend`, with unique texts only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from . import __version__ as hienfeld_version
from .advice import REMOVE, ClusterFacts, MatchEvidence, WaterfallConfig, advise, conditions_advice
from .amounts import filled_amounts
from .clause_library import parse_clause_library
from .cluster import char_ngram_vectors, cluster_texts
from .merge import Proposer, plan_merges, candidates as merge_candidates
from .slots import Slots, learn_slots
from .variants import Variants, find_variants, slot_summary
from .conditions import parse_conditions
from .config import KeywordRule, Settings
from .errors import InputError
from .hygiene import BEFORE_EXPIRY, EMPTY, check_hygiene
from .ingest import read_policy_file
from .instructions import parse_instructions
from .models import ModelBackend
from .normalize import library_reading, masking_rules, clean_text, comparison_key, normalize_text, sentence_templates, sentences, template_text
from .paraphrase import SentenceMatch, nearest_sentences
from .options import AnalysisOptions
from .reference import ReferenceComparison, compare_with_reference, read_reference
from .report import write_report
from .similarity import Matches, TextSide, match, prepare_side
from .sentence_cover import ConditionsSentences, Cover
from .sub_articles import SubArticles
from .template_match import MIN_SHARED_SHARE, lemma_tokens, meaningful, plain_tokens, same_clause, same_clause_by_sentences
from .types import Advice, Chunk, Cluster, LibraryClause, PolicyTable

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
FileBlob = tuple[str, bytes]


class Cancelled(Exception):
    """Raised by a progress callback when the job was cancelled."""


@dataclass
class AnalysisInput:
    policy: FileBlob
    conditions: list[FileBlob] = field(default_factory=list)
    library: list[FileBlob] = field(default_factory=list)
    reference: FileBlob | None = None


@dataclass
class AnalysisResult:
    table: PolicyTable
    clusters: list[Cluster]
    row_cluster: list[int]
    comparison: ReferenceComparison | None
    stats: dict[str, Any]
    row_advice: dict[int, Advice] = field(default_factory=dict)  # rows whose own advice differs
    variants: Variants | None = None  # per cluster its template, per row the values it fills in

    def advice_of_row(self, row: int) -> Advice:
        return self.row_advice.get(row) or self.clusters[self.row_cluster[row]].advice

    def result_rows(self) -> list[dict[str, Any]]:
        """The API's rows: one per cluster (contract: GET /api/results)."""
        statuses = self._cluster_action_status()
        return [
            {
                "cluster_id": c.cluster_id,
                "cluster_name": c.name,
                "frequency": c.frequency,
                "advice_code": c.advice.code,
                "confidence": c.advice.confidence,
                "reason": c.advice.reason,
                "reference_article": c.advice.article,
                "original_text": c.leader_text,
                "row_type": "SINGLE",
                "parent_id": None,
                "action_status": statuses[i] if statuses else None,
                "template": self.variants.templates[i].marked() if self.variants else None,
            }
            for i, c in enumerate(self.clusters)
        ]

    def _cluster_action_status(self) -> list[str] | None:
        if self.comparison is None:
            return None
        return [Counter(self.comparison.action_status[r] for r in c.rows).most_common(1)[0][0]
                for c in self.clusters]


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - start, 3)


def cluster_name(text: str, max_chars: int = 60) -> str:
    text = clean_text(text)
    if len(text) <= max_chars:
        return text or "(leeg)"
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut + " …"


def _plain_guard() -> Callable[[str, str], bool]:
    """`template_match.same_clause` on comparison keys, tokens made once per key."""
    tokens = functools.lru_cache(maxsize=None)(plain_tokens)
    return lambda a, b: same_clause(tokens(a), tokens(b))


def _build_clusters(table: PolicyTable, threshold: float, settings: Settings) -> tuple[list[Cluster], list[int]]:
    texts = table.texts
    keys = {t: normalize_text(t) for t in dict.fromkeys(texts)}  # exports repeat texts a lot
    norms = [keys[t] for t in texts]
    clustering = cluster_texts(norms, threshold, candidates=settings.clustering.candidates,
                               batch_size=settings.clustering.batch_size, same=_plain_guard())
    members: dict[int, list[int]] = {}
    for row, label in enumerate(clustering.labels):
        members.setdefault(label, []).append(row)
    # The leader's shown text is its most frequent original spelling (ties: first alphabetically).
    def display(label: int) -> str:
        leader = clustering.leaders[label]
        spellings = Counter(clean_text(texts[r]) for r in members[label] if norms[r] == leader)
        return min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    def how(label: int) -> str:
        variants = len({norms[r] for r in members[label]})
        return f"tekens: {variants} varianten (fuzzy)" if variants > 1 else ""
    built = [Cluster("", "", display(label), members[label], merged_by=how(label)) for label in members]
    return _numbered(built, table)


def _numbered(clusters: list[Cluster], table: PolicyTable) -> tuple[list[Cluster], list[int]]:
    """Largest first (ties by text: independent of row order), ids and names by that order."""
    clusters.sort(key=lambda c: (-c.frequency, normalize_text(c.leader_text), c.leader_text))
    row_cluster = [0] * len(table.rows)
    for idx, cluster in enumerate(clusters):
        cluster.cluster_id, cluster.name = f"CL-{idx + 1:04d}", cluster_name(cluster.leader_text)
        for row in cluster.rows:
            row_cluster[row] = idx
    return clusters, row_cluster


def _merge_variants(clusters: list[Cluster], table: PolicyTable, semantics: "_Semantics",
                    thresholds: dict[str, float], candidates: int) -> tuple[list[Cluster], list[int], Slots]:
    """Second clustering pass (merge.py): candidates from character n-gram vectors of the leaders'
    templates and, with an embedding model, from their embeddings; verified on the words of both,
    lemmatised by the Dutch pipeline when the job uses the models (fast mode: as written). Word
    slots are learned from the candidate pairs first (slots.py); a cluster that joins only because
    a slot's words differ is kept as a variant of the cluster it joins, for advice per variant."""
    templates = [template_text(c.leader_text) for c in clusters]
    by_sentence = [sentences(t) for t in templates]
    proposers = [Proposer(char_ngram_vectors([comparison_key(t) for t in templates]),
                          thresholds["merge_char_ngrams"])]
    if semantics.embedding_model and templates:
        semantics.fetch(templates, lemmas=False)
        semantics.fetch([s for parts in by_sentence for s in parts], embed=False)
        tokens = [[semantics.tokens(s) for s in parts] for parts in by_sentence]
        proposers.insert(0, Proposer(np.stack([semantics.vector(t) for t in templates]),
                                     thresholds["merge_embedding"]))
        how = "lemma's + embeddings"
    else:
        tokens = [[plain_tokens(s) for s in parts] for parts in by_sentence]
        how = "woorden + tekens"
    as_written = [[plain_tokens(s) for s in sentences(template_text(c.leader_text, mask_names=False))]
                  for c in clusters]
    proposed = merge_candidates(proposers, len(clusters), candidates)
    slots = learn_slots([[[w for w, _ in s] for s in parts] for parts in tokens],
                        ((j, i) for j, found in enumerate(proposed) for _, i in found),
                        masking_rules().meaning_words)
    unslotted = tokens
    tokens = [[slots.mask(s) for s in parts] for parts in tokens]
    as_written = [[slots.mask(s) for s in parts] for parts in as_written]
    plan = plan_merges(tokens, proposed, as_written)
    groups: dict[int, list[int]] = {}
    for i, root in enumerate(plan.root):
        groups.setdefault(root, []).append(i)
    merged = []
    for root, parts in groups.items():
        lead = clusters[root]
        joined = [clusters[i] for i in parts if i != root]
        how = lead.merged_by
        if joined:
            note = (f"{how}: {len(joined)} clusters samengevoegd "
                    f"(cosinus vanaf {min(plan.cosine[i] for i in parts if i != root):.2f})")
            how = f"{how}; {note}" if how else note
        rows = sorted(r for c in [lead, *joined] for r in c.rows)
        variants = [(clusters[i].leader_text, clusters[i].rows) for i in parts
                    if i != root and not same_clause_by_sentences(unslotted[i], unslotted[root])]
        merged.append(Cluster("", "", lead.leader_text, rows, merged_by=how, slot_variants=variants))
    return (*_numbered(merged, table), slots)


def _unique(texts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(texts))


class _Semantics:
    """Lemmas and embeddings of every text the job compares, fetched once per unique text. The
    models see templates (values masked, labels dropped): the same clause with other values is one
    text to them, and the replicas' result caches serve it across jobs. The encoder sees single
    sentences: variants of a clause, conditions articles and library clauses share most of theirs,
    so a job embeds about half the characters it would embed whole texts; a text's vector is the
    normalised mean of its sentences' vectors."""

    def __init__(self, models: ModelBackend, embedding_model: str | None, timer: _Timer):
        self.models, self.embedding_model, self.timer = models, embedding_model, timer
        self.lemmas: dict[str, list[str]] = {}
        self.sentence_vectors: dict[str, np.ndarray] = {}
        self.vectors: dict[str, np.ndarray] = {}

    @staticmethod
    def _parts(template: str) -> list[str]:
        return sentence_templates(template) or [template]

    def fetch(self, texts: Sequence[str], lemmas: bool = True, embed: bool = True) -> None:
        texts = _unique(template_text(t) for t in texts)
        todo = [t for t in texts if t not in self.lemmas]
        if lemmas and todo:
            with self.timer.phase("lemmas"):
                self.lemmas.update(zip(todo, self.models.lemmatize(todo)))
        if embed and self.embedding_model:
            todo = [s for s in _unique(p for t in texts for p in self._parts(t)) if s not in self.sentence_vectors]
            if todo:
                with self.timer.phase("embeddings"):
                    self.sentence_vectors.update(zip(todo, self.models.embed(todo, self.embedding_model)))

    def has_vector(self, text: str) -> bool:
        return all(p in self.sentence_vectors for p in self._parts(template_text(text)))

    def vector(self, text: str) -> np.ndarray:
        template = template_text(text)
        if template not in self.vectors:
            mean = np.mean([self.sentence_vectors[p] for p in self._parts(template)], axis=0)
            self.vectors[template] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        return self.vectors[template]

    def tokens(self, key: str) -> list[tuple[str, str]]:
        """(word, lemma) pairs of a comparison key; the word itself where the pipeline split it
        differently than the key's spaces."""
        words, lemmas = key.split(), self.lemmas.get(template_text(key), [])
        return list(zip(words, lemmas)) if len(lemmas) == len(words) else plain_tokens(key)

    def side(self, texts: Sequence[str]) -> TextSide:
        """Texts with what was fetched for them (nothing when the job uses no models)."""
        templates = [template_text(t) for t in texts]
        vectors = (np.stack([self.vector(t) for t in texts])
                   if texts and all(self.has_vector(t) for t in texts) else None)
        return prepare_side([comparison_key(t) for t in templates], [self.lemmas.get(t, []) for t in templates],
                            vectors)

    def asked(self) -> "_Asked":
        """What the models were asked in this job, and a digest of what they answered."""
        lemma_texts, embed_texts = sorted(self.lemmas), sorted(self.sentence_vectors)
        return _Asked(lemma_texts, embed_texts, self.embedding_model,
                      _answers_digest([self.lemmas[t] for t in lemma_texts],
                                      [self.sentence_vectors[t] for t in embed_texts]))

    @staticmethod
    def same_clause(a: str, b: str, min_ratio: float) -> bool:
        """Same clause up to values, typos and whole sentences (a leader against a library clause):
        the policy may drop the standard clause's optional last sentence and append a note of its
        own at once, so half of each side's words shared is enough, as for one of the two. A
        library blank may stand for a value of several words, so the two must also be close in
        characters (`min_ratio`): a blank does not turn another clause into this one."""
        close = fuzz.ratio(_library_key(a), _library_key(b)) >= 100 * min_ratio
        return close and same_clause_by_sentences(_library_sentences(a), _library_sentences(b),
                                                  min_shared=MIN_SHARED_SHARE, drift=True)

    def similarity(self, a: str, b: str) -> float:
        """Embedding cosine of two fetched texts (a cluster leader and a custom instruction)."""
        return float(self.vector(a) @ self.vector(b)) if self.has_vector(a) and self.has_vector(b) else 0.0


@functools.lru_cache(maxsize=100_000)
def _library_key(text: str) -> str:
    return normalize_text(library_reading(text))


@functools.lru_cache(maxsize=100_000)
def _library_sentences(text: str) -> list[list[tuple[str, str]]]:
    """A text's sentences as (word, lemma) tokens, read as against the library (cached: every
    leader meets the same few library clauses)."""
    return [lemma_tokens(key) for key in sentences(template_text(library_reading(text)))]


@dataclass(frozen=True)
class _Asked:
    lemma_texts: list[str]
    embed_texts: list[str]
    embedding_model: str | None
    digest: str


def _answers_digest(lemmas: Sequence[Sequence[str]], vectors: Sequence[np.ndarray]) -> str:
    digest = hashlib.sha256(json.dumps(lemmas, ensure_ascii=False).encode())
    for vector in vectors:
        digest.update(np.asarray(vector, dtype=np.float32).tobytes())
    return digest.hexdigest()


class _RecentAnalyses:
    """The last few analyses of this process, by input key, with what their models answered."""

    def __init__(self, size: int = 2):
        self.size = size
        self._entries: OrderedDict[str, tuple[AnalysisResult, _Asked]] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, key: str, result: AnalysisResult, asked: _Asked) -> None:
        with self._lock:
            self._entries[key] = (result, asked)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def reuse(self, key: str, models: ModelBackend, timer: _Timer) -> AnalysisResult | None:
        """The stored result when the models give the same answers as then, else None."""
        with self._lock:
            found = self._entries.get(key)
        if found is None:
            return None
        result, asked = found
        with timer.phase("lemmas"):
            lemmas = models.lemmatize(asked.lemma_texts) if asked.lemma_texts else []
        with timer.phase("embeddings"):
            vectors = (list(models.embed(asked.embed_texts, asked.embedding_model))
                       if asked.embed_texts and asked.embedding_model else [])
        if _answers_digest(lemmas, vectors) != asked.digest:
            return None  # a model changed (reloaded, another version): analyse anew
        return dataclasses.replace(result, stats={**result.stats, "result_reused": True})


_RECENT = _RecentAnalyses()


def _input_key(inp: AnalysisInput, options: AnalysisOptions, settings: Settings, today: dt.date) -> str:
    digest = hashlib.sha256(f"{hienfeld_version}|{options!r}|{settings!r}|{today}".encode())
    for name, data in [inp.policy, *inp.conditions, *inp.library, *([inp.reference] if inp.reference else [])]:
        digest.update(hashlib.sha256(name.encode()).digest() + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _evidence(m: Matches, i: int, j: int = 0, same_template: bool = False,
              near_miss: str | None = None) -> MatchEvidence:
    """Evidence for the j-th best target of query i."""
    return MatchEvidence(float(m.hybrid[i, j]), float(m.fuzzy[i, j]), float(m.embedding[i, j]),
                         bool(m.contained[i, j]), float(m.lemma[i, j]), same_template, near_miss)


def _library_evidence(m: Matches, i: int, library: Sequence[LibraryClause], text: str,
                      same: Callable[[str, str], bool]) -> tuple[LibraryClause, MatchEvidence]:
    """The first of the best library clauses that is the same clause, else the best one: a decoy
    that shares most words with the clause may rank above the standard clause it was typed from."""
    ranked = [j for j in range(m.target.shape[1]) if m.target[i, j] >= 0]
    for j in ranked:
        clause = library[m.target[i, j]]
        if same(text, clause.text):
            return clause, _evidence(m, i, j, True)
    best = library[m.target[i, 0]]
    return best, _evidence(m, i, 0, False, near_miss=_named_difference(text, best.text))


_MAX_NAMED_DIFFERENCES = 2


def _named_difference(text: str, clause: str) -> str | None:
    """The words in which a clause differs from a standard clause, for the analyst to judge
    ("'verzekerd' tegenover 'gedekt'"); values and function words left out."""
    ignored = masking_rules().placeholders
    a, b = _library_key(text).split(), _library_key(clause).split()
    named = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        mine = [w for w in a[op.src_start:op.src_end] if w not in ignored]
        theirs = [w for w in b[op.dest_start:op.dest_end] if w not in ignored]
        if not any(meaningful((w, w)) for w in mine + theirs):
            continue
        named.append(f"'{' '.join(mine)}' tegenover '{' '.join(theirs)}'" if mine and theirs
                     else f"'{' '.join(mine or theirs)}' {'extra' if mine else 'ontbreekt'}")
        if len(named) == _MAX_NAMED_DIFFERENCES:
            break
    return "; ".join(named) or None


def _sentence_paraphrases(leaders: Sequence[str], chunks: Sequence[Chunk], semantics: "_Semantics",
                          t: dict[str, float], candidates: int) -> list[tuple[Chunk, SentenceMatch]]:
    """Per leader, the nearest conditions sentence that is not a near miss, with its chunk."""
    owner: dict[str, Chunk] = {}
    for chunk in chunks:
        for sentence in sentence_templates(template_text(chunk.text)):
            owner.setdefault(sentence, chunk)
    texts = list(owner)
    semantics.fetch(texts, lemmas=False)
    leader_templates = [template_text(x) for x in leaders]
    found = nearest_sentences(
        leader_templates, np.stack([semantics.vector(x) for x in leader_templates]), texts,
        np.stack([semantics.vector(x) for x in texts]), plain_tokens, t["near_miss_ratio"], candidates)
    return [(owner[texts[f.sentence]] if f.sentence >= 0 else chunks[0], f) for f in found]


def _conditions_evidence(m: Matches, i: int, chunks: Sequence[Chunk], t: dict[str, float],
                         paraphrase: tuple[Chunk, SentenceMatch] | None, cover: Cover,
                         locate: Callable[[Chunk], Chunk]) -> tuple[Chunk, MatchEvidence]:
    """The passage that states the clause sentence by sentence; else the best chunk that does not
    state a neighbouring case: the conditions often hold the same sentence for storm, hail and
    water; the one for this clause's own case may rank second. A chunk that only shares words
    with the clause yields to a sentence that states its rule."""
    statement = cover.statement
    if statement is not None:
        ranked = [int(x) for x in m.target[i]]
        scores = (_evidence(m, i, ranked.index(statement.target)) if statement.target in ranked
                  else MatchEvidence(hybrid=0.0, fuzzy=0.0, embedding=0.0, contained=False))
        amounts = None if statement.same_amounts else (", ".join(statement.clause_amounts) or "geen",
                                                       ", ".join(statement.stated_amounts) or "geen")
        return chunks[statement.target], dataclasses.replace(scores, stated=True, other_amounts=amounts)
    first = None
    for j in range(m.target.shape[1]):
        chunk = chunks[m.target[i, j]]
        differs = None if m.contained[i, j] else cover.differing.get(int(m.target[i, j]))
        found = (chunk, _evidence(m, i, j, near_miss=differs))
        if differs is None and (first is None or _strong(found[1], t)):
            first = found
            break
        first = first or found
    if not _strong(first[1], t) and paraphrase is not None:
        chunk, sentence = paraphrase
        said = MatchEvidence(hybrid=first[1].hybrid if chunk is first[0] else 0.0, fuzzy=0.0,
                             embedding=sentence.cosine, contained=False, lemma=sentence.words)
        if _strong(said, t):
            return chunk, said
    return _most_specific(first, t, cover, locate)


def _most_specific(found: tuple[Chunk, MatchEvidence], t: dict[str, float], cover: Cover,
                   locate: Callable[[Chunk], Chunk]) -> tuple[Chunk, MatchEvidence]:
    """The sub-article the clause is about, where the match found a whole article or only shares
    words with a sub-article; the evidence stays that of the match, the named difference that of
    the sub-article named."""
    chunk, evidence = found
    if chunk.sub_id and _strong(evidence, t):
        return found
    rule = locate(chunk)
    if rule is chunk:
        return found
    return rule, dataclasses.replace(evidence, near_miss=cover.differing.get(rule.chunk_id))


def _located(find: Callable[[KeywordRule], Chunk | None],
             locate: Callable[[Chunk], Chunk]) -> Callable[[KeywordRule], Chunk | None]:
    """The article naming a topic, narrowed to the sub-article the clause is about."""
    def found(rule: KeywordRule) -> Chunk | None:
        chunk = find(rule)
        return locate(chunk) if chunk is not None else None
    return found


def _strong(e: MatchEvidence, t: dict[str, float]) -> bool:
    """Evidence that may outrank a near miss ranked above it: the text itself, or the same rule in
    other words by both the sentence encoder and the lemmas."""
    return (e.contained or e.fuzzy >= t["conditions_contained"]
            or (e.embedding >= t["paraphrase_embedding"] and e.lemma >= t["paraphrase_lemmas"]))


def _deviation_finder(markers: Sequence[str]) -> Callable[[str], str | None]:
    """The words by which a clause says it deviates from the conditions ("in afwijking van")."""
    patterns = [(m, re.compile(rf"\b{re.escape(normalize_text(m))}\b")) for m in markers]
    return lambda norm: next((m for m, p in patterns if p.search(norm)), None)


def _other_amount_rows(texts: Sequence[str], clusters: Sequence[Cluster], covers: Sequence[Cover],
                       chunks: Sequence[Chunk], t: dict[str, float]) -> dict[int, Advice]:
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
    has a hygiene problem first (empty, placeholder, garbled) keep that advice."""
    own = functools.lru_cache(maxsize=None)(lambda text: check_hygiene(text, today, lapsed=True))
    return {row: advice for row, text in enumerate(texts)
            if clusters[row_cluster[row]].advice.code not in BEFORE_EXPIRY and (advice := own(text))
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


def run_analysis(inp: AnalysisInput, options: AnalysisOptions, models: ModelBackend, settings: Settings,
                 progress: Progress = lambda pct, msg: None, report_out: BinaryIO | None = None,
                 today: dt.date | None = None, report_cache: Path | None = None) -> AnalysisResult:
    """Analyse and, with `report_out`, write the Excel report. With a `report_cache` folder, a report
    for the same inputs and the same results is copied instead of written again (a warm repeat of
    a 50,000-row file spends most of its time writing the workbook otherwise).

    A repeat of a recent analysis in this process (same files, options, settings and date) asks
    the models again for every text the first run used; when they answer the same, the first run's
    clusters and advice are the answer (the result is a function of the inputs and those answers),
    so a warm repeat costs the model round trips, not the clustering."""
    options.validate(settings)
    today = today or dt.date.today()
    timer = _Timer()
    started = time.perf_counter()
    thresholds = settings.thresholds_for(options.analysis_mode, options.use_semantic)
    key = _input_key(inp, options, settings, today)
    result = _RECENT.reuse(key, models, timer)
    if result is None:
        result, asked = _analyse(inp, options, models, settings, progress, today, timer)
        _RECENT.store(key, result, asked)
    else:
        progress(80, "Eerder resultaat hergebruikt...")
    stats = result.stats = {"result_reused": False, **result.stats}
    if report_out is not None:
        progress(90, "Rapport maken...")
        with timer.phase("report"):
            def write(out: BinaryIO) -> None:
                write_report(out, result.table, result.clusters, result.row_cluster, result.comparison,
                             long_text_chars=int(thresholds["too_long_chars"]), row_advice=result.row_advice,
                             row_variant=result.variants.row_variant if result.variants else None,
                             slot_summaries=_slot_summaries(result.variants))
            if report_cache is None:
                write(report_out)
            else:
                stats["report_reused"] = _write_or_reuse(report_out, report_cache, _fingerprint(inp, result), write)
    timer.timings["total"] = round(time.perf_counter() - started, 3)
    stats["timings"] = timer.timings
    progress(100, "Analyse voltooid!")
    return result


def _analyse(inp: AnalysisInput, options: AnalysisOptions, models: ModelBackend, settings: Settings,
             progress: Progress, today: dt.date, timer: _Timer) -> tuple[AnalysisResult, "_Asked"]:
    mode = settings.mode(options.analysis_mode)
    embedding_model = mode.embedding_model if options.use_semantic else None
    weights = dict(mode.weights)
    if not options.use_semantic:
        weights = {"fuzzy": 1.0}
    instructions = parse_instructions(options.extra_instruction, settings.limits.max_instruction_chars)
    thresholds = settings.thresholds_for(options.analysis_mode, options.use_semantic)

    progress(5, "Bestand inlezen...")
    with timer.phase("read"):
        table = read_policy_file(inp.policy[0], inp.policy[1], settings.limits)
        warnings: list[str] = []
        read_conditions = functools.partial(parse_conditions, chunk_chars=settings.conditions.chunk_chars,
                                            limits=settings.limits)
        chunks: list[Chunk] = (_parse_usable(read_conditions, inp.conditions, warnings)
                               if options.use_conditions else [])
        read_library = functools.partial(parse_clause_library, limits=settings.limits)
        library: list[LibraryClause] = _parse_usable(read_library, inp.library, warnings)
        reference = read_reference(inp.reference[1], settings.limits) if inp.reference else None

    progress(20, "Slim clusteren...")
    with timer.phase("clustering"):
        clusters, row_cluster = _build_clusters(table, options.cluster_accuracy / 100, settings)

    semantics = _Semantics(models, embedding_model, timer)
    # balanced and accurate: the resident models merge what the characters split; fast: n-grams
    progress(35, "Varianten samenvoegen...")
    with timer.phase("merging"):
        clusters, row_cluster, slots = _merge_variants(clusters, table, semantics, thresholds,
                                                       settings.clustering.candidates)

    with timer.phase("variants"):
        found = find_variants(table.texts, row_cluster, [c.leader_text for c in clusters], slots)

    progress(45, "Analyseren...")
    leaders = [c.leader_text for c in clusters]
    # the variants whose slot value may decide the advice are judged too, after the leaders
    variants = [(i, text, rows) for i, c in enumerate(clusters) for text, rows in c.slot_variants]
    judged = leaders + [text for _, text, _ in variants]
    need_models = bool(options.use_semantic and (chunks or library or instructions or embedding_model))
    if need_models and (chunks or library or instructions):
        semantics.fetch(judged + [c.text for c in chunks] + [c.text for c in library]
                        + [i.search for i in instructions])  # all in one go: no per-cluster model calls
    progress(65, "Analyseren...")
    with timer.phase("matching"):
        lib_matches = cond_matches = None
        k = int(thresholds["top_k_chunks"])
        if library or chunks:
            leader_side = semantics.side(judged)
        if library:
            lib_matches = match(leader_side, semantics.side([c.text for c in library]), weights, k,
                                partial=False)
        if chunks:
            cond_matches = match(leader_side, semantics.side([c.text for c in chunks]), weights, k,
                                 partial=True)
        paraphrases = (_sentence_paraphrases(judged, chunks, semantics, thresholds, settings.clustering.candidates)
                       if chunks and embedding_model else None)
        covers = (ConditionsSentences([c.text for c in chunks]).find(judged, thresholds["near_miss_ratio"])
                  if chunks else None)

    progress(80, "Advies bepalen...")
    with timer.phase("advice"):
        cfg = WaterfallConfig(
            thresholds=thresholds, min_frequency=options.min_frequency,
            consistency_max=settings.consistency_max, with_conditions=bool(chunks),
            instructions=instructions,
            keyword_rules=settings.keyword_rules,
        )
        find_article = _article_finder(chunks) if chunks else None
        sub_articles = SubArticles(chunks, semantics.similarity if embedding_model else None)
        semantic = semantics.similarity if embedding_model and instructions else None
        deviation = _deviation_finder(settings.deviation_markers)

        same_standard = functools.partial(semantics.same_clause, min_ratio=thresholds["library_same_ratio"])

        def judge(i: int, text: str, frequency: int) -> Advice:
            norm = normalize_text(text)
            lib = _library_evidence(lib_matches, i, library, text, same_standard) if lib_matches else None
            locate = functools.partial(sub_articles.locate, text)
            cond = (_conditions_evidence(cond_matches, i, chunks, thresholds,
                                         paraphrases[i] if paraphrases else None, covers[i], locate)
                    if cond_matches else None)
            facts = ClusterFacts(text=text, norm=norm, frequency=frequency, library=lib,
                                 conditions=cond, deviation=deviation(norm))
            return advise(facts, cfg, today, semantic, find_article and _located(find_article, locate))

        for i, cluster in enumerate(clusters):
            cluster.advice = judge(i, cluster.leader_text, cluster.frequency)
        variant_advice: dict[int, Advice] = {}
        for v, (owner, text, rows) in enumerate(variants, start=len(clusters)):
            advice = judge(v, text, clusters[owner].frequency)
            if (advice.code, advice.article) != (clusters[owner].advice.code, clusters[owner].advice.article):
                variant_advice.update(dict.fromkeys(rows, advice))
        other_amounts = (_other_amount_rows(table.texts, clusters, covers, chunks, thresholds)
                         if covers else {})
        row_advice = {**other_amounts, **variant_advice, **_row_hygiene(table.texts, row_cluster, clusters, today)}
        for cluster in clusters:  # every row lapsed: so has the cluster (named by its first text)
            if cluster.rows and all(r in row_advice for r in cluster.rows):
                cluster.advice = row_advice[min(cluster.rows, key=lambda r: (table.texts[r], r))]

    comparison = None
    if reference is not None:
        with timer.phase("reference"):
            comparison = compare_with_reference(reference, table.texts, table.policy_numbers,
                                                [(row_advice.get(r) or clusters[c].advice).code
                                                 for r, c in enumerate(row_cluster)])

    stats = _stats(table, clusters, chunks, library, options, embedding_model, models, comparison,
                   need_models)
    stats["warnings"] = warnings
    result = AnalysisResult(table, clusters, row_cluster, comparison, stats, row_advice, found)
    return result, semantics.asked()


def _slot_summaries(found: Variants | None) -> list[str] | None:
    return [slot_summary(t, c) for t, c in zip(found.templates, found.slot_values)] if found else None


def _fingerprint(inp: AnalysisInput, result: AnalysisResult) -> str:
    """Everything the report depends on: the input rows (policy file), the reference, and the
    clusters with their advice and members."""
    digest = hashlib.sha256(hienfeld_version.encode())
    for part in (inp.policy[1], inp.reference[1] if inp.reference else b"",
                 json.dumps(result.result_rows(), sort_keys=True).encode(),
                 json.dumps(sorted((r, a.code, a.reason) for r, a in result.row_advice.items())).encode(),
                 np.asarray(result.row_cluster, dtype=np.int64).tobytes()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _write_or_reuse(out: BinaryIO, cache: Path, fingerprint: str, write: Callable[[BinaryIO], None]) -> bool:
    cache.mkdir(parents=True, exist_ok=True)
    cached = cache / f"{fingerprint}.xlsx"
    reused = cached.exists()
    if not reused:
        # A name of its own per writer: concurrent jobs on the same file may both get here.
        with tempfile.NamedTemporaryFile(dir=cache, suffix=".partial", delete=False) as fh:
            write(fh)
        os.replace(fh.name, cached)  # complete files only
    with open(cached, "rb") as fh:
        shutil.copyfileobj(fh, out)
    return reused


def _parse_usable(parse: Callable[[list[FileBlob]], list], files: list[FileBlob], warnings: list[str]) -> list:
    """Parse the files together (ids stay unique across them); a file that cannot be read is left
    out with a warning in the job's stats instead of failing the whole analysis."""
    try:
        return parse(files)
    except InputError:
        usable = []
        for blob in files:
            try:
                parse([blob])
                usable.append(blob)
            except InputError as exc:
                warnings.append(f"{blob[0]} overgeslagen: {exc}")
        return parse(usable) if usable else []


def _stats(table, clusters, chunks, library, options, embedding_model, models, comparison,
           used_models) -> dict[str, Any]:
    total_clauses = sum(1 for t in table.texts if t.strip())
    distribution = Counter(c.advice.code for c in clusters)
    stats: dict[str, Any] = {
        "total_rows": len(table.rows),
        "total_clauses": total_clauses,
        "unique_clusters": len(clusters),
        "reduction_percentage": round(100 * (1 - len(clusters) / total_clauses), 1) if total_clauses else 0.0,
        "analysis_mode": "with_conditions" if chunks else "internal_only",
        "mode": options.analysis_mode,
        "advice_distribution": dict(distribution.most_common()),
        "semantic_status": {
            "enabled": options.use_semantic,
            "lemmas": used_models,
            "tfidf": options.use_semantic,
            "embeddings": embedding_model if used_models else None,
        },
        "models": {
            "spacy_pipeline": models.pipeline_name() if used_models else None,
            "embedding_model": embedding_model if used_models else None,
        },
        "text_column": table.text_column,
        "policy_column": table.policy_column,
        "conditions": {"files": len({c.file for c in chunks}), "articles": len({c.article_id for c in chunks}),
                       "chunks": len(chunks)},
        "library_clauses": len(library),
    }
    if comparison is not None:
        stats["reference"] = comparison.summary()
    return stats
