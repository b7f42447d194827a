"""Second clustering pass with the models: merge clusters whose leaders are one clause written
differently (a dropped or appended sentence, a value the masking left, a typo the fuzzy ratio
did not forgive).

Candidates come from the embeddings of the leaders' templates (cosine, a few nearest per leader,
in blocks so memory stays bounded); each candidate is verified on the lemmas of both templates,
sentence by sentence (`template_match.same_clause_by_sentences`), so a near miss that embeds close
("storm" / "waterschade") is not merged. Clusters are visited largest first and join only a cluster
that leads (no chains of merges).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .template_match import Sentence, same_clause_by_sentences

_BLOCK = 1024


@dataclass(frozen=True)
class MergePlan:
    root: list[int]  # per cluster: the cluster it joins (itself when it leads)
    cosine: list[float]  # per cluster: cosine to the leader it joined (1.0 when it leads)


def plan_merges(sentences: Sequence[Sequence[Sentence]], vectors: np.ndarray, min_cosine: float,
                candidates: int = 5) -> MergePlan:
    """`sentences[i]` and `vectors[i]` (L2-normalised) of cluster i, clusters in priority order."""
    n = len(sentences)
    root = list(range(n))
    cosine = [1.0] * n
    if n < 2:
        return MergePlan(root, cosine)
    k = min(candidates, n - 1)
    for start in range(1, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        sims = vectors[start:stop] @ vectors[:stop].T
        rows = np.arange(start, stop)
        sims[np.arange(stop)[None, :] >= rows[:, None]] = -1.0  # a cluster joins an earlier one only
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        for r, j in enumerate(rows):
            tried: set[int] = set()
            for i in top[r]:
                score = float(sims[r, i])
                if score < min_cosine:
                    break
                target = root[i]
                if target in tried:
                    continue
                tried.add(target)
                if same_clause_by_sentences(sentences[j], sentences[target]):
                    root[j], cosine[j] = target, round(score, 3)
                    break
    return MergePlan(root, cosine)
