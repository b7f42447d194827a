"""The held-out business-package corpus (benchmarks/heldout_business): files, determinism, truth consistent with
the files, the conditions in three formats (the PDF with its page furniture), splits and library decoys."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import time
import zlib
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader

from benchmarks.heldout_business import generate

ROWS = 1500
ANALYSIS = dt.date(2026, 12, 1)
EXPECT = {"verbatim": "remove", "paraphrase": "remove", "library": "replace", "lapsed": "lapsed",
          "deviation": "keep", "near_miss": "keep", "plain": "keep", "fill": "fill", "oneoff": "keep",
          "empty": "clean"}
CATEGORIES = ("verbatim", "paraphrase", "library", "lapsed", "deviation", "near_miss", "plain", "fill")
HEADER = ("Polisnummer", "Volgnr", "Branche", "Ingangsdatum", "Clausulecode", "Omschrijving", "Opmerking")
SLOT_RE = re.compile(r"\{([a-z]+[0-9]?)\}")
MONTHS = {m: i + 1 for i, m in enumerate(["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                                          "september", "oktober", "november", "december"])}
MONTHS.update({m: i + 1 for i, m in enumerate(["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt",
                                               "nov", "dec"])})


def parse_date(text: str) -> dt.date:
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})", text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{1,2}) ([a-z]+)\.? (\d{4})", text)
    assert m, text
    return dt.date(int(m[3]), MONTHS[m[2]], int(m[1]))


def squash(text: str) -> str:
    return " ".join(text.split())


def letters(text: str) -> str:
    """Only letters and digits: hyphenation, line breaks and spacing do not count."""
    return re.sub(r"[^0-9a-zA-Zëéïöü€]", "", text)


def pdf_body(pages: list[str]) -> str:
    """The pages' text without the running header and the footer, in reading order."""
    out = []
    for i, text in enumerate(pages, start=1):
        out += [x for x in text.splitlines()
                if x.strip() not in ("Bedrijvenpakket BDP-2024 | Voorwaarden", f"Pagina {i} van {len(pages)}")]
    return "\n".join(out)


