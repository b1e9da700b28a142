"""Importing customers and transactions from messy files into a registry (issue 7).

    plan = plan_customer_import(read_source(Path("客户名单.xlsx")), registry, ImportOptions(category="0101"))
    plan = plan_transaction_import(read_source(Path("ledger.csv")), registry, ImportOptions(dry_run=True))
    plan.report, plan.edits, plan.audit     # what was found; rows to append; AuditLog entries

The host reads the file into grids (`xlcust.io.source.read_source`); both plans find
the header row and the rows to skip (`prepare`), map its columns, clean every value with a reported
change (`clean`), plan the new registry rows (`customers`, `transactions`) and check the
registry as it would be. Unless `dry_run`, or nothing is left to add, the plan holds the
rows to append to the registry's Tables and the AuditLog summary; a host writes them in
one atomic save (`xlcust.io.importing.import_customers` / `import_transactions` for a
file) and calls `plan.finish(written=True)`. The `ImportReport` says what was (or would
be) added and every row that was skipped or rejected, with its source row and why.

Layout:

    source.py        the file as read: a grid of cells per sheet (io/source.py reads it)
    mapping.py       header recognition (English, Chinese, variants) and --map
    prepare.py       header row, title / blank / subtotal / repeated-header rows
    clean.py         one cleaner per kind of value, each change reported
    customers.py     planning a customer import
    transactions.py  planning a transaction import (lines → documents)
    registry.py      the target workbook: lookups, placing rows, verifying, saving
    report.py        Issue, ImportReport, the code catalogue
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..audit import AuditEntry, current_user
from ..edits import AppendRows
from ..errors import UsageError
from ..i18n import N_, NO, YES, Joined, Term, msg, term
from ..schema import CATEGORIES
from .customers import plan_customers
from .mapping import IMPORT_SPECS
from .prepare import Prepared, prepare
from .registry import NewRows, Registry
from .report import IMPORT_CODES, ImportReport, Issue, issue
from .source import Source
from .transactions import KINDS, TransactionPlanner, net_sales

__all__ = ["IMPORT_CODES", "ImportOptions", "ImportPlan", "ImportReport", "Issue", "Registry", "Source",
           "plan_customer_import", "plan_transaction_import"]


@dataclass
class ImportOptions:
    """What the command line's options say (see `xlcust import --help`)."""

    dry_run: bool = False
    sheet: str | None = None
    maps: tuple[str, ...] = ()
    category: str | None = None  # default (leaf) category for customers without one / created customers
    new_category: str | None = None  # name: add `category` to the Categories sheet when it is missing
    date_order: str | None = None  # "dmy" or "mdy" for slashed dates the column does not settle
    strict: bool = False  # write nothing when any row is rejected
    create_customers: bool = False  # transactions only
    kind: str | None = None  # transactions only: kind of lines the file does not say
    group_lines: bool | None = None  # transactions only: None = when the file has line items
    today: dt.date = field(default_factory=dt.date.today)
    user: str = field(default_factory=current_user)

    def check(self) -> None:
        if self.date_order not in (None, "dmy", "mdy"):
            raise UsageError(msg("--date-order must be dmy or mdy, not '{date_order}'",
                                 date_order=self.date_order))
        if self.kind is not None and self.kind not in KINDS:
            raise UsageError(msg("--kind must be one of {kinds}, not '{kind}'",
                                 kinds=', '.join(KINDS), kind=self.kind))
        if self.new_category is not None and self.category is None:
            raise UsageError(msg("--new-category NAME needs --category CODE: the code of the category to add"))


@dataclass
class ImportPlan:
    """A planned import: its report and, unless it is a dry run or blocked, what to write."""

    report: ImportReport
    edits: list[AppendRows]  # rows to append, one edit per sheet; empty when nothing is to be written
    audit: list[AuditEntry]  # the AuditLog entries written with them
    clock: _Clock

    def finish(self, written: bool, registry_seconds: float = 0.0) -> ImportReport:
        """The report, once the host has written the plan (or not): `written` and the timings.

        `registry_seconds` is how long the host took to read the registry before planning.
        """
        self.report.written = written
        self.clock("write")
        laps = {"registry": registry_seconds, **self.clock.laps}
        self.report.timings = dict(laps, total=time.perf_counter() - self.clock.start + registry_seconds)
        return self.report


def plan_customer_import(source: Source, reg: Registry, options: ImportOptions | None = None) -> ImportPlan:
    """Plan the import of a customer list into the registry `reg` (see the module docstring)."""
    options = options or ImportOptions()
    options.check()
    clock = _Clock()
    prep = prepare(source, "customers", sheet=options.sheet, maps=options.maps)
    clock("read")
    report = _report("customers", reg, prep, options)
    category, categories = _default_category(reg, options, report)
    extra = frozenset({category}) if len(categories) else frozenset()
    customers, history = plan_customers(prep, reg, report, default_category=category, extra_leaves=extra,
                                        today=options.today, user=options.user, source_name=source.path.name,
                                        date_order=options.date_order)
    clock("plan")
    report.summary.update({
        "rows": len(prep.frame),
        "customers_added": len(customers),
        "duplicates": report.rows_with("IMP_DUPLICATE_IN_REGISTRY", "IMP_DUPLICATE_IN_FILE"),
        "rejected_rows": _rejected_rows(report),
    })
    return _finish(reg, report, [_if_used(categories, customers, report), customers, history], options, clock)


