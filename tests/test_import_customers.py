"""`xlcust import customers`: a messy Chinese customer list into a registry.

The source files are written here, as people send them: GBK from Chinese Excel/WPS,
a title line above the header, blank lines, a 合计 row, full-width codes, lower-case
credit codes, ¥ and thousands separators, Chinese dates, repeats of customers the
registry already has.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.errors import UsageError
from xlcust.importer import ImportOptions
from xlcust.io.auditlog import read_audit
from xlcust.io.importing import import_customers
from xlcust.io.package import open_package
from xlcust.io.reader import read_book

from .test_import_support import (
    TAX_HUAYUAN,
    TAX_SHENZHEN,
    TAX_TIANJIN,
    codes,
    digest,
    errors,
    small_registry,
    write_text,
    write_xlsx,
)

TODAY = dt.date(2026, 3, 1)
HEADER = ["客户编码", "单位名称", "统一社会信用代码", "客户类别", "联系电话", "授信额度", "建档日期", "备用"]
MESSY_ROWS = [  # source rows 4-18 of the CSV (title on 1, a blank line on 2, header on 3)
    ["", "北京华远建筑有限公司", " 9111 0108 " + TAX_HUAYUAN[8:].lower(), "Construction", "13800138000",
     "￥50,000.00", "2024年1月5日", "x"],                                                     # 4 new, no code
    ["Ｃ０３００ ", "深圳示例科技有限公司", TAX_SHENZHEN, "0102", "０７５５-12345678", "RMB 1,200", "2024/3/9",
     ""],                                                                                       # 5 full-width
    ["", "天津英飞百货有限公司", "", "0102", "", "", "", ""],                                 # 6 registry's C0001
    ["", "英飞百货（天津）", TAX_TIANJIN, "0102", "", "", "", ""],                             # 7 C0001's tax ID
    ["", "北京华远建筑(集团)", "", "0101", "", "", "", ""],                                    # 8 repeats row 4
    ["", "", "", "", "", "", "", ""],                                                         # 9 blank
    ["合计", "", "", "", "", "51,200.00", "", ""],                                            # 10 subtotal
    ["", "广州新客户贸易有限公司", "91440300MA5EXAMPZZ", "0101", "", "", "", ""],              # 11 bad tax ID
    ["", "无分类客户有限公司", "", "", "", "", "", ""],                                        # 12 no category
    ["C0007", "Another Name Ltd", "", "02", "", "", "", ""],                                  # 13 code taken
    ["", "分类错误有限公司", "", "01", "", "", "", ""],                                        # 14 not a leaf
    ["", "未知分类有限公司", "", "99", "", "", "", ""],                                        # 15 no such category
    ["", "负额度有限公司", "", "0101", "", "-5", "", ""],                                      # 16 negative limit
    ["", "日期错误有限公司", "", "0101", "", "", "2024-13-45", ""],                            # 17 not a date
    ["C0300", "深圳示例科技有限公司", "", "0102", "", "", "", ""],                              # 18 repeats row 5
]


def _csv(rows: list[list[str]]) -> str:
    def cell(v: str) -> str:
        return f'"{v}"' if "," in v else v

    lines = ["2024年客户名单（财务部导出）,,,,,,,", ",,,,,,,", ",".join(HEADER)]
    lines += [",".join(cell(v) for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def messy_gbk(tmp_path: Path) -> Path:
    return write_text(tmp_path / "客户名单.csv", _csv(MESSY_ROWS), "gbk")


def _options(**kw) -> ImportOptions:
    return ImportOptions(today=TODAY, user="tester", **kw)


def test_messy_gbk_list_is_cleaned_deduplicated_and_appended(tmp_path: Path, messy_gbk: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    assert errors(book) == []
    report = import_customers(messy_gbk, book, _options(category="02"))

    assert report.source.encoding == "GB18030 (GBK)" and report.source.header_row == 3
    assert {m.field: m.column for m in report.mapping} == {
        "code": "A", "name": "B", "tax_id": "C", "category_code": "D", "phone": "E", "credit_limit": "F",
        "opened_on": "G"}
    found = codes(report)
    # Rows that are not data.
    assert found["IMP_TITLE_ROWS"] == [[1]]
    assert found["IMP_BLANK_ROWS"] == [[9]]
    assert found["IMP_SUBTOTAL_ROW"] == [[10]]
    # Every rejection, with its row.
    assert found["IMP_TAX_ID_INVALID"] == [[11]]
    assert found["IMP_CODE_CONFLICT"] == [[13]]
    assert found["IMP_CATEGORY_NOT_LEAF"] == [[14]]
    assert found["IMP_CATEGORY_UNKNOWN"] == [[15]]
    assert found["IMP_CREDIT_LIMIT_INVALID"] == [[16]]
    assert found["IMP_DATE_INVALID"] == [[17]]
    assert {i.row for i in report.rejected} == {11, 13, 14, 15, 16, 17}
    # Duplicates: skipped, said so.
    assert sorted(found["IMP_DUPLICATE_IN_REGISTRY"]) == [[6], [7]]
    assert sorted(found["IMP_DUPLICATE_IN_FILE"]) == [[8], [18]]
    # Cleaning, each change reported on its row.
    assert [4] in found["IMP_UPPER_CASE"] and [4] in found["IMP_INNER_SPACES"] and [4] in found["IMP_CURRENCY"]
    assert [4] in found["IMP_THOUSANDS"] and [4] in found["IMP_DATE_TEXT"] and [5] in found["IMP_DATE_TEXT"]
    assert [5] in found["IMP_FULL_WIDTH"] and [5] in found["IMP_TRIMMED"]
    assert found["IMP_CATEGORY_BY_NAME"] == [[4]]
    assert found["IMP_CATEGORY_DEFAULT"] == [[12]]
    # Codes continue the highest C-number in the registry or the file (C0300 → C0301, C0302).
    assert sorted(found["IMP_CODE_ASSIGNED"]) == [[4], [12]]
    assert report.written and report.summary["customers_added"] == 3

    registry = read_book(book)
    c = registry.customers.data
    new = c.loc[4:].set_index("code")
    assert list(new.index) == ["C0301", "C0300", "C0302"]
    assert new.loc["C0301", "name"] == "北京华远建筑有限公司"
    assert new.loc["C0301", "tax_id"] == TAX_HUAYUAN
    assert new.loc["C0301", "category_code"] == "0101"
    assert new.loc["C0301", "credit_limit"] == 5_000_000  # cents
    assert new.loc["C0301", "mnemonic"] == "BJHYJZYXGS"
    assert new.loc["C0301", "opened_on"] == dt.datetime(2024, 1, 5)
    assert new.loc["C0300", "phone"] == "0755-12345678"
    assert new.loc["C0300", "credit_limit"] == 120_000
    assert new.loc["C0302", "category_code"] == "02"
    assert new.loc["C0302", "opened_on"] == dt.datetime.combine(TODAY, dt.time())
    h = registry.history.data.loc[4:]
    assert list(h["customer_code"]) == ["C0301", "C0300", "C0302"]
    assert list(h["valid_from"].dt.date) == [dt.date(2024, 1, 5), dt.date(2024, 3, 9), TODAY]
    assert h["valid_to"].isna().all() and set(h["source"]) == {"import"}
    assert errors(book) == []  # the registry checks clean after the import
    trail = read_audit(open_package(book))
    assert [(e.rule, e.field) for e in trail] == [("import", "Customers"), ("import", "CategoryHistory")]
    assert "客户名单.csv" in trail[0].new and trail[0].who == "tester"


def test_running_the_same_import_again_adds_nothing(tmp_path: Path, messy_gbk: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    import_customers(messy_gbk, book, _options(category="02"))
    before = digest(book)
    again = import_customers(messy_gbk, book, _options(category="02"))
    assert again.added == {} and not again.written
    assert digest(book) == before
    dupes = codes(again, "IMP_DUPLICATE_IN_REGISTRY", "IMP_DUPLICATE_IN_FILE")
    assert sorted(r[0] for rows in dupes.values() for r in rows) == [4, 5, 6, 7, 8, 12, 18]


def test_dry_run_shows_the_same_plan_and_writes_nothing(tmp_path: Path, messy_gbk: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    before = digest(book)
    dry = import_customers(messy_gbk, book, _options(category="02", dry_run=True))
    assert digest(book) == before and not dry.written
    assert list(dry.added["Customers"]["code"]) == ["C0301", "C0300", "C0302"]
    assert list(dry.added["Customers"]["registry_row"]) == [4, 5, 6]
    assert dry.registry_rows == {"Customers": "4-6", "CategoryHistory": "4-6"}
    real = import_customers(messy_gbk, book, _options(category="02"))
    assert real.added["Customers"].drop(columns="source_rows").equals(dry.added["Customers"].drop(
        columns="source_rows"))


def test_without_a_default_category_rows_lacking_one_are_rejected(tmp_path: Path, messy_gbk: Path) -> None:
    report = import_customers(messy_gbk, small_registry(tmp_path / "reg.xlsx"), _options(dry_run=True))
    assert codes(report, "IMP_CATEGORY_NONE") == {"IMP_CATEGORY_NONE": [[12]]}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_every_supported_encoding_gives_the_same_import(tmp_path: Path, encoding: str) -> None:
    source = write_text(tmp_path / "list.csv", _csv(MESSY_ROWS[:2]), encoding)
    report = import_customers(source, small_registry(tmp_path / "reg.xlsx"), _options(dry_run=True))
    assert report.source.encoding == {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM",
                                      "gb18030": "GB18030 (GBK)"}[encoding]
    assert list(report.added["Customers"]["name"]) == ["北京华远建筑有限公司", "深圳示例科技有限公司"]


def test_a_file_in_neither_encoding_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("客户名称\n".encode() + b"Caf\xe9 \xff\xfe\xfd\n")
    with pytest.raises(UsageError, match="neither UTF-8 nor GB18030"):
        import_customers(source, small_registry(tmp_path / "reg.xlsx"), _options(dry_run=True))


def test_workbook_with_merged_title_and_number_cells(tmp_path: Path) -> None:
    rows = [
        ["客户名称", "税号", "分类编码", "电话", "信用额度", "开户日期"],
        ["  北京华远建筑有限公司", TAX_HUAYUAN, 101, 13800138000, "50,000", "2024-01-05"],
        ["深圳示例科技有限公司", TAX_SHENZHEN, "0102", "0755-1", 2000.555, dt.date(2024, 3, 9)],
        ["Big number tax ID Ltd", 911101086000000000, "0101", None, None, None],
        ["小计", None, None, None, 52000.555, None],
    ]
    source = write_xlsx(tmp_path / "list.xlsx", rows, title="客户档案（2024）", other_sheets={"说明": [["notes"]]})
    report = import_customers(source, small_registry(tmp_path / "reg.xlsx"), _options(dry_run=True))
    assert report.source.sheet == "Sheet1" and report.source.header_row == 3
    found = codes(report)
    assert found["IMP_TITLE_ROWS"] == [[1]] and found["IMP_SUBTOTAL_ROW"] == [[7]]
    assert found["IMP_CODE_NUMBER"] == [[4], [4]]  # category 101 and the phone number, typed as numbers
    assert found["IMP_NUMBER_TEXT"] == [[4]]  # '50,000' typed as text in a workbook
    assert found["IMP_DATE_TEXT"] == [[4]]
    assert found["IMP_ROUNDED"] == [[5]]
    assert found["IMP_TAX_ID_NUMBER"] == [[6]]
    # '101' is not '0101': an unknown category, never silently padded.
    assert found["IMP_CATEGORY_UNKNOWN"] == [[4]]
    added = report.added["Customers"]
    assert list(added["name"]) == ["深圳示例科技有限公司"]
    assert added["credit_limit"].iloc[0] == Decimal("2000.56")


def test_map_overrides_and_ignores_columns(tmp_path: Path) -> None:
    text = "名称,编号,类别,备注\r\n北京华远建筑有限公司,X1,0101,老客户\r\n"
    source = write_text(tmp_path / "m.csv", text, "utf-8")
    book = small_registry(tmp_path / "reg.xlsx")
    report = import_customers(source, book, _options(dry_run=True, maps=("D=tags", "编号=-")))
    by = {m.field: (m.column, m.by) for m in report.mapping}
    assert by == {"name": ("A", "header"), "category_code": ("C", "header"), "tags": ("D", "map")}
    assert report.added["Customers"]["code"].tolist() == ["C0008"] and report.added["Customers"]["tags"][0] == "老客户"
    with pytest.raises(UsageError, match="no column headed"):
        import_customers(source, book, _options(dry_run=True, maps=("Nope=name",)))
    with pytest.raises(UsageError, match="not a field"):
        import_customers(source, book, _options(dry_run=True, maps=("备注=colour",)))


def test_strict_writes_nothing_when_a_row_is_rejected(tmp_path: Path, messy_gbk: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    before = digest(book)
    report = import_customers(messy_gbk, book, _options(category="02", strict=True))
    assert report.summary["blocked"] and not report.written and digest(book) == before


def test_into_an_empty_registry_with_a_new_default_category(tmp_path: Path) -> None:
    book = small_registry(tmp_path / "empty.xlsx", lang="zh", customers=[], transactions=[], categories=[])
    source = write_text(tmp_path / "c.csv", "客户名称\r\n甲公司\r\n乙公司\r\n", "gbk")
    with pytest.raises(UsageError, match="Categories sheet is empty"):
        import_customers(source, book, _options(category="99"))
    report = import_customers(source, book, _options(category="99", new_category="未分类"))
    assert report.written and codes(report, "IMP_CATEGORY_CREATED")
    registry = read_book(book)
    assert registry.categories.data[["code", "name"]].values.tolist() == [["99", "未分类"]]
    assert registry.customers.data["code"].tolist() == ["C0001", "C0002"]
    assert errors(book) == []


def test_command_line_prints_the_mapping_and_exits_1_on_rejections(tmp_path: Path, messy_gbk: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    runner = CliRunner()
    result = runner.invoke(app, ["import", "customers", str(messy_gbk), "--into", str(book), "--category", "02",
                                 "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "单位名称" in result.stdout and "IMP_TAX_ID_INVALID" in result.stdout
    result = runner.invoke(app, ["import", "customers", str(messy_gbk), "--into", str(book), "--category", "02",
                                 "--json", "--report", str(tmp_path / "issues.csv")])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["written"] and document["summary"]["customers_added"] == 3
    assert {i["code"] for i in document["issues"] if i["severity"] == "error"} >= {"IMP_TAX_ID_INVALID"}
    assert all({"severity", "code", "sheet", "row", "column", "message", "rows"} <= set(i) for i in document["issues"])
    assert [r["code"] for r in document["added"]["Customers"]] == ["C0301", "C0300", "C0302"]
    assert (tmp_path / "issues.csv").read_text(encoding="utf-8-sig").startswith("row,column,field,severity")
    result = runner.invoke(app, ["import", "customers", str(tmp_path / "missing.csv"), "--into", str(book)])
    assert result.exit_code == 2


# An old-format .xls (BIFF8), made by LibreOffice ("MS Excel 97") from a workbook holding a
# title "客户" on row 1, the header 客户名称 | 分类编码 | 信用额度 on row 3, then
# 甲公司 | 0101 | 1000.5, 乙公司 | 0102 | "2,000" (text) and 合计 | | 3000.5. Gzipped, base64.
XLS = (
    "H4sIAAAAAAACA+1YW2yURRQ+8++l/y69bAvF2mJdUeiWLmRbE6lRbKGgIkprWxWVAG3ZlsrSbXpJIFZZRF5UEgwP+oAxNY0vGi8x"
    "0QeJtm8mXl94wGBsSTQafFiNRkls1++cf/7t37pNdosalZ7N+WfmzOWcmXOZM/vF58WTo2+XT9E8uI1cNJPykddBU0Cf3QgQGZo2"
    "k0qlbHJqCf5TMK1L1qEb+vMAWed5QFPr1q/LJfj/QSvF8RuiIG2jPpQDdIRygZWwGOd62cyZyXJctrDEf/H8OX5zHHcBM/k/x3v2"
    "/2XAfGABsBBYZF0BVAwsAS4HrgCWik0QXQMsA14LLAdWAFcBrwNWAq8HBrUsq3XJuAb1tbodQlm9FHv+VvCZ0KLXQ+8XfMIqF91P"
    "wSLeck+IXVwE7qZ+to2mjlhX8J+CLSJDh2IZxmGkm1BTdAbUQnpTqGflu0msD9BIwXpt0buMRpH9pHxXy7eQeP57MudLodTCDi+I"
    "lZ8SJ1CUp5qog2LUS52Ig70YUU4fsX8dlRHsHWqz9PCoK+uNaN5nDcsBA2qnxOE4vKINY/poELUmuod2CKXJMeeUynZOpTufxtiX"
    "74r2RQc6YpPio2P0SyroiAfjQabzokL/OTu6kSOdrjr6GM4u0znXWOOT8+nVC9DDC9DXLUD3ZaR7bHlCc+lem27O0k8b8PcEpbgM"
    "JFxSFie8UpYk3FIuT+RJuSLhSe0TvzoBL9vjsaJI24FodKj2OcQNhd+EMoFE7ScVXaJH+PZItgovb5JvCQ4v9mvCiTfTsiT794cQ"
    "zqRjCreROa4a8W2kyh8D1n1k4l4ycd+Yv8Ilfqe9cl/5xUXUK49u7HRbRUF78giq3tbHR1YeVYdRnWoODb/04qt7XKTqhmP3/9YG"
    "KSK1kVq0H945267DlurCkUgE65nto8+msLifLritC7HLLAXOKrlUlwZLYEXXwJzomg+59uMEOB4Vy64D2Nv6plWXLt5S3rBX6IlZ"
    "ZdAa1gWF1TH0TLjXyYwa+T4lY+1b97jQnpbvWszv6Wb4tqHKUQ+l1/2uodpRH0WU9EEqEm0Z4BZWZfne4xP7JhvsUtED6DHpCdk2"
    "qWfMIr3TQrL3ZuURphHQ9bAV+1SR0IwMNFcGmjsDzTOPNi0ato/7A2kptErBhfsMyUN4uNVSaBnploGWS7dcMtKdbinohrk9aXDL"
    "QGtHhVf63DLSq0e6ZWReusUjTd3yyEifXsVjrdJSQt+gT9kGQj9QC9tB8m7LBpKmtnpmVESuZETyLHcyJHRfMpAhlzPIL/N4DnO9"
    "wyihd73WhUh0u+iUs64i2afNANADl+kxnQspO3/055B7KmRnLr+VgwZMw4ofVtednPPd19s1EB+Mdw8Ftx3uisaCt25c397RGY3F"
    "onKQW3q7u+uvJPdVVuBYNMykSCw+w7o0eeLlny43Hwi89rxJNVXvnGd9jGhL5/56nR836jO7V+fJu3SuvF/ny/06x/5+2sp9uR7R"
    "82z4U/38x599PfKVctZzkV/SinOfnjuzoSJw+gXIH778xlbOQubRdus83Y64AYesLdqfSefq9p4NLaP9duA9b+7vfzA6MNgb75u7"
    "V7aw2roNiJ4RWoJ/H/yV73+xn3kxINMctqmEDjIPgfsAHUTGzXIczFn+Eonm1ts1lcO7usy0/bwJfA/BR5shw2OL4u9yvMGzmXMD"
    "cHs6zjTjPRBdtP74Nsv1/X+jfqvLqwTvhGHs/xDeD6z77bCCbtEJU4bwXomDsjCENH9PDud/E/D1NP+t4NAlMkTFAnOTp34R+69y"
    "8L/a///5A2/2tgAAGAAA"
)


def test_old_format_xls(tmp_path: Path) -> None:
    source = tmp_path / "客户.xls"
    source.write_bytes(gzip.decompress(base64.b64decode(XLS)))
    report = import_customers(source, small_registry(tmp_path / "reg.xlsx"), _options(dry_run=True))
    assert report.source.format == "xls" and report.source.header_row == 3
    assert codes(report, "IMP_SUBTOTAL_ROW") == {"IMP_SUBTOTAL_ROW": [[6]]}
    added = report.added["Customers"]
    assert added[["name", "category_code"]].values.tolist() == [["甲公司", "0101"], ["乙公司", "0102"]]
    assert added["credit_limit"].tolist() == [Decimal("1000.50"), Decimal("2000.00")]


def test_into_a_registry_whose_sheets_are_plain_ranges(tmp_path: Path) -> None:
    from .workbooks import registry, write_book

    book = write_book(tmp_path / "plain.xlsx", registry())  # no Excel Tables, no CategoryHistory sheet
    source = write_text(tmp_path / "c.csv", "客户名称,分类编码\r\n新客户有限公司,0101\r\n", "utf-8")
    report = import_customers(source, book, _options())
    assert report.written and report.registry_rows == {"Customers": "4"}
    c = read_book(book).customers.data
    # C001 and C002 are there: the pattern continues from 2, in four digits.
    assert c.loc[4, ["code", "name", "category_code"]].tolist() == ["C0003", "新客户有限公司", "0101"]
    assert errors(book) == []


def test_an_import_that_would_leave_a_check_error_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    """The registry as it would be is checked with run_checks; a new error blocks the whole import."""
    import xlcust.importer.registry as registry_module
    from xlcust.findings import error

    real = registry_module.run_checks

    def stricter(book):
        found = real(book)
        customers = book.customers
        for row in customers.data.index[customers.data["name"] == "深圳示例科技有限公司"]:
            found.append(error("CUS_PRETEND", customers.name, "a check the import does not know",
                               **customers.where("name", row)))
        return found

    monkeypatch.setattr(registry_module, "run_checks", stricter)
    source = write_text(tmp_path / "c.csv", _csv(MESSY_ROWS[:2]), "utf-8")
    book = small_registry(tmp_path / "reg.xlsx")
    before = digest(book)
    report = import_customers(source, book, _options())
    blocked = [i for i in report.issues if i.code == "IMP_WOULD_BREAK_CHECKS"]
    assert len(blocked) == 1 and blocked[0].rows.tolist() == [5] and "CUS_PRETEND at Customers!B5" in blocked[0].message
    assert report.summary["blocked"] and not report.written and digest(book) == before
