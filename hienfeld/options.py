"""The analysis parameters of the HTTP contract, validated without loading the analysis stack
(the ingress checks them on every request)."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .errors import InputError


@dataclass(frozen=True)
class AnalysisOptions:
    cluster_accuracy: int = 90
    min_frequency: int = 20
    window_size: int = 100  # accepted for compatibility: the candidate index replaces a window
    use_conditions: bool = True
    use_window_limit: bool = True
    use_semantic: bool = True
    analysis_mode: str = "balanced"
    extra_instruction: str = ""

    def validate(self, settings: Settings) -> None:
        checks = (
            (80 <= self.cluster_accuracy <= 100, "cluster_accuracy moet tussen 80 en 100 liggen"),
            (1 <= self.min_frequency <= 1000, "min_frequency moet tussen 1 en 1000 liggen"),
            (10 <= self.window_size <= 1000, "window_size moet tussen 10 en 1000 liggen"),
            (self.analysis_mode in settings.modes,
             f"analysis_mode moet een van {', '.join(settings.modes)} zijn"),
            (len(self.extra_instruction) <= settings.limits.max_instruction_chars,
             f"extra_instruction is langer dan {settings.limits.max_instruction_chars} tekens"),
        )
        for ok, message in checks:
            if not ok:
                raise InputError(message)
