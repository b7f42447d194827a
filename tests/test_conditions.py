"""Conditions documents -> article chunks: headings, fallback, chunk sizes, pages, unique ids."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest

from shipped import LIMITS, parse_conditions

from hienfeld.document_text import extract_pages
from hienfeld.errors import InputError, UnsupportedFileError


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one page per inner list, one Helvetica text line per entry (ASCII)."""

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the pages are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for lines in pages:
        ops = " ".join(f"({escape(line)}) Tj T*" for line in lines)
        stream = f"BT /F1 11 Tf 14 TL 50 780 Td {ops} ET".encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_ref
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        " ".join(f"{k} 0 R" for k in kids).encode(),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def txt(text: str) -> bytes:
    return text.encode("utf-8")


def articles(chunks) -> dict[str, str]:
    """article_id -> title of every chunk."""
    return {chunk.article_id: chunk.title for chunk in chunks}


HEADINGS_DOC = """Algemene voorwaarden

Art. 2.3
Dekking
Wij vergoeden schade door brand.
2.4 Eigen risico
Het eigen risico is 250 euro.
Artikel 12 Fraude
Bij fraude vervalt elk recht op uitkering.
"""


def test_headings_art_numbered_and_artikel_are_recognised_with_titles():
    chunks = parse_conditions([("v.txt", txt(HEADINGS_DOC))])
    found = articles(chunks)
    assert found["2.3"] == "Dekking"  # bare "Art. 2.3" takes the title from the next line
    assert found["2.4"] == "Eigen risico"
    assert found["12"] == "Fraude"
    by_id = {chunk.article_id: chunk.text for chunk in chunks}
    assert by_id["12"] == "Bij fraude vervalt elk recht op uitkering."
    assert by_id["2.4"] == "Het eigen risico is 250 euro."


def test_plain_numbered_headings_and_title_after_dot():
    text = "1 Algemeen\nDit geldt altijd.\n5. Uitsluitingen\nNiet verzekerd is opzet.\n"
    chunks = parse_conditions([("v.txt", txt(text))])
    assert articles(chunks) == {"1": "Algemeen", "5": "Uitsluitingen"}


def test_year_amount_date_and_prose_lines_are_not_headings():
    text = (
        "Artikel 1 Begin\n"
        "Tekst van het eerste artikel.\n"
        "2021 was een goed jaar\n"
        "3 De verzekerde is verplicht om de schade direct te melden.\n"
        "12-03-2021 Ingangsdatum van de verzekering\n"
        "1.250 Euro eigen risico\n"
        "artikel 7 van deze voorwaarden is niet van toepassing.\n"
    )
    chunks = parse_conditions([("v.txt", txt(text))])
    assert {chunk.article_id for chunk in chunks} == {"1"}
    assert "2021 was een goed jaar" in chunks[-1].text


def test_list_item_inside_article_is_not_a_heading():
    text = (
        "Artikel 5 Uitsluitingen\nNiet verzekerd is schade:\n1. Door opzet\n2. Door oorlog\n"
        "Artikel 6 Slot\nEinde.\n"
    )
    chunks = parse_conditions([("v.txt", txt(text))])
    assert articles(chunks) == {"5": "Uitsluitingen", "6": "Slot"}
    assert "2. Door oorlog" in chunks[0].text


def test_table_of_contents_lines_are_not_articles():
    text = (
        "Inhoud\n1 Algemeen ........ 2\n2 Dekking ........ 3\n"
        "1 Algemeen\nAlgemene tekst.\n2 Dekking\nGedekt is brand.\n"
    )
    chunks = parse_conditions([("v.txt", txt(text))])
    by_id = {c.article_id: c.text for c in chunks if not c.article_id.startswith("§")}
    assert by_id == {"1": "Algemene tekst.", "2": "Gedekt is brand."}


def test_document_without_articles_falls_back_to_paragraphs_and_titles():
    text = (
        "Inleiding\nDeze polis dekt uw inboedel.\n\n"
        "Wij betalen binnen dertig dagen.\nDaarna rente.\n"
        "Schade melden\nMeld schade binnen drie dagen.\n"
    )
    chunks = parse_conditions([("polis.txt", txt(text))])
    assert [(c.article_id, c.title, c.text) for c in chunks] == [
        ("§1", "Inleiding", "Deze polis dekt uw inboedel."),
        ("§2", "", "Wij betalen binnen dertig dagen. Daarna rente."),
        ("§3", "Schade melden", "Meld schade binnen drie dagen."),
    ]
    assert chunks[0].label() == "polis.txt – Inleiding"


def test_fallback_does_not_take_short_wrapped_lines_for_titles():
    text = "Schade melden\nDe verzekerde meldt\nde schade direct. Hij\nDoet dat per brief\n"
    chunks = parse_conditions([("smal.txt", txt(text))])
    assert [(c.title, c.text) for c in chunks] == [
        ("Schade melden", "De verzekerde meldt de schade direct. Hij Doet dat per brief")
    ]


def test_chunks_stay_near_chunk_chars_and_whole_article_is_kept():
    sentences = [f"Zin {i} beschrijft een onderdeel van de dekking." for i in range(30)]
    text = "Artikel 3 Dekking\n" + "\n".join(sentences) + "\n"
    chunks = parse_conditions([("v.txt", txt(text))], chunk_chars=200)
    whole = " ".join(sentences)
    windows = [c for c in chunks if c.text != whole]
    assert len(chunks) == len(windows) + 1  # exactly one whole-article chunk
    assert len(windows) > 5
    assert all(len(c.text) <= 200 for c in windows)
    # consecutive windows overlap by one sentence
    assert windows[0].text.split(". ")[-1].rstrip(".") in windows[1].text
    assert [c.chunk_id for c in chunks] == list(range(len(chunks)))


