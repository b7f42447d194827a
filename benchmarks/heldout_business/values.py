"""Slot values: draw a raw value for a slot type and write it in one of the notations seen in exports."""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    with open(DATA / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def pools() -> dict:
    return load("values")


def slot_type(name: str) -> str:
    """{bedrag2} is a second slot of type bedrag."""
    return name.rstrip("0123456789")


WORD_TYPES = frozenset(k for k in load("values")["words"] if k != "leeg")
NAME_TYPES = frozenset({"bedrijf", "persoon", "bank"})
# slot types with many distinct values (families with them make many distinct rows)
RICH_TYPES = frozenset({"bedrijf", "persoon", "adres", "datum", "einddatum", "bedrag", "groot", "kenteken", "kvk",
                        "lening", "polisnr", "telefoon", "serienr", "monument"})


def numeral(n: int) -> str:
    nums = pools()["numerals"]
    return nums[n] if 0 <= n < len(nums) else str(n)


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ---------------------------------------------------------------- raw values
def draw(kind: str, rng: random.Random, analysis: dt.date):
    p = pools()
    if kind in p["words"]:
        return rng.choice(p["words"][kind])
    if kind == "bedrag":
        return rng.choice([250, 500, 750, 1000, 1500, 2000, 2500, 3500, 5000, 7500, 10000, 12500, 15000, 20000,
                           25000, 30000, 40000, 50000, 75000, 100000]) + (
            rng.choice([0, 0, 250, 500]) if rng.random() < 0.15 else 0)
    if kind == "groot":
        return rng.choice([150_000, 250_000, 400_000, 500_000, 750_000, 1_000_000, 1_250_000, 1_500_000, 2_000_000,
                           2_500_000, 3_000_000, 4_000_000, 5_000_000, 7_500_000]) + (
            rng.randrange(1, 90) * 1000 if rng.random() < 0.2 else 0)
    if kind == "pct":
        return rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 75])
    if kind == "periode":
        return rng.choice([1, 2, 3, 4, 6, 6, 9, 12, 12, 18, 24])
    if kind == "dagen":
        return (rng.choice([2, 3, 5, 7, 10, 14, 21, 30]), rng.choice(["dagen", "dagen", "werkdagen"]))
    if kind == "weken":
        return rng.choice([26, 39, 78, 104])
    if kind == "datum":
        return date_between(rng, dt.date(2012, 1, 1), analysis - dt.timedelta(days=10))
    if kind == "einddatum":       # lapsed: before the analysis date
        return date_between(rng, analysis - dt.timedelta(days=5 * 365), analysis - dt.timedelta(days=2))
    if kind == "adres":
        return address(rng)
    if kind == "plaats":
        return rng.choice(p["cities"])
    if kind == "bedrijf":
        return company(rng)
    if kind == "persoon":
        return person(rng)
    if kind == "bank":
        return rng.choice(p["banks"])
    if kind == "kvk":
        return f"{rng.randrange(10_000_000, 99_999_999)}"
    if kind == "polisnr":
        return policy_number(rng)
    if kind == "lening":
        return loan_number(rng)
    if kind == "kenteken":
        return plate(rng)
    if kind == "telefoon":
        return phone(rng)
    if kind == "serienr":
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        return f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10000, 999999)}"
    if kind == "bouwjaar":
        return str(rng.randrange(1998, 2026))
    if kind == "monument":
        return str(rng.randrange(500_000, 530_000))
    if kind in ("aantal", "medewerkers", "panelen", "km", "meters"):
        lo, hi = {"aantal": (2, 12), "medewerkers": (3, 180), "panelen": (12, 640), "km": (2, 25),
                  "meters": (5, 20)}[kind]
        return rng.randrange(lo, hi + 1)
    raise KeyError(kind)


def date_between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange(max((hi - lo).days, 1)))


# ---------------------------------------------------------------- rendering
def render(kind: str, raw, rng: random.Random, canonical: bool = False) -> str:
    if kind in ("bedrag", "groot"):
        return amount(raw, rng, canonical)
    if kind == "pct":
        if canonical:
            return f"{raw}%"
        forms = [f"{raw}%", f"{raw}%", f"{raw} %", f"{raw} procent"]
        if raw <= 20:
            forms.append(f"{numeral(raw)} procent")
        return rng.choice(forms)
    if kind == "periode":
        return months(raw, rng, canonical)
    if kind == "dagen":
        n, unit = raw
        return f"{numeral(n)} {unit}" if canonical or (n <= 20 and rng.random() < 0.5) else f"{n} {unit}"
    if kind == "weken":
        if canonical:
            return f"{raw} weken"
        alt = {26: ["een half jaar", "26 weken", "zes maanden"], 39: ["39 weken", "negen maanden"],
               78: ["78 weken", "anderhalf jaar"], 104: ["104 weken", "twee jaar"]}[raw]
        return rng.choice([f"{raw} weken", f"{raw} weken"] + alt)
    if kind in ("datum", "einddatum"):
        return fmt_date(raw, rng, canonical)
    if kind in ("aantal", "km", "meters"):
        return numeral(raw) if raw <= 20 and rng.random() < 0.4 else str(raw)
    if kind == "medewerkers":
        return numeral(raw) if raw <= 12 and rng.random() < 0.5 else str(raw)
    if kind == "bedrijf" and not canonical and rng.random() < 0.12:
        return raw.upper()
    return str(raw)


