"""Numbered sub-articles stay inside their article and are named as the most specific unit."""

from __future__ import annotations

from shipped import parse_conditions
from hienfeld.normalize import library_reading, normalize_text
from hienfeld.paraphrase import word_share
from hienfeld.sub_articles import SubArticles
from hienfeld.template_match import plain_tokens, same_clause

CONDITIONS = """Artikel 12 Eigen risico
12.1 Per schadegeval geldt een eigen risico van € 250.
12.2 Voor stormschade geldt een eigen risico van € 500,
ongeacht het aantal getroffen objecten.
Artikel 13 Verplichtingen
Lid 1 Verzekeringnemer moet schade direct melden.
Lid 2 Verzekeringnemer moet de aanwijzingen van de expert volgen.
"""


def test_sub_articles_are_chunks_of_their_own_and_the_article_is_kept_whole():
    chunks = parse_conditions([("v.txt", CONDITIONS.encode())], chunk_chars=400)
    by_label = {c.label(): c.text for c in chunks}
    assert by_label["Art. 12.1 – Eigen risico"].startswith("12.1 Per schadegeval")
    assert "ongeacht het aantal" in by_label["Art. 12.2 – Eigen risico"]  # a wrapped line stays with it
    assert "13 lid 2" in " ".join(by_label)
    whole = [c for c in chunks if c.article_id == "12" and not c.sub_id]
    assert whole and "12.1" in whole[0].text and "12.2" in whole[0].text
    assert {c.article_id for c in chunks} == {"12", "13"}  # sub-articles are no articles of their own


def test_library_blanks_and_equivalent_words_read_as_the_policy_writes_them():
    library = "Uitkering vindt alleen plaats met toestemming van ............ ; zie [naam bank]."
    policy = "Uitkering vindt uitsluitend plaats met toestemming van 12345678; zie 87654321."
    def same(a: str, b: str) -> bool:
        return same_clause(plain_tokens(normalize_text(library_reading(a))), plain_tokens(normalize_text(library_reading(b))))
    assert same(library, policy)
    assert not same(library, policy.replace("toestemming", "weigering"))
    assert not same("Verpand aan [naam bank].", "Verpand aan ING.".replace("Verpand", "Uitgesloten"))


LOCATE = """Artikel 20 Eigen risico
20.1 Per schadegeval wordt onder de rubriek opstal een bedrag van € 250 in mindering gebracht.
20.2 Voor de rubriek aansprakelijkheid geldt een eigen risico van € 100 per gebeurtenis.
20.3 Zijn meer rubrieken van toepassing, dan geldt het eigen risico slechts eenmaal.
Artikel 21 Slotbepaling
Op deze verzekering is Nederlands recht van toepassing.
"""


def _locate(clause: str, label_of_start: str, cosine=None) -> str:
    chunks = parse_conditions([("v.txt", LOCATE.encode())], chunk_chars=400)
    start = next(c for c in chunks if c.label() == label_of_start)
    return SubArticles(chunks, cosine).locate(clause, start).label()


def test_the_sub_article_stating_the_clauses_amount_is_named_over_a_sibling_with_its_words():
    clause = "Voor de opstaldekking geldt een vast eigen risico van € 250,- per gebeurtenis."
    assert _locate(clause, "Art. 20 – Eigen risico") == "Art. 20.1 – Eigen risico"
    assert _locate(clause, "Art. 20.2 – Eigen risico") == "Art. 20.1 – Eigen risico"
    # another amount than any sub-article states: the words decide
    assert _locate(clause.replace("250", "175"), "Art. 20 – Eigen risico") == "Art. 20.2 – Eigen risico"


def test_without_amounts_the_words_and_the_encoder_decide_and_articles_without_rules_stay():
    clause = "Het eigen risico wordt per gebeurtenis maar eenmaal toegepast, ook bij meer rubrieken."
    assert _locate(clause, "Art. 20 – Eigen risico") == "Art. 20.3 – Eigen risico"
    prefers_first = lambda a, b: 1.0 if b.startswith("20.1") else 0.0  # noqa: E731
    assert _locate(clause, "Art. 20 – Eigen risico", prefers_first) == "Art. 20.1 – Eigen risico"
    assert _locate(clause, "Art. 21 – Slotbepaling") == "Art. 21 – Slotbepaling"


def test_a_library_clause_typed_with_other_spacing_is_the_same_clause():
    def same(a: str, b: str) -> bool:
        return same_clause(plain_tokens(normalize_text(library_reading(a))),
                           plain_tokens(normalize_text(library_reading(b))))
    standard = "Een deel van het bedrijfsgebouw is jaarlijks gecontroleerd; de inventaris is meeverzekerd."
    assert same("Een deel van het bedrijfs-gebouw is jaarlijks gecontroleerd; de inventaris is mee verzekerd.",
                standard)
    assert not same("Een deel van het woonhuis is jaarlijks gecontroleerd; de inventaris is mee verzekerd.",
                    standard)  # another object is another clause


def test_the_share_of_a_clauses_words_in_a_sentence_counts_lemmas_and_typos_not_other_words():
    clause = [("schade", "schade"), ("verzekerde", "verzekeren"), ("gebouwen", "gebouw"), ("fiets", "fiets"),
              ("de", "de")]
    sentence = [("scchade", "scchade"), ("verzekerd", "verzekeren"), ("gebouw", "gebouw"), ("auto", "auto")]
    # schade (a typo), verzekerde (its lemma) and gebouwen (its lemma) are found, fiets is not
    assert word_share(clause, sentence) == 3 / 4
    assert word_share(clause, []) == 0.0 and word_share([("de", "de")], sentence) == 0.0
