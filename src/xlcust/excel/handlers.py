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
from ..i18n import N_, Joined, Msg, _, msg, render, use_language
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
    from ..io.template import history_look  # the template's drop-downs and note, as `xlcust new` gives

    for sheet in bookkeeping_sheets(book, history_look(book)):
        host.write_sheet(sheet_block(sheet))


def _handle(title: str, body: Body, host: Host | None) -> str:
    """Run one button: read, call `body`, show its summary; failures become a message and a Checks row."""
    host = _host(host)
    lang = "en"
    try:
        book = book_for_run(host)
        lang = book.settings.language
        with use_language(lang):  # every text below, and the sheets' labels, in the book's language
            text = body(host, book)
    except XlcustError as exc:
        text = _failed(host, title, exc.message, lang)  # a catalog text: shown in the book's language
    except Exception as exc:  # a bug: keep the details for us, one friendly line for the user
        from ..crashlog import write_crash_log

        log = write_crash_log(LOG_NAME, traceback.format_exc())
        with use_language(lang):
            where = _(" Details are in {log}; please report them.", log=log) if log is not None else ""
            why = _("internal error ({kind}: {detail}).", kind=type(exc).__name__, detail=exc) + where
        text = _failed(host, title, why, lang)
    with use_language(lang):
        host.message(text, title=f"xlcust — {_(title)}")
    return text


def _failed(host: Host, title: str, why: str | Msg | Joined, lang: str) -> str:
    finding = error("RUN_FAILED", host.name, msg("{title} could not run: {why}", title=msg(title), why=why),
                    suggestion=msg("Fix what the message says and press the button again; "
                                   "the output sheets were not changed"))
    with use_language(lang):
        try:
            host.write_sheet(sheet_block(checks_sheet([finding], lang)))
            where = _(" (also on the Checks sheet)")
        except Exception:  # noqa: BLE001 - the message box below still tells the user
            where = ""
        return _("{title} could not run: {why}", title=_(title), why=render(why, lang)) + where


def _counts(findings: list[Finding]) -> str:
    return _("{error} error(s), {warning} warning(s), {info} note(s)", **summarize(findings))


def _first_errors(findings: list[Finding], limit: int = 3) -> str:
    errors = [f for f in findings if f.severity.value == "error"][:limit]
    from ..i18n import current_language

    lang = current_language()
    return "".join("\n• " + format_finding(f, lang).split(None, 1)[1] for f in errors)


# ------------------------------------------------------------------------ buttons


def validate(host: Host | None = None) -> str:
    """Button "Validate codes" (`check --write`): every check → the Checks sheet; blank mnemonics filled;
    xlcust's memory written and a missing CategoryHistory added."""
    return _handle(N_("Validate codes"), _validate, host)


def _validate(host: Host, book: Book) -> str:
    from ..checks import run_checks

    findings = run_checks(book)
    fills = mnemonic_edits(book)
    _write(host, [checks_sheet(findings, book.settings.language)], book)
    _write_bookkeeping(host, book)
    if fills:
        host.set_cells(fills)
    host.highlight(highlights(findings))
    text = _("Checks: {counts} — listed on the Checks sheet.", counts=_counts(findings))
    if fills:
        text += "\n" + _("{n} blank mnemonic(s) filled on the Customers sheet.", n=len(fills))
    return text + _first_errors(findings)


def refresh_all(host: Host | None = None) -> str:
    """Button "Refresh all": every output sheet `xlcust run` writes (`xlcust.views.run.refresh_sheets`)."""
    return _handle(N_("Refresh all"), _refresh_all, host)


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
    return (_("Wrote {n} sheets as of {as_of}.", n=len(names), as_of=result.as_of.isoformat()) + "\n"
            + _("Checks: {counts}.", counts=_counts(result.findings)) + "\n"
            + _("Balance {balance} over {used} of {rows} transaction rows.", balance=format_money(totals.net),
                used=totals.rows_used, rows=totals.rows_in_sheet)
            + (_first_errors(result.findings) if has_errors(result.findings) else ""))


def statements(host: Host | None = None) -> str:
    """Button "Statements": this month's statements (1st of the as-of month to the as-of date)
    on the Statements sheet, one block of lines per customer."""
    return _handle(N_("Statements"), _statements, host)


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
    text = _("Statements {start} – {end}: {customers} customer(s) in {categories} categor(ies), "
             "closing balance {closing}.", start=start.isoformat(), end=end.isoformat(), customers=customers,
             categories=len(result.categories), closing=format_money(closing))
    if result.skipped:
        text += "\n" + _("{n} customer(s) with activity but no leaf category were left out; "
                          "Validate codes lists their category cells.", n=len(result.skipped))
    return text


def reclassify_dry_run(host: Host | None = None) -> str:
    """Button "Reclassify (dry run)": the rules' changes on the Reclass sheet; nothing else changes."""
    return _handle(N_("Reclassify (dry run)"), _reclassify(apply=False), host)


def reclassify_apply(host: Host | None = None) -> str:
    """Button "Apply reclassification": the rules' changes written to Customers and CategoryHistory."""
    return _handle(N_("Apply reclassification"), _reclassify(apply=True), host)


def _reclassify(apply: bool) -> Body:
    def body(host: Host, book: Book) -> str:
        try:
            from .reclass_live import reclassify
        except ImportError:
            return _("Reclassification is not available in this version of xlcust; "
                     "update it with: {command}", command='pip install --upgrade "xlcust[excel]"')
        return reclassify(host, book, apply=apply)

    return body
