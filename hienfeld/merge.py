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

from .template_match import Sentence, same_clause_by_sentences

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
    sims = proposer.vectors[start:stop] @ proposer.vectors[:stop].T
    sims = sims.toarray() if hasattr(sims, "toarray") else np.asarray(sims)
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
