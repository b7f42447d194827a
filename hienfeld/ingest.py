"""Policy exports (.xlsx / .csv) -> PolicyTable, with every row kept and limits enforced.
The reading itself is hienfeld.tables' (the one reader of every uploaded table)."""

from __future__ import annotations

from .tables import POLICY, read_table
from .types import PolicyTable


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
