"""Revenue by category (DESIGN §3): net sales per period × category, rolled up the tree.

    report = revenue(book, date(2026, 1, 1), date(2026, 9, 30), by="month", level=None,
                     basis="historical", tax=None)
    report.items()              period, category_code, name, level, net_sales (levels ≤ level)
    report.to_json()            the `xlcust revenue --json` document
    with_contribution(book, report)   share, change on a year earlier, ABC (xlcust.reports.contribution)
    revenue_sheet(report, lang) the wide "Revenue" output sheet (xlcust.views.revenue)
    export_tables_for(report, lang)      the same as a standalone .xlsx or .csv (views.revenue, io.export)
    current_year_revenue(book)  what `xlcust run` shows: 1 January to the as-of date, by month

Semantics, each a decision an auditor can check:

- **Which lines.** The ledger's line selection (`xlcust.ledger.lines.select_lines`):
  rows with a date, an amount, a known kind and a customer code; of those the
  invoices and credit notes dated from `date_from` to `date_to`, both included.
  Receipts, openings and adjustments are not sales. Net sales = invoices − credit
  notes; a negative typed amount turns the direction round as everywhere in the
  ledger (a red invoice typed as a negative invoice reduces sales). Rows are not cut
  at the Settings as-of date: the period says which rows count.
- **Which category.** `historical` (default): the category in force on the line's
  date (`xlcust.history.category_at`; where no history period covers the date the
  customer's current category is used, and those lines are listed in
  `history_fallbacks`). `current`: the Customers sheet's category_code. Lines of a
  customer not on the Customers sheet, or without a category, are `uncategorised`
  (category_code None, no level), so level-1 rows + uncategorised = the total.
- **Tax.** `tax` is "included" or "excluded"; the default (None) is as entered:
  "included" when Settings amounts_include_tax is TRUE, else "excluded". Asking for
  "excluded" from amounts that include tax strips VAT line by line:
      net = amount / (1 + rate), rounded half away from zero to the cent, per line
  (tax = amount − net), so every figure is a sum of whole cents and categories add up
  exactly. The rate is that of the category in force on the line's date — VAT charged
  on an invoice is a fact of that invoice — on either basis, so both bases strip the
  same tax and their totals agree. A blank rate is inherited from the nearest ancestor
  by the coding scheme; rates outside 0–100% (CAT_TAX_RATE_INVALID) are skipped the
  same way; where no rate is found the line keeps its amount and is counted in
  `control.lines_without_rate`. Rates are taken to a millionth (0.0001%). Asking for
  "included" when amounts are entered without tax is refused (no gross-up).
- **Periods.** Calendar months (`2026-01`), quarters (`2026Q1`) or years (`2026`);
  the first and last are cut at `date_from` / `date_to` (`totals` gives each period's
  start and end). Every period of the range is listed, with 0 when nothing was sold.
- **Roll-up.** `xlcust.ledger.rollup`: a line counts under its category and every
  ancestor, so each level 1 … depth is a complete split; `level` only limits which
  levels are shown.
- **Control total.** Recomputed straight from the typed Transactions frame (its own
  selection, not the ledger's) and, when tax is stripped, its own category look-up.
  The report asserts that it ties to the cent with the sum of the lines, with each
  period's level-1 rows + uncategorised, and with the sum of the periods; and that the
  two bases differ exactly by the reconciliation. A mismatch is a bug in xlcust and
  raises `RevenueImbalance`.
- **Reconciliation.** Lines whose historical and current categories differ, per
  customer and (from, to) pair: how many lines and how much net revenue moved.
  `basis_difference` gives, per category at every level, historical, current and
  current − historical, which equals what moved in minus what moved out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..codes import CodingScheme
from ..errors import UsageError
from ..history import categories_in_force, current_categories
from ..i18n import msg
from ..ledger._frames import from_days, sum_by, text, text_values, to_days, with_money
from ..ledger.lines import Selection, select
from ..ledger.records import json_records
from ..ledger.rollup import rollup
from ..ledger.terms import category_table, inherit
from ..money import money_to_json
from ..tables import Numbered
from .datahash import data_hash

if TYPE_CHECKING:
    from ..book import Book
    from .contribution import Contribution

PERIODS = ("month", "quarter", "year")
BASES = ("historical", "current")
TAX_MODES = ("included", "excluded")
SALES_SIGN = {"invoice": 1, "credit_note": -1}

_PPM = 1_000_000  # tax rates are taken to a millionth
_NONE = "<none>"  # no category, while grouping (not a code: codes are [0-9A-Z])


class RevenueImbalance(AssertionError):
    """The report does not tie to its control totals: a bug in xlcust, never a data problem."""


@dataclass(frozen=True)
class RevenueParameters:
    date_from: dt.date
    date_to: dt.date
    by: str
    level: int  # levels shown (1 … depth)
    depth: int  # levels of the coding scheme
    basis: str
    tax: str  # what the figures are: "included" or "excluded"
    tax_stripped: bool  # VAT was taken out of amounts entered with it
    as_of: dt.date
    data_hash: str

    def to_json(self) -> dict:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "by": self.by,
                "level": self.level, "basis": self.basis, "tax": self.tax, "as_of": self.as_of.isoformat(),
                "data_hash": self.data_hash}


@dataclass(frozen=True)
class RevenueControl:
    """Totals straight from the Transactions sheet, in int cents (see the module docstring)."""

    lines: int  # invoice and credit-note rows used
    invoices: int  # Σ invoices as entered (signed: a negative invoice reduces it)
    credit_notes: int  # Σ credit notes as entered (positive)
    gross: int  # invoices − credit_notes, as entered
    tax: int  # tax taken out (0 unless stripped)
    net: int  # gross − tax: the control total
    uncategorised: int  # net sales on lines without a category, on the report's basis
    lines_without_rate: int  # lines whose tax could not be stripped (no rate found)
    history_fallback_lines: int  # lines put in the customer's current category for want of history

    def to_json(self) -> dict:
        money = ("invoices", "credit_notes", "gross", "tax", "net", "uncategorised")
        return {k: (money_to_json(v) if k in money else v) for k, v in self.__dict__.items()}


@dataclass
class RevenueReport:
    """Frames hold int64 cents (money columns marked for `json_records`)."""

    parameters: RevenueParameters
    control: RevenueControl
    by_category: pd.DataFrame  # period, category_code, name, level, net_sales — every level, uncategorised
    totals: pd.DataFrame  # period, start, end, net_sales — every period of the range
    lines: pd.DataFrame  # one row per sales line: where it came from and where it went
    reconciliation: pd.DataFrame  # per customer and (from, to): lines and net sales that moved
    basis_difference: pd.DataFrame  # per category: historical, current, difference (only where they differ)
    history_fallbacks: pd.DataFrame  # per customer: lines that took the current category for want of history
    categories: pd.DataFrame  # the Categories sheet as the ledger sees it (index code: name, level)
    scheme: CodingScheme
    # Share, change on a year earlier and ABC ranking (xlcust.reports.contribution), when asked for.
    contribution: Contribution | None = None

    @property
    def control_total(self) -> int:
        return self.control.net

    def items(self) -> pd.DataFrame:
        """Rows to show: every level up to `parameters.level`, and the uncategorised rows."""
        return self._shown(self.by_category)

    def _shown(self, frame: pd.DataFrame) -> pd.DataFrame:
        level = frame["level"]
        shown = level.isna() | (level <= self.parameters.level)
        return frame[shown.to_numpy(dtype=bool)].reset_index(drop=True)

    def to_json(self) -> dict:
        """The `xlcust revenue --json` document."""
        return {
            "items": json_records(self.items()),
            "totals": json_records(self.totals),
            "control_total": money_to_json(self.control.net),
            "control": self.control.to_json(),
            "reconciliation": json_records(self.reconciliation),
            "basis_difference": json_records(self._shown(self.basis_difference)),
            "history_fallbacks": json_records(self.history_fallbacks),
            "parameters": self.parameters.to_json(),
            **({"contribution": self.contribution.to_json()} if self.contribution is not None else {}),
        }

    def wide(self) -> pd.DataFrame:
        """Categories as rows (every category of the sheet, levels ≤ level), periods as columns, total.

        Columns: category_code, name, level, one int-cents column per period label, total.
        Codes in code order (parents before children); an uncategorised row (code None)
        last when any line has no category. No grand-total row (see `totals`).
        """
        labels = self.totals["period"].tolist()
        data = self.by_category
        key = data["category_code"].fillna(_NONE).to_numpy(dtype=object)
        grid = (pd.DataFrame({"code": key, "period": data["period"].to_numpy(), "v": data["net_sales"]})
                .pivot_table(index="code", columns="period", values="v", aggfunc="sum", fill_value=0))
        scheme = self.scheme
        levels = {c: scheme.level_of(c) for c in {*self.categories.index, *grid.index} - {_NONE}
                  if isinstance(c, str)}
        codes = sorted(c for c, n in levels.items() if n is not None and n <= self.parameters.level)
        if _NONE in grid.index:
            codes.append(_NONE)
        grid = grid.reindex(index=codes, columns=labels, fill_value=0).astype(np.int64)
        names = self.categories["name"].reindex([None if c == _NONE else c for c in codes])
        out = pd.DataFrame({
            "category_code": text([None if c == _NONE else c for c in codes]),
            "name": text(text_values(names.to_numpy(dtype=object))),
            "level": pd.array([None if c == _NONE else levels[c] for c in codes], dtype="Int64"),
        })
        for label in labels:
            out[label] = grid[label].to_numpy(dtype=np.int64)
        out["total"] = grid.sum(axis=1).to_numpy(dtype=np.int64)
        return with_money(out, [*labels, "total"])


# --------------------------------------------------------------------------- the report


def revenue(
    book: Book,
    date_from: dt.date,
    date_to: dt.date,
    *,
    by: str = "month",
    level: int | None = None,
    basis: str = "historical",
    tax: str | None = None,
    lines: SalesLines | None = None,
) -> RevenueReport:
    """Net sales per period × category of `book` (module docstring). UsageError for bad arguments.

    `lines` (`sales_lines_in`) are the book's sales lines already looked up for ranges that
    include this one: a report and its year-earlier comparison share one pass over the sheet.
    """
    settings = book.settings
    scheme = CodingScheme.from_settings(settings)
    _validate(date_from, date_to, by, level, basis, tax, scheme, settings.amounts_include_tax)
    tax = tax or ("included" if settings.amounts_include_tax else "excluded")
    strip = settings.amounts_include_tax and tax == "excluded"
    categories = category_table(book.categories.data, scheme)
    periods = period_table(date_from, date_to, by)

    if lines is None or not lines.covers(date_from, date_to):
        lines = sales_lines_in(book, [(date_from, date_to)])
    part = lines.within(date_from, date_to)
    sales = part.lines
    customer = sales["customer_code"]
    historical, current, rate = part.historical, part.current, part.rate
    gross = sales["amount"].to_numpy(dtype=np.int64)
    net = strip_tax(gross, rate) if strip else gross.copy()
    days = to_days(sales["date"].to_numpy())
    period = period_ids(days, by) - period_ids(np.array([_day(date_from)]), by)[0]
    shown_code = historical if basis == "historical" else current
    # Both categories of every line as numbers into one list of codes (−1: none), to compare and sum by.
    numbers, codes = pd.factorize(np.concatenate([historical, current]))
    numbered = _Numbered(numbers[: len(historical)], numbers[len(historical):], np.asarray(codes, dtype=object))

    frame = pd.DataFrame({
        "source_row": sales["source_row"], "txn_id": sales["txn_id"], "customer_code": customer,
        "kind": sales["kind"], "date": sales["date"],
        "period": text(periods["period"].to_numpy(dtype=object)[period]),
        "historical_category": text(historical), "category_source": part.source,
        "current_category": text(current),
        "tax_rate": rate, "amount": gross, "tax": gross - net, "net_sales": net,
    }, copy=False)
    with_money(frame, ["amount", "tax", "net_sales"])

    shown = numbered.historical if basis == "historical" else numbered.current
    by_category = rollup(numbered.sums(shown, {"net_sales": net}, period), ["net_sales"], scheme, categories,
                         keys=("period",))
    by_category["period"] = text(periods["period"].to_numpy(dtype=object)[by_category["period"].to_numpy()])
    with_money(by_category, ["net_sales"])
    per_period = np.zeros(len(periods), dtype=np.int64)
    np.add.at(per_period, period, net)
    totals = periods.assign(net_sales=per_period)
    with_money(totals, ["net_sales"])

    fallback = part.source == "current_fallback"
    no_category = pd.isna(shown_code)
    has_rate = ~np.isnan(rate)
    control = sheet_control(book, date_from, date_to, strip, scheme)
    control = RevenueControl(
        lines=control.lines, invoices=control.invoices, credit_notes=control.credit_notes, gross=control.gross,
        tax=control.tax, net=control.net, uncategorised=int(net[no_category].sum()),
        lines_without_rate=int((~has_rate).sum()) if strip else 0,
        history_fallback_lines=int(fallback.sum()),
    )
    moved = numbered.historical != numbered.current
    reconciliation = _reconciliation(frame[moved], book, categories)
    difference = _basis_difference(net, numbered, moved, scheme, categories)
    fallbacks = _fallbacks(frame[fallback])
    params = RevenueParameters(
        date_from=date_from, date_to=date_to, by=by, level=level or scheme.depth, depth=scheme.depth,
        basis=basis, tax=tax, tax_stripped=strip, as_of=settings.effective_as_of(), data_hash=lines.data_hash,
    )
    report = RevenueReport(params, control, by_category, totals, frame, reconciliation, difference, fallbacks,
                           categories, scheme)
    _assert_ties(report, gross)
    return report


@dataclass(frozen=True)
class _Part:
    """The sales lines of one date range, with their look-ups (see `SalesLines.within`)."""

    lines: pd.DataFrame  # `sales_lines`' columns, RangeIndex, sheet order
    historical: np.ndarray  # object: the category in force on the line's date (None: none)
    source: np.ndarray  # object: where that came from (`xlcust.history.SOURCES`)
    current: np.ndarray  # object: the customer's category on the Customers sheet (None: none)
    rate: np.ndarray  # float: the historical category's tax rate, NaN when none is found


@dataclass(frozen=True)
class SalesLines:
    """The sales lines dated in some date ranges, each looked up once: its category in force,
    its current category, its tax rate (and the book's data hash, when first asked for).

    Issue 15: the year-earlier comparison used to select, place and rate its lines in a
    second pass over the whole sheet; now a report and its comparison take theirs from one.
    Every look-up is per line, so a range's lines are the same whichever ranges were asked.
    """

    book: Book
    ranges: tuple[tuple[dt.date, dt.date], ...]
    all: _Part
    known_hash: str | None = None

    def covers(self, date_from: dt.date, date_to: dt.date) -> bool:
        """Whether every day from `date_from` to `date_to` is in one of the ranges looked up."""
        return any(start <= date_from and date_to <= end for start, end in self.ranges)

    def within(self, date_from: dt.date, date_to: dt.date) -> _Part:
        """The lines dated from `date_from` to `date_to` (both included), in sheet order."""
        if self.ranges == ((date_from, date_to),):
            return self.all
        dates = self.all.lines["date"].to_numpy(dtype="datetime64[ns]")
        rows = np.flatnonzero((dates >= np.datetime64(date_from, "ns")) & (dates <= np.datetime64(date_to, "ns")))
        a = self.all
        return _Part(a.lines.iloc[rows].reset_index(drop=True), a.historical[rows], a.source[rows],
                     a.current[rows], a.rate[rows])

    @functools.cached_property
    def data_hash(self) -> str:
        """`data_hash(book)`, computed once for every report made from these lines."""
        return self.known_hash or data_hash(self.book)


def sales_lines_in(book: Book, ranges: Sequence[tuple[dt.date, dt.date]], *, known_hash: str | None = None
                   ) -> SalesLines:
    """The book's sales lines dated in any of `ranges`, looked up once (see `SalesLines`).

    `known_hash` is the book's data hash when the caller has it already.
    """
    t = book.transactions.data
    dates = t["date"].to_numpy(dtype="datetime64[ns]")
    inside = np.zeros(len(dates), dtype=bool)
    for start, end in ranges:  # the cheap comparisons first, so the selection works on sales only
        inside |= (dates >= np.datetime64(start, "ns")) & (dates <= np.datetime64(end, "ns"))
    # The Book's numbered kinds and customer codes (shared with the checks and the ledger): no text hashed again.
    table = book.transactions
    kind, customer = table.numbered("kind"), table.numbered("customer_code")
    candidate = np.flatnonzero(inside & _is_sale(kind))
    # Every candidate is dated on or before the last day, so "after the as-of date" leaves none out.
    selection = select(t.iloc[candidate], pd.Timestamp(max(end for _, end in ranges)),
                       _Codes(Numbered(kind.numbers[candidate], kind.values),
                              Numbered(customer.numbers[candidate], customer.values)))
    sales = selection.lines
    in_force = categories_in_force(book, sales["customer_code"], sales["date"])
    historical = in_force["category_code"].to_numpy(dtype=object)
    rate = tax_rates(book, CodingScheme.from_settings(book.settings), historical)
    part = _Part(sales, historical, in_force["source"].to_numpy(dtype=object), _current_category(book, selection),
                 rate)
    return SalesLines(book, tuple(ranges), part, known_hash)


@dataclass(frozen=True)
class _Codes:
    """What `select` reads of `xlcust.ledger.lines.Numbers`: the kinds and customer codes numbered
    (the txn ids and references, which revenue does not match, are not numbered for it)."""

    kind: Numbered
    customer: Numbered


def _is_sale(kind: Numbered) -> np.ndarray:
    """Per row, whether its kind is invoice or credit_note (from the numbered kinds; a blank is not)."""
    return np.append(np.isin(kind.values, list(SALES_SIGN)), False)[kind.numbers]


def sales_lines(book: Book, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Invoices and credit notes dated in the period, as the ledger's line selection keeps them."""
    return sales_lines_in(book, [(date_from, date_to)]).all.lines


def _current_category(book: Book, sales: Selection) -> np.ndarray:
    """Per line, its customer's category on the Customers sheet (None when not there or blank).

    Looked up once per distinct customer code: many lines share one customer.
    """
    distinct = pd.Index(sales.customers, dtype=object)
    now = current_categories(book).reindex(distinct).to_numpy(dtype=object, na_value=None)
    return now[sales.customer_number]


def current_year_revenue(book: Book, as_of: dt.date | None = None) -> RevenueReport:
    """What `xlcust run` shows: 1 January of the as-of year to the as-of date, by month, historical,
    with its contribution (share, change on a year earlier, ABC)."""
    from .contribution import prior_period, with_contribution

    as_of = as_of or book.settings.effective_as_of()
    start = dt.date(as_of.year, 1, 1)
    lines = sales_lines_in(book, [(start, as_of), prior_period(start, as_of)])
    return with_contribution(book, revenue(book, start, as_of, by="month", basis="historical", lines=lines),
                             lines=lines)


def _validate(date_from: dt.date, date_to: dt.date, by: str, level: int | None, basis: str, tax: str | None,
              scheme: CodingScheme, include_tax: bool) -> None:
    if date_from > date_to:
        raise UsageError(msg("the period starts after it ends ({start} > {end})",
                             start=date_from.isoformat(), end=date_to.isoformat()))
    if by not in PERIODS:
        raise UsageError(msg("periods are by {periods}, not '{by}'", periods=', '.join(PERIODS), by=by))
    if basis not in BASES:
        raise UsageError(msg("the basis is historical or current, not '{basis}'", basis=basis))
    if level is not None and not 1 <= level <= scheme.depth:
        raise UsageError(msg("the level must be between 1 and {depth} (coding scheme {scheme}), not {level}",
                             depth=scheme.depth, scheme=scheme, level=level))
    if tax is not None and tax not in TAX_MODES:
        raise UsageError(msg("tax is included or excluded, not '{tax}'", tax=tax))
    if tax == "included" and not include_tax:
        raise UsageError(msg("amounts are entered without tax (Settings amounts_include_tax is FALSE); revenue "
                             "including tax is not computed"))


# ------------------------------------------------------------------------ periods


def _day(date: dt.date) -> int:
    return int(np.datetime64(date, "D").astype(np.int64))


def period_ids(days: np.ndarray, by: str) -> np.ndarray:
    """Day numbers → calendar period numbers (months, quarters or years since 1970)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    if by == "year":
        return d.astype("datetime64[Y]").astype(np.int64)
    months = d.astype("datetime64[M]").astype(np.int64)
    return months // 3 if by == "quarter" else months


def _period_bounds(pid: int, by: str) -> tuple[dt.date, dt.date]:
    """First day and first day after of calendar period `pid`."""
    if by == "year":
        return dt.date(1970 + pid, 1, 1), dt.date(1971 + pid, 1, 1)
    months = pid * 3 if by == "quarter" else pid
    step = 3 if by == "quarter" else 1

    def first(m: int) -> dt.date:
        return dt.date(1970 + m // 12, m % 12 + 1, 1)

    return first(months), first(months + step)


def period_label(pid: int, by: str) -> str:
    """2026-01 (month), 2026Q1 (quarter), 2026 (year)."""
    if by == "year":
        return str(1970 + pid)
    if by == "quarter":
        return f"{1970 + pid // 4}Q{pid % 4 + 1}"
    return f"{1970 + pid // 12:04d}-{pid % 12 + 1:02d}"


def period_table(date_from: dt.date, date_to: dt.date, by: str) -> pd.DataFrame:
    """Every period of the range: period (label), start, end (dates included; the ends cut to the range)."""
    first, last = (int(period_ids(np.array([_day(d)]), by)[0]) for d in (date_from, date_to))
    labels, starts, ends = [], [], []
    for pid in range(first, last + 1):
        start, after = _period_bounds(pid, by)
        labels.append(period_label(pid, by))
        starts.append(max(start, date_from))
        ends.append(min(after - dt.timedelta(days=1), date_to))
    return pd.DataFrame({"period": text(np.array(labels, dtype=object)),
                         "start": from_days(np.array([_day(d) for d in starts], dtype=np.int64)),
                         "end": from_days(np.array([_day(d) for d in ends], dtype=np.int64))})


# ---------------------------------------------------------------------------- tax


def tax_rates(book: Book, scheme: CodingScheme, codes: np.ndarray) -> np.ndarray:
    """Per line, the tax rate of its category (inherited up the tree); NaN when none is found."""
    cats = book.categories.data
    first = cats[cats["code"].notna().to_numpy() & ~cats["code"].duplicated().to_numpy()]
    rate = first["tax_rate"].to_numpy(dtype=float, na_value=np.nan)
    usable = ~np.isnan(rate) & (rate >= 0) & (rate <= 1)
    own = dict(zip(first["code"].to_numpy(dtype=object)[usable], rate[usable], strict=True))
    position, distinct = pd.factorize(np.asarray(codes, dtype=object), use_na_sentinel=True)
    found = inherit(pd.Index(distinct, dtype=object), own, scheme)["value"].to_numpy(dtype=object)
    per_code = np.array([np.nan if v is None else float(v) for v in found] + [np.nan], dtype=float)
    return per_code[position]  # position −1 (no category) picks the NaN on the end


def strip_tax(cents: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Each amount net of tax: cents / (1 + rate), half away from zero to the cent (NaN rate: as is).

    Exact integer arithmetic on the rate in millionths: net = round(cents × 10⁶ / (10⁶ + ppm)).
    """
    cents = np.asarray(cents, dtype=np.int64)
    rate = np.asarray(rate, dtype=float)
    ppm = np.rint(np.nan_to_num(rate, nan=0.0) * _PPM).astype(np.int64)
    den = _PPM + ppm
    magnitude = np.abs(cents)
    if len(cents) and int(magnitude.max()) >= np.iinfo(np.int64).max // (2 * _PPM):
        # Beyond ~46 billion yuan on one line int64 would overflow: Python integers for those.
        return np.array([_strip_one(int(c), int(d)) for c, d in zip(cents, den, strict=True)], dtype=np.int64)
    q, r = np.divmod(magnitude * _PPM, den)
    q += (2 * r >= den)
    return np.sign(cents) * q


def _strip_one(cents: int, den: int) -> int:
    q, r = divmod(abs(cents) * _PPM, den)
    q += 2 * r >= den
    return q if cents >= 0 else -q


# -------------------------------------------------------------------- control totals


@dataclass(frozen=True)
class _SheetTotals:
    lines: int
    invoices: int
    credit_notes: int
    gross: int
    tax: int
    net: int


def sheet_control(book: Book, date_from: dt.date, date_to: dt.date, strip: bool, scheme: CodingScheme
                  ) -> _SheetTotals:
    """Sales in the period straight from the typed Transactions frame, not through the ledger.

    The same rules as the ledger's line selection, written again on purpose: a row
    counts when it has a date in the period, an amount, a customer code and kind
    invoice or credit_note.
    """
    table = book.transactions
    t = table.data
    dates = t["date"].to_numpy(dtype="datetime64[ns]")
    # The kinds and customer codes as the Book numbers them (a blank is −1): tests on integers.
    kind, customer = table.numbered("kind"), table.numbered("customer_code")
    has_customer = np.append(np.array([c != "" for c in customer.values], dtype=bool), False)
    rows = np.flatnonzero((dates >= np.datetime64(date_from, "ns")) & (dates <= np.datetime64(date_to, "ns"))
                          & _is_sale(kind) & has_customer[customer.numbers])
    amount = t["amount"].array[rows]
    rows = rows[~np.asarray(amount.isna(), dtype=bool)]
    is_invoice = np.append(kind.values == "invoice", False)[kind.numbers[rows]]
    signed = t["amount"].array[rows].to_numpy(dtype=np.int64) * np.where(is_invoice, 1, -1)
    tax = 0
    if strip:
        codes = categories_in_force(book, t["customer_code"].iloc[rows], t["date"].iloc[rows])["category_code"]
        codes = codes.to_numpy(dtype=object)
        tax = int((signed - strip_tax(signed, tax_rates(book, scheme, codes))).sum())
    gross = int(signed.sum())
    return _SheetTotals(lines=len(rows), invoices=int(signed[is_invoice].sum()),
                        credit_notes=int(-signed[~is_invoice].sum()), gross=gross, tax=tax, net=gross - tax)


def _assert_ties(report: RevenueReport, gross: np.ndarray) -> None:
    problems: list[str] = []

    def check(name: str, left: int, right: int) -> None:
        if left != right:
            problems.append(f"{name}: {left} != {right}")

    c, lines = report.control, report.lines
    net = lines["net_sales"].to_numpy(dtype=np.int64)
    check("sales lines vs sheet rows", len(lines), c.lines)
    check("gross of lines vs sheet", int(gross.sum()), c.gross)
    check("invoices − credit notes vs gross", c.invoices - c.credit_notes, c.gross)
    check("net of lines vs control total", int(net.sum()), c.net)
    check("Σ periods vs control total", int(report.totals["net_sales"].sum()), c.net)
    data = report.by_category
    top = data[(data["level"] == 1).fillna(False).to_numpy(dtype=bool) | data["level"].isna().to_numpy()]
    per_period = top.groupby("period", sort=False)["net_sales"].sum()
    per_period = per_period.reindex(report.totals["period"], fill_value=0).to_numpy(dtype=np.int64)
    if not np.array_equal(per_period, report.totals["net_sales"].to_numpy(dtype=np.int64)):
        problems.append("level-1 rows + uncategorised differ from the period totals")
    if problems:
        raise RevenueImbalance("revenue does not tie to the Transactions sheet (a bug in xlcust): "
                               + "; ".join(problems))


# ------------------------------------------------------------------- reconciliation


def _reconciliation(lines: pd.DataFrame, book: Book, categories: pd.DataFrame) -> pd.DataFrame:
    """The lines whose historical and current categories differ, per customer and (from, to)."""
    moved = lines
    columns = ["customer_code", "customer_name", "from_category", "from_name", "to_category", "to_name",
               "lines", "net_sales", "first_date", "last_date"]
    if moved.empty:
        return with_money(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), ["net_sales"])
    work = pd.DataFrame({"customer_code": moved["customer_code"].to_numpy(dtype=object),
                         "from_category": moved["historical_category"].fillna(_NONE).to_numpy(dtype=object),
                         "to_category": moved["current_category"].fillna(_NONE).to_numpy(dtype=object),
                         "net_sales": moved["net_sales"].to_numpy(dtype=np.int64),
                         "date": moved["date"].to_numpy()})
    g = work.groupby(["customer_code", "from_category", "to_category"], sort=True)
    out = g.agg(lines=("net_sales", "size"), net_sales=("net_sales", "sum"), first_date=("date", "min"),
                last_date=("date", "max")).reset_index()
    out = out.sort_values(["customer_code", "first_date"], kind="stable").reset_index(drop=True)
    for side in ("from", "to"):
        codes = out[f"{side}_category"].to_numpy(dtype=object)
        codes = np.where(codes == _NONE, None, codes)
        out[f"{side}_category"] = text(codes)
        out[f"{side}_name"] = text(text_values(categories["name"].reindex(codes).to_numpy(dtype=object)))
    names = book.customers.data.drop_duplicates("code").set_index("code")["name"]
    out["customer_name"] = text(text_values(names.reindex(out["customer_code"]).to_numpy(dtype=object)))
    out["lines"] = out["lines"].astype(np.int64)
    out["net_sales"] = out["net_sales"].astype(np.int64)
    return with_money(out[columns], ["net_sales"])


