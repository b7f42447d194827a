"""How the pipeline reaches its models: `lemmatize(texts)` and `embed(texts, model)`.

`LocalModels` loads them in this process (CLI, unit tests); the Serve app passes an implementation
backed by deployment handles (deployments/model_client.py). Same pipeline code, same results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class ModelBackend(Protocol):
    def lemmatize(self, texts: Sequence[str]) -> list[list[str]]:
        """Lower-case lemmas of each text's words."""

    def embed(self, texts: Sequence[str], model: str) -> np.ndarray:
        """float32 (n, dim), rows L2-normalised."""

    def pipeline_name(self) -> str:
        """Name of the spaCy pipeline actually loaded."""


class LocalModels:
    """In-process models, each loaded once on first use. spaCy and torch are imported here, not at
    module level, so code that only names the interface does not pay for loading them."""

    def __init__(self, spacy_model: str, threads: int | None = None):
        self._spacy_model = spacy_model
        self._threads = threads
        self._nlp = None
        self._nlp_name = ""
        self._encoders: dict[str, object] = {}

    def _pipeline(self):
        if self._nlp is None:
            from .nlp import load_dutch_pipeline
            self._nlp, self._nlp_name = load_dutch_pipeline(self._spacy_model)
        return self._nlp

    def lemmatize(self, texts: Sequence[str]) -> list[list[str]]:
        from .nlp import lemmatize
        return lemmatize(self._pipeline(), list(texts))

    def embed(self, texts: Sequence[str], model: str) -> np.ndarray:
        if model not in self._encoders:
            from .embedding_models import load_encoder
            self._encoders[model] = load_encoder(model, threads=self._threads)
        return self._encoders[model].encode(list(texts))

    def pipeline_name(self) -> str:
        self._pipeline()
        return self._nlp_name
