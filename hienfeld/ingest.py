"""The read stage: the uploads of one analysis -> the policy table, the conditions' chunks, the
library's clauses and the reference report. Policy exports (.xlsx / .csv) -> PolicyTable, with every
row kept and limits enforced; the reading itself is hienfeld.tables' (the one reader of every
uploaded table). A conditions or library file that cannot be read is skipped with a warning."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from .clause_library import parse_clause_library
from .config import Limits
from .conditions import parse_conditions
from .errors import InputError
from .reference import ReferenceData, read_reference
from .tables import POLICY, read_table
from .types import Chunk, LibraryClause, PolicyTable

FileBlob = tuple[str, bytes]


@dataclass
class AnalysisInput:
    policy: FileBlob
    conditions: list[FileBlob] = field(default_factory=list)
    library: list[FileBlob] = field(default_factory=list)
    reference: FileBlob | None = None


@dataclass(frozen=True)
class ReadInputs:
    table: PolicyTable
    chunks: list[Chunk]
    library: list[LibraryClause]
    reference: ReferenceData | None
    warnings: list[str]  # files skipped, for stats.warnings


def read_inputs(inp: AnalysisInput, use_conditions: bool, limits: Limits, chunk_chars: int) -> ReadInputs:
    table = read_policy_file(inp.policy[0], inp.policy[1], limits)
    warnings: list[str] = []
    read_conditions = functools.partial(parse_conditions, chunk_chars=chunk_chars, limits=limits)
    chunks: list[Chunk] = (_parse_usable(read_conditions, inp.conditions, warnings)
                           if use_conditions else [])
    read_library = functools.partial(parse_clause_library, limits=limits)
    library: list[LibraryClause] = _parse_usable(read_library, inp.library, warnings)
    reference = read_reference(inp.reference[1], limits) if inp.reference else None
    return ReadInputs(table, chunks, library, reference, warnings)


def inspect_policy_file(filename: str, data: bytes, limits) -> dict:
    """Columns, row count, detected columns and the sheet read, checking every limit: the check
    done at upload (rows are counted, not kept)."""
    table = read_table(filename, data, limits, POLICY, keep_rows=False)
    return {"columns": table.columns, "row_count": table.row_count, "text_column": table.column_name("text"),
            "policy_column": table.column_name("policy"), "sheet": table.sheet, "notes": table.notes}


def read_policy_file(filename: str, data: bytes, limits) -> PolicyTable:
    """Read every row of a policy export; the text column must be recognisable by name."""
    table = read_table(filename, data, limits, POLICY)
    return PolicyTable(columns=table.columns, rows=table.rows, text_column=table.column_name("text"),
                       policy_column=table.column_name("policy"), notes=table.notes)


def _parse_usable(parse: Callable[[list[FileBlob]], list], files: list[FileBlob], warnings: list[str]) -> list:
    """Parse the files together (ids stay unique across them); a file that cannot be read is left
    out with a warning in the job's stats instead of failing the whole analysis."""
    try:
        return parse(files)
    except InputError:
        usable = []
        for blob in files:
            try:
                parse([blob])
                usable.append(blob)
            except InputError as exc:
                warnings.append(f"{blob[0]} overgeslagen: {exc}")
        return parse(usable) if usable else []