def _basis_difference(net: np.ndarray, numbered: _Numbered, moved: np.ndarray, scheme: CodingScheme,
                      categories: pd.DataFrame) -> pd.DataFrame:
    """Per category at every level: historical, current, current − historical (where they differ).

    Also checks the reconciliation's promise: the difference is what moved in minus what
    moved out, rolled up the same way.
    """
    historical, current = numbered.historical, numbered.current
    none = np.zeros_like(net)
    stacked = pd.concat([numbered.sums(historical, {"historical": net, "current": none}),
                         numbered.sums(current, {"historical": none, "current": net})], ignore_index=True)
    both = rollup(stacked, ["historical", "current"], scheme, categories)
    both["difference"] = both["current"] - both["historical"]
    flows = numbered.sums(np.concatenate([current[moved], historical[moved]]),
                          {"flow": np.concatenate([net[moved], -net[moved]])})
    flow = rollup(flows, ["flow"], scheme, categories) if moved.any() else None
    key = both["category_code"].fillna(_NONE)
    expected = (pd.Series(flow["flow"].to_numpy(), index=flow["category_code"].fillna(_NONE))
                if flow is not None else pd.Series(dtype=np.int64))
    if not expected.reindex(key, fill_value=0).to_numpy(dtype=np.int64).tolist() == both["difference"].tolist():
        raise RevenueImbalance("the two bases differ by more than the reconciliation shows (a bug in xlcust)")
    out = both[both["difference"].to_numpy() != 0].reset_index(drop=True)
    return with_money(out, ["historical", "current", "difference"])


