"""The ground truth a corpus generator writes beside its files (`truth.json`) and the scorer reads:
one schema for every generator (evaluation/synth.py, benchmarks/heldout, benchmarks/heldout_business).

Per row, the clause family it was written from (`row_family`, aligned with the policy export's
rows) and, for the held-out corpora, what the analysis should advise (`row_expect`); per family
what the generator knows of it (`families`). A generator may add keys of its own (the business
corpus records values and noise per row); the scorer reads only the ones named here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

Expect = Literal["remove", "replace", "lapsed", "keep", "fill", "clean"]


class Family(TypedDict):
    """What the scorer reads of a family; generators record more (its template, slots, ...)."""

    article: str | None  # the (sub-)article of the conditions that states it ("Artikel 12.1"), if any
    library_code: str | None  # the standard clause it was typed from, if any
    # held-out corpora: the kind of family (library, verbatim, deviation, oneoff, ...)
    category: NotRequired[str]
    decoy_codes: NotRequired[list[str]]  # standard clauses sharing most words that mean otherwise
    # the tuning corpus: how the conditions state it ("verbatim", "paraphrase", "none"), and
    # whether it is a clause family at all ("family", "unique", "special:<kind>")
    coverage: NotRequired[str]
    kind: NotRequired[str]


class Truth(TypedDict):
    generator: str  # "synth", "heldout", "heldout_business"
    seed: int
    rows: int
    row_family: list[str]
    families: dict[str, Family]
    row_expect: NotRequired[list[Expect]]  # held-out corpora: the advice each row should get
    analysis_date: NotRequired[str]  # ISO date the expectations hold for (lapsed clauses)


def write_truth(path: Path, truth: Truth, indent: int | None = None) -> None:
    """`truth` as JSON, after checking that every row names a known family."""
    _check(truth, str(path))
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=indent)


def read_truth(path: Path) -> Truth:
    truth = json.loads(Path(path).read_text(encoding="utf-8"))
    _check(truth, str(path))
    return truth


def _check(truth: Truth, where: str) -> None:
    missing = [key for key in ("generator", "seed", "rows", "row_family", "families") if key not in truth]
    if missing:
        raise ValueError(f"{where}: truth without {', '.join(missing)}")
    if "row_expect" in truth and len(truth["row_expect"]) != len(truth["row_family"]):
        raise ValueError(f"{where}: row_expect and row_family differ in length")
    unknown = set(truth["row_family"]) - set(truth["families"])
    if unknown:
        raise ValueError(f"{where}: rows of unknown families {sorted(unknown)[:3]}")
