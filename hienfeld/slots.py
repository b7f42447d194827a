"""Word slots learned from the export itself, as log-template miners (Drain) learn `<*>` positions.

Administrations fill clause templates with words as well as numbers: the insured object ("de
vrijstaande schuur / garage / paardenstal"), the business activity, a legal area, a period ("3 / 6
/ 12 maanden"). The masking of configs/masking.yaml knows value *kinds* (amounts, dates, names); a
word is a slot only where the export shows it varying in an otherwise equal context, never because
it is some noun. So slots are learned from pairs of clause templates that are close (the merge
pass's candidates): where such a pair differs in one to a few short stretches, each stretch is
filed under its context (the words just before and after it). A context under which the export
shows at least `min_values` different fillers is a slot; its filler becomes one placeholder word
in every template that has that context, so the templates of one clause with other words filled in
become the same, and two clauses that differ in a fixed word (a peril, "niet") stay apart: such a
word is seen with one or two alternatives, not with many, and meaning words never fill a slot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from .normalize import SLOT
from .template_match import differing_stretches

_EDGE = "\x00"  # pads a sentence's edges, so a slot may open or close a sentence
_CONTEXT = 2  # words on each side that make a slot's context
MAX_SLOT_WORDS = 6  # "nieuwbouw van 12 rijwoningen" is one value; a longer stretch is a clause part
_MAX_STRETCHES = 3  # a pair that differs in more places is no pair of one template

Context = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Slots:
    """Learned slot contexts: per left context, the right contexts that close a slot."""

    closing: dict[tuple[str, ...], frozenset[tuple[str, ...]]]

    def __len__(self) -> int:
        return sum(len(v) for v in self.closing.values())

    def spans(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """(start, end) of every learned slot's filler in one sentence's words."""
        if not self.closing:
            return []
        padded = [_EDGE] * _CONTEXT + list(words) + [_EDGE] * _CONTEXT
        found: list[tuple[int, int]] = []
        p = _CONTEXT
        while p < len(padded) - _CONTEXT:
            end = self._slot_end(padded, p)
            if end is None:
                p += 1
            else:
                found.append((p - _CONTEXT, end - _CONTEXT))
                p = end
        return found

    def mask(self, tokens: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """(word, lemma) tokens of one sentence with every slot's filler as one `SLOT` token."""
        spans = self.spans([t[0] for t in tokens])
        if not spans:
            return list(tokens)
        out: list[tuple[str, str]] = []
        last = 0
        for start, end in spans:
            out.extend(tokens[last:start])
            out.append((SLOT, SLOT))
            last = end
        out.extend(tokens[last:])
        return out

    def _slot_end(self, padded: Sequence[str], p: int) -> int | None:
        rights = self.closing.get(tuple(padded[p - _CONTEXT:p]))
        if not rights:
            return None
        # the shortest filler that a learned right context closes
        for end in range(p + 1, min(p + MAX_SLOT_WORDS, len(padded) - _CONTEXT) + 1):
            if tuple(padded[end:end + _CONTEXT]) in rights:
                return end
        return None


def learn_slots(sentences: Sequence[Sequence[Sequence[str]]], pairs: Iterable[tuple[int, int]],
                never_fill: frozenset[str], min_values: int = 4) -> Slots:
    """Slots from candidate pairs of texts. `sentences[i]` holds text i's sentences as words;
    the sentences of a pair are compared in order (a pair with another number of sentences says
    nothing about slots). `never_fill`: words that change what a clause agrees (niet, geen, ...)
    and so are never a value."""
    fillers: dict[Context, set[tuple[str, ...]]] = defaultdict(set)
    for i, j in pairs:
        a, b = sentences[i], sentences[j]
        if len(a) != len(b):
            continue
        for sa, sb in zip(a, b):
            _file_stretches(sa, sb, never_fill, fillers)
    closing: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for (left, right), values in fillers.items():
        if len(values) >= min_values and _distinct_values(values) >= min_values:
            closing[left].add(right)
    return Slots({left: frozenset(rights) for left, rights in closing.items()})


def _distinct_values(values: set[tuple[str, ...]]) -> int:
    """Fillers that are not typos of each other: "gedekt", "gedekr" and "gdekt" are one word. A
    filler is compared whole (edits counted over all its letters), without the lexicon test of
    template_match.same_word: two short words of the lexicon one letter apart are one value here."""
    distinct: list[str] = []
    for value in sorted(values, key=lambda v: (len(v), v)):
        text = " ".join(value)
        if not any(Levenshtein.distance(text, seen, score_cutoff=_typo_edits(text, seen)) <= _typo_edits(text, seen)
                   for seen in distinct):
            distinct.append(text)
    return len(distinct)


def _typo_edits(a: str, b: str) -> int:
    """Edits that a typo makes: one where either has four letters ("don" for "doen"), two where
    both have five."""
    shortest, longest = sorted((len(a), len(b)))
    return 2 if shortest >= 5 else 1 if longest >= 4 else 0


def _file_stretches(a: Sequence[str], b: Sequence[str], never_fill: frozenset[str],
                    fillers: dict[Context, set[tuple[str, ...]]]) -> None:
    if a == b:
        return
    stretches = differing_stretches(a, b)
    if len(stretches) > _MAX_STRETCHES:
        return
    pa = [_EDGE] * _CONTEXT + list(a) + [_EDGE] * _CONTEXT
    pb = [_EDGE] * _CONTEXT + list(b) + [_EDGE] * _CONTEXT
    for i1, i2, j1, j2 in stretches:
        fa, fb = tuple(a[i1:i2]), tuple(b[j1:j2])
        if not fa or not fb or len(fa) > MAX_SLOT_WORDS or len(fb) > MAX_SLOT_WORDS:
            continue  # a word on one side only is an added condition, not a value
        if never_fill.intersection(fa) or never_fill.intersection(fb):
            continue
        left = tuple(pa[i1:i1 + _CONTEXT])
        right = tuple(pa[i2 + _CONTEXT:i2 + 2 * _CONTEXT])
        if set(left + right) == {_EDGE}:
            continue  # a whole sentence against another: an appended note, not a value
        if left != tuple(pb[j1:j1 + _CONTEXT]) or right != tuple(pb[j2 + _CONTEXT:j2 + 2 * _CONTEXT]):
            continue  # the context itself differs (another stretch right beside this one)
        fillers[(left, right)].update((fa, fb))
