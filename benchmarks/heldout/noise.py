"""Row noise: qualifiers, appended sentences, typos, case changes, line breaks, stray spaces."""

from __future__ import annotations

import random
import re

from .families import load

WORD_RE = re.compile(r"[A-Za-zëéï]{6,}")


def _protected() -> set[str]:
    vals = load("values")
    return {m.lower() for m in vals["months"]} | {"miljoen", "procent", "afwijking", "artikel"}


_PROTECTED: set[str] | None = None


def typo(text: str, rng: random.Random) -> str:
    global _PROTECTED
    if _PROTECTED is None:
        _PROTECTED = _protected()
    words = [m for m in WORD_RE.finditer(text) if m.group(0).lower() not in _PROTECTED]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randrange(1, len(w) - 1)
    op = rng.randrange(4)
    if op == 0:
        w2 = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif op == 1:
        w2 = w[:i] + w[i + 1:]
    elif op == 2:
        w2 = w[:i] + w[i] + w[i:]
    else:
        w2 = w[:i] + rng.choice("aeiounrst") + w[i + 1:]
    return text[:m.start()] + w2 + text[m.end():]


def apply(text: str, rng: random.Random) -> str:
    pools = load("noise")
    if rng.random() < 0.35:
        q = rng.choice(pools["qualifiers"])
        text = q + rng.choice([" ", " ", " ", "  ", "\n"]) + text
    if rng.random() < 0.3:
        text = text + rng.choice([" ", " ", "\n", "  "]) + rng.choice(pools["appended"])
    r = rng.random()
    if r < 0.3:
        for _ in range(rng.choice((1, 1, 2))):
            text = typo(text, rng)
    r = rng.random()
    if r < 0.05:
        text = text.upper()
    elif r < 0.10:
        text = text.lower()
    if rng.random() < 0.12:
        spots = [m.start() for m in re.finditer(r"[.;:] ", text)]
        if spots:
            s = rng.choice(spots)
            text = text[:s + 1] + rng.choice(["\n", "\n", "\r\n", "\n\n"]) + text[s + 2:]
    if rng.random() < 0.15:
        spots = [m.start() for m in re.finditer(" ", text)]
        if spots:
            s = rng.choice(spots)
            text = text[:s] + "  " + text[s + 1:]
    r = rng.random()
    if r < 0.15:
        text = text + rng.choice([" ", "  ", "   ", "\t"])
    elif r < 0.18:
        text = " " + text
    return text
