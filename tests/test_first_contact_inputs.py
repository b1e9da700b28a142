"""Issue 13 point 4: an input accepted in one place is accepted everywhere.

Date options read dates as cells and imports do (year first, any separator, 年月日, or
compact); `new` makes the folders of its path; a misspelt kind in an import names its row
instead of claiming there is no kind column.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust.celltypes import parse_date_text
from xlcust.cli import app, parse_date_option
from xlcust.errors import UsageError
from xlcust.importer import ImportOptions
from xlcust.io.importing import import_transactions

from .test_import_support import codes, small_registry, write_text

runner = CliRunner()


@pytest.mark.parametrize("typed", ["2024-06-30", "2024/06/30", "2024/6/30", "2024.6.30", "2024年6月30日",
                                   "20240630", " 2024-06-30 "])
def test_date_options_take_every_form_a_cell_takes(typed: str) -> None:
    assert parse_date_text(typed) == dt.date(2024, 6, 30)
    assert parse_date_option(typed, "--as-of") == dt.date(2024, 6, 30)


@pytest.mark.parametrize("typed", ["30/06/2024", "06/30/2024", "2024-02-30", "June 30"])
def test_ambiguous_or_impossible_dates_are_refused_with_the_forms_accepted(typed: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date_option(typed, "--to")
    text = str(caught.value)
    assert "--to" in text and typed in text and "2026/9/30" in text and "2026年9月30日" in text


def test_as_of_with_slashes_runs_aging(tmp_path: Path) -> None:
    book = small_registry(tmp_path / "r.xlsx")
    result = runner.invoke(app, ["aging", str(book), "--as-of", "2024/06/30", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2024-06-30"
    refused = runner.invoke(app, ["aging", str(book), "--as-of", "30/06/2024"])
    assert refused.exit_code == 2 and "year first" in refused.stderr


def test_new_makes_the_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "dir" / "x.xlsx"
    result = runner.invoke(app, ["new", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert target.is_file()
    assert "close it in Excel" not in result.stderr


KINDS = ("Txn ID,date,customer code,kind,amount\n"
         "T1,2024-06-01,C0001,invoice,500\n"
         "T2,2024-06-02,C0001,invoce,200\n"      # misspelt
         "T3,2024-06-03,C0001,receipt,100\n"
         "T4,2024-06-04,C0001,,-40\n")           # blank: read by its sign


def test_a_misspelt_kind_names_its_row_and_the_kinds_accepted(tmp_path: Path) -> None:
    source = write_text(tmp_path / "k.csv", KINDS, "utf-8")
    report = import_transactions(source, small_registry(tmp_path / "r.xlsx"),
                                 ImportOptions(today=dt.date(2026, 3, 1), user="t", dry_run=True))
    found = codes(report)
    assert found["IMP_KIND_UNKNOWN"] == [[3]]
    unknown = next(i for i in report.issues if i.code == "IMP_KIND_UNKNOWN")
    assert unknown.value == "invoce"
    assert "invoice/发票" in unknown.suggestion and "receipt/收款" in unknown.suggestion
    by_sign = [i for i in report.issues if i.code == "IMP_KIND_BY_SIGN"]
    assert [list(i.rows) for i in by_sign] == [[5]]
    assert "No kind column" not in by_sign[0].message
    added = report.added["Transactions"]
    assert added[["txn_id", "kind"]].values.tolist() == [["T1", "invoice"], ["T3", "receipt"],
                                                         ["T4", "credit_note"]]
