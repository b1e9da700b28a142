"""Credit: per-customer metrics, four dimension scores, a weighted score, a grade and its
explanation; credit exposure against the limit; early warnings. DESIGN §3, docs/credit.md.

    from xlcust.credit import grade_customers, early_warnings
    grades = grade_customers(book, ledger)      # one row per customer (xlcust.credit.grades)
    warnings = early_warnings(book, ledger)     # one row per warning (xlcust.credit.warnings)

The formulas are in `xlcust.credit.scoring`; the risk table in `xlcust.credit.risk`;
exposure in `xlcust.credit.exposure`.
"""

from .exposure import credit_exposure
from .grades import MONEY_COLUMNS, grade_customers, parameters, payment_days_late
from .risk import NEUTRAL_RISK, RiskTable
from .scoring import DIMENSIONS, GRADES
from .warnings import WARNINGS, early_warnings

__all__ = [
    "DIMENSIONS",
    "GRADES",
    "MONEY_COLUMNS",
    "NEUTRAL_RISK",
    "WARNINGS",
    "RiskTable",
    "credit_exposure",
    "early_warnings",
    "grade_customers",
    "parameters",
    "payment_days_late",
]
