"""Warning levels: 黄色预警 / 红色警报 from Settings thresholds, sorted and coloured (issue 14, point 5)."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.checks import settings as setting_checks
from xlcust.credit import early_warnings
from xlcust.credit.warnings import warning_levels
from xlcust.ledger import build_ledger
from xlcust.settings import Settings
from xlcust.views.dashboard import dashboard_sheet
from xlcust.views.outputs import ledger_sheets

AS_OF = D(2026, 9, 30)


@pytest.mark.parametrize(("code", "gauge", "level"), [
    ("PAY_WORSENING", 59.9, "yellow"), ("PAY_WORSENING", 60, "red"),
    ("PAY_RHYTHM_BROKEN", 60, "red"), ("PAY_RHYTHM_BROKEN", 12, "yellow"),
    ("CREDIT_OVER_LIMIT", 1.19, "yellow"), ("CREDIT_OVER_LIMIT", 1.2, "red"),
    ("CREDIT_NEAR_LIMIT", 0.99, "yellow"),
    ("DORMANT", 23, "yellow"), ("DORMANT", 24, "red"),
    ("ORDER_VOLUME_DROP", np.nan, "yellow"),
])
def test_one_warning_is_red_from_its_threshold(code: str, gauge: float, level: str) -> None:
    got = warning_levels(np.array([code], dtype=object), np.array(["C1"], dtype=object), np.array([gauge]),
                         Settings())
    assert list(got) == [level]


def test_two_kinds_of_warning_at_once_make_a_customer_red_but_never_a_category() -> None:
    codes = np.array(["PAY_RHYTHM_BROKEN", "ORDER_VOLUME_DROP", "ORDER_VOLUME_DROP", "SETTLEMENT_SLOWER",
                      "SETTLEMENT_SLOWER"], dtype=object)
    who = np.array(["C1", "C1", "C2", None, None], dtype=object)
    gauges = np.array([15.0, np.nan, np.nan, 40.0, 40.0])
    assert list(warning_levels(codes, who, gauges, Settings())) == ["red", "red", "yellow", "yellow", "yellow"]
    three = Settings(red_alert_warnings=3)
    assert list(warning_levels(codes, who, gauges, three)) == ["yellow"] * 5


# ------------------------------------------------------------------ on a small book

CUSTOMERS = [  # limits 1,000; OVER1 owes 1,300 (130 %), OVER2 1,100 (110 %); IDLE25/IDLE7 stopped trading
    {"code": c, "name": c, "category_code": "01", "credit_limit": 1000, "opened_on": D(2020, 1, 1)}
    for c in ("OVER1", "OVER2", "IDLE25", "IDLE7", "CALM")
]


def txns() -> list[dict]:
    def inv(txn: str, who: str, day: D, amount: float) -> dict:
        return {"txn_id": txn, "date": day, "customer_code": who, "kind": "invoice", "amount": amount,
                "due_date": day}

    return [inv("A", "OVER1", D(2026, 9, 1), 1300), inv("B", "OVER2", D(2026, 9, 1), 1100),
            inv("C", "IDLE25", D(2024, 8, 1), 50), inv("E", "IDLE7", D(2026, 2, 1), 60),
            inv("F", "CALM", D(2026, 9, 1), 100)]


def book(**settings: object) -> Book:
    return Book.from_rows(settings={"as_of": AS_OF.isoformat(), **settings},
                          categories=[{"code": "01", "name": "All"}], customers=CUSTOMERS, transactions=txns())


def levels(b: Book) -> dict[tuple[str, str], str]:
    w = early_warnings(b, build_ledger(b))
    return {(c, k): lvl for c, k, lvl in zip(w["customer_code"], w["code"], w["level"], strict=True)}


def test_levels_on_a_small_book_follow_the_settings() -> None:
    assert levels(book()) == {
        ("OVER1", "CREDIT_OVER_LIMIT"): "red", ("OVER2", "CREDIT_OVER_LIMIT"): "yellow",
        ("IDLE25", "DORMANT"): "red", ("IDLE7", "DORMANT"): "yellow",
    }
    relaxed = levels(book(red_alert_credit_used="150%", lost_months=36))
    assert set(relaxed.values()) == {"yellow"}


def test_collections_and_dashboard_put_red_alerts_first_and_colour_them() -> None:
    b = book()
    ledger = build_ledger(b)
    warnings = early_warnings(b, ledger)
    for lang, red, yellow in (("en", "Red alert", "Yellow alert"), ("zh", "红色警报", "黄色预警")):
        sheet = ledger_sheets(b, ledger, lang, warnings=warnings)[-1]
        frame = sheet.rows
        level_col = len(sheet.columns) - 1
        assert sheet.columns[level_col].header == ("预警级别" if lang == "zh" else "Warning level")
        customers = frame[3].tolist()
        shown = frame[level_col].tolist()
        assert shown[:4] == [red, red, yellow, yellow] and pd.isna(shown[4])  # CALM: no warning
        assert set(customers[:2]) == {"OVER1", "IDLE25"} and set(customers[2:4]) == {"OVER2", "IDLE7"}
        assert {(f.column, f.value) for f in sheet.fills} == {(level_col, red), (level_col, yellow)}

        dash = dashboard_sheet(b, ledger, lang, warnings=warnings)
        listed = [row for row in dash.rows if row and row[0] in (red, yellow)]
        assert [row[0] for row in listed] == [red, red, yellow, yellow]
        assert {f.value for f in dash.fills} == {red, yellow}


def test_without_warnings_collections_keep_their_order_and_have_no_level() -> None:
    b = book()
    ledger = build_ledger(b)
    sheet = ledger_sheets(b, ledger, "en")[-1]
    assert sheet.rows[len(sheet.columns) - 1].isna().all()
    assert sheet.rows[3].tolist() == ledger.collections()["customer_code"].tolist()


@pytest.mark.parametrize(("settings", "expected"), [
    ({"red_alert_days_late": 0}, [("SET_OUT_OF_RANGE", 2)]),
    ({"red_alert_warnings": 0}, [("SET_OUT_OF_RANGE", 2)]),
    ({"red_alert_credit_used": "90%"}, [("SET_OUT_OF_RANGE", 2)]),
    ({"red_alert_credit_used": "150%", "red_alert_warnings": 3}, []),
])
def test_thresholds_are_checked(settings: dict, expected: list) -> None:
    b = Book.from_rows(settings=settings)
    assert [(f.code, f.row) for f in setting_checks.check_setting_ranges(b)] == expected


@pytest.mark.parametrize("typed", ["lots", "nan", "inf", "NaN%"])
def test_a_share_that_is_not_a_number_is_a_finding(typed: str) -> None:
    b = Book.from_rows(settings={"red_alert_credit_used": typed, "provision_rates": typed})
    assert [f.code for f in b.read_findings if f.code.startswith("SET_")] == ["SET_BAD_VALUE"] * 2
    assert b.settings.red_alert_credit_used == Settings().red_alert_credit_used
    assert Book.from_rows(settings={"红色警报额度使用率": "130%"}).settings.red_alert_credit_used == Decimal("1.3")


def test_live_excel_gets_the_same_colours() -> None:
    """The xlwings host turns a ValueFill into a FormatCondition (Excel stores colours blue-green-red)."""
    from xlcust.excel.host import sheet_block
    from xlcust.excel.xlwings_book import _add_value_fill

    b = book()
    ledger = build_ledger(b)
    sheet = ledger_sheets(b, ledger, "zh", warnings=early_warnings(b, ledger))[-1]
    fills = sheet_block(sheet).fills
    assert [f.value for f in fills] == ["红色警报", "黄色预警"]
    added: list[dict] = []

    class Condition:
        Interior = type("Interior", (), {})()
        Font = type("Font", (), {})()

    class RangeApi:
        class FormatConditions:
            @staticmethod
            def Add(**kwargs: object) -> Condition:  # noqa: N802
                added.append(kwargs)
                return Condition()

    _add_value_fill(RangeApi(), fills[0])
    assert added == [{"Type": 1, "Operator": 3, "Formula1": '="红色警报"'}]
    assert Condition.Interior.Color == 0xCEC7FF and Condition.Font.Color == 0x06009C


def test_the_console_lists_red_alerts_first_with_their_level() -> None:
    from rich.console import Console

    from xlcust.credit import grade_customers
    from xlcust.views.console.reports import print_grades

    b = book()
    ledger = build_ledger(b)
    grades = grade_customers(b, ledger)
    console = Console(record=True, width=200)
    print_grades(console, grades, early_warnings(b, ledger, grades=grades), AS_OF.isoformat(),
                 ("A", "B", "C", "D", "NEW"), "zh")
    lines = [line for line in console.export_text().splitlines() if "CREDIT" in line or "DORMANT" in line]
    levels = ["红色警报" if "红色警报" in line else "黄色预警" for line in lines]
    assert levels == ["红色警报", "红色警报", "黄色预警", "黄色预警"]
