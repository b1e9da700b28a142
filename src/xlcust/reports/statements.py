"""Customer statements (对账单): per customer and period, grouped by leaf category, print-ready.

    statements = build_statements(book, dt.date(2026, 7, 1), dt.date(2026, 9, 30), category="01")
    files = write_statements(statements, Path("statements"))           # one workbook per category
    files = write_statements(statements, Path("statements"), per="customer")

What a statement says (DESIGN §3; the ledger decides which rows count and their sign):

- **Opening balance** at `start`: Σ signed ledger lines dated before `start`.
- **Lines**: every ledger line dated `start` … `end` (both included), by date then sheet
  order, each with a running balance: the opening plus a cumsum over int64 cents.
- **Closing balance** = opening + debits − credits. It must equal the ledger's balance of
  the customer at `end` (open items − unapplied credit).
- **Aging** of what is open at `end`: the ledger's aging at as-of = `end`.
- **Credit limit**: customer → category → ancestors → Settings default
  (`archive.customer_credit_limits`); available credit = limit − closing balance.

Customers are grouped by their current category: one `CategoryStatement` per leaf
category (of `category` when given, which may be any level) with at least one customer
that has a line in the period or a balance at either end. The group's closing total
must equal the ledger aging balance of the category at `end`. Both ties are checked on
every build; a difference is a bug in xlcust and raises `StatementImbalance` (an
AssertionError, like `LedgerImbalance`). Customers with activity whose category is not
a leaf (blank, unknown, a parent) fit no category workbook and are listed in `skipped`.

The workbooks: a summary sheet (one row per customer, a total row and the tie to the
aging), then one sheet with a block per customer separated by manual page breaks, so
one file prints every statement of the category, each starting on its own page. Words,
fonts, formats, widths and print setup come from templates/statement.toml.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..archive import customer_credit_limits
from ..codes import CategoryTree
from ..errors import UsageError, WorkbookError, WorkbookLocked
from ..i18n import translate
from ..ledger import build_ledger
from ..money import format_money
from .statement_words import KINDS, SHEETS, WORDS

if TYPE_CHECKING:
    from xlsxwriter.workbook import Format, Workbook
    from xlsxwriter.worksheet import Worksheet

    from ..book import Book

TEMPLATE_NAME = "statement.toml"
PER = ("category", "customer")


class StatementImbalance(AssertionError):
    """Statement figures disagree with the ledger: a bug in xlcust, never a data problem."""


# ------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class CustomerStatement:
    """One customer's statement; money in int cents."""

    customer_code: str
    name: str
    category_code: str
    details: Mapping[str, str | None]  # tax_id, contact, phone, address
    opening: int
    lines: pd.DataFrame  # date, txn_id, kind, memo, debit, credit, balance (int64 cents), source_row
    closing: int
    aging: Mapping[str, int]  # bucket label → open amount at the end date
    open_amount: int
    unapplied_credit: int
    credit_limit: int | None  # None: no limit

    @property
    def debits(self) -> int:
        return int(self.lines["debit"].sum())

    @property
    def credits(self) -> int:
        return int(self.lines["credit"].sum())

    @property
    def available_credit(self) -> int | None:
        return None if self.credit_limit is None else self.credit_limit - self.closing


@dataclass(frozen=True)
class CategoryStatement:
    """The statements of one leaf category, and the ledger's aging balance they tie to."""

    category_code: str
    category_name: str
    customers: tuple[CustomerStatement, ...]
    aging_balance: int

    @property
    def opening(self) -> int:
        return sum(c.opening for c in self.customers)

    @property
    def debits(self) -> int:
        return sum(c.debits for c in self.customers)

    @property
    def credits(self) -> int:
        return sum(c.credits for c in self.customers)

    @property
    def closing(self) -> int:
        return sum(c.closing for c in self.customers)


