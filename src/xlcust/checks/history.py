"""CategoryHistory (分类历史): periods of category membership, and their agreement with Customers.

A period runs from Valid from (inclusive) to Valid to (exclusive); a blank Valid to
is the open, current period. Per customer: periods do not overlap, exactly one is
open, and the open one's category is the customer's category on the Customers
sheet. Without a CategoryHistory sheet, history starts from the current categories
and nothing here applies; a customer without history rows likewise starts from its
current category.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..book import Book
from ..findings import Finding, error, warning
from ..i18n import msg
from .cells import date_text, dates_as_text, invalid_dates, odd_cells, shown, status
from .scaffold import blank_rows, per_cell, readable

_OPEN_END = np.iinfo(np.int64).max


def check_history_cells(book: Book) -> Iterator[Finding]:
    """Excel error values anywhere, and codes typed with stray or full-width spaces."""
    yield from odd_cells(book.history, "HIS")


def check_history_customers(book: Book) -> Iterator[Finding]:
    """Each history row names a customer on the Customers sheet."""
    h = book.history
    if not readable(h, "customer_code"):
        return
    yield from per_cell(error, "HIS_CUSTOMER_MISSING", h, "customer_code", blank_rows(h, "customer_code"),
                        msg("Customer code is blank"),
                        msg("Type the customer's code, or delete the row"))
    customers = book.customers
    if not readable(customers, "code"):
        return
    codes = h.data["customer_code"]
    for row, code in codes[codes.notna() & ~codes.isin(customers.data["code"].dropna().unique())].items():
        yield error(
            "HIS_CUSTOMER_UNKNOWN", h.name, msg("Customer '{code}' is not on the Customers sheet", code=code),
            **h.where("customer_code", row), value=shown(h, "customer_code", row),
            suggestion=msg("Correct the code, or delete the history rows of a customer that was removed"),
        )


def check_history_categories(book: Book) -> Iterator[Finding]:
    """Each history row names a category on the Categories sheet."""
    h = book.history
    if not readable(h, "category_code"):
        return
    yield from per_cell(error, "HIS_CATEGORY_MISSING", h, "category_code", blank_rows(h, "category_code"),
                        msg("Category code is blank"),
                        msg("Type the category the customer belonged to in this period"))
    known = book.categories.data["code"].dropna().unique()
    codes = h.data["category_code"]
    for row, code in codes[codes.notna() & ~codes.isin(known)].items():
        yield error(
            "HIS_CATEGORY_UNKNOWN", h.name, msg("Category '{code}' is not on the Categories sheet", code=code),
            **h.where("category_code", row), value=shown(h, "category_code", row),
            suggestion=msg("Correct the code; keep categories that history refers to on the Categories sheet "
                           "(mark them inactive instead of deleting them)"),
        )


def check_history_dates(book: Book) -> Iterator[Finding]:
    """Valid from is present; dates are real dates."""
    h = book.history
    if not h.present:
        return
    if h.has("valid_from"):
        yield from per_cell(error, "HIS_FROM_MISSING", h, "valid_from", blank_rows(h, "valid_from"),
                            msg("Valid from is blank"),
                            msg("Type the date from which the customer was in this category"))
    for field in ("valid_from", "valid_to", "changed_at"):
        if h.has(field):
            yield from dates_as_text(h, field, "HIS_DATE_TEXT")
            yield from invalid_dates(h, field, "HIS_DATE_INVALID")


def periods(book: Book) -> pd.DataFrame:
    """Usable history rows, sorted by customer, start, row: customer, category, start, end (int64 ns), open.

    Rows without a customer or start, with an unreadable Valid to, or whose Valid to
    is not after Valid from are left out (each has its own finding).
    """
    h = book.history
    if not readable(h, "customer_code", "valid_from"):
        return pd.DataFrame(columns=["row", "customer", "category", "start", "end", "open"])
    d = h.data
    to_unreadable = d.index.isin(status(h, "valid_to").index)
    start = d["valid_from"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    to = d["valid_to"].to_numpy(dtype="datetime64[ns]")
    is_open = np.isnat(to) & ~to_unreadable
    end = np.where(is_open, _OPEN_END, to.astype(np.int64))
    usable = d["customer_code"].notna().to_numpy() & d["valid_from"].notna().to_numpy() & ~to_unreadable
    usable &= is_open | (end > start)
    frame = pd.DataFrame({
        "row": d.index.to_numpy(),
        "customer": d["customer_code"].to_numpy(dtype=object),
        "category": d["category_code"].to_numpy(dtype=object),
        "start": start,
        "end": end,
        "open": is_open,
    })[usable]
    return frame.sort_values(["customer", "start", "row"], kind="stable").reset_index(drop=True)


def _day(ns: int) -> str:
    return date_text(pd.Timestamp(ns))


def check_history_periods(book: Book) -> Iterator[Finding]:
    """Each period ends after it starts; a customer's periods neither overlap nor leave gaps."""
    h = book.history
    if not readable(h, "valid_to", "valid_from"):
        return
    d = h.data
    empty = (d["valid_to"] <= d["valid_from"]).to_numpy()
    for row in d.index[empty]:
        yield error(
            "HIS_PERIOD_EMPTY", h.name,
            msg("Valid to {valid_to} is not after Valid from {valid_from}; the period is empty",
                valid_to=date_text(d.at[row, "valid_to"]), valid_from=date_text(d.at[row, "valid_from"])),
            **h.where("valid_to", row), value=date_text(d.at[row, "valid_to"]),
            suggestion=msg("Valid to is the first day the category no longer applies: make it later than Valid from"),
        )
    p = periods(book)
    if p.empty:
        return
    customer = p["customer"]
    reach = p.groupby("customer", sort=False)["end"].cummax()  # furthest end so far, this row included
    prev_reach = reach.groupby(customer, sort=False).shift(1)
    open_before = p["open"].groupby(customer, sort=False).cumsum() - p["open"]
    # Two open rows are reported once, as HIS_SEVERAL_OPEN.
    overlap = (p["start"] < prev_reach) & ~(p["open"] & (open_before > 0))
    gap = (p["start"] > prev_reach) & prev_reach.notna()
    position = p.groupby("customer", sort=False).cumcount().to_numpy()
    for i in np.flatnonzero(overlap.to_numpy()):
        here = p.iloc[i]
        earlier = p.iloc[i - position[i] : i]
        other = earlier[earlier["end"] > here["start"]].iloc[-1]
        until = msg("with no end") if other["open"] else msg("until {day}", day=_day(other["end"]))
        yield error(
            "HIS_OVERLAP", h.name,
            msg("Customer '{customer}' is in two categories at once: this period from {start} overlaps row {row} "
                "({category}, from {other_start} {until})", customer=here["customer"], start=_day(here["start"]),
                row=other["row"], category=other["category"], other_start=_day(other["start"]), until=until),
            **h.where("valid_from", here["row"]), value=_day(here["start"]),
            suggestion=msg("End row {row} on {day} (Valid to), or correct this Valid from",
                           row=other["row"], day=_day(here["start"])),
        )
    for i in np.flatnonzero(gap.to_numpy()):
        here = p.iloc[i]
        gap_from = _day(int(prev_reach.iloc[i]))
        yield warning(
            "HIS_GAP", h.name,
            msg("Customer '{customer}' has no category from {start} until {end}",
                customer=here["customer"], start=gap_from, end=_day(here["start"])),
            **h.where("valid_from", here["row"]), value=_day(here["start"]),
            suggestion=msg("Make this period start on {start}, or extend the previous one to {end}",
                           start=gap_from, end=_day(here["start"])),
        )


