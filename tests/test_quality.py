"""Analysis quality on the held-out corpus only (benchmarks/heldout: written independently of the
generator the analysis was tuned on, evaluation/synth.py), through the in-process pipeline with the
real Dutch pipeline and embedding model. Tuning looked at the "dev" half of the held-out families
only; these figures are the other half ("test", split by family, never by row). The floors are
docs/quality.md's measured figures less a margin; where they are below issue 10's targets, that
target is named next to them."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from benchmarks.heldout import generate
from hienfeld.config import load_settings
from hienfeld.models import LocalModels
from hienfeld.options import AnalysisOptions
from deployments.rows import result_rows
from hienfeld.pipeline import AnalysisInput, run_analysis
from evaluation.quality import evaluate, pairwise_f1, pairwise_scores

ROWS = 6000
TODAY = dt.date(2026, 12, 1)  # the corpus's analysis date: lapsed means before it


@pytest.fixture(scope="module")
def heldout(tmp_path_factory):
    return generate(ROWS, tmp_path_factory.mktemp("heldout"), seed=3, analysis_date=TODAY)


@pytest.fixture(scope="module")
def models():
    return LocalModels(load_settings().spacy_model)


def _inputs(paths) -> AnalysisInput:
    return AnalysisInput(policy=(paths["policy"].name, paths["policy"].read_bytes()),
                         conditions=[(paths["conditions"].name, paths["conditions"].read_bytes())],
                         library=[(paths["library"].name, paths["library"].read_bytes())])


# Floors on the "test" half of the families (6,000 rows, seed 3): issue 10's targets, or a margin
# below what docs/quality.md measured where that is higher. Paraphrase-covered -> VERWIJDEREN
# (target 0.80) is not met and not asserted: the only encoders installable here do not recognise
# Dutch domain rewording, so such a clause is pointed out for a check naming the article it
# restates ("paraphrase_pointed"); docs/quality.md says why.
# Clustering floors: this corpus makes one family of every combination of its template's word
# values ("tegen storm" / "tegen diefstal", "de garage" / "de carport"); issue 20 makes a template
# with word slots one cluster with variants, so its ARI and pair precision measure that choice, not
# noise (docs/quality.md). The advice is judged per variant and keeps its floors.
_SHARED = {"ari": 0.55, "pairwise_precision": 0.40, "remove_verbatim": 0.98, "replace_library": 0.94,
           "lapsed": 0.95, "keep": 0.99, "keep_deviation": 0.98, "paraphrase_pointed": 0.90}
FLOORS = {"balanced": _SHARED, "fast": _SHARED}


@pytest.mark.slow  # 6,000 rows through the real models: over a minute
@pytest.mark.parametrize("mode", list(FLOORS))
def test_heldout_quality_floors(heldout, models, mode):
    report = io.BytesIO()
    result = run_analysis(_inputs(heldout), AnalysisOptions(analysis_mode=mode), models, load_settings(),
                          report_out=report, today=TODAY)
    quality = evaluate(result, heldout["truth"], split="test")
    for name, floor in FLOORS[mode].items():
        assert quality[name] >= floor, (name, quality)
    sheet = openpyxl.load_workbook(io.BytesIO(report.getvalue()), read_only=True)["Analyseresultaten"]
    assert sheet.max_row == ROWS + 1  # every input row, empty and short ones included


@pytest.mark.slow
def test_result_independent_of_row_order(heldout, models, tmp_path):
    """Clusters and advice depend on the texts, not on the order of the rows."""
    import csv
    settings = load_settings()
    with open(heldout["policy"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    shuffled = tmp_path / "shuffled.csv"
    with open(shuffled, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([rows[0]] + rows[1:][::-1])
    base = run_analysis(_inputs(heldout), AnalysisOptions(), models, settings, today=TODAY)
    inputs = _inputs(heldout)
    inputs.policy = (shuffled.name, shuffled.read_bytes())
    again = run_analysis(inputs, AnalysisOptions(), models, settings, today=TODAY)
    assert result_rows(again) == result_rows(base)


def test_pairwise_scores_count_pairs():
    assert pairwise_f1(["a", "a", "b"], [0, 0, 1]) == 1.0
    assert pairwise_f1(["a", "a", "b", "b"], [0, 0, 0, 0]) == pytest.approx(2 * (2 / 6) * 1 / (2 / 6 + 1))
    assert pairwise_scores(["a", "a", "b", "b"], [0, 0, 0, 0]) == (pytest.approx(2 / 6), 1.0)


@pytest.mark.slow
def test_without_semantics_no_model_is_called_and_verbatim_clauses_are_still_found(heldout):
    class NoModels:
        def lemmatize(self, texts):
            raise AssertionError("use_semantic=false must not call the lemmatizer")

        def embed(self, texts, model):
            raise AssertionError("use_semantic=false must not call the embedder")

        def pipeline_name(self):
            raise AssertionError("no pipeline is used")

    result = run_analysis(_inputs(heldout), AnalysisOptions(use_semantic=False), NoModels(), load_settings(),
                          today=TODAY)
    quality = evaluate(result, heldout["truth"], split="test")
    assert quality["remove_verbatim"] >= 0.90 and quality["keep_deviation"] >= 0.98, quality
    assert result.stats.as_dict()["models"] == {"spacy_pipeline": None, "embedding_model": None}
