"""Second clustering pass: merge clusters whose leaders are one clause written differently (a
dropped or appended sentence, a value the masking left, a typo the fuzzy ratio did not forgive).

Candidates are proposed by one or more vector sources (the embeddings of the leaders' templates,
character n-gram vectors of them): per source the few nearest earlier leaders above its cosine
threshold, in blocks so memory stays bounded. Each candidate is verified on the words (lemmas when
the Dutch pipeline gave them) of both templates, sentence by sentence
(`template_match.same_clause_by_sentences`), so a near miss that is close in vector space
("storm" / "waterschade") is not merged. Clusters are visited largest first and join only a
cluster that leads (no chains of merges).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import Thresholds
from .cluster import char_ngram_vectors, numbered
from .normalize import comparison_key, masking_rules, sentences, template_text
from .semantics import Semantics
from .slots import Slots, learn_slots
from .template_match import Sentence, plain_tokens, same_clause_by_sentences
from .types import Cluster, PolicyTable

_BLOCK = 1024


@dataclass(frozen=True)
class MergePlan:
    root: list[int]  # per cluster: the cluster it joins (itself when it leads)
    cosine: list[float]  # per cluster: cosine to the leader it joined (1.0 when it leads)


@dataclass(frozen=True)
class Proposer:
    """L2-normalised rows (dense or sparse), one per cluster, and the cosine that proposes a pair."""

    vectors: Any
    min_cosine: float


def _nearest_earlier(proposer: Proposer, start: int, stop: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    vectors = proposer.vectors
    if hasattr(vectors, "toarray"):
        # Sparse rows: the earlier rows (sparse) times the block (dense), a pass over their
        # entries instead of a sparse product with a nearly dense output. Bit for bit the values
        # of `block @ earlier.T`: each cosine sums the same features in the same order (the rows
        # of one vectoriser keep its one feature order; cluster._join_existing).
        sims = np.ascontiguousarray((vectors[:stop] @ vectors[start:stop].toarray().T).T)
    else:
        sims = np.asarray(vectors[start:stop] @ vectors[:stop].T)
    rows = np.arange(start, stop)
    sims[np.arange(stop)[None, :] >= rows[:, None]] = -1.0  # a cluster joins an earlier one only
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # the k best, then in order
    order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    return top, np.take_along_axis(sims, top, axis=1)


def candidates(proposers: Sequence[Proposer], n: int, k: int = 5) -> list[list[tuple[float, int]]]:
    """Per cluster j, the earlier clusters its proposers put forward: (cosine, i), each proposer's
    nearest first, above its own floor."""
    proposed: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    if n < 2:
        return proposed
    k = min(k, n - 1)
    for start in range(1, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        nearest = [(*_nearest_earlier(p, start, stop, k), p.min_cosine) for p in proposers]
        for r, j in enumerate(range(start, stop)):
            proposed[j] = [(float(score), int(i)) for top, scores, floor in nearest
                           for i, score in zip(top[r], scores[r]) if score >= floor]
    return proposed


def plan_merges(sentences: Sequence[Sequence[Sentence]], proposed: Sequence[Sequence[tuple[float, int]]],
                as_written: Sequence[Sequence[Sentence]] | None = None) -> MergePlan:
    """`sentences[i]` of cluster i (clusters in priority order) and its `candidates`.
    `as_written[i]`: the same with names left as words. Text in capitals has no names to mask
    ("BUITEN EUROPA" against "buiten Europa" with Europa masked), so a pair is also the same
    clause when it is so with the names of both left as words."""
    n = len(sentences)
    root = list(range(n))
    cosine = [1.0] * n
    for j in range(1, n):
        tried: set[int] = set()
        for score, i in proposed[j]:
            target = root[i]
            if target in tried:
                continue
            tried.add(target)
            if same_clause_by_sentences(sentences[j], sentences[target]) or (
                    as_written is not None and same_clause_by_sentences(as_written[j], as_written[target])):
                root[j], cosine[j] = target, round(score, 3)
                break
    return MergePlan(root, cosine)


def merge_variants(clusters: list[Cluster], table: PolicyTable, semantics: Semantics,
                   thresholds: Thresholds, k: int) -> tuple[list[Cluster], list[int], Slots]:
    """The merge stage, the second clustering pass: candidates from character n-gram vectors of the leaders'
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
    proposed = candidates(proposers, len(clusters), k)
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
    return (*numbered(merged, table), slots)
