"""The button macros: read the workbook → the same core as the command line → output sheets.

Each handler is what a button's VBA calls through xlwings
(`RunPython "import xlcust.excel.handlers as h; h.validate()"`), and each has the
same thin shape:

    book = book_for_run(host)            # the saved file if current, else the live cells
    ... the core: run_checks, build_ledger, grade_customers, build_statements ...
    host.write_sheet(sheet_block(...))   # the same OutputSheets `xlcust run` writes
    host.message(summary)                # a short message box

`host` defaults to the workbook whose button was pressed (`XlwingsHost.caller()`);
tests pass a `MemoryHost`. A handler never lets a traceback reach Excel: a problem
with the workbook or a bug becomes a friendly message box and an error row on the
Checks sheet (the details of a bug go to a log file named in the message).

Handlers return the message they showed, so Python callers and tests can read it.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable

from ..book import Book
from ..errors import XlcustError
from ..findings import Finding, error, has_errors, summarize
from ..mnemonic import mnemonic_edits
from ..views.findings import format_finding
from ..views.memory import bookkeeping_sheets
from ..views.outputs import checks_sheet, highlights
from ..views.page import with_page
from ..views.sheet import OutputSheet
from .host import Host, book_for_run, sheet_block

LOG_NAME = "xlcust-excel-error.log"
Body = Callable[[Host, Book], str]


def _host(host: Host | None) -> Host:
    if host is not None:
        return host
    from .xlwings_book import XlwingsHost

    return XlwingsHost.caller()


def _write(host: Host, sheets: list[OutputSheet], book: Book) -> list[str]:
    """Write the sheets, each printing as Settings say (paper, company; `with_page`)."""
    for sheet in with_page(sheets, book.settings):
        host.write_sheet(sheet_block(sheet))
    return [s.name for s in sheets]


def _write_bookkeeping(host: Host, book: Book) -> None:
    """What `run` and `check --write` add to the file, through the host: xlcust's very hidden memory of
    each used customer's category, and a CategoryHistory Table when the workbook has none
    (`views.memory`), so the category lock holds for a user who only presses buttons."""
    for sheet in bookkeeping_sheets(book):
        host.write_sheet(sheet_block(sheet))


def _handle(title: str, body: Body, host: Host | None) -> str:
    """Run one button: read, call `body`, show its summary; failures become a message and a Checks row."""
    host = _host(host)
    lang = "en"
    try:
        book = book_for_run(host)
        lang = book.settings.language
        text = body(host, book)
    except XlcustError as exc:
        text = _failed(host, title, str(exc), lang)
    except Exception as exc:  # a bug: keep the details for us, one friendly line for the user
        from ..crashlog import write_crash_log

        log = write_crash_log(LOG_NAME, traceback.format_exc())
        where = f" Details are in {log}; please report them." if log is not None else ""
        text = _failed(host, title, f"internal error ({type(exc).__name__}: {exc}).{where}", lang)
    host.message(text, title=f"xlcust — {title}")
    return text


def _failed(host: Host, title: str, why: str, lang: str) -> str:
    finding = error("RUN_FAILED", host.name, f"{title} could not run: {why}",
                    suggestion="Fix what the message says and press the button again; "
                               "the output sheets were not changed")
    try:
        host.write_sheet(sheet_block(checks_sheet([finding], lang)))
        where = " (also on the Checks sheet)"
    except Exception:  # noqa: BLE001 - the message box below still tells the user
        where = ""
    return f"{title} could not run: {why}{where}"


def _counts(findings: list[Finding]) -> str:
    c = summarize(findings)
    return f"{c['error']} error(s), {c['warning']} warning(s), {c['info']} note(s)"


def _first_errors(findings: list[Finding], limit: int = 3) -> str:
    errors = [f for f in findings if f.severity.value == "error"][:limit]
    return "".join("\n• " + format_finding(f).split(None, 1)[1] for f in errors)


# ------------------------------------------------------------------------ buttons


def validate(host: Host | None = None) -> str:
    """Button "Validate codes" (`check --write`): every check → the Checks sheet; blank mnemonics filled;
    xlcust's memory written and a missing CategoryHistory added."""
    return _handle("Validate codes", _validate, host)


def _validate(host: Host, book: Book) -> str:
    from ..checks import run_checks

    findings = run_checks(book)
    fills = mnemonic_edits(book)
    _write(host, [checks_sheet(findings, book.settings.language)], book)
    _write_bookkeeping(host, book)
    if fills:
        host.set_cells(fills)
    host.highlight(highlights(findings))
    text = f"Checks: {_counts(findings)} — listed on the Checks sheet."
    if fills:
        text += f"\n{len(fills)} blank mnemonic(s) filled on the Customers sheet."
    return text + _first_errors(findings)


def refresh_all(host: Host | None = None) -> str:
    """Button "Refresh all": every output sheet `xlcust run` writes (`xlcust.views.run.refresh_sheets`)."""
    return _handle("Refresh all", _refresh_all, host)


def _refresh_all(host: Host, book: Book) -> str:
    from ..money import format_money
    from ..views.run import refresh_sheets
    from .reclass_live import audit_log_from_host

    # The same dry run as `xlcust run`: against what the AuditLog already records.
    result, sheets = refresh_sheets(book, recorded=audit_log_from_host(host).recorded())
    names = _write(host, sheets, book)
    _write_bookkeeping(host, book)
    host.highlight(highlights(result.findings))
    totals = result.totals
    return (f"Wrote {len(names)} sheets as of {result.as_of.isoformat()}.\n"
            f"Checks: {_counts(result.findings)}.\n"
            f"Balance {format_money(totals.net)} over {totals.rows_used} of {totals.rows_in_sheet} transaction rows."
            + (_first_errors(result.findings) if has_errors(result.findings) else ""))


def statements(host: Host | None = None) -> str:
    """Button "Statements": this month's statements (1st of the as-of month to the as-of date)
    on the Statements sheet, one block of lines per customer."""
    return _handle("Statements", _statements, host)


def statement_period(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return as_of.replace(day=1), as_of


def _statements(host: Host, book: Book) -> str:
    from ..money import format_money
    from ..reports.statements import build_statements
    from .sheets import statements_sheet

    start, end = statement_period(book.settings.effective_as_of())
    result = build_statements(book, start, end)
    _write(host, [statements_sheet(result)], book)
    customers = sum(len(g.customers) for g in result.categories)
    closing = sum(g.closing for g in result.categories)
    text = (f"Statements {start.isoformat()} – {end.isoformat()}: {customers} customer(s) in "
            f"{len(result.categories)} categor(ies), closing balance {format_money(closing)}.")
    if result.skipped:
        text += (f"\n{len(result.skipped)} customer(s) with activity but no leaf category were left out; "
                 "Validate codes lists their category cells.")
    return text


def reclassify_dry_run(host: Host | None = None) -> str:
    """Button "Reclassify (dry run)": the rules' changes on the Reclass sheet; nothing else changes."""
    return _handle("Reclassify (dry run)", _reclassify(apply=False), host)


def reclassify_apply(host: Host | None = None) -> str:
    """Button "Apply reclassification": the rules' changes written to Customers and CategoryHistory."""
    return _handle("Apply reclassification", _reclassify(apply=True), host)


def _reclassify(apply: bool) -> Body:
    def body(host: Host, book: Book) -> str:
        try:
            from .reclass_live import reclassify
        except ImportError:
            return ("Reclassification is not available in this version of xlcust; "
                    "update it with: pip install --upgrade \"xlcust[excel]\"")
        return reclassify(host, book, apply=apply)

    return body
