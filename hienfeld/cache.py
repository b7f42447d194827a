"""What a caller keeps between its analyses (the Analyzer replica, the CLI), as one object it owns
and passes to `run_analysis`: the last few results with what their models answered, and, with a
folder, the reports by content fingerprint. Nothing is kept at module level.

A repeat of a recent analysis (same files, options, settings and date) asks the models again for
every text the first run used; when they answer the same, the first run's clusters and advice are
the answer (the result is a function of the inputs and those answers), so a warm repeat costs the
model round trips, not the clustering. A report for the same inputs and the same results is copied
instead of written again (a warm repeat of a 50,000-row file spends most of its time writing the
workbook otherwise)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict

import numpy as np

from . import __version__ as hienfeld_version
from .config import Settings
from .ingest import AnalysisInput
from .models import ModelBackend
from .options import AnalysisOptions
from .report_cache import ReportCache
from .results import AnalysisResult
from .semantics import Asked, answers_digest
from .timing import PhaseTimer


class AnalysisCache:
    """The last `size` analyses by input key, with what their models answered; `reports`, when
    given, caches the reports."""

    def __init__(self, size: int = 2, reports: ReportCache | None = None):
        self.size = size
        self.reports = reports
        self._entries: OrderedDict[str, tuple[AnalysisResult, Asked]] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, key: str, result: AnalysisResult, asked: Asked) -> None:
        with self._lock:
            self._entries[key] = (result, asked)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def reuse(self, key: str, models: ModelBackend, timer: PhaseTimer) -> AnalysisResult | None:
        """The stored result when the models give the same answers as then, else None."""
        with self._lock:
            found = self._entries.get(key)
        if found is None:
            return None
        result, asked = found
        with timer.phase("lemmas"):
            lemmas = models.lemmatize(asked.lemma_texts) if asked.lemma_texts else []
        with timer.phase("embeddings"):
            vectors = (list(models.embed(asked.embed_texts, asked.embedding_model))
                       if asked.embed_texts and asked.embedding_model else [])
        if answers_digest(lemmas, vectors) != asked.digest:
            return None  # a model changed (reloaded, another version): analyse anew
        return result.with_stats(result_reused=True)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def input_key(inp: AnalysisInput, options: AnalysisOptions, settings: Settings, today: dt.date) -> str:
    digest = hashlib.sha256(f"{hienfeld_version}|{options!r}|{settings!r}|{today}".encode())
    for name, data in [inp.policy, *inp.conditions, *inp.library, *([inp.reference] if inp.reference else [])]:
        digest.update(hashlib.sha256(name.encode()).digest() + hashlib.sha256(data).digest())
    return digest.hexdigest()


def report_fingerprint(inp: AnalysisInput, result: AnalysisResult, long_text_chars: int) -> str:
    """Everything the report depends on: the input rows (policy file), the reference, the clusters
    with their advice, members and templates, each row's own advice and variant."""
    digest = hashlib.sha256(f"{hienfeld_version}|{long_text_chars}".encode())
    templates = result.variants.templates if result.variants else [None] * len(result.clusters)
    clusters = [(c.cluster_id, c.name, c.leader_text, c.merged_by, c.advice.code, c.advice.confidence,
                 c.advice.reason, c.advice.article, t.marked() if t else None)
                for c, t in zip(result.clusters, templates)]
    rows = sorted((r, a.code, a.confidence, a.reason, a.article) for r, a in result.row_advice.items())
    variants = result.variants.row_variant if result.variants else []
    for part in (inp.policy[1], inp.reference[1] if inp.reference else b"",
                 json.dumps(clusters, ensure_ascii=False).encode(),
                 json.dumps(rows, ensure_ascii=False).encode(),
                 json.dumps(variants, ensure_ascii=False).encode(),
                 np.asarray(result.row_cluster, dtype=np.int64).tobytes()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()
