"""Settings: values that parse but do not make sense together.

Values that do not parse at all are reported while reading (SET_BAD_VALUE,
SET_UNKNOWN_KEY, SET_DUPLICATE_KEY in `xlcust.settings`); here the parsed values are
checked against each other. Each finding points at the Value cell of the key.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..book import Book
from ..findings import Finding, error, warning
from ..i18n import N_, Msg, msg
from ..schema import normalize_header
from ..settings import SPEC_BY_KEY


def setting_rows(book: Book) -> dict[str, int]:
    """Canonical setting key → the Excel row of its (first) row on the Settings sheet."""
    table = book.settings_table
    if not table.present or "key" not in table.raw.columns:
        return {}
    rows: dict[str, int] = {}
    for row, key in table.raw["key"].items():
        spec = SPEC_BY_KEY.get(normalize_header(key)) if key is not None else None
        if spec is not None and spec.key not in rows:
            rows[spec.key] = int(row)
    return rows


def _where(book: Book, rows: dict[str, int], key: str) -> dict:
    return book.settings_table.where("value", rows.get(key))


def _joined(values: tuple) -> str:
    return ",".join(str(v) for v in values)


def check_aging_bounds(book: Book) -> Iterator[Finding]:
    """Aging bounds are positive whole days, strictly increasing (30,60,90,180)."""
    bounds = book.settings.aging_bounds
    problem = _bounds_problem(bounds)
    if problem is None:
        return
    rows = setting_rows(book)
    yield error(
        "SET_AGING_BOUNDS", book.settings_table.name,
        msg("Aging bounds {bounds} {problem}", bounds=_joined(bounds), problem=problem),
        **_where(book, rows, "aging_bounds"), value=_joined(bounds),
        suggestion=msg("Type increasing day counts such as 30,60,90,180"),
    )


def _bounds_problem(bounds: tuple[int, ...]) -> Msg | None:
    if not bounds:
        return msg("are empty")
    if any(b <= 0 for b in bounds):
        return msg("must be positive")
    if any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:], strict=False)):
        return msg("must increase strictly from left to right")
    return None


WEIGHT_KEYS = ("weight_scale", "weight_payment", "weight_stability", "weight_risk")


def check_score_weights(book: Book) -> Iterator[Finding]:
    """The four credit-score weights are each ≥ 0 and sum to 100."""
    s = book.settings
    rows = setting_rows(book)
    name = book.settings_table.name
    values = {k: getattr(s, k) for k in WEIGHT_KEYS}
    for key, value in values.items():
        if value < 0:
            yield error(
                "SET_WEIGHT_NEGATIVE", name,
                msg("Setting '{key}' is {value}; a weight cannot be negative", key=key, value=value),
                **_where(book, rows, key), value=str(value),
                suggestion=msg("Use 0 to leave a dimension out of the credit score"),
            )
    total = sum(values.values())
    if total != 100:
        first = next((k for k in WEIGHT_KEYS if k in rows), WEIGHT_KEYS[0])
        listed = ", ".join(f"{k} {v}" for k, v in values.items())
        yield error(
            "SET_WEIGHTS_SUM", name,
            msg("Credit score weights sum to {total}, not 100 ({listed})", total=total, listed=listed),
            **_where(book, rows, first), value=str(values[first]),
            suggestion=msg("Change the weights so they add up to 100 (they are {off} off)",
                           off=format(total - 100, "+d")),
        )


GRADE_KEYS = ("grade_a_min", "grade_b_min", "grade_c_min")


def check_grade_thresholds(book: Book) -> Iterator[Finding]:
    """Grade thresholds lie within 0–100 and A > B > C."""
    s = book.settings
    rows = setting_rows(book)
    name = book.settings_table.name
    values = {k: getattr(s, k) for k in GRADE_KEYS}
    out_of_range = [k for k, v in values.items() if not 0 <= v <= 100]
    for key in out_of_range:
        yield error(
            "SET_GRADE_RANGE", name,
            msg("Setting '{key}' is {value}; scores run from 0 to 100", key=key, value=values[key]),
            **_where(book, rows, key), value=str(values[key]),
            suggestion=msg("Type a score between 0 and 100"),
        )
    if out_of_range:
        return
    a, b, c = (values[k] for k in GRADE_KEYS)
    for key, value, above, above_key in (("grade_b_min", b, a, "grade_a_min"), ("grade_c_min", c, b, "grade_b_min")):
        if value >= above:
            yield error(
                "SET_GRADE_ORDER", name,
                msg("Setting '{key}' is {value}, not below '{above_key}' ({above}); grades need A > B > C",
                    key=key, value=value, above_key=above_key, above=above),
                **_where(book, rows, key), value=str(value),
                suggestion=msg("Choose decreasing thresholds such as A 80, B 65, C 50"),
            )


def check_provision_rates(book: Book) -> Iterator[Finding]:
    """One provision rate per aging bucket, not decreasing.

    Bounds 30,60,90,180 make six buckets (DESIGN §3): Not due, 1-30, 31-60, 61-90,
    91-180 and >180 — so bounds + 2 rates.
    """
    s = book.settings
    rows = setting_rows(book)
    name = book.settings_table.name
    rates = s.provision_rates
    if _bounds_problem(s.aging_bounds) is not None:
        return  # SET_AGING_BOUNDS first; the count is only meaningful for usable bounds
    buckets = len(s.aging_bounds) + 2
    key = "provision_rates" if "provision_rates" in rows or "aging_bounds" not in rows else "aging_bounds"
    shown = ",".join(f"{r.normalize():f}" for r in rates)
    if len(rates) != buckets:
        yield error(
            "SET_PROVISION_COUNT", name,
            msg("{n} provision rate(s) ({shown}) for {buckets} aging buckets (Not due, then the buckets of bounds "
                "{bounds} and over {last} days)", n=len(rates), shown=shown, buckets=buckets,
                bounds=_joined(s.aging_bounds), last=s.aging_bounds[-1]),
            **_where(book, rows, key), value=shown,
            suggestion=msg("Give provision_rates exactly {buckets} rates: Not due first, then one per bucket",
                           buckets=buckets),
        )
        return
    for i in range(1, len(rates)):
        if rates[i] < rates[i - 1]:
            yield warning(
                "SET_PROVISION_ORDER", name,
                msg("Provision rate {n} ({rate}) is lower than rate {previous_n} ({previous}); older debts usually "
                    "carry higher rates", n=i + 1, rate=format(rates[i].normalize(), "f"), previous_n=i,
                    previous=format(rates[i - 1].normalize(), "f")),
                **_where(book, rows, "provision_rates"), value=shown,
                suggestion=msg("Check the order of the rates: Not due first, then each older bucket"),
            )
            return


NEGATIVE, AT_LEAST_ONE = N_("cannot be negative"), N_("must be at least 1")
FULL_LIMIT = N_("must be at least 100% (red alerts are for customers over their limit)")


def check_setting_ranges(book: Book) -> Iterator[Finding]:
    """Day counts and the default credit limit are not negative; dormancy is at least a month."""
    s = book.settings
    rows = setting_rows(book)
    name = book.settings_table.name
    problems = []
    if s.default_payment_terms_days < 0:
        problems.append(("default_payment_terms_days", s.default_payment_terms_days, NEGATIVE))
    if s.default_credit_limit is not None and s.default_credit_limit < 0:
        problems.append(("default_credit_limit", s.default_credit_limit / 100, NEGATIVE))
    if s.dormant_months < 1:
        problems.append(("dormant_months", s.dormant_months, AT_LEAST_ONE))
    if s.new_customer_months < 1:
        problems.append(("new_customer_months", s.new_customer_months, AT_LEAST_ONE))
    for key in ("red_alert_days_late", "red_alert_warnings"):
        if getattr(s, key) < 1:
            problems.append((key, getattr(s, key), AT_LEAST_ONE))
    if s.red_alert_credit_used < 1:
        problems.append(("red_alert_credit_used", f"{s.red_alert_credit_used:%}", FULL_LIMIT))
    for key, value, problem in problems:
        yield error(
            "SET_OUT_OF_RANGE", name, msg("Setting '{key}' is {value}; it {problem}", key=key, value=value,
                                          problem=msg(problem)),
            **_where(book, rows, key), value=str(value),
            suggestion=msg("Correct the value, or clear it to use the default"),
        )


def check_lifecycle_months(book: Book) -> Iterator[Finding]:
    """A customer is lost only after being dormant: lost_months > dormant_months."""
    s = book.settings
    if s.dormant_months < 1 or s.lost_months > s.dormant_months:
        return
    rows = setting_rows(book)
    key = "lost_months" if "lost_months" in rows or "dormant_months" not in rows else "dormant_months"
    yield error(
        "SET_STAGE_ORDER", book.settings_table.name,
        msg("Setting 'lost_months' is {lost}, not more than 'dormant_months' ({dormant}); a customer is dormant "
            "before it is lost", lost=s.lost_months, dormant=s.dormant_months),
        **_where(book, rows, key), value=str(getattr(s, key)),
        suggestion=msg("Make lost_months larger than dormant_months, such as 6 and 24"),
    )
