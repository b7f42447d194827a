"""Held-out evaluation corpus for the clause analysis, written independently of the project's own generator.

generate(rows, out_dir, seed, analysis_date, policy_format) writes a policy export, a conditions document,
a clause library and truth.json, and returns their paths under the keys policy, conditions, library, truth.
"""

from __future__ import annotations

import datetime
from datetime import date
from pathlib import Path

from evaluation.truth import write_truth

from . import writers
from .corpus import EXPECT, finalize, policy_rows
from .families import build


def generate(rows: int, out_dir: Path, seed: int = 0, analysis_date: datetime.date = date(2026, 12, 1),
             policy_format: str = "csv") -> dict[str, Path]:
    if policy_format not in ("csv", "xlsx"):
        raise ValueError(f"policy_format must be 'csv' or 'xlsx', not {policy_format!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fams = build(seed)
    conditions, library = finalize(fams, seed, analysis_date)
    data, picked = policy_rows(fams, rows, seed, analysis_date)
    paths = {"policy": out_dir / f"polissen.{policy_format}", "conditions": out_dir / "voorwaarden.docx",
             "library": out_dir / "clausules.xlsx", "truth": out_dir / "truth.json"}
    if policy_format == "csv":
        writers.write_policy_csv(paths["policy"], data)
    else:
        writers.write_policy_xlsx(paths["policy"], data)
    writers.write_conditions(paths["conditions"], conditions)
    writers.write_library(paths["library"], library)
    truth = {
        "generator": "heldout",
        "seed": seed,
        "analysis_date": analysis_date.isoformat(),
        "rows": rows,
        "row_family": [f.id for f in picked],
        "row_expect": [EXPECT[f.category] for f in picked],
        "families": {f.id: {"category": f.category, "library_code": f.library_code, "article": f.article,
                            "near_miss_of": f.near_miss_of, "topic": f.topic, "branche": f.branche,
                            "template": f.text, "core": f.core, "conditions_text": f.conditions_text,
                            "library_text": f.library_text, "future_validity": f.future_validity}
                     for f in fams},
    }
    write_truth(paths["truth"], truth, indent=1)
    return paths
