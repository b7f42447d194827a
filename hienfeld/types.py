"""Plain data passed between the analysis steps."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chunk:
    """A piece of a conditions document, small enough to compare with one clause."""

    chunk_id: int
    file: str
    article_id: str  # unique across all files of one job, e.g. "2.3" or "2.3 (bijlage.pdf)"
    title: str  # article title, may be ""
    page: int | None  # 1-based page in a PDF, None where the format has no pages
    text: str
    sub_id: str = ""  # the numbered sub-article the text lies in ("12.1", "12 lid 2"), "" for the article

    def label(self) -> str:
        """What the report shows in `Artikel`: the most specific unit found (the sub-article, else
        the article), else the file and page."""
        if self.article_id and not self.article_id.startswith("§"):
            title = f" – {self.title}" if self.title else ""
            return f"Art. {self.sub_id or self.article_id}{title}"
        if self.page is not None:
            return f"{self.file}, pagina {self.page}"
        return f"{self.file}{' – ' + self.title if self.title else ''}"


@dataclass(frozen=True)
class LibraryClause:
    """One standard clause from a clause library."""

    code: str
    text: str
    category: str = ""
    description: str = ""


@dataclass(frozen=True)
class Advice:
    """The advice for one cluster; labels and confidences as the report shows them."""

    code: str  # an AdviceCode (advice_codes.py), or a custom instruction's "📋 <action>"
    confidence: str  # "Hoog" | "Midden" | "Laag"
    reason: str  # Dutch, says why
    article: str = ""  # "Art 2.3 – Diefstal", "file, pagina 4", a library code, or ""
    score: float | None = None


@dataclass
class Cluster:
    """Near-duplicate texts; the leader is the text the cluster is named and judged by."""

    cluster_id: str  # "CL-0001"
    name: str
    leader_text: str
    rows: list[int] = field(default_factory=list)  # indices into the policy table's rows
    advice: Advice | None = None
    merged_by: str = ""  # how its texts were put together (report's cluster summary)
    # clusters that joined because a learned word slot differs: (their leader, their rows); the
    # value may decide the advice ("tegen storm" stated in the conditions, "tegen kortsluiting" not)
    slot_variants: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def frequency(self) -> int:
        return len(self.rows)


@dataclass
class PolicyTable:
    """A policy export as read from xlsx/csv: every cell as text, every row kept."""

    columns: list[str]
    rows: list[list[str]]  # one list per input row, aligned with `columns`; missing cells are ""
    text_column: str
    policy_column: str | None = None
    notes: list[str] = field(default_factory=list)  # for the analyst, e.g. which sheet was read

    def column(self, name: str) -> list[str]:
        idx = self.columns.index(name)
        return [row[idx] for row in self.rows]

    @functools.cached_property
    def texts(self) -> list[str]:
        """The clause column; built once (a table is not changed after it is read)."""
        return self.column(self.text_column)

    @property
    def policy_numbers(self) -> list[str]:
        return self.column(self.policy_column) if self.policy_column else [""] * len(self.rows)
