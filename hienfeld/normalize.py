"""Text normalisation shared by clustering, matching and the reference comparison.

Amounts, dates and names are replaced by placeholders *before* punctuation is stripped:
"€ 1.250,-" and "EUR 900" both become "bedrag", so variants of one clause that differ only in an
amount, date or name land in one cluster (the predecessor stripped the punctuation first and split
"1.250" into two numbers). Names are runs of capitalised words that do not start a sentence:
Dutch capitalises little else mid-sentence ("verzekerd bij Bouwbedrijf Van Dijk B.V."); words in
capitals only ("NIET gedekt", "NHT") are emphasis or acronyms and stay.
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
_NAME = re.compile(
    r"(?P<start>^|[.!?:;]\s+|\n)?"
    r"(?P<name>\b[A-Z][a-zà-ÿ][\w'’.&-]*(?:\s+(?:(?:van|der|de|den|het|ter|te|en|&)\s+)*[A-Z][a-zà-ÿ][\w'’.&-]*)*)"
)
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Unicode-normalise and collapse whitespace; keeps case and punctuation (for display)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def _shouting(text: str) -> bool:
    """ALL CAPS or Title Case text: capitals say nothing about names there."""
    words = [w for w in text.split() if w[:1].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) > len(words) / 2


def _mask_name(match: re.Match) -> str:
    return match.group(0) if match.group("start") is not None else " naam "


def normalize_text(text: str) -> str:
    """The comparison key of a clause: lower case, amounts/dates as placeholders, no punctuation."""
    text = clean_text(text)
    text = _AMOUNT.sub(" bedrag ", text)
    text = _DATE.sub(" datum ", text)
    if not _shouting(text):
        text = _NAME.sub(_mask_name, text)
    text = text.lower()
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
