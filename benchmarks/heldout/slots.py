"""Value slots of the templates: draw a raw value, render it in a notation."""

from __future__ import annotations

import datetime as dt
import random

from . import values as V

DATE_SLOTS = {"datum_oud", "datum_fut"}


def draw(slot: str, rng: random.Random, analysis: dt.date, past_only: bool = False):
    if slot == "bedrag":
        return V.amount_small(rng)
    if slot == "groot":
        return V.amount_large(rng)
    if slot == "pct":
        return rng.choice([5, 7, 10, 12, 15, 20, 25, 30, 35, 50])
    if slot == "datum_oud":
        return V.date_between(rng, dt.date(2012, 1, 1), min(analysis, dt.date(2024, 6, 1)))
    if slot == "datum_fut":
        if past_only:
            return V.date_between(rng, analysis - dt.timedelta(days=5 * 365), analysis - dt.timedelta(days=40))
        return V.date_between(rng, analysis + dt.timedelta(days=20), analysis + dt.timedelta(days=3 * 365))
    simple = {"adres": V.address, "stad": V.city, "bank": V.bank, "bedrijf": V.company, "lening": V.loan_number,
              "contract": V.contract_number, "polisnr": V.policy_number, "iban": V.iban, "kenteken": V.plate,
              "auto": V.car, "bouwjaar": V.build_year, "persoon": V.person}
    return simple[slot](rng)


def render(slot: str, raw, rng: random.Random, canonical: bool = False) -> str:
    if slot in ("bedrag", "groot"):
        return V.fmt_amount(raw, rng, canonical)
    if slot == "pct":
        return V.percentage(rng, raw, canonical)
    if slot in DATE_SLOTS:
        return V.fmt_date(raw, rng, canonical)
    return raw
