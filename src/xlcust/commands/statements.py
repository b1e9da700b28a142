"""`xlcust statements`: print-ready customer statements (对账单), one workbook per category.

    xlcust statements BOOK --from 2026-07-01 --to 2026-09-30 [--category 01] [--out DIR]
                           [--pdf] [--per category|customer] [--json]

Writes `statement_<category>_<from>_<to>.xlsx` (per customer:
`statement_<category>_<customer>_<from>_<to>.xlsx`) into DIR (default: a `statements`
folder next to BOOK), and with --pdf a PDF of each through LibreOffice. Exit codes: 0
written (also when no customer had activity), 1 written but the workbook has errors that
make the figures incomplete (named on stderr and under `findings`), 2 could not run (bad
dates, unknown category, unreadable book, LibreOffice missing or failing).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..cli import (
    BookArg,
    JsonOpt,
    LangOpt,
    app,
    emit_json,
    err,
    figures_findings,
    findings_json,
    load_book,
    parse_date_option,
    print_table,
    report_outcome,
    run,
)
from ..errors import UsageError
from ..i18n import _
from ..money import format_money, money_to_json

if TYPE_CHECKING:
    from ..reports.statements import Statements


@app.command()
def statements(
    book: BookArg,
    date_from: Annotated[str, typer.Option("--from", help="First day of the period, YYYY-MM-DD", show_default=False)],
    date_to: Annotated[str, typer.Option("--to", help="Last day of the period, YYYY-MM-DD (also the aging date)",
                                         show_default=False)],
    category: Annotated[
        str | None, typer.Option("--category", help="Only this category (any level: its leaf categories)")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the files (default: 'statements' next to BOOK)")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make a PDF of each workbook (needs LibreOffice)")] = False,
    per: Annotated[str, typer.Option("--per", help="One workbook per category, or per customer")] = "category",
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Customer statements for a period: opening balance, lines with running balance, closing
    balance, aging at --to, credit limit and available credit; a summary sheet per category."""

    def body() -> int:
        from ..io.statements import write_statements
        from ..reports.statements import build_statements

        start = parse_date_option(date_from, "--from")
        end = parse_date_option(date_to, "--to")
        assert start is not None and end is not None  # both options are required
        if per not in ("category", "customer"):
            raise UsageError(f"--per must be category or customer, not '{per}'")
        folder = out_dir if out_dir is not None else book.parent / "statements"
        code = category.strip().upper() if category else None

        registry = load_book(book)
        findings = figures_findings(registry, "statements")[0]
        with err.status("Building statements…"):
            result = build_statements(registry, start, end, code)
        with err.status("Writing workbooks…"):
            files = write_statements(result, folder, per)
        pdfs: list[Path] = []
        if pdf and files:
            pdfs = _make_pdfs([f.path for f in files], folder)

        warnings = _warnings(result)
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
                    "out": str(folder), "pdf": pdf, "per": per, "language": result.language,
                    "aging_basis": result.basis,
                },
                "skipped": [{"customer_code": s.customer_code, "category_code": s.category_code,
                             "closing_balance": money_to_json(s.closing), "reason": s.reason} for s in result.skipped],
                "warnings": warnings,
                **findings_json(findings),
            })
            return report_outcome(book, findings)
        for line in warnings:
            err.print(f"warning: {line}", style="yellow", markup=False)
        if not files:
            err.print(f"No customer had activity or a balance from {start} to {end}; nothing written.")
            return report_outcome(book, findings)
        print_table(
            f"Statements {start} to {end}",
            ["category", "customer" if per == "customer" else "customers", "closing total", "file"],
            ((f.category_code, f.customer_code or len(f.customers), format_money(f.closing_total),
              (pdfs[i] if pdfs else f.path).name) for i, f in enumerate(files)),
        )
        err.print(f"Wrote {len(files)} workbook(s)" + (f" and {len(pdfs)} PDF(s)" if pdfs else "") + f" to {folder}")
        return report_outcome(book, findings)

    run(body, lang)


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


def _warnings(result: Statements) -> list[str]:
    """Things a user should know that did not stop the run."""
    out = []
    if result.excluded_rows:
        out.append(f"{result.excluded_rows} Transactions row(s) are left out of the ledger as invalid; "
                   "run `xlcust check` to see them")
    for s in result.skipped:
        where = {"no_category": "has no category",
                 "unknown_category": f"is in {s.category_code}, which is not in the Categories sheet",
                 "not_a_leaf": f"is in {s.category_code}, not a last-level category"}[s.reason]
        out.append(f"customer {s.customer_code} {where}; no statement (closing balance {format_money(s.closing)})")
    return out
