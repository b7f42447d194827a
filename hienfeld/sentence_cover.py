"""Where do the conditions state a clause, sentence by sentence?

A clause and its article rarely line up as wholes: the clause carries a typo, a filled-in value or
a note appended to it ("Zie polisblad."), so comparing whole texts misses clauses the conditions do
state. And two sentences that each occur somewhere in the conditions do not make the clause: the
obligation may be there with another consequence. So each sentence of the clause is looked up
among the sentences of the conditions (the same sentence up to values, typos and inflection), and
the clause is stated where its sentences follow each other, in its order, in one passage, with the
same amounts and percentages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from .amounts import filled_amounts
from .normalize import clean_text, comparison_key, sentences, split_sentences, template_text
from .template_match import MIN_SHARED_SHARE, meaningful, plain_tokens, same_clause

_SUB_ARTICLE = re.compile(r"^\s*(?:art(?:ikel)?\.?\s*)?\d+(?:\.\d+)+\.?\s+", re.IGNORECASE)  # "12.3 Bij..."


@dataclass(frozen=True)
class Statement:
    """The passage of the conditions that states a clause."""

    target: int                      # index of the conditions text (chunk)
    notes: tuple[str, ...]           # sentences of the clause the conditions lack: appended notes
    clause_amounts: tuple[str, ...]  # amounts and percentages filled into the clause
    stated_amounts: tuple[str, ...]  # those of the passage

    @property
    def same_amounts(self) -> bool:
        return sorted(self.clause_amounts) == sorted(self.stated_amounts)


@dataclass(frozen=True)
class Cover:
    """What the conditions say about one clause."""

    statement: Statement | None
    differing: dict[int, str]  # target -> the clause's first sentence it states for a neighbouring case


@dataclass(frozen=True)
class _Occurrence:
    target: int
    position: int
    amounts: tuple[str, ...]


def _words(key: str) -> int:
    return sum(1 for t in plain_tokens(key) if meaningful(t))


class ConditionsSentences:
    """Every sentence of the conditions texts, where it stands and the amounts it holds."""

    def __init__(self, texts: Sequence[str]):
        self.where: dict[str, list[_Occurrence]] = defaultdict(list)
        self.at: dict[tuple[int, int], str] = {}  # (target, position) -> sentence
        for target, text in enumerate(texts):
            position = 0
            for piece in split_sentences(clean_text(text)):
                piece = _SUB_ARTICLE.sub("", piece)
                key = comparison_key(template_text(piece))
                if key:
                    occurrence = _Occurrence(target, position, filled_amounts(piece))
                    self.where[key].append(occurrence)
                    # also with its names as words: a clause in capitals or lower case has none masked
                    as_written = comparison_key(template_text(piece, mask_names=False))
                    if as_written != key:
                        self.where[as_written].append(occurrence)
                    self.at[(target, position)] = key
                    position += 1
        self.keys = list(self.where)

    def find(self, clauses: Sequence[str], close_ratio: float) -> list[Cover]:
        """Per clause (as written), the passage that states it, if any, and the texts that state a
        neighbouring case: a sentence close in characters to the clause's (`close_ratio`) but not
        the same (another peril, "wel" for "niet"). A clause with a sentence that no text states
        and some text states for a neighbouring case is not stated, whatever else matches."""
        per_clause = [sentences(template_text(c)) for c in clauses]
        mine = sorted({s for parts in per_clause for s in parts})
        found: dict[str, list[_Occurrence]] = {}
        near: dict[str, list[int]] = {}  # targets with a close sentence that is not the same
        if mine and self.keys:
            scores = cdist(mine, self.keys, scorer=fuzz.ratio, score_cutoff=close_ratio * 100, workers=1)
            for row, sentence in enumerate(mine):
                close = [self.keys[j] for j in np.flatnonzero(scores[row])]
                same = [key for key in close if same_clause(plain_tokens(sentence), plain_tokens(key))]
                if same:
                    found[sentence] = [o for key in same for o in self.where[key]]
                stating = {o.target for o in found.get(sentence, ())}
                near[sentence] = sorted({o.target for key in close if key not in same for o in self.where[key]}
                                        - stating)
        covers = []
        for clause, parts in zip(clauses, per_clause):
            differing: dict[int, str] = {}
            for sentence in parts:
                for target in near.get(sentence, ()):
                    differing.setdefault(target, sentence)
            unstated_near = any(p not in found and near.get(p) for p in parts)
            statement = None if unstated_near else self._statement(clause, parts, found, close_ratio)
            covers.append(Cover(statement, differing))
        return covers

    def _statement(self, clause: str, parts: list[str], found: dict[str, list[_Occurrence]],
                   close_ratio: float) -> Statement | None:
        if not parts:
            return None
        stated = [p for p in parts if p in found]
        notes = tuple(p for p in parts if p not in found)
        if not stated or (notes and sum(_words(p) for p in stated)
                          < MIN_SHARED_SHARE * sum(_words(p) for p in parts)):
            return None
        amounts = filled_amounts(clause)
        first = None  # the first passage that states it; one with the clause's own amounts wins
        for start in found[stated[0]]:
            passage = self._passage(start, stated[1:], found, close_ratio, amounts)
            if passage is not None:
                statement = Statement(start.target, notes, amounts, tuple(a for o in passage for a in o.amounts))
                if statement.same_amounts:
                    return statement
                first = first or statement
        return first

    def _passage(self, start: _Occurrence, rest: list[str], found: dict[str, list[_Occurrence]],
                 close_ratio: float, amounts: tuple[str, ...]) -> list[_Occurrence] | None:
        """The occurrences stating the clause from `start` on: each next sentence right after the
        last, or else stated elsewhere in the conditions; but where the conditions go on with a
        sentence close to it and not the same (another consequence), the clause changes them."""
        passage, last = [start], start
        for sentence in rest:
            following = next((o for o in found[sentence] if o.target == last.target
                              and o.position == last.position + 1), None)
            if following is not None:
                passage.append(following)
                last = following
                continue
            theirs = self.at.get((last.target, last.position + 1))
            if theirs is None or fuzz.ratio(sentence, theirs) >= close_ratio * 100:
                return None  # (where the text ends, another occurrence shows how it goes on)
            # stated elsewhere: preferably where it holds the clause's own amounts
            passage.append(next((o for o in found[sentence] if set(o.amounts) <= set(amounts)),
                                found[sentence][0]))
        return passage