def check_history_open_rows(book: Book) -> Iterator[Finding]:
    """A customer with history has exactly one open period (blank Valid to)."""
    h = book.history
    p = periods(book)
    if p.empty:
        return
    opens = p[p["open"]]
    again = _repeats(opens)
    for row, customer, first in zip(again["row"], again["customer"], again["first"], strict=True):
        yield error(
            "HIS_SEVERAL_OPEN", h.name,
            msg("Customer '{customer}' has a second current period (blank Valid to); row {first} is open too",
                customer=customer, first=first),
            **h.where("valid_to", row),
            suggestion=msg("Type the date this period ended in Valid to, or end row {first}", first=first),
        )
    closed_only = ~p.groupby("customer", sort=False)["open"].transform("any")
    last_rows = p[closed_only].groupby("customer", sort=False).tail(1)
    current = _current_categories(book) if len(last_rows) else {}
    for row, customer, end in zip(last_rows["row"], last_rows["customer"], last_rows["end"], strict=True):
        now = current.get(customer)
        hint = (msg("add a row for category '{now}' from {day}", now=now, day=_day(end)) if now
                else msg("add a row for the current category from {day}", day=_day(end)))
        yield error(
            "HIS_NO_OPEN", h.name,
            msg("Customer '{customer}' has no current period: every row has a Valid to (the last ends {day})",
                customer=customer, day=_day(end)),
            **h.where("valid_to", row), value=_day(end),
            suggestion=msg("Blank Valid to on the current category's row, or {hint}", hint=hint),
        )


