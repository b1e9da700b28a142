"""`xlcust statements`: print-ready customer statements (对账单), one workbook per category.

    xlcust statements BOOK --from 2026-07-01 --to 2026-09-30 [--category 01] [--out DIR]
                           [--pdf] [--per category|customer] [--where CONDITION] [--json]

Writes `statement_<category>_<from>_<to>.xlsx` (per customer:
`statement_<category>_<customer>_<from>_<to>.xlsx`) into DIR (default: a `statements`
folder next to BOOK), and with --pdf a PDF of each through LibreOffice. `--where` takes a
condition in the rules language (as `xlcust customers`), evaluated at --to, and keeps the
statements of the customers it selects: `--where 'grade = "D"'`, `--where 'HAS_TAG("VIP")'`.
Exit codes: 0
written (also when no customer had activity), 1 written but the workbook has errors that
make the figures incomplete (named on stderr and under `findings`), 2 could not run (bad
dates, unknown category, unreadable book, LibreOffice missing or failing).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UsageError
from ..i18n import N_, _, current_language, msg
from ..money import format_money, money_to_json
from .base import (
    BookArg,
    JsonOpt,
    LangOpt,
    app,
    emit_json,
    err,
    figures_findings,
    findings_json,
    load_book,
    out,
    parse_date_option,
    report_outcome,
    run,
)
from .customers import WhereOpt, where_problem

if TYPE_CHECKING:
    from ..reports.statements import Statements


@app.command(help=N_("Customer statements for a period: opening balance, lines with running balance, closing "
                     "balance, aging at --to, credit limit and available credit; a summary sheet per category."))
def statements(
    book: BookArg,
    date_from: Annotated[str, typer.Option("--from", help=N_("First day of the period, YYYY-MM-DD"),
                                           show_default=False)],
    date_to: Annotated[str, typer.Option("--to", help=N_("Last day of the period, YYYY-MM-DD (also the aging "
                                                                 "date)"), show_default=False)],
    category: Annotated[
        str | None, typer.Option("--category", help=N_("Only this category (any level: its leaf categories)"))
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help=N_("Folder for the files (default: 'statements' next to BOOK)"))
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help=N_("Also make a PDF of each workbook (needs "
                                                       "LibreOffice)"))] = False,
    per: Annotated[str, typer.Option("--per", help=N_("One workbook per category, or per customer"))] = "category",
    where: WhereOpt = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust statements`: print-ready statements per category or customer."""

    def body() -> int:
        from ..io.statements import write_statements
        from ..reports.statements import build_statements

        start = parse_date_option(date_from, "--from")
        end = parse_date_option(date_to, "--to")
        assert start is not None and end is not None  # both options are required
        if per not in ("category", "customer"):
            raise UsageError(msg("--per must be category or customer, not '{per}'", per=per))
        folder = out_dir if out_dir is not None else book.parent / "statements"
        code = category.strip().upper() if category else None

        if where is not None and where.strip():
            from ..rules.query import ConditionError, compile_where

            try:  # a typing mistake is reported before the workbook is read
                compile_where(where)
            except ConditionError as exc:
                raise where_problem(exc) from None
        registry = load_book(book)
        findings = figures_findings(registry, "statements")[0]
        chosen = None
        if where is not None and where.strip():
            from ..ledger import build_ledger
            from ..rules.query import selected_codes

            with err.status(_("Selecting customers…")):  # the figures at --to, as the statements show them
                chosen = selected_codes(registry, build_ledger(registry, as_of=end), where)
        with err.status(_("Building statements…")):
            result = build_statements(registry, start, end, code, chosen)
        with err.status(_("Writing workbooks…")):
            files = write_statements(result, folder, per)
        pdfs: list[Path] = []
        if pdf and files:
            pdfs = _make_pdfs([f.path for f in files], folder)

        warnings = _warnings(result, current_language())
        if as_json:
            records = []
            for i, f in enumerate(files):
                record = {"category_code": f.category_code, "path": str(f.path), "customers": len(f.customers),
                          "customer_codes": list(f.customers), "closing_total": money_to_json(f.closing_total)}
                if f.customer_code is not None:
                    record["customer_code"] = f.customer_code
                if pdfs:
                    record["pdf"] = str(pdfs[i])
                records.append(record)
            emit_json({
                "files": records,
                "parameters": {
                    "book": str(book), "from": start.isoformat(), "to": end.isoformat(), "category": code,
                    "out": str(folder), "pdf": pdf, "per": per, "where": where, "language": result.language,
                    "aging_basis": result.basis,
                },
                "skipped": [{"customer_code": s.customer_code, "category_code": s.category_code,
                             "closing_balance": money_to_json(s.closing), "reason": s.reason} for s in result.skipped],
                "warnings": warnings,
                **findings_json(findings),
            })
            return report_outcome(book, findings)
        for line in warnings:
            err.print(_("warning: {text}", text=line), style="yellow", markup=False)
        if not files:
            err.print(_("No customer had activity or a balance from {start} to {end}; nothing written.",
                        start=start, end=end), markup=False)
            return report_outcome(book, findings)
        _print(files, pdfs, per, f"{start}", f"{end}")
        err.print(_("Wrote {n} workbook(s) and {pdfs} PDF(s) to {folder}", n=len(files), pdfs=len(pdfs),
                    folder=folder) if pdfs else _("Wrote {n} workbook(s) to {folder}", n=len(files), folder=folder),
                  markup=False)
        return report_outcome(book, findings)

    run(body, lang)


def _print(files, pdfs: list[Path], per: str, start: str, end: str) -> None:
    from ..views.console import Column, render_table

    lang = current_language()
    customers = Column(N_("Customer code"), "code") if per == "customer" else Column(N_("Customers"), "int")
    render_table(out, _("Statements {start} to {end}", start=start, end=end),
                 [Column(N_("Category code"), "code"), customers, Column(N_("Closing total"), "money"),
                  Column(N_("File"), "code")],
                 ((f.category_code, f.customer_code if per == "customer" else len(f.customers), f.closing_total,
                   (pdfs[i] if pdfs else f.path).name) for i, f in enumerate(files)),
                 lang=lang, total=(None, "" if per == "customer" else sum(len(f.customers) for f in files),
                                   sum(int(f.closing_total) for f in files), ""))


def _make_pdfs(paths: list[Path], folder: Path) -> list[Path]:
    """PDFs of the statement workbooks, with a count of those made so far ("7 of 31 PDFs")."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..io.pdf import convert_to_pdf

    def describe(done: int, total: int) -> str:
        return _("{done} of {total} PDFs made with LibreOffice", done=done, total=total)

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task(describe(0, len(paths)), total=len(paths))

        def seen(done: int, total: int) -> None:
            progress.update(task, completed=done, description=describe(done, total))

        return convert_to_pdf(paths, folder, progress=seen)


def _warnings(result: Statements, lang: str) -> list[str]:
    """Things a user should know that did not stop the run, in `lang`."""
    from ..i18n import translate

    out = []
    if result.excluded_rows:
        out.append(translate("{n} Transactions row(s) are left out of the ledger as invalid; run `xlcust check` to "
                             "see them", lang, n=result.excluded_rows))
    for s in result.skipped:
        where = {"no_category": translate("has no category", lang),
                 "unknown_category": translate("is in {code}, which is not in the Categories sheet", lang,
                                               code=s.category_code),
                 "not_a_leaf": translate("is in {code}, not a last-level category", lang, code=s.category_code),
                 }[s.reason]
        out.append(translate("customer {code} {where}; no statement (closing balance {closing})", lang,
                             code=s.customer_code, where=where, closing=format_money(s.closing)))
    return out
