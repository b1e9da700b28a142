"""The credit area on the demo registry: its stories come out, the CLI and the Metrics sheet have their shape."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from xlcust.book import Book
from xlcust.cli import app
from xlcust.credit import GRADES, early_warnings, grade_customers
from xlcust.demo import SPECIAL_CUSTOMERS, demo_data
from xlcust.io.save import write_outputs
from xlcust.ledger import build_ledger
from xlcust.schema import CATEGORIES, CUSTOMERS, HISTORY, RISK, RULES, TRANSACTIONS
from xlcust.views.metrics import metrics_sheet

runner = CliRunner()


@pytest.fixture(scope="module")
def demo() -> tuple[Book, pd.DataFrame, pd.DataFrame]:
    rows = demo_data().rows
    book = Book.from_rows(
        settings={r["key"]: r["value"] for r in rows["Settings"]}, categories=rows[CATEGORIES.key],
        customers=rows[CUSTOMERS.key], transactions=rows[TRANSACTIONS.key], rules=rows[RULES.key],
        history=rows[HISTORY.key], risk=rows[RISK.key],
    )
    ledger = build_ledger(book)
    return book, grade_customers(book, ledger), early_warnings(book, ledger)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("credit") / "demo.xlsx"
    assert runner.invoke(app, ["new", str(path), "--demo"]).exit_code == 0
    return path


def warned(warnings: pd.DataFrame, code: str) -> set[str]:
    return set(warnings.loc[warnings["code"] == code, "customer_code"])


def test_every_customer_is_graded_with_an_explanation(demo) -> None:
    book, grades, _ = demo
    assert len(grades) == len(book.customers)
    assert set(grades["grade"]) <= set(GRADES) and {"A", "B", "C", "D"} <= set(grades["grade"])
    assert grades[["scale", "payment", "stability", "risk", "score"]].stack().between(0, 100).all()
    assert grades["explanation"].str.match(r"^(A|B|C|D|NEW)[ :]").all()
    assert grades["explanation_zh"].str.len().gt(10).all()
    assert grades.attrs["risk_table"] is True
    assert (grades["industry_risk_source"] == "listed").all()  # every demo industry is in the Risk sheet


def test_worsening_payer_is_warned(demo) -> None:
    _, grades, warnings = demo
    (code,) = SPECIAL_CUSTOMERS["worsening"]
    assert code in warned(warnings, "PAY_WORSENING") | warned(warnings, "PAY_RHYTHM_BROKEN")
    assert grades.loc[code, "payment"] < 60


def test_dormant_customer_is_warned(demo) -> None:
    _, grades, warnings = demo
    (code,) = SPECIAL_CUSTOMERS["dormant"]
    assert code in warned(warnings, "DORMANT")
    assert grades.loc[code, "revenue_12m"] == 0 and grades.loc[code, "scale"] == 0
    for closed in SPECIAL_CUSTOMERS["closed"]:  # status already says dormant: not warned again
        assert closed not in warned(warnings, "DORMANT")


def test_over_limit_customer(demo) -> None:
    _, grades, warnings = demo
    (code,) = SPECIAL_CUSTOMERS["over_limit"]
    assert grades.loc[code, "over_limit"] and grades.loc[code, "available_credit"] < 0
    assert set(grades.index[grades["over_limit"]]) == {code}
    assert warned(warnings, "CREDIT_OVER_LIMIT") == {code}


def test_late_payers_grade_lower_than_prompt_payers(demo) -> None:
    _, grades, _ = demo
    profiles = demo_data().profiles
    late = grades.loc[[c for c, p in profiles.items() if p == "late"]]
    prompt = grades.loc[[c for c, p in profiles.items() if p == "prompt"]]
    assert late["payment"].max() < prompt["payment"].min()
    assert late["score"].mean() + 15 < prompt["score"].mean()
    assert (late["grade"].isin(["C", "D"])).mean() > 0.8
    assert "dragged it down" in late["explanation"].iloc[0]


def test_cli_json_shape(demo_book: Path) -> None:
    result = runner.invoke(app, ["grades", str(demo_book), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"as_of", "items", "warnings", "summary", "parameters", "findings", "complete", "coverage"}
    assert doc["complete"] is True
    assert doc["as_of"] == "2026-09-30" and doc["findings"] == []
    item = next(i for i in doc["items"] if i["customer_code"] == "C0013")
    for key in ("customer_code", "scale", "payment", "stability", "risk", "score", "grade", "explanation",
                "explanation_zh", "revenue_12m", "avg_days_late", "overdue_90_share", "active_months_12m",
                "first_txn_date", "months_since_last_txn", "credit_limit", "exposure", "available_credit",
                "over_limit", "near_limit"):
        assert key in item, key
    assert item["over_limit"] is True and isinstance(item["exposure"], float)  # yuan, not cents
    assert item["available_credit"] == pytest.approx(item["credit_limit"] - item["exposure"])
    assert len(doc["items"]) == doc["summary"]["customers"] == sum(doc["summary"]["grades"].values())
    assert list(doc["summary"]["grades"]) == list(GRADES)
    assert {"code", "customer_code", "category_code", "message", "message_zh"} <= set(doc["warnings"][0])
    assert doc["parameters"]["weights"] == {"scale": 25, "payment": 40, "stability": 20, "risk": 15}
    assert doc["parameters"]["thresholds"] == {"A": 80, "B": 65, "C": 50}
    # issue 14: the new figures, the stage, each warning's level and the thresholds behind them
    assert {"revenue_total", "late_count", "max_overdue_amount", "max_days_overdue", "tenure_months",
            "stage"} <= set(item) and item["stage"] == "active"
    assert isinstance(item["revenue_total"], float) and item["revenue_total"] >= item["revenue_12m"]
    assert {w["level"] for w in doc["warnings"] if w["customer_code"] == "C0013"} == {"red"}
    assert doc["parameters"]["lifecycle"] == {"new_customer_months": 12, "dormant_months": 6, "lost_months": 24}
    assert doc["parameters"]["red_alert"] == {"days_late": 60, "credit_used": 1.2, "warnings": 2}


def test_cli_table_and_bad_arguments(demo_book: Path) -> None:
    result = runner.invoke(app, ["grades", str(demo_book), "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "Credit grades as of 2026-06-30" in result.stdout and "Early warnings" in result.stdout
    assert runner.invoke(app, ["grades", str(demo_book), "--as-of", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["grades", str(demo_book.with_name("missing.xlsx"))]).exit_code == 2


def test_cli_reports_broken_weights_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "weights.xlsx"
    from xlcust.io.template import create_workbook

    create_workbook(path, data={"Settings": [{"key": "weight_scale", "value": 60}]})
    result = runner.invoke(app, ["grades", str(path), "--json"])
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["SET_WEIGHTS_SUM"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_metrics_sheet(demo, demo_book: Path, tmp_path: Path, lang: str) -> None:
    book, grades, warnings = demo
    sheet = metrics_sheet(book, grades, lang, warnings)
    out = tmp_path / "metrics.xlsx"
    write_outputs(demo_book, [sheet], out=out)
    ws = openpyxl.load_workbook(out)[sheet.name]
    assert sheet.name == ("客户指标" if lang == "zh" else "Metrics")
    headers = [c.value for c in ws[2]]
    assert headers[:5] == (["客户编码", "客户名称", "分类编码", "等级", "评分"] if lang == "zh"
                           else ["Customer", "Name", "Category", "Grade", "Score"])
    assert ws.max_row == 2 + len(grades)
    codes = [c.value for c in ws["A"][2:]]
    row = {h: c for h, c in zip(headers, ws[3 + codes.index("C0013")], strict=True)}
    code_cell = row["客户编码" if lang == "zh" else "Customer"]
    assert code_cell.value == "C0013" and code_cell.hyperlink is not None
    explanation = row["评级说明" if lang == "zh" else "Explanation"].value
    assert explanation == grades.loc["C0013", "explanation_zh" if lang == "zh" else "explanation"]
    assert "CREDIT_OVER_LIMIT" in row["预警" if lang == "zh" else "Warnings"].value
    assert row["占用" if lang == "zh" else "Exposure"].value == pytest.approx(grades.loc["C0013", "exposure"] / 100)
    # red alerts first, then yellow, then customers without a warning; C0013 (two warnings at once) is red
    red, yellow = ("红色警报", "黄色预警") if lang == "zh" else ("Red alert", "Yellow alert")
    level_header = "预警级别" if lang == "zh" else "Warning level"
    level = [c.value for c in ws[get_column_letter(headers.index(level_header) + 1)][2:]]
    assert row[level_header].value == red
    assert level == sorted(level, key=lambda v: {red: 0, yellow: 1}.get(v, 2)) and level.count(red) >= 1
    assert {rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules} == {f'"{red}"', f'"{yellow}"'}
