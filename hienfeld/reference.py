"""An earlier report of ours, uploaded again, and how the current analysis compares with it.

Analysts mark clauses they have handled in the report's `Status` column; on the next run those
marks carry over, so they only see what is new, still open or advised differently now.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hienfeld.config import Limits
from hienfeld.normalize import normalize_text
from hienfeld.tables import REFERENCE, read_table

RESULTS_SHEET = REFERENCE.preferred_sheets[0]  # the report writes it, the reference reader reads it back

STATUS_DONE = "✅ Afgerond"
STATUS_OPEN = "🔲 Open"
STATUS_NEW = "🆕 Nieuw"
COMPARE_SAME = "✓"
COMPARE_CHANGED = "⚠️"
COMPARE_NEW = "🆕"

_DONE_WORDS = frozenset({"afgerond", "gereed", "klaar", "done", "verwerkt", "ok"})
_DONE_MARKS = ("✅", "✔")
# "niet afgerond" is a plausible analyst note and must not count as done.
_NEGATIONS = frozenset({"niet", "not", "geen"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ReferenceRow:
    """One row of the reference's results sheet; `policy` is stripped, the rest as read."""

    text: str
    policy: str
    advice: str
    status: str

    @property
    def done(self) -> bool:
        return is_done_status(self.status)


@dataclass(frozen=True)
class ReferenceData:
    rows: list[ReferenceRow]


@dataclass(frozen=True)
class ReferenceComparison:
    """Per current row (aligned with the input rows) plus the reference rows that disappeared."""

    action_status: list[str]  # STATUS_DONE | STATUS_OPEN | STATUS_NEW
    ref_advice: list[str]  # the reference's advice, "" for new rows
    comparison: list[str]  # COMPARE_SAME | COMPARE_CHANGED | COMPARE_NEW
    gone: list[dict[str, str]]  # {"Tekst", "Polisnummer", "Advies", "Status"}

    def summary(self) -> dict[str, int]:
        return {
            "afgerond": self.action_status.count(STATUS_DONE),
            "open": self.action_status.count(STATUS_OPEN),
            "nieuw": self.action_status.count(STATUS_NEW),
            "gewijzigd": self.comparison.count(COMPARE_CHANGED),
            "verdwenen": len(self.gone),
        }


def is_done_status(status: str) -> bool:
    """Whether an analyst's free-text status says the row is handled."""
    if any(mark in status for mark in _DONE_MARKS):
        return True
    words = set(_WORD.findall(status.lower()))
    return bool(words & _DONE_WORDS) and not words & _NEGATIONS


def read_reference(data: bytes, limits: Limits) -> ReferenceData:
    """Read the results sheet of an earlier report within the upload `limits` (`limits.max_rows`
    too). Raises InputError saying what is wrong."""
    table = read_table("referentie.xlsx", data, limits, REFERENCE)
    columns = [table.values(name) for name in ("text", "policy", "advice", "status")]
    return ReferenceData([
        ReferenceRow(text, policy.strip(), advice, status)
        for text, policy, advice, status in zip(*columns)
        if text or policy or advice or status  # Excel often leaves formatted but empty rows
    ])


def compare_with_reference(
    ref: ReferenceData,
    texts: Sequence[str],
    policy_numbers: Sequence[str],
    advice_codes: Sequence[str],
) -> ReferenceComparison:
    """Match each current row to the reference by (text, policy), else by text alone."""
    if not len(texts) == len(policy_numbers) == len(advice_codes):
        raise ValueError("texts, policy_numbers and advice_codes must have equal lengths")
    ref_norms = [normalize_text(row.text) for row in ref.rows]
    # Several reference rows can share a key: the key counts as done when any of them is done,
    # and its advice is the first non-empty one.
    by_pair: dict[tuple[str, str], tuple[bool, str]] = {}
    by_text: dict[str, tuple[bool, str]] = {}
    for row, norm in zip(ref.rows, ref_norms):
        for index, key in ((by_pair, (norm, row.policy)), (by_text, norm)):
            done, advice = index.get(key, (False, ""))
            index[key] = (done or row.done, advice or row.advice)

    norm_cache: dict[str, str] = {}  # exports repeat the same clause on many policies
    current_norms: set[str] = set()
    action_status: list[str] = []
    ref_advice: list[str] = []
    comparison: list[str] = []
    for text, policy, advice in zip(texts, policy_numbers, advice_codes):
        norm = norm_cache.get(text)
        if norm is None:
            norm = norm_cache[text] = normalize_text(text)
        current_norms.add(norm)
        match = by_pair.get((norm, policy.strip())) or by_text.get(norm)
        if match is None:
            action_status.append(STATUS_NEW)
            ref_advice.append("")
            comparison.append(COMPARE_NEW)
            continue
        done, old_advice = match
        action_status.append(STATUS_DONE if done else STATUS_OPEN)
        ref_advice.append(old_advice)
        same = old_advice.strip().casefold() == advice.strip().casefold()
        comparison.append(COMPARE_SAME if same else COMPARE_CHANGED)

    return ReferenceComparison(
        action_status, ref_advice, comparison, _gone(ref.rows, ref_norms, current_norms)
    )


def _gone(
    rows: Sequence[ReferenceRow], norms: Sequence[str], current_norms: set[str]
) -> list[dict[str, str]]:
    # A text still present on any current policy is not gone, whatever policy it was on before.
    seen: set[tuple[str, str]] = set()
    gone: list[dict[str, str]] = []
    for row, norm in zip(rows, norms):
        if norm in current_norms or (norm, row.policy) in seen:
            continue
        seen.add((norm, row.policy))
        gone.append(
            {"Tekst": row.text, "Polisnummer": row.policy, "Advies": row.advice,
             "Status": row.status}
        )
    return gone
