"""The pipeline's own mechanics in fast mode with no conditions, library or instructions: no model is needed."""

from __future__ import annotations

import io

import openpyxl

from hienfeld.config import load_settings
from hienfeld.options import AnalysisOptions
from hienfeld.pipeline import AnalysisInput, run_analysis


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
                          report_out=out, report_cache=cache)
    return result.stats, out.getvalue()


def test_a_repeat_reuses_the_result_and_report_and_a_change_does_not(tmp_path):
    first_stats, first = _run(_csv(), tmp_path)
    again_stats, again = _run(_csv(), tmp_path)
    assert first_stats["report_reused"] is False and again_stats["report_reused"] is True
    assert first_stats["result_reused"] is False and again_stats["result_reused"] is True
    assert again == first
    changed_stats, changed = _run(_csv(" en hagel"), tmp_path)
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
    assert storm.frequency == 30 and storm.advice.code == "🛠️ STANDAARDISEREN"
    assert result.stats["analysis_mode"] == "internal_only" and result.stats["total_rows"] == 32
    assert {c.advice.code for c in result.clusters} >= {"HANDMATIG CHECKEN"}  # "zie" is too short


def test_concurrent_jobs_on_the_same_file_share_the_report_cache_safely(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(lambda _: _run(_csv(), tmp_path)[1], range(4)))
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
    assert {a.code for a in advice[:21]} == {"VERWIJDEREN"} and advice[0].article == "Art. 7.2 – Eigen risico"
    assert {a.code for a in advice[21:]} == {"HANDMATIG CHECKEN"}
    assert "€ 500" in advice[21].reason and "€ 250" in advice[21].reason
