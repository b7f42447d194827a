"""What one analysis produces: `AnalysisResult` and its `AnalysisStats`, both frozen. Everything
the analyst is told (the table reader's notes, files skipped) is in the stats when they are made,
so every caller (CLI, Serve) reports the same; a cached result is shared, never changed."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .reference import ReferenceComparison
from .types import Advice, Chunk, Cluster, LibraryClause, PolicyTable
from .variants import Variants


@dataclass(frozen=True)
class SemanticStatus:
    enabled: bool  # the job asked for the semantic methods
    lemmas: bool  # the Dutch pipeline's lemmas were used
    tfidf: bool  # TF-IDF cosine on lemmas was weighed in the matching
    embeddings: str | None  # the embedding model used


@dataclass(frozen=True)
class ModelsUsed:
    spacy_pipeline: str | None
    embedding_model: str | None


@dataclass(frozen=True)
class ConditionsStats:
    files: int
    articles: int
    chunks: int


@dataclass(frozen=True)
class AnalysisStats:
    """`as_dict()` is the `stats` of the API (../shared/API_CONTRACT.md) and of the CLI's summary."""

    total_rows: int
    total_clauses: int
    unique_clusters: int
    reduction_percentage: float
    analysis_mode: str  # "with_conditions" | "internal_only"
    mode: str  # the analysis mode of analysis.yaml
    advice_distribution: tuple[tuple[str, int], ...]  # (advice, clusters), most frequent first
    semantic_status: SemanticStatus
    models: ModelsUsed
    text_column: str
    policy_column: str | None
    conditions: ConditionsStats
    library_clauses: int
    reference: tuple[tuple[str, int], ...] | None = None  # ReferenceComparison.summary()
    warnings: tuple[str, ...] = ()
    result_reused: bool = False
    report_reused: bool | None = None  # None: no report cache was used
    timings: tuple[tuple[str, float], ...] = ()  # seconds per phase

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"result_reused": self.result_reused}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("result_reused", "timings") or (f.name in ("reference", "report_reused") and value is None):
                continue
            if f.name in ("advice_distribution", "reference"):
                value = dict(value)
            elif f.name == "warnings":
                value = list(value)
            elif dataclasses.is_dataclass(value):
                value = dataclasses.asdict(value)
            out[f.name] = value
        out["timings"] = dict(self.timings)
        return out


@dataclass(frozen=True)
class AnalysisResult:
    table: PolicyTable
    clusters: tuple[Cluster, ...]
    row_cluster: tuple[int, ...]
    comparison: ReferenceComparison | None
    stats: AnalysisStats
    row_advice: Mapping[int, Advice] = field(default_factory=dict)  # rows whose own advice differs
    variants: Variants | None = None  # per cluster its template, per row the values it fills in

    def advice_of_row(self, row: int) -> Advice:
        return self.row_advice.get(row) or self.clusters[self.row_cluster[row]].advice

    def with_stats(self, **changes: Any) -> AnalysisResult:
        """A copy whose stats have `changes` (this one stays as it is)."""
        return dataclasses.replace(self, stats=dataclasses.replace(self.stats, **changes))


def make_stats(table: PolicyTable, clusters: Sequence[Cluster], chunks: Sequence[Chunk],
               library: Sequence[LibraryClause], mode: str, use_semantic: bool, weights: Mapping[str, float],
               embedding_model: str | None, pipeline_name: str | None, comparison: ReferenceComparison | None,
               warnings: Sequence[str]) -> AnalysisStats:
    """`pipeline_name` is None when the job used no models. The table reader's notes (e.g. which
    of several sheets was read) come first among the warnings."""
    used_models = pipeline_name is not None
    total_clauses = sum(1 for t in table.texts if t.strip())
    notes = [n for n in table.notes if n not in warnings]
    return AnalysisStats(
        total_rows=len(table.rows),
        total_clauses=total_clauses,
        unique_clusters=len(clusters),
        reduction_percentage=round(100 * (1 - len(clusters) / total_clauses), 1) if total_clauses else 0.0,
        analysis_mode="with_conditions" if chunks else "internal_only",
        mode=mode,
        advice_distribution=tuple(Counter(c.advice.code for c in clusters).most_common()),
        semantic_status=SemanticStatus(
            enabled=use_semantic, lemmas=used_models,
            tfidf=used_models and bool(chunks or library) and bool(weights.get("tfidf")),
            embeddings=embedding_model if used_models else None),
        models=ModelsUsed(spacy_pipeline=pipeline_name, embedding_model=embedding_model if used_models else None),
        text_column=table.text_column,
        policy_column=table.policy_column,
        conditions=ConditionsStats(files=len({c.file for c in chunks}), articles=len({c.article_id for c in chunks}),
                                   chunks=len(chunks)),
        library_clauses=len(library),
        reference=tuple(comparison.summary().items()) if comparison is not None else None,
        warnings=tuple(notes) + tuple(warnings),
    )
