"""The API's shapes of an analysis result (contract: GET /api/results, ../shared/API_CONTRACT.md):
one row per cluster, and the stats as JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hienfeld.results import AnalysisResult


def result_rows(result: AnalysisResult) -> list[dict[str, Any]]:
    """One row per cluster."""
    statuses = _cluster_action_status(result)
    variants = result.variants
    return [
        {
            "cluster_id": c.cluster_id,
            "cluster_name": c.name,
            "frequency": c.frequency,
            "advice_code": c.advice.code,
            "confidence": c.advice.confidence,
            "reason": c.advice.reason,
            "reference_article": c.advice.article,
            "original_text": c.leader_text,
            "row_type": "SINGLE",
            "parent_id": None,
            "action_status": statuses[i] if statuses else None,
            "template": variants.templates[i].marked() if variants else None,
        }
        for i, c in enumerate(result.clusters)
    ]


def result_stats(result: AnalysisResult) -> dict[str, Any]:
    return result.stats.as_dict()


def _cluster_action_status(result: AnalysisResult) -> list[str] | None:
    if result.comparison is None:
        return None
    return [Counter(result.comparison.action_status[r] for r in c.rows).most_common(1)[0][0]
            for c in result.clusters]
