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
from ..i18n import N_, Msg, _, current_language, render
from .base import (
    EXIT_FINDINGS,
    EXIT_OK,
    LangOpt,
    adopt_book_language,
    app,
    emit_json,
    err,
    out,
    run,
    warn_flavour,
)

import_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help=N_("Bring customers or transactions from a CSV or workbook into the registry, mapped, cleaned and "
            "checked."),
)
app.add_typer(import_app, name="import")

FileArg = Annotated[Path, typer.Argument(help=N_("The file to import: .csv (UTF-8 or GBK/GB18030, may be .csv.gz), "
                                                 ".xlsx, .xlsm or .xls"), show_default=False, metavar="FILE")]
IntoOpt = Annotated[Path, typer.Option("--into", help=N_("The registry workbook to import into"), show_default=False)]
MapOpt = Annotated[list[str] | None, typer.Option("--map", help=N_("SRC=FIELD: the column headed (or lettered) SRC "
                                                           "holds FIELD; FIELD '-' ignores the column. Repeatable"))]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help=N_("Sheet of a workbook to read (default: the one whose "
                                                                 "header names the most fields)"))]
DryOpt = Annotated[bool, typer.Option("--dry-run", help=N_("Show what would be added; write nothing"))]
JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout"))]
CategoryOpt = Annotated[str | None, typer.Option("--category", help=N_("Leaf category CODE for customers without one "
                                                                       "(and for customers --create-customers "
                                                                       "makes)"))]
NewCategoryOpt = Annotated[str | None, typer.Option("--new-category", help=N_("NAME: add --category CODE to the "
                                                                              "Categories sheet if it is not "
                                                                              "there"))]
DateOrderOpt = Annotated[str | None, typer.Option("--date-order", help=N_("dmy or mdy: how to read slashed dates "
                                                                          "such as 05/01/2024 when the column does "
                                                                          "not show"))]
StrictOpt = Annotated[bool, typer.Option("--strict", help=N_("Write nothing if any row is rejected"))]
ReportOpt = Annotated[Path | None, typer.Option("--report", help=N_("Also write every issue, one line per source "
                                                                    "row, to this CSV file"))]
SHOWN_PER_CODE = 12


@import_app.command("customers", help=N_("Import a customer list: codes, names, categories, tax IDs, mnemonics; "
                                          "duplicates skipped."))
def customers(file: FileArg, into: IntoOpt, map_: MapOpt = None, sheet: SheetOpt = None, dry_run: DryOpt = False,
              category: CategoryOpt = None, new_category: NewCategoryOpt = None, date_order: DateOrderOpt = None,
              strict: StrictOpt = False, report_path: ReportOpt = None, as_json: JsonOpt = False,
              lang: LangOpt = None) -> None:
    """`xlcust import customers`."""

    def body() -> int:
        from ..importer import ImportOptions
        from ..io.importing import import_customers

        options = ImportOptions(dry_run=dry_run, sheet=sheet, maps=tuple(map_ or ()), category=category,
                                new_category=new_category, date_order=date_order, strict=strict)
        if not dry_run and into.is_file():
            warn_flavour(into)
        with err.status(_("Importing customers from {name}…", name=file.name)):
            report = import_customers(file, into, options)
        return _show(report, as_json, report_path)

    run(body, lang)


@import_app.command("transactions", help=N_("Import transactions: invoices, credit notes, receipts; invoice lines "
                                             "grouped per document."))
