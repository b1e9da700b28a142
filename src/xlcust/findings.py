"""Findings: problems in the user's data, as records.

A check never raises because a user typed something odd; it returns findings. Each
finding points at a cell the user can click: the sheet name as it appears in the
workbook, the row number Excel shows and the column letter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as _slot
from enum import StrEnum

from .i18n import DEFAULT_LANGUAGE, N_, Msg, render, translate


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]

    def label(self, lang: str) -> str:
        """The severity as a reader says it (错误 / 警告 / 提示)."""
        return translate(SEVERITY_LABELS[self.value], lang)


SEVERITY_LABELS = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or note) about one cell, row, column or sheet.

    `message` and `suggestion` may be given as `i18n.Msg` (msgid + parameters): the
    finding then keeps them in `text` / `fix` for views to render in the reader's
    language, and `message` / `suggestion` hold the English rendering for logs, tests
    and callers that want one language.
    """

    severity: Severity
    code: str
    sheet: str
    message: str
    row: int | None = None
    column: str | None = None
    field: str | None = None
    suggestion: str = ""
    value: str | None = None  # what the cell held, as text, when it helps
    text: Msg | None = _slot(default=None, compare=False, repr=False)
    fix: Msg | None = _slot(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # frozen: the English renderings are set once, here
        if isinstance(self.message, Msg):
            object.__setattr__(self, "text", self.message)
            object.__setattr__(self, "message", self.message.render(DEFAULT_LANGUAGE))
        if isinstance(self.suggestion, Msg):
            object.__setattr__(self, "fix", self.suggestion)
            object.__setattr__(self, "suggestion", self.suggestion.render(DEFAULT_LANGUAGE))

    def message_in(self, lang: str) -> str:
        """The message in `lang` (a text not yet in the catalog stays as written)."""
        return render(self.text, lang) if self.text is not None else self.message

    def field_in(self, lang: str) -> str | None:
        """The field as its sheet's header reads in `lang` (助记码, not `mnemonic`)."""
        from .schema import INPUT_SHEETS

        if self.field is None:
            return None
        for sheet in INPUT_SHEETS:
            if self.sheet in (sheet.key, sheet.zh) and self.field in sheet.by_name:
                return sheet.by_name[self.field].header(lang)
        return self.field

    def suggestion_in(self, lang: str) -> str:
        """The fix in `lang`."""
        return render(self.fix, lang) if self.fix is not None else self.suggestion

    @property
    def cell(self) -> str:
        """`Sheet!B7`-style address (or the sheet / row alone when that is all we know)."""
        if self.row is None:
            return self.sheet
        if self.column is None:
            return f"{self.sheet}!{self.row}:{self.row}"
        return f"{self.sheet}!{self.column}{self.row}"

    def to_json(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        """The finding as JSON, its message and suggestion in `lang`."""
        data = {name: getattr(self, name) for name in
                ("severity", "code", "sheet", "message", "row", "column", "field", "suggestion", "value")}
        data["severity"] = self.severity.value
        data["message"] = self.message_in(lang)
        data["suggestion"] = self.suggestion_in(lang)
        if lang != DEFAULT_LANGUAGE:  # the canonical name stays for scripts; the header is for people
            data["field_header"] = self.field_in(lang)
        if data["value"] is None:
            del data["value"]
        return data


def error(code: str, sheet: str, message: str | Msg, **where) -> Finding:
    return Finding(Severity.ERROR, code, sheet, message, **where)


def warning(code: str, sheet: str, message: str | Msg, **where) -> Finding:
    return Finding(Severity.WARNING, code, sheet, message, **where)


def info(code: str, sheet: str, message: str | Msg, **where) -> Finding:
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
