"""The library's readers with the shipped configuration passed in, as the CLI and the service pass
theirs: tests that are about reading, not about configuration, call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hienfeld import clause_library, conditions, instructions, reference
from hienfeld.config import load_settings

SETTINGS = load_settings()
LIMITS = SETTINGS.limits
THRESHOLDS = SETTINGS.thresholds


def parse_conditions(files: Sequence[tuple[str, bytes]], chunk_chars: int = SETTINGS.conditions.chunk_chars):
    return conditions.parse_conditions(files, chunk_chars, LIMITS)


def parse_clause_library(files: Sequence[tuple[str, bytes]]):
    return clause_library.parse_clause_library(files, LIMITS)


def read_reference(data: bytes, limits=LIMITS):
    return reference.read_reference(data, limits)


def parse_instructions(text: str):
    return instructions.parse_instructions(text, LIMITS.max_instruction_chars)


def match_instruction(text: str, rules: Sequence[instructions.Instruction],
                      fuzzy_threshold: float = THRESHOLDS.instruction_fuzzy,
                      semantic: Callable[[str, str], float] | None = None,
                      semantic_threshold: float = THRESHOLDS.instruction_semantic):
    return instructions.match_instruction(text, rules, fuzzy_threshold, semantic, semantic_threshold)


def instruction_advice(text: str, rules: Sequence[instructions.Instruction],
                       fuzzy_threshold: float = THRESHOLDS.instruction_fuzzy,
                       semantic: Callable[[str, str], float] | None = None,
                       semantic_threshold: float = THRESHOLDS.instruction_semantic):
    return instructions.instruction_advice(text, rules, fuzzy_threshold, semantic, semantic_threshold)
