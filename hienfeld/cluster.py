"""Near-duplicate clustering without all-pairs comparison.

Unique normalised texts are visited in a fixed order (frequency desc, then text), so the result
depends only on the multiset of texts, never on row order. Each text joins the best existing
cluster leader whose fuzzy ratio reaches the threshold, or leads a new cluster. Leaders are found
per batch: a character n-gram TF-IDF index proposes a few candidate leaders per text (sparse matrix
product) and rapidfuzz's `cdist` verifies them in C, so the cost grows with texts x clusters'
candidates, not texts squared. A fuzzy match joins only when `same` agrees too (a precision
guard: "storm" and "waterschade" in otherwise equal texts are two clauses).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .config import Settings
from .normalize import clean_text, normalize_text
from .template_match import plain_tokens, same_clause
from .types import Cluster, PolicyTable


@dataclass(frozen=True)
class Clustering:
    """`labels[i]` is the cluster of `texts[i]`; `leaders[c]` is the text leading cluster c."""

    labels: list[int]
    leaders: list[str]


def char_ngram_vectors(texts: Sequence[str]):
    """Character 3-gram TF-IDF rows (sparse, L2-normalised): candidate finding without a model."""
    if not any(t.strip() for t in texts):  # an export of empty cells only: nothing to compare
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True,
                                 dtype=np.float32, min_df=1)
    return vectorizer.fit_transform([t or " " for t in texts])


Guard = Callable[[str, str], bool]


def _always(a: str, b: str) -> bool:
    return True


def cluster_texts(texts: Sequence[str], threshold: float, candidates: int = 5,
                  batch_size: int = 512, workers: int = -1, same: Guard = _always) -> Clustering:
    """Cluster normalised texts; two texts share a cluster when the member matches the leader
    with `fuzz.ratio / 100 >= threshold` and `same(member, leader)`. Empty texts form one cluster
    of their own."""
    counts = Counter(texts)
    order = sorted(counts, key=lambda t: (-counts[t], t))
    index = {t: i for i, t in enumerate(order)}
    unique_label = np.full(len(order), -1, dtype=np.int64)
    leaders: list[int] = []  # positions in `order`
    cutoff = threshold * 100
    matrix = char_ngram_vectors(order) if order else None

    for start in range(0, len(order), batch_size):
        batch = np.arange(start, min(start + batch_size, len(order)))
        if leaders:
            _join_existing(order, batch, leaders, unique_label, matrix, candidates, cutoff, workers, same)
        _lead_new(order, batch, leaders, unique_label, cutoff, workers, same)

    labels = [int(unique_label[index[t]]) for t in texts]
    return Clustering(labels=labels, leaders=[order[i] for i in leaders])


def _join_existing(order, batch, leaders, unique_label, matrix, candidates, cutoff, workers, same) -> None:
    leader_ids = np.asarray(leaders)
    # Leaders (sparse) times the batch (dense): a pass over the leaders' entries, instead of a
    # sparse product whose output is nearly dense. Each cosine is summed over the same features
    # in the same order as `(batch @ leaders.T)` (every row of `matrix` keeps its features in the
    # vectoriser's one order), so the values are bit for bit those of the sparse product.
    sims = np.ascontiguousarray((matrix[leader_ids] @ matrix[batch].toarray().T).T)
    k = min(candidates, len(leaders))
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    pool = np.unique(top)  # candidate leaders for this batch, verified together in C
    scores = cdist([order[i] for i in batch], [order[leader_ids[j]] for j in pool],
                   scorer=fuzz.ratio, score_cutoff=cutoff, workers=workers, dtype=np.float32)
    for row, text_id in enumerate(batch):
        # best first; a stable sort keeps the oldest leader first on ties, deterministic
        for col in np.argsort(-scores[row], kind="stable"):
            if scores[row, col] < cutoff:
                break
            if same(order[text_id], order[leader_ids[pool[col]]]):
                unique_label[text_id] = pool[col]
                break


def _lead_new(order, batch, leaders, unique_label, cutoff, workers, same) -> None:
    """Texts of the batch that joined no leader cluster among themselves, in visiting order."""
    open_ids = batch[unique_label[batch] < 0]
    if not len(open_ids):
        return
    scores = cdist([order[i] for i in open_ids], [order[i] for i in open_ids],
                   scorer=fuzz.ratio, score_cutoff=cutoff, workers=workers, dtype=np.float32)
    assigned = np.zeros(len(open_ids), dtype=bool)
    for row in range(len(open_ids)):
        if assigned[row]:
            continue
        members = ~assigned & (scores[row] >= cutoff)
        members[row] = True
        for other in np.flatnonzero(members):
            if other != row and not same(order[open_ids[other]], order[open_ids[row]]):
                members[other] = False
        unique_label[open_ids[members]] = len(leaders)
        assigned |= members
        leaders.append(int(open_ids[row]))

# -- the mask-and-cluster stage: a policy table -> numbered clusters ----------------------------------

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


def build_clusters(table: PolicyTable, threshold: float, settings: Settings) -> tuple[list[Cluster], list[int]]:
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
    return numbered(built, table)


def numbered(clusters: list[Cluster], table: PolicyTable) -> tuple[list[Cluster], list[int]]:
    """Largest first (ties by text: independent of row order), ids and names by that order."""
    clusters.sort(key=lambda c: (-c.frequency, normalize_text(c.leader_text), c.leader_text))
    row_cluster = [0] * len(table.rows)
    for idx, cluster in enumerate(clusters):
        cluster.cluster_id, cluster.name = f"CL-{idx + 1:04d}", cluster_name(cluster.leader_text)
        for row in cluster.rows:
            row_cluster[row] = idx
    return clusters, row_cluster
