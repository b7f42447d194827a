import pytest

from shipped import instruction_advice, match_instruction, parse_instructions

from hienfeld.errors import InputError
from hienfeld.instructions import Instruction

# --- parse_instructions -----------------------------------------------------------------------


def test_empty_text_gives_no_rules():
    assert parse_instructions("") == []
    assert parse_instructions("\n  \n# alleen commentaar\n") == []


def test_tab_and_arrow_formats():
    text = "diefstal\tVERWIJDEREN\nstorm -> BEHOUDEN\nhagel => AANPASSEN\nbrand → STANDAARDISEREN"
    assert parse_instructions(text) == [
        Instruction("diefstal", "VERWIJDEREN"),
        Instruction("storm", "BEHOUDEN"),
        Instruction("hagel", "AANPASSEN"),
        Instruction("brand", "STANDAARDISEREN"),
    ]


def test_tab_wins_over_an_arrow_so_actions_may_contain_one():
    assert parse_instructions("oud\tVERVANG -> nieuw") == [Instruction("oud", "VERVANG -> nieuw")]


def test_surrounding_whitespace_and_quotes_are_stripped():
    text = '  "glasbreuk"  ->  VERWIJDEREN  \n“eigen risico” -> AANPASSEN\n\'storm\'\tBEHOUDEN'
    assert parse_instructions(text) == [
        Instruction("glasbreuk", "VERWIJDEREN"),
        Instruction("eigen risico", "AANPASSEN"),
        Instruction("storm", "BEHOUDEN"),
    ]


def test_unmatched_quotes_are_kept():
    assert parse_instructions('"glas -> X') == [Instruction('"glas', "X")]


def test_block_of_search_lines_shares_one_action():
    text = "diefstal uit auto\ninbraak in auto\n-> VERWIJDEREN\nstorm -> BEHOUDEN"
    assert parse_instructions(text) == [
        Instruction("diefstal uit auto", "VERWIJDEREN"),
        Instruction("inbraak in auto", "VERWIJDEREN"),
        Instruction("storm", "BEHOUDEN"),
    ]


def test_comments_are_skipped_also_inside_a_block():
    text = "# mijn regels\ndiefstal\n  # nog een\ninbraak\n=> VERWIJDEREN"
    assert parse_instructions(text) == [
        Instruction("diefstal", "VERWIJDEREN"),
        Instruction("inbraak", "VERWIJDEREN"),
    ]


def test_windows_line_endings():
    rules = parse_instructions("a -> X\r\nb\r\n-> Y\r\n")
    assert rules == [Instruction("a", "X"), Instruction("b", "Y")]


def test_rule_order_is_kept():
    rules = parse_instructions("b -> 1\na -> 2")
    assert [r.search for r in rules] == ["b", "a"]


def test_instruction_is_frozen():
    rule = Instruction("a", "X")
    with pytest.raises(AttributeError):
        rule.search = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("storm -> BEHOUDEN\n\nlosse regel", 3, "heeft geen actie"),
        ("a -> X\nb\nc", 2, "heeft geen actie"),
        ("diefstal\n\n-> VERWIJDEREN", 1, "heeft geen actie"),  # a blank line ends the block
        ("diefstal\nstorm -> BEHOUDEN", 1, "heeft geen actie"),  # so does a complete rule
        ("-> VERWIJDEREN", 1, "geen zoekregels erboven"),
        ("a -> X\n\n-> Y", 3, "geen zoekregels erboven"),
        ("storm ->", 1, "heeft geen actie"),
        ("storm\t  ", 1, "heeft geen actie"),
        ("a\n->   ", 2, "heeft geen actie"),
        ("ok -> X\n -> ", 2, "geen zoekregels erboven"),
        ("-> -> X", 1, "geen zoekregels erboven"),
        ('"" -> X', 1, "heeft geen zoektekst"),
        ("  -> X\nb", 1, "geen zoekregels erboven"),
        ("!!! -> X", 1, "zonder letters of cijfers"),
    ],
)
def test_errors_name_the_line(text, line, fragment):
    with pytest.raises(InputError) as caught:
        parse_instructions(text)
    message = str(caught.value)
    assert message.startswith(f"extra_instruction regel {line} ")
    assert fragment in message


def test_error_message_quotes_the_line_and_the_formats():
    with pytest.raises(InputError) as caught:
        parse_instructions("# kop\nstorm -> BEHOUDEN\nlosse zoektekst")
    assert str(caught.value) == (
        "extra_instruction regel 3 heeft geen actie: gebruik 'zoektekst<TAB>actie' of 'zoektekst -> actie'"
        " (regel: 'losse zoektekst')"
    )


