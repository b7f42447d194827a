import datetime

import pytest

from hienfeld.advice_codes import AdviceCode
from hienfeld.hygiene import check_hygiene

TODAY = datetime.date(2026, 11, 29)


def code_of(text: str) -> str | None:
    advice = check_hygiene(text, TODAY)
    return None if advice is None else advice.code


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\u00a0"])
def test_empty_text(text):
    advice = check_hygiene(text, TODAY)
    assert advice is not None
    assert (advice.code, advice.confidence) == (AdviceCode.EMPTY, "Hoog")
    assert "leeg" in advice.reason


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("Verzekerde: [invullen].", "[invullen]"),
        ("Ten name van [naam] te [woonplaats].", "[naam]"),
        ("Ten behoeve van [naam verzekerde] geldt het volgende.", "[naam verzekerde]"),
        ("Ten behoeve van <invullen> geldt het volgende.", "<invullen>"),
        ("Polisnummer XXX wordt aangepast.", "XXX"),
        ("Polisnummer XXXXX wordt aangepast.", "XXXXX"),
        ("Het eigen risico bedraagt EUR ___ per gebeurtenis.", "___"),
        ("Het eigen risico bedraagt ..... per gebeurtenis.", "....."),
        ("Meeverzekerd is ??? tot een bedrag van € 500.", "???"),
        ("Geachte {naam}, hierbij bevestigen wij de dekking.", "{naam}"),
    ],
)
def test_placeholders_are_named(text, placeholder):
    advice = check_hygiene(text, TODAY)
    assert advice is not None
    assert (advice.code, advice.confidence) == (AdviceCode.FILL, "Hoog")
    assert advice.reason.startswith("Bevat")
    assert f"'{placeholder}'" in advice.reason


def test_the_reason_for_a_single_placeholder_is_exact():
    advice = check_hygiene("Verzekerde: [invullen].", TODAY)
    assert advice is not None
    assert advice.reason == "Bevat een niet ingevulde plaatshouder: '[invullen]'"


def test_several_placeholders_are_counted_and_named_in_text_order():
    advice = check_hygiene("Naam: [naam], polis XXX, bedrag ___", TODAY)
    assert advice is not None
    assert advice.reason == "Bevat 3 niet ingevulde plaatshouders: '[naam]', 'XXX', '___'"


def test_unicode_ellipsis_run_counts_as_dots():
    assert code_of("Het bedrag is …… per jaar.") == AdviceCode.FILL


@pytest.mark.parametrize(
    "text",
    [
        "De dekking geldt voor diefstal, brand, storm...",
        "Zie artikel 3 [1] en bijlage [A].",
        "Regel<br>volgende regel",
        "De maat XXL en het woord xxx zijn geen plaatshouders.",
        "Twee underscores __ en twee vragen?? niet.",
        "Dit is een [Naam] met een hoofdletter.",
        "Afkorting MAXXX hoort bij een merknaam.",
    ],
)
def test_ordinary_text_is_not_a_placeholder(text):
    assert code_of(text) is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Vergoed wordt de reÃ«le waarde.", "Ã«"),
        ("CafÃ© en restaurant zijn uitgesloten.", "Ã©"),
        ("Ã¨ verzekerd", "Ã¨"),
        ("Verzekerdeâ€™s woning", "â€™"),
        ("â€œDekkingâ€\x9d volgens polis", "â€œ"),
        ("Periode 2019â€“2020", "â€“"),
        ("Bedrag:Â 500", "Â "),
        ("Bedrag:Â\u00a0500", "Â "),
        ("ï»¿Clausule over diefstal", "ï»¿"),
        ("Schade door \ufffd wordt vergoed", "U+FFFD"),
    ],
)
def test_mojibake_is_named(text, named):
    advice = check_hygiene(text, TODAY)
    assert advice is not None
    assert (advice.code, advice.confidence) == (AdviceCode.CLEAN, "Hoog")
    assert "tekencodering" in advice.reason
    assert named in advice.reason


@pytest.mark.parametrize(
    ("char", "named"),
    [("\x00", "U+0000"), ("\x07", "U+0007"), ("\x0c", "U+000C"), ("\x7f", "U+007F")]
    + [("\x85", "U+0085"), ("\x9f", "U+009F")],
)
def test_control_characters_are_named(char, named):
    advice = check_hygiene(f"Schade{char} door storm", TODAY)
    assert advice is not None
    assert advice.code == AdviceCode.CLEAN
    assert "stuurtekens" in advice.reason and named in advice.reason


def test_tab_newline_and_carriage_return_are_allowed():
    assert code_of("Schade\tdoor\r\nstorm en\nhagel") is None


def test_correct_dutch_accents_are_not_mojibake():
    assert code_of("Café, reële waarde, één gebeurtenis, à € 500, naïef") is None


