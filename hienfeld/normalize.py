"""Text normalisation shared by clustering, matching and the reference comparison.

A clause arrives as a template with values filled in and a label or editing noise around it. Two
steps take that away before texts are compared:

- `template_text`: the leading label ("Let op:", "Afspraak 3:") goes, and every value (IBAN,
  amount, percentage, date, postcode, licence plate, e-mail, any word holding a digit, names) becomes
  a placeholder word; placeholders that follow each other become one `waarde`, so an address with or
  without postcode and city is one value. Case and punctuation stay: the models and the sentence
  split read this form. The value patterns are data (hienfeld/configs/masking.yaml).
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

from .config_reader import ConfigError, packaged_config
from .masking_config import load_masking

MASKING_FILE = packaged_config("masking.yaml")
VALUE = "waarde"  # one placeholder for a run of values
SLOT = "woord"  # a word slot learned from the export (slots.py)
PLACEHOLDER_MARK = "ph"  # before a placeholder's kind where it must not read as a word (variants.py)
_OPEN, _CLOSE = "\x01", "\x02"  # brackets a placeholder while the text is still being rewritten
_NAME = re.compile(  # a sentence starts after its end mark, and after a leading article number
    r"(?P<start>(?:^|(?<!\b[A-Z])[.!?:;]\s+|\n)(?:\s*\x01nummer\x02\s*|\d+[.)]?\s+)?)?"
    r"(?P<name>\b[A-Z][a-zà-ÿ](?:[\w'’&-]|\.(?=\w))*"  # a dot inside ("St.Jans"), not the sentence's end
    r"(?:\s+(?:(?:van|der|de|den|het|ter|te|en|&)\s+)*[A-Z][a-zà-ÿ](?:[\w'’&-]|\.(?=\w))*)*)"
)
_HOUSE_NUMBER = re.compile(rf"({_OPEN}naam{_CLOSE})\s+\d{{1,4}}[a-z]?\b")  # "Kerkstraat 12a"
_RUN = re.compile(rf"{_OPEN}\w+{_CLOSE}(?:(?:[\s,.;:/()-]|\bte\b)*{_OPEN}\w+{_CLOSE})+")
_MARKED = re.compile(rf"{_OPEN}(\w+){_CLOSE}")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_BULLET = re.compile(r"^[-*•–·>#]+\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])(?<!\b[A-Z]\.)\s+")  # "J. de Vries" is no sentence end
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MaskingRules:
    values: re.Pattern  # one alternation, a named group per value kind, in the file's order
    leading_label: re.Pattern
    meaning_words: frozenset[str]
    validity: re.Pattern  # a validity word shortly before a date placeholder
    library_blanks: re.Pattern  # where a library clause leaves a value to fill in
    library_equivalents: tuple[tuple[re.Pattern, str], ...]  # (words of one use, the word read for them)

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(self.values.groupindex) | {"naam", VALUE, SLOT}


@functools.lru_cache(maxsize=None)
def masking_rules(path: Path = MASKING_FILE) -> MaskingRules:
    """The rules of `path` (validated by `hienfeld.masking_config.load_masking`), compiled once per file."""
    raw = load_masking(path)
    # every value starts a word (or is "€ ..."): rejecting positions inside a word once, before
    # trying each kind there, halves the cost of masking
    values = "(?<!\\w)(?:" + "|".join(f"(?P<{v.kind}>{v.pattern})" for v in raw.values) + ")"
    words = "|".join(re.escape(w) for w in raw.validity_words)
    # a validity word at most three words before a date: "geldig tot en met 1-2-2024"
    validity = rf"(?<!\w)(?:{words})(?!\w)[\W_]*(?:\w+[\W_]+){{0,3}}?{_OPEN}datum{_CLOSE}"
    equivalents = tuple(
        (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(group[1:], key=len, reverse=True))
                    + r")(?!\w)", re.IGNORECASE), group[0])
        for group in raw.library_equivalents)
    try:
        return MaskingRules(re.compile(values, re.IGNORECASE), re.compile(raw.leading_label, re.IGNORECASE),
                            frozenset(raw.meaning_words), re.compile(validity, re.IGNORECASE),
                            re.compile(raw.library_blanks, re.IGNORECASE), equivalents)
    except re.error as exc:  # each pattern compiles alone (checked when loaded); together they must too
        raise ConfigError(f"{path}: values: the patterns do not combine ({exc})") from None


def library_reading(text: str) -> str:
    """A text as it is compared with library clauses: blanks as a value, equivalent function words
    as one word (configs/masking.yaml `library_blanks`, `library_equivalents`)."""
    rules = masking_rules()
    text = rules.library_blanks.sub(f" {VALUE} ", text)
    for pattern, word in rules.library_equivalents:
        text = pattern.sub(word, text)
    return text


def clean_text(text: str) -> str:
    """Unicode-normalise and collapse whitespace; keeps case and punctuation (for display)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def _shouting(text: str) -> bool:
    """ALL CAPS or Title Case text: capitals say nothing about names there. Acronyms ("ABN AMRO")
    do not make a sentence Title Case, and a sentence with a few names is not."""
    words = caps = titled = 0  # one pass: this runs for every text of an export
    for word in text.split():
        if word[:1].isalpha():
            words += 1
            if word.isupper():
                caps += 1
            elif word[0].isupper():
                titled += 1
    rest = words - caps
    return caps > words / 2 or (rest > 0 and titled > 0.75 * rest)


