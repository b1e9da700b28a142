"""`xlcust` command line (typer + rich): the core commands; the app and its shared helpers are
`xlcust.commands.base`.

Exit codes (DESIGN §5): 0 fine, 1 the workbook has errors, 2 the command could not
run (bad arguments, unreadable file). With `--json` exactly one JSON document goes
to stdout; messages and progress go to stderr. No traceback ever reaches the user:
an unexpected failure prints one line and the path of a log holding the details.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .commands.base import (
    EXIT_FINDINGS,
    EXIT_OK,
    AsOfOpt,
    BasisOpt,
    BookArg,
    JsonOpt,
    LangOpt,
    adopt_language,
    app,
    emit_json,
    err,
    figures_findings,
    findings_json,
    guarded,
    ledger_for,
    load_book,
    money_text,
    out,
    parse_date_option,
    print_findings,
    print_table,
    report_outcome,
    run,
    warn_flavour,
)
from .errors import UsageError
from .findings import has_errors, summarize
from .i18n import _, current_language

# Re-exported: tests and scripts import the shared helpers from here too.
__all__ = [
    "AsOfOpt", "BasisOpt", "BookArg", "EXIT_FINDINGS", "EXIT_OK", "JsonOpt", "LangOpt", "adopt_language",
    "app", "emit_json", "err", "figures_findings", "findings_json", "guarded", "ledger_for", "load_book",
    "money_text", "out", "parse_date_option", "print_findings", "print_table", "report_outcome", "run",
    "warn_flavour", "main",
]


# ----------------------------------------------------------------------- commands


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to create the workbook (.xlsx)", show_default=False)],
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Sheet and header language: en or zh (default: the system locale)", show_default=False,
    )] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Fill it with a realistic demo data set")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a new registry workbook (Settings, Categories, Customers, Transactions, Rules, CategoryHistory)."""

    def body() -> int:
        from .io.template import create_workbook

        book_lang = current_language()
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(_("{name}: the workbook name must end in .xlsx (or .xlsm for the one with buttons "
                               "and macros)", name=path.name))
        if path.exists() and not force:
            raise UsageError(_("{path} already exists; choose another name or add --force", path=path))
        try:  # a folder that is not there yet is made, as `run --out` does
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(_("{folder}: cannot make the folder ({reason})", folder=path.parent,
                               reason=exc.strerror or exc)) from None
        with err.status(_("Creating workbook…")):
            if path.suffix.lower() == ".xlsm":  # Excel opens an .xlsm only with its macro-enabled parts
                from .excel.xlsm import build_xlsm

                build_xlsm(path, lang=book_lang, demo=demo)
            else:
                create_workbook(path, lang=book_lang, demo=demo)
        if as_json:
            emit_json({"path": str(path), "lang": book_lang, "demo": demo})
        else:
            err.print(_("Created {path} with demo data", path=path) if demo else _("Created {path}", path=path))
        return EXIT_OK

    run(body, lang)


