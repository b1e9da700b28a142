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
    remember_root_language,
    report_outcome,
    run,
    warn_flavour,
)
from .errors import UsageError
from .findings import Severity, has_errors, summarize
from .i18n import N_, _, current_language, msg

# Re-exported: tests and scripts import the shared helpers from here too.
__all__ = [
    "AsOfOpt", "BasisOpt", "BookArg", "EXIT_FINDINGS", "EXIT_OK", "JsonOpt", "LangOpt", "adopt_language",
    "app", "emit_json", "err", "figures_findings", "findings_json", "guarded", "ledger_for", "load_book",
    "money_text", "out", "parse_date_option", "print_findings", "report_outcome", "run", "warn_flavour",
    "main",
]


# ----------------------------------------------------------------------- commands


@app.command(help=N_("Create a new registry workbook (Settings, Categories, Customers, Transactions, Rules, "
                     "CategoryHistory)."))
def new(
    path: Annotated[Path, typer.Argument(help=N_("Where to create the workbook (.xlsx)"), show_default=False)],
    lang: Annotated[str | None, typer.Option(
        "--lang", help=N_("Sheet and header language: en or zh (default: the system locale)"), show_default=False,
    )] = None,
    demo: Annotated[bool, typer.Option("--demo", help=N_("Fill it with a realistic demo data set"))] = False,
    force: Annotated[bool, typer.Option("--force", help=N_("Overwrite an existing file"))] = False,
    as_json: JsonOpt = False,
) -> None:
    """`xlcust new`: a registry workbook from the template."""

    def body() -> int:
        from .io.template import create_workbook

        book_lang = current_language()
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(msg("{name}: the workbook name must end in .xlsx (or .xlsm for the one with buttons "
                               "and macros)", name=path.name))
        if path.exists() and not force:
            raise UsageError(msg("{path} already exists; choose another name or add --force", path=path))
        try:  # a folder that is not there yet is made, as `run --out` does
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(msg("{folder}: cannot make the folder ({reason})", folder=path.parent,
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


SeverityOpt = Annotated[str, typer.Option(
    "--min-severity", help=N_("Show findings at least this severe: error, warning or info"), show_default=False)]


@app.command(help=N_("Run every validation: a summary by code, then the findings (warnings and errors unless told "
                     "otherwise). Without --write the file is not touched."))
def check(
    book: BookArg,
    write: Annotated[bool, typer.Option(
        "--write", help=N_("Write a Checks sheet, highlight the cells and fill blank mnemonics"))] = False,
    min_severity: SeverityOpt = "warning",
    errors_only: Annotated[bool, typer.Option("--errors-only", help=N_("Same as --min-severity error"))] = False,
    all_lines: Annotated[bool, typer.Option("--all", help=N_("Show every finding, info lines too"))] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust check`: all validations; --json carries every finding whatever the flags."""

    def body() -> int:
        from .checks import run_checks
        from .io import booklock
        from .views.console.checks import left_out_line, print_check_summary
        from .views.console.checks import print_findings as print_shown

        minimum = _minimum_severity(min_severity, errors_only=errors_only, all_lines=all_lines)
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
            lang = current_language()
            print_check_summary(out, findings, lang)
            left_out = print_shown(out, findings, lang, minimum)
            tally = _("{error} error(s), {warning} warning(s), {info} note(s)", **counts)
            err.print(_("{tally} — written to the Checks sheet", tally=tally) if write else tally, markup=False)
            note = left_out_line(left_out, minimum, lang)
            if note:
                err.print(note, markup=False, highlight=False)
        return EXIT_FINDINGS if has_errors(findings) else EXIT_OK

    run(body, lang)


def _minimum_severity(text: str, *, errors_only: bool, all_lines: bool) -> Severity:
    """--all wins, then --errors-only, then --min-severity (a usage error names the accepted words)."""
    if all_lines:
        return Severity.INFO
    if errors_only:
        return Severity.ERROR
    try:
        return Severity(text.strip().lower())
    except ValueError:
        raise UsageError(msg("--min-severity must be error, warning or info, not '{value}'", value=text)) from None


AllRowsOpt = Annotated[bool, typer.Option("--all", help=N_("Show every row, not the summary and the largest items"))]


@app.command(help=N_("Per invoice: settled on, days to settle, days late and open amount; a long list shows its "
                     "summary and the largest open items first."))
def settlement(book: BookArg, as_of: AsOfOpt = None, all_rows: AllRowsOpt = False, as_json: JsonOpt = False,
               lang: LangOpt = None) -> None:
    """`xlcust settlement`: the allocation's result per invoice."""

    def body() -> int:
        from .ledger import json_records
        from .views.console.reports import print_settlement

        registry, ledger = ledger_for(book, as_of)
        findings, coverage = figures_findings(registry, "settlement", ledger)
        frame = ledger.settlement()
        if as_json:
            emit_json({"as_of": ledger.as_of.isoformat(), "items": json_records(frame),
                       **findings_json(findings, coverage)})
            return report_outcome(book, findings, coverage)
        print_settlement(out, frame, customer_names(ledger), ledger.as_of.isoformat(), current_language(),
                         all_rows=all_rows)
        return report_outcome(book, findings, coverage)

    run(body, lang)


def customer_names(ledger) -> dict[str, str]:
    """Customer code → name, for the tables that show both."""
    names = ledger.customers["name"]
    return {str(code): ("" if name is None or name != name else str(name)) for code, name in names.items()}


@app.command(help=N_("Open items by aging bucket per category (rolled up the tree, with names) and the total."))
def aging(book: BookArg, as_of: AsOfOpt = None, basis: BasisOpt = None, as_json: JsonOpt = False,
          lang: LangOpt = None) -> None:
    """`xlcust aging`: the aging report."""

    def body() -> int:
        from .views.console.reports import print_aging

        registry, ledger = ledger_for(book, as_of, basis)
        findings, coverage = figures_findings(registry, "aging", ledger)
        report = ledger.aging()
        if as_json:
            emit_json({**report.to_json(), **findings_json(findings, coverage)})
            return report_outcome(book, findings, coverage)
        print_aging(out, report, current_language())
        total = report.total
        err.print(_("Total open: {open}; unapplied credit: {unapplied}; balance: {balance}",
                    open=money_text(total.get("open_amount")), unapplied=money_text(total.get("unapplied_credit")),
                    balance=money_text(total.get("balance"))), markup=False)
        return report_outcome(book, findings, coverage)

    run(body, lang)


def main() -> None:
    """Console entry point: help pages and usage errors in the language of --lang, else the locale (xlcust.clihelp)."""
    from .clihelp import help_language, localized_command, run_localized

    lang = help_language(sys.argv[1:])
    sys.exit(run_localized(localized_command(app, lang), lang, "xlcust"))


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help=N_("Show the version and exit"))] = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust [--lang L] COMMAND`: a --lang before the command counts for it (and for `xlcust --lang zh --help`)."""
    remember_root_language(lang)
    if version:
        out.print(f"xlcust {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:  # `xlcust --lang zh` alone: the help page, as `xlcust` alone shows it
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


# Commands of other areas live in xlcust.commands; importing them registers them on `app`.
from .commands import load_all  # noqa: E402

load_all()