def _mask_value(match: re.Match) -> str:
    return f" {_OPEN}{match.lastgroup}{_CLOSE} "


def _mask_name(match: re.Match) -> str:
    return match.group(0) if match.group("start") is not None else f" {_OPEN}naam{_CLOSE} "


@functools.lru_cache(maxsize=100_000)
def template_text(text: str, mask_names: bool = True) -> str:
    """The clause as a template: label dropped, values as placeholder words; case and punctuation
    kept. Names are told by their capitals; `mask_names=False` leaves them as words, in lower case."""
    return _SPACES.sub(" ", _MARKED.sub(r"\1", _masked(text, mask_names))).strip()


def placeholder_marked(text: str) -> str:
    """`template_text` with each placeholder as `PLACEHOLDER_MARK + kind` ("phbedrag"), a word no
    clause writes: "tot een bedrag van phbedrag" tells the value from the word "bedrag"."""
    return _SPACES.sub(" ", _MARKED.sub(PLACEHOLDER_MARK + r"\1", _masked(text, True))).strip()


def without_label(text: str) -> str:
    """The clause without its list bullet and leading label ("Let op:", "Verzekerd object:")."""
    text = _BULLET.sub("", clean_text(text), count=1)
    return masking_rules().leading_label.sub("", text, count=1) or text


def _masked(text: str, mask_names: bool) -> str:
    rules = masking_rules()
    text = rules.values.sub(_mask_value, without_label(text))
    if not mask_names or _shouting(text):
        text = text.lower()  # capitals say nothing here; the models read it like any other text
    else:
        text = _NAME.sub(_mask_name, text)
    text = _RUN.sub(_run_value, _HOUSE_NUMBER.sub(r"\1", text))
    return _without_validity(text, rules.validity)


_LEAD_IN = re.compile(r"^([^:]{1,80}):\s*(?=\S)")


def _run_value(run: re.Match) -> str:
    """One placeholder for a run of values; a date stays a date ("op 1-2-2024 te Zwolle")."""
    return f"{_OPEN}{'datum' if f'{_OPEN}datum{_CLOSE}' in run.group(0) else VALUE}{_CLOSE}"


def _without_validity(text: str, validity: re.Pattern) -> str:
    """Drop the sentences and the lead-in that say until when the clause is valid."""
    def about_validity(part: str) -> bool:
        return bool(validity.search(part))
    lead = _LEAD_IN.match(text)
    if lead and about_validity(lead.group(1)):
        text = text[lead.end():]
    kept = [part for part in _SENTENCE_END.split(text) if not about_validity(part)]
    return " ".join(kept) if kept else text


@functools.lru_cache(maxsize=200_000)
def comparison_key(text: str) -> str:
    """Lower case, no punctuation, single spaces (of a text that is already a template)."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text.lower())).strip()


def normalize_text(text: str) -> str:
    """The comparison key of a clause: its template in lower case without punctuation."""
    return comparison_key(template_text(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of a text or template, as written."""
    return _SENTENCE_END.split(text)


def sentence_templates(template: str) -> list[str]:
    """The sentences of a template, as written (empty ones left out)."""
    return [part for part in split_sentences(template) if comparison_key(part)]


def sentences(template: str) -> list[str]:
    """Comparison keys of the sentences of a template."""
    return [comparison_key(part) for part in sentence_templates(template)]