@dataclass(frozen=True)
class SkippedCustomer:
    """A customer with activity that no category workbook can hold."""

    customer_code: str
    category_code: str | None
    closing: int
    reason: str  # no_category | unknown_category (not in Categories) | not_a_leaf


@dataclass(frozen=True)
class Statements:
    """Every statement of one run: the period, the words' language and the groups."""

    start: dt.date
    end: dt.date
    category: str | None  # as asked (any level), None = all
    language: str
    company_name: str
    currency: str
    basis: str
    bucket_labels: tuple[str, ...]
    categories: tuple[CategoryStatement, ...]
    skipped: tuple[SkippedCustomer, ...] = ()
    excluded_rows: int = 0  # Transactions rows the ledger leaves out as invalid (the checks report them)
    selected: bool = False  # only some customers (statements --where): totals tie to theirs, not the category's


def build_statements(book: Book, start: dt.date, end: dt.date, category: str | None = None,
                     customers: Collection[str] | None = None) -> Statements:
    """Statements of every customer with activity from `start` to `end` (both included).

    `category` (any level) limits them to its leaf categories; `customers` (codes, e.g.
    those a `--where` condition selected) to those customers, each category's total then
    tying to the aging balance of the customers shown. Raises UsageError for a
    period that ends before it starts or an unknown category; StatementImbalance on a bug.
    """
    if start > end:
        raise UsageError(f"the period starts ({start}) after it ends ({end})")
    tree = CategoryTree.from_book(book)
    wanted = _wanted_leaves(tree, category)
    ledger = build_ledger(book, as_of=end)
    aging = ledger.aging()
    chosen = customers
    customers = ledger.customers
    codes = customers.index.to_numpy(dtype=object)

    lines = ledger.lines
    cust = ledger.line_customer
    amount = lines["amount"].to_numpy(dtype=np.int64)
    before = (lines["date"] < pd.Timestamp(start)).to_numpy()
    opening = _sum_by(cust[before], amount[before], len(codes))
    movement = _sum_by(cust[~before], amount[~before], len(codes))
    n_lines = np.bincount(cust[~before], minlength=len(codes))
    closing = opening + movement

    by_customer = aging.by_customer.set_index("customer_code")
    balance = by_customer["balance"].reindex(codes, fill_value=0).to_numpy(dtype=np.int64)
    differ = np.flatnonzero(closing != balance)
    if len(differ):
        shown = ", ".join(f"{codes[i]} {closing[i]} != {balance[i]}" for i in differ[:5])
        raise StatementImbalance(f"closing balances differ from the ledger at {end} (a bug in xlcust): {shown}")

    active = (n_lines > 0) | (opening != 0) | (closing != 0)
    if chosen is not None:
        active &= pd.Index(codes).isin(list(chosen))
    category_of = customers["category_code"].to_numpy(dtype=object)
    in_wanted = customers["category_code"].isin(wanted).to_numpy(dtype=bool)
    stated = ~before & in_wanted[cust]  # only the lines a workbook will show
    period = _period_lines(book, lines[stated], cust[stated], opening)
    limits = _credit_limits(book)
    details = _details(book)
    leaves = set(tree.leaves)
    aging_by_category = aging.by_category.set_index("category_code")["balance"]
    if chosen is not None:  # the customers left out are not in the total either
        aging_by_category = pd.Series(balance[active], dtype=np.int64).groupby(category_of[active]).sum()

    groups: list[CategoryStatement] = []
    for leaf in wanted:
        members = np.flatnonzero(active & (category_of == leaf))
        if not len(members):
            continue
        statements = tuple(
            CustomerStatement(
                customer_code=str(codes[i]),
                name=customers["name"].iat[i] or "",
                category_code=leaf,
                details=details.get(codes[i], {"contact": customers["contact"].iat[i],
                                               "phone": customers["phone"].iat[i]}),
                opening=int(opening[i]),
                lines=period.get(i, _NO_LINES),
                closing=int(closing[i]),
                aging=_aging_of(by_customer, codes[i], aging.labels),
                open_amount=_cents(by_customer, codes[i], "open_amount"),
                unapplied_credit=_cents(by_customer, codes[i], "unapplied_credit"),
                credit_limit=limits.get(codes[i]),
            )
            for i in members
        )
        group = CategoryStatement(leaf, tree.names.get(leaf, ""), statements,
                                  int(aging_by_category.get(leaf, 0)))
        if group.closing != group.aging_balance:
            raise StatementImbalance(f"category {leaf}: closing total {group.closing} != aging balance "
                                     f"{group.aging_balance} at {end} (a bug in xlcust)")
        groups.append(group)

    skipped = tuple(
        SkippedCustomer(str(codes[i]), category_of[i], int(closing[i]), _why_skipped(category_of[i], tree))
        for i in np.flatnonzero(active)
        if category_of[i] not in leaves and _under(category_of[i], category)
    )
    settings = book.settings
    return Statements(
        start=start, end=end, category=category, language=settings.language, company_name=settings.company_name,
        currency=settings.currency, basis=ledger.basis, bucket_labels=tuple(aging.labels),
        categories=tuple(groups), skipped=skipped,
        excluded_rows=int((ledger.excluded["reason"] != "after_as_of").sum()), selected=chosen is not None,
    )