def _repeats(opens: pd.DataFrame) -> pd.DataFrame:
    """Open rows after a customer's first open row: their row, customer and that first row."""
    first = opens.groupby("customer", sort=False)["row"].transform("first")
    repeats = (opens["row"] != first).to_numpy()
    return opens.loc[repeats, ["row", "customer"]].assign(first=first[repeats])


def _current_categories(book: Book) -> dict[str, str]:
    c = book.customers.data
    pairs = c[["code", "category_code"]].dropna()
    pairs = pairs[~pairs["code"].duplicated().to_numpy()]
    return dict(zip(pairs["code"].tolist(), pairs["category_code"].tolist(), strict=True))


def check_history_matches_customers(book: Book) -> Iterator[Finding]:
    """The open period's category is the customer's category on the Customers sheet.

    When they differ, the category was changed on the Customers sheet without a
    history row saying from when. If the customer has transactions dated in the open
    period, those would be reported under a category whose start nobody recorded:
    HIS_CHANGE_UNRECORDED, an error on the Customers cell. Otherwise the history was
    simply not brought up to date: HIS_OPEN_MISMATCH, a warning on the history row.
    """
    h, c = book.history, book.customers
    p = periods(book)
    if p.empty or not readable(c, "code", "category_code"):
        return
    opens = p[p["open"]]
    once = opens[~opens["customer"].duplicated(keep=False)]  # several open rows: HIS_SEVERAL_OPEN
    current = _current_categories(book)
    once = once.assign(now=once["customer"].map(current))
    differ = once[once["now"].notna() & once["category"].notna() & (once["now"] != once["category"])]
    if differ.empty:
        return
    customer_rows = c.data.index.to_series(index=c.data["code"].to_numpy())
    customer_rows = customer_rows[customer_rows.index.notna() & ~customer_rows.index.duplicated()]
    counts = _transactions_since(book, differ)
    for _, open_row in differ.iterrows():
        customer, since = open_row["customer"], _day(open_row["start"])
        n = int(counts.get(customer, 0))
        if n:
            row = customer_rows[customer]
            yield error(
                "HIS_CHANGE_UNRECORDED", c.name,
                msg("Customer '{customer}' is in category '{now}' here, but {sheet} row {row} has '{category}' "
                    "since {since}; the change was never recorded, so {n} transaction(s) since {since} cannot be "
                    "put in the right category", customer=customer, now=open_row["now"], sheet=h.name,
                    row=open_row["row"], category=open_row["category"], since=since, n=n),
                **c.where("category_code", row), value=open_row["now"],
                suggestion=msg("Run `xlcust reclassify --apply` to record the change with its effective date, "
                               "or correct this cell back to '{category}'", category=open_row["category"]),
            )
        else:
            yield warning(
                "HIS_OPEN_MISMATCH", h.name,
                msg("Current period says category '{category}' for customer '{customer}', but the Customers "
                    "sheet has '{now}'", category=open_row["category"], customer=customer, now=open_row["now"]),
                **h.where("category_code", open_row["row"]), value=open_row["category"],
                suggestion=msg("Run `xlcust reclassify --apply`, or correct the Customers sheet"),
            )


