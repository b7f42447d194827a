"""Numbered sub-articles stay inside their article and are named as the most specific unit."""

from __future__ import annotations

from shipped import parse_conditions
from hienfeld.normalize import library_reading, normalize_text
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