def plan_transaction_import(source: Source, reg: Registry, options: ImportOptions | None = None) -> ImportPlan:
    """Plan the import of transactions into the registry `reg` (see the module docstring)."""
    options = options or ImportOptions()
    options.check()
    if options.create_customers and options.category is None:
        raise UsageError(msg("--create-customers needs --category CODE: the leaf category new customers go into"))
    clock = _Clock()
    prep = prepare(source, "transactions", sheet=options.sheet, maps=options.maps)
    clock("read")
    report = _report("transactions", reg, prep, options)
    category, categories = _default_category(reg, options, report)
    planner = TransactionPlanner(prep, reg, report, kind=options.kind, group_lines=options.group_lines,
                                 create_customers=options.create_customers, category=category,
                                 date_order=options.date_order, user=options.user, source_name=source.path.name)
    txns, customers, history = planner.plan()
    clock("plan")
    kinds = pd.Series([str(r["kind"]) for r in txns.records], dtype=object).value_counts().to_dict()
    report.summary.update({
        "lines": len(prep.frame),
        "grouped": planner.group,
        "transactions_added": len(txns),
        "by_kind": {str(k): int(v) for k, v in kinds.items()},
        "net_sales": net_sales(txns) / 100,
        "customers_created": len(customers),
        "lines_without_customer": report.rows_with("IMP_NO_CUSTOMER"),
        "duplicates": report.rows_with("IMP_ALREADY_IMPORTED", "IMP_DUPLICATE_IN_FILE"),
        "rejected_rows": _rejected_rows(report),
    })
    report.summary["net_sales_cents"] = net_sales(txns)
    return _finish(reg, report, [_if_used(categories, customers, report), customers, history, txns], options, clock)


# ---------------------------------------------------------------------------- helpers


class _Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now


def _report(what: str, reg: Registry, prep: Prepared, options: ImportOptions) -> ImportReport:
    settings = reg.book.settings
    report = ImportReport(what, str(reg.path), prep.info, list(prep.mapping.mapped), list(prep.issues),
                          dry_run=options.dry_run,
                          book_language=settings.language if "language" in settings.model_fields_set else None)
    return report


def _rejected_rows(report: ImportReport) -> int:
    return report.rows_with(*(c for c, (sev, _) in IMPORT_CODES.items() if sev.value == "error"))


def _default_category(reg: Registry, options: ImportOptions, report: ImportReport) -> tuple[str | None, NewRows]:
    """The --category code, checked to be a leaf (or added, with --new-category)."""
    new = NewRows("Categories")
    if options.category is None:
        return None, new
    code = unicodedata.normalize("NFKC", options.category).strip().upper()
    tree = reg.tree
    if code in tree:
        if not tree.is_leaf(code):
            raise UsageError(msg("--category {code} has sub-categories; customers belong to leaf (末级) categories: "
                                 "use one of {leaves}",
                                 code=code, leaves=tree.describe(tree.leaves_under(code))))
        return code, new  # --new-category only ever adds a missing category
    if options.new_category is None:
        leaves = [c for c in tree.codes if tree.is_leaf(c)]
        hint = f"leaf categories: {tree.describe(leaves)}" if leaves else "the Categories sheet is empty"
        raise UsageError(msg("--category {code} is not on the Categories sheet ({hint}); add it there, or add "
                             "--new-category NAME to create it", code=code, hint=hint))
    if not reg.scheme.is_valid(code):
        raise UsageError(msg("--category {code} does not fit the coding scheme {scheme} (codes of {lengths} "
                             "characters, digits and A-Z)",
                             code=code, scheme=reg.scheme, lengths=', '.join(str(n) for n in reg.scheme.lengths)))
    parent = reg.scheme.parent_of(code)
    if parent is not None and parent not in tree:
        raise UsageError(msg("--category {code}: its parent category {parent} is not on the Categories sheet",
                             code=code, parent=parent))
    if parent is not None and not reg.book.customers.data["category_code"].ne(parent).all():
        raise UsageError(msg("--category {code}: its parent {parent} has customers, which must stay on a leaf; "
                             "choose a code under a category without customers", code=code, parent=parent))
    new.add({"code": code, "name": options.new_category.strip(), "active": True}, [])
    return code, new


