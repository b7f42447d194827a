"""The comparison key of a clause: amounts, dates and names become placeholders."""

from hienfeld.normalize import normalize_text


def test_amounts_are_replaced_before_punctuation_is_stripped():
    assert normalize_text("Eigen risico € 1.250,- per schade") == normalize_text("eigen risico EUR 900 per schade")
    assert "1 250" not in normalize_text("Eigen risico € 1.250,- per schade")


def test_dates_become_one_placeholder():
    assert normalize_text("geldig tot 01-01-2020") == normalize_text("Geldig tot 1 maart 2021.") == "geldig tot datum"


def test_a_number_that_starts_like_a_date_is_one_number():
    """Loan numbers 98.32.22.580 and 12-03-2019-629 are numbers, not a date with a number after it."""
    assert normalize_text("met leningnummer 98.32.22.580 voor") == normalize_text(
        "met leningnummer 12-03-2019-629 voor") == "met leningnummer nummer voor"


def test_names_mid_sentence_are_masked_but_not_sentence_starts_or_capitals():
    a = normalize_text("De reclame met de naam Bouwbedrijf Van Dijk is verzekerd. Dekking geldt overal.")
    b = normalize_text("De reclame met de naam Jansen Techniek is verzekerd. Dekking geldt overal.")
    assert a == b and a.startswith("de reclame") and "dekking geldt" in a
    assert normalize_text("Dit is NIET gedekt") == "dit is niet gedekt"
    assert normalize_text("ALLES IN HOOFDLETTERS MET NAAM JANSEN") == "alles in hoofdletters met naam jansen"


def test_a_car_make_and_model_are_a_value():
    assert normalize_text("De Opel Corsa met kenteken JX-LD-88 wordt gebruikt voor woon-werkverkeer.") == \
        normalize_text("DE VOLKSWAGEN ID.4 MET KENTEKEN 19-70-BG WORDT GEBRUIKT VOOR WOON-WERKVERKEER.") == \
        normalize_text("De BMW met kenteken 259-FD-2 wordt gebruikt voor woon-werkverkeer.")
