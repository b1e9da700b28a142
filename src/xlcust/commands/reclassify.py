"""`xlcust reclassify BOOK [--as-of D] [--apply] [--json]`: the Rules sheet's changes, and recording them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..findings import has_errors, summarize
from ..i18n import N_, _, current_language, msg
from .base import (
    EXIT_FINDINGS,
    EXIT_OK,
    AsOfOpt,
    BookArg,
    JsonOpt,
    LangOpt,
    adopt_language,
    app,
    emit_json,
    err,
    out,
    parse_date_option,
    run,
    warn_flavour,
)

ApplyOpt = Annotated[bool, typer.Option(
    "--apply", help=N_("Record the changes: Customers cells, CategoryHistory periods, AuditLog (one atomic save)"))]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help=N_("With --apply: write the result to this file instead of updating BOOK"))]
AllOpt = Annotated[bool, typer.Option("--all", help=N_("Show every change, not the summary by rule and the first "
                                                       "changes"))]


@app.command(help=N_("Run the Rules sheet: show each customer's changes and the rule behind them; --apply records "
                     "them."))
def reclassify(book: BookArg, as_of: AsOfOpt = None, apply: ApplyOpt = False, out_path: OutOpt = None,
               all_rows: AllOpt = False, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """Run the Rules sheet: show each customer's changes and the rule behind them; --apply records them.

    Without --apply nothing is written. A category change takes effect on the as-of
    date: the customer's current CategoryHistory period ends that day and a new one
    starts, so earlier transactions keep their category.
    """

    def body() -> int:
        from ..checks import sort_by_sheet
        from ..io.auditlog import read_audit_log
        from ..io.reclass import apply_changes, read_for_apply
        from ..ledger import build_ledger
        from ..reclass import diff, evaluate_rules, summarize_changes

        when = parse_date_option(as_of, "--as-of")
        if out_path is not None and not apply:
            raise UsageError(msg("--out writes the applied changes: use it together with --apply"))
        with err.status(_("Reading {name}…", name=book.name)):
            pkg, registry = read_for_apply(book)
        adopt_language(registry)
        with err.status(_("Evaluating the rules…")):
            ledger = build_ledger(registry, as_of=when)
            result = evaluate_rules(registry, ledger)
            changes = diff(result, read_audit_log(pkg).recorded())
        findings = sort_by_sheet(registry, result.findings)
        blocked = has_errors(findings)
        report = None
        if apply and not blocked and changes:
            warn_flavour(book, out_path)
            with err.status(_("Recording the changes…")):
                report = apply_changes(pkg, registry, result, changes, out=out_path)
        summary = {**summarize_changes(changes), "findings": summarize(findings),
                   "rules": len(result.ruleset.runnable), "book": str(out_path or book)}
        if as_json:
            emit_json({"as_of": result.as_of.isoformat(), "applied": report is not None,
                       "changes": [ch.to_json() for ch in changes], "summary": summary,
                       "findings": [f.to_json(current_language()) for f in findings]})
        else:
            _print(findings, changes, all_rows)
            _tell(result.as_of.isoformat(), summary, apply=apply, blocked=blocked, written=report is not None)
        return EXIT_FINDINGS if blocked else EXIT_OK

    run(body, lang)


def _print(findings, changes, all_rows: bool) -> None:
    from ..views.console.changes import print_changes
    from .base import print_findings

    print_findings(findings)
    print_changes(out, changes, current_language(), all_rows=all_rows)


def _tell(as_of: str, summary: dict, *, apply: bool, blocked: bool, written: bool) -> None:
    n, customers = summary["changes"], summary["customers"]
    counts = summary["findings"]
    head = _("{n} change(s) for {customers} customer(s) as of {as_of}", n=n, customers=customers, as_of=as_of)
    if counts["error"] or counts["warning"]:
        head += _("; {error} error(s), {warning} warning(s) in the rules", error=counts["error"],
                  warning=counts["warning"])
    if not apply:
        err.print(head + _(" — dry run, nothing written") + (_("; add --apply to record them") if n and not blocked
                                                             else ""), markup=False)
    elif blocked:
        err.print(head + _(" — nothing applied: fix the rule errors first (or set their Active cell to FALSE)"),
                  style="red", markup=False)
    elif not written:
        err.print(head + _(" — nothing to apply; the workbook was not changed"), markup=False)
    else:
        err.print(head + _(" — recorded in {book} (Customers, CategoryHistory, AuditLog, Reclass)",
                           book=summary["book"]), markup=False)
