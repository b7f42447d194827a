"""Build the corpus in memory: the numbered conditions, the families, the drifted library with decoys, the rows."""

from __future__ import annotations

import datetime as dt
import random
import re
import zlib
from dataclasses import dataclass, field

from . import noise
from . import values as V
from .values import load, slot_type

SLOT_RE = re.compile(r"\{([a-z]+[0-9]?)\}")
REF_RE = re.compile(r"\{ref:([a-z_]+)\}")
EXPECT = {"verbatim": "remove", "paraphrase": "remove", "library": "replace", "lapsed": "lapsed",
          "deviation": "keep", "near_miss": "keep", "plain": "keep", "fill": "fill", "oneoff": "keep",
          "empty": "clean"}
CATEGORIES = ("verbatim", "paraphrase", "library", "lapsed", "deviation", "near_miss", "plain", "fill")
LETTERS = "abcdefghijklmnop"


# ---------------------------------------------------------------- conditions
@dataclass
class Sub:
    number: str                 # "12.1"
    text: str
    items: list[str]
    key: str | None = None

    @property
    def full(self) -> str:
        """The sub-article's text with its lettered items, as one line (what families are checked against)."""
        return " ".join([self.text] + [f"{LETTERS[i]}. {it}" for i, it in enumerate(self.items)])


@dataclass
class Article:
    number: int
    title: str
    part: str | None
    subs: list[Sub]

    @property
    def heading(self) -> str:
        return f"Artikel {self.number} {self.title}"


@dataclass
class Conditions:
    product: str
    code: str
    title: str
    intro: str
    articles: list[Article]
    by_key: dict[str, Sub]

    def subs(self) -> dict[str, str]:
        return {s.number: s.full for a in self.articles for s in a.subs}


def build_conditions() -> Conditions:
    data = load("conditions")
    numbers: dict[str, str] = {}
    for n, art in enumerate(data["articles"], start=1):
        for k, sub in enumerate(art["subs"], start=1):
            if sub.get("key"):
                assert sub["key"] not in numbers, sub["key"]
                numbers[sub["key"]] = f"{n}.{k}"

    def resolve(text: str) -> str:
        return REF_RE.sub(lambda m: numbers[m.group(1)], text)

    articles, by_key = [], {}
    for n, art in enumerate(data["articles"], start=1):
        subs = []
        for k, sub in enumerate(art["subs"], start=1):
            s = Sub(f"{n}.{k}", resolve(sub["text"]), [resolve(i) for i in sub.get("items") or []], sub.get("key"))
            subs.append(s)
            if s.key:
                by_key[s.key] = s
        articles.append(Article(n, art["title"], art.get("part"), subs))
    return Conditions(data["product"], data["code"], data["title"], data["intro"], articles, by_key)


# ---------------------------------------------------------------- families
@dataclass
class Family:
    id: str
    category: str
    branche: str
    text: str                     # template incl. optional sentence, {slots} left
    opt: str | None
    slots: list[str]
    fixed: dict = field(default_factory=dict)
    sub: Sub | None = None
    art: str | None = None        # the sub-article a deviation names ("12.1")
    library_text: str | None = None
    drift: list[str] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)
    library_code: str | None = None
    decoy_codes: list[str] = field(default_factory=list)
    local_code: str | None = None

    def canonical(self) -> str:
        return fill(self.text, {s: V.render(slot_type(s), self.fixed[s], random.Random(0), canonical=True)
                                for s in self.slots})


def fill(text: str, vals: dict[str, str]) -> str:
    return SLOT_RE.sub(lambda m: vals[m.group(1)], text)


def squash(text: str) -> str:
    return " ".join(text.split()).lower()


def build_families(cond: Conditions) -> list[Family]:
    fams: list[Family] = []
    seen: set[str] = set()
    for d in load("families")["families"]:
        assert d["id"] not in seen, d["id"]
        seen.add(d["id"])
        sub = cond.by_key[d["sub"]] if d.get("sub") else None
        text = d["text"]
        art = None
        if "{art}" in text:
            art = sub.number
            text = text.replace("{art}", art)
        opt = d.get("opt")
        if opt:
            text = f"{text} {opt}"
        slots = list(dict.fromkeys(SLOT_RE.findall(text)))
        f = Family(d["id"], d["cat"], d["branche"], text, opt, slots, dict(d.get("fixed") or {}), sub, art,
                   d.get("library"), list(d.get("drift") or []), list(d.get("decoys") or []))
        assert f.category in CATEGORIES, f.id
        if f.category in ("verbatim", "paraphrase", "near_miss"):
            assert set(f.slots) == set(f.fixed), f.id
            canon = squash(f.canonical())
            if f.category == "verbatim":
                assert canon in squash(sub.full), f.id
            else:
                assert canon not in squash(sub.full), f.id
        if f.category in ("verbatim", "paraphrase", "deviation", "near_miss"):
            assert sub is not None, f.id
        if f.category == "library":
            assert f.library_text and f.drift, f.id
            assert squash(f.library_text) != squash(f.text), f.id
        fams.append(f)
    return fams


def kinds(f: Family) -> list[str]:
    types = {slot_type(s) for s in f.slots}
    out = []
    if types & V.WORD_TYPES:
        out.append("word_slots")
    if f.category == "library":
        out.append("library_drift")
        if "blanks" in f.drift:
            out.append("blanks")
    if f.decoys:
        out.append("decoy")
    if f.category in ("verbatim", "paraphrase", "deviation", "near_miss"):
        out.append("subarticle")
    if f.category == "paraphrase":
        out.append("paraphrase")
    if f.category == "near_miss":
        out.append("near_miss")
    if types & V.NAME_TYPES:
        out.append("names")
    pools = load("noise")
    if any(re.search(r"(?<![\w-])" + re.escape(full) + r"(?![\w-])", f.text) for full, _ in pools["abbreviations"]):
        out.append("abbreviations")
    return out


