"""Masking and the template guard (pure logic): what is noise, what is meaning."""

from __future__ import annotations

import numpy as np
import pytest

from hienfeld.merge import Proposer, candidates, plan_merges
from hienfeld.normalize import normalize_text, sentences, template_text
from hienfeld.template_match import plain_tokens, same_clause, same_clause_by_sentences


def _same(a: str, b: str) -> bool:
    return same_clause(plain_tokens(normalize_text(a)), plain_tokens(normalize_text(b)))


def _same_by_sentences(a: str, b: str) -> bool:
    def split(text: str):
        return [plain_tokens(key) for key in sentences(template_text(text))]
    return same_clause_by_sentences(split(a), split(b))


@pytest.mark.parametrize("a, b", [
    ("Het eigen risico bedraagt € 1.250,- per gebeurtenis.", "Het eigen risico bedraagt EUR 900 per gebeurtenis."),
    ("Eigen risico € 2,5 miljoen.", "Eigen risico 1250 euro."),
    ("Verpand aan ING Bank N.V., IBAN NL91 ABNA 0417 1643 00.", "Verpand aan Rabobank, IBAN NL91ABNA0417164300."),
    ("Het gebouw aan de Kerkstraat 12, 1234 AB Utrecht is verzekerd.", "Het gebouw aan de Dorpsweg 3a is verzekerd."),
    ("Het voertuig met kenteken 12-ABC-3 is verzekerd.", "Het voertuig met kenteken XX-99-YY is verzekerd."),
    ("Let op: Schade door storm is gedekt.", "Schade door storm is gedekt."),
    ("Bijzondere bepaling: Schade door storm is gedekt.", "- Schade door storm is gedekt."),
    ("Schade door storm aan de woning is gedekt.", "SCHADE DOOR STROM AAN DE WONING IS GEDEKT."),
    ("Verzekeringnemer is verplicht de schade te melden.", "Verzekeringnmer is verpligt de schade te melden."),
    ("Schade bij grotexpedities is niet gedekt.", "Scchaed bij grotexpedities is niet gedkket."),
    ("De collectie van J. de Vries is verzekerd.", "De collectie van W. Vos is verzekerd."),
    ("De dekking geldt tot 1 februari 2024: schade door storm is gedekt.", "Schade door storm is gedekt."),
])
def test_values_labels_typos_and_case_are_noise(a, b):
    assert _same(a, b)


@pytest.mark.parametrize("a, b", [
    ("Schade door storm is gedekt.", "Schade door waterschade is gedekt."),
    ("Schade door storm is gedekt.", "Schade door storm is niet gedekt."),
    ("De inboedel is binnen de woning verzekerd.", "De inboedel is buiten de woning verzekerd."),
    ("Het maximum geldt voor 60 dagen.", "Het maximum geldt voor 365 dagen."),
    ("Zaken die verzekerde in bewaring heeft.", "Zaken die verzekerde in bewerking heeft."),
    ("Bij pech in het buitenland is vervoer gedekt.", "Bij pech in Nederland is vervoer gedekt."),
    ("Meeverzekerd tot € 3.500 per aanspraak.", "Meeverzekerd tot € 3.500 per verzekeringsjaar."),
])
def test_another_peril_object_number_or_negation_is_meaning(a, b):
    assert not _same(a, b)


def test_whole_sentences_may_differ_but_not_words_inside_a_shared_sentence():
    core = "Schade door storm aan de tuinmeubelen is gedekt tot € 500 per gebeurtenis."
    assert _same_by_sentences(core, core + " Zie ook het polisblad.")
    assert _same_by_sentences(core + " Het eigen risico bedraagt € 100.", core)
    assert not _same_by_sentences(core, core.replace("is gedekt", "is niet gedekt") + " Zie ook het polisblad.")
    assert not _same_by_sentences("Storm is gedekt. Glas is gedekt. Hagel is gedekt.", "Storm is gedekt.")


