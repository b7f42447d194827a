"""Analysis settings from `hienfeld/configs/analysis.yaml`, read and validated once per process
(the masking rules of `masking.yaml`: `hienfeld.masking_config`).

The shipped configuration files (analysis.yaml, masking.yaml, serve_config.yaml) are package data of
`hienfeld`, found through `importlib.resources`: the same files in a source checkout and in an
installed wheel.

The file is checked completely when it loads: an unknown or missing key, or a value of the wrong
type, raises `ConfigError` naming the file and the key (`.../analysis.yaml:
thresholds.conditions_remve: unknown key`), so a broken file stops the service at start instead of
failing a job. The schema is the dataclasses below; the threshold names are those of the shipped
file's `thresholds:` section. Modes are whatever the file's `modes:` section defines.

`HIENFELD_CONFIG` points at another file; limits can also be overridden one by one with
`HIENFELD_<LIMIT>` environment variables (e.g. `HIENFELD_MAX_UPLOAD_MB=100`), which is how an
operator changes them per deployment without editing the file.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config_reader import ConfigError, Reader, kind_of, packaged_config, read_yaml


METHODS = ("fuzzy", "lemma", "tfidf", "embedding")


@dataclass(frozen=True)
class Thresholds:
    """The thresholds every configuration sets (the shipped file's `thresholds:` section); a mode's
    or `without_semantics`' `thresholds:` may override any of them and nothing else. Read as
    attributes; `t["name"]` reads the same value (the analysis steps name them as strings)."""

    too_short_chars: float
    too_long_chars: float
    library_replace: float
    library_similar: float
    library_same_ratio: float
    conditions_contained: float
    conditions_remove: float
    conditions_check: float
    paraphrase_embedding: float
    paraphrase_lemmas: float
    near_miss_ratio: float
    merge_char_ngrams: float
    merge_embedding: float
    instruction_fuzzy: float
    instruction_semantic: float
    top_k_chunks: float

    def __getitem__(self, name: str) -> float:
        if name not in THRESHOLD_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def overridden(self, overrides: dict[str, float]) -> "Thresholds":
        return dataclasses.replace(self, **overrides)


THRESHOLD_NAMES = tuple(f.name for f in dataclasses.fields(Thresholds))


@dataclass(frozen=True)
class KeywordRule:
    """A topic the conditions regulate themselves (`keyword_rules:`): whole-word patterns of the
    normalised text (lower case)."""

    topic: str
    patterns: tuple[str, ...]

    def found_in(self, norm_text: str) -> str | None:
        """The first pattern found as whole words ("alarm" is not found in "alarmeringsdienst")."""
        for pattern in self.patterns:
            if re.search(rf"\b{re.escape(pattern)}\b", norm_text):
                return pattern
        return None


@dataclass(frozen=True)
class ClusteringSettings:
    candidates: int  # nearest neighbours per text searched for a cluster (and a merge, a paraphrase)
    batch_size: int  # texts per block of the neighbour search


@dataclass(frozen=True)
class ModeSettings:
    name: str
    embedding_model: str | None
    weights: dict[str, float]  # renormalised over the methods this mode uses
    thresholds: dict[str, float]  # overrides of the global thresholds for this mode's model (names of Thresholds)


@dataclass(frozen=True)
class Limits:
    max_upload_mb: float
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_xlsx_uncompressed_mb: float
    max_instruction_chars: int

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


@dataclass(frozen=True)
class ConditionsSettings:
    chunk_chars: int  # conditions are chunked into sentence windows of about this many characters


@dataclass(frozen=True)
class ModelCallSettings:
    """How the analyzer calls the model deployments (deployments/model_client.py)."""
    chunk_size: int  # texts per request
    max_in_flight: int  # requests of one job in flight at a time
    retries: int  # per request, when a replica dies or a call times out
    timeout_s: float  # per request


@dataclass(frozen=True)
class JobTimingSettings:
    heartbeat_s: float  # the analyzer marks its queued and running jobs alive this often
    sweep_s: float  # the ingress queues silent jobs again this often
    purge_s: float  # the ingress deletes expired jobs this often
    max_attempts: int  # a job interrupted (replica died, heartbeat stopped) runs at most this often


@dataclass(frozen=True)
class Settings:
    spacy_model: str
    default_embedding_model: str
    modes: dict[str, ModeSettings]
    thresholds: Thresholds
    fuzzy_only_thresholds: dict[str, float]  # overrides when use_semantic is off
    clustering: ClusteringSettings
    consistency_max: int
    keyword_rules: tuple[KeywordRule, ...]
    deviation_markers: tuple[str, ...]
    limits: Limits
    conditions: ConditionsSettings
    model_calls: ModelCallSettings
    jobs: JobTimingSettings
    source: str = ""

    def thresholds_for(self, mode: str, semantic: bool = True) -> Thresholds:
        overrides = self.mode(mode).thresholds if semantic else self.fuzzy_only_thresholds
        return self.thresholds.overridden(overrides)

    def mode(self, name: str) -> ModeSettings:
        if name not in self.modes:
            raise ValueError(f"unknown analysis_mode {name!r}; use one of {', '.join(self.modes)}")
        return self.modes[name]


_TOP_LEVEL = ("nlp", "embeddings", "modes", "without_semantics", "clustering", "thresholds", "frequency",
              "deviation_markers", "keyword_rules", "limits", "conditions", "service")


def _mode(r: Reader, name: str, raw: Any) -> ModeSettings:
    key = f"modes.{name}"
    raw = r.mapping(raw, key, required=("embedding_model", "weights"), optional=("thresholds",))
    model = raw["embedding_model"]
    if model is not None:
        model = r.string(model, f"{key}.embedding_model")
    weights = r.numbers(raw["weights"], f"{key}.weights", METHODS, required=True)
    for method, weight in weights.items():
        if weight < 0:
            raise r.fail(f"{key}.weights.{method}", "a weight may not be negative")
    if not model:
        weights["embedding"] = 0.0
    total = sum(weights.values())
    if total <= 0:
        raise r.fail(f"{key}.weights", "no positive weight among the methods this mode uses")
    overrides = r.numbers(raw.get("thresholds", {}), f"{key}.thresholds", THRESHOLD_NAMES)
    return ModeSettings(name, model or None, {m: weights[m] / total for m in METHODS}, overrides)


def _limits(r: Reader, raw: Any) -> Limits:
    raw = r.mapping(raw, "limits", required=tuple(f.name for f in dataclasses.fields(Limits)))
    values = {}
    for field in dataclasses.fields(Limits):
        env = f"HIENFELD_{field.name.upper()}"
        if env in os.environ:
            text = os.environ[env]
            try:
                values[field.name] = float(text) if field.type == "float" else int(text)
            except ValueError:
                raise ConfigError(f"{env}={text!r}: expected {'a number' if field.type == 'float' else 'an integer'} "
                                  f"(overrides limits.{field.name} of {r.source})") from None
        else:
            values[field.name] = r.value(raw[field.name], f"limits.{field.name}", field.type)
        if values[field.name] <= 0:
            raise r.fail(f"limits.{field.name}", "must be positive")
    return Limits(**values)


def _keyword_rules(r: Reader, raw: Any) -> tuple[KeywordRule, ...]:
    if not isinstance(raw, list):
        raise r.fail("keyword_rules", f"expected a list, got {kind_of(raw)}")
    rules = []
    for i, rule in enumerate(raw):
        key = f"keyword_rules[{i}]"
        rule = r.mapping(rule, key, required=("topic", "patterns"))
        rules.append(KeywordRule(r.string(rule["topic"], f"{key}.topic"),
                                 tuple(p.lower() for p in r.strings(rule["patterns"], f"{key}.patterns"))))
    return tuple(rules)


def parse_settings(raw: Any, source: str = "analysis.yaml") -> Settings:
    """Settings from one parsed YAML document; raises ConfigError naming `source` and the key."""
    r = Reader(source)
    raw = r.mapping(raw, "", required=_TOP_LEVEL)
    nlp = r.mapping(raw["nlp"], "nlp", required=("spacy_model",))
    embeddings = r.mapping(raw["embeddings"], "embeddings", required=("default_model",))
    modes_raw = r.mapping(raw["modes"], "modes", allowed=tuple(raw["modes"] or ()))
    if not modes_raw:
        raise r.fail("modes", "at least one mode is needed")
    without = r.mapping(raw["without_semantics"], "without_semantics", required=("thresholds",))
    clustering = r.mapping(raw["clustering"], "clustering", required=("candidates", "batch_size"))
    frequency = r.mapping(raw["frequency"], "frequency", required=("consistency_max",))
    service = r.mapping(raw["service"], "service", required=("model_calls", "jobs"))
    settings = Settings(
        spacy_model=r.string(nlp["spacy_model"], "nlp.spacy_model"),
        default_embedding_model=r.string(embeddings["default_model"], "embeddings.default_model"),
        modes={str(name): _mode(r, str(name), mode) for name, mode in modes_raw.items()},
        thresholds=Thresholds(**r.numbers(raw["thresholds"], "thresholds", THRESHOLD_NAMES, required=True)),
        fuzzy_only_thresholds=r.numbers(without["thresholds"], "without_semantics.thresholds", THRESHOLD_NAMES),
        clustering=ClusteringSettings(**{k: r.integer(clustering[k], f"clustering.{k}")
                                         for k in ("candidates", "batch_size")}),
        consistency_max=r.integer(frequency["consistency_max"], "frequency.consistency_max"),
        keyword_rules=_keyword_rules(r, raw["keyword_rules"]),
        deviation_markers=tuple(r.strings(raw["deviation_markers"], "deviation_markers")),
        limits=_limits(r, raw["limits"]),
        conditions=ConditionsSettings(**r.section(raw["conditions"], "conditions", ConditionsSettings)),
        model_calls=ModelCallSettings(**r.section(service["model_calls"], "service.model_calls",
                                                  ModelCallSettings)),
        jobs=JobTimingSettings(**r.section(service["jobs"], "service.jobs", JobTimingSettings)),
        source=source,
    )
    for key, value in (("clustering.candidates", settings.clustering.candidates),
                       ("clustering.batch_size", settings.clustering.batch_size),
                       ("conditions.chunk_chars", settings.conditions.chunk_chars),
                       ("service.model_calls.chunk_size", settings.model_calls.chunk_size),
                       ("service.model_calls.max_in_flight", settings.model_calls.max_in_flight),
                       ("service.model_calls.timeout_s", settings.model_calls.timeout_s),
                       ("service.jobs.heartbeat_s", settings.jobs.heartbeat_s),
                       ("service.jobs.sweep_s", settings.jobs.sweep_s),
                       ("service.jobs.purge_s", settings.jobs.purge_s),
                       ("service.jobs.max_attempts", settings.jobs.max_attempts)):
        if value <= 0:
            raise r.fail(key, "must be positive")
    if settings.model_calls.retries < 0:
        raise r.fail("service.model_calls.retries", "may not be negative")
    return settings


def config_path(path: str | None = None) -> Path:
    """`path`, `$HIENFELD_CONFIG` or the packaged analysis.yaml."""
    return Path(path or os.environ.get("HIENFELD_CONFIG") or packaged_config("analysis.yaml"))


def load_settings(path: str | None = None) -> Settings:
    """Validated settings from `path`, `$HIENFELD_CONFIG` or the packaged analysis.yaml (read once per file)."""
    return _load(str(config_path(path).resolve()), str(config_path(path)))


@functools.lru_cache(maxsize=None)
def _load(file: str, shown: str) -> Settings:
    return parse_settings(read_yaml(file, shown), shown)
