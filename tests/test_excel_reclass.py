"""The reclassification buttons on a live workbook give the workbook `xlcust reclassify --apply` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust.excel import handlers
from xlcust.excel.bundle import BUNDLED
from xlcust.excel.host import as_file_values

from .excel_hosts import host_from_file

pytest.importorskip("xlcust.reclass", reason="reclassification lands separately")


def test_dry_run_lists_changes_and_writes_nothing_else() -> None:
    host = host_from_file(BUNDLED)
    before = {name: [list(r) for r in host.read_grid(name)] for name in host.sheet_names()}
    text = handlers.reclassify_dry_run(host)
    assert "listed on the Reclass sheet" in text
    assert list(host.written) == ["Reclass"] and not host.edits
    assert {name: host.grids[name] for name in before} == before


def test_apply_gives_the_workbook_the_command_gives(tmp_path: Path) -> None:
    host = host_from_file(BUNDLED)
    text = handlers.reclassify_apply(host)
    assert text.startswith("Applied ")
    out = tmp_path / "applied.xlsx"
    result = CliRunner().invoke(app_(), ["reclassify", str(BUNDLED), "--apply", "--out", str(out)])
    assert result.exit_code == 0, result.output
    command = host_from_file(out)
    assert host.read_grid("Customers") == command.read_grid("Customers")
    live_history, file_history = host.read_grid("CategoryHistory"), command.read_grid("CategoryHistory")
    header = live_history[0]
    assert header == file_history[0]
    skip = {header.index("Changed at")}  # the time of the run

    def same(rows):  # dates as the file reader gives them; xlwings would hand datetimes over
        return [[v for i, v in enumerate(r) if i not in skip] for r in as_file_values(rows)]

    assert same(live_history) == same(file_history)
    audit = host.written["AuditLog"]
    live_audit = [r[1:] for r in audit.values[audit.header_row:]]  # without When
    file_audit = [r[1:] for r in command.read_grid("AuditLog")[2:]]
    assert [r[2:] for r in live_audit] == [r[2:] for r in file_audit]
    assert handlers.reclassify_dry_run(host).startswith("0 change(s)")  # the live book now agrees


def test_history_rows_go_below_the_table_which_grows() -> None:
    host = host_from_file(BUNDLED)
    table = next(t for t in host.tables() if t.sheet == "CategoryHistory")
    rows_before = len([r for r in host.read_grid("CategoryHistory") if any(v is not None for v in r)])
    handlers.reclassify_apply(host)
    grown = next(t for t in host.tables() if t.sheet == "CategoryHistory")
    added = len([r for r in host.read_grid("CategoryHistory") if any(v is not None for v in r)]) - rows_before
    assert added > 0
    assert int(grown.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == int(
        table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + added


def app_():
    from xlcust.cli import app

    return app
