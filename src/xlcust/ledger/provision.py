"""Bad-debt provision (坏账准备) by aging bucket.

Each aging bucket has a rate (Settings provision_rates: one per bucket, `Not due`
first). Per customer

    provision = Σ over buckets (open amount in the bucket × rate)

computed exactly (rates as fractions, amounts in whole cents) and rounded half-up to
the cent once per customer. A category's provision is the sum of its customers'
rounded provisions (rolled up every level), so customers, categories and the total tie
to the cent. The buckets follow the ledger's aging basis. When Settings lists fewer
rates than buckets, the last rate given applies to the remaining (older) buckets;
extra rates are ignored; no rates at all means nothing is provided for (the checks
report a mismatch).

Rates per category (坏账准备按客户分类). A category may carry its own rates in the
Categories column `provision_rates` (坏账计提比例), written like the setting. A
customer's rates come from its current category, else the nearest ancestor category
that has rates (as payment terms are inherited, `xlcust.ledger.terms`), else Settings.
A cell that is not a list of rates is skipped (the checks report it, CAT_PROVISION_RATES)
and the search goes on up the tree. `by_customer["rate_source"]` names the category whose
rates applied (None: Settings); `rate_sets` holds each category's rates as used.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..money import money_to_json
from ._frames import text, with_money
from .records import json_records
from .rollup import rollup
from .terms import inherit

if TYPE_CHECKING:
    from .core import Ledger


@dataclass(frozen=True)
class ProvisionReport:
    """Provision per customer and per category, in int64 cents."""

    as_of: dt.date
    basis: str
    labels: tuple[str, ...]
    rates: tuple[Decimal, ...]  # one per label: Settings provision_rates
    by_customer: pd.DataFrame  # customers with open items: buckets, open_amount, provision, rate_source
    by_category: pd.DataFrame  # rolled up, with level
    total: int  # cents
    rate_sets: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)  # category → its rates, one per label

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "basis": self.basis,
            "rates": {label: float(rate) for label, rate in zip(self.labels, self.rates, strict=True)},
            "category_rates": {code: {label: float(rate) for label, rate in zip(self.labels, rates, strict=True)}
                               for code, rates in self.rate_sets.items()},
            "items": json_records(self.by_customer),
            "by_category": json_records(self.by_category),
            "total": money_to_json(self.total),
        }


def rates_for(labels: tuple[str, ...], rates: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    """One rate per bucket: the given ones, the last repeated for older buckets, extras dropped."""
    if not rates:
        return tuple(Decimal(0) for _ in labels)
    return tuple(rates[min(i, len(rates) - 1)] for i in range(len(labels)))


def provide(open_by_bucket: np.ndarray, rates: tuple[Decimal, ...]) -> np.ndarray:
    """Per row: Σ open × rate, rounded half-up to the cent, exactly. Open amounts are ≥ 0."""
    fractions = [Fraction(r) for r in rates]
    denominator = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    numerators = np.array([int(f * denominator) for f in fractions], dtype=object)
    largest = int(np.abs(open_by_bucket).max(initial=0)) * max((abs(int(n)) for n in numerators), default=0)
    if largest * len(rates) * 2 + denominator < 2**62:
        scaled = open_by_bucket.astype(np.int64) @ numerators.astype(np.int64)
        return (2 * scaled + denominator) // (2 * denominator)
    # Huge amounts or finely divided rates: the same arithmetic on Python integers.
    scaled = open_by_bucket.astype(object) @ numerators
    return np.array([(2 * int(s) + denominator) // (2 * denominator) for s in scaled], dtype=np.int64)


def category_rate_sets(ledger: Ledger) -> dict[str, tuple[Decimal, ...]]:
    """Each category's own provision rates, parsed (cells that do not parse are left out)."""
    from ..settings import parse_rate_list

    own: dict[str, tuple[Decimal, ...]] = {}
    if "provision_rates" not in ledger.categories.columns:
        return own
    for code, cell in ledger.categories["provision_rates"].items():
        if cell is None or str(cell).strip() == "":
            continue
        try:
            rates = parse_rate_list(cell)
        except ValueError:
            continue  # CAT_PROVISION_RATES says so; the ancestors' or Settings' rates apply
        if rates:
            own[code] = rates
    return own


def provision(ledger: Ledger) -> ProvisionReport:
    aging = ledger.aging()
    labels = aging.labels
    rates = rates_for(labels, tuple(ledger.settings.provision_rates))
    customers = aging.by_customer[aging.by_customer["open_amount"] > 0]
    by_customer = customers[["customer_code", "name", "category_code", *labels, "open_amount"]].reset_index(drop=True)
    own = category_rate_sets(ledger)
    category = by_customer["category_code"].to_numpy(dtype=object)
    source = np.full(len(by_customer), None, dtype=object)
    if own:
        codes = pd.Index(pd.unique(category[pd.notna(category)]), dtype=object)
        found = inherit(codes, own, ledger.scheme)["source_code"]
        if len(codes):
            source = found.reindex(category).to_numpy(dtype=object)
            source = np.where(pd.notna(source), source, None)
    open_by_bucket = by_customer[list(labels)].to_numpy(dtype=np.int64)
    provided = np.zeros(len(by_customer), dtype=np.int64)
    rate_sets = {code: rates_for(labels, own[code]) for code in sorted({str(s) for s in source if s is not None})}
    for code in [None, *rate_sets]:  # one exact computation per rate set
        mine = (source == code) if code else pd.isna(source)
        provided[mine] = provide(open_by_bucket[mine], rate_sets[code] if code else rates)
    by_customer["provision"] = provided
    by_customer["rate_source"] = text(source)
    money = [*labels, "open_amount", "provision"]
    with_money(by_customer, money)
    by_category = with_money(rollup(by_customer, money, ledger.scheme, ledger.categories, all_categories=True), money)
    total = int(by_customer["provision"].sum())
    return ProvisionReport(ledger.as_of, ledger.basis, labels, rates, by_customer, by_category, total, rate_sets)
