"""Cleaning source cells into registry values, reporting every change.

Each cleaner takes one source column (a Series indexed by source row, raw cell values)
and returns a `Cleaned`: the values, a mask of cells that cannot be read, and the
issues saying what was changed or why a cell is unreadable. Work is done once per
distinct value (a 500,000-line file has a few thousand distinct dates), then spread
back over the rows; when one kind of change hits many distinct values of a column the
issues merge into one, with every row still listed.

`typed` says whether the source has cell types (a workbook) or is all text (a CSV): a
number typed as text is worth reporting in a workbook, in a CSV everything is text.

Parsing reuses `xlcust.celltypes` (`parse_number_text`, `parse_date_text`) and
`xlcust.uscc`, so the import reads a value exactly as the registry checks will.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ..archive import parse_status
from ..celltypes import parse_date_text, parse_number_text
from ..i18n import N_, Msg, msg
from ..schema import parse_kind
from ..uscc import uscc_problem
from .report import Issue, issue

MERGE_AFTER = 20  # distinct values with the same change in one column → one merged issue

_CURRENCY_WORD = re.compile(r"[¥￥$]|RMB|CNY|人民币|元", re.IGNORECASE)
_SIGN_BEFORE_CURRENCY = re.compile(r"^([-+])\s*((?:[¥￥$]|RMB|CNY|人民币).*)$", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_SLASHED = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DAYS_UNIT = re.compile(r"^(.*?)\s*(?:天|日|days?|d)$", re.IGNORECASE)
_EXCEL_EPOCH = dt.date(1899, 12, 30)

DEBIT_WORDS = frozenset({"借", "借方", "借记", "d", "dr", "debit", "借 "})
CREDIT_WORDS = frozenset({"贷", "贷方", "贷记", "c", "cr", "credit"})


@dataclass
class Cleaned:
    values: pd.Series
    bad: np.ndarray  # bool per row: a value was there but cannot be read
    issues: list[Issue] = field(default_factory=list)


@dataclass
class _Outcome:
    """What cleaning did to one distinct value."""

    value: object = None
    changes: list[tuple[str, str]] = field(default_factory=list)  # (code, new value shown)
    bad: tuple[str, Msg, Msg] | None = None  # (code, message, suggestion)


@dataclass(frozen=True)
class Where:
    """The source column being cleaned, for issues."""

    column: str  # letter
    field: str
    header: str
    typed: bool


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()) or v is pd.NA


def shown(v: object) -> str:
    """A raw cell as text for a message."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


def _per_value(raw: pd.Series, where: Where, clean_one: Callable[[object], _Outcome],
               messages: dict[str, str]) -> Cleaned:
    """(`messages`: code → catalog text of a cleaning change, with {before} and {after}.)"""
    """Run `clean_one` once per distinct value; spread values, bad cells and issues over the rows."""
    values = raw.to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    outcomes = [_Outcome() if _is_blank(u) else clean_one(u) for u in uniques]
    out_values = np.empty(len(uniques) + 1, dtype=object)
    out_values[:-1] = [o.value for o in outcomes]
    out_values[-1] = None
    bad_u = np.array([o.bad is not None for o in outcomes] + [False], dtype=bool)
    result = out_values[codes]  # code -1 picks the trailing None
    bad = bad_u[codes]
    index = raw.index.to_numpy()
    grouper: list[Callable[[int], np.ndarray]] = []

    def rows_of(k: int) -> np.ndarray:
        if not grouper:
            grouper.append(_grouper(codes, index))
        return grouper[0](k)

    issues: list[Issue] = []
    by_change: dict[str, list[int]] = {}
    for k, o in enumerate(outcomes):
        if o.bad is None:
            for code in dict.fromkeys(c for c, _ in o.changes):
                by_change.setdefault(code, []).append(k)
        else:
            code, message, suggestion = o.bad
            issues.append(issue(code, message, rows_of(k), column=where.column, field=where.field,
                                value=shown(uniques[k]), suggestion=suggestion))
    for code, ks in by_change.items():
        text = messages.get(code, _READ_AS)
        if len(ks) <= MERGE_AFTER:
            for k in ks:
                after = next(a for c, a in outcomes[k].changes if c == code)
                before = shown(uniques[k])
                change = msg(text, before=before, after=after)
                issues.append(issue(code, msg("{header}: {change}", header=where.header, change=change),
                                    rows_of(k), column=where.column, field=where.field, value=before,
                                    new_value=after))
        else:
            rows = index[np.isin(codes, ks)].astype(np.int64)
            k = ks[0]
            after = next(a for c, a in outcomes[k].changes if c == code)
            example = msg(text, before=shown(uniques[k]), after=after)
            issues.append(issue(code, msg("{header}: {distinct} distinct values in {rows} rows cleaned this way, "
                                          "e.g. {example}", header=where.header, distinct=f"{len(ks):,}",
                                          rows=f"{len(rows):,}", example=example), rows, column=where.column,
                                field=where.field))
    return Cleaned(pd.Series(result, index=raw.index, dtype=object), bad, issues)


