"""The pipeline's own mechanics in fast mode with no conditions, library or instructions: no model is needed."""

from __future__ import annotations

import dataclasses
import io

import openpyxl
import pytest

from hienfeld.advice_codes import AdviceCode
from hienfeld.config import load_settings
from hienfeld.options import AnalysisOptions
from hienfeld.cache import AnalysisCache
from hienfeld.pipeline import AnalysisInput, run_analysis
from hienfeld.report_cache import ReportCache


class _NoModels:
    def lemmatize(self, texts):
        raise AssertionError("not needed")

    embed = pipeline_name = lemmatize


def _csv(extra: str = "") -> AnalysisInput:
    rows = "\n".join(f"P{i};Eigen risico € {100 + i},- bij storm{extra}" for i in range(30))
    return AnalysisInput(policy=("p.csv", f"Polisnummer;Tekst\n{rows}\n1;=1+1\n2;zie\n".encode()))


def _run(inp: AnalysisInput, cache) -> tuple[dict, bytes]:
    out = io.BytesIO()
    result = run_analysis(inp, AnalysisOptions(min_frequency=20, analysis_mode="fast"), _NoModels(), load_settings(),
                          report_out=out, cache=cache)
    return result.stats.as_dict(), out.getvalue()


def _cache(folder) -> AnalysisCache:
    return AnalysisCache(reports=ReportCache(folder))


def test_a_repeat_reuses_the_result_and_report_and_a_change_does_not(tmp_path):
    cache = _cache(tmp_path)
    first_stats, first = _run(_csv(), cache)
    again_stats, again = _run(_csv(), cache)
    assert first_stats["report_reused"] is False and again_stats["report_reused"] is True
    assert first_stats["result_reused"] is False and again_stats["result_reused"] is True
    assert again == first
    changed_stats, changed = _run(_csv(" en hagel"), cache)
    assert changed_stats["report_reused"] is False and changed != first
    assert changed_stats["result_reused"] is False
    sheet = openpyxl.load_workbook(io.BytesIO(again), read_only=True)["Analyseresultaten"]
    assert sheet.max_row == 33


def test_internal_mode_frequency_advice_and_progress(tmp_path):
    seen: list[int] = []
    result = run_analysis(_csv(), AnalysisOptions(min_frequency=20, analysis_mode="fast"), _NoModels(), load_settings(),
                          progress=lambda pct, msg: seen.append(pct))
    assert seen == sorted(seen) and seen[-1] == 100
    by_text = {c.leader_text: c for c in result.clusters}
    storm = next(c for t, c in by_text.items() if "storm" in t)
    assert storm.frequency == 30 and storm.advice.code == AdviceCode.STANDARDISE
    assert result.stats.analysis_mode == "internal_only" and result.stats.total_rows == 32
    assert {c.advice.code for c in result.clusters} >= {AdviceCode.MANUAL}  # "zie" is too short


