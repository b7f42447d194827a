"""Text normalisation shared by clustering, matching and the reference comparison.

Amounts and dates are replaced by placeholders *before* punctuation is stripped: "€ 1.250,-" and
"EUR 900" both become "bedrag", so variants of one clause that differ only in an amount or date
land in one cluster (the predecessor stripped the punctuation first and split "1.250" into two
numbers).
"""

from __future__ import annotations

import re
import unicodedata

_AMOUNT = re.compile(
    r"(?:€|\beur(?:o)?\b)\s*\d{1,3}(?:[.\s]\d{3})*(?:,(?:\d{1,2}|-{1,2}))?"
    r"|\d{1,3}(?:[.\s]\d{3})*(?:,(?:\d{1,2}|-{1,2}))?\s*(?:€|\beuro?\b)",
    re.IGNORECASE,
)
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    "|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}\b",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Unicode-normalise and collapse whitespace; keeps case and punctuation (for display)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def normalize_text(text: str) -> str:
    """The comparison key of a clause: lower case, amounts/dates as placeholders, no punctuation."""
    text = clean_text(text).lower()
    text = _AMOUNT.sub(" bedrag ", text)
    text = _DATE.sub(" datum ", text)
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
