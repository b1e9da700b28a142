"""`xlcust import customers|transactions FILE --into BOOK`: bring a CSV / workbook into the registry.

Prints the column mapping (so the user can confirm it), every change, skip and rejection
with its source row, and what was (or with --dry-run would be) added. Exit 0 when every
row was imported or knowingly skipped (duplicates, blank and subtotal rows), 1 when some
row was rejected (or the import was blocked), 2 when the command could not run.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer

from ..findings import Severity
from .base import EXIT_FINDINGS, EXIT_OK, LangOpt, app, emit_json, err, out, print_table, run, warn_flavour

import_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Bring customers or transactions from a CSV or workbook into the registry, mapped, cleaned and checked.",
)
app.add_typer(import_app, name="import")

FileArg = Annotated[Path, typer.Argument(help="The file to import: .csv (UTF-8 or GBK/GB18030, may be .csv.gz), "
                                              ".xlsx, .xlsm or .xls", show_default=False, metavar="FILE")]
IntoOpt = Annotated[Path, typer.Option("--into", help="The registry workbook to import into", show_default=False)]
MapOpt = Annotated[list[str] | None, typer.Option("--map", help="SRC=FIELD: the column headed (or lettered) SRC "
                                                        "holds FIELD; FIELD '-' ignores the column. Repeatable")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet of a workbook to read (default: the one whose "
                                                              "header names the most fields)")]
DryOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would be added; write nothing")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout")]
CategoryOpt = Annotated[str | None, typer.Option("--category", help="Leaf category CODE for customers without one "
                                                                    "(and for customers --create-customers makes)")]
NewCategoryOpt = Annotated[str | None, typer.Option("--new-category", help="NAME: add --category CODE to the "
                                                                           "Categories sheet if it is not there")]
DateOrderOpt = Annotated[str | None, typer.Option("--date-order", help="dmy or mdy: how to read slashed dates such "
                                                                       "as 05/01/2024 when the column does not show")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Write nothing if any row is rejected")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Also write every issue, one line per source row, "
                                                                 "to this CSV file")]
SHOWN_PER_CODE = 12


@import_app.command("customers")
def customers(file: FileArg, into: IntoOpt, map_: MapOpt = None, sheet: SheetOpt = None, dry_run: DryOpt = False,
              category: CategoryOpt = None, new_category: NewCategoryOpt = None, date_order: DateOrderOpt = None,
              strict: StrictOpt = False, report_path: ReportOpt = None, as_json: JsonOpt = False,
              lang: LangOpt = None) -> None:
    """Import a customer list (客户档案): codes, names, categories, tax IDs, mnemonics; duplicates skipped."""

    def body() -> int:
        from ..importer import ImportOptions
        from ..io.importing import import_customers

        options = ImportOptions(dry_run=dry_run, sheet=sheet, maps=tuple(map_ or ()), category=category,
                                new_category=new_category, date_order=date_order, strict=strict)
        if not dry_run and into.is_file():
            warn_flavour(into)
        with err.status(f"Importing customers from {file.name}…"):
            report = import_customers(file, into, options)
        return _show(report, as_json, report_path)

    run(body, lang)


@import_app.command("transactions")
def transactions(
    file: FileArg, into: IntoOpt, map_: MapOpt = None, sheet: SheetOpt = None, dry_run: DryOpt = False,
    create_customers: Annotated[bool, typer.Option("--create-customers", help="Create customers the registry does "
                                                   "not have (needs --category)")] = False,
    category: CategoryOpt = None, new_category: NewCategoryOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Kind of lines the file does not say (invoice, "
                                             "credit_note, receipt, opening, adjustment); default: by sign")] = None,
    group_lines: Annotated[bool | None, typer.Option("--group-lines/--no-group-lines", help="Lines sharing a Txn ID "
                                                     "are one document (default: when the file has quantity and "
                                                     "unit price)", show_default=False)] = None,
    date_order: DateOrderOpt = None, strict: StrictOpt = False, report_path: ReportOpt = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Import transactions (往来明细): invoices, credit notes, receipts; invoice lines grouped per document."""

    def body() -> int:
        from ..importer import ImportOptions
        from ..io.importing import import_transactions

        options = ImportOptions(dry_run=dry_run, sheet=sheet, maps=tuple(map_ or ()), category=category,
                                new_category=new_category, date_order=date_order, strict=strict,
                                create_customers=create_customers, kind=kind, group_lines=group_lines)
        if not dry_run and into.is_file():
            warn_flavour(into)
        with err.status(f"Importing transactions from {file.name}…"):
            report = import_transactions(file, into, options)
        return _show(report, as_json, report_path)

    run(body, lang)


def _show(report, as_json: bool, report_path: Path | None) -> int:
    if report_path is not None:
        lines = report.write_csv(report_path)
        err.print(f"Wrote {lines:,} issue line(s) to {report_path}")
    if as_json:
        emit_json(report.to_json())
    else:
        _print(report)
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _print(report) -> None:
    s = report.source
    where = f"{s.name}" + (f" ({s.encoding})" if s.encoding else "") + f", header on row {s.header_row}"
    print_table(f"Column mapping — {where}", ["column", "header", "field", "by"],
                ((m.column, m.header, m.field, "--map" if m.by == "map" else "header") for m in report.mapping))
    by_code: dict[tuple[int, str], list] = defaultdict(list)
    for i in report.sorted_issues():
        by_code[(i.severity.rank, i.code)].append(i)
    colour = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    for (_, code), items in sorted(by_code.items()):
        for i in items[:SHOWN_PER_CODE]:
            rows = "" if not i.count else (f"row {i.row}" if i.count == 1 else f"rows {_ranges(i.rows)}")
            listed = f"ow {i.row}" in i.message or "row(s)" in i.message or "(rows" in i.message
            text = f"{i.severity.value.upper():7} {code}: {i.message}" + (f" [{rows}]" if rows and not listed else "")
            if i.suggestion and i.severity is not Severity.INFO:
                text += f" → {i.suggestion}"
            out.print(text, style=colour[i.severity], markup=False, highlight=False)
        if len(items) > SHOWN_PER_CODE:
            out.print(f"        … {len(items) - SHOWN_PER_CODE:,} more {code}; all of them with --json or --report "
                      "FILE", markup=False, highlight=False)
    summary = ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in report.summary.items()
                        if k not in ("blocked", "net_sales_cents", "grouped"))
    added = ", ".join(f"{len(f):,} row(s) to {report.registry_sheets.get(k, k)} at rows {report.registry_rows.get(k)}"
                      for k, f in report.added.items()) or "nothing"
    if report.written:
        err.print(f"Imported into {Path(report.book).name}: {added}. {summary}")
    elif report.summary.get("blocked"):
        err.print(f"Nothing written to {Path(report.book).name}: the import was blocked (see the errors). {summary}")
    else:
        verb = "Would add" if report.dry_run else "Nothing to add:"
        err.print(f"{verb} {added} (dry run, nothing written). {summary}" if report.dry_run
                  else f"{verb} {summary}")


def _value(v: object) -> str:
    if isinstance(v, dict):
        return "(" + ", ".join(f"{k} {n:,}" for k, n in v.items()) + ")"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def _ranges(rows) -> str:
    from ..importer.report import row_ranges

    return row_ranges(rows, limit=4)
