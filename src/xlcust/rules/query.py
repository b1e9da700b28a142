"""Ask the registry a question: the customers a rules-language condition selects, with their figures.

    sel = select_customers(book, ledger, 'AND(HAS_TAG("建筑业"), late_count >= 2)')
    sel.frame          # one row per matching customer: customer_code, row, the shown metrics
    sel.columns        # the metric names shown, in order

The condition is the When column of the Rules sheet (docs/rules.md): the same parser,
compiler and metrics, so a question asked at the command line (`xlcust customers
--where`), in a cell (`=CUSTOMERS_WHERE(…)`) or in a rule selects the same customers.
A condition that cannot be compiled raises `ConditionError` (a bad argument: the
command exits 2 and names the character); nothing here reads or writes a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..findings import Finding
from ..i18n import Joined, Msg
from ..money import cents_to_decimal
from . import metrics as metrics_module
from .compiler import Context, Expr, compile_condition, evaluate
from .metrics import BY_NAME, Type, metrics_frame
from .syntax import RuleError, parse_condition
from .values import Env

if TYPE_CHECKING:
    from ..book import Book
    from ..ledger import Ledger

# What every answer shows, before the figures the condition itself reads.
SHOWN = ("name", "category_code", "balance", "overdue_amount", "revenue_12m")
CREDIT_SHOWN = ("grade",)
# Names that are the answer's key or the same for everyone: never an extra column.
NOT_SHOWN = frozenset({"code", "as_of"})


class ConditionError(UsageError):
    """A --where / CUSTOMERS_WHERE condition that cannot be compiled: where and why."""

    def __init__(self, text: str, problem: RuleError) -> None:
        self.text = text
        self.code = problem.code
        self.pos = problem.pos
        self.problem: str | Msg = problem.message
        self.suggestion: str | Msg = problem.suggestion
        # a plain-text problem (none today) is shown as it is
        super().__init__(problem.message if isinstance(problem.message, Msg) else Joined((problem.message,)))

    @property
    def at(self) -> int | None:
        """The 1-based character the problem is at (None: the whole condition)."""
        return None if self.pos is None else min(self.pos, len(self.text)) + 1


@dataclass
class Selection:
    """The customers a condition matched, in Customers-sheet order, with the figures shown."""

    condition: str | None
    as_of: object
    frame: pd.DataFrame  # customer_code, row (Excel row on Customers), then `columns`
    columns: list[str]
    considered: int  # customers on the Customers sheet
    findings: list[Finding] = field(default_factory=list)

    def money_columns(self) -> list[str]:
        """The shown columns that hold money (in yuan in `frame`)."""
        return [c for c in self.columns if BY_NAME[c].unit == "yuan"]


def compile_where(text: str, *, credit: bool | None = None) -> tuple[Expr, frozenset[str]]:
    """The condition compiled, and the metric names it reads; raises ConditionError."""
    credit = metrics_module.credit_installed() if credit is None else credit
    try:
        ctx = Context(text, credit)
        return compile_condition(parse_condition(text), ctx), frozenset(ctx.metrics)
    except RuleError as exc:
        raise ConditionError(text, exc) from None


def select_customers(book: Book, ledger: Ledger, where: str | None = None) -> Selection:
    """The customers `where` selects (all of them when None or blank) at the ledger's as-of date."""
    condition = None
    read: frozenset[str] = frozenset()
    if where is not None and where.strip():
        condition, read = compile_where(where)
    credit = metrics_module.credit_installed()
    columns = [*SHOWN, *(CREDIT_SHOWN if credit else ())]
    columns += [m.name for m in BY_NAME.values() if m.name in read and m.name not in columns
                and m.name not in NOT_SHOWN]
    metrics = metrics_frame(book, ledger, set(columns) | read)
    frame = metrics.frame
    keep = np.ones(len(frame), dtype=bool) if condition is None else evaluate(condition, Env(frame))
    chosen = frame.loc[keep, ["customer_code", "row", *columns]].reset_index(drop=True)
    return Selection(where.strip() if where else None, ledger.as_of, chosen, columns, len(frame),
                     list(metrics.findings))


def selected_codes(book: Book, ledger: Ledger, where: str) -> frozenset[str]:
    """Just the codes of the customers `where` selects (statements --where)."""
    return frozenset(str(c) for c in select_customers(book, ledger, where).frame["customer_code"])


def records(selection: Selection) -> list[dict[str, object]]:
    """One JSON-ready dict per customer: money rounded to the cent, dates as dates, blanks as None."""
    out = []
    frame = selection.frame
    for rec in frame.to_dict("records"):
        item: dict[str, object] = {"customer_code": rec["customer_code"], "row": int(rec["row"])}
        for name in selection.columns:
            item[name] = plain(rec[name], BY_NAME[name].type, BY_NAME[name].unit)
        out.append(item)
    return out


def plain(value: object, kind: Type, unit: str = "") -> object:
    """A metric value as a plain Python value: None for blank; money to the cent; whole counts as int."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if kind is Type.DATE:
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.date()
    if kind is Type.NUMBER:
        number = float(value)  # type: ignore[arg-type]
        if number != number:
            return None
        if unit == "yuan":
            return cents_to_decimal(round(number * 100))  # rules see yuan; back to exact cents
        return int(number) if number.is_integer() else round(number, 2)
    if isinstance(value, float) and value != value:
        return None
    return value
