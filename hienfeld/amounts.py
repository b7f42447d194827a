"""The amounts and percentages filled into a text, in one notation each.

Templates hide values so that one clause with other values stays one clause; but a clause that
copies an article with another deductible or another percentage agrees something else. Comparing
a clause with the conditions therefore also compares these values, whatever the notation
("€ 1.250,-", "EUR 1250", "€1.250,00", "1250 euro" are one amount; "€ 2,5 miljoen" is 2500000).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .normalize import masking_rules

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:,-{1,2})?")
_SCALE = {"miljoen": 1_000_000, "mln": 1_000_000, "duizend": 1_000}


def dutch_number(text: str) -> Decimal | None:
    """A number as written in Dutch: '.' groups thousands, ',' starts decimals; ",-" is none.
    A lone '.' followed by other than three digits is read as a decimal point ("1250.50")."""
    text = re.sub(r",-{1,2}$", "", text)
    if "," in text:
        whole, _, decimals = text.rpartition(",")
        text = whole.replace(".", "") + "." + decimals
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _canonical(kind: str, written: str) -> str | None:
    number = _NUMBER.search(written)
    value = dutch_number(number.group(0)) if number else None
    if value is None:
        return None
    if kind == "percentage":
        return f"{value.normalize():f}%"
    scale = next((factor for word, factor in _SCALE.items() if word in written.lower()), 1)
    return f"€ {(value * scale).normalize():f}"


def filled_amounts(text: str) -> tuple[str, ...]:
    """The amounts ("€ 1250") and percentages ("10%") in `text`, in order of appearance."""
    found = []
    for match in masking_rules().values.finditer(text):
        kind = match.lastgroup
        if kind in ("bedrag", "percentage"):
            canonical = _canonical(kind, match.group(0))
            if canonical is not None:
                found.append(canonical)
    return tuple(found)
