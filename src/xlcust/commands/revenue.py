"""`xlcust revenue`: net sales per period × category with a control total (DESIGN §3, §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..i18n import N_, _, current_language, msg
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
    print_table,
    report_outcome,
    run,
)

TOP_CUSTOMERS = 20

FromOpt = Annotated[str, typer.Option("--from", help=N_("First day of the period, YYYY-MM-DD"), show_default=False)]
ToOpt = Annotated[str, typer.Option("--to", help=N_("Last day of the period (included), YYYY-MM-DD"),
                                    show_default=False)]


@app.command(help=N_("Net sales (invoices − credit notes) per period and category, rolled up the tree, with a "
                     "control total."))
def revenue(
    book: BookArg,
    date_from: FromOpt,
    date_to: ToOpt,
    by: Annotated[str, typer.Option("--by", help=N_("Periods: month, quarter or year"))] = "month",
    level: Annotated[
        int | None, typer.Option("--level", help=N_("Show category levels 1 … N (default: all; subtotals unchanged)"))
    ] = None,
    basis: Annotated[
        str, typer.Option("--basis", help=N_("historical: category on the transaction date; current: today's"))
    ] = "historical",
    tax: Annotated[
        str | None,
        typer.Option("--tax", help=N_("included or excluded (default: as entered, per Settings amounts_include_tax)")),
    ] = None,
    ex_tax: Annotated[
        bool, typer.Option("--ex-tax", help=N_("Same as --tax excluded: strip VAT by the category's rate"))
    ] = False,
    out_path: Annotated[
        Path | None, typer.Option("--out", help=N_("Also write the report to FILE.xlsx (printable) or FILE.csv"))
    ] = None,
    all_customers: Annotated[
        bool, typer.Option("--all", help=N_("Rank every customer, not only the first 20"))
    ] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust revenue`: category-split net sales."""

    def body() -> int:
        from ..io.export import export_tables
        from ..money import format_money
        from ..reports.contribution import prior_period, with_contribution
        from ..reports.revenue import revenue as build
        from ..reports.revenue import sales_lines_in
        from ..views.console.reports import print_revenue
        from ..views.export import check_export_path
        from ..views.revenue import describe, export_tables_for

        start = parse_date_option(date_from, "--from")
        end = parse_date_option(date_to, "--to")
        mode = tax
        if ex_tax:
            if tax not in (None, "excluded"):
                raise UsageError(msg("--ex-tax and --tax included contradict each other"))
            mode = "excluded"
        if out_path is not None:
            check_export_path(out_path)
        registry = load_book(book)
        findings = figures_findings(registry, "revenue")[0]
        with err.status(_("Adding up revenue by category…")):
            # the year earlier's lines in the same pass: the comparison below needs them
            lines = sales_lines_in(registry, [(start, end), prior_period(start, end)])
            report = build(registry, start, end, by=by, level=level, basis=basis, tax=mode, lines=lines)
        with err.status(_("Comparing with a year earlier and ranking…")):
            with_contribution(registry, report, lines)
        lang = registry.settings.language
        if out_path is not None:
            with err.status(_("Writing {name}…", name=out_path.name)):
                export_tables(out_path, export_tables_for(report, lang, registry.settings.company_name))
        if as_json:
            emit_json({**report.to_json(), **findings_json(findings)})
        else:
            print_revenue(out, report, current_language())
            _print_contribution(report, all_customers)
        c = report.control
        err.print(describe(report, current_language()), markup=False)
        if report.parameters.tax_stripped:
            err.print(_("VAT taken out line by line, rounded half-up to the cent: tax {tax}", tax=format_money(c.tax))
                      + (_("; {n} line(s) had no tax rate and keep their amount", n=c.lines_without_rate)
                         if c.lines_without_rate else ""), markup=False)
        if c.uncategorised:
            err.print(_("{amount} of net sales has no category (shown as uncategorised)",
                        amount=format_money(c.uncategorised)), style="yellow", markup=False)
        if c.history_fallback_lines:
            err.print(_("{n} line(s) fell outside every CategoryHistory period of their customer and were put in "
                        "its current category (see history_fallbacks in --json)", n=c.history_fallback_lines),
                      style="yellow", markup=False)
        moved = report.reconciliation
        if len(moved):
            other = N_("current basis") if report.parameters.basis == "historical" else N_("historical basis")
            err.print(_("{n} customer(s) changed category: {amount} of net sales is in another category on the "
                        "{basis}", n=moved["customer_code"].nunique(),
                        amount=format_money(int(moved["net_sales"].sum())), basis=_(other)), markup=False)
        if out_path is not None:
            err.print(_("Wrote {path}", path=out_path), markup=False)
        return report_outcome(book, findings)

    run(body, lang)



def _print_contribution(report, all_customers: bool) -> None:
    """Share, change on a year earlier and ABC: per category, then the customers by rank."""
    from ..money import format_money
    from ..views.revenue import contribution_headers, plain

    c = report.contribution
    lang = current_language()
    heads = contribution_headers(lang)
    p = report.parameters

    def cells(rec) -> list[str]:
        share, cumulative, prior, change, pct, rank, abc = (plain(rec[f]) for f in (
            "share", "cumulative_share", "prior_net_sales", "change", "change_pct", "rank", "abc"))
        return [_pct(share), _pct(cumulative), format_money(prior), format_money(change), _pct(pct),
                "" if rank is None else str(rank), abc or ""]

    cats = c.by_category
    basis = _("historical basis") if p.basis == "historical" else _("current basis")
    print_table(_("Contribution by category, {start} to {end} against {prior_from} to {prior_to} ({basis})",
                  start=p.date_from, end=p.date_to, prior_from=c.prior_from, prior_to=c.prior_to, basis=basis),
                [_("Category code"), _("Name"), _("Net sales"), *heads],
                ([rec["category_code"] or "", rec["name"] or _("(no category)"), format_money(rec["net_sales"]),
                  *cells(rec)] for rec in cats.to_dict("records")))
    custs = c.by_customer
    shown = custs if all_customers else custs.head(TOP_CUSTOMERS)
    counts = custs["abc"].value_counts()
    print_table(_("Customers by contribution: {n} customers, A {a}, B {b}, C {c} (A to {a_share}, B to {b_share} "
                  "of net sales; a year earlier: {prior_from} to {prior_to})", n=len(custs),
                  a=int(counts.get("A", 0)), b=int(counts.get("B", 0)), c=int(counts.get("C", 0)),
                  a_share=f"{c.a_share:.0%}", b_share=f"{c.b_share:.0%}", prior_from=c.prior_from.isoformat(),
                  prior_to=c.prior_to.isoformat()),
                [_("Customer code"), _("Customer name"), _("Category code"), _("Net sales"), *heads],
                ([rec["customer_code"], rec["name"] or "", rec["category_code"] or "", format_money(rec["net_sales"]),
                  *cells(rec)] for rec in shown.to_dict("records")))
    if len(shown) < len(custs):
        err.print(_("… {n} more customers; use --all or --json", n=len(custs) - len(shown)), markup=False)


def _pct(value: object) -> str:
    return "" if value is None else f"{float(value):.1%}"