_NO_LINES = pd.DataFrame({
    "date": pd.Series([], dtype="datetime64[ns]"), "txn_id": pd.Series([], dtype=object),
    "kind": pd.Series([], dtype=object), "memo": pd.Series([], dtype=object),
    **{c: pd.Series([], dtype=np.int64) for c in ("debit", "credit", "balance", "source_row")},
})


def _wanted_leaves(tree: CategoryTree, category: str | None) -> list[str]:
    if category is None:
        return tree.leaves
    if category not in tree:
        known = tree.describe([c for c in tree.codes if tree.level(c) == 1])
        raise UsageError(f"--category {category}: no such category (top-level categories: {known or 'none'})")
    return tree.leaves_under(category)


def _under(code: str | None, category: str | None) -> bool:
    """Whether a customer's category falls in the asked category (anything when none was asked)."""
    if category is None:
        return True
    return code is not None and code.startswith(category)


def _why_skipped(code: str | None, tree: CategoryTree) -> str:
    if code is None:
        return "no_category"
    return "not_a_leaf" if code in tree else "unknown_category"


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums per index (bincount would go through float64)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _period_lines(book: Book, lines: pd.DataFrame, cust: np.ndarray, opening: np.ndarray) -> dict[int, pd.DataFrame]:
    """Per customer position: its lines of the period with debit, credit and running balance."""
    amount = lines["amount"].to_numpy(dtype=np.int64)
    memo = book.transactions.data["memo"].reindex(lines["source_row"].to_numpy())
    frame = pd.DataFrame({
        "customer": cust,
        "date": lines["date"].to_numpy(),
        "txn_id": lines["txn_id"].to_numpy(dtype=object),
        "kind": lines["kind"].to_numpy(dtype=object),
        "memo": memo.to_numpy(dtype=object),
        "debit": np.where(amount > 0, amount, 0),
        "credit": np.where(amount < 0, -amount, 0),
        "amount": amount,
        "source_row": lines["source_row"].to_numpy(dtype=np.int64),
    })
    frame = frame.sort_values(["customer", "date", "source_row"], kind="stable")
    frame["balance"] = opening[frame["customer"].to_numpy()] + frame.groupby("customer")["amount"].cumsum()
    columns = ["date", "txn_id", "kind", "memo", "debit", "credit", "balance", "source_row"]
    return {int(k): g[columns].reset_index(drop=True) for k, g in frame.groupby("customer", sort=False)}


def _first_rows(book: Book) -> pd.DataFrame:
    data = book.customers.data
    codes = data["code"]
    return data[codes.notna().to_numpy() & ~codes.duplicated().to_numpy()]


