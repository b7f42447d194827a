"""Do two clause templates state the same clause?

A precision guard for clustering: characters or embeddings say that two texts are close, this says
whether what differs is noise or meaning. The token sequences are aligned (rapidfuzz Levenshtein
on words); then
- a stretch that one side fills with a placeholder and the other with words is a filled-in value
  the masking did not catch (a name in lower case, a bank in capitals): same template;
- a word against a word that is its lemma or a typo of it (one edit, two from eight letters on,
  a swap of neighbours counting as one) is the same word;
- a meaningful word against another meaningful word ("storm" / "waterschade") is a conflict;
- a meaningful word on one side only ("niet gedekt" / "gedekt") is an extra.
Function words do not count, except the few that change what a clause agrees (configs/masking.yaml
`meaning_words`: niet, geen, binnen, buiten, ...).

Texts of one clause may also differ by whole sentences (an optional last sentence dropped, a
neutral sentence appended); `allow_extra_sentences` accepts extras that make up whole sentences of
the longer text, as long as most of it is shared.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import simplemma
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from .normalize import SLOT, masking_rules
from .stopwords import STOP_LEMMAS

Token = tuple[str, str]  # (surface word in lower case, lemma)
Sentence = Sequence[Token]

_MATCH, _EXTRA, _IGNORE = 0, 1, 2


@dataclass(frozen=True)
class Alignment:
    conflicts: list[tuple[int, int, int, int]]  # stretches where both sides have other meaningful words
    status_a: list[int]
    status_b: list[int]
    significant_a: list[bool]
    significant_b: list[bool]

    @property
    def conflict(self) -> bool:
        return bool(self.conflicts)


@functools.lru_cache(maxsize=200_000)
def meaningful(token: Token) -> bool:
    """A word that carries the clause's meaning (not a function word, not a placeholder)."""
    rules = masking_rules()
    surface, lemma = token
    if surface in rules.placeholders:
        return False
    if lemma in rules.meaning_words or surface in rules.meaning_words:
        return True
    if surface.isdigit():
        return True  # "60 dagen" and "365 dagen" are two agreements; values are masked before
    return len(surface) >= 3 and lemma not in STOP_LEMMAS and surface not in STOP_LEMMAS


@functools.lru_cache(maxsize=200_000)
def is_dutch_word(word: str) -> bool:
    """A word of the Dutch lexicon (simplemma's): a typo rarely is one, a name often is not."""
    return simplemma.is_known(word, lang="nl")


def same_word(a: Token, b: Token) -> bool:
    """Same lemma, or a typo: one edit apart (a swap of neighbours is one), or two from five
    letters on where not both are words of their own ("bewaring" / "bewerking" are two words,
    "scchaed" is "schade" mistyped)."""
    if a[1] == b[1] or a[0] == b[0]:
        return True
    shortest = min(len(a[0]), len(b[0]))
    allowed = 2 if shortest >= 5 else 1 if shortest >= 4 else 0
    if allowed == 0 or a[0].isdigit() or b[0].isdigit():
        return False
    distance = OSA.distance(a[0], b[0], score_cutoff=allowed)
    return distance <= 1 or (distance <= allowed and not (is_dutch_word(a[0]) and is_dutch_word(b[0])))


_MAX_VALUE_WORDS = 5  # a value the masking missed: "koningin emmaplein te den helder" in lower case
_MAX_REMNANT_WORDS = 2  # the rest of a value next to its placeholder: "ING" in "ING naam"


def _filled_value(a, b, i1, i2, j1, j2, left, right, placeholders, meaning) -> bool:
    """Is this differing stretch a value: words on one side where the other has a placeholder, or a
    few words next to a placeholder of their own side? Never when a meaning word is in it."""
    if any(a[i][1] in meaning for i in left) or any(b[j][1] in meaning for j in right):
        return False
    if i2 > i1 and j2 > j1:  # replace: one side only a value, the other a few words
        return (_only_value(a, i1, i2, left, b, right, placeholders)
                or _only_value(b, j1, j2, right, a, left, placeholders))
    side, lo, hi, words = (a, i1, i2, left) if i2 > i1 else (b, j1, j2, right)
    beside = [k for k in (lo - 1, hi) if 0 <= k < len(side)]
    return len(words) <= _MAX_REMNANT_WORDS and any(side[k][0] in placeholders for k in beside)


def _only_value(side, lo, hi, block_words, other, other_words, placeholders) -> bool:
    kinds = {t[0] for t in side[lo:hi] if t[0] in placeholders}
    if not kinds or len(block_words) > _MAX_REMNANT_WORDS or len(other_words) > _MAX_VALUE_WORDS:
        return False  # a placeholder with at most the rest of its value ("toyota naam")
    if SLOT in kinds and any(is_dutch_word(side[k][0]) for k in block_words):
        return False  # a learned slot stands for its filler alone: words beside it are the clause's own
    # a name in lower case or capitals is not a word of the lexicon: "buitenland" is no name
    return kinds != {"naam"} or not any(is_dutch_word(other[k][0]) for k in other_words)


