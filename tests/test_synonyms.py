from pathlib import Path

import pytest
import simplemma
import yaml

from hienfeld.normalize import normalize_text
from hienfeld.synonyms import SynonymMap, default_synonyms_path


def lemmas(text: str) -> list[str]:
    return [simplemma.lemmatize(token, lang="nl") for token in normalize_text(text).split()]


@pytest.fixture(scope="module")
def synonyms() -> SynonymMap:
    return SynonymMap.from_yaml(default_synonyms_path())


def test_default_file_has_enough_groups(synonyms: SynonymMap) -> None:
    assert default_synonyms_path().is_file()
    assert len(synonyms) >= 40


def test_every_entry_lists_its_lemma_form_in_the_same_group() -> None:
    # canonicalize receives lemmas, so an entry whose lemma form is missing would never match
    groups = yaml.safe_load(default_synonyms_path().read_text(encoding="utf-8"))["groups"]
    for group in groups:
        terms = {normalize_text(entry) for entry in group}
        for entry in group:
            assert " ".join(lemmas(entry)) in terms, (entry, group[0])


def test_multi_word_terms_are_replaced(synonyms: SynonymMap) -> None:
    assert synonyms.canonicalize(lemmas("het eigen risico bedraagt")) == [
        "het", "eigen_risico", "bedragen",
    ]
    assert synonyms.canonicalize(lemmas("franchise")) == ["eigen_risico"]
    assert synonyms.canonicalize(lemmas("juridische hulp")) == ["rechtsbijstand"]


def test_longest_match_wins() -> None:
    synonyms = SynonymMap([["dekken", "gedekt"], ["uitsluiten", "niet dekken"], ["niet", "geen"]])
    assert synonyms.canonicalize(["is", "niet", "dekken"]) == ["is", "uitsluiten"]
    assert synonyms.canonicalize(["niet", "ook", "dekken"]) == ["niet", "ook", "dekken"]
    assert synonyms.canonicalize(["geen", "gedekt"]) == ["niet", "dekken"]


def test_tokens_without_synonyms_are_unchanged(synonyms: SynonymMap) -> None:
    tokens = ["de", "kat", "krabt", "aan", "de", "bank"]
    assert synonyms.canonicalize(tokens) == tokens
    assert synonyms.canonicalize([]) == []


def test_paraphrases_share_canonical_tokens(synonyms: SynonymMap) -> None:
    clause = set(synonyms.canonicalize(lemmas("Diefstal uit de auto is niet gedekt.")))
    paraphrase = set(
        synonyms.canonicalize(lemmas("Ontvreemding uit een motorrijtuig is uitgesloten."))
    )
    assert {"diefstal", "voertuig", "uitsluiten"} <= clause & paraphrase


def test_punctuated_entries_match_normalised_tokens() -> None:
    synonyms = SynonymMap([["aangifte", "proces-verbaal"]])
    assert synonyms.canonicalize(normalize_text("Het proces-verbaal.").split()) == [
        "het", "aangifte",
    ]


def test_term_in_two_groups_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "syn.yaml"
    path.write_text("groups:\n  - [auto, wagen]\n  - [voertuig, Auto]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="auto"):
        SynonymMap.from_yaml(path)


def test_bad_file_shape_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "syn.yaml"
    path.write_text("- [auto, wagen]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="groups"):
        SynonymMap.from_yaml(path)