def test_concurrent_jobs_on_the_same_file_share_the_report_cache_safely(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        cache = _cache(tmp_path)
        outputs = list(pool.map(lambda _: _run(_csv(), cache)[1], range(4)))
    assert all(out == outputs[0] for out in outputs)
    assert [p.suffix for p in tmp_path.iterdir()] == [".xlsx"]  # no partial files left


def test_a_row_with_other_amounts_than_the_conditions_state_gets_a_check_naming_both():
    clause = "Voor schade door storm geldt een eigen risico van € {} per gebeurtenis."
    rows = [clause.format("250") for _ in range(20)] + [clause.format("250,-")] + [clause.format("500")] * 3
    policy = "Polisnummer;Tekst\n" + "\n".join(f"P{i};{text}" for i, text in enumerate(rows)) + "\n"
    conditions = "Artikel 7 Eigen risico\n7.2 Voor schade door storm geldt een eigen risico van € 250 per gebeurtenis.\n"
    inp = AnalysisInput(policy=("p.csv", policy.encode()), conditions=[("v.txt", conditions.encode())])
    result = run_analysis(inp, AnalysisOptions(analysis_mode="fast", use_semantic=False), _NoModels(), load_settings())
    assert len({result.row_cluster[r] for r in range(len(rows))}) == 1  # one clause, amounts are values
    advice = [result.advice_of_row(r) for r in range(len(rows))]
    assert {a.code for a in advice[:21]} == {AdviceCode.REMOVE} and advice[0].article == "Art. 7.2 – Eigen risico"
    assert {a.code for a in advice[21:]} == {AdviceCode.MANUAL}
    assert "€ 500" in advice[21].reason and "€ 250" in advice[21].reason


def test_without_a_cache_nothing_is_reused_and_a_reused_result_is_not_changed(tmp_path):
    options, settings = AnalysisOptions(analysis_mode="fast"), load_settings()
    assert run_analysis(_csv(), options, _NoModels(), settings).stats.result_reused is False
    assert run_analysis(_csv(), options, _NoModels(), settings).stats.result_reused is False
    cache = AnalysisCache()
    first = run_analysis(_csv(), options, _NoModels(), settings, cache=cache)
    again = run_analysis(_csv(), options, _NoModels(), settings, cache=cache)
    assert again.stats.result_reused is True and first.stats.result_reused is False
    assert again.clusters is first.clusters  # the same clusters, shared: nothing in them changes
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.stats.warnings = ("anders",)  # type: ignore[misc]


def test_the_table_readers_notes_are_in_the_warnings_when_the_result_is_made(tmp_path):
    """The CLI and the service report the same warnings: they are part of the stats when made."""
    import xlsxwriter
    path = tmp_path / "p.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        wb.add_worksheet("Leeg").write_row(0, 0, ["Iets"])
        sheet = wb.add_worksheet("Clausules")
        sheet.write_row(0, 0, ["Polisnummer", "Tekst"])
        for i in range(5):
            sheet.write_row(i + 1, 0, [f"P{i}", "Eigen risico bij storm"])
    inp = AnalysisInput(policy=(path.name, path.read_bytes()), conditions=[("v.pdf", b"geen pdf")])
    result = run_analysis(inp, AnalysisOptions(analysis_mode="fast"), _NoModels(), load_settings())
    warnings = result.stats.as_dict()["warnings"]
    assert warnings[0].startswith("Werkblad 'Clausules' gelezen") and "v.pdf overgeslagen" in warnings[1]
    assert result.stats.warnings == tuple(warnings)


def test_tfidf_is_reported_only_where_the_mode_weighs_it():
    clause = "Voor schade door storm geldt een eigen risico van € 250 per gebeurtenis."
    inp = AnalysisInput(policy=("p.csv", f"Polisnummer;Tekst\nP1;{clause}\n".encode()),
                        conditions=[("v.txt", f"Artikel 7 Eigen risico\n7.2 {clause}\n".encode())])

    class Lemmas(_NoModels):
        def lemmatize(self, texts):
            return [t.lower().split() for t in texts]

        def pipeline_name(self):
            return "test"

    fast = run_analysis(inp, AnalysisOptions(analysis_mode="fast"), Lemmas(), load_settings())
    assert fast.stats.semantic_status.enabled is True and fast.stats.semantic_status.tfidf is False
    off = run_analysis(inp, AnalysisOptions(analysis_mode="fast", use_semantic=False), _NoModels(), load_settings())
    assert off.stats.semantic_status.tfidf is False and off.stats.semantic_status.lemmas is False


def test_a_field_label_with_a_blank_in_an_empty_cluster_is_told_to_fill_it_in():
    rows = [" "] * 8 + ["Pandhouder inventaris en voorraad: ?."]
    policy = "Polisnummer;Tekst\n" + "\n".join(f"P{i};{text}" for i, text in enumerate(rows)) + "\n"
    result = run_analysis(AnalysisInput(policy=("p.csv", policy.encode())),
                          AnalysisOptions(analysis_mode="fast", use_semantic=False), _NoModels(), load_settings())
    assert result.row_cluster[8] == result.row_cluster[0]  # the label is stripped: nothing left but the blank
    assert result.advice_of_row(8).code == AdviceCode.FILL
    assert {result.advice_of_row(r).code for r in range(8)} == {AdviceCode.EMPTY}
