"""`xlcust` command line (typer + rich).

Exit codes (DESIGN §5): 0 fine, 1 the workbook has errors, 2 the command could not
run (bad arguments, unreadable file). With `--json` exactly one JSON document goes
to stdout; messages and progress go to stderr. No traceback ever reaches the user:
an unexpected failure prints one line and the path of a log holding the details.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
import traceback
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from . import __version__
from .errors import UsageError, XlcustError
from .findings import Finding, Severity, format_finding, has_errors, summarize
from .i18n import N_, _, current_language, normalize_language, resolve_language, set_language, use_language

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help=N_("xlcust — customer-category registry in Excel: checks, ledger, grades, reports."),
    context_settings={"help_option_names": ["-h", "--help"]},
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

BookArg = Annotated[Path, typer.Argument(help=N_("The registry workbook (.xlsx or .xlsm)"), show_default=False,
                                                  metavar="BOOK")]
JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout"))]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help=N_("Language of messages and output sheets: en or zh (default: Settings language, "
                                   "else the system locale)"), show_default=False),
]

# The --lang of the running command (None: the workbook's Settings, else the locale, decide).
_requested_language: str | None = None
_root_language: str | None = None  # a --lang given before the command name
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help=N_("Reporting date YYYY-MM-DD (default: Settings as_of, else today)"))
]


# ------------------------------------------------------------------------ helpers


def parse_date_option(value: str | None, name: str) -> dt.date | None:
    """A date option (--as-of, --from, --to) read as cells and imports read dates.

    The unambiguous forms only (2026-09-30, 2026/9/30, 2026.9.30, 2026年9月30日, 20260930): a
    day/month order such as 30/09/2026 is refused, naming the forms that are accepted.
    """
    from .celltypes import parse_date_text

    if value is None:
        return None
    when = parse_date_text(value)
    if when is None:
        raise UsageError(_("{name} must be a date written year first (2026-09-30, 2026/9/30, 2026.9.30, "
                           "2026年9月30日 or 20260930), not '{value}'", name=name, value=value))
    return when


def json_default(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or value.time() == dt.time() else (
            value.isoformat()
        )
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01")))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Severity):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(document: dict) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=json_default, indent=1))
    sys.stdout.write("\n")


@contextmanager
def guarded() -> Iterable[None]:
    """Turn every failure into one line on stderr and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except XlcustError as exc:
        err.print(f"xlcust: {exc}", style="red", markup=False)
        raise typer.Exit(EXIT_FAILED) from None
    except KeyboardInterrupt:
        err.print(_("xlcust: interrupted; the workbook was not changed"), markup=False)
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as exc:  # a bug: keep the details for us, one line for the user
        from .crashlog import write_crash_log

        log = write_crash_log("xlcust-error.log", traceback.format_exc())
        err.print(_("xlcust: internal error ({error}){where}", error=f"{type(exc).__name__}: {exc}",
                    where=_("; details in {log}", log=log) if log is not None else ""), style="red", markup=False)
        err.print(_("The workbook was not changed. Please report this with the log file."), markup=False)
        raise typer.Exit(EXIT_FAILED) from None


def load_book(path: Path):
    """Read the workbook and settle the language: --lang, else its Settings `language` if set."""
    from .io.reader import read_book

    with err.status(_("Reading {name}…", name=path.name)):
        registry = read_book(path)
    adopt_language(registry)
    return registry


def adopt_language(registry) -> None:
    """After reading a workbook: --lang wins (for the output sheets too), else a language the
    user set in Settings; a default Settings value does not override the locale."""
    settings = registry.settings
    if _requested_language is not None:
        if settings.language != _requested_language:
            registry.settings = settings.model_copy(update={"language": _requested_language})
    elif "language" in settings.model_fields_set:
        set_language(settings.language)