def split_of(fid: str) -> str:
    return "dev" if zlib.crc32(fid.encode()) % 2 == 0 else "test"


# ---------------------------------------------------------------- library
def build_library(fams: list[Family], seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(f"heldout-business-library-{seed}")
    pools = load("noise")
    used: set[str] = set()

    def code(branche: str) -> str:
        pre = pools["code_prefix"][branche]
        while True:
            c = f"{pre}{rng.randrange(1, 100):02d}"
            if c not in used:
                used.add(c)
                return c

    cat = pools["library_categories"]
    entries: list[tuple[str, str, str]] = []
    for f in fams:
        if f.category != "library":
            continue
        f.library_code = code(f.branche)
        entries.append((f.library_code, f.library_text, cat[f.branche]))
        f.decoy_codes = []
        for text in f.decoys:
            c = code(f.branche)
            f.decoy_codes.append(c)
            entries.append((c, text, cat[f.branche]))
    for branche, text in pools["library_extra"]:
        entries.append((code(branche), text, cat[branche]))
    entries.sort(key=lambda e: (e[0][:2], int(e[0][2:])))
    return entries


# ---------------------------------------------------------------- rows
@dataclass
class Row:
    family: str
    expect: str
    text: str
    values: list[str]
    noise: list[str]
    branche: str
    code: str


def draw_values(f: Family, rng: random.Random, analysis: dt.date) -> list[str]:
    raw: dict[str, object] = {}
    for s in f.slots:
        kind = slot_type(s)
        if s in f.fixed:
            raw[s] = f.fixed[s]
        elif kind == "begindatum":
            continue
        else:
            raw[s] = V.draw(kind, rng, analysis)
    if "begindatum" in f.slots:
        raw["begindatum"] = raw["einddatum"] - dt.timedelta(days=rng.randrange(1, 90))
    out = []
    for s in f.slots:
        kind = slot_type(s)
        kind = "datum" if kind == "begindatum" else kind
        canonical = s in f.fixed and rng.random() < 0.6      # fixed values: the conditions' notation, or another
        out.append(V.render(kind, raw[s], rng, canonical=canonical))
    return out


def oneoff_text(rng: random.Random, analysis: dt.date) -> str:
    pools = load("noise")
    parts = [rng.choice(pools["oneoff_a"]), rng.choice(pools["oneoff_b"]), rng.choice(pools["oneoff_c"])]
    text = " ".join(p for p in parts if p)

    def val(m: re.Match) -> str:
        kind = slot_type(m.group(1))
        return V.render(kind, V.draw(kind, rng, analysis), rng)
    text = SLOT_RE.sub(val, text)
    return text[0].upper() + text[1:]


def assign(fams: list[Family], n: int, rng: random.Random) -> list[Family]:
    """Skewed family sizes: a few large families (preferably ones with many distinct values), many small ones."""
    rich = [f for f in fams if {slot_type(s) for s in f.slots} & V.RICH_TYPES and not f.fixed
            and f.category != "fill"]
    poor = [f for f in fams if f not in rich]
    rng.shuffle(rich)
    rng.shuffle(poor)
    rest = rich[6:] + poor
    rng.shuffle(rest)
    order = rich[:6] + rest
    weights = [1.0 / (r + 1) ** 1.05 for r in range(len(order))]
    weights = [min(w, 1.5 * weights[2]) for w in weights]       # the largest families at about 10% of the rows
    floor = 2 if n >= 4 * len(order) else 0
    picked = [f for f in order for _ in range(floor)]
    picked += rng.choices(order, weights=weights, k=n - len(picked))
    return picked


def build_rows(fams: list[Family], rows: int, seed: int, analysis: dt.date) -> list[Row]:
    rng = random.Random(f"heldout-business-rows-{seed}")
    pools = load("noise")
    n_empty = round(0.03 * rows)
    n_oneoff = round(0.05 * rows)
    slots: list[object] = ["EMPTY"] * n_empty + ["U"] * n_oneoff
    slots += assign(fams, rows - len(slots), rng)
    rng.shuffle(slots)
    # local codes of the old policy system: per family, some shared by several families
    generic = ["VRIJ", "BB01", "CL99", "XX"]
    for f in fams:
        f.local_code = rng.choice(generic) if rng.random() < 0.3 else f"K{rng.randrange(100, 999)}"
    out: list[Row] = []
    empties = list(dict.fromkeys(pools["empty"]))
    u = 0
    for item in slots:
        if item == "EMPTY":       # one family per trivial text: EMPTY-00 (""), EMPTY-01 (" ") ...
            text = rng.choice(pools["empty"])
            out.append(Row(f"EMPTY-{empties.index(text):02d}", EXPECT["empty"], text, [], [], "Algemeen", ""))
            continue
        if item == "U":
            u += 1
            text = oneoff_text(rng, analysis)
            text, tags = noise.apply(text, None, None, rng)
            out.append(Row(f"U{u:04d}", EXPECT["oneoff"], text, [], tags, rng.choice(list(pools["branche_alias"])),
                           ""))
            continue
        f = item
        vals = draw_values(f, rng, analysis)
        text = fill(f.text, dict(zip(f.slots, vals)))
        text, tags = noise.apply(text, f.opt, f.art, rng)
        code = f.local_code if rng.random() < 0.2 else ""
        out.append(Row(f.id, EXPECT[f.category], text, vals, tags, f.branche, code))
    return out
