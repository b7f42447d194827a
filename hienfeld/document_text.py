"""Plain text out of uploaded documents (.pdf, .docx, .txt), page by page where there are pages.

Uploads arrive as bytes; the filename is only looked at for its extension and used in messages,
never opened as a path.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from hienfeld.errors import InputError, UnsupportedFileError

DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".txt")

Pages = list[tuple[int | None, str]]


def file_extension(filename: str) -> str:
    """Lower-case extension with the dot (".pdf"), or "" when the name has none."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""


def decode_text(filename: str, data: bytes) -> str:
    """Decode a text upload: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Notepad's "Unicode" save; without this it would decode as cp1252 garbage full of NULs.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{filename}: could not decode the UTF-16 text") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InputError(f"{filename}: not a text file (expected UTF-8 or Windows-1252 encoded text)")


def extract_pages(filename: str, data: bytes) -> Pages:
    """Text of a .pdf (one entry per page, 1-based), .docx or .txt (one entry, page None).

    Raises UnsupportedFileError for other extensions, InputError for damaged, encrypted or empty
    files and for files without extractable text (e.g. a scanned PDF).
    """
    ext = file_extension(filename)
    readers = {".pdf": _pdf_pages, ".docx": _docx_pages, ".txt": _txt_pages}
    if ext not in readers:
        accepted = ", ".join(DOCUMENT_EXTENSIONS)
        raise UnsupportedFileError(
            f"{filename}: unsupported file type '{ext or '(none)'}'; accepted: {accepted}"
        )
    if not data:
        raise InputError(f"{filename}: the file is empty")
    pages = readers[ext](filename, data)
    if not any(text.strip() for _, text in pages):
        hint = " (a scanned PDF without a text layer?)" if ext == ".pdf" else ""
        raise InputError(f"{filename}: no text found in the document{hint}")
    return pages


def _pdf_pages(filename: str, data: bytes) -> Pages:
    damaged = f"{filename}: could not read the PDF (file is damaged or not a PDF)"
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _decrypt_without_password(reader):
            raise InputError(
                f"{filename}: the PDF is password protected; upload an unprotected copy"
            )
        return [(number, page.extract_text() or "") for number, page in enumerate(reader.pages, 1)]
    except InputError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise InputError(f"{filename}: the PDF is encrypted and cannot be read") from exc
    except PdfReadError as exc:
        raise InputError(damaged) from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises assorted built-in errors on bad input
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
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        # Not a zip, a zip without Word parts (KeyError), or another Office format (ValueError).
        raise InputError(
            f"{filename}: could not read the Word file (file is damaged or not a .docx)"
        ) from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
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
    return [(None, decode_text(filename, data))]