_MAX_ABBREVIATION_LETTERS = 6


def abbreviates(short: Sequence[Token], long: Sequence[Token]) -> bool:
    """Is `short` an abbreviation of `long`, as administrations write them? Initials, one a word
    ("p g" / "per gebeurtenis", "i v m" / "in verband met"), or a short letter run that is no word
    of its own and spells the word's letters in order from its first ("nr" / "nummer", "mnd" /
    "maanden", "vn" / "verzekeringnemer", "verz nemer" / "verzekeringnemer", "incl" / "inclusief")."""
    if not short or not long or len(short) > 4:
        return False
    shorts = [t[0] for t in short]
    longs = [t[0] for t in long]
    if len(shorts) == len(longs) >= 2 and all(len(x) <= 2 and y.startswith(x) and len(y) > len(x)
                                                for x, y in zip(shorts, longs)):
        return True
    if len(longs) != 1:
        return False
    joined, word = "".join(shorts), longs[0]
    if joined[0] != word[0] or len(word) <= len(joined) or any(x.isdigit() for x in shorts):
        return False
    if any(len(x) > _MAX_ABBREVIATION_LETTERS and not word.endswith(x) for x in shorts):
        return False
    if any(is_dutch_word(x) and len(x) > 2 and (len(shorts) == 1 or not word.endswith(x)) for x in shorts):
        return False  # "brand" is no abbreviation of "bedrijfsbrand": it is a word of its own
    letters = iter(word)
    return all(ch in letters for ch in joined)


