"""Analysis quality on labelled generated data (issue 3's targets), through the in-process
pipeline with the real Dutch pipeline and embedding model."""

from __future__ import annotations

import io

import openpyxl
import pytest

from hienfeld.config import load_settings
from hienfeld.models import LocalModels
from hienfeld.options import AnalysisOptions
from hienfeld.pipeline import AnalysisInput, run_analysis
from hienfeld.quality import evaluate, pairwise_f1
from hienfeld.synth import generate


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    return generate(3000, tmp_path_factory.mktemp("quality"), seed=11)


@pytest.fixture(scope="module")
def models():
    return LocalModels(load_settings().spacy_model)


def _inputs(paths) -> AnalysisInput:
    return AnalysisInput(policy=(paths["policies"].name, paths["policies"].read_bytes()),
                         conditions=[(paths["conditions"].name, paths["conditions"].read_bytes())],
                         library=[(paths["library"].name, paths["library"].read_bytes())])


@pytest.mark.parametrize("mode", ["fast", "balanced", "accurate"])
def test_quality_targets(labelled, models, mode):
    settings = load_settings()
    report = io.BytesIO()
    result = run_analysis(_inputs(labelled), AnalysisOptions(analysis_mode=mode), models, settings,
                          report_out=report)
    quality = evaluate(result, labelled["truth"])
    assert quality["ari"] >= 0.95, quality
    assert quality["remove_verbatim"] >= 0.90, quality
    assert quality["remove_paraphrase"] >= 0.70, quality
    assert quality["remove_uncovered"] < 0.02, quality
    sheet = openpyxl.load_workbook(io.BytesIO(report.getvalue()), read_only=True)["Analyseresultaten"]
    assert sheet.max_row == 3000 + 1  # every input row, empty and short ones included


def test_result_independent_of_row_order(labelled, models, tmp_path):
    """Clusters and advice depend on the texts, not on the order of the rows."""
    settings = load_settings()
    lines = labelled["policies_csv"].read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([lines[0]] + lines[1:][::-1]) + "\n", encoding="utf-8")
    base = run_analysis(_inputs(labelled), AnalysisOptions(), models, settings).result_rows()
    inputs = _inputs(labelled)
    inputs.policy = (shuffled.name, shuffled.read_bytes())
    again = run_analysis(inputs, AnalysisOptions(), models, settings).result_rows()
    assert again == base


def test_pairwise_f1_counts_pairs():
    assert pairwise_f1(["a", "a", "b"], [0, 0, 1]) == 1.0
    assert pairwise_f1(["a", "a", "b", "b"], [0, 0, 0, 0]) == pytest.approx(2 * (2 / 6) * 1 / (2 / 6 + 1))


def test_without_semantics_no_model_is_called_and_covered_clauses_are_still_found(labelled):
    class NoModels:
        def lemmatize(self, texts):
            raise AssertionError("use_semantic=false must not call the lemmatizer")

        def embed(self, texts, model):
            raise AssertionError("use_semantic=false must not call the embedder")

        def pipeline_name(self):
            raise AssertionError("no pipeline is used")

    result = run_analysis(_inputs(labelled), AnalysisOptions(use_semantic=False), NoModels(), load_settings())
    quality = evaluate(result, labelled["truth"])
    assert quality["remove_verbatim"] >= 0.85 and quality["remove_uncovered"] < 0.02, quality
    assert result.stats["models"] == {"spacy_pipeline": None, "embedding_model": None}
