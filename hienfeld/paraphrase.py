"""The same rule in other words: a clause against every sentence of the conditions.

A conditions chunk holds several rules, so its embedding is a blend; a paraphrase shows when the
clause is compared with single sentences. The nearest sentences by embedding cosine are taken in
order; a sentence that states a neighbouring case almost word for word (another peril, "wel" for
"niet": `template_match.near_miss`) is passed over, since it embeds close for the wrong
reason. The first sentence left is the paraphrase candidate, with its cosine and the share of the
clause's meaningful words it holds (typos and inflections forgiven).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from .normalize import comparison_key
from .template_match import Token, meaningful, near_miss, same_word

_BLOCK = 1024


@dataclass(frozen=True)
class SentenceMatch:
    sentence: int  # index into the sentences compared with, -1 when none is left
    cosine: float
    words: float  # share of the clause's meaningful words found in the sentence


def word_share(clause: Sequence[Token], sentence: Sequence[Token]) -> float:
    """Share of the clause's meaningful words found in the sentence (same lemma or a typo of one)."""
    mine = [t for t in clause if meaningful(t)]
    if not mine:
        return 0.0
    theirs = [t for t in sentence if meaningful(t)]
    words, lemmas = {o[0] for o in theirs}, {o[1] for o in theirs}
    rest = [t for t in mine if t[0] not in words and t[1] not in lemmas]
    found = len(mine) - len(rest)
    if rest and theirs:  # a typo is at most two edits: only such pairs are asked
        near = cdist([t[0] for t in rest], [o[0] for o in theirs], scorer=OSA.distance, score_cutoff=2) <= 2
        typos = set()
        for i, j in zip(*np.nonzero(near)):
            if i not in typos and same_word(rest[i], theirs[j]):
                typos.add(i)
        found += len(typos)
    return found / len(mine)


def nearest_sentences(clauses: Sequence[str], clause_vectors: np.ndarray, sentences: Sequence[str],
                      sentence_vectors: np.ndarray, tokens, near_miss_ratio: float,
                      candidates: int = 5) -> list[SentenceMatch]:
    """Per clause (template text), the nearest conditions sentence (template text) that is not a
    near miss. `tokens(key)` gives the (word, lemma) pairs of a comparison key."""
    found = []
    if not len(sentences):
        return [SentenceMatch(-1, 0.0, 0.0) for _ in clauses]
    k = min(candidates, len(sentences))
    for start in range(0, len(clauses), _BLOCK):
        sims = clause_vectors[start:start + _BLOCK] @ sentence_vectors.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # the k nearest, then in order
        top = np.take_along_axis(part, np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1), axis=1)
        for row, order in enumerate(top):
            clause = clauses[start + row]
            key = comparison_key(clause)
            best = SentenceMatch(-1, 0.0, 0.0)
            for j in order:
                if near_miss(key, comparison_key(sentences[j]), near_miss_ratio):
                    continue
                best = SentenceMatch(int(j), float(sims[row, j]),
                                     word_share(tokens(key), tokens(comparison_key(sentences[j]))))
                break
            found.append(best)
    return found
