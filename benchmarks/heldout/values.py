"""Value generators: amounts, dates, addresses, plates, IBANs, names... each in the notations seen in exports."""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def pools() -> dict:
    with open(DATA / "values.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# ---------------------------------------------------------------- amounts
def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def fmt_amount(n: int, rng: random.Random, canonical: bool = False) -> str:
    """One amount in euros in one of the notations people type."""
    if canonical:
        return f"€ {_thousands(n)}"
    styles = ["€ {t},-", "EUR {n}", "€{t},00", "{n} euro", "€ {t}", "EUR {t},00", "€ {t},--", "{t} EUR", "€{n}"]
    if n >= 1_000_000 and n % 100_000 == 0:
        m = n / 1_000_000
        ms = (f"{m:.1f}".replace(".", ",")).replace(",0", "")
        styles += [f"€ {ms} miljoen", f"EUR {ms} mln", f"{ms} miljoen euro"] * 2
    style = rng.choice(styles)
    return style.format(t=_thousands(n), n=n)


def amount_small(rng: random.Random) -> int:
    return rng.choice([100, 150, 200, 250, 300, 350, 450, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000,
                       3500, 4000, 5000, 6000, 7500, 10000, 12500, 15000, 20000, 25000]) + \
        (rng.choice([0, 0, 0, 0, 25, 50, 75, 125]) if rng.random() < 0.2 else 0)


def amount_large(rng: random.Random) -> int:
    base = rng.choice([100_000, 150_000, 250_000, 300_000, 450_000, 500_000, 750_000, 1_000_000, 1_250_000,
                       1_500_000, 2_000_000, 2_500_000, 3_000_000, 5_000_000, 7_500_000, 10_000_000])
    if rng.random() < 0.25:
        base += rng.randrange(1, 90) * 1000
    return base


# ---------------------------------------------------------------- dates
def fmt_date(d: dt.date, rng: random.Random, canonical: bool = False) -> str:
    p = pools()
    if canonical:
        return d.strftime("%d-%m-%Y")
    style = rng.randrange(8)
    if style == 0:
        return d.strftime("%d-%m-%Y")
    if style == 1:
        return f"{d.day} {p['months'][d.month - 1]} {d.year}"
    if style == 2:
        return f"{d.day}-{d.month}-{d.year % 100:02d}"
    if style == 3:
        return d.isoformat()
    if style == 4:
        return d.strftime("%d.%m.%Y")
    if style == 5:
        return f"{d.day} {p['months_short'][d.month - 1]} {d.year}"
    if style == 6:
        return f"{d.day}-{d.month}-{d.year}"
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def date_between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    span = (hi - lo).days
    return lo + dt.timedelta(days=rng.randrange(max(span, 1)))


# ---------------------------------------------------------------- places, names
def postcode(rng: random.Random) -> str:
    letters = "ABCDEGHJKLMNPRSTVWXZ"
    return f"{rng.randrange(1000, 9999)}{rng.choice(['', ' '])}{rng.choice(letters)}{rng.choice(letters)}"


def city(rng: random.Random) -> str:
    return rng.choice(pools()["cities"])


def address(rng: random.Random) -> str:
    p = pools()
    nr = str(rng.randrange(1, 240))
    r = rng.random()
    if r < 0.15:
        nr += rng.choice(["a", "b", "A", "-1", " bis", "-II", " hs"])
    street = f"{rng.choice(p['streets'])} {nr}"
    form = rng.randrange(4)
    if form == 0:
        return street
    if form == 1:
        return f"{street}, {postcode(rng)} {city(rng)}"
    if form == 2:
        return f"{street} te {city(rng)}"
    return f"{street} {postcode(rng)} {city(rng).upper() if rng.random() < 0.3 else city(rng)}"


def bank(rng: random.Random) -> str:
    return rng.choice(pools()["banks"])


def company(rng: random.Random) -> str:
    p = pools()
    return f"{rng.choice(p['company_first'])} {rng.choice(p['company_second'])} {rng.choice(p['company_forms'])}"


def person(rng: random.Random) -> str:
    p = pools()
    first = rng.choice(p["first_names"])
    tv = rng.choice(p["tussen"])
    sur = rng.choice(p["surnames"])
    if rng.random() < 0.5:
        initials = "".join(f"{c}." for c in rng.sample("ABCDEFGHIJKLMNPRSTW", rng.randint(1, 3)))
        return f"{rng.choice(p['titles'])}{initials} {tv}{sur}".strip()
    return f"{first} {tv}{sur}"


# ---------------------------------------------------------------- numbers
def loan_number(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"{rng.randrange(10, 99)}.{rng.randrange(10, 99)}.{rng.randrange(10, 99)}.{rng.randrange(100, 999)}"
    if form == 1:
        return f"L-{rng.randrange(2005, 2026)}-{rng.randrange(0, 999999):06d}"
    if form == 2:
        return f"{rng.randrange(0, 10**10):010d}"
    return f"HYP{rng.randrange(100000, 9999999)}"


def policy_number(rng: random.Random) -> str:
    form = rng.randrange(4)
    letters = "ABCDEFGHKLMNPRSTVW"
    if form == 0:
        return f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randrange(10**6, 10**7)}"
    if form == 1:
        return f"P{rng.randrange(2000, 2026)}/{rng.randrange(0, 99999):05d}"
    if form == 2:
        return f"{rng.randrange(10**7, 10**8)}"
    return f"{rng.randrange(100, 999)}.{rng.randrange(100, 999)}.{rng.randrange(100, 999)}"


def contract_number(rng: random.Random) -> str:
    form = rng.randrange(3)
    if form == 0:
        return f"CN{rng.randrange(10**5, 10**6)}"
    if form == 1:
        return f"{rng.randrange(2010, 2026)}-{rng.randrange(1000, 9999)}-{rng.choice('ABCDEF')}"
    return f"OVK/{rng.randrange(100, 999)}/{rng.randrange(10, 99)}"


def iban(rng: random.Random) -> str:
    code = rng.choice(pools()["bank_codes"])
    acct = f"{rng.randrange(0, 10**10):010d}"
    digits = "".join(str(ord(c) - 55) for c in code) + acct + "232100"  # N=23 L=21, '00'
    check = 98 - int(digits) % 97
    raw = f"NL{check:02d}{code}{acct}"
    if rng.random() < 0.5:
        return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return raw


_PLATE_PATTERNS = ["XX-99-99", "99-99-XX", "99-XX-99", "XX-99-XX", "XX-XX-99", "99-XX-XX", "99-XXX-9",
                   "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X", "X-99-XXX", "9-XX-999", "999-XX-9"]


def plate(rng: random.Random) -> str:
    letters = "BDFGHJKLNPRSTVXZ"
    pat = rng.choice(_PLATE_PATTERNS)
    out = "".join(rng.choice(letters) if c == "X" else str(rng.randrange(10)) if c == "9" else c for c in pat)
    return out.replace("-", "") if rng.random() < 0.1 else out


def car(rng: random.Random) -> str:
    make, model = rng.choice(pools()["cars"])
    return f"{make} {model}" if rng.random() < 0.7 else f"{make.upper()} {model}"


def build_year(rng: random.Random) -> str:
    return str(rng.randrange(1890, 2025))


def percentage(rng: random.Random, n: int | None = None, canonical: bool = False) -> str:
    n = n if n is not None else rng.choice([5, 10, 10, 15, 20, 25, 30, 50])
    if canonical:
        return f"{n}%"
    return rng.choice([f"{n}%", f"{n} procent", f"{n} %", f"{n}% (procent)"])