@dataclass(frozen=True)
class _Numbered:
    """The historical and current category of each sales line as numbers into `codes` (−1: none)."""

    historical: np.ndarray
    current: np.ndarray
    codes: np.ndarray  # object

    def sums(self, number: np.ndarray, values: dict[str, np.ndarray], period: np.ndarray | None = None
             ) -> pd.DataFrame:
        """Sums of `values` per category number (and period, when given): category_code (None
        for lines without one), [period,] the sums.

        `rollup` adds the lines of each code anyway: handing it one row per code and period
        instead of one per line gives the same sums for a fraction of the work.
        """
        periods = 1 if period is None else int(period.max(initial=0)) + 1
        group = (number.astype(np.int64) + 1) * periods + (0 if period is None else period)
        keys, inverse = np.unique(group, return_inverse=True)
        frame = pd.DataFrame({"category_code": text(np.append(None, self.codes)[keys // periods])})
        if period is not None:
            frame["period"] = keys % periods
        for name, column in values.items():
            frame[name] = sum_by(inverse, np.asarray(column, dtype=np.int64), len(keys))
        return frame


def _fallbacks(lines: pd.DataFrame) -> pd.DataFrame:
    """Per customer: lines put in its current category because no history period covered them."""
    columns = ["customer_code", "category_code", "lines", "net_sales", "first_date", "last_date"]
    if lines.empty:
        return with_money(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), ["net_sales"])
    out = (pd.DataFrame({"customer_code": lines["customer_code"].to_numpy(dtype=object),
                         "category_code": lines["historical_category"].to_numpy(dtype=object),
                         "net_sales": lines["net_sales"].to_numpy(dtype=np.int64),
                         "date": lines["date"].to_numpy()})
           .groupby(["customer_code", "category_code"], sort=True)
           .agg(lines=("net_sales", "size"), net_sales=("net_sales", "sum"), first_date=("date", "min"),
                last_date=("date", "max")).reset_index())
    out["lines"] = out["lines"].astype(np.int64)
    return with_money(out[columns], ["net_sales"])
