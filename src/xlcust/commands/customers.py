"""`xlcust customers BOOK [--where CONDITION]`: ask the registry a question (issue 14, point 7).

    xlcust customers book.xlsx --where 'AND(HAS_TAG("建筑业"), overdue_90_count >= 1)'
                              [--as-of D] [--out x.csv|x.xlsx] [--json] [--all]

Lists the customers the condition selects — the rules language of the Rules sheet
(docs/rules.md) — with their figures: name, category, balance, overdue, net sales of
the last 12 months, grade, and every figure the condition reads. JSON: {"as_of",
"condition", "items": [...], "summary": {"matched", "customers"}, "findings", "complete"}.
Exit 0; 1 when the figures are incomplete (errors in the data behind them); 2 when the
command cannot run — a condition that cannot be read is named with its character.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..i18n import N_, Joined, _, current_language, msg
from .base import (
    AsOfOpt,
    BookArg,
    JsonOpt,
    LangOpt,
    app,
    emit_json,
    err,
    figures_findings,
    findings_json,
    ledger_for,
    print_table,
    report_outcome,
    run,
)

MAX_ROWS = 200
WhereOpt = Annotated[
    str | None,
    typer.Option("--where", help=N_("A condition in the rules language, e.g. 'AND(HAS_TAG(\"建筑业\"), "
                                    "overdue_90_count >= 1)' (docs/rules.md)"), show_default=False),
]


def where_problem(exc) -> UsageError:
    """A ConditionError as one message: the condition, a caret under the character, the fix."""
    if exc.at is None:
        head = msg("--where cannot be used: {problem}", problem=exc.problem)
    elif exc.at > len(exc.text):
        head = msg("--where, at the end: {problem}", problem=exc.problem)
    else:
        head = msg("--where, character {at} of {length}: {problem}", at=exc.at, length=len(exc.text),
                   problem=exc.problem)
    lines: list[object] = [head, "  " + exc.text]  # the condition as the user typed it
    if exc.at is not None:
        lines.append("  " + " " * _width(exc.text[:exc.at - 1]) + "^")
    if exc.suggestion:
        lines.append(exc.suggestion)
    return UsageError(Joined(tuple(lines), sep="\n"))


def _width(text: str) -> int:
    """Terminal columns of `text` (a Chinese character takes two), so the caret lands under it."""
    from ..views.statements import display_width

    return display_width(text)


@app.command(help=N_("The customers a condition selects (rules language), with their figures."))
def customers(
    book: BookArg,
    where: WhereOpt = None,
    as_of: AsOfOpt = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help=N_("Also write the list to FILE.xlsx (printable) or FILE.csv"))
    ] = None,
    all_rows: Annotated[bool, typer.Option("--all", help=N_("Show every customer, not only the first 200"))] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    def body() -> int:
        from ..io.export import export_tables
        from ..rules.query import ConditionError, compile_where, records, select_customers
        from ..views.customers import describe, export_table, header, rows
        from ..views.export import check_export_path

        if out_path is not None:
            check_export_path(out_path)
        if where is not None and where.strip():
            try:  # a typing mistake is reported before the workbook is read
                compile_where(where)
            except ConditionError as exc:
                raise where_problem(exc) from None
        registry, ledger = ledger_for(book, as_of)
        findings, coverage = figures_findings(registry, "grades", ledger)
        with err.status(_("Selecting customers…")):
            try:
                selection = select_customers(registry, ledger, where)
            except ConditionError as exc:
                raise where_problem(exc) from None
        lang_shown = current_language()
        findings = [*selection.findings, *findings]
        if out_path is not None:
            with err.status(_("Writing {name}…", name=out_path.name)):
                export_tables(out_path, [export_table(selection, lang_shown, registry.settings.company_name)])
        if as_json:
            emit_json({"as_of": selection.as_of, "condition": selection.condition, "items": records(selection),
                       "summary": {"matched": len(selection.frame), "customers": selection.considered},
                       **findings_json(findings, coverage)})
        else:
            from ..money import format_money

            table = rows(selection)
            shown = table if all_rows or len(table) <= MAX_ROWS else table[:MAX_ROWS]
            money = {i + 1 for i, c in enumerate(selection.columns) if c in selection.money_columns()}
            print_table(describe(selection, lang_shown),
                        [header("customer_code", lang_shown), *(header(c, lang_shown) for c in selection.columns)],
                        ([format_money(v) if i in money else v for i, v in enumerate(r)] for r in shown))
            if len(shown) < len(table):
                err.print(_("… {n} more customers; use --all or --json", n=len(table) - len(shown)), markup=False)
        if out_path is not None:
            err.print(_("Wrote {path}", path=out_path), markup=False)
        return report_outcome(book, findings, coverage)

    run(body, lang)
