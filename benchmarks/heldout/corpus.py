"""Build the corpus in memory: fixed values, conditions layout, library, and the policy rows."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from . import noise, slots
from . import values as V
from .families import NUMERIC_SLOTS, SLOT_RE, Family, build, load

COVERED = ("verbatim", "paraphrase")
EXPECT = {"verbatim": "remove", "paraphrase": "remove", "library": "replace", "lapsed": "lapsed",
          "deviation": "keep", "plain": "keep"}
CODE_PREFIX = {"Opstal": ["BR", "OP", "WH"], "Inboedel": ["IB", "INB"], "Motorrijtuigen": ["WA", "MR", "AU"],
               "Aansprakelijkheid": ["AVB", "AV"], "Bedrijfsgebouwen": ["BG", "BRB"], "Transport": ["TR", "GT"],
               "Reis": ["RS", "DR"], "Rechtsbijstand": ["RB", "RBV"], "Hypotheek": ["HYP", "HK"],
               "Algemeen": ["ALG", "PK"], "CAR": ["CAR", "BW"], "Pleziervaartuigen": ["PV", "BT"]}


@dataclass
class Conditions:
    title: str
    intro: str
    articles: list[tuple[str, list[str]]]   # ("Artikel 12 Stormschade", ["12.1 ...", ...])


def fill(text: str, vals: dict[str, str]) -> str:
    return SLOT_RE.sub(lambda m: vals[m.group(1)], text)


def lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text
    return text[0].lower() + text[1:]


def _code(rng: random.Random, cat: str, used: set[str]) -> str:
    while True:
        form = rng.randrange(4)
        pre = rng.choice(CODE_PREFIX.get(cat, ["CL"]))
        if form == 0:
            code = f"{pre}-{rng.randrange(100, 999)}"
        elif form == 1:
            code = f"{pre}{rng.randrange(1, 99):02d}"
        elif form == 2:
            code = f"{rng.randrange(1, 9)}{rng.choice('BCDFGHKLMNPRSTVWXZ')}{rng.choice('BCDFGHKLMNPRSTVWXZ')}{rng.randrange(1, 9)}"
        else:
            code = f"{pre} {rng.randrange(1, 60):03d}"
        if code not in used:
            used.add(code)
            return code


def finalize(fams: list[Family], seed: int, analysis: dt.date) -> tuple[Conditions, list[tuple[str, str, str]]]:
    """Fix per-family values, lay out the conditions and write the library entries."""
    rng = random.Random(f"heldout-final-{seed}")
    cond_data = load("conditions")
    noise_data = load("noise")
    # fixed values and canonical texts
    for f in fams:
        if f.category in COVERED or f.category == "deviation":
            f.fixed = {s: slots.draw(s, rng, analysis) for s in f.slots}
            canon = {s: slots.render(s, v, rng, canonical=True) for s, v in f.fixed.items()}
            f.core = fill(f.text, canon)
            if f.category == "verbatim":
                f.conditions_text = f.core + (" " + fill(f.tail, canon) if f.tail and rng.random() < 0.5 else "")
            elif f.category == "paraphrase":
                f.conditions_text = fill(f.para, canon)
                assert f.core.lower() not in f.conditions_text.lower(), f.id
            else:
                f.conditions_text = f.core
    # articles: one per template that has covered/deviation families, interleaved with filler
    by_title: dict[str, list[Family]] = {}
    for f in fams:
        if f.conditions_text:
            by_title.setdefault(f.article_title, []).append(f)
    blocks: list[tuple[str, list[Family] | list[str]]] = []
    fill_arts = [(a["title"], a["subs"]) for a in cond_data["filler"]]
    topical = list(by_title.items())
    rng.shuffle(topical)
    blocks.extend(fill_arts[:3])
    rest = fill_arts[3:] + topical
    rng.shuffle(rest)
    blocks.extend(rest)
    articles: list[tuple[str, list[str]]] = []
    generic = "De bepalingen van dit artikel gelden voor zover de betreffende dekking op het polisblad is vermeld."
    for n, (title, content) in enumerate(blocks, start=1):
        subs: list[str] = []
        if content and isinstance(content[0], Family):
            fs = list(content)
            rng.shuffle(fs)
            items: list[object] = [generic] + fs
        else:
            items = list(content)
        for k, item in enumerate(items, start=1):
            if isinstance(item, Family):
                item.article, item.sub = f"Artikel {n}", f"{n}.{k}"
                subs.append(f"{n}.{k} {item.conditions_text}")
            else:
                subs.append(f"{n}.{k} {item}")
        articles.append((f"Artikel {n} {title}", subs))
    conditions = Conditions(cond_data["title"], cond_data["intro"], articles)
    # library
    used: set[str] = set()
    library: list[tuple[str, str, str]] = []
    for f in fams:
        if f.category == "library":
            raw = {s: slots.draw(s, rng, analysis) for s in f.slots}
            vals = {s: slots.render(s, v, rng, canonical=True) for s, v in raw.items()}
            f.library_code = _code(rng, f.branche, used)
            f.library_text = fill(f.text, vals) + (" " + fill(f.tail, vals) if f.tail else "")
            f.fixed = raw
            f.core = None
            library.append((f.library_code, f.library_text, f.branche))
    for text in noise_data["library_extra"]:
        vals = {s: slots.render(s, slots.draw(s, rng, analysis), rng, canonical=True) for s in SLOT_RE.findall(text)}
        cat = rng.choice(noise_data["library_categories"])
        library.append((_code(rng, cat, used), fill(text, vals), cat))
    rng.shuffle(library)
    return conditions, library


def _validity(rng: random.Random, end: dt.date, analysis: dt.date) -> tuple[str, bool]:
    pools = load("noise")
    start = end - dt.timedelta(days=rng.randrange(30, 900))
    prefix = rng.random() < 0.25
    phrase = rng.choice(pools["validity_prefix" if prefix else "validity"])
    return phrase.format(end=V.fmt_date(end, rng), start=V.fmt_date(start, rng)), prefix


def render_row(f: Family, rng: random.Random, analysis: dt.date) -> str:
    lapsed = f.category == "lapsed"
    vals: dict[str, str] = {}
    for s in f.slots:
        if f.category in COVERED:
            raw = f.fixed[s]
            vals[s] = slots.render(s, raw, rng, canonical=rng.random() > 0.15 or s not in NUMERIC_SLOTS)
            continue
        raw = slots.draw(s, rng, analysis, past_only=lapsed)
        if f.category in ("deviation", "library"):
            while raw == f.fixed[s]:
                raw = slots.draw(s, rng, analysis)
        vals[s] = slots.render(s, raw, rng)
    text = fill(f.text, vals)
    if f.tail and rng.random() < 0.7:
        text += " " + fill(f.tail, vals)
    if f.category == "deviation":
        phrase = rng.choice(load("noise")["deviation"])
        art = f.sub if rng.random() < 0.7 else f.article.split()[1]
        text = phrase.format(art=art, text=lower_first(text))
    if lapsed or f.future_validity:
        if lapsed:
            end = V.date_between(rng, analysis - dt.timedelta(days=6 * 365), analysis - dt.timedelta(days=1))
        else:
            end = V.date_between(rng, analysis + dt.timedelta(days=1), analysis + dt.timedelta(days=4 * 365))
        phrase, prefix = _validity(rng, end, analysis)
        text = f"{phrase} {lower_first(text)}" if prefix else f"{text} {phrase}"
    return noise.apply(text, rng)


def zipf_assignment(fams: list[Family], rows: int, rng: random.Random) -> list[Family]:
    order = fams[:]
    rng.shuffle(order)
    weights = [1.0 / (r + 1) ** 0.9 for r in range(len(order))]
    if rows >= 2 * len(order):
        picked = order + rng.choices(order, weights=weights, k=rows - len(order))
    else:
        picked = rng.choices(order, weights=weights, k=rows)
    rng.shuffle(picked)
    return picked


def policy_rows(fams: list[Family], rows: int, seed: int, analysis: dt.date) -> tuple[list[list[str]], list[Family]]:
    rng = random.Random(f"heldout-rows-{seed}")
    npools = load("noise")
    picked = zipf_assignment(fams, rows, rng)
    out: list[list[str]] = []
    polis = ingang = ""
    for i, f in enumerate(picked):
        if i == 0 or rng.random() < 0.35:
            polis = V.policy_number(rng)
            d = V.date_between(rng, dt.date(2008, 1, 1), analysis)
            ingang = d.strftime("%d-%m-%Y") if rng.random() < 0.8 else V.fmt_date(d, rng)
        branche = rng.choice(npools["branche_alias"][f.branche])
        out.append([polis, branche, ingang, render_row(f, rng, analysis), rng.choice(npools["remarks"])])
    return out, picked
