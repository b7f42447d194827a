"""A cluster as a clause template with slots, and each row as the variant it fills in.

The template is the leader's comparison key with its values masked (configs/masking.yaml's kinds)
and the learned word slots (slots.py) as one placeholder each. A row's variant is what it writes
where the template has a placeholder: its words are aligned with the template (Levenshtein on
words, in C), and the stretch that stands against a placeholder is that slot's value, as the row
writes it ("€ 5.000,-", "schuur"). Stretches elsewhere (a typo, a label) are noise, not values.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .normalize import (PLACEHOLDER_MARK, SLOT, comparison_key, masking_rules, placeholder_marked, sentences,
                        template_text, without_label)
from .slots import Slots
from .template_match import differing_stretches

VARIANT_SEPARATOR = " · "
_PLACEHOLDER = "\x00"  # a slot in the template's words: no written word equals it
MAX_SHOWN_VALUES = 10  # per slot in the cluster summary; the rest is counted
# a value's own punctuation stays ("B.V.", "€ 5.000,-"); the sentence's around it goes
_EDGE_PUNCTUATION = re.compile(r"^[\s,.;:()]+|[\s,;:()]+$|(?<!\b\w)\.$")


@dataclass(frozen=True)
class ClauseTemplate:
    """Template words; `slots[k]` is the kind of the k-th placeholder ("bedrag", "woord", ...)."""

    words: tuple[str, ...]
    slots: tuple[str, ...]

    def marked(self) -> str:
        """The template as text with its slots marked: "meeverzekerd is de <woord> ... <bedrag>"."""
        kinds = iter(self.slots)
        return " ".join(f"<{next(kinds)}>" if w == _PLACEHOLDER else w for w in self.words)


def clause_template(leader_text: str, slots: Slots) -> ClauseTemplate:
    """The leader's template words, placeholders as their kind and learned slots as `SLOT`."""
    kinds = masking_rules().placeholders
    bare = sentences(template_text(leader_text))
    marked = sentences(placeholder_marked(leader_text))
    words: list[str] = []
    slot_kinds: list[str] = []
    for plain, with_marks in zip(bare, marked):
        tokens, marks = plain.split(), with_marks.split()
        spans = dict(slots.spans(tokens))
        k = 0
        while k < len(tokens):
            if k in spans:
                words.append(_PLACEHOLDER)
                slot_kinds.append(SLOT)
                k = spans[k]
                continue
            mark = marks[k] if len(marks) == len(tokens) else tokens[k]
            kind = mark[len(PLACEHOLDER_MARK):] if mark.startswith(PLACEHOLDER_MARK) else None
            if kind in kinds:
                words.append(_PLACEHOLDER)
                slot_kinds.append(kind)
            else:
                words.append(tokens[k])
            k += 1
    return ClauseTemplate(tuple(words), tuple(slot_kinds))


def _row_words(text: str) -> tuple[list[str], list[int], list[str]]:
    """The row's words in comparison form, per word the index of the written token it came from,
    and the written tokens."""
    written = without_label(text).split()  # a label is no value: the template has none either
    words: list[str] = []
    owner: list[int] = []
    for k, token in enumerate(written):
        for word in comparison_key(token).split():
            words.append(word)
            owner.append(k)
    return words, owner, written


def fill(template: ClauseTemplate, text: str) -> tuple[str, ...]:
    """The value the row writes in each of the template's slots ("" where it writes none)."""
    if not template.slots:
        return ()
    words, owner, written = _row_words(text)
    slot_at = {}  # template position -> slot number
    for pos, word in enumerate(template.words):
        if word == _PLACEHOLDER:
            slot_at[pos] = len(slot_at)
    values = [""] * len(template.slots)
    for i1, i2, j1, j2 in differing_stretches(template.words, words):
        hit = [slot_at[p] for p in range(i1, i2) if p in slot_at]
        if len(hit) != 1 or j1 == j2:
            continue  # no slot here (noise), several slots against one stretch, or nothing written
        first, last = owner[j1], owner[j2 - 1]
        while first > 0 and not comparison_key(written[first - 1]):
            first -= 1  # a sign written apart belongs to the value: "€ 5.000"
        value = _EDGE_PUNCTUATION.sub("", " ".join(written[first:last + 1]))
        values[hit[0]] = f"{values[hit[0]]} {value}".strip()
    return tuple(values)


@dataclass(frozen=True)
class Variants:
    """Per row its variant as shown ("schuur · € 5.000"); per cluster its template and, per slot,
    the values its rows write with their counts."""

    row_variant: list[str]
    templates: list[ClauseTemplate]
    slot_values: list[list[Counter]]


def find_variants(texts: Sequence[str], row_cluster: Sequence[int], leaders: Sequence[str], slots: Slots) -> Variants:
    templates = [clause_template(text, slots) for text in leaders]
    filled = functools.lru_cache(maxsize=None)(lambda c, text: fill(templates[c], text))
    counts = [[Counter() for _ in t.slots] for t in templates]
    shown: list[str] = []
    for text, c in zip(texts, row_cluster):
        values = filled(c, text)
        for k, value in enumerate(values):
            if value:
                counts[c][k][value] += 1
        shown.append(VARIANT_SEPARATOR.join(v for v in values if v))
    return Variants(shown, templates, counts)


def slot_summary(template: ClauseTemplate, counts: Sequence[Counter]) -> str:
    """One line per slot: "1 (woord): schuur 50, garage 30, ... (+4 andere)"."""
    lines = []
    for k, (kind, counter) in enumerate(zip(template.slots, counts), 1):
        common = counter.most_common(MAX_SHOWN_VALUES)
        rest = len(counter) - len(common)
        listed = ", ".join(f"{value} {n}" for value, n in common) or "(niet ingevuld)"
        lines.append(f"{k} ({kind}): {listed}" + (f" (+{rest} andere)" if rest else ""))
    return "\n".join(lines)
