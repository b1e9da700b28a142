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
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Reporting date YYYY-MM-DD (default: Settings as_of, else today)")
]


# ------------------------------------------------------------------------ helpers


def parse_date_option(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{name} must be a date such as 2026-09-30, not '{value}'") from None


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
    from .io.reader import read_book

    with err.status(f"Reading {path.name}…"):
        return read_book(path)


def print_findings(findings: list[Finding]) -> None:
    for f in findings:
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}[f.severity.value]
        out.print(format_finding(f), style=colour, markup=False, highlight=False)


def print_table(title: str, columns: list[str], rows: Iterable[Iterable[object]]) -> None:
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    out.print(table)


def run(body: Callable[[], int]) -> None:
    with guarded():
        code = body()
    raise typer.Exit(code)


# ----------------------------------------------------------------------- commands


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to create the workbook (.xlsx)", show_default=False)],
    lang: Annotated[str, typer.Option("--lang", help="Sheet and header language: en or zh")] = "en",
    demo: Annotated[bool, typer.Option("--demo", help="Fill it with a realistic demo data set")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a new registry workbook (Settings, Categories, Customers, Transactions, Rules, CategoryHistory)."""

    def body() -> int:
        from .io.template import create_workbook

        if lang not in ("en", "zh"):
            raise UsageError(f"--lang must be en or zh, not '{lang}'")
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(f"{path.name}: the workbook name must end in .xlsx")
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; choose another name or add --force")
        with err.status("Creating workbook…"):
            create_workbook(path, lang=lang, demo=demo)
        if as_json:
            emit_json({"path": str(path), "lang": lang, "demo": demo})
        else:
            err.print(f"Created {path}" + (" with demo data" if demo else ""))
        return EXIT_OK

    run(body)


@app.command()
def check(
    book: BookArg,
    write: Annotated[
        bool, typer.Option("--write", help="Write a Checks sheet, highlight the cells and fill blank mnemonics")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run every validation; list findings. Without --write the file is not touched."""

    def body() -> int:
        from .checks import run_checks
        from .io import booklock

        with booklock.hold(book) if write else contextlib.nullcontext():
            registry = load_book(book)
            with err.status("Checking…"):
                findings = run_checks(registry)
            if write:
                from .io.outputs import write_checks

                with err.status("Writing the Checks sheet…"):
                    write_checks(book, registry, findings)
        counts = summarize(findings)
        if as_json:
            emit_json({"findings": [f.to_json() for f in findings], "summary": {**counts, "book": str(book)}})
        else:
            print_findings(findings)
            err.print(
                f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)"
                + (" — written to the Checks sheet" if write else "")
            )
        return EXIT_FINDINGS if has_errors(findings) else EXIT_OK

    run(body)


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
def settlement(book: BookArg, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Per invoice: settled_on, days_to_settle, days_late and open_amount."""

    def body() -> int:
        from .ledger import json_records

        _, ledger = ledger_for(book, as_of)
        frame = ledger.settlement()
        if as_json:
            emit_json({"as_of": ledger.as_of.isoformat(), "items": json_records(frame)})
            return EXIT_OK
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
        return EXIT_OK

    run(body)


@app.command()
def aging(book: BookArg, as_of: AsOfOpt = None, basis: BasisOpt = None, as_json: JsonOpt = False) -> None:
    """Open items by aging bucket, per customer and per category (rolled up the tree)."""

    def body() -> int:
        _, ledger = ledger_for(book, as_of, basis)
        report = ledger.aging()
        if as_json:
            emit_json(report.to_json())
            return EXIT_OK
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
        return EXIT_OK

    run(body)


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
) -> None:
    """Everything the buttons do: checks, ledger, aging, provision, collections, into the output sheets."""

    def body() -> int:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from .io import booklock
        from .io.outputs import highlights, write_outputs
        from .io.reader import read_book
        from .pipeline import STAGES, refresh
        from .reclass import read_audit_log

        when = parse_date_option(as_of, "--as-of")
        if out_path is not None:
            out_path.parent.mkdir(parents=True, exist_ok=True)
        with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("Reading the workbook", total=len(STAGES) + 2)

            def step(stage: str) -> None:
                progress.update(task, advance=1, description=stage)

            # One run at a time on a book: a second one is refused now, not after minutes of work.
            with booklock.hold(out_path or book):
                registry = read_book(book)
                result = refresh(registry, when, progress=step, recorded=read_audit_log(book).recorded())
                step("Writing the workbook")
                unlinked = write_outputs(book, result.sheets, edits=highlights(result.findings), out=out_path,
                                         since=registry.source)
            progress.update(task, advance=1)
        findings, sheets, ledger, totals = result.findings, result.sheets, result.ledger, result.totals
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

    run(body)


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
