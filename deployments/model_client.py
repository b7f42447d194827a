"""The pipeline's ModelBackend over deployment handles: texts go out in chunks, a few in flight at a
time, so @serve.batch fills without one job's fan-out looking like load that needs another replica
(a new replica would start with an empty result cache). Each chunk is retried a bounded number of
times when a replica dies or a call times out."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np
from ray.exceptions import RayActorError
from ray.serve.exceptions import RayServeException
from ray.serve.handle import DeploymentHandle

from hienfeld.config import ModelCallSettings

log = logging.getLogger("ray.serve")

RETRYABLE = (TimeoutError, RayActorError, RayServeException)


class ServeModels:
    """`calls` (chunk size, requests in flight, retries, timeout): `service.model_calls` of the
    analysis configuration, passed in by the Analyzer."""

    def __init__(self, parser: DeploymentHandle, embedder: DeploymentHandle, job_id: str,
                 calls: ModelCallSettings):
        self.parser, self.embedder, self.job_id = parser, embedder, job_id
        self.chunk_size, self.max_in_flight = calls.chunk_size, calls.max_in_flight
        self.timeout_s, self.retries = calls.timeout_s, calls.retries
        self._pipeline_name: str | None = None

    def _fan_out(self, method, texts: Sequence[str], **kwargs) -> list:
        chunks = [list(texts[i:i + self.chunk_size]) for i in range(0, len(texts), self.chunk_size)]
        pending = {i: method.remote(chunks[i], job_id=self.job_id, **kwargs)
                   for i in range(min(self.max_in_flight, len(chunks)))}
        results: dict[int, object] = {}
        for i in range(len(chunks)):
            for attempt in range(self.retries + 1):
                try:
                    results[i] = pending[i].result(timeout_s=self.timeout_s)
                    break
                except RETRYABLE as exc:
                    if attempt == self.retries:
                        raise RuntimeError(
                            f"model call failed after {self.retries + 1} attempts ({type(exc).__name__})") from exc
                    log.warning("Model call for job %s failed (%s); retry %d", self.job_id,
                                type(exc).__name__, attempt + 1)
                    time.sleep(min(2 ** attempt, 10))
                    pending[i] = method.remote(chunks[i], job_id=self.job_id, **kwargs)
            ahead = i + self.max_in_flight
            if ahead < len(chunks):  # chunk i is done: keep the window full
                pending[ahead] = method.remote(chunks[ahead], job_id=self.job_id, **kwargs)
        return [results[i] for i in range(len(chunks))]

    def lemmatize(self, texts: Sequence[str]) -> list[list[str]]:
        return [lemmas for part in self._fan_out(self.parser.lemmatize, texts) for lemmas in part]

    def embed(self, texts: Sequence[str], model: str) -> np.ndarray:
        parts = self._fan_out(self.embedder.embed, texts, model=model)
        return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)

    def pipeline_name(self) -> str:
        if self._pipeline_name is None:
            self._pipeline_name = self.parser.pipeline_name.remote().result(timeout_s=self.timeout_s)
        return self._pipeline_name
