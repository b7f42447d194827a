"""What every upload shares: the accepted extensions per form field, the extension of a name,
decoding of text uploads, and the zip-directory check of Office files (.xlsx, .docx).

Light on purpose (standard library only): the ingress checks uploads with it without loading the
analysis stack. Messages are Dutch (a person reads them); they never start with the file name, the
caller says which file it was.
"""

from __future__ import annotations

import io
import zipfile

from .config import Limits
from .errors import InputError, TooLargeError, UnsupportedFileError

TABLE_EXTENSIONS = (".xlsx", ".csv")
DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".txt")
# The one place that says which file types each form field of POST /api/analyze accepts.
ACCEPTED_EXTENSIONS = {
    "policy_file": TABLE_EXTENSIONS,
    "conditions_files": DOCUMENT_EXTENSIONS,
    "clause_library_files": TABLE_EXTENSIONS + DOCUMENT_EXTENSIONS,
    "reference_file": (".xlsx",),
}
FIELD_LABELS = {
    "policy_file": "het polisbestand",
    "conditions_files": "de voorwaarden",
    "clause_library_files": "de clausulebibliotheek",
    "reference_file": "het referentiebestand",
}


def file_extension(filename: str) -> str:
    """Lower-case extension with the dot (".pdf"), or "" when the name has none."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""


def check_extension(filename: str, field: str) -> str:
    """The extension, or UnsupportedFileError naming the types `field` accepts."""
    ext = file_extension(filename)
    accepted = ACCEPTED_EXTENSIONS[field]
    if ext not in accepted:
        kind = f"bestandstype '{ext}'" if ext else "een bestand zonder extensie"
        raise UnsupportedFileError(
            f"{kind} wordt niet ondersteund voor {FIELD_LABELS[field]}; toegestaan: {', '.join(accepted)}"
        )
    return ext


def decode_text(data: bytes) -> str:
    """A text upload as str: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 and,
    for the few bytes cp1252 leaves undefined, Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Notepad's "Unicode" save; without this it would decode as cp1252 garbage full of NULs.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("de UTF-16-tekst kon niet worden gelezen (beschadigd bestand?)") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if "\x00" in text:
        raise InputError("dit is geen tekstbestand (verwacht UTF-8 of Windows-1252); "
                         "sla het op als CSV/tekst, niet als binair bestand")
    return text


def open_office_zip(data: bytes, limits, what: str) -> zipfile.ZipFile:
    """Open an .xlsx/.docx archive after checking its directory: refuses a damaged archive and one
    that unpacks beyond `limits.max_xlsx_uncompressed_mb`, before anything is decompressed.
    `what` names the format in messages ("Excel-bestand (.xlsx)")."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        # A damaged directory can point a member before the archive's start (a negative seek later).
        if any(not 0 <= info.header_offset < len(data) for info in members):
            raise zipfile.BadZipFile("member outside the archive")
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError):
        # NotImplementedError: a directory entry claiming a zip version beyond the one zipfile reads
        raise InputError(f"het bestand is beschadigd of geen {what} (het is geen leesbaar zip-archief)") from None
    inflated = sum(info.file_size for info in members)
    limit = limits.max_xlsx_uncompressed_mb * 1024 * 1024
    if inflated > limit:
        archive.close()
        raise TooLargeError(
            f"het bestand pakt uit tot {inflated / 1024 / 1024:.0f} MB, boven de grens van "
            f"{limits.max_xlsx_uncompressed_mb:.0f} MB (max_xlsx_uncompressed_mb)"
        )
    if "[Content_Types].xml" not in {info.filename for info in members}:
        archive.close()
        raise InputError(f"het bestand is geen {what} ([Content_Types].xml ontbreekt)")
    return archive


def check_docx(data: bytes, limits: Limits) -> None:
    """The cheap check of a .docx before python-docx parses it: a readable zip whose directory
    says it unpacks within the limit and that holds a Word document."""
    with open_office_zip(data, limits, "Word-bestand (.docx)") as archive:
        if "word/document.xml" not in archive.namelist():
            raise InputError("het bestand is geen Word-document (.docx): word/document.xml ontbreekt")
