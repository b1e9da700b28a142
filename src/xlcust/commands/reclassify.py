"""`xlcust reclassify BOOK [--as-of D] [--apply] [--json]`: the Rules sheet's changes, and recording them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..findings import has_errors, summarize
from ..i18n import current_language
from .base import (
    EXIT_FINDINGS,
    EXIT_OK,
    AsOfOpt,
    BookArg,
    JsonOpt,
    LangOpt,
    app,
    emit_json,
    err,
    out,
    parse_date_option,
    run,
    warn_flavour,
)

ApplyOpt = Annotated[bool, typer.Option(
    "--apply", help="Record the changes: Customers cells, CategoryHistory periods, AuditLog (one atomic save)")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="With --apply: write the result to this file instead of updating BOOK")]


@app.command()
def reclassify(book: BookArg, as_of: AsOfOpt = None, apply: ApplyOpt = False, out_path: OutOpt = None,
               as_json: JsonOpt = False, lang: LangOpt = None) -> None:
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
            raise UsageError("--out writes the applied changes: use it together with --apply")
        with err.status(f"Reading {book.name}…"):
            pkg, registry = read_for_apply(book)
        with err.status("Evaluating the rules…"):
            ledger = build_ledger(registry, as_of=when)
            result = evaluate_rules(registry, ledger)
            changes = diff(result, read_audit_log(pkg).recorded())
        findings = sort_by_sheet(registry, result.findings)
        blocked = has_errors(findings)
        report = None
        if apply and not blocked and changes:
            warn_flavour(book, out_path)
            with err.status("Recording the changes…"):
                report = apply_changes(pkg, registry, result, changes, out=out_path)
        summary = {**summarize_changes(changes), "findings": summarize(findings),
                   "rules": len(result.ruleset.runnable), "book": str(out_path or book)}
        if as_json:
            emit_json({"as_of": result.as_of.isoformat(), "applied": report is not None,
                       "changes": [ch.to_json() for ch in changes], "summary": summary,
                       "findings": [f.to_json(current_language()) for f in findings]})
        else:
            _print(findings, changes)
            _tell(result.as_of.isoformat(), summary, apply=apply, blocked=blocked, written=report is not None)
        return EXIT_FINDINGS if blocked else EXIT_OK

    run(body, lang)


def _print(findings, changes) -> None:
    from .base import print_findings

    print_findings(findings)
    customer = None
    for ch in changes:
        if ch.customer_code != customer:
            customer = ch.customer_code
            out.print(f"{ch.customer_code}  {ch.name or ''}", style="bold", markup=False)
        old = "—" if ch.old is None else ch.old
        new = "—" if ch.new is None else ch.new
        by = ch.rule_id or "(history: the Customers sheet's category, not yet recorded)"
        when = f"  effective {ch.effective.isoformat()}" if ch.effective else ""
        out.print(f"  {ch.field:<9} {old} → {new}   {by}{when}", markup=False, highlight=False)


def _tell(as_of: str, summary: dict, *, apply: bool, blocked: bool, written: bool) -> None:
    n, customers = summary["changes"], summary["customers"]
    counts = summary["findings"]
    head = f"{n} change(s) for {customers} customer(s) as of {as_of}"
    if counts["error"] or counts["warning"]:
        head += f"; {counts['error']} error(s), {counts['warning']} warning(s) in the rules"
    if not apply:
        err.print(head + " — dry run, nothing written" + ("; add --apply to record them" if n and not blocked
                                                           else ""))
    elif blocked:
        err.print(head + " — nothing applied: fix the rule errors first (or set their Active cell to FALSE)",
                  style="red")
    elif not written:
        err.print(head + " — nothing to apply; the workbook was not changed")
    else:
        err.print(head + f" — recorded in {summary['book']} (Customers, CategoryHistory, AuditLog, Reclass)")
