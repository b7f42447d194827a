"""Embedder: resident sentence-embedding models (an LRU of them per replica), batched."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
from ray import serve

from hienfeld.config import load_settings
from hienfeld.embedding_models import load_encoder

from .environment import embed_threads
from .resident import DEFAULT_CACHE_MAX_BYTES, DEFAULT_MAX_BATCH_SIZE, ResidentModels


@serve.deployment
class Embedder(ResidentModels):
    key_prefix = "embeddings_"

    def __init__(self, preload: list[str] | None = None, max_models: int = 2, cache_capacity: int = 200_000,
                 threads: int | None = None, cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES):
        # torch threads: as bound, else this replica's environment (deployments/environment.py)
        self.threads = threads or embed_threads()
        self.default_model = load_settings().default_embedding_model
        super().__init__(preload or [self.default_model], max_models=max_models,
                         cache_capacity=cache_capacity, metrics_prefix="embedder",
                         cache_max_bytes=cache_max_bytes)

    def _load(self, name: str) -> tuple[Any, str]:
        encoder = load_encoder(name, threads=self.threads)
        return encoder, encoder.name

    def _compute(self, model: Any, texts: list[str]) -> list[np.ndarray]:
        return list(model.encode(texts))

    async def embed(self, texts: list[str], model: str = "", job_id: str = "") -> np.ndarray:
        rows = await self.run_batch(texts, model or self.default_model, job_id)
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)

    @serve.batch(max_batch_size=DEFAULT_MAX_BATCH_SIZE, batch_wait_timeout_s=0.005)
    async def run_batch(self, texts: list[list[str]], models: list[str], job_ids: list[str]) -> list[list[np.ndarray]]:
        # The model runs off the replica's event loop so stats and health calls stay answered.
        return await asyncio.to_thread(self.serve_batch, list(zip(texts, models, job_ids)))

    def check_health(self) -> None:
        name, encoder = next(iter(self.models.items()))
        vector = encoder.encode(["gezondheidscontrole"])
        if vector.shape[0] != 1 or not np.isfinite(vector).all():
            raise RuntimeError(f"embedding model {name} returns no usable vectors")
