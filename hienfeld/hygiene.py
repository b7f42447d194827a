"""Waterfall step 1: text hygiene. A clause that is empty, unfinished, garbled or expired needs
that fixed before any comparison with conditions or a library makes sense."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from hienfeld.normalize import clean_text
from hienfeld.template_match import is_dutch_word
from hienfeld.advice_codes import AdviceCode
from hienfeld.types import Advice

LAPSED, FILL, EMPTY = AdviceCode.LAPSED, AdviceCode.FILL, AdviceCode.EMPTY
_MAX_NAMED = 3  # how many findings a reason names; more would swamp the report cell

# --- placeholders -----------------------------------------------------------------------------

# short lower-case word(s), as in "[naam verzekerde]"
_WORDS = r"[a-zà-öø-ÿ]+(?:[ _/-][a-zà-öø-ÿ]+){0,3}"
# Angle brackets also enclose HTML tags that leak into exports; those are not placeholders.
_HTML_TAGS = frozenset(
    "a b i u p br hr em li ol ul tr td th div span font small strong sub sup table tbody".split()
)
_PLACEHOLDER = re.compile(
    rf"\[\s*{_WORDS}\s*\]"
    rf"|\{{\s*{_WORDS}\s*\}}"
    rf"|<(?P<angle>{_WORDS})>"
    r"|(?<![A-Za-z0-9])X{3,}(?![A-Za-z0-9])"  # case-sensitive: "xxx" is too often a real word part
    r"|_{3,}"
    r"|\.{4,}"  # three dots are an ordinary ellipsis
    r"|\?{3,}"
    r"|\[\s*(?:…|\.{2,})\s*\]"  # "[…]", "[...]"
    # "nnb" / "n.t.b." (nader, nog te bepalen) where a value belongs; a word of its own, any case
    r"|(?<![\w.-])(?i:n\.?[nt]\.?b)\.?(?![\w.-])"
    r"|(?<=\s)\?(?=[\s.,;]|$)"  # a question mark standing where a value belongs: "bedraagt ?."
    r"|(?<=:\s)P\.?M\.?(?=[\s.,;]|$)"  # "pro memorie" as the value of a field: "Pandhouder: PM."
)

# --- encoding damage --------------------------------------------------------------------------

# UTF-8 read as cp1252/latin-1: "ë" becomes "Ã«", "’" becomes "â€™", a BOM becomes "ï»¿". The
# character class holds what bytes 0x80-0xBF (UTF-8 continuation bytes) look like in cp1252.
_CP1252_TAIL = "\u00a0-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile(rf"[ÂÃ][{_CP1252_TAIL}]|Â |â€[{_CP1252_TAIL}]?|ï»¿|\ufffd")
# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# --- expiry -----------------------------------------------------------------------------------

_MONTH_NUMBERS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
# longest first, so "sept" is tried before "sep"
_MONTH_NAMES = "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))
_DATE = (
    r"(?<!\d)(?:(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})"
    r"|(?P<nd>\d{1,2})(?P<sep>[-/.])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d{2})"
    rf"|(?P<wd>\d{{1,2}})\s+(?P<wm>{_MONTH_NAMES})\.?\s+(?P<wy>\d{{4}}))(?!\d)"
)
# A date only counts as an expiry when an expiry phrase leads straight up to it; the connectors
# allowed in between keep "vervalt ... brief van 01-02-2019" and the like out.
_TRIGGER = (
    r"tot\s+en\s+met|t/m|t\.m\.|tot\s+uiterlijk|uiterlijk|tot"
    r"|vervalt|verloopt|eindigt|loopt\s+af|\w*einddatum|\w*expiratiedatum|\w*vervaldatum|\w*afloopdatum"
)
_CONNECTOR = r"(?:op|per|de|is|tot|met\s+ingang\s+van)"
_EXPIRY = re.compile(
    rf"(?<![\w/])(?:{_TRIGGER})(?:\s*:\s*|\s+)(?:{_CONNECTOR}\s+)*{_DATE}", re.IGNORECASE
)
# A verb with a one-letter slip ("eindgt", "vervallt", "uitterlijk") still announces an end date.
_SLIP_TRIGGERS = ("vervalt", "verloopt", "eindigt", "uiterlijk")
_SLIPPED = re.compile(
    rf"(?<![\w/])(?P<word>[^\W\d_]{{5,}})(?:\s*:\s*|\s+)(?:{_CONNECTOR}\s+)*{_DATE}", re.IGNORECASE
)
# "kinderen geboren t/m 31-12-2005": an expiry phrase about a birth date, not about the clause.
_BIRTH = re.compile(r"(?<!\w)(?:geboren|geboortedatum|geb\.)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z])|[;\n]")
_LOOKBACK = 60  # characters before an expiry phrase searched for a birth-date marker


def check_hygiene(text: str, today: datetime.date, lapsed: bool = True) -> Advice | None:
    """First waterfall step: empty, unfinished, garbled or expired text, else None. With
    `lapsed=False` the expiry is left to the caller (a cluster's rows may lapse one by one)."""
    if not text or not text.strip():
        return Advice(EMPTY, "Hoog", "De clausule is leeg: er is geen tekst om te beoordelen.")
    # NFKC turns "……" into "......", which is then caught like typed dots
    found = _PLACEHOLDER.finditer(clean_text(text))
    placeholders = _distinct(m.group(0) for m in found if _is_placeholder(m))
    if placeholders:
        return Advice(FILL, "Hoog", _placeholder_reason(placeholders))
    damage = _damage_reason(text)
    if damage:
        return Advice(AdviceCode.CLEAN, "Hoog", damage)
    return lapsed_advice(text, today) if lapsed else None


def lapsed_advice(text: str, today: datetime.date) -> Advice | None:
    """VERWIJDEREN (VERLOPEN) when the clause says it was valid until a date before `today`."""
    expiry = _latest_expiry(text)
    if expiry is not None and expiry < today:
        return Advice(LAPSED, "Hoog", f"Clausule is verlopen: geldig tot {expiry:%d-%m-%Y}")
    return None


def _is_placeholder(match: re.Match[str]) -> bool:
    angle = match.group("angle")
    return angle is None or angle not in _HTML_TAGS


def _distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))  # first-seen order, so the reason names the earliest finding