@app.command()
def check(
    book: BookArg,
    write: Annotated[
        bool, typer.Option("--write", help="Write a Checks sheet, highlight the cells and fill blank mnemonics")
    ] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Run every validation; list findings. Without --write the file is not touched."""

    def body() -> int:
        from .checks import run_checks
        from .io import booklock

        with booklock.hold(book) if write else contextlib.nullcontext():
            registry = load_book(book)
            with err.status(_("Checking…")):
                findings = run_checks(registry)
            if write:
                from .io.save import write_checks

                warn_flavour(book)
                with err.status(_("Writing the Checks sheet…")):
                    write_checks(book, registry, findings)
        counts = summarize(findings)
        if as_json:
            shown_in = current_language()
            emit_json({"findings": [f.to_json(shown_in) for f in findings],
                       "summary": {**counts, "book": str(book)}})
        else:
            print_findings(findings)
            tally = _("{error} error(s), {warning} warning(s), {info} note(s)", **counts)
            err.print(_("{tally} — written to the Checks sheet", tally=tally) if write else tally)
        return EXIT_FINDINGS if has_errors(findings) else EXIT_OK

    run(body, lang)


@app.command()
def settlement(book: BookArg, as_of: AsOfOpt = None, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """Per invoice: settled_on, days_to_settle, days_late and open_amount."""

    def body() -> int:
        from .ledger import json_records

        registry, ledger = ledger_for(book, as_of)
        findings, coverage = figures_findings(registry, "settlement", ledger)
        frame = ledger.settlement()
        if as_json:
            emit_json({"as_of": ledger.as_of.isoformat(), "items": json_records(frame),
                       **findings_json(findings, coverage)})
            return report_outcome(book, findings, coverage)
        shown = frame.head(200) if len(frame) > 200 else frame
        print_table(
            f"Settlement as of {ledger.as_of.isoformat()} ({len(frame)} invoices)",
            ["txn_id", "customer", "date", "due", "amount", "settled_on", "days", "late", "open"],
            (
                (r.txn_id, r.customer_code, _d(r.date), _d(r.due_date), money_text(r.amount), _d(r.settled_on),
                 _i(r.days_to_settle), _i(r.days_late), money_text(r.open_amount))
                for r in shown.itertuples(index=False)
            ),
        )
        if len(frame) > len(shown):
            err.print(f"… {len(frame) - len(shown)} more; use --json for all")
        return report_outcome(book, findings, coverage)

    run(body, lang)


@app.command()
def aging(book: BookArg, as_of: AsOfOpt = None, basis: BasisOpt = None, as_json: JsonOpt = False,
          lang: LangOpt = None) -> None:
    """Open items by aging bucket, per customer and per category (rolled up the tree)."""

    def body() -> int:
        registry, ledger = ledger_for(book, as_of, basis)
        findings, coverage = figures_findings(registry, "aging", ledger)
        report = ledger.aging()
        if as_json:
            emit_json({**report.to_json(), **findings_json(findings, coverage)})
            return report_outcome(book, findings, coverage)
        labels = list(report.labels)
        cats = report.by_category
        print_table(
            f"Aging by category as of {report.as_of.isoformat()} (basis: {report.basis})",
            ["category", "level", *labels, "unapplied", "balance"],
            _aging_rows(cats, labels),
        )
        total = report.total
        err.print("Total open: " + money_text(total.get("open_amount")) + "; unapplied credit: "
                  + money_text(total.get("unapplied_credit")) + "; balance: " + money_text(total.get("balance")))
        return report_outcome(book, findings, coverage)

    run(body, lang)


def _aging_rows(frame, labels: list[str]):
    for rec in frame.to_dict("records"):
        yield (rec.get("category_code") or "", rec.get("level", ""),
               *(money_text(rec.get(label)) for label in labels),
               money_text(rec.get("unapplied_credit")), money_text(rec.get("balance")))


def _d(value: object) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(value)[:10]


def _i(value: object) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(int(value))


@app.command("run")
def run_all(
    book: BookArg,
    as_of: AsOfOpt = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the result to this file instead of updating BOOK")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Everything the buttons do: checks, ledger, aging, provision, collections, into the output sheets."""

    def body() -> int:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from .io import booklock
        from .io.auditlog import read_audit_log
        from .io.reader import read_book
        from .io.save import write_outputs
        from .pipeline import STAGES
        from .views.outputs import highlights
        from .views.run import refresh_sheets

        when = parse_date_option(as_of, "--as-of")
        if out_path is not None:
            out_path.parent.mkdir(parents=True, exist_ok=True)
        warn_flavour(book, out_path)
        with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("Reading the workbook", total=len(STAGES) + 2)

            def step(stage: str) -> None:
                progress.update(task, advance=1, description=stage)

            # One run at a time on a book: a second one is refused now, not after minutes of work.
            with booklock.hold(out_path or book):
                registry = read_book(book)
                adopt_language(registry)
                result, sheets = refresh_sheets(registry, when, progress=step,
                                                recorded=read_audit_log(book).recorded())
                step("Writing the workbook")
                unlinked = write_outputs(book, sheets, edits=highlights(result.findings), out=out_path,
                                         since=registry.source)
            progress.update(task, advance=1)
        findings, ledger, totals = result.findings, result.ledger, result.totals
        counts = summarize(findings)
        target = out_path or book
        summary = {
            "book": str(target),
            "as_of": ledger.as_of.isoformat(),
            "findings": counts,
            "sheets": [s.name for s in sheets],
            "control": {
                "transactions": totals.rows_in_sheet,
                "used": totals.rows_used,
                "debits": totals.debits,
                "credits": totals.credits,
                "balance": totals.net,
                "unapplied_credit": totals.unapplied_credit,
            },
            "links_past_excel_limit": unlinked,
        }
        if as_json:
            from .money import cents_to_decimal

            summary["control"] = {k: (cents_to_decimal(v) if k not in ("transactions", "used") else v)
                                  for k, v in summary["control"].items()}
            emit_json(summary)
        else:
            err.print(f"Wrote {len(sheets)} output sheets to {target} (as of {ledger.as_of.isoformat()})")
            err.print(f"  checks: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)")
            err.print(f"  ledger: {totals.rows_used} of {totals.rows_in_sheet} transaction rows; balance "
                      f"{money_text(totals.net)} = open items {money_text(totals.open_items)} − unapplied "
                      f"{money_text(totals.unapplied_credit)}")
            for sheet, count in unlinked.items():
                err.print(f"  {sheet}: {count:,} codes past Excel's 65,530 links per sheet are plain text "
                          "(use the sheet's filter to find a row)")
        return EXIT_FINDINGS if has_errors(findings) else EXIT_OK

    run(body, lang)


def main() -> None:
    """Console entry point."""
    try:
        app(prog_name="xlcust")
    except SystemExit as exc:
        sys.exit(exc.code)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit")] = False,
) -> None:
    if version:
        out.print(f"xlcust {__version__}")
        raise typer.Exit(0)


# Commands of other areas live in xlcust.commands; importing them registers them on `app`.
from .commands import load_all  # noqa: E402

load_all()