def differing_stretches(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) of every stretch where the word sequences differ, adjacent edits joined
    (a value of two words against one placeholder is one stretch). Levenshtein alignment in C."""
    stretches: list[list[int]] = []
    for op in Levenshtein.opcodes(list(a), list(b)):
        if op.tag == "equal":
            continue
        if stretches and stretches[-1][1] == op.src_start and stretches[-1][3] == op.dest_start:
            stretches[-1][1], stretches[-1][3] = op.src_end, op.dest_end
        else:
            stretches.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [tuple(x) for x in stretches]


def _spaced_alike(a: Sequence[Token], b: Sequence[Token]) -> bool:
    """The same letters written as one word or as several ("mee verzekerd" / "meeverzekerd",
    "bedrijfs-gebouw" / "bedrijfsgebouw")."""
    return "".join(w for w, _ in a) == "".join(w for w, _ in b)


def align(a: Sequence[Token], b: Sequence[Token], moved: bool = False) -> Alignment:
    """`moved`: a word one side has in another place of the text than the other side ("is
    goedgekeurd door een erkende instelling" / "door een erkende instelling goedgekeurde") is the
    same word, not an extra on each side."""
    placeholders, meaning = masking_rules().placeholders, masking_rules().meaning_words
    sig_a, sig_b = [meaningful(t) for t in a], [meaningful(t) for t in b]
    status_a = [_MATCH if s else _IGNORE for s in sig_a]
    status_b = [_MATCH if s else _IGNORE for s in sig_b]
    stretches: list[tuple[tuple[int, int, int, int], list[int], list[int]]] = []
    lemmas_a, lemmas_b = [t[1] for t in a], [t[1] for t in b]
    if lemmas_a == lemmas_b:  # the common case: nothing to align
        return Alignment([], status_a, status_b, sig_a, sig_b)
    for i1, i2, j1, j2 in differing_stretches(lemmas_a, lemmas_b):
        left = [i for i in range(i1, i2) if sig_a[i]]
        right = [j for j in range(j1, j2) if sig_b[j]]
        if _filled_value(a, b, i1, i2, j1, j2, left, right, placeholders, meaning):
            continue
        if abbreviates(a[i1:i2], b[j1:j2]) or abbreviates(b[j1:j2], a[i1:i2]):
            continue
        if i2 > i1 and j2 > j1 and _spaced_alike(a[i1:i2], b[j1:j2]):
            continue
        # pair typos and inflections; a meaningful word may also be a typo of a function word
        # ("woren" for "worden"); what is left over is meaning
        free_b = list(range(j1, j2))
        unpaired_left = []
        for i in left:
            hit = next((j for j in free_b if same_word(a[i], b[j])), None)
            if hit is None:
                unpaired_left.append(i)
            else:
                free_b.remove(hit)
        free_a = [i for i in range(i1, i2) if i not in left]
        unpaired_right = []
        for j in (j for j in right if j in free_b):
            hit = next((i for i in free_a if same_word(a[i], b[j])), None)
            if hit is None:
                unpaired_right.append(j)
            else:
                free_a.remove(hit)
        stretches.append(((i1, i2, j1, j2), unpaired_left, unpaired_right))
    if moved:
        _pair_moved(a, b, stretches)
    conflicts = []
    for where, unpaired_left, unpaired_right in stretches:
        for i in unpaired_left:
            status_a[i] = _EXTRA
        for j in unpaired_right:
            status_b[j] = _EXTRA
        if unpaired_left and unpaired_right:
            conflicts.append(where)
    return Alignment(conflicts, status_a, status_b, sig_a, sig_b)


def _pair_moved(a: Sequence[Token], b: Sequence[Token], stretches) -> None:
    """Unpaired words of one stretch that are the same word as an unpaired word of another
    stretch on the other side were moved, not added: they leave the unpaired lists."""
    for k, (_, left, _) in enumerate(stretches):
        for i in list(left):
            for m, (_, _, right) in enumerate(stretches):
                hit = next((j for j in right if m != k and same_word(a[i], b[j])), None)
                if hit is not None:
                    left.remove(i)
                    right.remove(hit)
                    break


def same_clause(a: Sequence[Token], b: Sequence[Token]) -> bool:
    """Same template word for word, up to values, typos, inflection and function words."""
    result = align(a, b)
    return not result.conflict and _EXTRA not in result.status_a and _EXTRA not in result.status_b


# whole sentences one side lacks: those the sides share must hold this share of each side's words
MIN_SHARED_SHARE = 0.5
_DRIFT_EXTRA_WORDS = 1  # per shared sentence, against a library clause (meaning words never)
_NOTE_SHARE = 0.25


def same_clause_by_sentences(a: Sequence[Sentence], b: Sequence[Sentence], min_shared: float = 0.6,
                             min_shared_words: int = 4, drift: bool = False) -> bool:
    """Like `same_clause`, but either side may have whole sentences the other lacks (a dropped
    optional tail, an appended neutral sentence), as long as the sentences they share are the same
    and hold, on each side, half of its meaningful words (`min_shared` when both sides have extras
    of some weight) and at least `min_shared_words`. With `drift` (a policy clause against the
    library clause it was typed from): words may stand in another place, and a shared sentence may
    have one word the other lacks that is no meaning word ("track and trace" / "track trace")."""
    flat_a = [t for s in a for t in s]
    flat_b = [t for s in b for t in s]
    result = align(flat_a, flat_b, moved=drift)
    owner_a = [k for k, s in enumerate(a) for _ in s]
    owner_b = [k for k, s in enumerate(b) for _ in s]
    # sentences with at least one shared meaningful word
    shared_a = {owner_a[i] for i, (sig, st) in enumerate(zip(result.significant_a, result.status_a))
                if sig and st == _MATCH}
    shared_b = {owner_b[j] for j, (sig, st) in enumerate(zip(result.significant_b, result.status_b))
                if sig and st == _MATCH}
    for i1, i2, j1, j2 in result.conflicts:
        # other words against other words is a conflict, unless both are whole sentences of their own
        # (an optional last sentence on one side, a neutral one appended on the other)
        if {owner_a[i] for i in range(i1, i2)} & shared_a or {owner_b[j] for j in range(j1, j2)} & shared_b:
            return False
    meaning = masking_rules().meaning_words
    counts = []  # (shared, extra) meaningful words per side
    for sentences, status, significant in ((a, result.status_a, result.significant_a),
                                           (b, result.status_b, result.significant_b)):
        shared = extra = pos = 0
        for sentence in sentences:
            part = range(pos, pos + len(sentence))
            pos += len(sentence)
            matched = sum(1 for k in part if significant[k] and status[k] == _MATCH)
            added = sum(1 for k in part if status[k] == _EXTRA)
            if matched and added and drift and any(
                    status[k] == _EXTRA and (t[1] in meaning or t[0] in meaning or t[0].isdigit())
                    for k, t in zip(part, sentence)):
                return False  # "niet", "alleen" or a number added changes what it agrees
            if matched and added > (_DRIFT_EXTRA_WORDS if drift else 0):
                return False  # words added inside a shared sentence change it
            shared += matched
            extra += added
        counts.append((shared, extra))
    # extras on one side only, or a short note (a quarter of its side's words at most) against an
    # optional sentence: half shared is enough; two substantial sentences of their own need more
    note = any(extra <= _NOTE_SHARE * (shared + extra) for shared, extra in counts)
    needed = MIN_SHARED_SHARE if note else min_shared
    return all(not extra or (shared >= min_shared_words and shared >= needed * (shared + extra))
               for shared, extra in counts)


@functools.lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    return simplemma.lemmatize(word, lang="nl")


def lemma_tokens(key: str) -> list[Token]:
    """Tokens of a comparison key with simplemma's Dutch lemmas ("goedgekeurde" / "goedgekeurd")."""
    return [(w, _lemma(w)) for w in key.split()]


def plain_tokens(key: str) -> list[Token]:
    """Tokens of a comparison key without a lemmatizer (surface form as its own lemma)."""
    return [(w, w) for w in key.split()]


def near_miss(a: str, b: str, min_ratio: float) -> bool:
    """Two comparison keys close in characters (`min_ratio`) that are not the same clause (another
    peril, object or "niet")."""
    return a != b and fuzz.ratio(a, b) >= min_ratio * 100 and not same_clause(plain_tokens(a), plain_tokens(b))