def test_placeholder_goes_before_mojibake_and_mojibake_before_expiry():
    assert code_of("CafÃ© [invullen]") == AdviceCode.FILL
    assert code_of("CafÃ© geldig tot 01-01-2020") == AdviceCode.CLEAN


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Deze clausule is geldig tot 01-01-2020.", "01-01-2020"),
        ("Geldig tot en met 31/12/2019.", "31-12-2019"),
        ("Dekking t/m 1-3-21.", "01-03-2021"),
        ("Meeverzekerd tot en met 15.06.2022.", "15-06-2022"),
        ("Deze clausule vervalt op 2021-07-01.", "01-07-2021"),
        ("Deze clausule vervalt per 1 maart 2021.", "01-03-2021"),
        ("De regeling loopt af op 1 mrt. 2021.", "01-03-2021"),
        ("De regeling loopt af 30 september 2020.", "30-09-2020"),
        ("Opzeggen kan uiterlijk 01-10-2024.", "01-10-2024"),
        ("De dekking eindigt per 01-01-2025.", "01-01-2025"),
        ("De dekking eindigt op 1 jan 2025.", "01-01-2025"),
        ("De toezegging verloopt op 31-12-2023.", "31-12-2023"),
        ("Geldig tot uiterlijk 01-01-2020.", "01-01-2020"),
        ("Expiratiedatum: 01-01-2022", "01-01-2022"),
        ("Einddatum 1 okt. 2023", "01-10-2023"),
        ("Ingangsdatum 01-01-2015, contracteinddatum 01-01-2019.", "01-01-2019"),
        ("Deze clausule vervalt met ingang van 01-01-2020.", "01-01-2020"),
        ("Met ingang van 01-01-2015 tot en met 31-12-2019 meeverzekerd.", "31-12-2019"),
        ("GELDIG TOT 01-01-2020", "01-01-2020"),
        # a one-letter slip in the verb
        ("De meeverzekering eindgt op 12/10/2026.", "12-10-2026"),
        ("DEZE CLAUSULE VERVLT PER 09/05/2026.", "09-05-2026"),
        ("Deze clausule vervallt per 21 november 2024.", "21-11-2024"),
        ("Deze bepaling geldt tot uitterlijk 2026-07-29.", "29-07-2026"),
    ],
)
def test_past_expiry_date(text, shown):
    advice = check_hygiene(text, TODAY)
    assert advice is not None
    assert (advice.code, advice.confidence) == (AdviceCode.LAPSED, "Hoog")
    assert advice.reason == f"Clausule is verlopen: geldig tot {shown}"


@pytest.mark.parametrize(
    "text",
    [
        # future dates, and today itself (still valid on its last day)
        "Deze clausule is geldig tot 01-01-2030.",
        "Geldig t/m 29-11-2026.",
        "Geldig tot 1-1-30.",
        "Einddatum 1 januari 2027.",
        # dates outside an expiry phrase
        "Zie onze brief van 01-02-2019.",
        "Conform polis d.d. 1-1-2015.",
        "Ingangsdatum: 01-01-2015.",
        "Meeverzekerd sinds 01-01-2015.",
        "Met ingang van 01-01-2015 is de dekking uitgebreid.",
        "Per 1-1-2020 is het eigen risico verlaagd.",
        # birth dates
        "Verzekerde, geboren 01-01-1960, is meeverzekerd.",
        "Geboortedatum: 12-03-1985.",
        "J. Jansen (geb. 12-03-1985) is bestuurder.",
        "Kinderen geboren t/m 31-12-2005 zijn meeverzekerd.",
        # law and regulation dates
        "Conform de Wet van 12 mei 2019.",
        "Zoals bedoeld in het Besluit van 1 maart 2021 (Staatsblad 2021, 123).",
        "Artikel 7:940 BW zoals gewijzigd op 01-01-2018.",
        "Volgens artikel 3 van de regeling van 1 januari 2020.",
        # invalid dates
        "Geldig tot 31-02-2020.",
        "Geldig tot 2020-13-01.",
        # not a date at all
        "Opzeggen kan uiterlijk 30 dagen voor de vervaldag.",
        # a word of its own one letter from an expiry verb
        "Het verval op 01-01-2020 is gemeld.",
    ],
)
def test_not_an_expired_clause(text):
    assert check_hygiene(text, TODAY) is None


def test_an_invalid_date_does_not_hide_a_valid_later_one():
    advice = check_hygiene("Geldig tot 31-02-2020, daarna t/m 01-03-2020.", TODAY)
    assert advice is not None
    assert advice.reason == "Clausule is verlopen: geldig tot 01-03-2020"


def test_an_extension_into_the_future_keeps_the_clause():
    assert check_hygiene("Geldig t/m 31-12-2019, verlengd t/m 31-12-2030.", TODAY) is None


def test_the_latest_past_expiry_date_is_reported():
    advice = check_hygiene("Geldig t/m 31-12-2018, verlengd t/m 31-12-2020.", TODAY)
    assert advice is not None
    assert advice.reason == "Clausule is verlopen: geldig tot 31-12-2020"


def test_birth_marker_in_an_earlier_sentence_does_not_block_expiry():
    text = "Bestuurder is geboren 01-01-1960. Deze clausule vervalt op 01-01-2020."
    assert code_of(text) == AdviceCode.LAPSED


def test_expiry_depends_on_today():
    text = "Geldig tot 01-01-2020."
    assert check_hygiene(text, datetime.date(2019, 6, 1)) is None
    assert check_hygiene(text, datetime.date(2020, 1, 2)) is not None


def test_clean_clause_gives_no_advice():
    assert check_hygiene("Stormschade aan de woning is meeverzekerd tot € 1.250,-.", TODAY) is None


def test_nnb_and_bracketed_dots_are_placeholders_a_word_with_them_is_not():
    today = datetime.date(2026, 12, 1)
    assert check_hygiene("Hypothecair schuldeiser: nnb.", today).code == AdviceCode.FILL
    assert check_hygiene("Kenteken […], getaxeerd op n.t.b.", today).code == AdviceCode.FILL
    assert check_hygiene("De NNB-regeling van de bank geldt voor deze verzekering.", today) is None
    assert check_hygiene("Pandhouder inventaris en voorraad: PM.", today).code == AdviceCode.FILL
    assert check_hygiene("De taxatiewaarde bedraagt ?.", today).code == AdviceCode.FILL
    assert check_hygiene("Is de woning bewoond? Dan geldt de dekking ook om 5 PM.", today) is None