def warn_flavour(book: Path, target: Path | None = None) -> None:
    """Say what a save to `target` (default: over `book`) does to macros, before it happens (io.flavour)."""
    from .io.flavour import macros_left_out, misnamed, no_macros_in_xlsm
    from .io.package import open_package

    try:
        pkg = open_package(book)
    except XlcustError:
        return  # the command itself says why the file cannot be read
    if target is not None and macros_left_out(pkg, target):
        err.print(_("warning: {target} is an .xlsx, which cannot hold macros: the VBA project of {book} (the "
                    "buttons' macros) is left out of it. Name it .xlsm to keep them.", target=target.name,
                    book=book.name), style="yellow", markup=False)
    elif target is not None and no_macros_in_xlsm(pkg, target):
        err.print(_("warning: {target} is saved as a macro-enabled workbook, but it has no macros: {book} has "
                    "none. Name it .xlsx, or start from workbook/CustomerLedger.xlsm for the buttons.",
                    target=target.name, book=book.name), style="yellow", markup=False)
    elif (target is None or target.resolve() == book.resolve()) and misnamed(pkg):
        err.print(_("warning: {book} holds a workbook of the other kind than its name says (.xlsx without "
                    "macros, .xlsm with them), so Excel will refuse to open it; xlcust keeps it as it is. "
                    "Rename it to {name}.", book=book.name,
                    name=book.with_suffix(".xlsx" if book.suffix.lower() == ".xlsm" else ".xlsm").name),
                  style="yellow", markup=False)


def print_findings(findings: list[Finding]) -> None:
    lang = current_language()
    for f in findings:
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}[f.severity.value]
        out.print(format_finding(f, lang), style=colour, markup=False, highlight=False)


def print_table(title: str, columns: list[str], rows: Iterable[Iterable[object]]) -> None:
    """A quick table of already formatted cells (views.console builds the report tables).

    Headers are catalog msgids; a column whose every cell reads as a number is right-aligned
    and kept whole, the others fold. Nothing in xlcust itself calls it any more; it stays for
    commands that list plain records.
    """
    import re

    from .views.console import Column, render_table

    texts = [["" if v is None else str(v) for v in r] for r in rows]
    figure = re.compile(r"^-?(0|[1-9][\d,]*)(\.\d+)?%?$")  # "0101" is a code, not a number
    kinds = ["figure" if texts and all(figure.match(r[i]) or not r[i] for r in texts) else "text"
             for i in range(len(columns))]
    render_table(out, title, [Column(c, k) for c, k in zip(columns, kinds, strict=True)], texts,  # type: ignore[misc]
                 lang=current_language())


# Findings behind a report's figures shown on stderr; `xlcust check` (or --json) lists them all.
MAX_FINDINGS_SHOWN = 20
LEFT_OUT_REASONS = {"missing_date": N_("no date"), "missing_amount": N_("no amount"),
                    "unknown_kind": N_("no known kind"), "missing_customer": N_("no customer code")}


def figures_findings(registry, report: str, ledger=None) -> tuple[list[Finding], Any]:
    """(the errors that make `report`'s figures incomplete, the ledger's row coverage or None).

    One notion for every report command (xlcust.completeness); the command shows its
    figures, then `report_outcome` names these findings and picks the exit code.
    """
    from .completeness import REPORT_SHEETS, ledger_coverage, report_findings

    with err.status(_("Checking the data behind the figures…")):
        findings = report_findings(registry, REPORT_SHEETS[report])
    return findings, (ledger_coverage(ledger) if ledger is not None else None)


def findings_json(findings: list[Finding], coverage: Any = None) -> dict:
    """The `findings`, `complete` (and `coverage`) members of a report's JSON document."""
    doc: dict[str, Any] = {"complete": not findings and (coverage is None or coverage.complete),
                           "findings": [f.to_json(current_language()) for f in findings]}
    if coverage is not None:
        doc["coverage"] = coverage.to_json()
    return doc


def report_outcome(book: Path, findings: list[Finding], coverage: Any = None) -> int:
    """Name on stderr what makes the figures incomplete; EXIT_FINDINGS if anything does."""
    if coverage is not None and not coverage.complete:
        reasons = ", ".join(f"{_(LEFT_OUT_REASONS.get(k, k))}: {n:,}" for k, n in coverage.reasons.items())
        err.print(_("Figures incomplete: the ledger uses {used} of {total} Transactions rows; {left} are left "
                    "out ({reasons})", used=f"{coverage.rows_used:,}", total=f"{coverage.rows_in_sheet:,}",
                    left=f"{coverage.rows_left_out:,}", reasons=reasons), style="red", markup=False)
    if findings:
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}
        for f in findings[:MAX_FINDINGS_SHOWN]:
            err.print(format_finding(f, current_language()), style=colour[f.severity.value], markup=False,
                      highlight=False)
        if len(findings) > MAX_FINDINGS_SHOWN:
            err.print(_("… {n} more; `xlcust check {book}` lists them all", n=f"{len(findings) - MAX_FINDINGS_SHOWN:,}",
                        book=book), markup=False)
        err.print(_("{n} error(s) in the workbook make these figures incomplete: fix them and run again",
                    n=f"{len(findings):,}"), style="red", markup=False)
    incomplete = bool(findings) or (coverage is not None and not coverage.complete)
    return EXIT_FINDINGS if incomplete else EXIT_OK