def _if_used(categories: NewRows, customers: NewRows, report: ImportReport) -> NewRows:
    """The --new-category row, when some new customer is in it (an unused category is not added)."""
    if not len(categories):
        return categories
    code, name = categories.records[0]["code"], categories.records[0]["name"]
    if not any(r.get("category_code") == code for r in customers.records):
        return NewRows("Categories")
    report.add(issue("IMP_CATEGORY_CREATED", msg("Category {code} '{name}' added to the {sheet} sheet", code=code,
                                                  name=name, sheet=report.registry_sheets.get("Categories")
                                                  or CATEGORIES), [],
                     new_value=code))
    return categories


def _finish(reg: Registry, report: ImportReport, news: list[NewRows], options: ImportOptions,
            clock: _Clock) -> ImportPlan:
    """Verify against the registry's checks; what to write, unless dry-run / strict with rejections."""
    news = [n for n in news if len(n)]
    placed = [reg.place(n) for n in news]
    report.added = {n.key: _frame(n, p.first_row) for n, p in zip(news, placed, strict=True)}
    report.registry_rows = {n.key: f"{p.first_row}-{p.last_row}" if p.last_row > p.first_row else str(p.first_row)
                            for n, p in zip(news, placed, strict=True)}
    report.registry_sheets = {n.key: p.table.name for n, p in zip(news, placed, strict=True)}
    if news:
        for finding, sources in reg.errors_after(placed, news):
            report.add(issue("IMP_WOULD_BREAK_CHECKS", msg("{code} at {cell}: {message}", code=finding.code,
                                                           cell=finding.cell, message=finding.text or finding.message),
                             sources, field=finding.field, suggestion=finding.fix or finding.suggestion))
    clock("verify")
    blocked = any(i.code == "IMP_WOULD_BREAK_CHECKS" for i in report.issues) or (options.strict and report.has_errors)
    report.summary["blocked"] = blocked
    if news and not options.dry_run and not blocked:
        return ImportPlan(report, reg.edits(placed), _audit_entries(report, placed, options), clock)
    return ImportPlan(report, [], [], clock)


def _frame(new: NewRows, first_row: int) -> pd.DataFrame:
    # the report's rows hold codes (kind `invoice`, source `import`): JSON speaks codes; notes stay Msgs
    frame = pd.DataFrame([{k: str(v) if isinstance(v, Term) else v for k, v in r.items()} for r in new.records])
    frame.insert(0, "registry_row", range(first_row, first_row + len(new)))
    frame["source_rows"] = [list(map(int, s)) for s in new.sources]
    return frame


def _audit_entries(report: ImportReport, placed, options: ImportOptions) -> list[AuditEntry]:
    """One AuditLog row per registry sheet the import appended to (Rule = `import`)."""
    source = Path(report.source.path).name
    counts = report.counts()
    spec = IMPORT_SPECS[report.what]
    # each source header → the field's header in the reader's language (a Column renders as its header)
    mapping = Joined(tuple(msg("{source}→{field}", source=m.header or m.column,
                               field=spec.by_name.get(m.field, m.field)) for m in report.mapping), ", ")
    kind = f"{report.source.format.upper()}" + (f" {report.source.encoding}" if report.source.encoding else "")
    detail = msg("{kind}{sheet}, header row {header}; mapping {mapping}; {errors} rejection(s), {warnings} "
                 "warning(s), {notes} note(s)", kind=kind,
                 sheet=msg(", sheet {sheet}", sheet=report.source.sheet) if report.source.sheet else "",
                 header=report.source.header_row, mapping=mapping, errors=counts["error"],
                 warnings=counts["warning"], notes=counts["info"])
    summary = Joined(tuple(msg("{what} {value}", what=msg(SUMMARY_WORDS.get(k, k)), value=_summary_value(v))
                           for k, v in report.summary.items() if k not in ("blocked", "net_sales_cents")), ", ")
    return [AuditEntry(rule=term("history source", "import"), field=p.table.name, effective=options.today,
                       who=options.user,
                       new=msg("{n} row(s) at rows {rows} from {file} (xlcust import {what}): {summary}; {detail}",
                               n=len(p.edit.rows), rows=report.registry_rows[p.table.spec.key], file=source,
                               what=report.what, summary=summary, detail=detail)) for p in placed]


# the AuditLog's words for ImportReport.summary's keys (the JSON keeps the keys)
SUMMARY_WORDS = {
    "rows": N_("rows read"), "customers_added": N_("customers added"), "duplicates": N_("duplicates"),
    "rejected_rows": N_("rows rejected"), "lines": N_("lines read"), "grouped": N_("lines grouped"),
    "transactions_added": N_("transactions added"), "by_kind": N_("by kind"), "net_sales": N_("net sales"),
    "customers_created": N_("customers created"), "lines_without_customer": N_("lines without a customer"),
}


def _summary_value(value: object) -> object:
    if isinstance(value, bool):
        return msg(YES if value else NO)
    if isinstance(value, dict):  # kinds and their counts
        return Joined(tuple(msg("{kind} {n}", kind=term("transaction kind", str(k)), n=n) for k, n in value.items()),
                      ", ")
    return f"{value:,.2f}" if isinstance(value, float) else value