def _transactions_since(book: Book, opens: pd.DataFrame) -> pd.Series:
    """Per customer of `opens`: transactions dated on or after its open period's start."""
    t = book.transactions
    if not readable(t, "customer_code", "date"):
        return pd.Series(dtype="int64")
    tx = t.data[["customer_code", "date"]]
    tx = tx[tx["customer_code"].isin(opens["customer"]).to_numpy()]
    start = tx["customer_code"].map(pd.Series(opens["start"].to_numpy(), index=opens["customer"].to_numpy()))
    dated = tx["date"].notna().to_numpy()
    since = np.zeros(len(tx), dtype=bool)
    since[dated] = tx["date"].to_numpy(dtype="datetime64[ns]")[dated].astype(np.int64) >= start.to_numpy()[dated]
    return tx.loc[since, "customer_code"].value_counts()


def check_history_remembered(book: Book) -> Iterator[Finding]:
    """A used customer without history rows is still in the category xlcust last saw (`xlcust.memory`).

    Catches a change made while the CategoryHistory sheet was absent, or after the
    customer's rows were deleted: T3 would have refused it; xlcust asks for its date.
    """
    c = book.customers
    changes = unrecorded_changes(book)
    for customer, row, now, then, seen in changes.itertuples(index=False, name=None):
        seen_on = date_text(seen) if not pd.isna(seen) else "?"
        yield error(
            "HIS_CHANGE_NO_HISTORY", c.name,
            msg("Customer '{customer}' is in category '{now}' here, but was in '{then}' when xlcust last saw it "
                "(on {seen_on}) and no {sheet} row records the change: its past transactions stay in '{then}' "
                "until the change has an effective date", customer=customer, now=now, then=then, seen_on=seen_on,
                sheet=book.history.name),
            **c.where("category_code", row), value=now,
            suggestion=msg("Run `xlcust reclassify --apply` to record the change from the as-of date, or correct "
                           "this cell back to '{then}'", then=then),
        )


def unrecorded_changes(book: Book) -> pd.DataFrame:
    """Used customers without usable CategoryHistory rows whose category is not the remembered one.

    Columns: customer_code, row (Customers row), now, remembered, seen_on. Customers with
    history rows are the history checks' business (HIS_CHANGE_UNRECORDED and friends).
    """
    c = book.customers.data
    columns = ["customer_code", "row", "now", "remembered", "seen_on"]
    if book.remembered.empty or "code" not in c.columns or "category_code" not in c.columns:
        return pd.DataFrame(columns=columns)
    first = c[c["code"].notna().to_numpy() & ~c["code"].duplicated().to_numpy()]
    codes = first["code"].to_numpy(dtype=object)
    memory = book.remembered.reindex(codes)
    then = memory["category_code"].to_numpy(dtype=object)
    now = first["category_code"].to_numpy(dtype=object)
    differ = ~pd.isna(then) & ~pd.isna(now) & (then != now)
    with_periods = pd.unique(periods(book)["customer"].to_numpy(dtype=object))
    differ &= pd.Index(codes).isin(_used_customers(book)) & ~pd.Index(codes).isin(with_periods)
    return pd.DataFrame({
        "customer_code": codes[differ], "row": first.index.to_numpy()[differ], "now": now[differ],
        "remembered": then[differ], "seen_on": memory["seen_on"].to_numpy()[differ],
    }, columns=columns)


def _used_customers(book: Book) -> pd.Index:
    t = book.transactions
    if not t.present or "customer_code" not in t.data.columns:
        return pd.Index([], dtype=object)
    return pd.Index(pd.unique(t.data["customer_code"].dropna().to_numpy(dtype=object)), dtype=object)
