"""The conditions as a real-looking PDF: A4, running header and footer, a table of contents with dot leaders,
words hyphenated at line ends, and sub-articles that run across page breaks.

Lines are broken here (not by fpdf2) so that long words can be split with a hyphen at a syllable-like point.
The document is laid out twice: the first pass finds the page of each article for the table of contents.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/TTF"), Path("/Library/Fonts"), Path("C:/Windows/Fonts")]
VOWELS = set("aeiouyëéèïöü")
ONSETS = {"br", "dr", "gr", "kr", "pr", "tr", "bl", "fl", "gl", "kl", "pl", "vr", "fr", "wr", "sch", "sl", "sp", "st"}
CREATED = dt.datetime(2024, 1, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
LINE = 5.2       # mm per body line
SUB_INDENT = 12  # mm for "12.1"
ITEM_INDENT = 18


def _font_files() -> tuple[Path, Path]:
    for d in FONT_DIRS:
        reg, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if reg.exists() and bold.exists():
            return reg, bold
    raise FileNotFoundError("DejaVuSans.ttf / DejaVuSans-Bold.ttf not found (apt install fonts-dejavu-core)")


def split_points(word: str) -> list[int]:
    """Positions i where word[:i] + '-' / word[i:] is an acceptable hyphenation (rough Dutch syllable rule)."""
    core = word.rstrip(".,;:)")
    out = []
    for i in range(4, len(core) - 3):
        a, b, c = core[i - 1].lower(), core[i].lower(), core[i + 1].lower()
        if not (core[i - 1].isalpha() and core[i].isalpha() and core[i + 1].isalpha()):
            continue
        if not core[:i].isalpha() and "-" in core[i - 3:i]:
            continue
        if (a, b) in {("c", "h"), ("i", "j"), ("n", "g"), ("s", "c")} or b == "x":
            continue
        if a in VOWELS and b not in VOWELS and c in VOWELS:                     # V-CV: verze-kerde
            out.append(i)
        elif a not in VOWELS and b not in VOWELS and c in VOWELS and core[i - 2].lower() in VOWELS:
            if a + b in ONSETS:                                                 # V-CCV: ge-drongen
                if core[i - 2].lower() in VOWELS and i - 1 >= 4:
                    out.append(i - 1)
            else:                                                               # VC-CV: bin-nen
                out.append(i)
    return sorted(set(out))


class Doc(FPDF):
    def __init__(self, header_text: str):
        super().__init__(format="A4", unit="mm")
        self.header_text = header_text
        reg, bold = _font_files()
        self.add_font("dv", "", str(reg))
        self.add_font("dv", "B", str(bold))
        self.set_margins(25, 24, 25)
        self.set_auto_page_break(False)
        self.alias_nb_pages("{nb}")
        self.set_creation_date(CREATED)
        self.set_title(header_text)
        self.set_author("Hienfeld test corpus")
        self.set_producer("heldout_business")
        self.set_creator("heldout_business")

    def header(self) -> None:
        self.set_font("dv", "", 8)
        self.set_xy(self.l_margin, 11)
        self.cell(self.epw, 4, self.header_text, align="R")
        self.line(self.l_margin, 16, self.w - self.r_margin, 16)

    def footer(self) -> None:
        self.set_font("dv", "", 8)
        self.set_xy(self.l_margin, self.h - 14)
        self.cell(self.epw, 4, f"Pagina {self.page_no()} van {{nb}}", align="C")


class Layout:
    """Writes blocks of text, breaking lines and pages itself; remembers where things landed."""

    def __init__(self, pdf: Doc):
        self.pdf = pdf
        self.bottom = pdf.h - 22
        self.hyphenated = 0

    def new_page(self) -> None:
        self.pdf.add_page()
        self.pdf.set_y(22)

    def room(self, h: float) -> bool:
        return self.pdf.get_y() + h <= self.bottom

    def wrap(self, text: str, width: float) -> list[str]:
        pdf = self.pdf
        lines: list[str] = []
        cur = ""
        for word in text.split():
            cand = f"{cur} {word}" if cur else word
            if pdf.get_string_width(cand) <= width:
                cur = cand
                continue
            placed = False
            if len(word) >= 8:
                for i in reversed(split_points(word)):
                    head = f"{cur} {word[:i]}-" if cur else f"{word[:i]}-"
                    if pdf.get_string_width(head) <= width:
                        lines.append(head)
                        cur = word[i:]
                        placed = True
                        self.hyphenated += 1
                        break
            if not placed:
                if cur:
                    lines.append(cur)
                cur = word
        if cur:
            lines.append(cur)
        return lines

    def para(self, text: str, x: float, width: float, size: float = 10.5, style: str = "",
             label: str | None = None, label_x: float | None = None) -> tuple[int, int]:
        pdf = self.pdf
        pdf.set_font("dv", style, size)
        first_page = None
        for n, line in enumerate(self.wrap(text, width)):
            if not self.room(LINE):
                self.new_page()
                pdf.set_font("dv", style, size)
            if first_page is None:
                first_page = pdf.page_no()
            y = pdf.get_y()
            if n == 0 and label:
                pdf.set_xy(label_x, y)
                pdf.cell(x - label_x, LINE, label)
            pdf.set_xy(x, y)
            pdf.cell(width, LINE, line)
            pdf.set_y(y + LINE)
        return first_page, pdf.page_no()

    def space(self, h: float) -> None:
        if self.room(h):
            self.pdf.set_y(self.pdf.get_y() + h)


def _render(cond, toc_pages: dict[int, int] | None) -> tuple[Doc, dict[int, int], list[str], int]:
    pdf = Doc(f"{cond.product} {cond.code} | Voorwaarden")
    lay = Layout(pdf)
    left, epw = pdf.l_margin, pdf.epw
    # cover + table of contents
    lay.new_page()
    pdf.set_font("dv", "B", 16)
    pdf.set_xy(left, 30)
    pdf.multi_cell(epw, 8, cond.title)
    pdf.set_y(pdf.get_y() + 6)
    pdf.set_font("dv", "B", 12)
    pdf.cell(epw, 7, "Inhoudsopgave")
    pdf.set_y(pdf.get_y() + 9)
    for art in cond.articles:
        if art.part:
            if not lay.room(12):
                lay.new_page()
            pdf.set_font("dv", "B", 9)
            pdf.set_y(pdf.get_y() + 1.5)
            pdf.set_x(left)
            pdf.cell(epw, 4.6, art.part)
            pdf.set_y(pdf.get_y() + 4.6)
        if not lay.room(4.6):
            lay.new_page()
        pdf.set_font("dv", "", 9)
        page = str((toc_pages or {}).get(art.number, 0))
        title = art.heading
        w_title, w_page = pdf.get_string_width(title + " "), pdf.get_string_width(" " + page)
        dot = pdf.get_string_width(".")
        dots = "." * max(3, int((epw - 4 - w_title - w_page) / dot))
        pdf.set_x(left + 4)
        pdf.cell(epw - 4, 4.6, f"{title} {dots}")
        pdf.set_x(left)
        pdf.cell(epw, 4.6, page, align="R")
        pdf.set_y(pdf.get_y() + 4.6)
    # body
    lay.new_page()
    lay.para(cond.intro, left, epw)
    lay.space(3)
    pages: dict[int, int] = {}
    split_subs: list[str] = []
    for art in cond.articles:
        if art.part:
            if not lay.room(22):
                lay.new_page()
            lay.space(3)
            lay.para(art.part, left, epw, size=12, style="B")
            lay.space(1.5)
        if not lay.room(16):
            lay.new_page()
        lay.space(2)
        p0, _ = lay.para(art.heading, left, epw, size=10.5, style="B")
        pages[art.number] = p0
        lay.space(1)
        for sub in art.subs:
            a, b = lay.para(sub.text, left + SUB_INDENT, epw - SUB_INDENT, label=sub.number, label_x=left)
            for i, item in enumerate(sub.items):
                _, b = lay.para(item, left + ITEM_INDENT, epw - ITEM_INDENT, label=f"{'abcdefghij'[i]}.",
                                label_x=left + SUB_INDENT)
            if b != a:
                split_subs.append(sub.number)
            lay.space(1.4)
    return pdf, pages, split_subs, lay.hyphenated


def write_conditions_pdf(path: Path, cond) -> dict:
    _, pages, _, _ = _render(cond, None)
    pdf, pages2, split_subs, hyph = _render(cond, pages)
    assert pages2 == pages
    pdf.output(str(path))
    return {"pages": pdf.page_no(), "article_pages": {f"Artikel {k}": v for k, v in pages.items()},
            "split_subs": split_subs, "hyphenated_lines": hyph}
