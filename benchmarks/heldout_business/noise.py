"""Editing noise on one policy row; every change is recorded as a tag (truth row_noise)."""

from __future__ import annotations

import random
import re

from .values import load

WORD_RE = re.compile(r"[A-Za-zëéïö]{6,}")
PROTECTED = {"artikel", "afwijking", "uitgesloten", "verzekerd", "meeverzekerd", "januari", "februari", "augustus",
             "september", "oktober", "november", "december", "maanden", "procent"}


def typo(text: str, rng: random.Random) -> str:
    words = [m for m in WORD_RE.finditer(text) if m.group(0).lower() not in PROTECTED]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randrange(1, len(w) - 2)
    op = rng.randrange(4)
    if op == 0:
        w2 = w[:i] + w[i + 1] + w[i] + w[i + 2:]          # swap
    elif op == 1:
        w2 = w[:i] + w[i + 1:]                            # drop
    elif op == 2:
        w2 = w[:i] + w[i] + w[i:]                         # double
    else:
        w2 = w[:i] + rng.choice("aeiounrst") + w[i + 1:]  # replace
    return text[:m.start()] + w2 + text[m.end():]


def _replace_forms(text: str, table: list, rng: random.Random, k: int) -> tuple[str, bool]:
    hits = [(full, forms) for full, forms in table if re.search(r"(?<![\w-])" + re.escape(full) + r"(?![\w-])", text)]
    if not hits:
        return text, False
    changed = False
    for full, forms in rng.sample(hits, min(k, len(hits))):
        form = rng.choice(forms)
        if form == full:
            continue
        text = re.sub(r"(?<![\w-])" + re.escape(full) + r"(?![\w-])", lambda _m: form, text, count=1)
        changed = True
    return text, changed


def apply(text: str, opt: str | None, art: str | None, rng: random.Random) -> tuple[str, list[str]]:
    """text is the filled template (with opt, if any, at its end); art the sub-article a deviation names."""
    pools = load("noise")
    tags: list[str] = []
    if opt and rng.random() < 0.35:
        assert text.endswith(" " + opt)
        text = text[:-len(opt) - 1]
        tags.append("drop_optional")
    if art and rng.random() < 0.45:
        a, s = art.split(".")
        form = rng.choice(pools["artref"]).format(a=a, s=s)
        if form.endswith(" voorwaarden") and f"artikel {art} van de" in text:
            form = f"art. {art}"
        if form != f"artikel {art}":
            text = text.replace(f"artikel {art}", form, 1)
            tags.append("artref")
    if rng.random() < 0.25:
        text, ch = _replace_forms(text, pools["abbreviations"], rng, rng.choice((1, 1, 2)))
        if ch:
            tags.append("abbreviation")
    if rng.random() < 0.15:
        text, ch = _replace_forms(text, pools["spellings"], rng, 1)
        if ch:
            tags.append("spelling")
    if rng.random() < 0.15:
        text = text + rng.choice([" ", " ", "  ", "\n"]) + rng.choice(pools["appended"])
        tags.append("appended")
    if rng.random() < 0.25:
        text = rng.choice(pools["labels"]) + rng.choice([" ", " ", " ", "  ", "\n"]) + text
        tags.append("label")
    if rng.random() < 0.2:
        for _ in range(rng.choice((1, 1, 2))):
            text = typo(text, rng)
        tags.append("typo")
    r = rng.random()
    if r < 0.05:
        text = text.upper()
        tags.append("upper")
    elif r < 0.08:
        text = text.lower()
        tags.append("lower")
    if rng.random() < 0.1:
        spots = [m.end() for m in re.finditer(r"[.;:,] ", text)] or [m.end() for m in re.finditer(" ", text)]
        if spots:
            s = rng.choice(spots)
            text = text[:s - 1] + rng.choice(["\n", "\n", "\r\n", "\n\n"]) + text[s:]
            tags.append("linebreak")
    if rng.random() < 0.1:
        spots = [m.start() for m in re.finditer(" ", text)]
        if spots:
            s = rng.choice(spots)
            text = text[:s] + "  " + text[s + 1:]
            tags.append("double_space")
    r = rng.random()
    if r < 0.06:
        text = text + rng.choice([" ", "  ", "\t"])
        tags.append("whitespace")
    elif r < 0.08:
        text = " " + text
        tags.append("whitespace")
    return text, tags
