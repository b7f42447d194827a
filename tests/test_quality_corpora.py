"""Analysis quality on the two corpora the analysis was not tuned on beyond their dev halves:
`../shared/eval/` (home insurance, written outside the project, scored by its own score.py) and the
business-package held-out corpus (benchmarks/heldout_business, its "test" half). In-process, with
the real Dutch pipeline and embedding model, balanced mode, conditions and library. Floors are the
figures measured in docs/quality.md less a margin; where that is below issue 20's target, the
target is named in the comment."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.heldout_business import generate as business_corpus
from hienfeld.config import load_settings
from hienfeld.models import LocalModels
from hienfeld.options import AnalysisOptions
from hienfeld.pipeline import AnalysisInput, run_analysis
from evaluation.quality import evaluate

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
TODAY = dt.date(2026, 12, 1)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models():
    return LocalModels(load_settings().spacy_model)


def _blob(path: Path) -> tuple[str, bytes]:
    return path.name, path.read_bytes()


@pytest.mark.skipif(not (SHARED_EVAL / "gen_corpus.py").exists(), reason="../shared/eval is not beside the project")
def test_shared_corpus_floors(models, tmp_path):
    subprocess.run([sys.executable, str(SHARED_EVAL / "gen_corpus.py"), "--out", str(tmp_path), "--sizes", "10k",
                    "--skip-zipbomb", "--skip-bad"], check=True, capture_output=True)
    report = tmp_path / "r10k.xlsx"
    inputs = AnalysisInput(policy=_blob(tmp_path / "policies_10k.xlsx"),
                           conditions=[_blob(tmp_path / "voorwaarden.txt")], library=[_blob(tmp_path / "clausules.csv")])
    with open(report, "wb") as out:
        run_analysis(inputs, AnalysisOptions(analysis_mode="balanced", cluster_accuracy=90), models, load_settings(),
                     report_out=out)
    subprocess.run([sys.executable, str(SHARED_EVAL / "score.py"), str(report), str(tmp_path / "truth_10k.json"),
                    "--expect", str(tmp_path / "expect.json"), "--out", str(tmp_path / "score.json")],
                   check=True, capture_output=True)
    score = json.loads((tmp_path / "score.json").read_text())
    advice, remove = score["advies"], score["advies"]["remove"]["by_match"]
    assert score["missing_rows"] == 0 and score["formula_cells"] == 0
    assert score["ari"] >= 0.95 and score["pairwise"]["precision"] >= 0.99, score["pairwise"]
    assert score["bcubed"]["f1"] >= 0.93, score["bcubed"]
    assert remove["verbatim"]["frac"] >= 0.98 and remove["verbatim"]["pointed_frac"] >= 0.90, remove
    assert advice["replace"]["frac"] >= 0.90, advice["replace"]
    assert advice["keep"]["frac"] >= 0.98
    for group in ("fill", "clean", "manual"):
        assert advice[group]["frac"] == 1.0, (group, advice[group])
    assert remove["paraphrase"]["pointed_frac"] >= 0.25, remove  # [0.90]; measured 0.29 (docs/quality.md)


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    return business_corpus(10_000, tmp_path_factory.mktemp("business"), seed=0, analysis_date=TODAY)


def _business_quality(models, paths, conditions: str) -> dict:
    inputs = AnalysisInput(policy=_blob(paths["policy"]), conditions=[_blob(paths[conditions])],
                           library=[_blob(paths["library"])])
    report = io.BytesIO()
    result = run_analysis(inputs, AnalysisOptions(analysis_mode="balanced"), models, load_settings(),
                          report_out=report, today=TODAY)
    assert len(result.row_cluster) == 10_000  # every row is in the report
    return evaluate(result, paths["truth"], split="test")


# Measured on the test half (docs/quality.md); issue 20's targets in brackets where not met.
BUSINESS_FLOORS = {"pairwise_precision": 0.99,
                   "ari": 0.93,  # [0.95]
                   "remove_verbatim": 0.96,  # [0.98]
                   "replace_library": 0.60,  # [0.90]
                   "fill": 0.78,  # [1.00]
                   "verbatim_pointed": 0.95, "keep": 0.97, "keep_deviation": 0.97, "lapsed": 0.93}


def test_business_corpus_floors_with_conditions_as_pdf_and_as_text(models, business):
    as_pdf = _business_quality(models, business, "conditions_pdf")
    for name, floor in BUSINESS_FLOORS.items():
        assert as_pdf[name] >= floor, (name, as_pdf)
    assert as_pdf["replace_decoy"] == 0.0, as_pdf  # a decoy is never the clause to replace with
    as_txt = _business_quality(models, business, "conditions_txt")
    for name in ("remove_verbatim", "verbatim_pointed", "paraphrase_pointed", "keep"):
        assert abs(as_pdf[name] - as_txt[name]) <= 0.01, (name, as_pdf[name], as_txt[name])
