"""The held-out evaluation corpus (benchmarks/heldout): counts, determinism and consistency of truth with the files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from benchmarks.heldout import generate

ANALYSIS = dt.date(2026, 12, 1)
EXPECT = {"verbatim": "remove", "paraphrase": "remove", "library": "replace", "lapsed": "lapsed",
          "deviation": "keep", "plain": "keep"}
MONTHS = {m: i + 1 for i, m in enumerate(["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                                          "september", "oktober", "november", "december"])}
MONTHS.update({m: i + 1 for i, m in enumerate(["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt",
                                               "nov", "dec"])})
NUMERIC_DATE = re.compile(r"(?<![\d.\-/])(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2})(?![\d\-/]|\.\d)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
WORD_DATE = re.compile(r"(?<!\d)(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})(?!\d)", re.IGNORECASE)


def dates_in(text: str) -> list[dt.date]:
    found = []

    def add(y: int, m: int, d: int) -> None:
        try:
            found.append(dt.date(y, m, d))
        except ValueError:
            pass
    for y, m, d in ISO_DATE.findall(text):
        add(int(y), int(m), int(d))
    for d, m, y in NUMERIC_DATE.findall(text):
        add(int(y) + (2000 if len(y) == 2 else 0), int(m), int(d))
    for d, m, y in WORD_DATE.findall(text):
        if m.lower() in MONTHS:
            add(int(y), MONTHS[m.lower()], int(d))
    return found


def template_regex(template: str) -> re.Pattern:
    """A family template ('... {bedrag} ...') as a regex with one group per value slot."""
    body = re.sub(r"\\\{[a-z_]+\\\}", "(.+?)", re.escape(template))
    if body.endswith("\\."):
        body = body[:-2] + r"\.(?=\s|$)"
    return re.compile(body)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def docx_text(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def library_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    return rows


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    paths = generate(10_000, tmp_path_factory.mktemp("heldout10k"), seed=1)
    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    rows = read_csv(paths["policy"])
    paras = docx_text(paths["conditions"])
    return {"paths": paths, "truth": truth, "header": rows[0], "rows": rows[1:], "paras": paras,
            "conditions": "\n".join(paras), "library": library_rows(paths["library"])}


def test_returns_the_four_files(big):
    assert set(big["paths"]) == {"policy", "conditions", "library", "truth"}
    assert big["paths"]["policy"].name == "polissen.csv"
    assert all(p.exists() and p.stat().st_size > 0 for p in big["paths"].values())


def test_csv_parses_into_exactly_rows_even_with_line_breaks(big):
    raw = big["paths"]["policy"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert big["header"] == ["Polisnummer", "Branche", "Ingangsdatum", "Tekst", "Opmerking"]
    assert len(big["rows"]) == 10_000 == big["truth"]["rows"]
    assert all(len(r) == 5 for r in big["rows"])
    assert sum("\n" in r[3] for r in big["rows"]) > 100        # line breaks inside cells really occur
    assert sum(";" in r[4] or '"' in r[4] for r in big["rows"]) > 0
    assert raw.count(b"\n") > 10_001                             # so a naive line split would be wrong


def test_counts_at_10k(big):
    t = big["truth"]
    assert len(t["families"]) >= 700
    assert len(set(t["row_family"])) >= 600
    assert len({r[3] for r in big["rows"]}) >= 6500
    assert len(t["row_family"]) == len(t["row_expect"]) == 10_000
    assert set(t["row_family"]) <= set(t["families"])
    counts = Counter(t["row_family"])
    assert sum(c >= 100 for c in counts.values()) >= 3         # Zipf-like: a few big families ...
    assert sum(c <= 10 for c in counts.values()) >= 300        # ... and many small ones


def test_truth_expectations_follow_categories(big):
    t = big["truth"]
    assert t["generator"] == "heldout" and t["seed"] == 1 and t["analysis_date"] == "2026-12-01"
    for fid, exp in zip(t["row_family"], t["row_expect"]):
        assert EXPECT[t["families"][fid]["category"]] == exp
    assert set(t["row_expect"]) == {"remove", "replace", "lapsed", "keep"}


def test_category_mix(big):
    fams = big["truth"]["families"]
    n = len(fams)
    share = {c: k / n for c, k in Counter(f["category"] for f in fams.values()).items()}
    for cat, target in {"verbatim": .15, "paraphrase": .15, "library": .10, "lapsed": .06, "deviation": .05}.items():
        assert abs(share[cat] - target) < 0.02, (cat, share[cat])
    assert share["plain"] > 0.4


def test_near_miss_pairs(big):
    fams = big["truth"]["families"]
    paired = set()
    for fid, f in fams.items():
        other = f["near_miss_of"]
        if other:
            assert other in fams and other != fid
            assert fams[other]["topic"] == f["topic"]
            assert fams[other]["template"] != f["template"]
            paired.update((fid, other))
    assert len(paired) >= 0.10 * len(fams)


def test_verbatim_core_occurs_in_conditions(big):
    fams, cond = big["truth"]["families"], big["conditions"]
    verbatim = [f for f in fams.values() if f["category"] == "verbatim"]
    assert verbatim
    headings = {p.split()[1] for p in big["paras"] if p.startswith("Artikel ")}
    for f in verbatim:
        assert f["core"] and f["core"] in cond
        assert f["article"] and f["article"].split()[1] in headings


def test_paraphrase_wording_differs_from_core(big):
    fams, cond = big["truth"]["families"], big["conditions"]
    para = [f for f in fams.values() if f["category"] == "paraphrase"]
    assert para
    for f in para:
        assert f["conditions_text"] in cond
        assert f["core"].lower() not in cond.lower()
        assert f["core"].lower() not in f["conditions_text"].lower()


def test_uncovered_families_are_not_in_conditions(big):
    fams, cond = big["truth"]["families"], big["conditions"].lower()
    checked = 0
    for f in fams.values():
        if f["category"] in ("plain", "lapsed", "library") and "{" not in f["template"]:
            assert f["template"].lower() not in cond
            checked += 1
    assert checked > 100


def test_library_codes_and_values(big):
    fams = big["truth"]["families"]
    lib = {row[0]: row[1] for row in big["library"][1:]}
    assert big["library"][0] == ("Code", "Tekst", "Categorie")
    lib_fams = {fid: f for fid, f in fams.items() if f["category"] == "library"}
    assert lib_fams
    for f in lib_fams.values():
        assert f["library_code"] in lib and lib[f["library_code"]] == f["library_text"]
    compared = 0
    for fid, row in zip(big["truth"]["row_family"], big["rows"]):
        if fid in lib_fams:
            f = lib_fams[fid]
            assert f["library_text"] not in row[3]
            # the template's values, read from the library text and from the row, differ
            pattern = template_regex(f["template"])
            lib_vals = pattern.match(f["library_text"])
            assert lib_vals, f["library_text"]
            m = pattern.search(" ".join(row[3].split()))
            if m:
                assert m.groups() != lib_vals.groups(), (row[3], f["library_text"])
                compared += 1
    assert compared > 100


def test_lapsed_rows_end_before_the_analysis_date(big):
    t = big["truth"]
    lapsed = future = 0
    for fid, exp, row in zip(t["row_family"], t["row_expect"], big["rows"]):
        f = t["families"][fid]
        if exp == "lapsed":
            found = dates_in(row[3])
            assert found, row[3]
            assert all(d < ANALYSIS for d in found), row[3]
            lapsed += 1
        elif f["future_validity"]:
            assert max(dates_in(row[3])) >= ANALYSIS, row[3]
            future += 1
    assert lapsed > 100 and future > 10


def test_deviation_rows_refer_to_an_existing_article(big):
    t, cond = big["truth"], big["conditions"]
    seen = 0
    for fid, row in zip(t["row_family"], big["rows"]):
        f = t["families"][fid]
        if f["category"] == "deviation":
            assert re.search(r"afwijking\s+van", row[3], re.IGNORECASE)
            assert f["conditions_text"] in cond
            ref = re.search(r"artikel\s+(\d+(?:\.\d+)?)", row[3], re.IGNORECASE).group(1)
            assert ref.split(".")[0] == f["article"].split()[1]
            assert any(p.startswith(f"{ref} ") or p.startswith(f"Artikel {ref} ") for p in big["paras"])
            if "." in ref:      # the sub-article it names is the rule it deviates from
                assert f"{ref} {f['conditions_text']}" in big["paras"]
            seen += 1
    assert seen > 20


def test_date_parser_reads_every_notation():
    text = "01-02-2024, 1 februari 2024, 1-2-24, 2024-02-01, 01.02.2024, 1 FEB. 2024"
    assert dates_in(text) == [dt.date(2024, 2, 1)] * 6


def test_deterministic_per_seed_and_different_across_seeds(tmp_path):
    a = generate(1500, tmp_path / "a", seed=3)
    b = generate(1500, tmp_path / "b", seed=3)
    c = generate(1500, tmp_path / "c", seed=4)
    assert a["policy"].read_bytes() == b["policy"].read_bytes()
    assert a["truth"].read_bytes() == b["truth"].read_bytes()
    assert docx_text(a["conditions"]) == docx_text(b["conditions"])
    assert library_rows(a["library"]) == library_rows(b["library"])
    assert a["policy"].read_bytes() != c["policy"].read_bytes()
    ta, tc = (json.loads(p["truth"].read_text(encoding="utf-8")) for p in (a, c))
    cats = [{k: v["category"] for k, v in t["families"].items()} for t in (ta, tc)]
    assert cats[0] != cats[1]
    assert docx_text(a["conditions"]) != docx_text(c["conditions"])


def test_xlsx_policy_format(tmp_path):
    paths = generate(300, tmp_path, seed=5, policy_format="xlsx")
    assert paths["policy"].name == "polissen.xlsx"
    rows = library_rows(paths["policy"])
    assert rows[0] == ("Polisnummer", "Branche", "Ingangsdatum", "Tekst", "Opmerking")
    assert len(rows) == 301
    assert all(isinstance(v, str) for row in rows for v in row)
    with pytest.raises(ValueError):
        generate(10, tmp_path / "x", policy_format="pdf")
