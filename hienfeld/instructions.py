"""Waterfall step 2: the user's own instructions from the `extra_instruction` form field.

One rule per line, `search<TAB>action` or `search -> action` (also `=>`, `→`), or a block of search
lines closed by a line `-> action`. Parsing is strict: a rule the user typed but that would be
silently dropped is worse than an error that names the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from hienfeld.advice_codes import instruction_label
from hienfeld.errors import InputError, TooLargeError
from hienfeld.normalize import normalize_text
from hienfeld.types import Advice

MIN_FUZZY_CHARS = 8  # shorter search texts partially match almost any clause
_ARROW = re.compile(r"->|=>|→")
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "„": "”"}
_SHOWN_CHARS = 80  # longer texts are cut in messages and reasons
_FORMAT_HINT = "gebruik 'zoektekst<TAB>actie' of 'zoektekst -> actie'"


@dataclass(frozen=True)
class Instruction:
    """One user rule: clauses containing (or closely resembling) `search` get `action`."""

    search: str
    action: str


def parse_instructions(text: str, max_chars: int) -> list[Instruction]:
    """The rules in the order given; raises InputError naming the first bad line. The length limit
    `max_chars` is the configuration's `limits.max_instruction_chars`."""
    if len(text) > max_chars:
        raise TooLargeError(
            f"extra_instruction heeft {len(text)} tekens; de grens is {max_chars}"
        )
    rules: list[Instruction] = []
    pending: list[tuple[int, str, str]] = []  # (number, line, search) awaiting `-> action`
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue  # comments may sit inside a block
        if not stripped:
            _require_empty(pending)  # a blank line ends a block; its lines would lose their rule
            continue
        if _ARROW.match(stripped):
            if not pending:
                raise _line_error(number, line, "heeft een actie maar geen zoekregels erboven")
            action = _action(number, line, _ARROW.split(stripped, maxsplit=1)[1])
            rules.extend(Instruction(search, action) for _, _, search in pending)
            pending.clear()
            continue
        separated = _split_rule(line)
        if separated is None:
            pending.append((number, line, _search(number, line, stripped)))
            continue
        _require_empty(pending)  # a complete rule inside a block leaves the block without action
        search, action = separated
        rules.append(Instruction(_search(number, line, search), _action(number, line, action)))
    _require_empty(pending)
    return rules


def match_instruction(
    text: str,
    instructions: Sequence[Instruction],
    fuzzy_threshold: float,
    semantic: Callable[[str, str], float] | None,
    semantic_threshold: float,
) -> tuple[Instruction, str] | None:
    """The first rule that matches `text` and a Dutch reason; see `_match` for the order."""
    found = _match(text, instructions, fuzzy_threshold, semantic, semantic_threshold)
    return None if found is None else (found[0], found[1])


def instruction_advice(
    text: str,
    instructions: Sequence[Instruction],
    fuzzy_threshold: float,
    semantic: Callable[[str, str], float] | None,
    semantic_threshold: float,
) -> Advice | None:
    """The advice of the first matching rule: "Hoog" when the clause contains the search text."""
    found = _match(text, instructions, fuzzy_threshold, semantic, semantic_threshold)
    if found is None:
        return None
    instruction, reason, contained = found
    return Advice(instruction_label(instruction.action), "Hoog" if contained else "Midden", reason)


def _match(
    text: str,
    instructions: Sequence[Instruction],
    fuzzy_threshold: float,
    semantic: Callable[[str, str], float] | None,
    semantic_threshold: float,
) -> tuple[Instruction, str, bool] | None:
    """Containment over all rules first, then fuzzy, then semantic: an exact hit on a later rule
    beats a near hit on an earlier one. The bool says whether it was containment."""
    clause = normalize_text(text)
    if not clause or not instructions:
        return None
    searches = [normalize_text(i.search) for i in instructions]
    for instruction, search in zip(instructions, searches):
        if search and search in clause:
            reason = f"Eigen instructie: tekst bevat '{_shorten(instruction.search)}'"
            return instruction, reason, True
    for instruction, search in zip(instructions, searches):
        if len(search) >= MIN_FUZZY_CHARS:
            score = fuzz.partial_ratio(search, clause) / 100
            if score >= fuzzy_threshold:
                return instruction, _similar_reason("lijkt sterk op", instruction, score), False
    if semantic is not None:
        for instruction in instructions:
            score = semantic(text, instruction.search)
            if score >= semantic_threshold:
                reason = _similar_reason("komt inhoudelijk overeen met", instruction, score)
                return instruction, reason, False
    return None


def _similar_reason(verb: str, instruction: Instruction, score: float) -> str:
    return f"Eigen instructie: tekst {verb} '{_shorten(instruction.search)}' ({score:.0%})"


def _split_rule(line: str) -> tuple[str, str] | None:
    """(search, action) of a one-line rule; a tab wins over an arrow, so actions may hold '->'."""
    if "\t" in line.strip():
        search, action = line.strip().split("\t", 1)
        return search, action
    parts = _ARROW.split(line, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and _QUOTES.get(value[0]) == value[-1]:
        return value[1:-1].strip()
    return value


def _search(number: int, line: str, raw: str) -> str:
    search = _unquote(raw)
    if not search:
        raise _line_error(number, line, f"heeft geen zoektekst: {_FORMAT_HINT}")
    if not normalize_text(search):  # it would be contained in every clause
        raise _line_error(number, line, "heeft een zoektekst zonder letters of cijfers")
    return search


def _action(number: int, line: str, raw: str) -> str:
    action = _unquote(raw)
    if not action:
        raise _line_error(number, line, f"heeft geen actie: {_FORMAT_HINT}")
    return action


def _require_empty(pending: list[tuple[int, str, str]]) -> None:
    if pending:
        number, line, _ = pending[0]
        raise _line_error(number, line, f"heeft geen actie: {_FORMAT_HINT}")


def _line_error(number: int, line: str, problem: str) -> InputError:
    shown = _shorten(line.strip())
    return InputError(f"extra_instruction regel {number} {problem} (regel: '{shown}')")


def _shorten(value: str) -> str:
    return value if len(value) <= _SHOWN_CHARS else value[: _SHOWN_CHARS - 1] + "…"
