"""Findings keep their message and fix as catalog texts; every view shows them in the reader's language."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xlcust.book import Book
from xlcust.checks import CATALOG, run_checks
from xlcust.cli import app
from xlcust.findings import error
from xlcust.i18n import Msg, msg
from xlcust.uscc import uscc_problem
from xlcust.views.findings import format_finding

from .test_checks_smoke import DIRTY
from .workbooks import registry, write_book

runner = CliRunner()
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_a_finding_renders_its_message_and_fix_in_either_language() -> None:
    f = error("CUS_DUPLICATE_CODE", "Customers",
              msg("Customer code '{code}' is already used on row {first}", code="C001", first=4),
              row=7, column="A", field="code",
              suggestion=msg("Give this customer its own code, or merge it with row {first}", first=4))
    assert f.message == "Customer code 'C001' is already used on row 4"  # English stays for callers and logs
    assert f.message_in("zh") == "客户编码“C001”已在第 4 行使用"
    assert f.suggestion_in("zh") == "为该客户另设编码，或与第 4 行合并"
    assert f.field_in("zh") == "客户编码" and f.field_in("en") == "Code"
    document = f.to_json("zh")
    assert document["message"] == f.message_in("zh") and document["field"] == "code"
    assert format_finding(f, "zh").startswith("错误")


def test_word_parameters_are_rendered_in_the_same_language() -> None:
    problem = uscc_problem("91350211M00013FA1N")
    assert problem is not None
    f = error("CUS_TAX_ID_INVALID", "客户档案",
              msg("Tax ID '{code}' is not a valid credit code: {problem}", code="X", problem=problem))
    assert "check character" in f.message
    assert f.message_in("zh") == "税号“X”不是有效的统一社会信用代码：校验码为“N”，应为“3”"


def test_every_catalog_code_means_and_fixes_in_chinese() -> None:
    for code, entry in CATALOG.items():
        for text in (entry.meaning("zh"), entry.fix_in("zh")):
            assert re.search(r"[\u4e00-\u9fff]", text), (code, text)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for lang in ("en", "zh"):
        path = tmp_path_factory.mktemp(lang) / f"demo-{lang}.xlsx"
        result = runner.invoke(app, ["new", str(path), "--demo", "--lang", lang])
        assert result.exit_code == 0, result.output
        made[lang] = path
    return made


def _messages(path: Path, *flags: str) -> list[dict]:
    result = runner.invoke(app, ["check", str(path), "--json", *flags])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert findings  # the demo leaves mnemonics blank on purpose: there is something to read
    return findings


def test_check_json_speaks_the_workbook_language_unless_told_otherwise(books: dict[str, Path]) -> None:
    for f in _messages(books["zh"]):  # Settings language = zh
        assert not LATIN_WORD.search(_without_keys(f["message"])), f
    mnemonics = [f for f in _messages(books["zh"]) if f["code"] == "CUS_MNEMONIC_FILLED"]
    assert mnemonics and all(f["field_header"] == "助记码" and f["field"] == "mnemonic" for f in mnemonics)
    for f in _messages(books["zh"], "--lang", "en"):
        if f["code"] == "CUS_MNEMONIC_FILLED":
            assert f["message"] == "Mnemonic is blank; the pinyin initials of the name can fill it"
    for f in _messages(books["en"], "--lang", "zh"):
        if f["code"] == "CUS_MNEMONIC_FILLED":
            assert f["message"] == "助记码为空，可用名称的拼音首字母填充"


def _without_keys(text: str) -> str:
    """A message without the setting keys it names as typed (required_customer_fields)."""
    return re.sub(r"[a-z0-9]+(_[a-z0-9]+)+", " ", text)


def test_check_console_output_is_in_chinese_for_a_chinese_book(books: dict[str, Path]) -> None:
    result = runner.invoke(app, ["check", str(books["zh"]), "--all"])
    assert result.exit_code == 0
    assert result.stdout.startswith("按代码汇总的问题")  # the summary first, in Chinese
    lines = result.stdout.splitlines()
    assert any(line.startswith("提示 ") and "助记码为空" in line for line in lines)


def test_the_checks_sheet_of_a_chinese_book_is_chinese(books: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    path.write_bytes(books["zh"].read_bytes())
    assert runner.invoke(app, ["check", str(path), "--write"]).exit_code == 0
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:  # a read-only workbook holds its file open until closed (an unraisable warning otherwise)
        rows = list(workbook["检查结果"].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = next(i for i, r in enumerate(rows) if r and "说明" in r)
    columns = rows[header]
    body = [dict(zip(columns, r, strict=False)) for r in rows[header + 1:] if any(r)]
    assert body
    for r in body:
        assert r["级别"] in ("提示", "警告")
        assert not LATIN_WORD.search(_without_keys(r["说明"])), r
    mnemonics = [r for r in body if r["代码"] == "CUS_MNEMONIC_FILLED"]
    assert mnemonics
    for r in mnemonics:
        assert r["级别"] == "提示" and r["字段"] == "助记码"
        assert "也可自行填写" in r["处理建议"]


def test_an_unknown_language_is_refused(books: dict[str, Path]) -> None:
    result = runner.invoke(app, ["check", str(books["en"]), "--lang", "fr"])
    assert result.exit_code == 2 and "fr" in result.output


# An English word in a Chinese message: three letters or more, not an identifier a user types
# as is (a setting key such as coding_scheme, a code such as TXN_DATE_TEXT) and not the
# product names the Chinese text keeps (xlcust, Excel).
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z_']{2,}")
_KEPT = re.compile(r"[A-Z0-9_]+|[a-z0-9]+(_[a-z0-9]+)+|xlcust|Excel")


def _data_of(text: Msg) -> list[str]:
    """The parameter values a message shows as typed (user data, codes): not words to translate."""
    out: list[str] = []
    for value in text.params.values():
        if isinstance(value, Msg):
            out += _data_of(value)
        elif not hasattr(value, "render"):
            out.append(str(value))
    return out


def _english_words(text: Msg, rendered: str) -> list[str]:
    for value in sorted(_data_of(text), key=len, reverse=True):
        if value:
            rendered = rendered.replace(value, " ")
    rendered = re.sub(r"`[^`]*`", " ", rendered)  # a command to type, as typed
    return [w for w in _ENGLISH.findall(rendered) if not _KEPT.fullmatch(w)]


def test_every_finding_of_a_dirty_workbook_reads_in_chinese() -> None:
    findings = run_checks(Book.from_rows(**DIRTY))
    assert len({f.code for f in findings}) > 50
    for f in findings:
        assert f.text is not None, f"{f.code}: message not from the catalog: {f.message}"
        assert f.fix is not None or not f.suggestion, f"{f.code}: fix not from the catalog: {f.suggestion}"
        for text, rendered in ((f.text, f.message_in("zh")), (f.fix, f.suggestion_in("zh"))):
            if text is not None:
                assert not _english_words(text, rendered), (f.code, rendered)
                assert rendered == text.render("zh") and text.render("en") != rendered, (f.code, rendered)


def test_lang_flag_also_sets_the_language_of_the_output_sheets(books: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "zh-out.xlsx"
    result = runner.invoke(app, ["run", str(books["en"]), "--out", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "检查结果" in names and "Checks" not in names


def test_without_flag_or_setting_the_system_locale_decides(tmp_path: Path) -> None:
    # No Settings sheet: the language is not the workbook's to say, so the locale speaks.
    book = write_book(tmp_path / "plain.xlsx", registry(Customers=[["Code", "Name"], ["C001", None]]))
    env = {**os.environ, "LANG": "zh_CN.UTF-8"}
    run = subprocess.run([sys.executable, "-m", "xlcust", "check", str(book), "--json"],
                         capture_output=True, text=True, timeout=300, env=env)
    findings = json.loads(run.stdout)["findings"]
    missing = [f for f in findings if f["code"] == "CUS_NAME_MISSING"]
    assert missing and missing[0]["message"] == "客户“C001”没有名称"
    env["LANG"] = "C.UTF-8"
    run = subprocess.run([sys.executable, "-m", "xlcust", "check", str(book), "--json"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert "Customer 'C001' has no name" in [f["message"] for f in json.loads(run.stdout)["findings"]]