def _credit_limits(book: Book) -> dict[str, int]:
    """Customer code → resolved credit limit in cents (no entry: no limit); the first row of a code wins."""
    rows = _first_rows(book)
    limits = customer_credit_limits(book).reindex(rows.index)
    return {code: int(v) for code, v in zip(rows["code"], limits, strict=True) if not pd.isna(v)}


def _details(book: Book) -> dict[str, dict[str, str | None]]:
    rows = _first_rows(book)

    def cell(value: object) -> str | None:
        return None if value is None or pd.isna(value) else str(value)

    from ..codes import CodingScheme
    from ..ledger.terms import archive_defaults

    fields = [f for f in ("tax_id", "contact", "phone", "address") if f in rows.columns]
    details = {code: {f: cell(rows[f].iat[i]) for f in fields} for i, code in enumerate(rows["code"])}
    # Settlement method and invoice type as the customer's category tree resolves them (ledger.terms).
    defaults = archive_defaults(book.customers.data, book.categories.data, CodingScheme.from_settings(book.settings))
    for code, method, invoice in zip(defaults.index, defaults["settlement_method"], defaults["invoice_type"],
                                     strict=True):
        if code in details:
            details[code].update(settlement_method=cell(method), invoice_type=cell(invoice))
    return details


def _aging_of(by_customer: pd.DataFrame, code: str, labels: Iterable[str]) -> dict[str, int]:
    return {label: _cents(by_customer, code, label) for label in labels}


def _cents(by_customer: pd.DataFrame, code: str, column: str) -> int:
    return int(by_customer.at[code, column]) if code in by_customer.index else 0


# ------------------------------------------------------------------------ template


@dataclass(frozen=True)
class StatementTemplate:
    """templates/statement.toml, parsed; `lang` picks the words."""

    data: Mapping[str, Any]
    lang: str

    def word(self, key: str, **fill: object) -> str:
        """A statement word (`statement_words.WORDS`) in the statement's language."""
        return translate(WORDS[key], self.lang, **fill)

    def kind(self, kind: str | None) -> str:
        msgid = KINDS.get(kind or "")
        return translate(msgid, self.lang) if msgid else (kind or "")

    def sheet(self, key: str) -> str:
        return translate(SHEETS[key], self.lang)

    def bucket(self, label: str) -> str:
        """An aging bucket label (`Not due`, `1-30`, `>180`) in words."""
        if m := re.fullmatch(r"(\d+)-(\d+)", label):
            return self.word("bucket", low=m[1], high=m[2])
        if m := re.fullmatch(r">(\d+)", label):
            return self.word("beyond", days=m[1])
        return self.word("not_due") if label == "Not due" else label

    def print_text(self, key: str) -> str:
        """A header/footer layout from the template, its words (`{page}`) in the statement's language."""
        return self.data["print"][key].replace("{page}", self.word("page"))


def load_statement_template(lang: str = "en", name: str = TEMPLATE_NAME) -> StatementTemplate:
    """The statement template from the `xlcust.templates` package, for `lang` (en or zh)."""
    try:
        text = (resources.files("xlcust.templates") / name).read_text(encoding="utf-8")
    except ModuleNotFoundError:  # an editable install made before templates/ became a package
        text = (Path(__file__).resolve().parents[3] / "templates" / name).read_text(encoding="utf-8")
    return StatementTemplate(tomllib.loads(text), lang if lang in ("en", "zh") else "en")


# ------------------------------------------------------------------------ writing


@dataclass(frozen=True)
class StatementFile:
    """A workbook written: its category, customers and closing total (cents)."""

    category_code: str
    path: Path
    customers: tuple[str, ...]
    closing_total: int
    customer_code: str | None = None  # set with per="customer"