def _grouper(codes: np.ndarray, index: np.ndarray) -> Callable[[int], np.ndarray]:
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]

    def rows_of(k: int) -> np.ndarray:
        lo, hi = np.searchsorted(sorted_codes, [k, k + 1])
        return index[order[lo:hi]].astype(np.int64)

    return rows_of


def _trim_and_width(text: str, changes: list[tuple[str, str]], width: bool = True) -> str:
    stripped = text.strip()
    out = unicodedata.normalize("NFKC", stripped).strip() if width else stripped
    if stripped != text:
        changes.append(("IMP_TRIMMED", out))
    if out != stripped:
        changes.append(("IMP_FULL_WIDTH", out))
    return out


_READ_AS = N_("'{before}' read as '{after}'")
_CHANGE_TEXT = {
    "IMP_TRIMMED": N_("spaces removed from '{before}'"),
    "IMP_FULL_WIDTH": N_("full-width '{before}' read as '{after}'"),
    "IMP_CODE_NUMBER": N_("number cell {before} read as the code '{after}'"),
    "IMP_NUMBER_TEXT": N_("'{before}' is a number stored as text, read as {after}"),
    "IMP_THOUSANDS": N_("thousands separators removed, '{before}' read as {after}"),
    "IMP_CURRENCY": N_("currency removed, '{before}' read as {after}"),
    "IMP_PARENTHESES": N_("'{before}' in parentheses read as {after}"),
    "IMP_DATE_TEXT": N_("'{before}' read as the date {after}"),
    "IMP_DATE_SERIAL": N_("the number {before} is an Excel date serial, read as {after}"),
    "IMP_TIME_DROPPED": N_("time of day dropped, '{before}' read as {after}"),
    "IMP_DAYS_UNIT": N_("'{before}' read as {after} days"),
    "IMP_UPPER_CASE": N_("'{before}' read upper-case as '{after}'"),
    "IMP_INNER_SPACES": N_("spaces or hyphens removed from '{before}'"),
}


# ------------------------------------------------------------------------------ text


def clean_code(raw: pd.Series, where: Where) -> Cleaned:
    """Codes and ids: trimmed, half-width; a number cell becomes its digits as text."""

    def one(v: object) -> _Outcome:
        o = _Outcome()
        if isinstance(v, str):
            o.value = _trim_and_width(v, o.changes) or None
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            f = float(v)
            o.value = str(int(f)) if f.is_integer() else repr(f)
            o.changes.append(("IMP_CODE_NUMBER", o.value))
        else:
            o.bad = ("IMP_CODE_INVALID", msg("{header} '{value}' is not a code", header=where.header, value=shown(v)),
                     msg("Type the code as text"))
        return o

    return _per_value(raw, where, one, _CHANGE_TEXT)


def clean_text(raw: pd.Series, where: Where) -> Cleaned:
    """Free text (names, addresses): trimmed; kept as typed otherwise (full-width brackets stay)."""

    def one(v: object) -> _Outcome:
        o = _Outcome()
        if isinstance(v, str):
            o.value = _trim_and_width(v, o.changes, width=False) or None
        elif isinstance(v, float) and v.is_integer():
            o.value = str(int(v))
        elif isinstance(v, dt.datetime):
            o.value = v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
        elif isinstance(v, dt.date):
            o.value = v.isoformat()
        else:
            o.value = str(v)
        return o

    return _per_value(raw, where, one, _CHANGE_TEXT)