def run(body: Callable[[], int], lang: str | None = None) -> None:
    """Run a command's body in its language (--lang, else the locale until a workbook says otherwise)."""
    global _requested_language
    lang = lang if lang is not None else _root_language
    requested = normalize_language(lang)
    if lang is not None and requested is None:
        with use_language(resolve_language(None)), guarded():
            raise UsageError(_("--lang must be en or zh, not '{lang}'", lang=lang))
    _requested_language = requested
    with use_language(resolve_language(requested)), guarded():
        code = body()
    raise typer.Exit(code)


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
        raise UsageError(_("--min-severity must be error, warning or info, not '{value}'", value=text)) from None


BasisOpt = Annotated[str | None, typer.Option("--basis", help=N_("Age from the due date (due) or invoice date "
                                                                 "(invoice)"))]


def ledger_for(book: Path, as_of: str | None, basis: str | None = None):
    """Read the book and build its ledger; returns (registry, ledger)."""
    from .ledger import build_ledger

    when = parse_date_option(as_of, "--as-of")
    if basis is not None and basis not in ("due", "invoice"):
        raise UsageError(_("--basis must be due or invoice, not '{basis}'", basis=basis))
    registry = load_book(book)
    with err.status(_("Allocating receipts and credit notes…")):
        return registry, build_ledger(registry, as_of=when, basis=basis)


def money_text(cents: object) -> str:
    from .money import format_money

    return format_money(cents)


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


@app.command("run", help=N_("Everything the buttons do: checks, ledger, aging, provision, collections, into the "
                            "output sheets."))
def run_all(
    book: BookArg,
    as_of: AsOfOpt = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help=N_("Write the result to this file instead of updating BOOK"))
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """`xlcust run`: the full refresh of the output sheets."""

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
            task = progress.add_task(_("Reading the workbook"), total=len(STAGES) + 2)

            def step(stage: str) -> None:
                progress.update(task, advance=1, description=_(stage))

            # One run at a time on a book: a second one is refused now, not after minutes of work.
            with booklock.hold(out_path or book):
                registry = read_book(book)
                adopt_language(registry)
                result, sheets = refresh_sheets(registry, when, progress=step,
                                                recorded=read_audit_log(book).recorded())
                step(N_("Writing the workbook"))
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
            err.print(_("Wrote {n} output sheets to {target} (as of {as_of})", n=len(sheets), target=target,
                        as_of=ledger.as_of.isoformat()), markup=False)
            err.print("  " + _("checks: {error} error(s), {warning} warning(s), {info} note(s)", **counts),
                      markup=False)
            err.print("  " + _("ledger: {used} of {total} transaction rows; balance {balance} = open items {open} − "
                               "unapplied {unapplied}", used=f"{totals.rows_used:,}",
                               total=f"{totals.rows_in_sheet:,}", balance=money_text(totals.net),
                               open=money_text(totals.open_items), unapplied=money_text(totals.unapplied_credit)),
                      markup=False)
            for sheet, count in unlinked.items():
                err.print("  " + _("{sheet}: {n} codes past Excel's 65,530 links per sheet are plain text (use the "
                                   "sheet's filter to find a row)", sheet=sheet, n=f"{count:,}"), markup=False)
        return EXIT_FINDINGS if has_errors(findings) else EXIT_OK

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
    global _root_language
    _root_language = lang
    if version:
        out.print(f"xlcust {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:  # `xlcust --lang zh` alone: the help page, as `xlcust` alone shows it
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


# Commands of other areas live in xlcust.commands; importing them registers them on `app`.
from .commands import load_all  # noqa: E402

load_all()
