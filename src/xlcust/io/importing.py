"""Importing into a registry file: read it once, plan with `xlcust.importer`, write the plan in one atomic save.

    report = import_customers("客户名单.xlsx", "registry.xlsx", ImportOptions(category="0101"))
    report = import_transactions("ledger.csv", "registry.xlsx", ImportOptions(dry_run=True))

The rows and the AuditLog summary are appended in the same save: all or nothing. The
package is opened before the registry is read and saved with the same object, so a
workbook changed by someone else in between is refused rather than overwritten.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..importer import ImportOptions, ImportPlan, ImportReport, plan_customer_import, plan_transaction_import
from ..importer.registry import Registry
from ..views.edits import render_edits
from .auditlog import audit_output
from .package import Package, open_package
from .package_write import save_package
from .reader import read_raw_sheets
from .source import read_source


def open_registry(path: str | Path) -> tuple[Package, Registry]:
    """The package (kept for saving) and the registry read from it."""
    pkg = open_package(path)
    return pkg, Registry(Path(path), read_raw_sheets(pkg))


def import_customers(file: str | Path, book: str | Path, options: ImportOptions | None = None) -> ImportReport:
    """Plan (and unless dry-run, write) the import of a customer list into `book`."""
    started = time.perf_counter()
    pkg, reg = open_registry(book)
    opened = time.perf_counter() - started
    return _write(pkg, reg, plan_customer_import(read_source(Path(file)), reg, options), opened)


def import_transactions(file: str | Path, book: str | Path, options: ImportOptions | None = None) -> ImportReport:
    """Plan (and unless dry-run, write) the import of transactions into `book`."""
    started = time.perf_counter()
    pkg, reg = open_registry(book)
    opened = time.perf_counter() - started
    return _write(pkg, reg, plan_transaction_import(read_source(Path(file)), reg, options), opened)


def _write(pkg: Package, reg: Registry, plan: ImportPlan, opened: float) -> ImportReport:
    if not plan.edits:
        return plan.finish(written=False, registry_seconds=opened)
    save_package(pkg, outputs=[audit_output(pkg, plan.audit, reg.lang)], edits=render_edits(plan.edits, reg.lang))
    return plan.finish(written=True, registry_seconds=opened)
