import csv
import json
import random
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest
import simplemma
from docx import Document
from rapidfuzz import fuzz

from hienfeld.normalize import normalize_text
from evaluation.synth import FAMILIES, generate

ROWS = 600
BY_KEY = {family.key: family for family in FAMILIES}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(ROWS, tmp_path_factory.mktemp("synth"), seed=7)


@pytest.fixture(scope="module")
def truth(data: dict[str, Path]) -> dict:
    return json.loads(data["truth"].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def table(data: dict[str, Path]) -> list[list[str]]:
    with data["policies_csv"].open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def texts(table: list[list[str]]) -> list[str]:
    column = table[0].index("Tekst")
    return [row[column] for row in table[1:]]


def test_same_seed_same_data(data: dict[str, Path], tmp_path: Path) -> None:
    again = generate(ROWS, tmp_path / "again", seed=7)
    for key in ("policies_csv", "conditions_txt", "library", "truth"):
        assert again[key].read_bytes() == data[key].read_bytes(), key
    other = generate(ROWS, tmp_path / "other", seed=8)
    assert other["policies_csv"].read_bytes() != data["policies_csv"].read_bytes()


@pytest.mark.parametrize("rows", [1, 9, 40])
def test_tiny_row_counts_are_exact(rows: int, tmp_path: Path) -> None:
    truth = json.loads(generate(rows, tmp_path)["truth"].read_text(encoding="utf-8"))
    assert len(truth["row_family"]) == rows


def test_rows_and_families(truth: dict, table: list[list[str]]) -> None:
    assert truth["seed"] == 7 and truth["rows"] == ROWS
    assert table[0] == ["Polisnummer", "Branche", "Ingangsdatum", "Tekst", "Productcode"]
    assert len(table) - 1 == len(truth["row_family"]) == ROWS
    assert set(truth["row_family"]) == set(truth["families"])
    policies = Counter(row[0] for row in table[1:])
    assert max(policies.values()) > 1  # several clauses on one policy


def test_xlsx_holds_the_csv_data(data: dict[str, Path], table: list[list[str]]) -> None:
    workbook = openpyxl.load_workbook(data["policies"], read_only=True)
    cells = list(workbook.active.iter_rows())
    workbook.close()
    assert [["" if c.value is None else str(c.value) for c in row] for row in cells] == table
    # the formula-looking text must be stored as a text, not as a formula
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert any(str(cell.value).startswith("=") for row in cells for cell in row)


def test_coverage_and_library_shares(data: dict[str, Path], truth: dict) -> None:
    families = {k: v for k, v in truth["families"].items() if v["kind"] == "family"}
    shares = Counter(v["coverage"] for v in families.values())
    assert 0.27 <= shares["verbatim"] / len(families) <= 0.40
    assert 0.18 <= shares["paraphrase"] / len(families) <= 0.32
    assert 0.10 <= sum(bool(v["library_code"]) for v in families.values()) / len(families) <= 0.2
    for key, entry in truth["families"].items():
        assert (entry["article"] is None) == (entry["coverage"] == "none"), key
    with data["library"].open(encoding="utf-8", newline="") as handle:
        library = {row["Code"]: row for row in csv.DictReader(handle, delimiter=";")}
    for key, entry in families.items():
        if entry["library_code"]:
            assert re.fullmatch(r"\d[A-Z]{2}\d", entry["library_code"])
            assert library[entry["library_code"]]["Tekst"] == BY_KEY[key].canonical()


def test_family_sizes_are_skewed(truth: dict) -> None:
    sizes = Counter(
        fam for fam in truth["row_family"] if truth["families"][fam]["kind"] == "family"
    )
    assert max(sizes.values()) >= 10 * statistics.median(sizes.values())


def test_special_rows(truth: dict, table: list[list[str]]) -> None:
    by_kind = {
        truth["families"][fam]["kind"]: text
        for fam, text in zip(truth["row_family"], texts(table))
        if truth["families"][fam]["kind"].startswith("special:")
    }
    assert by_kind["special:empty"] == ""
    assert by_kind["special:short"] == "zie polis"
    assert len(by_kind["special:long"]) > 800
    assert "[invullen]" in by_kind["special:placeholder"]
    assert "Ã«" in by_kind["special:mojibake"]
    assert "geldig tot 01-01-2020" in by_kind["special:expired"]
    assert by_kind["special:formula"].startswith("=")
    assert sum(v["kind"] == "unique" for v in truth["families"].values()) >= 3


def test_variants_alike_within_and_distinct_between_families(
    truth: dict, table: list[list[str]]
) -> None:
    rng = random.Random(0)
    rows = [
        (fam, normalize_text(text)) for fam, text in zip(truth["row_family"], texts(table))
        if not fam.startswith("special")
    ]
    by_family = defaultdict(list)
    for fam, text in rows:
        by_family[fam].append(text)
    within = [
        fuzz.ratio(*rng.sample(members, 2))
        for members in by_family.values() if len(members) > 1 for _ in range(10)
    ]
    assert statistics.median(within) >= 92
    assert sorted(within)[len(within) // 20] >= 80
    between = []
    while len(between) < 3000:
        (fam_a, a), (fam_b, b) = rng.sample(rows, 2)
        if fam_a != fam_b:
            between.append(fuzz.ratio(a, b))
    assert max(between) < 85
    canonical = [normalize_text(family.canonical()) for family in FAMILIES]
    assert max(
        fuzz.ratio(a, b) for i, a in enumerate(canonical) for b in canonical[i + 1 :]
    ) < 80


def test_verbatim_families_are_in_the_conditions(data: dict[str, Path], truth: dict) -> None:
    conditions = data["conditions_txt"].read_text(encoding="utf-8")
    docx_text = "\n".join(p.text for p in Document(str(data["conditions"])).paragraphs)
    assert re.search(r"^Artikel 1 Begripsomschrijvingen$", conditions, re.MULTILINE)
    assert re.search(r"^2\.1 \w", conditions, re.MULTILINE)
    for key, entry in truth["families"].items():
        if entry["coverage"] == "verbatim":
            assert BY_KEY[key].core() == BY_KEY[key].conditions_text()
            assert BY_KEY[key].core() in conditions, key
            assert BY_KEY[key].core() in docx_text, key
        if entry["article"]:
            heading = rf"^(Artikel )?{re.escape(entry['article'])} \w"
            assert re.search(heading, conditions, re.MULTILINE), key


def test_paraphrase_families_are_not_verbatim(data: dict[str, Path], truth: dict) -> None:
    conditions = normalize_text(data["conditions_txt"].read_text(encoding="utf-8"))
    for key, entry in truth["families"].items():
        family = BY_KEY.get(key)
        if entry["coverage"] == "paraphrase":
            assert normalize_text(family.canonical()) not in conditions, key
            assert normalize_text(family.conditions_text()) in conditions, key
        if entry["coverage"] == "none" and family:
            assert normalize_text(family.core()) not in conditions, key


def test_paraphrases_are_rewordings_and_uncovered_topics_are_absent(
    data: dict[str, Path],
) -> None:
    """Checked with plain lemmas: no synonym list may be what makes a generated
    paraphrase look like its clause (it would then test itself)."""
    stop = set(
        "de het een en of van in op te is zijn dat die voor met aan door als bij tot niet wordt "
        "worden na om uit dan deze dit er zich ook geen mits tenzij zo per naar over wel bedrag "
        "datum naam waarde nummer".split()
    )

    def words(text: str) -> set[str]:
        return {simplemma.lemmatize(t, lang="nl") for t in normalize_text(text).split()} - stop

    conditions = data["conditions_txt"].read_text(encoding="utf-8")
    sentences = [words(s) for s in re.split(r"(?<=\.)\s+", conditions)]
    paraphrase, uncovered, likeness = [], [], []
    for family in FAMILIES:
        clause = words(family.canonical())
        if family.coverage == "paraphrase":
            own = words(family.conditions_text())
            paraphrase.append(len(clause & own) / len(clause))
            likeness.append(fuzz.ratio(normalize_text(family.core()), normalize_text(family.conditions_text())))
        elif family.coverage == "none":
            uncovered.append(max(len(clause & s) / len(clause) for s in sentences))
    assert max(likeness) < 90  # reworded, not copied
    assert max(uncovered) <= 0.45
    assert statistics.mean(paraphrase) > statistics.mean(uncovered) + 0.1
