"""Quality of an analysis against a corpus's ground truth (tests and benchmarks).

One truth schema (evaluation/truth.py), two kinds of corpus: the tuning generator's
(evaluation/synth.py: families with a coverage) and the held-out corpora's (benchmarks/heldout,
benchmarks/heldout_business: an expectation per row). Both are scored per row, with the advice the
report shows for that row.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score

from hienfeld.advice import MANUAL, REMOVE, REPLACE
from hienfeld.hygiene import FILL, LAPSED
from hienfeld.results import AnalysisResult

from .truth import Truth, read_truth


def _pairs(counts) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def pairwise_scores(truth: list[str], labels: list[int]) -> tuple[float, float]:
    """(precision, recall) of "same cluster" over all row pairs, from contingency counts."""
    both = _pairs(Counter(zip(truth, labels)).values())
    predicted, actual = _pairs(Counter(labels).values()), _pairs(Counter(truth).values())
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    return precision, recall


def pairwise_f1(truth: list[str], labels: list[int]) -> float:
    precision, recall = pairwise_scores(truth, labels)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def family_split(family: str) -> str:
    """"dev" or "test": a fixed split by clause family (never by row), so the rows of one family are
    all on one side. Tuning looks at "dev" only; figures are reported on "test"."""
    return "dev" if zlib.crc32(family.encode()) % 2 == 0 else "test"


def evaluate(result: AnalysisResult, truth_path: Path, split: str | None = None) -> dict[str, Any]:
    """Scores over all rows, or over the rows of one `family_split` half."""
    truth = read_truth(truth_path)
    rows = [r for r, fam in enumerate(truth["row_family"]) if split is None or family_split(fam) == split]
    truth = {**truth, "row_family": [truth["row_family"][r] for r in rows]}
    if "row_expect" in truth:
        truth["row_expect"] = [truth["row_expect"][r] for r in rows]
    row_family = truth["row_family"]
    labels = [result.row_cluster[r] for r in rows]
    precision, recall = pairwise_scores(row_family, labels)
    scores = {
        "ari": round(adjusted_rand_score(row_family, labels), 4),
        "pairwise_precision": round(precision, 4),
        "pairwise_recall": round(recall, 4),
        "pairwise_f1": round(pairwise_f1(row_family, labels), 4),
        "families": len(set(row_family)),
        "clusters": len(set(labels)),
        "rows": len(labels),
        "rows_in_report": len(result.row_cluster),
    }
    advice = [result.advice_of_row(r) for r in rows]
    if "row_expect" in truth:
        scores.update(_heldout_advice(truth, advice))
    else:
        scores.update(_synth_advice(truth, advice))
    return scores


def _heldout_advice(truth: Truth, advice) -> dict[str, Any]:
    families = truth["families"]
    kinds: dict[str, list[bool]] = {}
    for fam, expect, adv in zip(truth["row_family"], truth["row_expect"], advice):
        info = families[fam]
        category = info["category"]
        if expect == "remove":
            kinds.setdefault(f"remove_{category}", []).append(adv.code == REMOVE)
            # short of removal: a check that names the (sub-)article it restates
            kinds.setdefault(f"{category}_pointed", []).append(
                adv.code in (REMOVE, MANUAL) and _names_article(adv.article, info["article"]))
        elif expect == "replace":
            kinds.setdefault("replace_library", []).append(adv.code == REPLACE and adv.article == info["library_code"])
        if info.get("decoy_codes"):  # a standard clause that shares most words but means otherwise
            kinds.setdefault("replace_decoy", []).append(adv.code == REPLACE and adv.article in info["decoy_codes"])
        elif expect == "fill":
            kinds.setdefault("fill", []).append(adv.code == FILL)
        elif expect == "lapsed":
            kinds.setdefault("lapsed", []).append(adv.code == LAPSED)
        elif expect == "keep":
            kinds.setdefault("keep", []).append(adv.code not in (REMOVE, REPLACE, LAPSED))
            if category == "deviation":
                kinds.setdefault("keep_deviation", []).append(adv.code not in (REMOVE, REPLACE))
    return {name: _share(flags) for name, flags in sorted(kinds.items())}


def _names_article(label: str | None, expected: str) -> bool:
    """Does the report's `Artikel` ("Art. 12.1 – Title") name the expected unit ("Artikel 12.1"),
    or a sub-article of it where the corpus names the whole article ("Artikel 12")?"""
    found, wanted = _article_number(label), _article_number(expected)
    return found is not None and wanted is not None and (found == wanted or found.startswith(wanted + "."))


def _article_number(label: str | None) -> str | None:
    """"12.1" of "Artikel 12.1" (the corpus) and of "Art. 12.1 – Title" (the report)."""
    found = re.match(r"Art(?:ikel|\.)?\s*(\d+(?:\.\d+)?)", label or "")
    return found.group(1) if found else None


def _synth_advice(truth: Truth, advice) -> dict[str, Any]:
    families = truth["families"]
    # The waterfall checks the clause library before the conditions, so a library family is
    # expected to get VERVANGEN, covered or not; coverage shares are over the other families.
    by_coverage: dict[str, list[bool]] = {}
    replaced: list[bool] = []
    for fam, adv in zip(truth["row_family"], advice):
        info = families[fam]
        if info["kind"] != "family":
            continue
        if info.get("library_code"):
            replaced.append(adv.code == REPLACE)
        else:
            by_coverage.setdefault(info["coverage"], []).append(adv.code == REMOVE)
    return {
        "remove_verbatim": _share(by_coverage.get("verbatim", [])),
        "remove_paraphrase": _share(by_coverage.get("paraphrase", [])),
        "remove_uncovered": _share(by_coverage.get("none", [])),
        "replace_library": _share(replaced),
    }


