"""Analysis settings from `configs/analysis.yaml`, read once per process.

`HIENFELD_CONFIG` points at another file; limits can also be overridden one by one with
`HIENFELD_<LIMIT>` environment variables (e.g. `HIENFELD_MAX_UPLOAD_MB=100`), which is how an
operator changes them per deployment without editing the file.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
MODES = ("fast", "balanced", "accurate")
METHODS = ("fuzzy", "lemma", "synonyms", "tfidf", "embedding")


@dataclass(frozen=True)
class ModeSettings:
    name: str
    embedding_model: str | None
    weights: dict[str, float]  # renormalised over the methods this mode uses
    thresholds: dict[str, float]  # overrides of the global thresholds for this mode's model


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
class Settings:
    spacy_model: str
    default_embedding_model: str
    modes: dict[str, ModeSettings]
    thresholds: dict[str, float]
    fuzzy_only_thresholds: dict[str, float]  # overrides when use_semantic is off
    clustering: dict[str, int]
    consistency_max: int
    keyword_rules: list[dict[str, Any]]
    deviation_markers: list[str]
    limits: Limits
    synonyms_path: Path

    def thresholds_for(self, mode: str, semantic: bool = True) -> dict[str, float]:
        overrides = self.mode(mode).thresholds if semantic else self.fuzzy_only_thresholds
        return {**self.thresholds, **overrides}

    def mode(self, name: str) -> ModeSettings:
        if name not in self.modes:
            raise ValueError(f"unknown analysis_mode {name!r}; use one of {', '.join(MODES)}")
        return self.modes[name]


def _mode(name: str, raw: dict[str, Any]) -> ModeSettings:
    model = raw.get("embedding_model")
    weights = {m: float(raw.get("weights", {}).get(m, 0.0)) for m in METHODS}
    if not model:
        weights["embedding"] = 0.0
    total = sum(weights.values())
    if total <= 0:
        raise ValueError(f"mode {name!r} has no positive weights")
    overrides = {k: float(v) for k, v in raw.get("thresholds", {}).items()}
    return ModeSettings(name, model or None, {m: w / total for m, w in weights.items()}, overrides)


def _limits(raw: dict[str, Any]) -> Limits:
    values = {}
    for name, field in Limits.__dataclass_fields__.items():
        cast = float if field.type == "float" else int
        values[name] = cast(os.environ.get(f"HIENFELD_{name.upper()}", raw[name]))
    return Limits(**values)


def parse_settings(raw: dict[str, Any], base_dir: Path) -> Settings:
    return Settings(
        spacy_model=raw["nlp"]["spacy_model"],
        default_embedding_model=raw["embeddings"]["default_model"],
        modes={name: _mode(name, raw["modes"][name]) for name in MODES},
        thresholds={k: float(v) for k, v in raw["thresholds"].items()},
        fuzzy_only_thresholds={k: float(v) for k, v in raw["without_semantics"]["thresholds"].items()},
        clustering={k: int(v) for k, v in raw["clustering"].items()},
        consistency_max=int(raw["frequency"]["consistency_max"]),
        keyword_rules=list(raw.get("keyword_rules", [])),
        deviation_markers=[str(m) for m in raw["deviation_markers"]],
        limits=_limits(raw["limits"]),
        synonyms_path=base_dir / raw["synonyms_file"],
    )


@functools.lru_cache(maxsize=None)
def load_settings(path: str | None = None) -> Settings:
    """Settings from `path`, `$HIENFELD_CONFIG` or the repo's configs/analysis.yaml."""
    file = Path(path or os.environ.get("HIENFELD_CONFIG") or CONFIG_DIR / "analysis.yaml")
    with open(file, encoding="utf-8") as fh:
        return parse_settings(yaml.safe_load(fh), file.parent)