def statement_file_name(category_code: str, start: dt.date, end: dt.date, customer_code: str | None = None) -> str:
    """`statement_<category>_<from>_<to>.xlsx`; per customer `statement_<category>_<customer>_<from>_<to>.xlsx`."""
    parts = [category_code] + ([_safe(customer_code)] if customer_code else []) + [start.isoformat(), end.isoformat()]
    return "statement_" + "_".join(parts) + ".xlsx"


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]", "_", text)


def write_statements(statements: Statements, out_dir: Path, per: str = "category") -> list[StatementFile]:
    """Write the workbooks into `out_dir` (created if missing): one per category, or per customer."""
    if per not in PER:
        raise UsageError(f"--per must be category or customer, not '{per}'")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkbookError(f"{out_dir}: cannot create the folder ({exc.strerror or exc})") from None
    files = []
    for group in statements.categories:
        if per == "category":
            path = out_dir / statement_file_name(group.category_code, statements.start, statements.end)
            write_category_workbook(path, statements, group)
            files.append(StatementFile(group.category_code, path, tuple(c.customer_code for c in group.customers),
                                       group.closing))
            continue
        for customer in group.customers:
            path = out_dir / statement_file_name(group.category_code, statements.start, statements.end,
                                                 customer.customer_code)
            write_category_workbook(path, statements, group, only=customer)
            files.append(StatementFile(group.category_code, path, (customer.customer_code,), customer.closing,
                                       customer.customer_code))
    return files


def write_category_workbook(path: Path, statements: Statements, group: CategoryStatement,
                            only: CustomerStatement | None = None) -> None:
    """One workbook: the summary sheet and the statement blocks (or only `only`'s block, without summary)."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    tpl = load_statement_template(statements.language)
    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    ctx = _Context(workbook, tpl, statements, group)
    summary = None if only is not None else workbook.add_worksheet(tpl.sheet("summary"))
    sheet = workbook.add_worksheet(tpl.sheet("statements"))
    customers = (only,) if only is not None else group.customers
    starts = _write_blocks(ctx, sheet, customers)
    if summary is not None:
        _write_summary(ctx, summary, starts)
        summary.activate()
    workbook.set_properties({
        "title": " ".join((tpl.word("title"), group.category_code, group.category_name or "")).strip(),
        "subject": tpl.word("period", start=statements.start.isoformat(), end=statements.end.isoformat()),
        "author": tpl.data["workbook"]["author"], "company": statements.company_name,
    })
    try:
        workbook.close()
    except FileCreateError as exc:
        raise WorkbookLocked(f"{path}: cannot write the file ({exc.__context__ or exc}); "
                             "close it in Excel or WPS, or choose another folder") from None
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


@dataclass
class _Context:
    workbook: Workbook
    template: StatementTemplate
    statements: Statements
    group: CategoryStatement
    _formats: dict[str, Format] = field(default_factory=dict)

    def fmt(self, name: str) -> Format:
        """A template format with the language's font, made once per workbook."""
        if name not in self._formats:
            font = self.template.data["font"][self.template.lang]
            self._formats[name] = self.workbook.add_format({**font, **self.template.data["formats"][name]})
        return self._formats[name]

    @cached_property
    def period(self) -> str:
        return self.template.word("period", start=self.statements.start.isoformat(),
                                  end=self.statements.end.isoformat())

    @cached_property
    def category_caption(self) -> str:
        return f"{self.group.category_code} {self.group.category_name}".strip()


def _yuan(cents: int) -> float:
    # Exact for every whole number of cents below 2**53; the cell format shows two places.
    return int(cents) / 100


def _date(value: object) -> dt.datetime:
    return pd.Timestamp(value).to_pydatetime()


