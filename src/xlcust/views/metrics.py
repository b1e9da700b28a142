"""The Metrics output sheet (客户指标): one row per customer with its figures, scores, grade and warnings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..book import Book
from ..credit.scoring import GRADES
from ..i18n import N_, ctranslate, term, translate
from ..ledger.lifecycle import STAGE_LABELS
from ..settings import Settings
from .labels import GRADE, label, label_column, yes_no_column
from .levels import customer_level_column, customer_levels, level_fills
from .outputs import Field, frame_sheet
from .sheet import OutputSheet

METRICS_FIELDS: Sequence[Field] = (
    ("customer_code", term("column header", "Customer"), "link", 12),
    ("name", term("column header", "Name"), "text", 26),
    ("category_code", term("column header", "Category"), "text", 10),
    ("grade", term("column header", "Grade"), "text", 7),
    ("score", term("column header", "Score"), "number", 8),
    ("stage", N_("Lifecycle stage"), "text", 11),
    ("warning_level", N_("Warning level"), "text", 11),
    ("scale", term("column header", "Scale"), "number", 8),
    ("payment", term("column header", "Payment"), "number", 8),
    ("stability", term("column header", "Stability"), "number", 8),
    ("risk", term("column header", "Risk"), "number", 8),
    ("explanation", term("column header", "Explanation"), "text", 60),
    ("revenue_12m", term("column header", "Net sales 12m"), "cents", 15),
    ("revenue_total", N_("Lifetime net sales"), "cents", 15),
    ("late_count", N_("Times late"), "int", 9),
    ("max_overdue_amount", N_("Largest overdue item"), "cents", 15),
    ("max_days_overdue", N_("Most days overdue"), "int", 9),
    ("payment_days_late", term("column header", "Days late (payment)"), "number", 10),
    ("overdue_90_share", term("column header", "Overdue >90 share"), "percent", 10),
    ("invoice_count", term("column header", "Invoices"), "int", 8),
    ("tenure_months", term("column header", "Months as customer"), "int", 9),
    ("active_months_12m", term("column header", "Active months 12m"), "int", 9),
    ("months_since_last_txn", term("column header", "Months since last txn"), "int", 9),
    ("industry", term("column header", "Industry"), "text", 14),
    ("industry_risk", term("column header", "Industry risk"), "number", 8),
    ("region", term("column header", "Region"), "text", 10),
    ("region_risk", term("column header", "Region risk"), "number", 8),
    ("balance", term("column header", "Balance"), "cents", 15),
    ("credit_limit", term("column header", "Credit limit"), "cents", 15),
    ("exposure", term("column header", "Exposure"), "cents", 15),
    ("available_credit", term("column header", "Available credit"), "cents", 15),
    ("credit_used", term("column header", "Limit used"), "percent", 9),
    ("over_limit", term("column header", "Over limit"), "text", 8),
    ("near_limit", term("column header", "Near limit"), "text", 8),
    ("warnings", term("column header", "Warnings"), "text", 30),
    # From the archive (客户档案): settlement method and invoice type inherited down the category tree.
    ("settlement_method", term("column header", "Settlement method"), "text", 14),
    ("invoice_type", term("column header", "Invoice type"), "text", 14),
    ("salesperson", term("column header", "Salesperson"), "text", 10),
    ("department", term("column header", "Department"), "text", 10),
)


def metrics_sheet(book: Book, grades: pd.DataFrame, lang: str,
                  warnings: pd.DataFrame | None = None) -> OutputSheet:
    """The Metrics sheet from `grade_customers(book, ledger)` (and, optionally, the
    `early_warnings` frame: each customer's warning codes go in the last column, its most
    urgent level in the Warning level column; red alerts come first, then yellow, coloured).

    The explanation is in the sheet's language; customer codes link to their Customers row.
    """
    frame = grades.reset_index()
    frame["explanation"] = grades["explanation_zh" if lang == "zh" else "explanation"].to_numpy(dtype=object)
    frame["warnings"] = _warning_codes(frame["customer_code"], warnings)
    _add_archive(book, frame)
    frame["grade"] = label_column(GRADE, frame["grade"], lang)
    for flag in ("over_limit", "near_limit"):
        if flag in frame:
            frame[flag] = yes_no_column(frame[flag], lang)
    frame["warning_level"], red_first = customer_level_column(frame["customer_code"], customer_levels(warnings), lang)
    frame = frame.iloc[red_first].reset_index(drop=True)  # red alerts first
    if "stage" in frame.columns:  # the code, in the sheet's words
        labels = {code: translate(msgid, lang) for code, msgid in STAGE_LABELS.items()}
        frame["stage"] = [labels.get(code, code) for code in frame["stage"].tolist()]
    frame.attrs = dict(grades.attrs)
    counts = grades["grade"].value_counts()
    tally = ", ".join(f"{label(GRADE, g, lang)} {int(counts.get(g, 0))}" for g in GRADES)
    weights = _weights(book.settings, lang)
    what = translate(N_("Credit grades: {tally} (weights {weights})"), lang, tally=tally, weights=weights)
    customers = book.customers
    link = f"{customers.name}!{customers.columns.get('code', 'A')}"
    sheet = frame_sheet("Metrics", lang, frame, METRICS_FIELDS, what, as_of=grades.attrs.get("as_of"),
                        links={"customer_code": ("source_row", link)}, tab_color="2E75B6")
    sheet.fills = level_fills([f[0] for f in METRICS_FIELDS].index("warning_level"), lang)
    return sheet


def _add_archive(book: Book, frame: pd.DataFrame) -> None:
    """Settlement method, invoice type (inherited: ledger.terms), salesperson and department per customer."""
    from ..codes import CodingScheme
    from ..ledger.terms import archive_defaults

    codes = frame["customer_code"].to_numpy(dtype=object)
    data = book.customers.data
    defaults = archive_defaults(data, book.categories.data, CodingScheme.from_settings(book.settings))
    at = defaults.index.get_indexer(codes)  # each customer's row, found once for both columns (−1: none)
    for column in ("settlement_method", "invoice_type"):
        frame[column] = pd.Series(_blanks_as_none(_taken(defaults[column], at)), index=frame.index, dtype=object)
    first = data[data["code"].notna().to_numpy() & ~data["code"].duplicated().to_numpy()].set_index("code") \
        if "code" in data.columns else pd.DataFrame()
    at = first.index.get_indexer(codes)
    for column in ("salesperson", "department"):
        values = _blanks_as_none(_taken(first[column], at)) if column in first.columns else [None] * len(codes)
        frame[column] = pd.Series(values, index=frame.index, dtype=object)  # object: blanks stay None


def _taken(column: pd.Series, at: np.ndarray) -> pd.Series:
    """`column.reindex(codes)` from the positions `index.get_indexer(codes)` gave (−1: not found, NaN)."""
    values = np.append(column.to_numpy(dtype=object), np.nan)
    return pd.Series(values[at], dtype=object)


def _blanks_as_none(values: pd.Series) -> list[object]:
    """A reindexed text column: codes not found (NaN) as blank cells."""
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values.tolist()]


def _weights(settings: Settings, lang: str) -> str:
    return ", ".join(f"{ctranslate('credit dimension', d, lang)} {w}" for d, w in settings.weights.items())


def _warning_codes(codes: pd.Series, warnings: pd.DataFrame | None) -> list[str | None]:
    if warnings is None or warnings.empty:
        return [None] * len(codes)
    # each customer's distinct codes in the order they were raised, looked up once per customer
    pairs = warnings.loc[warnings["customer_code"].notna(), ["customer_code", "code"]].drop_duplicates()
    by_customer: dict[object, str] = {}
    for customer, code in zip(pairs["customer_code"].tolist(), pairs["code"].tolist(), strict=True):
        by_customer[customer] = f"{by_customer[customer]}, {code}" if customer in by_customer else code
    return [by_customer.get(c) for c in pd.Series(codes, dtype=object).tolist()]
