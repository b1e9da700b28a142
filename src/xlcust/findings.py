"""Findings: problems in the user's data, as records.

A check never raises because a user typed something odd; it returns findings. Each
finding points at a cell the user can click: the sheet name as it appears in the
workbook, the row number Excel shows and the column letter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or note) about one cell, row, column or sheet."""

    severity: Severity
    code: str
    sheet: str
    message: str
    row: int | None = None
    column: str | None = None
    field: str | None = None
    suggestion: str = ""
    value: str | None = None  # what the cell held, as text, when it helps

    @property
    def cell(self) -> str:
        """`Sheet!B7`-style address (or the sheet / row alone when that is all we know)."""
        if self.row is None:
            return self.sheet
        if self.column is None:
            return f"{self.sheet}!{self.row}:{self.row}"
        return f"{self.sheet}!{self.column}{self.row}"

    def to_json(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        if data["value"] is None:
            del data["value"]
        return data


def error(code: str, sheet: str, message: str, **where) -> Finding:
    return Finding(Severity.ERROR, code, sheet, message, **where)


def warning(code: str, sheet: str, message: str, **where) -> Finding:
    return Finding(Severity.WARNING, code, sheet, message, **where)


def info(code: str, sheet: str, message: str, **where) -> Finding:
    return Finding(Severity.INFO, code, sheet, message, **where)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable order for reports: by sheet order of appearance, row, column."""
    return sorted(
        findings,
        key=lambda f: (f.sheet, f.row if f.row is not None else 0, _col_key(f.column), f.code),
    )


def _col_key(column: str | None) -> tuple[int, str]:
    return (0, "") if column is None else (len(column), column)


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def format_finding(f: Finding) -> str:
    """One line of text for a terminal or a message box."""
    text = f"{f.severity.value.upper():7} {f.cell:<22} {f.code}: {f.message}"
    if f.suggestion:
        text += f" → {f.suggestion}"
    return text