def _quoted(items: list[str]) -> str:
    return ", ".join(f"'{item}'" for item in items[:_MAX_NAMED])


def _placeholder_reason(found: list[str]) -> str:
    if len(found) == 1:
        return f"Bevat een niet ingevulde plaatshouder: {_quoted(found)}"
    return f"Bevat {len(found)} niet ingevulde plaatshouders: {_quoted(found)}"


def _damage_reason(text: str) -> str:
    """Names encoding damage and control characters, so the user knows what to clean up."""
    parts = []
    garbled = _distinct(m.group(0) for m in _MOJIBAKE.finditer(text))
    if garbled:
        shown = ["U+FFFD" if g == "\ufffd" else g.replace("\u00a0", " ") for g in garbled]
        parts.append(f"verminkte tekens door een verkeerde tekencodering ({_quoted(shown)})")
    controls = _distinct(f"U+{ord(m.group(0)):04X}" for m in _CONTROL.finditer(text))
    if controls:
        parts.append(f"onzichtbare stuurtekens ({', '.join(controls[:_MAX_NAMED])})")
    return f"Bevat {' en '.join(parts)}" if parts else ""


def _latest_expiry(text: str) -> datetime.date | None:
    """The latest valid expiry date: "t/m 2019, verlengd t/m 2030" is still running."""
    dates = []
    slipped = (m for m in _SLIPPED.finditer(text) if _slip_of_trigger(m.group("word").lower()))
    for match in itertools.chain(_EXPIRY.finditer(text), slipped):
        found = _to_date(match)
        if found is not None and not _about_birth(text, match.start()):
            dates.append(found)
    return max(dates, default=None)


def _slip_of_trigger(word: str) -> bool:
    """One edit from an expiry verb and no word of its own ("verval op ..." is a noun)."""
    return (any(OSA.distance(word, verb, score_cutoff=1) == 1 for verb in _SLIP_TRIGGERS)
            and not is_dutch_word(word))


def _to_date(match: re.Match[str]) -> datetime.date | None:
    if match.group("iy"):
        year, month, day = match.group("iy", "im", "id")
    elif match.group("ny"):
        day, month, year = match.group("nd", "nm", "ny")
    else:
        day, year = match.group("wd", "wy")
        month = str(_MONTH_NUMBERS[match.group("wm").lower()])
    full_year = int(year)
    if len(year) == 2:  # same pivot as strptime's %y: 00-68 -> 20xx, 69-99 -> 19xx
        full_year += 2000 if full_year < 69 else 1900
    try:
        return datetime.date(full_year, int(month), int(day))
    except ValueError:  # 31-02-2020 and the like: not a date, so not an expiry
        return None


def _about_birth(text: str, start: int) -> bool:
    before = text[max(0, start - _LOOKBACK) : start]
    sentence = _SENTENCE_END.split(before)[-1]
    return _BIRTH.search(sentence) is not None
