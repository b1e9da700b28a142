"""The AuditLog sheet (审计日志): one append-only trail of what xlcust changed in user sheets.

Every command that changes a user sheet (import, reclassify --apply, …) adds entries
here in the *same* atomic save as the change itself, so the trail and the data never
disagree. AuditLog is an output sheet (xlcust writes it, users do not), but unlike the
other outputs it is never recomputed: each save rewrites it as the old rows read back
from the workbook plus the new ones.

    entries = [AuditEntry(action="import customers", sheet="Customers", rows="202-215", ...)]
    sheet = audit_sheet(pkg, entries, lang)           # old rows + new, for save_package(outputs=[...])
    save_package(pkg, outputs=[sheet], edits=[...])   # one save: edits and their trail together

    append_audit(path, entries)                       # the same, when the entries are the only change

Columns (English / Chinese headers; the sheet follows the workbook's language):
At 时间, User 操作人, Action 操作, Sheet 工作表, Rows 行, Key 对象, Field 字段,
Old 原值, New 新值, Source 来源, Note 说明. Old rows are read by header name in either
language, so a workbook whose language setting changed keeps its trail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from .errors import CorruptWorkbook
from .io.outputs import banner, current_user, sheet_title
from .io.package import Package, open_package, save_package
from .io.sheetxml import ColumnSpec, OutputSheet
from .schema import OUTPUT_SHEETS, normalize_header

AUDIT_KEY = "AuditLog"

# (field, en header, zh header, kind, width)
AUDIT_COLUMNS: tuple[tuple[str, str, str, str, float], ...] = (
    ("at", "At", "时间", "datetime", 17),
    ("user", "User", "操作人", "text", 12),
    ("action", "Action", "操作", "text", 22),
    ("sheet", "Sheet", "工作表", "text", 16),
    ("rows", "Rows", "行", "text", 14),
    ("key", "Key", "对象", "text", 16),
    ("field", "Field", "字段", "text", 14),
    ("old", "Old", "原值", "text", 16),
    ("new", "New", "新值", "text", 16),
    ("source", "Source", "来源", "text", 24),
    ("note", "Note", "说明", "text", 70),
)
_BY_HEADER = {normalize_header(h): name for name, en, zh, _, _ in AUDIT_COLUMNS for h in (name, en, zh)}


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail. `rows` is the user-sheet row or range ("17", "202-215")."""

    action: str
    sheet: str = ""
    rows: str = ""
    key: str = ""
    field: str = ""
    old: str = ""
    new: str = ""
    source: str = ""
    note: str = ""
    user: str = dataclasses.field(default_factory=current_user)
    at: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    def values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) or None for name, *_ in AUDIT_COLUMNS)


def audit_sheet_name(pkg: Package) -> str | None:
    """The workbook's AuditLog sheet (English or Chinese name, any case), if it has one."""
    wanted = {normalize_header(AUDIT_KEY), normalize_header(OUTPUT_SHEETS[AUDIT_KEY])}
    return next((n for n in pkg.sheet_names() if normalize_header(n) in wanted), None)


def read_audit(pkg: Package) -> list[AuditEntry]:
    """The entries already in the workbook's AuditLog (none when there is no such sheet)."""
    name = audit_sheet_name(pkg)
    if name is None:
        return []
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(pkg.path))
        grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise CorruptWorkbook(f"{pkg.path.name}: cannot read the {name} sheet ({exc})") from None
    header_at, positions = None, {}
    for r, row in enumerate(grid[:5]):  # a title line may sit above the header
        found = {_BY_HEADER[k]: c for c, v in enumerate(row)
                 if isinstance(v, str) and (k := normalize_header(v)) in _BY_HEADER}
        if "at" in found and "action" in found:
            header_at, positions = r, found
            break
    if header_at is None:
        return []
    known = {f.name for f in dataclasses.fields(AuditEntry)}
    entries = []
    for row in grid[header_at + 1:]:
        values = {name: row[c] if c < len(row) else None for name, c in positions.items() if name in known}
        if all(v in (None, "") for v in values.values()):
            continue
        entries.append(AuditEntry(**{k: _restore(k, v) for k, v in values.items()}))
    return entries


def _restore(name: str, value: object) -> object:
    if name == "at":
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def audit_sheet(pkg: Package, entries: Sequence[AuditEntry], lang: str) -> OutputSheet:
    """The AuditLog output sheet: the workbook's existing entries followed by `entries`."""
    rows = [e.values() for e in (*read_audit(pkg), *entries)]
    what = f"审计日志：{len(rows)} 条记录" if lang == "zh" else f"Audit log: {len(rows)} entries"
    columns = [ColumnSpec(zh if lang == "zh" else en, kind, width) for _, en, zh, kind, width in AUDIT_COLUMNS]
    # Keep the sheet's current name when it has one, so a language change does not leave two logs.
    name = audit_sheet_name(pkg) or sheet_title(AUDIT_KEY, lang)
    return OutputSheet(name, columns, rows, title=banner(what, lang), tab_color="7F7F7F")


def append_audit(path: str | Path, entries: Sequence[AuditEntry], lang: str | None = None) -> None:
    """Add entries to the workbook's AuditLog in one atomic save (nothing else changes)."""
    pkg = open_package(path)
    if lang is None:
        from .io.reader import read_book

        lang = read_book(path).settings.language
    save_package(pkg, outputs=[audit_sheet(pkg, entries, lang)])