def display_width(text: object) -> int:
    """Columns a text takes in a fixed-width view: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _fit_widths(sheet: Worksheet, spec: list[Mapping[str, int]], widest: list[int]) -> None:
    for j, (bounds, width) in enumerate(zip(spec, widest, strict=True)):
        sheet.set_column(j, j, max(bounds["min"], min(bounds["max"], width + 2)))


def _print_setup(ctx: _Context, sheet: Worksheet) -> None:
    setup = ctx.template.data["print"]
    fill = {"company": _amp(ctx.statements.company_name), "category": _amp(ctx.category_caption),
            "period": _amp(f"{ctx.statements.start.isoformat()} ~ {ctx.statements.end.isoformat()}")}
    margins = setup["margins"]
    sheet.set_paper(setup["paper"])
    sheet.set_portrait()
    sheet.fit_to_pages(setup["fit_width"], 0)
    sheet.set_margins(left=margins["left"], right=margins["right"], top=margins["top"], bottom=margins["bottom"])
    sheet.set_header(ctx.template.print_text("header").format(**fill), {"margin": margins["header"]})
    sheet.set_footer(ctx.template.print_text("footer").format(**fill), {"margin": margins["footer"]})
    sheet.hide_gridlines(2)
    sheet.center_horizontally()


def _amp(text: str) -> str:
    return text.replace("&", "&&")  # a lone & starts a header/footer code


# One statement block, as rows of a 7-column grid (A date … G balance).
_LAST = 6


def _write_blocks(ctx: _Context, sheet: Worksheet, customers: Iterable[CustomerStatement]) -> list[int]:
    """Every customer's block, each on a new page; returns the first row of each block."""
    starts: list[int] = []
    widest = [0] * (_LAST + 1)
    row = 0
    for customer in customers:
        starts.append(row)
        row = _write_block(ctx, sheet, row, customer, widest) + 2
    _fit_widths(sheet, ctx.template.data["columns"]["statement"], widest)
    sheet.set_h_pagebreaks(starts[1:])  # a break above each later block's first row
    _print_setup(ctx, sheet)
    return starts


