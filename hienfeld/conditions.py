"""Policy conditions ("voorwaarden") -> articles -> chunks of about one clause in size.

Each document is split on numbered article headings ("Artikel 5 Diefstal", "Art. 2.3", "2.3 Titel",
"5. Uitsluitingen"). A document without them is split on blank lines and short title-like lines into
pseudo-articles with ids "§1", "§2", ... so the report points at file and page instead.

Long articles are cut into overlapping sentence windows, so a short clause is compared with text of
its own size; such articles also get one chunk with the whole article text for containment checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from hienfeld.config import Limits
from hienfeld.document_text import extract_pages
from hienfeld.errors import InputError
from hienfeld.normalize import clean_text
from hienfeld.types import Chunk

MAX_HEADING_CHARS = 80
MAX_ARTICLE_NUMBER = 50
# A heading without "Artikel"/"Art" needs a short title; a numbered sentence is prose.
MAX_NUMBERED_TITLE_WORDS = 10
# A title ending in a full stop is accepted only when it is this short ("5. Uitsluitingen.").
MAX_TITLE_WORDS_WITH_STOP = 6
# A stand-alone line that may be a title: in the fallback split, or after a bare "Artikel 5".
MAX_TITLE_LINE_CHARS = 60
MAX_TITLE_LINE_WORDS = 8

_HEADING = re.compile(
    r"^(?:(?P<keyword>artikel|art\.?)\s*)?"
    r"(?P<number>\d{1,2}(?:\.\d{1,2}){0,3})(?P<letter>[a-z])?\.?"
    r"(?:\s*[:\-–—]\s*|\s+|$)(?P<title>.*)$",
    re.IGNORECASE,
)
# Table-of-contents lines end in a page number ("2 Dekking ........ 7"); they are not headings.
_TOC_ENTRY = re.compile(r"(?:\.{2,}|…|\s)\s*\d{1,3}$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+")
_WORD = re.compile(r"\S+")

Line = tuple[int | None, str]  # (page, raw line)
# "12.1 Per schadegeval ..." (the article's own number first) or "Lid 2 ..." at a line start
_SUB_ARTICLE = re.compile(r"^(?:(?P<sub>(?P<article>\d{1,2})\.\d{1,2})[.)]?\s+\S|(?:lid|Lid)\s+(?P<lid>\d{1,2})[.:]?\s+\S)")


@dataclass(frozen=True)
class _Heading:
    article_id: str
    title: str
    key: tuple[int, ...]  # the number as integers, to check that numbering goes up
    has_keyword: bool


@dataclass
class _Article:
    article_id: str
    title: str
    lines: list[Line] = field(default_factory=list)

    def has_text(self) -> bool:
        return any(line.strip() for _, line in self.lines)


def parse_conditions(files: Sequence[tuple[str, bytes]], chunk_chars: int, limits: Limits) -> list[Chunk]:
    """Chunks of all conditions documents, ids 0..n-1; article ids are unique across the files.
    Chunks are sentence windows of about `chunk_chars` (the configuration's `conditions.chunk_chars`);
    a .docx is checked against the upload `limits` before it is unpacked.

    `files` holds (filename, content) pairs of .pdf/.docx/.txt uploads. Raises InputError for a file
    that cannot be read or holds no text, UnsupportedFileError for other file types.
    """
    if chunk_chars < 1:
        raise InputError(f"chunk_chars must be at least 1, got {chunk_chars}")
    chunks: list[Chunk] = []
    used_ids: set[str] = set()
    for filename, data in files:
        pages = extract_pages(filename, data, limits)
        lines = [(page, line) for page, text in pages for line in text.splitlines()]
        for article in _split_articles(lines):
            article_id = _unique_id(article.article_id, filename, used_ids)
            parts = _sub_articles(article)
            for sub_id, lines in parts:
                for page, text in _article_chunks(lines, chunk_chars):
                    chunks.append(Chunk(len(chunks), filename, article_id, article.title, page, text, sub_id))
            if len(parts) > 1:
                # the whole article too: a clause may state several of its sub-articles at once
                for page, text in _article_chunks(article.lines, chunk_chars)[-1:]:
                    chunks.append(Chunk(len(chunks), filename, article_id, article.title, page, text))
    return chunks


def _sub_articles(article: "_Article") -> list[tuple[str, list[Line]]]:
    """The numbered sub-articles of an article ("12.1 Per schadegeval ...", "Lid 2 ..."), each with
    its lines; text before the first one belongs to the article itself (id ""). An article without
    sub-articles is one part. A sub-article runs on until the next one, across page breaks."""
    number = article.article_id.split(".")[0]
    parts: list[tuple[str, list[Line]]] = [("", [])]
    for page, line in article.lines:
        found = _SUB_ARTICLE.match(clean_text(line))
        if found and (found["article"] in (None, number) or found["article"] == article.article_id):
            sub = found["sub"] if found["article"] is not None else f"{article.article_id} lid {found['lid']}"
            if sub not in {s for s, _ in parts}:
                parts.append((sub, []))
        parts[-1][1].append((page, line))
    return [(sub, lines) for sub, lines in parts if any(text.strip() for _, text in lines)]


def _split_articles(lines: Sequence[Line]) -> list[_Article]:
    """Articles with text, in document order; text before the first heading -> pseudo-articles."""
    preamble, articles, keyword_seen = _split_on_headings(lines)
    # One lone "3 Maanden" line does not make a numbered document; one "Artikel 1" does.
    if len(articles) < 2 and not keyword_seen:
        preamble, articles = list(lines), []
    return _split_on_paragraphs(preamble) + [a for a in articles if a.has_text()]


def _split_on_headings(lines: Sequence[Line]) -> tuple[list[Line], list[_Article], bool]:
    preamble: list[Line] = []
    articles: list[_Article] = []
    keyword_seen = False
    last_key: tuple[int, ...] | None = None
    i = 0
    while i < len(lines):
        page, line = lines[i]
        heading = _match_heading(clean_text(line))
        # Without "Artikel", numbering must go up: "1. Door opzet" inside article 5 is a list item;
        # under "Artikel 12" headings, "12.1 ..." is its sub-article; a title does not go on in
        # lower case on the next line (a PDF wraps a sub-article's first sentence there).
        if heading and not heading.has_keyword and (
                _next_text(lines, i)[:1].islower()
                or (keyword_seen and last_key is not None and len(heading.key) > len(last_key)
                    and heading.key[:len(last_key)] == last_key)):
            heading = None
        if heading and (heading.has_keyword or last_key is None or heading.key > last_key):
            title = heading.title
            if not title and heading.has_keyword:
                title, i = _title_on_next_line(lines, i)
            articles.append(_Article(heading.article_id, title))
            keyword_seen = keyword_seen or heading.has_keyword
            last_key = heading.key
        else:
            (articles[-1].lines if articles else preamble).append((page, line))
        i += 1
    return preamble, articles, keyword_seen


def _match_heading(line: str) -> _Heading | None:
    """The heading on a (whitespace-collapsed) line, or None when the line is not one."""
    match = _HEADING.match(line)
    if not match or len(line) > MAX_HEADING_CHARS:
        return None
    keyword, number, letter = match["keyword"], match["number"], match["letter"] or ""
    title = match["title"].strip(" :-–—")
    key = tuple(int(part) for part in number.split("."))
    if not 1 <= key[0] <= MAX_ARTICLE_NUMBER or _TOC_ENTRY.search(title):
        return None
    words = title.split()
    if title.endswith((",", ";")):
        return None
    if title.endswith(".") and len(words) > MAX_TITLE_WORDS_WITH_STOP:
        return None
    if keyword:
        # "artikel 5 van deze voorwaarden" is a line-wrapped cross reference, not a heading.
        if not keyword[0].isupper() or (title and title[0].islower()):
            return None
    elif letter or not title or not title[0].isupper() or len(words) > MAX_NUMBERED_TITLE_WORDS:
        return None
    return _Heading(number + letter.lower(), title, key, bool(keyword))


def _title_on_next_line(lines: Sequence[Line], i: int) -> tuple[str, int]:
    """A bare "Artikel 5" is often followed by its title on a line of its own -> (title, index)."""
    j = i + 1
    while j < len(lines) and not lines[j][1].strip():
        j += 1
    if j < len(lines):
        candidate = clean_text(lines[j][1])
        if _is_title_line(candidate, _next_text(lines, j)) and not _match_heading(candidate):
            return candidate, j
    return "", i


def _is_title_line(line: str, next_line: str) -> bool:
    """Short, capitalised, no closing punctuation, and not continued in lower case on the next line
    (a short wrapped line of a narrow PDF column would otherwise pass for a title)."""
    return (
        0 < len(line) <= MAX_TITLE_LINE_CHARS
        and len(line.split()) <= MAX_TITLE_LINE_WORDS
        and line[0].isupper()
        and not line.endswith((".", ",", ";", ":", "!", "?"))
        and not next_line[:1].islower()
    )


def _next_text(lines: Sequence[Line], i: int) -> str:
    """The cleaned line after index i ("" at the end or when it is blank)."""
    return clean_text(lines[i + 1][1]) if i + 1 < len(lines) else ""


def _split_on_paragraphs(lines: Sequence[Line]) -> list[_Article]:
    """Pseudo-articles "§1", "§2", ...: a new one starts at a blank line or a title-like line."""
    blocks: list[_Article] = []
    current: _Article | None = None
    sentence_open = False  # the previous line stopped mid-sentence, so this one cannot be a title
    for i, (page, line) in enumerate(lines):
        text = clean_text(line)
        if not text:
            if current is not None and current.lines:
                current = None
            sentence_open = False
            continue
        if not sentence_open and _is_title_line(text, _next_text(lines, i)):
            if current is not None and not current.lines:
                # Consecutive title lines ("Voorwaarden" / "Inboedelverzekering") form one title.
                current.title = f"{current.title} {text}".strip()
            else:
                current = _Article("", text)
                blocks.append(current)
        else:
            if current is None:
                current = _Article("", "")
                blocks.append(current)
            current.lines.append((page, line))
            sentence_open = not text.endswith((".", ":", ";", "!", "?"))
    with_text = [block for block in blocks if block.has_text()]
    for number, block in enumerate(with_text, 1):
        block.article_id = f"§{number}"
    return with_text


def _unique_id(article_id: str, filename: str, used: set[str]) -> str:
    """The first occurrence keeps the plain id; later ones get the file name, then a counter."""
    candidate = article_id
    if candidate in used:
        candidate = f"{article_id} ({filename})"
        counter = 2
        while candidate in used:
            candidate = f"{article_id} ({filename}, {counter})"
            counter += 1
    used.add(candidate)
    return candidate


def _article_chunks(lines: Sequence[Line], chunk_chars: int) -> list[tuple[int | None, str]]:
    """(page, text) of an article's sentence windows, plus the whole article if it needs several."""
    raw, line_starts = _join_lines(lines)
    pieces = _sentence_pieces(raw, chunk_chars)
    if not pieces:
        return []
    windows = _windows(pieces, chunk_chars)
    chunks = [(_page_at(line_starts, start), text) for start, text in windows]
    if len(windows) > 1:
        chunks.append((_page_at(line_starts, pieces[0][0]), clean_text(raw)))
    return chunks


def _join_lines(lines: Sequence[Line]) -> tuple[str, list[tuple[int, int | None]]]:
    """The article text and, per line, (offset where it starts, page) to find a chunk's page."""
    starts: list[tuple[int, int | None]] = []
    offset = 0
    for page, line in lines:
        starts.append((offset, page))
        offset += len(line) + 1
    return "\n".join(line for _, line in lines), starts


def _page_at(line_starts: Sequence[tuple[int, int | None]], offset: int) -> int | None:
    page = line_starts[0][1]
    for start, line_page in line_starts:
        if start > offset:
            break
        page = line_page
    return page


def _sentence_pieces(raw: str, chunk_chars: int) -> list[tuple[int, str]]:
    """(offset, cleaned text) per sentence; one longer than chunk_chars is cut at word breaks."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for brk in [*_SENTENCE_BREAK.finditer(raw), None]:
        end = brk.start() if brk else len(raw)
        segment = raw[start:end]
        sentence = clean_text(segment)
        if len(sentence) <= chunk_chars:
            if sentence:
                # Offset of the first character: leading blank lines may lie on the page before.
                pieces.append((start + len(segment) - len(segment.lstrip()), sentence))
        else:
            pieces.extend(_word_pieces(raw, start, end, chunk_chars))
        start = brk.end() if brk else len(raw)
    return pieces


def _word_pieces(raw: str, start: int, end: int, chunk_chars: int) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str]] = []
    words: list[str] = []
    piece_start = size = 0
    for word in _WORD.finditer(raw, start, end):
        if words and size + 1 + len(word.group()) > chunk_chars:
            pieces.append((piece_start, clean_text(" ".join(words))))
            words = []
        if not words:
            piece_start, size = word.start(), -1
        words.append(word.group())
        size += 1 + len(word.group())
    if words:
        pieces.append((piece_start, clean_text(" ".join(words))))
    return pieces


def _windows(pieces: Sequence[tuple[int, str]], chunk_chars: int) -> list[tuple[int, str]]:
    """Consecutive pieces up to chunk_chars; the next window starts with this one's last piece."""
    windows: list[tuple[int, str]] = []
    start = 0
    while True:
        end = start + 1
        size = len(pieces[start][1])
        while end < len(pieces) and size + 1 + len(pieces[end][1]) <= chunk_chars:
            size += 1 + len(pieces[end][1])
            end += 1
        windows.append((pieces[start][0], " ".join(text for _, text in pieces[start:end])))
        if end >= len(pieces):
            return windows
        start = max(end - 1, start + 1)