def clean_tax_id(raw: pd.Series, where: Where) -> Cleaned:
    """Unified social credit codes: half-width, no inner spaces, upper-case, and valid."""

    def one(v: object) -> _Outcome:
        o = _Outcome()
        if not isinstance(v, str):
            digits = shown(v)
            o.bad = ("IMP_TAX_ID_NUMBER", msg("{header} {digits} is a number cell; Excel keeps only 15 significant "
                                              "digits, so the code is damaged", header=where.header, digits=digits),
                     msg("Format the column as Text, retype the code from the business licence, and import again"))
            return o
        text = _trim_and_width(v, o.changes)
        squeezed = re.sub(r"[\s\-]", "", text)
        if squeezed != text:
            o.changes.append(("IMP_INNER_SPACES", squeezed))
        upper = squeezed.upper()
        if upper != squeezed:
            o.changes.append(("IMP_UPPER_CASE", upper))
        problem = uscc_problem(upper)
        if problem is not None:
            o.bad = ("IMP_TAX_ID_INVALID", msg("{header} '{value}' is not a valid credit code: {problem}",
                                               header=where.header, value=v.strip(), problem=problem),
                     msg("Copy the 18-character unified social credit code from the business licence or an "
                         "invoice, or clear the cell"))
        o.value = upper
        return o

    return _per_value(raw, where, one, _CHANGE_TEXT)


def clean_status(raw: pd.Series, where: Where) -> Cleaned:
    base = clean_text(raw, where)

    def one(v: object) -> _Outcome:
        o = _Outcome(value=v)
        if parse_status(v) is None:
            o.bad = ("IMP_STATUS_UNKNOWN", msg("{header} '{value}' is not a status xlcust knows", header=where.header,
                                               value=v),
                     msg("Use active, dormant or inactive, or leave it blank (active)"))
        return o

    checked = _per_value(base.values, where, one, _CHANGE_TEXT)
    return Cleaned(checked.values, base.bad | checked.bad, base.issues + checked.issues)


# ----------------------------------------------------------------------------- numbers


def _number_text(text: str, typed: bool, o: _Outcome) -> Decimal | None:
    nf = _trim_and_width(text, o.changes)
    value = parse_number_text(nf)
    if value is None and (m := _SIGN_BEFORE_CURRENCY.match(nf)):  # -¥1,200
        inner = parse_number_text(m[2])
        value = None if inner is None else (-inner if m[1] == "-" else inner)
    if value is None:
        return None
    number = Decimal(repr(value))
    shown_number = format(number.normalize(), "f")
    if _CURRENCY_WORD.search(nf):
        o.changes.append(("IMP_CURRENCY", shown_number))
    if "," in nf:
        o.changes.append(("IMP_THOUSANDS", shown_number))
    if nf.startswith("(") and nf.endswith(")"):
        o.changes.append(("IMP_PARENTHESES", shown_number))
    if typed:
        o.changes.append(("IMP_NUMBER_TEXT", shown_number))
    return number


def clean_number(raw: pd.Series, where: Where) -> Cleaned:
    """Amounts, quantities, prices: exact `Decimal`s (a float cell through its shortest text)."""

    def one(v: object) -> _Outcome:
        o = _Outcome()
        if isinstance(v, (bool, dt.date, dt.time)):
            number = None
        elif isinstance(v, (int, np.integer)):
            number = Decimal(int(v))
        elif isinstance(v, (float, np.floating)):
            number = Decimal(repr(float(v))) if np.isfinite(v) else None
        elif isinstance(v, str):
            number = _number_text(v, where.typed, o)
        else:
            number = None
        if number is None:
            o.changes.clear()
            o.bad = ("IMP_NUMBER_INVALID", msg("{header} '{value}' is not a number", header=where.header,
                                               value=shown(v)),
                     msg("Type a number such as 1200.50 (a currency sign and commas between thousands are fine)"))
        o.value = number
        return o

    return _per_value(raw, where, one, _CHANGE_TEXT)


