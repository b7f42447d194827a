"""The match stage: every judged text (cluster leaders, then the slot variants whose value may
decide the advice) against the clause library and the conditions, with the evidence the advice
stage reads per text: the best library clause, the best conditions passage.

Per text: the library and conditions candidates by hybrid score (similarity.py), the conditions
sentence nearest in meaning (paraphrase.py, with an embedding model) and which conditions sentences
state the text's own (sentence_cover.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein

from .config import Thresholds
from .advice import MatchEvidence
from .advice import strong_evidence as _strong
from .instructions import Instruction
from .normalize import masking_rules, sentence_templates, template_text
from .paraphrase import SentenceMatch, nearest_sentences
from .semantics import Semantics
from .semantics import library_key as _library_key
from .sentence_cover import ConditionsSentences, Cover
from .similarity import Matches, match
from .template_match import meaningful, plain_tokens
from .timing import PhaseTimer
from .types import Chunk, Cluster, LibraryClause

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Evidence:
    """What the match stage found. `judged` are the leaders (index = cluster) followed by the slot
    variants; `variants[v]` is (owning cluster, text, rows) of judged text len(clusters) + v."""

    judged: list[str]
    variants: list[tuple[int, str, list[int]]]
    library: Matches | None
    conditions: Matches | None
    paraphrases: list[tuple[Chunk, SentenceMatch]] | None
    covers: list[Cover] | None

    def of_library(self, i: int, library: Sequence[LibraryClause],
                   same: Callable[[str, str], bool]) -> tuple[LibraryClause, MatchEvidence] | None:
        return _library_evidence(self.library, i, library, self.judged[i], same) if self.library else None

    def of_conditions(self, i: int, chunks: Sequence[Chunk], t: Thresholds,
                      locate: Callable[[Chunk], Chunk]) -> tuple[Chunk, MatchEvidence] | None:
        return (_conditions_evidence(self.conditions, i, chunks, t, self.paraphrases[i] if self.paraphrases else None,
                                     self.covers[i], locate)
                if self.conditions else None)


def match_clusters(clusters: Sequence[Cluster], chunks: Sequence[Chunk], library: Sequence[LibraryClause],
                   instructions: Sequence[Instruction], semantics: Semantics, need_models: bool,
                   weights: dict[str, float], thresholds: Thresholds, candidates: int,
                   progress: Progress, timer: PhaseTimer) -> Evidence:
    leaders = [c.leader_text for c in clusters]
    # the variants whose slot value may decide the advice are judged too, after the leaders
    variants = [(i, text, rows) for i, c in enumerate(clusters) for text, rows in c.slot_variants]
    judged = leaders + [text for _, text, _ in variants]
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
        paraphrases = (_sentence_paraphrases(judged, chunks, semantics, thresholds, candidates)
                       if chunks and semantics.embedding_model else None)
        covers = (ConditionsSentences([c.text for c in chunks]).find(judged, thresholds["near_miss_ratio"])
                  if chunks else None)
    return Evidence(judged, variants, lib_matches, cond_matches, paraphrases, covers)


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


def _sentence_paraphrases(leaders: Sequence[str], chunks: Sequence[Chunk], semantics: Semantics,
                          t: Thresholds, candidates: int) -> list[tuple[Chunk, SentenceMatch]]:
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


def _conditions_evidence(m: Matches, i: int, chunks: Sequence[Chunk], t: Thresholds,
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


def _most_specific(found: tuple[Chunk, MatchEvidence], t: Thresholds, cover: Cover,
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