def test_merges_join_earlier_clusters_only_after_the_guard_agrees():
    texts = ["Schade door storm aan de schuur is gedekt.",
             "Schade door storm aan de schuur is gedekt. Zie ook het polisblad.",
             "Schade door hagel aan de schuur is gedekt."]
    split = [[plain_tokens(k) for k in sentences(template_text(t))] for t in texts]
    vectors = np.ones((3, 4), np.float32) / 2.0  # every pair proposed: the guard decides
    plan = plan_merges(split, candidates([Proposer(vectors, 0.5)], len(split)))
    assert plan.root == [0, 0, 2]


def test_a_clause_in_capitals_joins_the_one_whose_capitalised_place_was_masked_as_a_name():
    texts = ["Het vervoer van metalen naar bestemmingen buiten Europa is niet gedekt.",
             "HET VERVOER VAN METALEN NAAR BESTEMMINGEN BUITEN EUROPA IS NIET GEDEKT.",
             "HET VERVOER VAN METALEN NAAR BESTEMMINGEN BINNEN EUROPA IS NIET GEDEKT."]
    split = [[plain_tokens(k) for k in sentences(template_text(t))] for t in texts]
    written = [[plain_tokens(k) for k in sentences(template_text(t, mask_names=False))] for t in texts]
    vectors = np.ones((3, 4), np.float32) / 2.0
    proposed = candidates([Proposer(vectors, 0.5)], len(split))
    assert plan_merges(split, proposed).root == [0, 1, 2]  # "naam" against "europa"
    assert plan_merges(split, proposed, as_written=written).root == [0, 0, 2]


def test_a_short_note_against_a_dropped_optional_sentence_is_one_clause_two_other_rules_are_not():
    core = "Voor geschillen over de vereniging van eigenaars geldt een wachttijd van 3 maanden."
    tail = " De wachttijd vervalt als de verzekering aansluit op een eerdere rechtsbijstandverzekering."
    assert _same_by_sentences(core + tail, core + " Zie dossier.")
    duty = "Verzekeringnemer is verplicht te zorgen voor cameratoezicht met opslag van de beelden gedurende 28 dagen."
    assert not _same_by_sentences(duty + " Bij het niet nakomen van deze verplichting vervalt de dekking voor diefstal.",
                                  duty + " Bij het niet nakomen van deze verplichting geldt een extra eigen risico.")


def test_an_optional_sentence_on_one_side_and_a_neutral_one_on_the_other_are_one_clause():
    core = "Schade aan zaken die verzekerde ter reparatie onder zich heeft, is meeverzekerd tot € 1.000 per jaar."
    assert _same_by_sentences(core + " Het eigen risico bedraagt 10% van de schade.", core + " Zie ook het polisblad.")
    assert not _same_by_sentences(core.replace("reparatie", "bewaring") + " Zie ook het polisblad.",
                                  core + " Het eigen risico bedraagt 10% van de schade.")


@pytest.mark.parametrize("a, b", [
    ("Schade wordt vergoed tot € 500 p.g.", "Schade wordt vergoed tot € 500 per gebeurtenis."),
    ("VN moet de schade binnen 3 dagen melden.", "Verzekeringnemer moet de schade binnen 3 dagen melden."),
    ("Leegstand langer dan 2 mnd. melden i.v.m. de dekking.", "Leegstand langer dan 2 maanden melden in verband met de dekking."),
    ("Toestemming van verz.nemer is nodig.", "Toestemming van verzekeringnemer is nodig."),
])
def test_an_abbreviation_is_its_full_form(a, b):
    assert _same(a, b)


def test_a_word_of_its_own_is_no_abbreviation():
    assert not _same("Schade door brand is gedekt.", "Schade door bedrijfsbrand is gedekt.")
    assert not _same("Schade door storm is gedekt.", "Schade door stormschade is gedekt.")
