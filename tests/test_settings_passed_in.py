"""The settings passed to `run_analysis` are the ones used, for every input: the policy file, the
conditions, the library and the instructions (no step reads the configuration on its own)."""

from __future__ import annotations

import dataclasses

from hienfeld.config import ConditionsSettings, load_settings
from hienfeld.options import AnalysisOptions
from hienfeld.pipeline import AnalysisInput, run_analysis

CLAUSE = "Voor schade door storm aan het dak van de schuur geldt een eigen risico van € {} per gebeurtenis."
ARTICLE = ("Artikel 7 Eigen risico\n7.2 Voor schade door storm geldt een eigen risico per gebeurtenis. "
           "Het eigen risico staat op het polisblad. Bij hagel geldt geen eigen risico. "
           "Glasschade valt onder de glasdekking.\n")
FAST = AnalysisOptions(analysis_mode="fast", use_semantic=False, min_frequency=5)


class _NoModels:
    def lemmatize(self, texts):
        raise AssertionError("not needed")

    embed = pipeline_name = lemmatize


def _input(library_rows: int = 3) -> AnalysisInput:
    policy = "Polisnummer;Tekst\n" + "\n".join(f"P{i};{CLAUSE.format(100 + i % 3)}" for i in range(12)) + "\n"
    library = "Code;Tekst\n" + "\n".join(f"C{i};Dekking bij brand in variant {i}" for i in range(library_rows)) + "\n"
    return AnalysisInput(policy=("p.csv", policy.encode()), conditions=[("v.txt", ARTICLE.encode())],
                         library=[("clausules.csv", library.encode())])


def _run(settings, options: AnalysisOptions = FAST, inp: AnalysisInput | None = None):
    return run_analysis(inp or _input(), options, _NoModels(), settings)


def test_the_conditions_chunk_size_passed_in_is_used():
    shipped = load_settings()
    small = dataclasses.replace(shipped, conditions=ConditionsSettings(chunk_chars=60))
    assert _run(shipped).stats.conditions.chunks == 1  # the article fits the shipped 400 characters
    assert _run(small).stats.conditions.chunks > 2


def test_the_library_limits_passed_in_are_used():
    shipped = load_settings()
    inp = _input(library_rows=20)
    assert _run(shipped, inp=inp).stats.library_clauses == 20
    few_rows = dataclasses.replace(shipped, limits=dataclasses.replace(shipped.limits, max_rows=15))
    stats = _run(few_rows, inp=inp).stats  # the policy's 12 rows fit, the library's 20 do not
    assert stats.library_clauses == 0
    assert any(w.startswith("clausules.csv overgeslagen") for w in stats.warnings)


def test_the_instruction_thresholds_passed_in_are_used():
    shipped = load_settings()
    # one letter off: a fuzzy match of about 99%, no containment
    options = dataclasses.replace(FAST, extra_instruction="schade door storm aan het dak van de schuut -> AFWIJKEN")
    found = {c.advice.code for c in _run(shipped, options).clusters}
    assert "📋 AFWIJKEN" in found
    strict = dataclasses.replace(shipped, thresholds=shipped.thresholds.overridden({"instruction_fuzzy": 0.999}))
    assert "📋 AFWIJKEN" not in {c.advice.code for c in _run(strict, options).clusters}
