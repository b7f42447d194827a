"""The Dutch spaCy pipeline: the configured package when installed, else an offline pipeline.

The offline pipeline is `spacy.blank("nl")` plus a registered lemmatizer component backed by
simplemma's Dutch lexicon. Which one is loaded is always reported by name, so a missing package is
visible in /api/health/ready and in every job's stats instead of degrading silently.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Iterable, Sequence

import simplemma
import spacy
from spacy.language import Language
from spacy.tokens import Doc

log = logging.getLogger(__name__)

OFFLINE_PIPELINE = "nl_blank_simplemma"


@functools.lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    return simplemma.lemmatize(word, lang="nl").lower()


@Language.component("simplemma_lemmatizer")
def simplemma_lemmatizer(doc: Doc) -> Doc:
    for token in doc:
        if token.is_alpha:
            token.lemma_ = _lemma(token.lower_)
        else:
            token.lemma_ = token.lower_
    return doc


def load_dutch_pipeline(preferred: str) -> tuple[Language, str]:
    """(pipeline, name actually loaded). Only the lemmatizer matters here, so parser/NER are off."""
    if importlib.util.find_spec(preferred) is not None:
        nlp = spacy.load(preferred, exclude=["parser", "ner"])
        log.info("Loaded spaCy pipeline %s", preferred)
        return nlp, preferred
    log.warning("spaCy package %s is not installed; loading offline pipeline %s", preferred, OFFLINE_PIPELINE)
    nlp = spacy.blank("nl")
    nlp.add_pipe("simplemma_lemmatizer")
    return nlp, OFFLINE_PIPELINE


def lemmatize(nlp: Language, texts: Sequence[str], batch_size: int = 256) -> list[list[str]]:
    """Lower-case lemmas of the word and number tokens of each text."""
    docs: Iterable[Doc] = nlp.pipe(texts, batch_size=batch_size)
    return [[t.lemma_.lower() for t in doc if t.is_alpha or t.like_num] for doc in docs]
