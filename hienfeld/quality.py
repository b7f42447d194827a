"""Quality of an analysis against the generator's ground truth (tests and benchmarks)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score

from .pipeline import AnalysisResult

REMOVE = "VERWIJDEREN"
REPLACE = "🔄 VERVANGEN"


def pairwise_f1(truth: list[str], labels: list[int]) -> float:
    """F1 of "same cluster" over all row pairs, computed from contingency counts (no pair loop)."""
    def pairs(counts) -> int:
        return sum(n * (n - 1) // 2 for n in counts)
    both = pairs(Counter(zip(truth, labels)).values())
    predicted, actual = pairs(Counter(labels).values()), pairs(Counter(truth).values())
    if both == 0:
        return 1.0 if predicted == actual == 0 else 0.0
    precision, recall = both / predicted, both / actual
    return 2 * precision * recall / (precision + recall)


def evaluate(result: AnalysisResult, truth_path: Path) -> dict[str, Any]:
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    families, row_family = truth["families"], truth["row_family"]
    labels = result.row_cluster
    advice = [result.clusters[c].advice.code for c in labels]
    # The waterfall checks the clause library before the conditions, so a library family is
    # expected to get VERVANGEN, covered or not; coverage shares are over the other families.
    by_coverage: dict[str, list[bool]] = {}
    replaced: list[bool] = []
    for fam, code in zip(row_family, advice):
        info = families[fam]
        if info["kind"] != "family":
            continue
        if info.get("library_code"):
            replaced.append(code == REPLACE)
        else:
            by_coverage.setdefault(info["coverage"], []).append(code == REMOVE)
    share = {cov: round(sum(v) / len(v), 4) for cov, v in by_coverage.items() if v}
    return {
        "ari": round(adjusted_rand_score(row_family, labels), 4),
        "pairwise_f1": round(pairwise_f1(row_family, labels), 4),
        "remove_verbatim": share.get("verbatim"),
        "remove_paraphrase": share.get("paraphrase"),
        "remove_uncovered": share.get("none"),
        "replace_library": round(sum(replaced) / len(replaced), 4) if replaced else None,
        "rows_in_report": len(labels),
    }