def xlsx_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple("" if v is None else v for v in r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    return rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    paths = generate(ROWS, tmp_path_factory.mktemp("business"), seed=2)
    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    rows = xlsx_rows(paths["policy"])
    reader = PdfReader(str(paths["conditions_pdf"]))
    return {"paths": paths, "truth": truth, "header": rows[0], "rows": rows[1:],
            "texts": [r[5] for r in rows[1:]], "library": xlsx_rows(paths["library"]),
            "txt": paths["conditions_txt"].read_text(encoding="utf-8"),
            "docx": [p.text for p in Document(str(paths["conditions_docx"])).paragraphs],
            "pages": [p.extract_text() for p in reader.pages]}


def test_returns_the_files(corpus):
    paths = corpus["paths"]
    assert set(paths) == {"policy", "conditions", "conditions_txt", "conditions_docx", "conditions_pdf", "library",
                          "truth"}
    assert paths["conditions"] == paths["conditions_pdf"]
    assert paths["policy"].suffix == ".xlsx" and paths["conditions_pdf"].suffix == ".pdf"
    assert all(p.exists() and p.stat().st_size > 0 for p in paths.values())


def test_policy_export_rows_and_columns(corpus):
    t = corpus["truth"]
    assert corpus["header"] == HEADER
    assert "Tekst" not in corpus["header"] and t["policy_text_column"] == "Omschrijving"
    assert len(corpus["rows"]) == ROWS == t["rows"]
    assert len(t["row_family"]) == len(t["row_expect"]) == len(t["row_values"]) == len(t["row_noise"]) == ROWS
    assert all(isinstance(v, str) for r in corpus["rows"] for v in r)
    assert sum("\n" in x for x in corpus["texts"]) > 50                 # line breaks inside cells
    assert any(r[4] for r in corpus["rows"]) and sum(not r[4] for r in corpus["rows"]) > ROWS / 2
    counts = Counter(r[0] for r in corpus["rows"])
    assert max(counts.values()) > 1                                     # several clauses per policy


def test_truth_keys_and_expectations(corpus):
    t = corpus["truth"]
    assert t["generator"] == "heldout_business" and t["seed"] == 2 and t["analysis_date"] == "2026-12-01"
    assert set(t["row_family"]) <= set(t["families"])
    for fid, exp in zip(t["row_family"], t["row_expect"]):
        assert EXPECT[t["families"][fid]["category"]] == exp
    assert set(t["row_expect"]) == {"remove", "replace", "lapsed", "keep", "fill", "clean"}
    fams = {k: f for k, f in t["families"].items() if f["category"] in CATEGORIES}
    assert 100 <= len(fams) <= 140
    for fid, f in t["families"].items():
        assert f["split"] == ("dev" if zlib.crc32(fid.encode()) % 2 == 0 else "test")
    for f in fams.values():
        assert f["slots"] == list(dict.fromkeys(SLOT_RE.findall(f["template"])))


def test_share_of_oneoffs_and_empty_cells(corpus):
    t = corpus["truth"]
    cats = Counter(t["families"][fid]["category"] for fid in t["row_family"])
    assert abs(cats["oneoff"] / ROWS - 0.05) < 0.01
    assert abs(cats["empty"] / ROWS - 0.03) < 0.01
    oneoffs = [x for fid, x in zip(t["row_family"], corpus["texts"]) if fid.startswith("U")]
    assert len(set(oneoffs)) == len(oneoffs)
    empty = [(fid, x) for fid, x in zip(t["row_family"], corpus["texts"]) if fid.startswith("EMPTY-")]
    assert all(len(x.strip()) <= 25 and t["families"][fid]["template"] == x for fid, x in empty)
    assert {t["families"][fid]["split"] for fid, _ in empty} == {"dev", "test"}


def test_noise_free_rows_are_their_template_filled_in(corpus):
    t = corpus["truth"]
    checked = loose = 0
    structural = {"label", "appended", "whitespace", "double_space", "linebreak"}
    for fid, text, vals, tags in zip(t["row_family"], corpus["texts"], t["row_values"], t["row_noise"]):
        f = t["families"][fid]
        if f["category"] not in CATEGORIES:
            continue
        assert len(vals) == len(f["slots"])
        filled = SLOT_RE.sub(lambda m: vals[f["slots"].index(m.group(1))], f["template"])
        if not tags:
            assert text == filled
            checked += 1
        elif set(tags) <= structural:
            assert squash(filled) in squash(text), (text, filled)
            loose += 1
        elif tags == ["drop_optional"]:
            assert f["optional"] and text == filled[:-len(f["optional"]) - 1]
    assert checked > 150 and loose > 150


def test_rows_vary_in_values_and_noise(corpus):
    t = corpus["truth"]
    noise = Counter(tag for tags in t["row_noise"] for tag in tags)
    for tag in ("label", "typo", "upper", "linebreak", "double_space", "abbreviation", "spelling", "drop_optional",
                "appended", "artref"):
        assert noise[tag] > 5, tag
    # word slots take several distinct values per family
    by_fam: dict[str, set] = {}
    for fid, vals in zip(t["row_family"], t["row_values"]):
        f = t["families"][fid]
        if "word_slots" in f["kinds"] and vals:
            by_fam.setdefault(fid, set()).add(tuple(vals))
    assert sum(len(v) >= 5 for v in by_fam.values()) >= 5
    # fixed values appear in more than one notation
    notations = {}
    for fid, vals in zip(t["row_family"], t["row_values"]):
        if t["families"][fid]["fixed_values"]:
            notations.setdefault(fid, set()).add(tuple(vals))
    assert sum(len(v) >= 2 for v in notations.values()) >= 5
    assert any(v.isupper() and " B.V." in v or v.endswith("B.V.") and v.isupper()
               for vals in t["row_values"] for v in vals)


def test_lapsed_rows_end_before_the_analysis_date(corpus):
    t = corpus["truth"]
    seen = 0
    for fid, vals in zip(t["row_family"], t["row_values"]):
        f = t["families"][fid]
        if f["category"] == "lapsed":
            end = parse_date(vals[f["slots"].index("einddatum")])
            assert end < ANALYSIS
            if "begindatum" in f["slots"]:
                assert parse_date(vals[f["slots"].index("begindatum")]) <= end
            seen += 1
    assert seen > 20


def test_subarticle_pointers(corpus):
    t = corpus["truth"]
    subs = t["conditions_subs"]
    assert 25 <= len({k.split(".")[0] for k in subs}) <= 40
    for f in t["families"].values():
        cat = f["category"]
        if cat in ("verbatim", "paraphrase", "deviation"):
            assert re.fullmatch(r"Artikel \d+\.\d+", f["article"]) and f["article"] in subs
            assert f["conditions_text"] == subs[f["article"]]
        elif cat == "near_miss":
            assert f["article"] is None and f["near_miss_of"] in subs
            if f["near_miss_family"]:
                assert t["families"][f["near_miss_family"]]["article"] == f["near_miss_of"]
        else:
            assert f["article"] is None and f["near_miss_of"] is None
        if cat in ("verbatim", "paraphrase", "near_miss"):
            canon = squash(SLOT_RE.sub(lambda m: _canonical(m.group(1), f), f["template"])).lower()
            assert squash(f["core"]).lower() == canon
            inside = canon in squash(subs[f["article"] or f["near_miss_of"]]).lower()
            assert inside == (cat == "verbatim"), f["template"]
        if cat in ("plain", "lapsed", "library", "fill") and not f["slots"]:
            assert squash(f["template"]).lower() not in squash(corpus["txt"]).lower()


def _canonical(slot: str, f: dict) -> str:
    from benchmarks.heldout_business.values import render, slot_type
    import random
    return render(slot_type(slot), f["fixed_values"][slot], random.Random(0), canonical=True)


def test_deviation_rows_name_their_subarticle(corpus):
    t = corpus["truth"]
    seen = 0
    for fid, text in zip(t["row_family"], corpus["texts"]):
        f = t["families"][fid]
        if f["category"] == "deviation":
            assert re.search(r"afwijking\s+van", text, re.IGNORECASE)
            a, s = f["article"].split()[1].split(".")
            assert re.search(rf"art(?:ikel|\.)?\s+{a}(?:\.{s}|\s+lid\s+{s})(?!\d)", text, re.IGNORECASE), text
            seen += 1
    assert seen > 20


def test_three_formats_hold_the_same_subarticles(corpus):
    t = corpus["truth"]
    txt_lines = corpus["txt"].splitlines()
    docx = corpus["docx"]
    body = letters(pdf_body(corpus["pages"]))
    for number, full in t["conditions_subs"].items():
        n = number.split()[1]
        first = next(x for x in txt_lines if x.startswith(f"{n} "))
        assert full.startswith(first[len(n) + 1:])
        assert first in docx
        assert letters(f"{n}{full}") in body, number
    for line in txt_lines:
        if line.strip():
            assert line in docx
            assert letters(line) in body
    headings = [p.text for p in Document(str(corpus["paths"]["conditions_docx"])).paragraphs
                if p.style.name.startswith("Heading")]
    assert sum(h.startswith("Artikel ") for h in headings) == len({k.split(".")[0] for k in t["conditions_subs"]})


def test_pdf_has_page_furniture(corpus):
    pages = corpus["pages"]
    n = len(pages)
    assert n >= 6 and n == corpus["truth"]["conditions_pdf"]["pages"]
    for i, text in enumerate(pages, start=1):
        lines = [x.strip() for x in text.splitlines() if x.strip()]
        assert "Bedrijvenpakket BDP-2024 | Voorwaarden" in lines, i
        assert f"Pagina {i} van {n}" in lines, i
    # table of contents: dot leaders and the right page numbers
    toc = pages[0]
    assert "Inhoudsopgave" in toc
    for art, page in corpus["truth"]["conditions_pdf"]["article_pages"].items():
        m = re.search(rf"^{art} .*?\.{{5,}}\s*(\d+)$", toc, re.MULTILINE)
        assert m and int(m.group(1)) == page, art
        assert re.search(rf"^{art} ", pages[page - 1], re.MULTILINE), art


def test_pdf_hyphenates_words_and_runs_subarticles_across_pages(corpus):
    txt_words = set(re.findall(r"[\w-]+", corpus["txt"]))
    breaks = []
    for text in corpus["pages"]:
        lines = text.splitlines()
        for a, b in zip(lines, lines[1:]):
            if re.search(r"[a-zë]-$", a) and b[:1].islower():
                breaks.append(re.findall(r"[\w-]+$", a)[0][:-1] + re.findall(r"^[\w-]+", b)[0])
    joined = [w for w in breaks if w in txt_words]
    assert len(joined) >= 10, breaks
    split = corpus["truth"]["conditions_pdf"]["split_subs"]
    assert len(split) >= 3
    subs = corpus["truth"]["conditions_subs"]
    for n in split:
        body = letters(f"{n}{subs['Artikel ' + n]}")
        assert not any(body in letters(p) for p in corpus["pages"]), n
        starts = [i for i, p in enumerate(corpus["pages"]) if re.search(rf"^{re.escape(n)} ", p, re.MULTILINE)]
        assert starts, n


def test_library_drift_and_decoys(corpus):
    t = corpus["truth"]
    lib = corpus["library"]
    assert lib[0] == ("Code", "Tekst", "Categorie")
    assert all(len(r) == 3 for r in lib)
    codes = {r[0]: r[1] for r in lib[1:]}
    assert len(codes) == len(lib) - 1
    assert all(re.fullmatch(r"[A-Z]{2}\d{2}", c) for c in codes)
    lib_fams = {k: f for k, f in t["families"].items() if f["category"] == "library"}
    with_decoys = 0
    for fid, f in lib_fams.items():
        assert codes[f["library_code"]] == f["library_text"]
        assert f["drift"] and "library_drift" in f["kinds"]
        if "blanks" in f["drift"]:
            assert re.search(r"\.{3,}|…|_{2,}|<[a-z ]+>|\[[^\]]*\]", f["library_text"]), fid
        for code, text in zip(f["decoy_codes"], f["decoy_texts"]):
            assert code != f["library_code"] and codes[code] == text and text != f["library_text"]
            with_decoys += 1
        assert bool(f["decoy_codes"]) == ("decoy" in f["kinds"])
    assert with_decoys >= 10
    for fid, text in zip(t["row_family"], corpus["texts"]):
        if fid in lib_fams:
            assert squash(lib_fams[fid]["library_text"]) not in squash(text)
    for f in t["families"].values():
        if f["category"] != "library":
            assert f["library_code"] is None and not f["decoy_codes"]


def test_both_splits_hold_every_category(corpus):
    fams = {k: f for k, f in corpus["truth"]["families"].items() if f["category"] in CATEGORIES}
    per = Counter((f["category"], f["split"]) for f in fams.values())
    for cat in CATEGORIES:
        assert per[(cat, "dev")] >= 3 and per[(cat, "test")] >= 3, (cat, per)
    for kind in ("decoy", "word_slots", "library_drift", "blanks", "names", "subarticle", "abbreviations"):
        k = Counter(f["split"] for f in fams.values() if kind in f["kinds"])
        assert k["dev"] >= 3 and k["test"] >= 3, (kind, k)


def test_deterministic_per_seed(tmp_path):
    a = generate(400, tmp_path / "a", seed=5)
    b = generate(400, tmp_path / "b", seed=5)
    c = generate(400, tmp_path / "c", seed=6)
    for key in ("policy", "conditions_txt", "conditions_docx", "conditions_pdf", "library", "truth"):
        assert a[key].read_bytes() == b[key].read_bytes(), key
    assert a["policy"].read_bytes() != c["policy"].read_bytes()
    assert a["truth"].read_bytes() != c["truth"].read_bytes()


def test_csv_format(tmp_path):
    paths = generate(300, tmp_path, seed=1, policy_format="csv")
    assert paths["policy"].name == "polissen.csv"
    with open(paths["policy"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert tuple(rows[0]) == HEADER and len(rows) == 301
    with pytest.raises(ValueError):
        generate(10, tmp_path / "x", policy_format="pdf")


def test_ten_thousand_rows_are_fast_varied_and_skewed(tmp_path):
    t0 = time.perf_counter()
    paths = generate(10_000, tmp_path, seed=0, policy_format="csv")
    assert time.perf_counter() - t0 < 30          # a few seconds on an idle machine
    with open(paths["policy"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    assert len(rows) == 10_000
    assert len({r[5] for r in rows}) >= 6500
    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    counts = Counter(fid for fid in truth["row_family"] if not fid.startswith(("U", "EMPTY")))
    assert sum(c >= 500 for c in counts.values()) >= 1
    assert sum(c <= 20 for c in counts.values()) >= 20
