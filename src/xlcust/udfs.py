"""xlcust's worksheet functions (UDFs) for Excel, through the free xlwings add-in.

workbook/CustomerLedger.xlsm carries the VBA wrappers xlwings' Import Functions writes
for this module (xlcust.excel.udf_vba), so `=AGING_BUCKET(D2:D500, Settings!B3)` and the
others work in any cell of it; lite/main.py registers the same functions in xlwings Lite. Each is a thin
wrapper over the core that the `xlcust` command line uses, so a cell and a command give
the same answer for the same data:

    AGING_BUCKET, DAYS_OVERDUE            ledger.aging (bucket bounds as in Settings)
    CUSTOMER_BALANCE                      the ledger's balance: Σ signed transactions
    CREDIT_SCORE, CREDIT_GRADE,           credit.scoring from four dimension scores, or
    CREDIT_EXPLAIN                        credit.grade_customers from a code and the tables
    CATEGORY_OF                           history.category_at (CategoryHistory periods)
    CATEGORY_PATH, CATEGORY_LEVEL,        codes.CodingScheme / CategoryTree
    VALID_CATEGORY_CODE
    VALID_TAX_ID                          uscc (GB 32100-2015 check characters)
    MNEMONIC                              mnemonic (pinyin initials)
    CATEGORY_REVENUE                      reports.revenue (net sales by category)
    CUSTOMERS_WHERE                       rules.query (the customers a condition selects)

Conventions, the same for every function:

* **Shape.** The first argument may be one cell or a range; the result has the same
  shape and spills as a dynamic array (a column in, a column out). CUSTOMERS_WHERE is
  the exception: one condition in, a table of the customers it selects out.
* **Tables.** Functions that need table data take whole tables with their header row
  (`tblTransactions[#All]`), in English or Chinese headers; they are recognised by their
  headers, read with the reader's own typing, and cached by content, so a spill over
  50,000 customers parses each table once. Excel recalculates when a table changes.
* **Blanks.** A blank input gives a blank result. A problem with an argument (an
  as-of that is not a date, a range that is not a table) gives one text cell starting
  `#xlcust:` that says what to fix, never a Python traceback.

Each UDF's docstring is the help Excel's function wizard shows (the first 255
characters), so it is written for accountants. The UDFs carry no type hints on purpose:
xlwings reads annotations as value converters. The typed functions they call are
below each one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .codes import CategoryTree, CodingScheme
from .errors import XlcustError
from .excel.cells import (
    ArgumentError,
    Cells,
    TableError,
    as_of_date,
    clear_tables,
    codes,
    derived,
    excel_date,
    first,
    is_blank,
    load_tables,
)
from .excel.ledgercache import LEDGERS
from .i18n import N_, Joined, Msg, msg, render, system_language, translate
from .ledger.aging import bucket_index, bucket_labels
from .settings import Settings, parse_int_list, parse_scheme

try:  # the functions work from Python without xlwings; Excel needs it (pip install "xlcust[excel]")
    import xlwings as xw
except ImportError:  # pragma: no cover - the test extra installs xlwings
    xw = None

CATEGORY = "xlcust"
DEFAULTS = Settings()


def excel_function(*, volatile: bool = False, wizard: bool = True, **arguments: tuple[int | None, str]) -> Callable:
    """Register a UDF with xlwings: per argument (ndim, help text); category "xlcust".

    `volatile`: Excel recalculates the function on every calculation (functions whose blank
    as-of means today, so that their answers move with the date). `wizard=False`: the
    function wizard does not call it while the user types (functions that take whole
    tables, which would otherwise travel to Python on every keystroke).
    Problems with arguments come back as one `#xlcust: …` text cell instead of an error.
    Argument names become the parameter names of the VBA wrappers, so none may be a VBA
    keyword (`date`, `name`, `string` …; tests check).
    """

    def wrap(f: Callable) -> Callable:
        @functools.wraps(f)
        def udf(*args):
            try:
                return f(*args)
            except (ValueError, XlcustError) as exc:
                return "#xlcust: " + _problem(exc)
            except ImportError as exc:  # a part of xlcust this installation lacks
                return "#xlcust: " + translate(N_("not available in this installation ({module}); pip install "
                                                  "--upgrade xlcust"), system_language(), module=exc.name)

        options = {name: {"doc": doc, **({"ndim": ndim} if ndim else {})} for name, (ndim, doc) in arguments.items()}
        udf.__xlcust_udf__ = {"category": CATEGORY, "args": options, "volatile": volatile,
                              "call_in_wizard": wizard}  # what is registered, for tests and the VBA build
        if xw is None:
            return udf
        # xlwings registers UDFs only where Excel runs them (Windows) or in xlwings Lite /
        # Server (XLWINGS_ON_SERVER); elsewhere these decorators are no-ops.
        for name, opts in options.items():
            udf = xw.arg(name, **opts)(udf)
        return xw.func(category=CATEGORY, volatile=volatile, call_in_wizard=wizard)(udf)

    return wrap


def _problem(exc: Exception) -> str:
    """Why a function gave no answer, in the language of the user's system (a formula has no other).

    An XlcustError and a core ValueError carry a catalog text; any other ValueError is shown as it is.
    """
    lang = system_language()
    if isinstance(exc, XlcustError):
        return exc.render(lang)
    return render(exc.args[0], lang) if exc.args and isinstance(exc.args[0], Msg) else str(exc)


def worksheet_functions() -> dict[str, Callable]:
    """The worksheet functions of this module (those `excel_function` marked), by name."""
    return {name: f for name, f in globals().items() if hasattr(f, "__xlcust_udf__")}


def registered_copies(xlfunc: Callable, xlarg: Callable,
                      prepare: Callable[[object], object] | None = None) -> dict[str, Callable]:
    """Fresh copies of the worksheet functions, registered through the given xlwings decorators.

    What `excel_function` does with `xw.func` / `xw.arg`, for another xlwings runtime
    (xlwings Lite's `func` / `arg`, or xlwings' own code in tests and the VBA build);
    copies, so the functions here stay as the platform made them. `prepare` is applied to
    every argument first (Lite: table cells that are dates arrive as serial numbers).
    """
    copies = {}
    for name, f in worksheet_functions().items():
        spec = f.__xlcust_udf__
        if prepare is None:
            copy = functools.wraps(f)(lambda *args, _f=f: _f(*args))
        else:
            copy = functools.wraps(f)(lambda *args, _f=f: _f(*(prepare(a) for a in args)))
        copy.__dict__.pop("__xlfunc__", None)  # wraps copied the platform's registration: start afresh
        for arg, options in spec["args"].items():
            copy = xlarg(arg, **options)(copy)
        copies[name] = xlfunc(category=spec["category"], volatile=spec["volatile"],
                              call_in_wizard=spec["call_in_wizard"])(copy)
    return copies


def clear_cache() -> None:
    """Forget typed tables, the ledger and results (tests, benchmarks; Excel users never need
    this: everything is kept by an exact key of the tables' content)."""
    clear_tables()
    _uscc_ok.cache_clear()
    _mnemonic.cache_clear()


# --------------------------------------------------------------------- aging


def aging_bounds(value: object) -> tuple[int, ...]:
    """Bucket bounds from '30,60,90,180', a number, or a range of numbers; blank: the default."""
    if isinstance(value, list | tuple):
        numbers = [v for v in Cells.of(value).values if not is_blank(v)]
        if len(numbers) > 1:
            return tuple(int(float(v)) for v in numbers)
        value = numbers[0] if numbers else None
    if is_blank(value):
        return DEFAULTS.aging_bounds
    bounds = parse_int_list(value)
    if not bounds or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ArgumentError(msg("aging bounds must be positive and increasing, such as 30,60,90,180, not '{value}'",
                                value=value))
    return bounds


def days_overdue(due_dates: object, as_of: object = None) -> object:
    """As-of minus each due date in days (negative: not yet due), in the shape given."""
    cells = Cells.of(due_dates)
    when = as_of_date(as_of)
    out = []
    for v in cells.values:
        d = excel_date(v)
        out.append(None if d is None else (when - d).days)
    return cells.shape(out)


def aging_bucket(due_dates: object, as_of: object = None, bounds: object = None) -> object:
    """Each due date's aging bucket label ('Not due', '1-30', … '>180'), in the shape given."""
    cells = Cells.of(due_dates)
    when = as_of_date(as_of)
    edges = aging_bounds(bounds)
    labels = bucket_labels(edges)
    dates = [excel_date(v) for v in cells.values]
    days = np.array([(when - d).days if d is not None else 0 for d in dates], dtype=np.int64)
    index = bucket_index(days, edges)
    return cells.shape([labels[i] if d is not None else None for d, i in zip(dates, index, strict=True)])


@excel_function(volatile=True,
                due_date=(2, "Due date(s): one cell or a range"),
                as_of=(None, "Date to age at (blank: today), e.g. Settings as_of"),
                bounds=(None, "Bucket upper bounds in days, e.g. \"30,60,90,180\" (blank: as in Settings)"))
def AGING_BUCKET(due_date, as_of=None, bounds=None):
    """Aging bucket of a due date: "Not due" (not yet overdue), "1-30", "31-60", "61-90", "91-180" or ">180" days overdue at the as-of date (blank: today). Give a range to get a bucket for every row. Bounds as in Settings aging_bounds."""  # noqa: E501
    return aging_bucket(due_date, as_of, bounds)


@excel_function(volatile=True,
                due_date=(2, "Due date(s): one cell or a range"),
                as_of=(None, "Date to count to (blank: today)"))
def DAYS_OVERDUE(due_date, as_of=None):
    """Days overdue: the as-of date (blank: today) minus the due date. Zero or less means not yet due (-5 = due in 5 days). Give a range to get one number per row."""  # noqa: E501
    return days_overdue(due_date, as_of)


# ------------------------------------------------------------------- balances


def _balances(book, when: dt.date) -> dict[str, int]:
    from .ledger.lines import select_lines

    lines, _ = select_lines(book.transactions.data, pd.Timestamp(when))
    sums = lines.groupby("customer_code", sort=False)["amount"].sum()
    return {str(k): int(v) for k, v in sums.items()}


def customer_balance(code: object, transactions: object, as_of: object = None) -> object:
    """Balance (currency units) per customer code: Σ signed transactions dated on or before as-of."""
    key, book = load_tables([transactions], expect=["Transactions"])
    when = as_of_date(as_of)
    balances = derived((key, when), "balances", lambda: _balances(book, when))
    cells = Cells.of(code)
    return cells.shape([None if c is None else balances.get(c, 0) / 100 for c in codes(cells.values)])


@excel_function(wizard=False,
                code=(2, "Customer code(s): one cell or a range"),
                transactions=(2, "The Transactions table with its header row, e.g. tblTransactions[#All]"),
                as_of=(None, "Count transactions dated up to this date (blank: today)"))
def CUSTOMER_BALANCE(code, transactions, as_of=None):
    """Balance a customer owes: invoices, openings and adjustments minus receipts and credit notes, dated up to the as-of date (blank: today). Negative: the customer is in credit. Same figure as the Aging sheet's Balance."""  # noqa: E501
    return customer_balance(code, transactions, as_of)


# ---------------------------------------------------------------------- codes


def scheme_of(value: object) -> CodingScheme:
    value = first(value)
    return CodingScheme(DEFAULTS.coding_scheme if is_blank(value) else parse_scheme(value))


def category_level(code: object, scheme: object = None) -> object:
    """Level (1, 2, …) of each category code under the scheme; blank when the code fits no level."""
    s = scheme_of(scheme)
    cells = Cells.of(code)
    return cells.shape([None if c is None or not s.is_valid(c) else s.level_of(c) for c in codes(cells.values)])


def valid_category_code(code: object, scheme: object = None) -> object:
    s = scheme_of(scheme)
    cells = Cells.of(code)
    return cells.shape([None if c is None else s.is_valid(c) for c in codes(cells.values)])


def category_path(code: object, categories: object, scheme: object = None) -> object:
    key, book = load_tables([categories], expect=["Categories"])
    s = scheme_of(scheme)
    tree = derived((key, str(s)), "tree", lambda: CategoryTree.from_frame(book.categories.data, s))
    cells = Cells.of(code)
    out = []
    for c in codes(cells.values):
        path = tree.path(c) if c is not None and s.is_valid(c) else []
        out.append(" › ".join(f"{p} {tree.names.get(p, '')}".strip() for p in path) or None)
    return cells.shape(out)


@excel_function(code=(2, "Category code(s), text such as 0101"),
                scheme=(None, "Coding scheme, e.g. \"2-2-2\" (blank: 2-2-2)"))
def CATEGORY_LEVEL(code, scheme=None):
    """Level of a category code under the coding scheme (T3 编码方案): with 2-2-2, "01" is level 1, "0102" level 2, "010203" level 3. Blank when the code fits no level. A number 101 is not padded: type codes as text."""  # noqa: E501
    return category_level(code, scheme)


@excel_function(code=(2, "Category code(s), text such as 0101"),
                scheme=(None, "Coding scheme, e.g. \"2-2-2\" (blank: 2-2-2)"))
def VALID_CATEGORY_CODE(code, scheme=None):
    """TRUE when a category code has only digits and capital letters and its length is a level of the coding scheme (2-2-2: 2, 4 or 6 characters). A number cell 101 is FALSE: under 2-2-2 type "0101" as text."""  # noqa: E501
    return valid_category_code(code, scheme)


@excel_function(wizard=False,
                code=(2, "Category code(s)"),
                categories=(2, "The Categories table with its header row, e.g. tblCategories[#All]"),
                scheme=(None, "Coding scheme, e.g. \"2-2-2\" (blank: 2-2-2)"))
def CATEGORY_PATH(code, categories, scheme=None):
    """The category and its parents, top level first, with names from the Categories table: "01 Domestic › 0101 Construction". Blank when the code fits no level of the coding scheme."""  # noqa: E501
    return category_path(code, categories, scheme)


# -------------------------------------------------------------- tax ids, names


@functools.lru_cache(maxsize=200_000)
def _uscc_ok(text: str) -> bool:
    from .uscc import is_valid_uscc

    return is_valid_uscc(text)


@functools.lru_cache(maxsize=200_000)
def _mnemonic(name: str) -> str | None:
    from .mnemonic import mnemonic

    return mnemonic(name) or None


# Both caches keep a recalculation of a long column cheap: pinyin look-ups cost about
# 0.4 ms a name, and a name or tax id seldom changes between recalculations.


def valid_tax_id(value: object) -> object:
    cells = Cells.of(value)
    return cells.shape([None if is_blank(v) else _uscc_ok(str(v)) for v in cells.values])


def mnemonic_of(name: object) -> object:
    cells = Cells.of(name)
    return cells.shape([None if is_blank(v) else _mnemonic(str(v)) for v in cells.values])


@excel_function(tax_id=(2, "Unified social credit code(s), 18 characters"))
def VALID_TAX_ID(tax_id):
    """TRUE when a unified social credit code (统一社会信用代码, GB 32100-2015) is valid: 18 characters, allowed letters only, and both check characters right. Full-width characters and lower case are accepted."""  # noqa: E501
    return valid_tax_id(tax_id)


@excel_function(customer_name=(2, "Customer name(s)"))
def MNEMONIC(customer_name):
    """Mnemonic code (助记码) of a name: the pinyin initials, upper case, at most 10 characters. 北京华远建筑有限公司 → BJHYJZYXGS. Letters and digits are kept as typed (3M中国 → 3MZG)."""  # noqa: E501
    return mnemonic_of(customer_name)


# -------------------------------------------------------------- category history


def category_of(code: object, date: object = None, customers: object = None, history: object = None) -> object:
    """The category of each customer on a date (blank: its current category)."""
    from .history import category_at, current_categories

    if customers is None:
        raise TableError(msg("pass the Customers table with its header row, e.g. tblCustomers[#All]"))
    key, book = load_tables([customers, history], expect=["Customers"])
    cells = Cells.of(code)
    keys = codes(cells.values)
    if date is None or (not isinstance(date, list) and is_blank(date)):
        current = derived(key, "current", lambda: current_categories(book).to_dict())
        return cells.shape([None if k is None else current.get(k) for k in keys])
    day_cells = Cells.of(date)
    if len(day_cells.values) == len(keys):
        days = [excel_date(v) for v in day_cells.values]
    else:
        days = [excel_date(first(date))] * len(keys)
    stamps = pd.Series(pd.to_datetime([d if d is not None else pd.NaT for d in days]), dtype="datetime64[ns]")
    found = category_at(book, pd.Series(keys, dtype=object), stamps).to_numpy(dtype=object)
    return cells.shape([None if k is None or pd.isna(c) else c for k, c in zip(keys, found, strict=True)])


@excel_function(wizard=False,
                code=(2, "Customer code(s)"),
                on_date=(2, "Date(s) to look at (blank: today's category); one date or one per code"),
                customers=(2, "The Customers table with its header row, e.g. tblCustomers[#All]"),
                history=(2, "The CategoryHistory table with its header row (optional)"))
def CATEGORY_OF(code, on_date=None, customers=None, history=None):
    """The category a customer was in on a date, from the CategoryHistory periods (valid from, up to valid to). Where no period covers the date, the customer's current category. Date blank: the current category on the Customers sheet."""  # noqa: E501
    return category_of(code, on_date, customers, history)


# ------------------------------------------------------------------------ credit

TABLE_HELP = "A table with its header row: Transactions, Customers (required), Settings, Categories, Risk"


def _credit_tables(more: Sequence[object]) -> bool:
    from .excel.cells import is_table

    return any(is_table(m) for m in more)


def _grades(tables: Sequence[object]) -> tuple[pd.DataFrame, str]:
    key, book = load_tables(tables, expect=["Transactions", "Customers"])
    from .credit import grade_customers

    grades = derived(key, "grades", lambda: grade_customers(book, LEDGERS.ledger_of(book)))
    return grades, book.settings.language


def _per_code(code: object, tables: Sequence[object], column: Callable[[pd.DataFrame, str], pd.Series]) -> object:
    grades, lang = _grades(tables)
    values = column(grades, lang).to_dict()
    cells = Cells.of(code)
    return cells.shape([None if k is None else _plain(values.get(k)) for k in codes(cells.values)])


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _weights(value: object) -> Settings:
    cells = [v for v in Cells.of(value).values if not is_blank(v)] if value is not None else []
    if len(cells) == 1 and isinstance(cells[0], str):
        cells = list(parse_int_list(cells[0]))
    if not cells:
        return DEFAULTS
    if len(cells) != 4:
        raise ArgumentError(msg("weights are four numbers: scale, payment, stability, risk (e.g. \"25,40,20,15\")"))
    w = [int(float(v)) for v in cells]
    return DEFAULTS.model_copy(update={"weight_scale": w[0], "weight_payment": w[1], "weight_stability": w[2],
                                       "weight_risk": w[3]})


def _thresholds(value: object, settings: Settings) -> Settings:
    cells = [v for v in Cells.of(value).values if not is_blank(v)] if value is not None else []
    if len(cells) == 1 and isinstance(cells[0], str):
        cells = list(parse_int_list(cells[0]))
    if not cells:
        return settings
    if len(cells) != 3:
        raise ArgumentError(msg("grade thresholds are three numbers: lowest A, B and C scores (e.g. \"80,65,50\")"))
    a, b, c = (int(float(v)) for v in cells)
    return settings.model_copy(update={"grade_a_min": a, "grade_b_min": b, "grade_c_min": c})


def _number(value: object) -> float | None:
    if is_blank(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ArgumentError(msg("'{value}' is not a score from 0 to 100", value=value)) from None


def score_from_dimensions(scale: object, payment: object, stability: object, risk: object,
                          weights: object = None) -> object:
    """Weighted score (0–100, one decimal) of four dimension scores, element by element."""
    from .credit.scoring import weighted_score

    settings = _weights(weights)
    cells = Cells.of(scale)
    columns = [cells.values] + [_broadcast(v, len(cells.values)) for v in (payment, stability, risk)]
    out = []
    for dims in zip(*columns, strict=True):
        numbers = [_number(v) for v in dims]
        if any(n is None for n in numbers):
            out.append(None)
            continue
        parts = {d: np.array([n]) for d, n in zip(("scale", "payment", "stability", "risk"), numbers, strict=True)}
        out.append(float(weighted_score(parts, settings)[0]))
    return cells.shape(out)


def _broadcast(value: object, n: int) -> list[object]:
    values = Cells.of(value).values
    return values if len(values) == n else [values[0] if values else None] * n


def grade_from_score(score: object, thresholds: object = None) -> object:
    from .credit.scoring import grades_for

    settings = _thresholds(thresholds, DEFAULTS)
    cells = Cells.of(score)
    out = []
    for v in cells.values:
        n = _number(v)
        out.append(None if n is None else str(grades_for(np.array([n]), settings)[0]))
    return cells.shape(out)


def explain_dimensions(scale: object, payment: object, stability: object, risk: object, weights: object = None,
                       thresholds: object = None) -> object:
    settings = _thresholds(thresholds, _weights(weights))
    from .credit.scoring import weight_shares

    shares = weight_shares(settings)
    scores = Cells.of(score_from_dimensions(scale, payment, stability, risk, weights)).values
    grades = Cells.of(grade_from_score(scores, thresholds)).values
    cells = Cells.of(scale)
    columns = [cells.values] + [_broadcast(v, len(cells.values)) for v in (payment, stability, risk)]
    out = []
    for score, grade, dims in zip(scores, grades, zip(*columns, strict=True), strict=True):
        if score is None:
            out.append(None)
            continue
        terms = " + ".join(f"{name} {_number(v):g} × {shares[name]:.0%}"
                           for name, v in zip(("scale", "payment", "stability", "risk"), dims, strict=True))
        out.append(f"{grade} {score:g} = {terms}")
    return cells.shape(out)


@excel_function(wizard=False,
                what=(2, "Scale score, or customer code(s)"),
                more=(2, "Payment, stability, risk scores [, weights] — or the tables: " + TABLE_HELP))
def CREDIT_SCORE(what, *more):
    """Credit score 0-100. From four dimension scores: =CREDIT_SCORE(scale, payment, stability, risk, ["25,40,20,15"]); or for a customer code from the tables: =CREDIT_SCORE(A2, tblTransactions[#All], tblCustomers[#All], tblSettings[#All])."""  # noqa: E501
    if _credit_tables(more):
        return _per_code(what, more, lambda g, lang: g["score"])
    if len(more) < 3:
        raise ArgumentError(msg("give scale, payment, stability and risk scores, or a customer code and the tables"))
    return score_from_dimensions(what, *more[:4])


@excel_function(wizard=False,
                what=(2, "Score, scale score, or customer code(s)"),
                more=(2, "[thresholds] after a score; payment, stability, risk [, weights, thresholds]; or the "
                         "tables: " + TABLE_HELP))
def CREDIT_GRADE(what, *more):
    """Credit grade A, B, C or D. From a score: =CREDIT_GRADE(72.5, ["80,65,50"]); from four dimension scores; or for a customer code from the tables (then NEW when there is too little history): =CREDIT_GRADE(A2, tblTransactions[#All], tblCustomers[#All])."""  # noqa: E501
    if _credit_tables(more):
        return _per_code(what, more, lambda g, lang: g["grade"])
    if len(more) <= 1:
        return grade_from_score(what, more[0] if more else None)
    if len(more) < 3:
        raise ArgumentError(msg("give a score, or scale, payment, stability and risk scores"))
    scores = score_from_dimensions(what, *more[:4])
    return grade_from_score(scores, more[4] if len(more) > 4 else None)


@excel_function(wizard=False,
                what=(2, "Scale score, or customer code(s)"),
                more=(2, "Payment, stability, risk scores [, weights, thresholds] — or the tables: " + TABLE_HELP))
def CREDIT_EXPLAIN(what, *more):
    """Why a customer has its grade: the dimension scores and weights behind the score, and what pulled it down. For a customer code with the tables (in the workbook's language), or from four dimension scores: "C 58 = scale 80 × 25% + …"."""  # noqa: E501
    if _credit_tables(more):
        return _per_code(what, more, lambda g, lang: g["explanation_zh" if lang == "zh" else "explanation"])
    if len(more) < 3:
        raise ArgumentError(msg("give scale, payment, stability and risk scores, or a customer code and the tables"))
    return explain_dimensions(what, *more[:5])


# ---------------------------------------------------------------------- revenue


def category_revenue(category: object, date_from: object, date_to: object, transactions: object, customers: object,
                     categories: object, history: object = None, settings: object = None, basis: object = None,
                     tax: object = None) -> object:
    """Net sales (currency units) per category code in [date_from, date_to], rolled up the tree."""
    from .reports.revenue import revenue

    start, end = excel_date(first(date_from)), excel_date(first(date_to))
    if start is None or end is None:
        raise ArgumentError(msg("from and to must be dates, e.g. 2026-01-01 and 2026-09-30"))
    basis = "historical" if is_blank(first(basis)) else str(first(basis)).strip().lower()
    tax = None if is_blank(first(tax)) else str(first(tax)).strip().lower()
    key, book = load_tables([transactions, customers, categories, history, settings],
                            expect=["Transactions", "Customers", "Categories"])

    def totals() -> dict[str | None, int]:
        report = revenue(book, start, end, by="year", basis=basis, tax=tax)
        frame = report.by_category
        sums = frame.groupby(frame["category_code"].fillna("<none>"), sort=False)["net_sales"].sum()
        return {k: int(v) for k, v in sums.items()}

    sums = derived((key, start, end, basis, tax), "revenue", totals)
    cells = Cells.of(category)
    return cells.shape([None if c is None else sums.get(c, 0) / 100 for c in codes(cells.values)])


@excel_function(wizard=False,
                category=(2, "Category code(s), any level"),
                date_from=(None, "First day of the period"),
                date_to=(None, "Last day of the period (included)"),
                transactions=(2, "tblTransactions[#All]"),
                customers=(2, "tblCustomers[#All]"),
                categories=(2, "tblCategories[#All]"),
                history=(2, "tblCategoryHistory[#All] (optional)"),
                settings=(2, "tblSettings[#All] (optional: coding scheme, amounts include tax)"),
                basis=(None, "historical (category on the invoice date, default) or current"),
                tax=(None, "blank: as entered; excluded: take VAT out by the category's rate"))
def CATEGORY_REVENUE(category, date_from, date_to, transactions, customers, categories, history=None, settings=None,
                     basis=None, tax=None):
    """Net sales of a category (invoices minus credit notes) from one date to another, sub-categories included. Historical basis: the category the customer was in on each invoice date (CategoryHistory); current: today's category. As the Revenue sheet."""  # noqa: E501
    return category_revenue(category, date_from, date_to, transactions, customers, categories, history, settings,
                            basis, tax)


# ------------------------------------------------------------------- questions


def customers_where(condition: object, tables: Sequence[object]) -> list[list[object]]:
    """A header row, then code and figures of every customer the condition selects (Settings as_of)."""
    from .rules.metrics import BY_NAME
    from .rules.query import ConditionError, compile_where, plain, select_customers
    from .views.customers import header

    text = "" if is_blank(first(condition)) else str(first(condition))
    if text.strip():
        try:  # a typing mistake is answered before any table is read
            compile_where(text)
        except ConditionError as exc:
            where = () if exc.at is None else (
                (msg("at the end: "),) if exc.at > len(text) else (msg("character {at}: ", at=exc.at),))
            fix = (msg(" ({suggestion})", suggestion=exc.suggestion),) if exc.suggestion else ()
            raise ArgumentError(Joined((*where, exc.problem, *fix), sep="")) from None
    key, book = load_tables(tables, expect=["Transactions", "Customers"])

    def answer() -> list[list[object]]:
        selection = select_customers(book, LEDGERS.ledger_of(book), text)
        lang = book.settings.language
        out: list[list[object]] = [[header("customer_code", lang), *(header(c, lang) for c in selection.columns)]]
        for rec in selection.frame.to_dict("records"):
            row: list[object] = [rec["customer_code"]]
            for name in selection.columns:
                m = BY_NAME[name]
                value = plain(rec[name], m.type, m.unit)
                row.append(float(value) if m.unit == "yuan" and value is not None else value)
            out.append(row)
        return out

    return derived((key, text.strip()), "where", answer)


@excel_function(wizard=False,
                condition=(2, "A condition in the rules language, e.g. AND(HAS_TAG(\"建筑业\"), "
                                 "overdue_90_count >= 1); blank: every customer"),
                tables=(2, "The tables with their header rows: Transactions and Customers (required), Settings, "
                           "Categories, CategoryHistory, Risk"))
def CUSTOMERS_WHERE(condition, *tables):
    """The customers a condition selects, as the Rules sheet's When column reads it, with their figures: code, name, category, balance, overdue, 12-month sales, grade and what the condition uses. Spills with a header row. As `xlcust customers --where`."""  # noqa: E501
    return customers_where(condition, tables)