def amount(n: int, rng: random.Random, canonical: bool = False) -> str:
    t = thousands(n)
    if canonical:
        return f"€ {t}"
    styles = [f"€ {t}", f"€ {t}", f"€ {t},-", f"EUR {n}", f"EUR {t},-", f"€{t},00", f"€ {t},00", f"{t} euro",
              f"{n} euro", f"€{n}", f"EUR {t},00", f"{t} EUR"]
    if n >= 1_000_000 and n % 100_000 == 0:
        m = f"{n / 1_000_000:.1f}".replace(".", ",").replace(",0", "")
        styles += [f"€ {m} miljoen", f"EUR {m} mln", f"{m} miljoen euro"]
    return rng.choice(styles)


def months(n: int, rng: random.Random, canonical: bool = False) -> str:
    unit = "maand" if n == 1 else "maanden"
    words = f"{numeral(n)} {unit}"
    if canonical:
        return words
    forms = [f"{n} {unit}", f"{n} {unit}", words, words, f"{n} mnd.", f"{numeral(n)} ({n}) {unit}"]
    if n == 12:
        forms += ["een jaar", "één jaar"]
    if n == 24:
        forms += ["twee jaar"]
    return rng.choice(forms)


def fmt_date(d: dt.date, rng: random.Random, canonical: bool = False) -> str:
    p = pools()
    if canonical:
        return f"{d.day} {p['months'][d.month - 1]} {d.year}"
    style = rng.randrange(8)
    if style in (0, 1):
        return d.strftime("%d-%m-%Y")
    if style == 2:
        return f"{d.day} {p['months'][d.month - 1]} {d.year}"
    if style == 3:
        return f"{d.day}-{d.month}-{d.year}"
    if style == 4:
        return d.strftime("%d.%m.%Y")
    if style == 5:
        return f"{d.day} {p['months_short'][d.month - 1]} {d.year}"
    if style == 6:
        return d.isoformat()
    return d.strftime("%d/%m/%Y")


# ---------------------------------------------------------------- names, places, numbers
def postcode(rng: random.Random) -> str:
    letters = "ABCDEGHJKLMNPRSTVWXZ"
    return f"{rng.randrange(1000, 9999)}{rng.choice(['', ' '])}{rng.choice(letters)}{rng.choice(letters)}"


def address(rng: random.Random) -> str:
    p = pools()
    nr = str(rng.randrange(1, 260))
    if rng.random() < 0.15:
        nr += rng.choice(["a", "b", "A", "-3", " unit 4", "-12"])
    street = f"{rng.choice(p['streets'])} {nr}"
    city = rng.choice(p["cities"])
    form = rng.randrange(4)
    if form == 0:
        return street
    if form == 1:
        return f"{street}, {postcode(rng)} {city}"
    if form == 2:
        return f"{street} te {city}"
    return f"{street} {postcode(rng)} {city.upper() if rng.random() < 0.3 else city}"


def company(rng: random.Random) -> str:
    p = pools()
    base = rng.choice(p["company_base"])
    form = rng.choice(p["company_forms"])
    r = rng.random()
    if r < 0.3:
        return f"{base} & Zonen {form}"
    if r < 0.55:
        return f"{base} {rng.choice(p['company_trade'])} {form}"
    if r < 0.7:
        return f"{rng.choice(p['company_trade'])} {base}"          # eenmanszaak: "Bakkerij Smit"
    if r < 0.85:
        return f"{rng.choice(p['company_fancy'])} {rng.choice(p['company_trade'])} {form}"
    return f"{base} en {rng.choice(p['company_base'])} {rng.choice(['V.O.F.', 'Advocaten', 'C.V.', 'B.V.'])}"


def person(rng: random.Random) -> str:
    p = pools()
    tv, sur = rng.choice(p["tussen"]), rng.choice(p["surnames"])
    if rng.random() < 0.5:
        initials = "".join(f"{c}." for c in rng.sample("ABCDEFGHIJKLMNPRSTW", rng.randint(1, 3)))
        return f"{rng.choice(p['titles'])}{initials} {tv}{sur}".strip()
    return f"{rng.choice(p['first_names'])} {tv}{sur}"


def policy_number(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"BDP-{rng.randrange(10**6, 10**7)}"
    if form == 1:
        return f"{rng.randrange(10**7, 10**8)}"
    if form == 2:
        return f"{rng.randrange(100, 999)}.{rng.randrange(100, 999)}.{rng.randrange(100, 999)}"
    return f"P{rng.randrange(2005, 2026)}/{rng.randrange(0, 99999):05d}"


def loan_number(rng: random.Random) -> str:
    form = rng.randrange(3)
    if form == 0:
        return f"{rng.randrange(10, 99)}.{rng.randrange(10, 99)}.{rng.randrange(10, 99)}.{rng.randrange(100, 999)}"
    if form == 1:
        return f"{rng.randrange(0, 10**10):010d}"
    return f"ZK-{rng.randrange(2008, 2026)}-{rng.randrange(0, 99999):05d}"


def plate(rng: random.Random) -> str:
    letters = "BDFGHJKLNPRSTVXZ"
    pat = rng.choice(["VX-99-XX", "9-VXX-99", "VX-999-X", "99-VXX-9", "V-999-XX", "VXX-99-X", "9-XX-999"])
    out = "".join(rng.choice(letters) if c == "X" else rng.choice("BV") if c == "V" else
                  str(rng.randrange(10)) if c == "9" else c for c in pat)
    return out.replace("-", "") if rng.random() < 0.1 else out


def phone(rng: random.Random) -> str:
    form = rng.randrange(3)
    if form == 0:
        return f"06-{rng.randrange(10**7, 10**8)}"
    if form == 1:
        return f"0{rng.randrange(10, 99)}-{rng.randrange(10**6, 10**7)}"
    return f"+31 6 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
