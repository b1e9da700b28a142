"""Settings: every key has a default, a parser and a line of documentation.

The Settings sheet is a key/value table. A value that cannot be parsed becomes a
Finding on its cell and the default is used, so one typo never stops a run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from .findings import Finding, error, warning
from .i18n import N_, msg, translate, yes_no
from .schema import CUSTOMERS, FALSE_WORDS, TRUE_WORDS, normalize_header


class Settings(BaseModel):
    """Resolved settings (defaults filled in)."""

    model_config = ConfigDict(frozen=True)

    coding_scheme: tuple[int, ...] = (2, 2, 2)
    as_of: dt.date | None = None  # None: today, resolved by `effective_as_of`
    aging_basis: str = "due"
    aging_bounds: tuple[int, ...] = (30, 60, 90, 180)
    default_payment_terms_days: int = 30
    default_credit_limit: int | None = None  # cents; None = no limit
    weight_scale: int = 25
    weight_payment: int = 40
    weight_stability: int = 20
    weight_risk: int = 15
    grade_a_min: int = 80
    grade_b_min: int = 65
    grade_c_min: int = 50
    amounts_include_tax: bool = True
    provision_rates: tuple[Decimal, ...] = (
        Decimal("0"), Decimal("0.01"), Decimal("0.05"), Decimal("0.1"), Decimal("0.3"),
        Decimal("1"),
    )
    dormant_months: int = 6
    required_customer_fields: tuple[str, ...] = ()  # Customers fields a firm wants filled (data-quality sweep)
    credit_near_limit: Decimal = Decimal("0.9")  # share of the credit limit from which a customer is near it
    new_customer_months: int = 12
    lost_months: int = 24
    red_alert_days_late: int = 60
    red_alert_credit_used: Decimal = Decimal("1.2")
    red_alert_warnings: int = 2
    abc_a_share: Decimal = Decimal("0.8")
    abc_b_share: Decimal = Decimal("0.95")
    language: str = "en"
    company_name: str = ""
    currency: str = "CNY"
    paper_size: str = "A4"
    # Past this many rows a detail sheet (Allocation, Settlement, OpenItems, Collections) keeps only its
    # totals in the book and its rows go to the companion file (`xlcust.views.detail`): a big book stays small.
    detail_rows_in_book: int = 100_000

    def effective_as_of(self) -> dt.date:
        return self.as_of or dt.date.today()

    @property
    def weights(self) -> dict[str, int]:
        return {
            "scale": self.weight_scale,
            "payment": self.weight_payment,
            "stability": self.weight_stability,
            "risk": self.weight_risk,
        }


# ---------------------------------------------------------------- value parsers
# Each parser turns a cell value into a setting value or raises ValueError with a
# message meant for the user.


def parse_scheme(value: object) -> tuple[int, ...]:
    text = str(value).strip().replace("－", "-").replace(" ", "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))  # a lone level "4" typed as a number
    if not re.fullmatch(r"[1-9](-[1-9])*", text):
        raise ValueError(msg("a coding scheme is level lengths joined by '-', such as 2-2-2 or 4-2-2"))
    levels = tuple(int(p) for p in text.split("-"))
    if len(levels) > 9 or sum(levels) > 30:
        raise ValueError(msg("at most 9 levels and 30 characters in all"))
    return levels


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(msg("expected a date such as 2025-12-31"))
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def parse_int_list(value: object) -> tuple[int, ...]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (int(value),)
    parts = [p for p in re.split(r"[,，;；\s]+", str(value).strip()) if p]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(msg("expected whole numbers separated by commas, such as 30,60,90,180")) from None


def parse_rate_list(value: object) -> tuple[Decimal, ...]:
    parts = [p for p in re.split(r"[,，;；\s]+", str(value).strip()) if p]
    try:
        rates = tuple(_rate(p) for p in parts)
    except (InvalidOperation, ValueError):
        raise ValueError(msg("expected rates separated by commas, such as 0,0.05,0.1 or 0%,5%,10%")) from None
    if any(r < 0 or r > 1 for r in rates):
        raise ValueError(msg("each rate must be between 0 and 1 (0% and 100%)"))
    return rates


def parse_share(value: object) -> Decimal:
    """A share such as 1.2 or 120% (may exceed 1)."""
    try:
        return _rate(str(value).strip().replace("％", "%"))
    except (InvalidOperation, ValueError):
        raise ValueError(msg("expected a share such as 1.2 or 120%")) from None


def _rate(text: str) -> Decimal:
    rate = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    if not rate.is_finite():  # "nan" or "inf" are Decimals too, and NaN refuses every comparison
        raise ValueError(text)
    return rate


def parse_fraction(value: object) -> Decimal:
    """One share of a whole, at most all of it: 80%, 0.8 or a percentage cell (0.8)."""
    try:
        share = Decimal(str(value)) if isinstance(value, int | float) else _rate(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(msg("expected a share such as 80% or 0.8")) from None
    if not 0 < share <= 1:
        raise ValueError(msg("a share must be above 0 and at most 1 (100%)"))
    return share


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(msg("expected a whole number"))
    if isinstance(value, int | float):
        if float(value) != int(value):
            raise ValueError(msg("expected a whole number"))
        return int(value)
    text = str(value).strip().replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(msg("expected a whole number"))
    return int(text)


def parse_money_cents(value: object) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(Decimal(str(value)) * 100)
    text = str(value).strip().replace(",", "")
    try:
        return round(Decimal(text) * 100)
    except InvalidOperation:
        raise ValueError(msg("expected an amount such as 100000")) from None


def parse_row_count(value: object) -> int:
    """A number of rows: a whole number, 0 or more."""
    rows = parse_int(value)
    if rows < 0:
        raise ValueError(msg("expected a number of rows, 0 or more"))
    return rows


def parse_customer_fields(value: object) -> tuple[str, ...]:
    """'tax_id,contact,phone' (or the Chinese headers 税号,联系人,电话) → canonical Customers fields."""
    by_name = {normalize_header(n): c.name for c in CUSTOMERS.columns for n in c.all_names}
    fields: list[str] = []
    for part in (p for p in re.split(r"[,，;；、\s]+", str(value).strip()) if p):
        name = by_name.get(normalize_header(part))
        if name is None:
            raise ValueError(msg("'{part}' is not a Customers column; use names such as tax_id, contact, phone",
                                 part=part))
        if name not in fields:
            fields.append(name)
    return tuple(fields)


def parse_near_share(value: object) -> Decimal:
    """A share of at most 1: 0.9, 90% or 90 (read as a percentage)."""
    try:
        share = _rate(str(value).strip()) if not isinstance(value, int | float) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(msg("expected a share such as 90% or 0.9")) from None
    if share > 1:
        share /= 100
    if not 0 < share <= 1:
        raise ValueError(msg("expected a share such as 90% or 0.9")) from None
    return share


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = normalize_header(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(msg("expected yes/no (是/否, TRUE/FALSE, 1/0)"))


def parse_choice(*choices: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        word = str(value).strip().lower()
        if word not in choices:
            raise ValueError(msg("expected one of {choices}", choices=", ".join(choices)))
        return word

    return parse


def parse_text(value: object) -> str:
    return str(value).strip()


PAPER_NAMES = ("A4", "A3", "A5", "Letter", "Legal")  # xlcust.views.page.PAPERS knows their sizes


def parse_paper(value: object) -> str:
    text = str(value).strip().replace(" ", "").casefold()
    found = next((name for name in PAPER_NAMES if name.casefold() == text), None)
    if found is None:
        raise ValueError(msg("expected one of {choices}", choices=", ".join(PAPER_NAMES)))
    return found


@dataclass(frozen=True)
class SettingSpec:
    key: str
    parse: Callable[[object], object]
    doc: str  # a catalog msgid: the Settings sheet shows it in the book's language
    aliases: tuple[str, ...] = ()


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("coding_scheme", parse_scheme, N_("Category coding scheme: level lengths, e.g. 2-2-2"), ("编码方案",)),
    SettingSpec("as_of", parse_date, N_("Reporting date for aging, grades and rules (blank = today)"),
                ("截止日期", "基准日")),
    SettingSpec("aging_basis", parse_choice("due", "invoice"),
                N_("Aging counts days from the due date (due) or the invoice date (invoice)"), ("账龄基准",)),
    SettingSpec("aging_bounds", parse_int_list, N_("Aging bucket upper bounds in days, increasing"), ("账龄分段",)),
    SettingSpec("default_payment_terms_days", parse_int,
                N_("Payment terms when neither customer nor category says"), ("默认账期",)),
    SettingSpec("default_credit_limit", parse_money_cents,
                N_("Credit limit when neither customer nor category says (blank: none)"), ("默认信用额度",)),
    SettingSpec("weight_scale", parse_int, N_("Credit score weight of scale (weights sum to 100)"), ("规模权重",)),
    SettingSpec("weight_payment", parse_int, N_("Credit score weight of payment behaviour"), ("回款权重",)),
    SettingSpec("weight_stability", parse_int, N_("Credit score weight of stability"), ("稳定性权重",)),
    SettingSpec("weight_risk", parse_int, N_("Credit score weight of industry/region risk"), ("风险权重",)),
    SettingSpec("grade_a_min", parse_int, N_("Lowest score graded A"), ("A级最低分",)),
    SettingSpec("grade_b_min", parse_int, N_("Lowest score graded B"), ("B级最低分",)),
    SettingSpec("grade_c_min", parse_int, N_("Lowest score graded C (below: D)"), ("C级最低分",)),
    SettingSpec("amounts_include_tax", parse_bool, N_("Transaction amounts include VAT"), ("金额含税",)),
    SettingSpec("provision_rates", parse_rate_list,
                N_("Bad-debt provision rate per aging bucket (Not due, then each bucket)"), ("坏账计提比例",)),
    SettingSpec("dormant_months", parse_int,
                N_("Months without a transaction before a customer is dormant"), ("休眠月数",)),
    SettingSpec("required_customer_fields", parse_customer_fields,
                N_("Customers columns that must not be blank, e.g. tax_id,contact,phone (blank: none)"), ("必填字段",)),
    SettingSpec("credit_near_limit", parse_near_share,
                N_("Share of the credit limit from which a customer counts as near it (e.g. 90%)"), ("额度预警比例",)),
    SettingSpec("new_customer_months", parse_int,
                N_("Lifecycle stage: a customer whose first transaction is younger than this many months is new"),
                ("新客户月数",)),
    SettingSpec("lost_months", parse_int,
                N_("Lifecycle stage: months without a transaction before a customer is lost "
                   "(more than dormant_months)"),
                ("流失月数",)),
    SettingSpec("red_alert_days_late", parse_int,
                N_("Warning level: a payment warning is a red alert from this many days late (else yellow)"),
                ("红色警报逾期天数",)),
    SettingSpec("red_alert_credit_used", parse_share,
                N_("Warning level: over the credit limit is a red alert from this share of it used, e.g. 120%"),
                ("红色警报额度使用率",)),
    SettingSpec("red_alert_warnings", parse_int,
                N_("Warning level: a customer with this many different warnings at once has red alerts"),
                ("红色警报预警数",)),
    SettingSpec("abc_a_share", parse_fraction,
                N_("Revenue ranking (ABC / Pareto): class A takes the largest until this share of the total"),
                ("A类占比",)),
    SettingSpec("abc_b_share", parse_fraction, N_("… and class B until this share; the rest is C"), ("B类占比",)),
    SettingSpec("language", parse_choice("en", "zh"), N_("Language of output sheets: en or zh"), ("语言",)),
    SettingSpec("company_name", parse_text, N_("Company name printed on statements"), ("公司名称",)),
    SettingSpec("currency", parse_text, N_("Currency code"), ("币种",)),
    SettingSpec("paper_size", parse_paper,
                N_("Paper that output sheets and statements print on: A4, A3, A5, Letter or Legal"),
                ("纸张", "纸张大小")),
    SettingSpec("detail_rows_in_book", parse_row_count,
                N_("Most rows a detail sheet keeps in the workbook; past it, totals only (--detail: a companion file)"),
                ("明细行数上限",)),
)
SPEC_BY_KEY: dict[str, SettingSpec] = {
    normalize_header(name): spec for spec in SPECS for name in (spec.key, *spec.aliases)
}


@dataclass(frozen=True)
class SettingEntry:
    """One Settings row as read: key, raw value and where it came from."""

    key: object
    value: object
    row: int | None = None


def resolve_settings(
    entries: list[SettingEntry],
    sheet: str = "Settings",
    key_column: str = "A",
    value_column: str = "B",
) -> tuple[Settings, list[Finding]]:
    """Parse Settings rows into a `Settings`, with a finding per bad or unknown key."""
    values: dict[str, object] = {}
    findings: list[Finding] = []
    seen: dict[str, int | None] = {}
    for e in entries:
        if e.key is None or str(e.key).strip() == "":
            continue
        spec = SPEC_BY_KEY.get(normalize_header(e.key))
        if spec is None:
            # A risk table or a user's own note may live here too; say so gently.
            if not str(e.key).strip().startswith(("risk.", "风险.")):
                findings.append(warning(
                    "SET_UNKNOWN_KEY", sheet, msg("Unknown setting '{key}' is ignored", key=e.key),
                    row=e.row, column=key_column, field="key", value=str(e.key),
                    suggestion=msg("Check the spelling against the README's settings table"),
                ))
            continue
        if spec.key in seen:
            findings.append(error(
                "SET_DUPLICATE_KEY", sheet,
                msg("Setting '{key}' appears twice (first on row {first})", key=spec.key, first=seen[spec.key]),
                row=e.row, column=key_column, field="key", value=str(e.key),
                suggestion=msg("Keep one row per setting"),
            ))
            continue
        seen[spec.key] = e.row
        if e.value is None or (isinstance(e.value, str) and e.value.strip() == ""):
            continue  # blank: the default applies
        try:
            values[spec.key] = spec.parse(e.value)
        except ValueError as exc:
            findings.append(error(
                "SET_BAD_VALUE", sheet, msg("Setting '{key}' has value '{value}': {problem}", key=spec.key,
                                            value=e.value, problem=exc.args[0] if exc.args else str(exc)),
                row=e.row, column=value_column, field="value", value=str(e.value),
                suggestion=msg("The default {default} is used until fixed",
                               default=repr(Settings.model_fields[spec.key].default)),
            ))
    settings = Settings(**values)
    return settings, findings


def setting_rows(settings: Settings, lang: str = "en") -> list[tuple[str, object, str]]:
    """(key, value as a user would type it, note) rows for a new Settings sheet."""
    rows = []
    for spec in SPECS:
        value = getattr(settings, spec.key)
        if spec.key == "coding_scheme":
            shown: object = "-".join(str(v) for v in value)
        elif spec.key == "default_credit_limit":
            shown = "" if value is None else value / 100
        elif spec.key == "credit_near_limit":
            shown = f"{value * 100:f}".rstrip("0").rstrip(".") + "%"
        elif spec.key in ("abc_a_share", "abc_b_share"):
            shown = f"{(value * 100).normalize():f}%"
        elif isinstance(value, tuple):
            shown = ",".join(str(v) for v in value)
        elif isinstance(value, bool):  # a Chinese sheet says 是/否, as its drop-downs do; parse_bool reads both
            shown = ("TRUE" if value else "FALSE") if lang == "en" else yes_no(value, lang)
        elif value is None:
            shown = ""
        else:
            shown = value
        rows.append((spec.key, shown, translate(spec.doc, lang)))
    return rows
