"""The family catalogue: expand the YAML templates into families, pair near-misses, assign categories."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
AXIS_RE = re.compile(r"<([a-z_]+)(\.p)?>")
SLOT_RE = re.compile(r"\{([a-z_]+)\}")
NUMERIC_SLOTS = {"bedrag", "groot", "pct"}
# axes whose items differ in one meaningful element: preferred for near-miss pairs
CONTRAST_AXES = {"pol", "theft", "locatie", "peril_w", "peril_b", "route", "afstand", "gevolg", "gevolg_bg",
                 "limiet", "wachttijd", "dagen", "bagage_cond", "er_cond", "onderhoud_soort", "meldtermijn",
                 "vaargebied", "waarde_basis", "peril_d", "peril_leeg", "periode_leeg", "duur", "termijn"}
CATEGORIES = ("verbatim", "paraphrase", "library", "lapsed", "deviation", "plain")


@dataclass
class Family:
    id: str
    template: str
    branche: str
    topic: str
    article_title: str | None
    cover: bool
    text: str            # core with axes filled, {slots} left
    tail: str | None
    para: str | None
    choice: dict[str, str]
    slots: list[str]
    category: str = "plain"
    near_miss_of: str | None = None
    future_validity: bool = False
    fixed: dict = field(default_factory=dict)     # raw values fixed per family (covered families)
    core: str | None = None                      # canonical core text (families with fixed values)
    conditions_text: str | None = None
    article: str | None = None                   # "Artikel 12"
    sub: str | None = None                       # "12.3"
    library_code: str | None = None
    library_text: str | None = None


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    with open(DATA / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _fill_axes(text: str, items: dict[str, dict]) -> str:
    def sub(m: re.Match) -> str:
        item = items[m.group(1)]
        return item.get("p", item["t"]) if m.group(2) else item["t"]
    out = AXIS_RE.sub(sub, text)
    return out[0].upper() + out[1:] if out else out


def catalogue() -> list[Family]:
    """All families, in a fixed order (independent of the seed)."""
    data = load("families")
    fams: list[Family] = []
    for t in data["templates"]:
        axes = dict(data["axes"])
        axes.update(t.get("axes") or {})
        names = list(dict.fromkeys(m.group(1) for m in AXIS_RE.finditer(t["text"])))
        for combo in itertools.product(*(axes[n] for n in names)):
            items = dict(zip(names, combo))
            text = _fill_axes(t["text"], items)
            tail = _fill_axes(t["tail"], items) if t.get("tail") else None
            para = _fill_axes(t["para"], items) if t.get("para") else None
            slots = list(dict.fromkeys(SLOT_RE.findall(text + " " + (tail or ""))))
            fid = t["id"] + (":" + ".".join(i["id"] for i in combo) if combo else "")
            fams.append(Family(fid, t["id"], t["branche"], t["topic"], t.get("article"), bool(t.get("cover")),
                               text, tail, para, {n: i["id"] for n, i in items.items()}, slots))
    return fams


def _pair_near_misses(fams: list[Family], rng: random.Random, target: int) -> None:
    by_tpl: dict[str, list[Family]] = {}
    for f in fams:
        by_tpl.setdefault(f.template, []).append(f)
    used: set[str] = set()
    order = fams[:]
    rng.shuffle(order)
    pairs = 0
    for f in order:
        if pairs >= target:
            break
        if f.id in used or not f.choice:
            continue
        cands = []
        for g in by_tpl[f.template]:
            if g.id == f.id or g.id in used:
                continue
            diff = [a for a in f.choice if f.choice[a] != g.choice[a]]
            if len(diff) == 1 and (diff[0] in CONTRAST_AXES or len(f.choice) == 1):
                cands.append(g)
        if cands:
            g = rng.choice(cands)
            g.near_miss_of = f.id
            used.update((f.id, g.id))
            pairs += 1


def build(seed: int) -> list[Family]:
    """Catalogue with seed-dependent categories and near-miss pairs."""
    rng = random.Random(f"heldout-families-{seed}")
    fams = catalogue()
    n = len(fams)
    _pair_near_misses(fams, rng, target=int(0.08 * n) + 1)
    quota = {"deviation": round(0.05 * n), "library": round(0.10 * n), "verbatim": round(0.15 * n),
             "paraphrase": round(0.15 * n), "lapsed": round(0.06 * n)}
    eligible = {
        "deviation": lambda f: f.cover and any(s in NUMERIC_SLOTS for s in f.slots),
        "library": lambda f: bool(f.slots),
        "verbatim": lambda f: f.cover,
        "paraphrase": lambda f: f.cover and f.para is not None,
        "lapsed": lambda f: True,
    }
    free = fams[:]
    rng.shuffle(free)
    for cat in ("deviation", "library", "paraphrase", "verbatim", "lapsed"):
        take = [f for f in free if eligible[cat](f)][:quota[cat]]
        for f in take:
            f.category = cat
        ids = {f.id for f in take}
        free = [f for f in free if f.id not in ids]
    for f in free:
        f.future_validity = rng.random() < 0.08
    return fams
