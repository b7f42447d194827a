"""Text normalisation shared by clustering, matching and the reference comparison.

A clause arrives as a template with values filled in and a label or editing noise around it. Two
steps take that away before texts are compared:

- `template_text`: the leading label ("Let op:", "Afspraak 3:") goes, and every value (IBAN,
  amount, percentage, date, postcode, licence plate, e-mail, any word holding a digit, names) becomes
  a placeholder word; placeholders that follow each other become one `waarde`, so an address with or
  without postcode and city is one value. Case and punctuation stay: the models and the sentence
  split read this form. The value patterns are data (configs/masking.yaml).
- `normalize_text`: the comparison key: the template in lower case without punctuation.

Values are replaced *before* punctuation is stripped, so "€ 1.250,-" and "EUR 900" agree. Names are
runs of capitalised words that do not start a sentence: Dutch capitalises little else mid-sentence;
words in capitals only ("NIET gedekt", "NHT") are emphasis or acronyms and stay.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

MASKING_FILE = Path(__file__).resolve().parent.parent / "configs" / "masking.yaml"
VALUE = "waarde"  # one placeholder for a run of values
_OPEN, _CLOSE = "\x01", "\x02"  # brackets a placeholder while the text is still being rewritten
_NAME = re.compile(  # a sentence starts after its end mark, and after a leading article number
    r"(?P<start>(?:^|[.!?:;]\s+|\n)(?:\s*\x01nummer\x02\s*|\d+[.)]?\s+)?)?"
    r"(?P<name>\b[A-Z][a-zà-ÿ](?:[\w'’&-]|\.(?=\w))*"  # a dot inside ("St.Jans"), not the sentence's end
    r"(?:\s+(?:(?:van|der|de|den|het|ter|te|en|&)\s+)*[A-Z][a-zà-ÿ](?:[\w'’&-]|\.(?=\w))*)*)"
)
_HOUSE_NUMBER = re.compile(rf"({_OPEN}naam{_CLOSE})\s+\d{{1,4}}[a-z]?\b")  # "Kerkstraat 12a"
_RUN = re.compile(rf"{_OPEN}\w+{_CLOSE}(?:(?:[\s,.;:/()-]|\bte\b)*{_OPEN}\w+{_CLOSE})+")
_MARKED = re.compile(rf"{_OPEN}(\w+){_CLOSE}")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MaskingRules:
    values: re.Pattern  # one alternation, a named group per value kind, in the file's order
    leading_label: re.Pattern
    meaning_words: frozenset[str]

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(self.values.groupindex) | {"naam", VALUE}


@functools.lru_cache(maxsize=None)
def masking_rules(path: Path = MASKING_FILE) -> MaskingRules:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    try:
        values = "|".join(f"(?P<{v['kind']}>{v['pattern']})" for v in raw["values"])
        return MaskingRules(re.compile(values, re.IGNORECASE), re.compile(raw["leading_label"], re.IGNORECASE),
                            frozenset(raw["meaning_words"]))
    except (KeyError, TypeError, re.error) as exc:
        raise ValueError(f"{path}: invalid masking rules ({exc})") from exc


def clean_text(text: str) -> str:
    """Unicode-normalise and collapse whitespace; keeps case and punctuation (for display)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def _shouting(text: str) -> bool:
    """ALL CAPS or Title Case text: capitals say nothing about names there. Acronyms ("ABN AMRO")
    do not make a sentence Title Case, and a sentence with a few names is not."""
    words = [w for w in text.split() if w[:1].isalpha()]
    caps = [w for w in words if w.isupper()]
    rest = [w for w in words if not w.isupper()]
    if len(caps) > len(words) / 2:
        return True
    return bool(rest) and sum(w[0].isupper() for w in rest) > 0.75 * len(rest)


def _mask_value(match: re.Match) -> str:
    return f" {_OPEN}{match.lastgroup}{_CLOSE} "


def _mask_name(match: re.Match) -> str:
    return match.group(0) if match.group("start") is not None else f" {_OPEN}naam{_CLOSE} "


@functools.lru_cache(maxsize=100_000)
def template_text(text: str) -> str:
    """The clause as a template: label dropped, values as placeholder words; case and punctuation kept."""
    rules = masking_rules()
    text = clean_text(text)
    text = rules.leading_label.sub("", text, count=1) or text
    text = rules.values.sub(_mask_value, text)
    if _shouting(text):
        text = text.lower()  # capitals say nothing here; the models read it like any other text
    else:
        text = _NAME.sub(_mask_name, text)
    text = _RUN.sub(f"{_OPEN}{VALUE}{_CLOSE}", _HOUSE_NUMBER.sub(r"\1", text))
    return _SPACES.sub(" ", _MARKED.sub(r"\1", text)).strip()


def comparison_key(text: str) -> str:
    """Lower case, no punctuation, single spaces (of a text that is already a template)."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text.lower())).strip()


def normalize_text(text: str) -> str:
    """The comparison key of a clause: its template in lower case without punctuation."""
    return comparison_key(template_text(text))


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def sentences(template: str) -> list[str]:
    """Comparison keys of the sentences of a template (empty ones left out)."""
    return [key for part in _SENTENCE_END.split(template) if (key := comparison_key(part))]
