"""DutchParser: the resident Dutch spaCy pipeline, one per replica, serving batched lemmas."""

from __future__ import annotations

import asyncio
from typing import Any

from ray import serve

from hienfeld.config import load_settings
from hienfeld.nlp import lemmatize, load_dutch_pipeline

from .resident import DEFAULT_CACHE_MAX_BYTES, DEFAULT_MAX_BATCH_SIZE, ResidentModels


@serve.deployment
class DutchParser(ResidentModels):
    key_prefix = "nlp_service_"

    def __init__(self, spacy_model: str | None = None, cache_capacity: int = 200_000,
                 cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES):
        self.spacy_model = spacy_model or load_settings().spacy_model
        super().__init__([self.spacy_model], max_models=1, cache_capacity=cache_capacity,
                         metrics_prefix="parser", cache_max_bytes=cache_max_bytes)

    def _load(self, name: str) -> tuple[Any, str]:
        return load_dutch_pipeline(name)

    def _compute(self, model: Any, texts: list[str]) -> list[list[str]]:
        return lemmatize(model, texts)

    def pipeline_name(self) -> str:
        return next(iter(self.models))

    async def lemmatize(self, texts: list[str], job_id: str = "") -> list[list[str]]:
        return await self.run_batch(texts, job_id)

    @serve.batch(max_batch_size=DEFAULT_MAX_BATCH_SIZE, batch_wait_timeout_s=0.005)
    async def run_batch(self, texts: list[list[str]], job_ids: list[str]) -> list[list[list[str]]]:
        requests = [(t, self.spacy_model, j) for t, j in zip(texts, job_ids)]
        # The model runs off the replica's event loop so stats and health calls stay answered.
        return await asyncio.to_thread(self.serve_batch, requests)

    def check_health(self) -> None:
        model = next(iter(self.models.values()))
        if not lemmatize(model, ["verzekeringen"]) == [["verzekering"]]:
            raise RuntimeError("the Dutch pipeline does not lemmatize")