def clean_days(raw: pd.Series, where: Where) -> Cleaned:
    """Payment terms in whole days ≥ 0 ('30天', '30 days' fine)."""

    def one(v: object) -> _Outcome:
        o = _Outcome()
        number: Decimal | None = None
        if isinstance(v, str):
            text = _trim_and_width(v, o.changes)
            m = _DAYS_UNIT.match(text)
            if m and m[1]:
                text = m[1]
            number = _number_text(text, where.typed, o)
            if m and m[1] and number is not None:
                o.changes.append(("IMP_DAYS_UNIT", format(number.normalize(), "f")))
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            number = Decimal(repr(float(v)))
        if number is None or number < 0 or number != number.to_integral_value():
            o.changes.clear()
            o.bad = ("IMP_DAYS_INVALID", msg("{header} '{value}' is not a whole number of days", header=where.header,
                                             value=shown(v)),
                     msg("Type the payment terms as days, e.g. 30"))
        else:
            o.value = int(number)
        return o

    return _per_value(raw, where, one, _CHANGE_TEXT)


def to_units(values: pd.Series, max_places: int = 6) -> tuple[np.ndarray, int]:
    """Decimals → (int64 array in units of 10**-places, places); None → 0 (callers mask blanks).

    `places` is the most decimal places any value has (at most `max_places`, beyond which
    values are rounded half-up), so sums of the units are exact.
    """
    arr = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=True)
    places = 0
    for d in uniques:
        exp = d.normalize().as_tuple().exponent
        if isinstance(exp, int):
            places = max(places, min(-exp, max_places))
    quantum = Decimal(1).scaleb(-places)
    unit_values = []
    for d in uniques:
        scaled = d.quantize(quantum, rounding=ROUND_HALF_UP).scaleb(places)
        if abs(scaled) >= 2**62:
            raise ValueError(f"amount {d} is too large to import")
        unit_values.append(int(scaled))
    table = np.array([*unit_values, 0], dtype=np.int64)
    return table[codes], places


def units_to_cents(units: np.ndarray, places: int) -> tuple[np.ndarray, np.ndarray]:
    """(cents rounded half-up away from zero, True where rounding changed the value)."""
    if places <= 2:
        return units * 10 ** (2 - places), np.zeros(len(units), dtype=bool)
    d = 10 ** (places - 2)
    q, r = np.divmod(np.abs(units), d)
    cents = np.sign(units) * (q + (2 * r >= d))
    return cents.astype(np.int64), r != 0


# ------------------------------------------------------------------------------- dates


def clean_date(raw: pd.Series, where: Where, order: str | None = None) -> tuple[Cleaned, Issue | None]:
    """Dates: cells, ISO / Chinese / compact text, slashed day-month forms by the column's order.

    Returns the cleaned dates (`datetime.date`) and, when slashed dates were read, the
    issue saying which order was used and why.
    """
    parsed: dict[str, dt.date | None] = {}
    slashed: dict[str, tuple[int, int, int, bool]] = {}
    for v in pd.unique(raw.to_numpy(dtype=object)):
        if isinstance(v, str):
            parsed[v] = date = parse_date_text(v)
            if date is None:
                m = _SLASHED.fullmatch(unicodedata.normalize("NFKC", v).strip())
                if m:
                    has_time = m[4] is not None and (int(m[4]), int(m[5]), int(m[6] or 0)) != (0, 0, 0)
                    slashed[v] = (int(m[1]), int(m[2]), int(m[3]), has_time)
    order_issue = None
    if slashed and order is None:
        firsts = [a for a, _, _, _ in slashed.values()]
        seconds = [b for _, b, _, _ in slashed.values()]
        mdy_ok, dmy_ok = max(firsts) <= 12, max(seconds) <= 12
        if mdy_ok != dmy_ok:
            order = "mdy" if mdy_ok else "dmy"
            evidence = next(v for v, (a, b, _, _) in slashed.items() if (b if mdy_ok else a) > 12)
            order_issue = _order_issue(raw, where, order, msg("'{evidence}' can only be read this way",
                                                              evidence=evidence))
    elif slashed:
        order_issue = _order_issue(raw, where, order, msg("as --date-order says"))

    def one(v: object) -> _Outcome:
        o = _Outcome()
        if isinstance(v, dt.datetime):
            o.value = v.date()
            if v.time() != dt.time():
                o.changes.append(("IMP_TIME_DROPPED", o.value.isoformat()))
        elif isinstance(v, dt.date):
            o.value = v
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and where.typed \
                and 1 <= float(v) < 2958466:
            o.value = _EXCEL_EPOCH + dt.timedelta(days=int(float(v)))
            o.changes.append(("IMP_DATE_SERIAL", o.value.isoformat()))
            if not float(v).is_integer():
                o.changes.append(("IMP_TIME_DROPPED", o.value.isoformat()))
        elif isinstance(v, str):
            _date_text(v, parsed[v], o, slashed, order, where)
        if o.value is None and o.bad is None:
            o.changes.clear()
            o.bad = ("IMP_DATE_INVALID", msg("{header} '{value}' is not a date", header=where.header, value=shown(v)),
                     msg("Type the date as 2024-01-05"))
        return o

    return _per_value(raw, where, one, _CHANGE_TEXT), order_issue


