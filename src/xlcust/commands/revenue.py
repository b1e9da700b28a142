"""`xlcust revenue`: net sales per period × category with a control total (DESIGN §3, §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

FromOpt = Annotated[str, typer.Option("--from", help="First day of the period, YYYY-MM-DD", show_default=False)]
ToOpt = Annotated[str, typer.Option("--to", help="Last day of the period (included), YYYY-MM-DD", show_default=False)]


@app.command()
def revenue(
    book: BookArg,
    date_from: FromOpt,
    date_to: ToOpt,
    by: Annotated[str, typer.Option("--by", help="Periods: month, quarter or year")] = "month",
    level: Annotated[
        int | None, typer.Option("--level", help="Show category levels 1 … N (default: all; subtotals unchanged)")
    ] = None,
    basis: Annotated[
        str, typer.Option("--basis", help="historical: category on the transaction date; current: today's")
    ] = "historical",
    tax: Annotated[
        str | None,
        typer.Option("--tax", help="included or excluded (default: as entered, per Settings amounts_include_tax)"),
    ] = None,
    ex_tax: Annotated[
        bool, typer.Option("--ex-tax", help="Same as --tax excluded: strip VAT by the category's rate")
    ] = False,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Also write the report to FILE.xlsx (printable) or FILE.csv")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Net sales (invoices − credit notes) per period and category, rolled up the tree, with a control total."""

    def body() -> int:
        from ..io.export import export_tables
        from ..money import format_money
        from ..reports.revenue import revenue as build
        from ..views.export import check_export_path
        from ..views.revenue import describe, export_tables_for

        start = parse_date_option(date_from, "--from")
        end = parse_date_option(date_to, "--to")
        mode = tax
        if ex_tax:
            if tax not in (None, "excluded"):
                raise UsageError("--ex-tax and --tax included contradict each other")
            mode = "excluded"
        if out_path is not None:
            check_export_path(out_path)
        registry = load_book(book)
        findings = figures_findings(registry, "revenue")[0]
        with err.status("Adding up revenue by category…"):
            report = build(registry, start, end, by=by, level=level, basis=basis, tax=mode)
        lang = registry.settings.language
        if out_path is not None:
            with err.status(f"Writing {out_path.name}…"):
                export_tables(out_path, export_tables_for(report, lang, registry.settings.company_name))
        if as_json:
            emit_json({**report.to_json(), **findings_json(findings)})
        else:
            _print(report)
        c = report.control
        err.print(describe(report, "en"), markup=False)
        if report.parameters.tax_stripped:
            err.print(f"VAT taken out line by line, rounded half-up to the cent: tax {format_money(c.tax)}"
                      + (f"; {c.lines_without_rate} line(s) had no tax rate and keep their amount"
                         if c.lines_without_rate else ""), markup=False)
        if c.uncategorised:
            err.print(f"{format_money(c.uncategorised)} of net sales has no category (shown as uncategorised)",
                      style="yellow", markup=False)
        if c.history_fallback_lines:
            err.print(f"{c.history_fallback_lines} line(s) fell outside every CategoryHistory period of their "
                      "customer and were put in its current category (see history_fallbacks in --json)",
                      style="yellow", markup=False)
        moved = report.reconciliation
        if len(moved):
            err.print(f"{moved['customer_code'].nunique()} customer(s) changed category: "
                      f"{format_money(int(moved['net_sales'].sum()))} of net sales is in another category on "
                      f"the {'current' if report.parameters.basis == 'historical' else 'historical'} basis",
                      markup=False)
        if out_path is not None:
            err.print(f"Wrote {out_path}", markup=False)
        return report_outcome(book, findings)

    run(body, lang)


def _print(report) -> None:
    import pandas as pd

    from ..money import format_money

    wide = report.wide()
    labels = report.totals["period"].tolist()
    rows = []
    for rec in wide.to_dict("records"):
        level = rec["level"]
        indent = "" if pd.isna(level) else "  " * (int(level) - 1)
        name = rec["name"] or ("(no category)" if rec["category_code"] is None else "")
        rows.append([rec["category_code"] or "", indent + name,
                     *(format_money(rec[label]) for label in labels), format_money(rec["total"])])
    totals = report.totals["net_sales"]
    rows.append(["", "Total", *(format_money(v) for v in totals), format_money(int(totals.sum()))])
    p = report.parameters
    print_table(f"Revenue by category, {p.date_from} to {p.date_to} ({p.basis} basis, tax {p.tax})",
                ["category", "name", *labels, "total"], rows)