def test_one_sentence_without_breaks_is_cut_at_words():
    text = "Artikel 1 Lang\n" + " ".join(["woord"] * 300) + "\n"
    chunks = parse_conditions([("v.txt", txt(text))], chunk_chars=100)
    assert max(len(c.text) for c in chunks if len(c.text) < 1000) <= 100
    assert max(len(c.text) for c in chunks) == len(" ".join(["woord"] * 300))


def test_short_article_gives_a_single_chunk():
    chunks = parse_conditions([("v.txt", txt("Artikel 1 Kort\nEen zin. Nog een zin.\n"))])
    assert [c.text for c in chunks] == ["Een zin. Nog een zin."]


def test_pdf_pages_are_those_where_the_chunk_starts():
    pdf = make_pdf(
        [
            ["Artikel 1 Algemeen", "Deze tekst staat op pagina een."],
            ["Vervolg van artikel een.", "Artikel 2 Diefstal", "Diefstal is gedekt na braak."],
        ]
    )
    assert [page for page, _ in extract_pages("v.pdf", pdf, LIMITS)] == [1, 2]
    chunks = parse_conditions([("v.pdf", pdf)])
    pages = {c.article_id: c.page for c in chunks}
    assert pages == {"1": 1, "2": 2}
    assert chunks[0].text == "Deze tekst staat op pagina een. Vervolg van artikel een."


def test_pseudo_article_on_page_two_is_labelled_with_file_and_page():
    pdf = make_pdf([["Voorwoord"], ["Dit is gewone lopende tekst zonder nummers."]])
    chunks = parse_conditions([("bijlage.pdf", pdf)])
    assert [c.label() for c in chunks] == ["bijlage.pdf, pagina 2"]


def test_article_ids_unique_across_files_first_keeps_plain_id():
    first = txt("Artikel 2.3 Brand\nBrand is gedekt.\nArtikel 2.4 Storm\nStorm is gedekt.\n")
    second = txt("Artikel 2.3 Water\nWater is gedekt.\nArtikel 2.3 Nogmaals\nDubbel.\n")
    chunks = parse_conditions([("voorwaarden.txt", first), ("bijlage.txt", second)])
    ids = ["2.3", "2.4", "2.3 (bijlage.txt)", "2.3 (bijlage.txt, 2)"]
    assert [c.article_id for c in chunks] == ids
    assert chunks[2].label() == "Art. 2.3 (bijlage.txt) – Water"


def test_docx_paragraphs_and_tables_are_read():
    data = make_docx(["Artikel 1 Algemeen", "Tekst in een alinea."], table=[["Bedrag", "250 euro"]])
    chunks = parse_conditions([("v.docx", data)])
    assert chunks[0].text == "Tekst in een alinea. Bedrag 250 euro"
    assert chunks[0].page is None


def test_txt_in_cp1252_and_utf8_bom_keeps_accents():
    text = "Artikel 1 Premie\nDe premie is € 12,50 per maand voor de inboedel van de ëigenaar.\n"
    for data in (text.encode("cp1252"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        chunks = parse_conditions([("v.txt", data)])
        assert chunks[0].article_id == "1"
        assert "€ 12,50" in chunks[0].text and "ëigenaar" in chunks[0].text


def test_empty_file_list_gives_no_chunks():
    assert parse_conditions([]) == []


def test_unknown_extension_is_unsupported():
    with pytest.raises(UnsupportedFileError, match=r"'\.odt'.*\.pdf, \.docx, \.txt"):
        parse_conditions([("voorwaarden.odt", b"whatever")])


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("voorwaarden.pdf", b"this is not a pdf", r"de PDF kon niet worden gelezen"),
        ("v.docx", b"PK\x03\x04broken", r"beschadigd of geen Word-bestand"),
        ("leeg.txt", b"", r"het bestand is leeg"),
        ("spaties.txt", b"  \n\n ", r"geen tekst gevonden"),
        ("binair.txt", b"\x00\x01\x02", r"geen tekstbestand"),
    ],
)
def test_unreadable_files_raise_a_dutch_input_error(filename, data, message):
    with pytest.raises(InputError, match=message):
        parse_conditions([(filename, data)])


def test_pdf_without_text_is_an_input_error():
    with pytest.raises(InputError, match=r"geen tekst gevonden.*gescande PDF"):
        parse_conditions([("scan.pdf", make_pdf([[]]))])


@pytest.mark.parametrize(("user_password", "readable"), [("geheim", False), ("", True)])
def test_encrypted_pdf_is_read_only_without_user_password(user_password, readable):
    source = pypdf.PdfReader(io.BytesIO(make_pdf([["Artikel 1 Test", "Hallo."]])))
    writer = pypdf.PdfWriter(clone_from=source)
    writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    if readable:
        assert [c.text for c in parse_conditions([("geheim.pdf", buffer.getvalue())])] == ["Hallo."]
    else:
        with pytest.raises(InputError, match=r"met een wachtwoord beveiligd"):
            parse_conditions([("geheim.pdf", buffer.getvalue())])
