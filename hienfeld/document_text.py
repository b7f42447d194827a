"""Plain text out of uploaded documents (.pdf, .docx, .txt), page by page where there are pages.

Uploads arrive as bytes; the filename is only looked at for its extension and used in messages,
never opened as a path.
"""

from __future__ import annotations

import io

import docx
import pypdf
from docx.table import Table
from pypdf.errors import DependencyError, FileNotDecryptedError

from hienfeld.config import Limits
from hienfeld.errors import InputError, UnsupportedFileError
from hienfeld.pdf_layout import reading_text
from hienfeld.uploads import DOCUMENT_EXTENSIONS, check_docx, decode_text, file_extension

__all__ = ["DOCUMENT_EXTENSIONS", "Pages", "decode_text", "extract_pages", "file_extension"]

Pages = list[tuple[int | None, str]]


def extract_pages(filename: str, data: bytes, limits: Limits) -> Pages:
    """Text of a .pdf (one entry per page, 1-based), .docx or .txt (one entry, page None).

    Raises UnsupportedFileError for other extensions, TooLargeError for a .docx that unpacks beyond
    the limit, InputError for damaged, encrypted or empty files and for files without extractable
    text (e.g. a scanned PDF). Messages are Dutch and leave naming the file to the caller.
    """
    ext = file_extension(filename)
    readers = {".pdf": _pdf_pages, ".docx": _docx_pages, ".txt": _txt_pages}
    if ext not in readers:
        accepted = ", ".join(DOCUMENT_EXTENSIONS)
        raise UnsupportedFileError(
            f"bestandstype '{ext or '(geen)'}' wordt niet ondersteund; toegestaan: {accepted}"
        )
    if not data:
        raise InputError("het bestand is leeg (0 bytes)")
    if ext == ".docx":
        check_docx(data, limits)
    pages = readers[ext](filename, data)
    if ext == ".pdf":
        pages = reading_text(pages)  # as a reader sees it: no page furniture or hyphen breaks
    if not any(text.strip() for _, text in pages):
        hint = " (een gescande PDF zonder tekstlaag?)" if ext == ".pdf" else ""
        raise InputError(f"geen tekst gevonden in het document{hint}")
    return pages



def _pdf_pages(filename: str, data: bytes) -> Pages:
    damaged = "de PDF kon niet worden gelezen (het bestand is beschadigd of geen PDF)"
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _decrypt_without_password(reader):
            raise InputError(
                "de PDF is met een wachtwoord beveiligd; upload een onbeveiligde kopie"
            )
        return [(number, page.extract_text() or "") for number, page in enumerate(reader.pages, 1)]
    except InputError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise InputError("de PDF is versleuteld en kan niet worden gelezen") from exc
    except Exception as exc:  # noqa: BLE001 - PdfReadError and assorted built-in errors on bad input
        raise InputError(damaged) from exc


def _decrypt_without_password(reader: pypdf.PdfReader) -> bool:
    """Many PDFs are encrypted with an empty user password (only copying is restricted)."""
    try:
        return bool(reader.decrypt(""))
    except (FileNotDecryptedError, DependencyError, NotImplementedError):
        return False


def _docx_pages(filename: str, data: bytes) -> Pages:
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise what the damage leads to
        # zlib.error and BadZipFile (damaged member data), XMLSyntaxError (broken XML), KeyError
        # (a part missing), ValueError (another Office format), TypeError or AttributeError
        # (relationships without a target), while opening or while walking the paragraphs.
        raise InputError(
            "het Word-bestand kon niet worden gelezen (beschadigd of geen .docx); open het in Word, "
            "sla het opnieuw op en upload het nog eens"
        ) from exc
    return [(None, "\n".join(lines))]


def _table_lines(table: Table) -> list[str]:
    """One line per row, cells joined by a tab; python-docx repeats merged cells, so skip those."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        lines.append("\t".join(cells))
    return lines


def _txt_pages(filename: str, data: bytes) -> Pages:
    return [(None, decode_text(data))]
