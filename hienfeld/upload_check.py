"""The checks the ingress runs on every file of a request before it creates a job, so a bad upload
gets a clear 4xx at once instead of a failed or half-done job. Bounded and light: tables are read
with the upload limits (rows counted, not kept), Office files are judged by their zip directory,
documents are not parsed (an unreadable conditions file among good ones is still skipped with a
warning by the analysis)."""

from __future__ import annotations

from .errors import InputError
from .ingest import inspect_policy_file
from .tables import LIBRARY, REFERENCE, read_table
from .uploads import FIELD_LABELS, TABLE_EXTENSIONS, check_docx, check_extension, decode_text


def check_upload(field: str, filename: str, data: bytes, limits) -> dict | None:
    """Refuse (InputError and subclasses, Dutch, naming the field and the file) what cannot be
    analysed; for the policy file, return what the upload preview shows."""
    try:
        ext = check_extension(filename, field)
        if not data:
            raise InputError("het bestand is leeg (0 bytes)")
        if field == "policy_file":
            return inspect_policy_file(filename, data, limits)
        if field == "reference_file":
            read_table(filename, data, limits, REFERENCE, keep_rows=False)
        elif field == "clause_library_files" and ext in TABLE_EXTENSIONS:
            read_table(filename, data, limits, LIBRARY, keep_rows=False)
        elif ext == ".docx":
            check_docx(data, limits)
        elif ext == ".pdf":
            if b"%PDF-" not in data[:1024]:
                raise InputError("het bestand is geen PDF (het begint niet met %PDF-)")
        elif ext == ".txt":
            if not decode_text(data).strip():
                raise InputError("het tekstbestand bevat geen tekst")
        return None
    except InputError as exc:
        raise type(exc)(f"{field} '{filename or 'zonder naam'}' ({FIELD_LABELS[field]}): {exc}") from None
