"""Word slots learned from the export (pure logic): a position where otherwise equal templates show
many different words is a slot; a word seen with one or two alternatives is meaning."""

from __future__ import annotations

from itertools import combinations

from hienfeld.normalize import SLOT, normalize_text
from hienfeld.slots import learn_slots
from hienfeld.template_match import plain_tokens, same_clause

NEVER = frozenset({"niet", "geen", "wel"})


def _words(texts):
    return [[normalize_text(t).split()] for t in texts]


def _all_pairs(n):
    return [(j, i) for i, j in combinations(range(n), 2)]


OBJECTS = ["schuur", "garage", "carport", "paardenstal", "tuinhuis"]


def _outbuildings():
    return [f"Meeverzekerd is de vrijstaande {o} op het risicoadres tot een bedrag van € 5.000." for o in OBJECTS]


def test_a_word_varying_in_an_equal_context_becomes_one_slot():
    texts = _outbuildings()
    slots = learn_slots(_words(texts), _all_pairs(len(texts)), NEVER)
    masked = {tuple(slots.spans(w[0]) and [t[0] for t in slots.mask([(x, x) for x in w[0]])]) for w in _words(texts)}
    assert len(masked) == 1
    assert SLOT in next(iter(masked))


def test_few_alternatives_typos_and_meaning_words_are_no_slot():
    perils = [f"Schade door {p} aan de schuur is gedekt." for p in ("storm", "hagel", "brand")]
    typos = [f"Schade aan de schuur is {w}." for w in ("gedekt", "gedekr", "gdekt", "gedektt", "gedkt")]
    polarity = [f"Schade aan de schuur is {w} gedekt." for w in ("niet", "wel", "geen", "niet")]
    for texts in (perils, typos, polarity):
        assert len(learn_slots(_words(texts), _all_pairs(len(texts)), NEVER)) == 0, texts


def test_a_slot_needs_the_pair_to_be_proposed_and_its_context_to_match():
    texts = _outbuildings()
    assert len(learn_slots(_words(texts), [], NEVER)) == 0
    slots = learn_slots(_words(texts), _all_pairs(len(texts)), NEVER)
    other = normalize_text("Meeverzekerd is de vrijstaande loods in de haven.").split()
    assert slots.spans(other) == []  # the right context of the learned slot is not there


def test_a_multi_word_value_is_one_slot():
    works = ["nieuwbouw", "renovatie van een winkelpand", "sloop", "uitbreiding van de hal", "verbouwing"]
    texts = [f"Het verzekerde werk bestaat uit {w} op het bouwterrein." for w in works]
    slots = learn_slots(_words(texts), _all_pairs(len(texts)), NEVER)
    masked = [[t[0] for t in slots.mask([(x, x) for x in w[0]])] for w in _words(texts)]
    assert all(m == masked[0] for m in masked) and masked[0].count(SLOT) == 1


def test_a_slot_stands_for_its_filler_alone_not_for_the_clauses_own_words_beside_it():
    def same(a: str, b: str) -> bool:
        return same_clause(plain_tokens(a), plain_tokens(b))
    assert same(f"voor {SLOT} geldt een eigen risico van bedrag", "voor de loods geldt een eigen risico van bedrag")
    assert not same(f"voor {SLOT} storm geldt een eigen risico van bedrag",
                    "voor de loods geldt een eigen risico van bedrag")
    # the rest of a name that is no word (a legal form) may stand beside it
    assert same(f"het pand is eigendom van {SLOT} nv", "het pand is eigendom van peters autoschade")
    assert same(f"het pand is eigendom van {SLOT}", "het pand is eigendom van peters autoschade")