def test_text_over_the_limit_is_refused():
    rule = "diefstal -> VERWIJDEREN\n"
    assert len(parse_instructions(rule * (10_000 // len(rule)))) == 10_000 // len(rule)
    with pytest.raises(InputError, match="10000"):
        parse_instructions("x" * 9_997 + " -> X")


# --- match_instruction / instruction_advice ---------------------------------------------------

RULES = [
    Instruction("diefstal uit een gebouw", "VERWIJDEREN"),
    Instruction("storm", "BEHOUDEN"),
]


def test_containment_after_normalisation():
    found = match_instruction("DIEFSTAL, uit een  gebouw is uitgesloten.", RULES)
    assert found == (RULES[0], "Eigen instructie: tekst bevat 'diefstal uit een gebouw'")


def test_amounts_in_search_and_clause_are_compared_as_placeholders():
    rules = [Instruction("eigen risico € 250", "AANPASSEN")]
    found = match_instruction("Het eigen risico EUR 500 geldt per gebeurtenis.", rules)
    assert found is not None and found[0] is rules[0]


def test_containment_on_a_later_rule_beats_a_fuzzy_hit_on_an_earlier_one():
    found = match_instruction("Diefstal uit eeen gebouw bij storm.", RULES)
    assert found is not None
    assert found[0] is RULES[1]
    assert found[1] == "Eigen instructie: tekst bevat 'storm'"


def test_first_containing_rule_wins():
    rules = [Instruction("storm", "A"), Instruction("storm en hagel", "B")]
    found = match_instruction("Schade door storm en hagel.", rules)
    assert found is not None and found[0].action == "A"


def test_fuzzy_match_with_percentage():
    found = match_instruction("Diefstal uit eeen gebouw is uitgesloten.", RULES)
    assert found is not None
    assert found[0] is RULES[0]
    assert found[1] == "Eigen instructie: tekst lijkt sterk op 'diefstal uit een gebouw' (96%)"


def test_fuzzy_threshold_is_respected():
    text = "Diefstal uit eeen gebouw is uitgesloten."
    assert match_instruction(text, RULES, fuzzy_threshold=0.97) is None


def test_short_search_texts_are_not_matched_fuzzily():
    text = "Brant is gedekt."  # partial_ratio("brand", ...) is 0.8
    assert match_instruction(text, [Instruction("brand", "X")], fuzzy_threshold=0.7) is None
    longer = [Instruction("brand is gedekt", "X")]
    assert match_instruction(text, longer, fuzzy_threshold=0.7) is not None


def test_semantic_fallback():
    calls = []

    def semantic(text: str, search: str) -> float:
        calls.append((text, search))
        return 0.88 if search == "inbraak" else 0.1

    rules = [Instruction("glasbreuk", "A"), Instruction("inbraak", "B")]
    text = "Schade door het forceren van een deur."
    found = match_instruction(text, rules, semantic=semantic)
    assert found is not None
    assert found[0] is rules[1]
    assert found[1] == "Eigen instructie: tekst komt inhoudelijk overeen met 'inbraak' (88%)"
    assert calls[0] == (text, "glasbreuk")  # raw texts, clause first
    assert match_instruction(text, rules, semantic=semantic, semantic_threshold=0.9) is None


def test_semantic_is_not_called_when_text_matches_literally():
    def semantic(text: str, search: str) -> float:
        raise AssertionError("semantic should not be needed")

    assert match_instruction("Schade door storm.", RULES, semantic=semantic) is not None


def test_no_match_and_degenerate_input():
    assert match_instruction("Schade door brand.", RULES) is None
    assert match_instruction("", RULES) is None
    assert match_instruction("storm", []) is None


def test_long_search_is_shortened_in_the_reason():
    search = "woord " * 30
    found = match_instruction(search + "en meer", [Instruction(search.strip(), "X")])
    assert found is not None
    assert len(found[1]) < 120 and found[1].endswith("…'")


def test_instruction_advice_confidence():
    exact = instruction_advice("Schade door storm.", RULES)
    assert exact is not None
    assert (exact.code, exact.confidence) == ("📋 BEHOUDEN", "Hoog")
    assert exact.reason == "Eigen instructie: tekst bevat 'storm'"

    fuzzy = instruction_advice("Diefstal uit eeen gebouw is uitgesloten.", RULES)
    assert fuzzy is not None
    assert (fuzzy.code, fuzzy.confidence) == ("📋 VERWIJDEREN", "Midden")

    semantic = instruction_advice("Iets anders.", RULES, semantic=lambda t, s: 0.9)
    assert semantic is not None
    assert (semantic.code, semantic.confidence) == ("📋 VERWIJDEREN", "Midden")

    assert instruction_advice("Schade door brand.", RULES) is None


def test_parsed_rules_drive_the_advice():
    rules = parse_instructions("# eigen lijst\nglasbreuk\nruitschade\n-> VERWIJDEREN")
    advice = instruction_advice("Ruitschade is niet verzekerd.", rules)
    assert advice is not None
    assert advice.code == "📋 VERWIJDEREN"
