"""The AuditLog sheet of a workbook file: read the trail, and append to it in one atomic save."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ..audit import AuditEntry, audit_sheet_names, entries_from_grid
from ..errors import UsageError
from ..i18n import msg
from ..reclass.audit import AuditLog
from ..views.audit import audit_sheet
from ..views.sheet import OutputSheet
from .package import Package, open_package
from .package_write import save_package


def audit_sheet_name(pkg: Package) -> str | None:
    """The workbook's AuditLog sheet (English or Chinese name, any case), if it has one."""
    wanted = {n.casefold() for n in audit_sheet_names()}
    return next((n for n in pkg.sheet_names() if n.casefold() in wanted), None)


def read_audit(pkg: Package) -> list[AuditEntry]:
    """The entries already in the workbook's AuditLog (none when there is no such sheet).

    Raises UsageError when a sheet of that name holds something else: rewriting it would lose it.
    """
    name = audit_sheet_name(pkg)
    if name is None:
        return []
    import python_calamine  # here, not at the top: xlwings Lite imports xlcust without it

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(pkg.for_native_readers()))
        grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise UsageError(msg("{book}: cannot read the {sheet} sheet ({error})",
                             book=pkg.path.name, sheet=name, error=exc)) from None
    return entries_from_grid(name, grid)


def read_audit_log(source: Package | str | Path) -> AuditLog:
    """The AuditLog rows already in the workbook (a package, or the file at a path)."""
    pkg = source if isinstance(source, Package) else open_package(source)
    return AuditLog(audit_sheet_name(pkg), [entry.values() for entry in read_audit(pkg)])


def audit_output(pkg: Package, entries: Sequence[AuditEntry], lang: str) -> OutputSheet:
    """The AuditLog output sheet: the workbook's existing entries followed by `entries`."""
    rows = [e.values() for e in (*read_audit(pkg), *entries)]
    return audit_sheet(rows, lang, audit_sheet_name(pkg))


def append_audit(path: str | Path, entries: Sequence[AuditEntry], lang: str | None = None) -> None:
    """Add entries to the workbook's AuditLog in one atomic save (nothing else changes)."""
    pkg = open_package(path)
    from ..views.page import with_page
    from .reader import read_book

    settings = read_book(path).settings
    save_package(pkg, outputs=with_page([audit_output(pkg, entries, lang or settings.language)], settings))