def _write_block(ctx: _Context, sheet: Worksheet, top: int, c: CustomerStatement, widest: list[int]) -> int:
    """One customer's statement from row `top`; returns its last row. Widens `widest` as it writes."""
    tpl, s, fmt = ctx.template, ctx.statements, ctx.fmt

    def grow(col: int, text: object) -> None:
        widest[col] = max(widest[col], display_width(text))

    sheet.set_row(top, 24)
    sheet.merge_range(top, 0, top, _LAST, s.company_name, fmt("company"))
    sheet.merge_range(top + 1, 0, top + 1, _LAST, tpl.word("title"), fmt("title"))
    sheet.merge_range(top + 2, 0, top + 2, _LAST, ctx.period, fmt("period"))

    details = c.details
    pairs = (
        ("customer_code", c.customer_code, "tax_id", details.get("tax_id")),
        ("customer_name", c.name, "contact", details.get("contact")),
        ("address", details.get("address"), "phone", details.get("phone")),
        ("category", ctx.category_caption, "currency", s.currency),
        ("settlement_method", details.get("settlement_method"), "invoice_type", details.get("invoice_type")),
    )
    row = top + 4
    for left, left_value, right, right_value in pairs:
        sheet.write_string(row, 0, tpl.word(left), fmt("label"))
        sheet.merge_range(row, 1, row, 3, left_value or "", fmt("value"))
        sheet.write_string(row, 4, tpl.word(right), fmt("label"))
        sheet.merge_range(row, 5, row, _LAST, right_value or "", fmt("value"))
        grow(0, tpl.word(left))
        grow(4, tpl.word(right))
        row += 1

    row += 1
    headers = ("date", "txn_id", "kind", "memo", "debit", "credit", "balance")
    for j, key in enumerate(headers):
        sheet.write_string(row, j, tpl.word(key), fmt("header"))
        grow(j, tpl.word(key))
    row += 1
    sheet.write_datetime(row, 0, _date(s.start), fmt("date"))
    _blank(sheet, row, (1, 2, 4, 5), fmt("text"))
    sheet.write_string(row, 3, tpl.word("opening"), fmt("sub_text"))
    sheet.write_number(row, 6, _yuan(c.opening), fmt("sub_money"))
    grow(6, format_money(c.opening))
    row += 1
    for line in c.lines.itertuples(index=False):
        sheet.write_datetime(row, 0, _date(line.date), fmt("date"))
        sheet.write_string(row, 1, line.txn_id or "", fmt("text"))
        sheet.write_string(row, 2, tpl.kind(line.kind), fmt("text"))
        memo = "" if line.memo is None or pd.isna(line.memo) else str(line.memo)
        sheet.write_string(row, 3, memo, fmt("wrap"))
        for j, cents in ((4, line.debit), (5, line.credit)):
            if cents:
                sheet.write_number(row, j, _yuan(cents), fmt("money"))
            else:
                sheet.write_blank(row, j, None, fmt("money"))
        sheet.write_number(row, 6, _yuan(line.balance), fmt("money"))
        for j, value in ((1, line.txn_id or ""), (2, tpl.kind(line.kind)), (3, memo), (4, format_money(line.debit)),
                         (5, format_money(line.credit)), (6, format_money(line.balance))):
            grow(j, value)
        row += 1
    if c.lines.empty:
        _blank(sheet, row, (0, 1, 2, 4, 5, 6), fmt("text"))
        sheet.write_string(row, 3, tpl.word("no_lines"), fmt("wrap"))
        row += 1
    _blank(sheet, row, (0, 1, 2, 6), fmt("sub_text"))
    sheet.write_string(row, 3, tpl.word("period_total"), fmt("sub_text"))
    sheet.write_number(row, 4, _yuan(c.debits), fmt("sub_money"))
    sheet.write_number(row, 5, _yuan(c.credits), fmt("sub_money"))
    row += 1
    sheet.write_datetime(row, 0, _date(s.end), fmt("total_date"))
    _blank(sheet, row, (1, 2, 4, 5), fmt("total_text"))
    sheet.write_string(row, 3, tpl.word("closing"), fmt("total_text"))
    sheet.write_number(row, 6, _yuan(c.closing), fmt("total_money"))
    for j, value in ((4, format_money(c.debits)), (5, format_money(c.credits)), (6, format_money(c.closing))):
        grow(j, value)

    row = _write_aging_and_credit(ctx, sheet, row + 2, c)

    row += 1
    sheet.set_row(row, 30)
    sheet.merge_range(row, 0, row, _LAST, tpl.word("confirm"), fmt("note"))
    row += 2
    sheet.set_row(row, 24)
    sheet.merge_range(row, 0, row, 3, tpl.word("signature"), fmt("label"))
    sheet.merge_range(row, 4, row, _LAST, tpl.word("signed_on"), fmt("label"))
    return row


def _write_aging_and_credit(ctx: _Context, sheet: Worksheet, row: int, c: CustomerStatement) -> int:
    """Aging at the end date (columns A-D) beside the credit position (E-G); returns the last row."""
    tpl, fmt = ctx.template, ctx.fmt
    sheet.merge_range(row, 0, row, 3, tpl.word("aging", date=ctx.statements.end.isoformat()), fmt("section"))
    sheet.merge_range(row, 4, row, _LAST, tpl.word("credit_heading"), fmt("section"))
    aging: list[tuple[str, int, str, str]] = [
        (tpl.bucket(label), c.aging[label], "text", "money") for label in ctx.statements.bucket_labels
    ]
    aging.append((tpl.word("open_items"), c.open_amount, "sub_text", "sub_money"))
    if c.unapplied_credit:
        aging.append((tpl.word("unapplied"), -c.unapplied_credit, "text", "money"))
    aging.append((tpl.word("aging_balance"), c.open_amount - c.unapplied_credit, "sub_text", "sub_money"))
    limit = c.credit_limit
    credit: list[tuple[str, Callable[[int], None], str]] = [
        (tpl.word("credit_limit"), _money_or_text(sheet, limit, tpl.word("no_limit"), fmt("money"), fmt("text")),
         "text"),
        (tpl.word("closing"), _money_or_text(sheet, c.closing, "", fmt("money"), fmt("text")), "text"),
        (tpl.word("available"), _money_or_text(sheet, c.available_credit, tpl.word("no_limit"), fmt("sub_money"),
                                               fmt("sub_text")), "sub_text"),
    ]
    for i, (label, cents, label_fmt, money_fmt) in enumerate(aging):
        r = row + 1 + i
        sheet.merge_range(r, 0, r, 2, label, fmt(label_fmt))
        sheet.write_number(r, 3, _yuan(cents), fmt(money_fmt))
    for i, (label, write_value, label_fmt) in enumerate(credit):
        r = row + 1 + i
        sheet.merge_range(r, 4, r, 5, label, fmt(label_fmt))
        write_value(r)
    return row + max(len(aging), len(credit))


