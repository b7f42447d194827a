"""PDF text as a reader sees it (pure logic on extracted page texts)."""

from __future__ import annotations

from shipped import parse_conditions
from hienfeld.pdf_layout import reading_text

HEADER = "Bedrijvenpakket BDP-2024 | Voorwaarden"


def _pages():
    body = [
        "Inhoudsopgave\nArtikel 1 Eigen risico ........................ 2\nArtikel 2 Uitsluitingen"
        "\n.................................. 3\nArtikel 3 Schade ........................ 3",
        "Artikel 1 Eigen risico\n1.1 Per gebeurtenis geldt een eigen risico van € 250 voor de verze-\nkerde zaken.",
        "1.2 Het eigen risico geldt niet bij glasschade.\nArtikel 2 Uitsluitingen\n2.1 Niet verzekerd is schade door"
        "\nopzet van verzekeringnemer.",
        "Artikel 3 Schade\n3.1 Schade moet binnen 14 dagen worden gemeld, hang-\nen sluitwerk blijft buiten beschouwing.",
    ]
    return [(n, f"{HEADER}\n{text}\nPagina {n} van 4") for n, text in enumerate(body, 1)]


def test_furniture_contents_and_hyphen_breaks_are_gone():
    text = "\n".join(t for _, t in reading_text(_pages()))
    assert HEADER not in text and "Pagina" not in text and "Inhoudsopgave" not in text
    assert "....." not in text
    assert "verzekerde\nzaken" in text and "verze-" not in text
    assert "hang-\nen sluitwerk" in text  # "en" continues: the hyphen was the writer's


def test_a_pdf_gives_the_articles_and_sub_articles_of_its_text(tmp_path):
    pages = reading_text(_pages())
    as_txt = "\n".join(t for _, t in pages).encode()
    chunks = parse_conditions([("v.txt", as_txt)], chunk_chars=400)
    labels = {c.label() for c in chunks}
    assert {"Art. 1.1 – Eigen risico", "Art. 1.2 – Eigen risico", "Art. 2.1 – Uitsluitingen"} <= labels
    assert not any(label.startswith("Art. 1 ") for label in labels if "Inhoud" in label)


def test_a_document_of_one_or_two_pages_keeps_its_lines():
    pages = [(1, "Voorwaarden\nArtikel 1 Dekking\nSchade is gedekt."), (2, "Voorwaarden\nArtikel 2 Einde\nTot slot.")]
    assert reading_text(pages) == pages
