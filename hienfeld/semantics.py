"""The model answers of one analysis: lemmas and embeddings of every text the job compares,
fetched once per unique text through a `ModelBackend`, and a digest of what the models answered
(so a cached result can tell whether the models still answer the same)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from .models import ModelBackend
from .normalize import comparison_key, library_reading, normalize_text, sentence_templates, sentences, template_text
from .similarity import TextSide, prepare_side
from .template_match import MIN_SHARED_SHARE, lemma_tokens, plain_tokens, same_clause_by_sentences
from .timing import PhaseTimer


def unique(texts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(texts))


class Semantics:
    """Lemmas and embeddings of every text the job compares, fetched once per unique text. The
    models see templates (values masked, labels dropped): the same clause with other values is one
    text to them, and the replicas' result caches serve it across jobs. The encoder sees single
    sentences: variants of a clause, conditions articles and library clauses share most of theirs,
    so a job embeds about half the characters it would embed whole texts; a text's vector is the
    normalised mean of its sentences' vectors."""

    def __init__(self, models: ModelBackend, embedding_model: str | None, timer: PhaseTimer):
        self.models, self.embedding_model, self.timer = models, embedding_model, timer
        self.lemmas: dict[str, list[str]] = {}
        self.sentence_vectors: dict[str, np.ndarray] = {}
        self.vectors: dict[str, np.ndarray] = {}

    @staticmethod
    def _parts(template: str) -> list[str]:
        return sentence_templates(template) or [template]

    def fetch(self, texts: Sequence[str], lemmas: bool = True, embed: bool = True) -> None:
        texts = unique(template_text(t) for t in texts)
        todo = [t for t in texts if t not in self.lemmas]
        if lemmas and todo:
            with self.timer.phase("lemmas"):
                self.lemmas.update(zip(todo, self.models.lemmatize(todo)))
        if embed and self.embedding_model:
            todo = [s for s in unique(p for t in texts for p in self._parts(t)) if s not in self.sentence_vectors]
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

    def asked(self) -> Asked:
        """What the models were asked in this job, and a digest of what they answered."""
        lemma_texts, embed_texts = sorted(self.lemmas), sorted(self.sentence_vectors)
        return Asked(lemma_texts, embed_texts, self.embedding_model,
                     answers_digest([self.lemmas[t] for t in lemma_texts],
                                    [self.sentence_vectors[t] for t in embed_texts]))

    @staticmethod
    def same_clause(a: str, b: str, min_ratio: float) -> bool:
        """Same clause up to values, typos and whole sentences (a leader against a library clause):
        the policy may drop the standard clause's optional last sentence and append a note of its
        own at once, so half of each side's words shared is enough, as for one of the two. A
        library blank may stand for a value of several words, so the two must also be close in
        characters (`min_ratio`): a blank does not turn another clause into this one."""
        close = fuzz.ratio(library_key(a), library_key(b)) >= 100 * min_ratio
        return close and same_clause_by_sentences(library_sentences(a), library_sentences(b),
                                                  min_shared=MIN_SHARED_SHARE, drift=True)

    def similarity(self, a: str, b: str) -> float:
        """Embedding cosine of two fetched texts (a cluster leader and a custom instruction)."""
        return float(self.vector(a) @ self.vector(b)) if self.has_vector(a) and self.has_vector(b) else 0.0


@functools.lru_cache(maxsize=100_000)
def library_key(text: str) -> str:
    return normalize_text(library_reading(text))


@functools.lru_cache(maxsize=100_000)
def library_sentences(text: str) -> list[list[tuple[str, str]]]:
    """A text's sentences as (word, lemma) tokens, read as against the library (cached: every
    leader meets the same few library clauses)."""
    return [lemma_tokens(key) for key in sentences(template_text(library_reading(text)))]


@dataclass(frozen=True)
class Asked:
    lemma_texts: list[str]
    embed_texts: list[str]
    embedding_model: str | None
    digest: str


def answers_digest(lemmas: Sequence[Sequence[str]], vectors: Sequence[np.ndarray]) -> str:
    digest = hashlib.sha256(json.dumps(lemmas, ensure_ascii=False).encode())
    for vector in vectors:
        digest.update(np.asarray(vector, dtype=np.float32).tobytes())
    return digest.hexdigest()