def _date_text(v: str, date: dt.date | None, o: _Outcome, slashed: dict, order: str | None, where: Where) -> None:
    text = _trim_and_width(v, o.changes)
    if v in slashed:
        a, b, year, has_time = slashed[v]
        if order is None:
            if a != b:
                o.changes.clear()
                o.bad = ("IMP_DATE_AMBIGUOUS", msg("{header} '{value}' could be day/month or month/day, and no date "
                                                   "in the column settles which", header=where.header,
                                                   value=v.strip()),
                         msg("Run again with --date-order dmy or --date-order mdy"))
                return
            order = "mdy"
        month, day = (a, b) if order == "mdy" else (b, a)
        try:
            o.value = dt.date(year, month, day)
        except ValueError:
            return
        o.changes.append(("IMP_DATE_TEXT", o.value.isoformat()))
        if has_time:
            o.changes.append(("IMP_TIME_DROPPED", o.value.isoformat()))
        return
    if date is None:
        return
    o.value = date
    if where.typed or not _ISO_DATE.match(text):
        o.changes.append(("IMP_DATE_TEXT", date.isoformat()))
    m = _TIME.search(text)
    if m and (int(m[1]), int(m[2]), int(m[3] or 0)) != (0, 0, 0):
        o.changes.append(("IMP_TIME_DROPPED", date.isoformat()))


def _order_issue(raw: pd.Series, where: Where, order: str, why: Msg) -> Issue:
    label = msg("month/day/year") if order == "mdy" else msg("day/month/year")
    return issue("IMP_DATE_ORDER", msg("{header}: slashed dates read as {order} ({why})", header=where.header,
                                       order=label, why=why), [],
                 column=where.column, field=where.field, new_value=order)


# ------------------------------------------------------------------------------- kinds


def clean_kind(raw: pd.Series, where: Where) -> Cleaned:
    def one(v: object) -> _Outcome:
        kind = parse_kind(v) if isinstance(v, str) else None
        if kind is None:
            return _Outcome(bad=("IMP_KIND_UNKNOWN", msg("{header} '{value}' is not a transaction kind",
                                                         header=where.header, value=shown(v)),
                                 # both languages' words: the column accepts either
                                 msg("Use invoice/发票, credit_note/红字发票, receipt/收款, opening/期初 or "
                                     "adjustment/调整")))
        return _Outcome(value=kind)

    return _per_value(raw, where, one, _CHANGE_TEXT)


def clean_direction(raw: pd.Series, where: Where) -> Cleaned:
    """借 / debit / D → +1, 贷 / credit / C → -1."""

    def one(v: object) -> _Outcome:
        word = unicodedata.normalize("NFKC", str(v)).strip().casefold()
        if word in DEBIT_WORDS:
            return _Outcome(value=1)
        if word in CREDIT_WORDS:
            return _Outcome(value=-1)
        return _Outcome(bad=("IMP_DIRECTION_UNKNOWN", msg("{header} '{value}' is neither debit nor credit",
                                                          header=where.header, value=shown(v)),
                             msg("Type debit or credit (D or C)")))

    return _per_value(raw, where, one, _CHANGE_TEXT)
