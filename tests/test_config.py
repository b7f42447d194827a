"""The analysis configuration is validated when it loads: a broken analysis.yaml stops the
start with a message naming the file and the key (issue 11)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hienfeld import config
from hienfeld.config import (THRESHOLD_NAMES, ConfigError, KeywordRule, Thresholds, load_settings,
                             packaged_config, parse_settings)
from hienfeld.masking_config import ValueKind, load_masking, parse_masking

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = packaged_config("analysis.yaml")


def _raw() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _parse(raw: dict):
    return parse_settings(raw, "configs/analysis.yaml")


def _broken(change) -> dict:
    raw = copy.deepcopy(_raw())
    change(raw)
    return raw


def test_shipped_file_loads_into_typed_settings():
    settings = load_settings()
    assert set(settings.modes) == {"fast", "balanced", "accurate"}
    assert set(THRESHOLD_NAMES) == set(_raw()["thresholds"])
    balanced = settings.thresholds_for("balanced")
    assert isinstance(balanced, Thresholds) and all(isinstance(balanced[n], float) for n in THRESHOLD_NAMES)
    assert balanced.paraphrase_embedding == balanced["paraphrase_embedding"]
    assert balanced["paraphrase_embedding"] == 0.62  # the mode's override
    assert settings.thresholds_for("fast", semantic=False)["conditions_remove"] == 0.85
    assert settings.mode("balanced").embedding_model and settings.mode("fast").embedding_model is None
    assert abs(sum(settings.mode("balanced").weights.values()) - 1) < 1e-9
    assert settings.clustering.candidates == 5
    assert all(isinstance(r, KeywordRule) and r.topic and r.patterns for r in settings.keyword_rules)
    assert settings.limits.max_rows == 500_000 and isinstance(settings.limits.max_upload_mb, float)
    assert settings.conditions.chunk_chars == 400
    assert settings.model_calls.chunk_size == 64 and settings.jobs.heartbeat_s == 5.0
    assert settings.jobs.max_attempts == 3


@pytest.mark.parametrize("change, message", [
    (lambda r: r["thresholds"].update(conditions_remve=0.6),
     "configs/analysis.yaml: thresholds.conditions_remve: unknown key"),
    (lambda r: r["thresholds"].pop("merge_embedding"), "configs/analysis.yaml: thresholds.merge_embedding: missing key"),
    (lambda r: r["thresholds"].update(near_miss_ratio="hoog"),
     "configs/analysis.yaml: thresholds.near_miss_ratio: expected a number, got the string 'hoog'"),
    (lambda r: r["modes"]["balanced"]["thresholds"].update(paraphrase_embeding=0.6),
     "modes.balanced.thresholds.paraphrase_embeding: unknown key"),
    (lambda r: r["modes"]["fast"]["weights"].pop("tfidf"), "modes.fast.weights.tfidf: missing key"),
    (lambda r: r["modes"]["fast"].update(embeding_model=None), "modes.fast.embeding_model: unknown key"),
    (lambda r: r["modes"]["accurate"].pop("embedding_model"), "modes.accurate.embedding_model: missing key"),
    (lambda r: r["modes"]["fast"]["weights"].update(fuzzy=True), "modes.fast.weights.fuzzy: expected a number"),
    (lambda r: r["limits"].update(max_rows=1.5), "limits.max_rows: expected an integer, got a number"),
    (lambda r: r["limits"].pop("max_instruction_chars"), "limits.max_instruction_chars: missing key"),
    (lambda r: r["clustering"].update(candidates="5"), "clustering.candidates: expected an integer"),
    (lambda r: r["keyword_rules"][1].pop("patterns"), r"keyword_rules\[1\].patterns: missing key"),
    (lambda r: r["keyword_rules"][0].update(patterns="fraude"), r"keyword_rules\[0\].patterns: expected a non-empty list"),
    (lambda r: r.update(tresholds={}), "configs/analysis.yaml: tresholds: unknown key"),
    (lambda r: r.pop("deviation_markers"), "configs/analysis.yaml: deviation_markers: missing key"),
    (lambda r: r["service"]["model_calls"].update(retries="drie"), "service.model_calls.retries: expected an integer"),
    (lambda r: r["service"]["jobs"].pop("sweep_s"), "service.jobs.sweep_s: missing key"),
    (lambda r: r["service"]["jobs"].update(max_attempts=0), "service.jobs.max_attempts: must be positive"),
    (lambda r: r["service"]["jobs"].update(max_attempts=2.5), "service.jobs.max_attempts: expected an integer"),
    (lambda r: r["conditions"].update(chunk_chars=0), "conditions.chunk_chars: must be positive"),
    (lambda r: r["nlp"].update(spacy_model=None), "nlp.spacy_model: expected a non-empty string"),
    (lambda r: r.update(modes={}), "modes: at least one mode"),
])
def test_broken_configuration_names_the_file_and_key(change, message):
    with pytest.raises(ConfigError, match=message):
        _parse(_broken(change))


MASKING = packaged_config("masking.yaml")


def _masking_raw() -> dict:
    return yaml.safe_load(MASKING.read_text(encoding="utf-8"))


def test_shipped_masking_file_loads_into_typed_settings():
    masking = load_masking()
    assert [v.kind for v in masking.values][-1] == "nummer"  # the generic kind last
    assert all(isinstance(v, ValueKind) for v in masking.values)
    assert "niet" in masking.meaning_words and all(len(g) >= 2 for g in masking.library_equivalents)


@pytest.mark.parametrize("change, message", [
    (lambda r: r["values"][0].update(patern="x"), r"configs/masking.yaml: values\[0\].patern: unknown key"),
    (lambda r: r["values"][1].pop("pattern"), r"configs/masking.yaml: values\[1\].pattern: missing key"),
    (lambda r: r["values"][2].update(pattern="(unclosed"), r"values\[2\].pattern: not a valid regular expression"),
    (lambda r: r["values"][3].update(kind=r["values"][0]["kind"]), r"values\[3\].kind: 'iban' is used twice"),
    (lambda r: r.pop("leading_label"), "configs/masking.yaml: leading_label: missing key"),
    (lambda r: r.update(meaning_word=[]), "configs/masking.yaml: meaning_word: unknown key"),
    (lambda r: r.update(validity_words="tot"), "validity_words: expected a non-empty list of strings"),
    (lambda r: r["library_equivalents"].insert(0, ["alleen"]), r"library_equivalents\[0\]: a group needs"),
])
def test_broken_masking_file_names_the_file_and_key(change, message):
    raw = copy.deepcopy(_masking_raw())
    change(raw)
    with pytest.raises(ConfigError, match=message):
        parse_masking(raw, "configs/masking.yaml")


def test_modes_come_from_the_file():
    def add_mode(raw):
        raw["modes"]["snel_en_fijn"] = {"embedding_model": None, "weights": dict.fromkeys(config.METHODS, 1.0),
                                        "thresholds": {"conditions_remove": 0.7}}
        del raw["modes"]["accurate"]
    settings = _parse(_broken(add_mode))
    assert list(settings.modes) == ["fast", "balanced", "snel_en_fijn"]
    assert settings.thresholds_for("snel_en_fijn")["conditions_remove"] == 0.7
    with pytest.raises(ValueError, match="fast, balanced, snel_en_fijn"):
        settings.mode("accurate")


def test_limit_override_from_the_environment_is_checked(monkeypatch):
    monkeypatch.setenv("HIENFELD_MAX_ROWS", "123")
    assert _parse(_raw()).limits.max_rows == 123
    monkeypatch.setenv("HIENFELD_MAX_ROWS", "veel")
    with pytest.raises(ConfigError, match="HIENFELD_MAX_ROWS='veel'.*limits.max_rows"):
        _parse(_raw())


def test_instruction_and_reference_limits_have_one_source(monkeypatch, tmp_path):
    from hienfeld.errors import InputError
    from hienfeld.instructions import parse_instructions
    from hienfeld.reference import read_reference

    path = tmp_path / "analysis.yaml"
    raw = _raw()
    raw["limits"].update(max_instruction_chars=20, max_rows=3)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("HIENFELD_CONFIG", str(path))
    settings = load_settings()
    assert settings.limits.max_instruction_chars == 20
    with pytest.raises(InputError, match="de grens is 20"):
        parse_instructions("a" * 21 + " -> X", settings.limits.max_instruction_chars)
    import io

    import xlsxwriter
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as book:
        sheet = book.add_worksheet("Analyseresultaten")
        sheet.write_row(0, 0, ["Tekst", "Polisnummer", "Advies", "Status"])
        for i in range(5):
            sheet.write_row(i + 1, 0, [f"clausule {i}", f"P{i}", "VERWIJDEREN", ""])
    with pytest.raises(InputError, match="3 rijen"):
        read_reference(buffer.getvalue(), settings.limits)


def _write_broken(tmp_path: Path) -> Path:
    raw = _raw()
    raw["thresholds"]["conditions_remve"] = raw["thresholds"].pop("conditions_remove")
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_replica_start_fails_with_a_broken_configuration(monkeypatch, tmp_path):
    """A model replica's constructor loads the configuration: with a broken file the replica (and so
    the deployment) does not start, and the error names the key."""
    from deployments.parser import DutchParser
    monkeypatch.setenv("HIENFELD_CONFIG", str(_write_broken(tmp_path)))
    with pytest.raises(ConfigError, match="broken.yaml: thresholds.conditions_remve: unknown key"):
        DutchParser.func_or_class()


def test_serve_run_fails_at_start_with_a_broken_configuration(tmp_path):
    """`serve run serve_config.yaml` first imports deployments.app; with HIENFELD_CONFIG pointing at a
    broken file that import fails, before any replica or job, with the key in the message."""
    env = {**os.environ, "HIENFELD_CONFIG": str(_write_broken(tmp_path)), "RAY_USAGE_STATS_ENABLED": "0"}
    done = subprocess.run([sys.executable, "-c", "import deployments.app"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "thresholds.conditions_remve: unknown key" in done.stderr
    assert "broken.yaml" in done.stderr
