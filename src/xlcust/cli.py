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
from rich.table import Table

from . import __version__
from .errors import UsageError, XlcustError
from .findings import Finding, Severity, format_finding, has_errors, summarize
from .i18n import N_, _, current_language, normalize_language, resolve_language, set_language, use_language

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="xlcust — customer-category registry in Excel (客户分类档案): checks, ledger, grades, reports.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

BookArg = Annotated[Path, typer.Argument(help="The registry workbook (.xlsx or .xlsm)", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout")]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="Language of messages and output sheets: en or zh (default: Settings language, "
                                "else the system locale)", show_default=False),
]

# The --lang of the running command (None: the workbook's Settings, else the locale, decide).
_requested_language: str | None = None
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Reporting date YYYY-MM-DD (default: Settings as_of, else today)")
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
        err.print("xlcust: interrupted; the workbook was not changed")
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as exc:  # a bug: keep the details for us, one line for the user
        from .crashlog import write_crash_log

        log = write_crash_log("xlcust-error.log", traceback.format_exc())
        where = f"; details in {log}" if log is not None else ""
        err.print(f"xlcust: internal error ({type(exc).__name__}: {exc}){where}", style="red", markup=False)
        err.print("The workbook was not changed. Please report this with the log file.")
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
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    out.print(table)


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
    requested = normalize_language(lang)
    if lang is not None and requested is None:
        with use_language(resolve_language(None)), guarded():
            raise UsageError(_("--lang must be en or zh, not '{lang}'", lang=lang))
    _requested_language = requested
    with use_language(resolve_language(requested)), guarded():
        code = body()
    raise typer.Exit(code)


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


BasisOpt = Annotated[str | None, typer.Option("--basis", help="Age from the due date (due) or invoice date (invoice)")]


def ledger_for(book: Path, as_of: str | None, basis: str | None = None):
    """Read the book and build its ledger; returns (registry, ledger)."""
    from .ledger import build_ledger

    when = parse_date_option(as_of, "--as-of")
    if basis is not None and basis not in ("due", "invoice"):
        raise UsageError(f"--basis must be due or invoice, not '{basis}'")
    registry = load_book(book)
    with err.status("Allocating receipts and credit notes…"):
        return registry, build_ledger(registry, as_of=when, basis=basis)


def money_text(cents: object) -> str:
    from .money import format_money

    return format_money(cents)


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
        from .views.memory import bookkeeping_sheets
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
                unlinked = write_outputs(book, [*sheets, *bookkeeping_sheets(registry)],
                                         edits=highlights(result.findings), out=out_path, since=registry.source)
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
