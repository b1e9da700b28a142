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
    kinds = d["kind"].astype(object).to_numpy()
    sign = np.array([SIGN.get(k, 0) if isinstance(k, str) else 0 for k in kinds], dtype=np.int64)
    amount = d["amount"].to_numpy(dtype=np.float64, na_value=0).astype(np.int64)
    customer = d["customer_code"].astype(object).where(d["customer_code"].notna(), None)
    signed = pd.Series(sign * amount, index=d.index)
    balance = signed.groupby(customer.to_numpy(), dropna=True, sort=False).cumsum()
    limits = customer_credit_limits(book)
    codes = c.data["code"]
    first = ~codes.duplicated().to_numpy() & codes.notna().to_numpy()
    by_code = pd.Series(limits.to_numpy()[first], index=codes.to_numpy(dtype=object)[first], dtype="Int64")
    limit = customer.map(by_code).astype("Int64")
    is_invoice = (kinds == "invoice") & customer.notna().to_numpy() & limit.notna().to_numpy()
    rows = np.flatnonzero(is_invoice)
    if not len(rows):
        return empty
    bal = balance.reindex(d.index).to_numpy(dtype=np.float64, na_value=0).astype(np.int64)[rows]
    cap = limit.to_numpy(dtype=np.float64, na_value=0).astype(np.int64)[rows]
    num, den = book.settings.credit_near_limit.as_integer_ratio()
    over = bal > cap
    near = ~over & (bal > 0) & (den * bal >= num * cap)
    keep = over | near
    return pd.DataFrame({
        "row": d.index.to_numpy()[rows][keep], "customer_code": customer.to_numpy()[rows][keep],
        "balance": bal[keep], "credit_limit": cap[keep], "over": over[keep], "near": near[keep],
    }, columns=MARK_COLUMNS)
