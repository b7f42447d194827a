"""PDF text as a reader sees it: page furniture, the table of contents and hyphen breaks removed.

Insurers publish conditions as PDFs: a running header and footer on every page ("Pagina 3 van
7", the product code), a table of contents with dot leaders at the start, and words hyphenated at
line ends ("verze-" / "kerde"). Left in, the furniture ends up inside the articles the clauses are
compared with, a contents line passes for an article heading, and a broken word is two words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

Pages = list[tuple[int | None, str]]

_EDGE_LINES = 3  # furniture stands in the first or last lines of a page
_MIN_FURNITURE_SHARE = 0.5  # ... of at least half of the pages
_MIN_PAGES = 3  # a two-page document has no running header to tell apart from its text
_DIGITS = re.compile(r"\d+")
# a contents line: a title, dot leaders (or a long gap) and a page number at the end
_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|\s{4,})\s*\d{1,3}\s*$|^\s*\.{4,}\s*\d{0,3}\s*$")
_MIN_TOC_LINES = 3
_MAX_CONTENTS_TITLE_WORDS = 2
# a word broken at the line end: letters, then a hyphen; continued in lower case on the next line
_BROKEN = re.compile(r"[a-zà-ÿ]-$")
_CONTINUED = re.compile(r"^([a-zà-ÿ]+)")
_NOT_A_BREAK = frozenset({"en", "of", "tot", "t/m"})  # "hang- en sluitwerk": the hyphen is the writer's


def reading_text(pages: Pages) -> Pages:
    """The pages' text without running headers and footers, without the table of contents, and
    with hyphenated line ends joined; page numbers stay with the text they hold."""
    lines = [(page, text.splitlines()) for page, text in pages]
    furniture = _furniture([page_lines for _, page_lines in lines])
    kept = [(page, [line for k, line in enumerate(page_lines) if not _is_furniture(page_lines, k, furniture)])
            for page, page_lines in lines]
    kept = _without_contents(kept)
    return [(page, "\n".join(_joined(page_lines))) for page, page_lines in kept]


def _shape(line: str) -> str:
    """A line with its numbers as '#': "Pagina 3 van 9" and "Pagina 4 van 9" are one footer."""
    return _DIGITS.sub("#", " ".join(line.split()))


def _edges(page_lines: Sequence[str]) -> list[int]:
    filled = [k for k, line in enumerate(page_lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _furniture(pages: Sequence[Sequence[str]]) -> frozenset[str]:
    """Line shapes standing at the top or bottom of at least half of the pages."""
    if len(pages) < _MIN_PAGES:
        return frozenset()
    seen = Counter(shape for page_lines in pages for shape in {_shape(page_lines[k]) for k in _edges(page_lines)})
    return frozenset(shape for shape, n in seen.items() if shape and n >= _MIN_FURNITURE_SHARE * len(pages))


def _is_furniture(page_lines: Sequence[str], k: int, furniture: frozenset[str]) -> bool:
    return bool(furniture) and k in _edges(page_lines) and _shape(page_lines[k]) in furniture


def _without_contents(pages: list[tuple[int | None, list[str]]]) -> list[tuple[int | None, list[str]]]:
    """Everything from the first to the last contents line of the table of contents dropped; a
    wrapped contents entry ("Artikel 2 Grondslag en" / "omvang ......2") goes with it."""
    flat = [(p, k) for p, (_, page_lines) in enumerate(pages) for k, line in enumerate(page_lines)
            if _TOC_LINE.search(line)]
    if len(flat) < _MIN_TOC_LINES:
        return pages
    (first_page, first_line), (last_page, last_line) = flat[0], flat[-1]
    above = pages[first_page][1][first_line - 1].strip() if first_line else ""
    if above and len(above.split()) <= _MAX_CONTENTS_TITLE_WORDS and not above.endswith((".", ":", ";")):
        first_line -= 1  # its title ("Inhoudsopgave", "Inhoud") goes with it
    out = []
    for p, (page, page_lines) in enumerate(pages):
        keep = [line for k, line in enumerate(page_lines)
                if not (first_page, first_line) <= (p, k) <= (last_page, last_line)]
        out.append((page, keep))
    return out


def _joined(page_lines: Sequence[str]) -> list[str]:
    """Lines with a hyphenated last word joined to its rest, the first word of the next line."""
    out = list(page_lines)
    for k in range(len(out) - 1):
        line, following = out[k].rstrip(), out[k + 1].lstrip()
        rest = _CONTINUED.match(following)
        if _BROKEN.search(line) and rest and rest.group(1) not in _NOT_A_BREAK:
            out[k] = line[:-1] + rest.group(1)
            out[k + 1] = following[rest.end():].lstrip()
    return out
