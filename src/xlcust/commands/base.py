"""The command line's app and what every command shares (typer + rich).

`xlcust.cli` and each module of `xlcust.commands` register their commands on `app`;
the shared pieces are here so that the command modules do not import `xlcust.cli`
(which imports them): options, JSON output, loading a book, findings on stderr, exit
codes, and `run`, which gives every command its language and its one-line errors.
"""

from __future__ import annotations

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

from ..errors import UsageError, XlcustError
from ..findings import Finding, Severity
from ..i18n import N_, _, current_language, msg, normalize_language, resolve_language, set_language, use_language
from ..views.findings import format_finding

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
    from ..celltypes import parse_date_text

    if value is None:
        return None
    when = parse_date_text(value)
    if when is None:
        raise UsageError(msg("{name} must be a date written year first (2026-09-30, 2026/9/30, 2026.9.30, "
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
def guarded(book: Path | None = None) -> Iterable[None]:
    """Turn every failure into one line on stderr and exit code 2.

    An XlcustError carries a catalog text: it is shown in the language of the command (`--lang`,
    else the book's Settings `language`, else the locale), even when it stopped the command
    before the book was read (a malformed --as-of, a locked or missing file).
    """
    try:
        yield
    except typer.Exit:
        raise
    except XlcustError as exc:
        err.print(f"xlcust: {exc.render(error_language(book))}", style="red", markup=False)
        raise typer.Exit(EXIT_FAILED) from None
    except KeyboardInterrupt:
        err.print(_("xlcust: interrupted; the workbook was not changed"), markup=False)
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as exc:  # a bug: keep the details for us, one line for the user
        from ..crashlog import write_crash_log

        log = write_crash_log("xlcust-error.log", traceback.format_exc())
        err.print(_("xlcust: internal error ({error}){where}", error=f"{type(exc).__name__}: {exc}",
                    where=_("; details in {log}", log=log) if log is not None else ""), style="red", markup=False)
        err.print(_("The workbook was not changed. Please report this with the log file."), markup=False)
        raise typer.Exit(EXIT_FAILED) from None


def load_book(path: Path):
    """Read the workbook and settle the language: --lang, else its Settings `language` if set."""
    from ..io.reader import read_book

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


def adopt_book_language(language: str | None) -> None:
    """A workbook's Settings `language` (None: not set) becomes the language, unless --lang was given."""
    if _requested_language is None and language:
        set_language(language)


def warn_flavour(book: Path, target: Path | None = None) -> None:
    """Say what a save to `target` (default: over `book`) does to macros, before it happens (io.flavour)."""
    from ..io.flavour import macros_left_out, misnamed, no_macros_in_xlsm
    from ..io.package import open_package

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

    from ..views.console import Column, render_table

    texts = [["" if v is None else str(v) for v in r] for r in rows]
    figure = re.compile(r"^-?(0|[1-9][\d,]*)(\.\d+)?%?$")  # "0101" is a code, not a number
    kinds = ["figure" if texts and all(figure.match(r[i]) or not r[i] for r in texts) else "text"
             for i in range(len(columns))]
    # the text columns before the first figure (a code, a name) say what a row is: every part repeats them
    leading = next((i for i, k in enumerate(kinds) if k == "figure"), 0)
    render_table(out, title, [Column(c, k, key=i < min(leading, 2))  # type: ignore[arg-type]
                              for i, (c, k) in enumerate(zip(columns, kinds, strict=True))], texts,
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
    from ..completeness import REPORT_SHEETS, ledger_coverage, report_findings

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


def error_language(book: Path | None) -> str:
    """The language to tell why a command failed: --lang, else the book's own (read from its
    Settings' first rows if the command had not read them yet), else the current one."""
    if _requested_language is not None or book is None:
        return current_language()
    from ..io.peek import settings_language

    return settings_language(book) or current_language()


def command_book() -> Path | None:
    """The workbook the running command works on (its BOOK argument or --into), if any."""
    from typer._click.globals import get_current_context  # the click typer bundles

    ctx = get_current_context(silent=True)
    params = ctx.params if ctx is not None else {}
    return next((params[k] for k in ("book", "into") if isinstance(params.get(k), Path)), None)


def remember_root_language(lang: str | None) -> None:
    """A --lang given before the command name (`xlcust --lang zh aging …`), for `run` to use."""
    global _root_language
    _root_language = lang


def run(body: Callable[[], int], lang: str | None = None) -> None:
    """Run a command's body in its language (--lang, else the locale until a workbook says otherwise)."""
    global _requested_language
    lang = lang if lang is not None else _root_language
    requested = normalize_language(lang)
    if lang is not None and requested is None:
        with use_language(resolve_language(None)), guarded():
            raise UsageError(msg("--lang must be en or zh, not '{lang}'", lang=lang))
    _requested_language = requested
    with use_language(resolve_language(requested)), guarded(command_book()):
        code = body()
    raise typer.Exit(code)



BasisOpt = Annotated[str | None, typer.Option("--basis", help=N_("Age from the due date (due) or invoice date "
                                                                 "(invoice)"))]


def ledger_for(book: Path, as_of: str | None, basis: str | None = None):
    """Read the book and build its ledger; returns (registry, ledger)."""
    from ..ledger import build_ledger

    when = parse_date_option(as_of, "--as-of")
    if basis is not None and basis not in ("due", "invoice"):
        raise UsageError(msg("--basis must be due or invoice, not '{basis}'", basis=basis))
    registry = load_book(book)
    with err.status(_("Allocating receipts and credit notes…")):
        return registry, build_ledger(registry, as_of=when, basis=basis)


def money_text(cents: object) -> str:
    from ..money import format_money

    return format_money(cents)


