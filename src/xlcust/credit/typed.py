"""Credit control as the invoice is typed (开具销售发票时的信用额度拦截提醒): the figures per invoice row.

The workbook marks, with native conditional formatting (`xlcust.io.credit_marks`), an
invoice row whose customer's balance *through that row* — every Transactions row of the
customer from the top of the sheet down to this one, invoices, openings and adjustments
up, receipts and credit notes down — exceeds the customer's resolved credit limit, or
reaches Settings `credit_near_limit` of it. `invoice_credit_marks(book)` computes the
same figures in the same way (sheet order, dates not considered), so `xlcust check`
reports exactly the rows Excel colours (TXN_OVER_CREDIT_LIMIT, TXN_NEAR_CREDIT_LIMIT).

The limit resolves like everywhere else: the customer's own limit → its category's →
the nearest ancestor's → Settings `default_credit_limit`; no limit, no mark.
Money is int64 cents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..archive import customer_credit_limits
from ..book import Book
from ..ledger._frames import group_cumsum
from ..ledger.lines import SIGN

MARK_COLUMNS = ["row", "customer_code", "balance", "credit_limit", "over", "near"]


def invoice_credit_marks(book: Book) -> pd.DataFrame:
    """One row per marked invoice row: Excel row, customer, balance through the row, limit, over, near."""
    t, c = book.transactions, book.customers
    empty = pd.DataFrame(columns=MARK_COLUMNS)
    needed = ("customer_code", "kind", "amount")
    if not t.present or not all(f in t.data.columns for f in needed) or not c.present or "code" not in c.data:
        return empty
    d = t.data
    # Kinds and customers by number (`SheetTable.numbered`): a million rows, a few thousand codes.
    kind, customer = t.numbered("kind"), t.numbered("customer_code")
    sign = np.append(np.array([SIGN.get(k, 0) for k in kind.values], dtype=np.int64), 0)[kind.numbers]
    amount = d["amount"].to_numpy(dtype=np.int64, na_value=0)
    who = customer.numbers
    # Balance through each row: the running sum of the customer's rows in sheet order. Numbers
    # 0 … 65,534 (with a blank's −1 moved to 0) sort stably as uint16, which numpy radix-sorts.
    key = (who + 1).astype(np.uint16) if len(customer) < 65_535 else who
    order = np.argsort(key, kind="stable")
    balance = np.zeros(len(who), dtype=np.int64)
    balance[order] = group_cumsum((sign * amount)[order], who[order])
    limits = customer_credit_limits(book)
    codes = c.data["code"]
    first = ~codes.duplicated().to_numpy() & codes.notna().to_numpy()
    by_code = pd.Series(limits.to_numpy()[first], index=codes.to_numpy(dtype=object)[first], dtype="Int64")
    limit_of = by_code.reindex(customer.values)  # per distinct customer code; NA: no limit
    has_limit = np.append(limit_of.notna().to_numpy(), False)[who]  # a blank code (−1): none
    cap_of = np.append(limit_of.to_numpy(dtype=np.int64, na_value=0), 0)
    invoice = np.append(np.asarray(kind.values, dtype=object) == "invoice", False)[kind.numbers]
    rows = np.flatnonzero(invoice & has_limit)
    if not len(rows):
        return empty
    bal = balance[rows]
    cap = cap_of[who[rows]]
    num, den = book.settings.credit_near_limit.as_integer_ratio()
    over = bal > cap
    near = ~over & (bal > 0) & (den * bal >= num * cap)
    keep = over | near
    return pd.DataFrame({
        "row": d.index.to_numpy()[rows][keep], "customer_code": customer.values[who[rows][keep]],
        "balance": bal[keep], "credit_limit": cap[keep], "over": over[keep], "near": near[keep],
    }, columns=MARK_COLUMNS)