def transactions(
    file: FileArg, into: IntoOpt, map_: MapOpt = None, sheet: SheetOpt = None, dry_run: DryOpt = False,
    create_customers: Annotated[bool, typer.Option("--create-customers", help=N_("Create customers the registry does "
                                                      "not have (needs --category)"))] = False,
    category: CategoryOpt = None, new_category: NewCategoryOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help=N_(
        "Kind of lines the file does not say (invoice, credit_note, receipt, opening, adjustment); default: by "
        "sign"))] = None,
    group_lines: Annotated[bool | None, typer.Option("--group-lines/--no-group-lines", help=N_("Lines sharing a Txn "
                                                     "ID are one document (default: when the file has quantity and "
                                                     "unit price)"), show_default=False)] = None,
    date_order: DateOrderOpt = None, strict: StrictOpt = False, report_path: ReportOpt = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust import transactions`."""

    def body() -> int:
        from ..importer import ImportOptions
        from ..io.importing import import_transactions

        options = ImportOptions(dry_run=dry_run, sheet=sheet, maps=tuple(map_ or ()), category=category,
                                new_category=new_category, date_order=date_order, strict=strict,
                                create_customers=create_customers, kind=kind, group_lines=group_lines)
        if not dry_run and into.is_file():
            warn_flavour(into)
        with err.status(_("Importing transactions from {name}…", name=file.name)):
            report = import_transactions(file, into, options)
        return _show(report, as_json, report_path)

    run(body, lang)


def _show(report, as_json: bool, report_path: Path | None) -> int:
    adopt_book_language(report.book_language)
    if report_path is not None:
        lines = report.write_csv(report_path, current_language())
        err.print(_("Wrote {n} issue line(s) to {path}", n=f"{lines:,}", path=report_path), markup=False)
    if as_json:
        emit_json(report.to_json(current_language()))
    else:
        _print(report)
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


# the summary's keys and the transaction kinds, as the reader says them (the JSON keeps the keys)
SUMMARY_LABELS = {"rows": N_("rows"), "customers_added": N_("customers added"), "duplicates": N_("duplicates"),
                  "rejected_rows": N_("rejected rows"), "lines": N_("lines"),
                  "transactions_added": N_("transactions added"), "by_kind": N_("by kind"),
                  "net_sales": N_("net sales"), "customers_created": N_("customers created"),
                  "lines_without_customer": N_("lines without customer")}
KIND_LABELS = {"invoice": N_("invoice"), "credit_note": N_("credit note"), "receipt": N_("receipt"),
               "opening": N_("opening balance"), "adjustment": N_("adjustment")}


def _text(value: object) -> str:
    """An importer text in the current language (a catalog Msg is rendered; a plain string stays)."""
    return render(value, current_language()) if isinstance(value, Msg) else str(value or "")


def _print(report) -> None:
    from ..views.console import Column, render_table

    lang = current_language()
    s = report.source
    where = s.name + (f" ({s.encoding})" if s.encoding else "")
    render_table(out, _("Column mapping — {file}, header on row {row}", file=where, row=s.header_row),
                 [Column(N_("Column"), "code"), Column(N_("Header")), Column(N_("Field"), "code"),
                  Column(N_("By"), "code")],
                 ((m.column, m.header, _field(report.what, m.field, lang), "--map" if m.by == "map" else _("header"))
                  for m in report.mapping),
                 lang=lang)
    by_code: dict[tuple[int, str], list] = defaultdict(list)
    for i in report.sorted_issues():
        by_code[(i.severity.rank, i.code)].append(i)
    colour = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    for (_rank, code), items in sorted(by_code.items()):
        for i in items[:SHOWN_PER_CODE]:
            english = str(i.message)
            rows = "" if not i.count else (_("row {row}", row=i.row) if i.count == 1
                                           else _("rows {rows}", rows=_ranges(i.rows)))
            listed = f"ow {i.row}" in english or "row(s)" in english or "(rows" in english
            severity = i.severity.value.upper() if lang == "en" else i.severity.label(lang)
            text = f"{severity:7} {code}: {i.message_in(lang)}" + (f" [{rows}]" if rows and not listed else "")
            if i.suggestion and i.severity is not Severity.INFO:
                text += f" → {i.suggestion_in(lang)}"
            out.print(text, style=colour[i.severity], markup=False, highlight=False)
        if len(items) > SHOWN_PER_CODE:
            out.print("        " + _("… {n} more {code}; all of them with --json or --report FILE",
                                     n=f"{len(items) - SHOWN_PER_CODE:,}", code=code), markup=False, highlight=False)
    summary = ", ".join(f"{_(SUMMARY_LABELS.get(k, k))} {_value(v)}" for k, v in report.summary.items()
                        if k not in ("blocked", "net_sales_cents", "grouped"))
    added = ", ".join(_("{n} row(s) to {sheet} at rows {rows}", n=f"{len(f):,}",
                        sheet=report.registry_sheets.get(k, k), rows=report.registry_rows.get(k))
                      for k, f in report.added.items()) or _("nothing")
    book = Path(report.book).name
    if report.written:
        err.print(_("Imported into {book}: {added}. {summary}", book=book, added=added, summary=summary),
                  markup=False)
    elif report.summary.get("blocked"):
        err.print(_("Nothing written to {book}: the import was blocked (see the errors). {summary}", book=book,
                    summary=summary), markup=False)
    elif report.dry_run:
        err.print(_("Would add {added} (dry run, nothing written). {summary}", added=added, summary=summary),
                  markup=False)
    else:
        err.print(_("Nothing to add: {summary}", summary=summary), markup=False)


def _field(what: str, name: str | None, lang: str) -> str:
    """A target field as the reader knows it: the canonical name in English, the sheet's header in Chinese."""
    from ..schema import SHEETS_BY_KEY

    sheet = SHEETS_BY_KEY.get(what.capitalize())
    if not name or lang == "en" or sheet is None or name not in sheet.by_name:
        return name or ""
    return sheet.by_name[name].header(lang)


def _value(v: object) -> str:
    if isinstance(v, dict):
        return "(" + ", ".join(f"{_(KIND_LABELS.get(str(k), str(k)))} {n:,}" for k, n in v.items()) + ")"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def _ranges(rows) -> str:
    from ..importer.report import row_ranges

    return row_ranges(rows, limit=4)