def _money_or_text(sheet: Worksheet, cents: int | None, missing: str, money: Format,
                   text: Format) -> Callable[[int], None]:
    """A writer of column G on a row: the amount, or `missing` when there is none."""
    def write(row: int) -> None:
        if cents is None:
            sheet.write_string(row, _LAST, missing, text)
        else:
            sheet.write_number(row, _LAST, _yuan(cents), money)
    return write


def _blank(sheet: Worksheet, row: int, cols: Iterable[int], fmt: Format) -> None:
    for j in cols:
        sheet.write_blank(row, j, None, fmt)


_SUMMARY_HEADER_ROW = 4


def _write_summary(ctx: _Context, sheet: Worksheet, starts: list[int]) -> None:
    """Customers of the category with opening, debits, credits and closing; total; the tie to the aging."""
    tpl, s, g, fmt = ctx.template, ctx.statements, ctx.group, ctx.fmt
    last = 5
    sheet.set_row(0, 24)
    sheet.merge_range(0, 0, 0, last, s.company_name, fmt("company"))
    sheet.merge_range(1, 0, 1, last, f"{tpl.word('summary_title')} — {ctx.category_caption}", fmt("title"))
    sheet.merge_range(2, 0, 2, last, ctx.period, fmt("period"))
    headers = ("customer_code", "customer_name", "opening", "debits", "credits", "closing")
    widest = [display_width(tpl.word(h)) for h in headers]
    for j, key in enumerate(headers):
        sheet.write_string(_SUMMARY_HEADER_ROW, j, tpl.word(key), fmt("header"))
    row = _SUMMARY_HEADER_ROW + 1
    target = tpl.sheet("statements").replace("'", "''")
    for c, start in zip(g.customers, starts, strict=True):
        sheet.write_url(row, 0, f"internal:'{target}'!A{start + 1}", fmt("link"), string=c.customer_code)
        sheet.write_string(row, 1, c.name, fmt("wrap"))
        figures = (c.opening, c.debits, c.credits, c.closing)
        for j, cents in enumerate(figures, start=2):
            sheet.write_number(row, j, _yuan(cents), fmt("money"))
        for j, value in enumerate((c.customer_code, c.name, *map(format_money, figures))):
            widest[j] = max(widest[j], display_width(value))
        row += 1
    sheet.merge_range(row, 0, row, 1, tpl.word("total"), fmt("total_text"))
    for j, cents in enumerate((g.opening, g.debits, g.credits, g.closing), start=2):
        sheet.write_number(row, j, _yuan(cents), fmt("total_money"))
    row += 2
    tie = tpl.word("tie_selected" if s.selected else "tie", date=s.end.isoformat())
    sheet.merge_range(row, 0, row, last - 1, tie, fmt("note"))
    sheet.write_number(row, last, _yuan(g.aging_balance), fmt("money"))
    _fit_widths(sheet, ctx.template.data["columns"]["summary"], widest)
    sheet.repeat_rows(0, _SUMMARY_HEADER_ROW)
    sheet.freeze_panes(_SUMMARY_HEADER_ROW + 1, 0)
    _print_setup(ctx, sheet)
