"""Hybrid similarity of clauses (queries) against targets (conditions chunks or library clauses).

All methods except fuzzy are matrix operations over every target at once: lemma containment
(sparse binary products), TF-IDF cosine (fitted per job on both sides) and embedding
cosine. Their weighted sum picks the top-k targets per clause; the fuzzy scorer, the one method
that cannot be a matrix product, then runs on those few pairs only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from .normalize import masking_rules
from .stopwords import STOP_LEMMAS


@dataclass
class TextSide:
    """One side of a comparison, with every representation the methods need."""

    norm: list[str]  # normalize_text of each text
    lemmas: list[list[str]]  # content lemmas
    embeddings: np.ndarray | None = None  # L2-normalised rows

    def __len__(self) -> int:
        return len(self.norm)


def prepare_side(norm: Sequence[str], lemmas: Sequence[Sequence[str]], embeddings: np.ndarray | None = None) -> TextSide:
    """Stop words, numbers and placeholders are dropped from the lemmas: they say nothing about a
    clause's subject."""
    placeholders = masking_rules().placeholders

    def content(tokens: Sequence[str]) -> list[str]:
        return [t for t in tokens if t not in STOP_LEMMAS and t not in placeholders and not t.isdigit()]
    return TextSide(norm=list(norm), lemmas=[content(seq) for seq in lemmas], embeddings=embeddings)


@dataclass(frozen=True)
class Matches:
    """The top-k targets per query, best hybrid score first, and the per-method scores of each
    pair (all in 0..1). Arrays are (queries, k); column 0 is the best target."""

    target: np.ndarray  # int index of the target, -1 where there are no targets
    hybrid: np.ndarray
    fuzzy: np.ndarray
    lemma: np.ndarray
    tfidf: np.ndarray
    embedding: np.ndarray
    contained: np.ndarray  # bool: the query's normalised text occurs in the target's


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _containment(queries: list[list[str]], targets: list[list[str]]) -> np.ndarray:
    """Share of each query's information found in the target: its distinct tokens weighted by
    IDF (fitted on both sides of this job), so common words like "schade" or "dekken" count
    little and a clause's specific terms decide."""
    vec = CountVectorizer(analyzer=_identity, binary=True, dtype=np.float32)
    both = vec.fit_transform(queries + targets)
    df = np.asarray(both.sum(axis=0)).ravel()
    idf = np.log((1 + both.shape[0]) / (1 + df)) + 1.0
    q = both[: len(queries)].multiply(idf).tocsr()
    t = both[len(queries):]
    overlap = (q @ t.T).toarray()
    weight = np.maximum(np.asarray(q.sum(axis=1)).ravel(), 1e-9)
    return (overlap / weight[:, None]).astype(np.float32)


def _tfidf(queries: list[list[str]], targets: list[list[str]]) -> np.ndarray:
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
    vec.fit(queries + targets)
    return (vec.transform(queries) @ vec.transform(targets).T).toarray()


def _char_tfidf(queries: list[str], targets: list[str]) -> np.ndarray:
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True, dtype=np.float32)
    vec.fit(queries + targets)
    return (vec.transform(queries) @ vec.transform(targets).T).toarray()


def match(queries: TextSide, targets: TextSide, weights: dict[str, float], top_k: int = 5,
          partial: bool = True) -> Matches:
    """Score every query against every target. `partial` compares a clause with a longer text
    (fuzzy partial ratio: the clause inside the chunk); otherwise full ratio (clause vs clause)."""
    n = len(queries)
    if n == 0 or len(targets) == 0:
        zeros = np.zeros((n, 1), dtype=np.float32)
        return Matches(np.full((n, 1), -1), zeros, zeros, zeros, zeros, zeros, np.zeros((n, 1), bool))
    # Only the methods this mode weighs are computed (fuzzy-only jobs have no lemmas at all).
    matrices = {
        "lemma": _containment(queries.lemmas, targets.lemmas) if weights.get("lemma") else None,
        "tfidf": _tfidf(queries.lemmas, targets.lemmas) if weights.get("tfidf") else None,
        "embedding": (queries.embeddings @ targets.embeddings.T
                      if weights.get("embedding") and queries.embeddings is not None else None),
    }
    coarse = sum(weights.get(m, 0.0) * s for m, s in matrices.items() if s is not None)
    if all(m is None for m in matrices.values()):  # fuzzy only: candidates by character n-grams
        coarse = _char_tfidf(queries.norm, targets.norm)
    k = min(top_k, len(targets))
    top = np.argpartition(-coarse, k - 1, axis=1)[:, :k]

    scorer = fuzz.partial_ratio if partial else fuzz.ratio
    rows = np.repeat(np.arange(n), k)
    cols = top.ravel()
    contained = np.array([bool(queries.norm[r]) and queries.norm[r] in targets.norm[c]
                          for r, c in zip(rows, cols)])
    fuzzy = np.array([1.0 if hit else scorer(queries.norm[r], targets.norm[c]) / 100.0
                      for r, c, hit in zip(rows, cols, contained)], dtype=np.float32)
    per_method = {m: (s[rows, cols] if s is not None else np.zeros(len(rows), np.float32))
                  for m, s in matrices.items()}
    per_method["fuzzy"] = fuzzy
    hybrid = sum(weights.get(m, 0.0) * s for m, s in per_method.items())

    order = np.argsort(-hybrid.reshape(n, k), axis=1, kind="stable")
    pick = (np.arange(n)[:, None] * k + order)

    def ranked(values: np.ndarray) -> np.ndarray:
        return values[pick]
    return Matches(
        target=ranked(cols),
        hybrid=ranked(hybrid).astype(np.float32),
        fuzzy=ranked(fuzzy),
        lemma=ranked(per_method["lemma"]),
        tfidf=ranked(per_method["tfidf"]),
        embedding=ranked(per_method["embedding"]),
        contained=ranked(contained),
    )
