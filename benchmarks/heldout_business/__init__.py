"""Held-out evaluation corpus for a business package (bedrijvenpakket), written independently of the project's
analysis code and of benchmarks/heldout (home insurance).

generate(rows, out_dir, seed, analysis_date, policy_format) writes a policy export, the conditions in three
formats (TXT, DOCX, PDF with page furniture), a drifted clause library with decoys and truth.json, and returns
their paths under the keys policy, conditions (= the PDF), conditions_txt, conditions_docx, conditions_pdf,
library, truth.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import date
from pathlib import Path

from evaluation.truth import write_truth

from . import writers
from .corpus import (EXPECT, build_conditions, build_families, build_library, build_rows, kinds, split_of)
from .pdf import write_conditions_pdf
from .values import date_between, load, policy_number

__all__ = ["generate", "EXPECT"]


def _policy_table(rows, seed: int, analysis: dt.date) -> list[list[str]]:
    rng = random.Random(f"heldout-business-policies-{seed}")
    alias = load("noise")["branche_alias"]
    remarks = load("noise")["remarks"]
    out: list[list[str]] = []
    left = 0
    polis = ingang = ""
    volg = 0
    for r in rows:
        if left == 0:
            left = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
            polis = policy_number(rng)
            d = date_between(rng, dt.date(2009, 1, 1), analysis)
            ingang = d.strftime("%d-%m-%Y") if rng.random() < 0.85 else ("" if rng.random() < 0.5 else d.isoformat())
            volg = 0
        left -= 1
        volg += 1
        out.append([polis, str(volg), rng.choice(alias[r.branche]), ingang, r.code, r.text, rng.choice(remarks)])
    return out


def generate(rows: int, out_dir: Path, seed: int = 0, analysis_date: dt.date = date(2026, 12, 1),
             policy_format: str = "xlsx") -> dict[str, Path]:
    if policy_format not in ("csv", "xlsx"):
        raise ValueError(f"policy_format must be 'csv' or 'xlsx', not {policy_format!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cond = build_conditions()
    fams = build_families(cond)
    library = build_library(fams, seed)
    data = build_rows(fams, rows, seed, analysis_date)
    paths = {"policy": out_dir / f"polissen.{policy_format}",
             "conditions_txt": out_dir / "voorwaarden.txt",
             "conditions_docx": out_dir / "voorwaarden.docx",
             "conditions_pdf": out_dir / "voorwaarden.pdf",
             "library": out_dir / "clausulebibliotheek.xlsx",
             "truth": out_dir / "truth.json"}
    paths["conditions"] = paths["conditions_pdf"]
    writers.write_policy(paths["policy"], _policy_table(data, seed, analysis_date), policy_format)
    writers.write_conditions_txt(paths["conditions_txt"], cond)
    writers.write_conditions_docx(paths["conditions_docx"], cond)
    pdf_info = write_conditions_pdf(paths["conditions_pdf"], cond)
    writers.write_library(paths["library"], library)

    stating = {}      # sub-article -> a verbatim/paraphrase family that states it
    for f in fams:
        if f.category in ("verbatim", "paraphrase") and f.sub.number not in stating:
            stating[f.sub.number] = f.id
    families: dict[str, dict] = {}
    for f in fams:
        pointer = f"Artikel {f.sub.number}" if f.sub else None
        families[f.id] = {
            "category": f.category, "branche": f.branche, "split": split_of(f.id),
            "library_code": f.library_code, "decoy_codes": list(f.decoy_codes),
            "article": pointer if f.category in ("verbatim", "paraphrase", "deviation") else None,
            "near_miss_of": pointer if f.category == "near_miss" else None,
            "near_miss_family": stating.get(f.sub.number) if f.category == "near_miss" else None,
            "core": f.canonical() if f.category in ("verbatim", "paraphrase", "near_miss") else None,
            "future_validity": False,
            "template": f.text, "slots": list(f.slots), "optional": f.opt,
            "fixed_values": {s: f.fixed[s] for s in f.slots if s in f.fixed},
            "kinds": kinds(f), "drift": list(f.drift),
            "library_text": f.library_text, "decoy_texts": list(f.decoys),
            "conditions_text": f.sub.full if f.sub else None,
        }
    for r in data:
        if r.family.startswith("EMPTY"):
            families[r.family] = {"category": "empty", "branche": None, "split": split_of(r.family),
                                  "library_code": None, "decoy_codes": [], "article": None, "near_miss_of": None,
                                  "template": r.text, "slots": [], "optional": None, "fixed_values": {},
                                  "kinds": [], "drift": [], "library_text": None, "decoy_texts": [],
                                  "conditions_text": None}
        elif r.family.startswith("U"):
            families[r.family] = {"category": "oneoff", "branche": r.branche, "split": split_of(r.family),
                                  "library_code": None, "decoy_codes": [], "article": None, "near_miss_of": None,
                                  "template": r.text, "slots": [], "optional": None, "fixed_values": {},
                                  "kinds": [], "drift": [], "library_text": None, "decoy_texts": [],
                                  "conditions_text": None}
    truth = {
        "generator": "heldout_business",
        "seed": seed,
        "analysis_date": analysis_date.isoformat(),
        "rows": rows,
        "policy_text_column": "Omschrijving",
        "expect_by_category": EXPECT,
        "row_family": [r.family for r in data],
        "row_expect": [r.expect for r in data],
        "row_values": [r.values for r in data],
        "row_noise": [r.noise for r in data],
        "families": families,
        "conditions_subs": {f"Artikel {k}": v for k, v in cond.subs().items()},
        "conditions_pdf": pdf_info,
    }
    write_truth(paths["truth"], truth, indent=1)
    return paths
