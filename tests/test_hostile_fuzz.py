"""A bounded fuzz of the zip directory and of the sheet XML (issue 17).

Hypothesis mutates a small workbook — bytes of the central directory, entry names and
declared sizes, and the XML of a sheet part — and every mutant must give exit 0/1 with
findings or exit 2 with a message: never a traceback, never an internal error, and the
input file byte-for-byte as it was. The budget is fixed (`max_examples`, derandomized
so CI sees the same cases every run) to keep the whole file near 30 s on a shared box.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from xlcust.cli import app

from .hostile import Entry, deflated, entries_of, write_zip
from .workbooks import registry, write_book

runner = CliRunner()
BUDGET = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SHEET = "xl/worksheets/sheet3.xml"  # Transactions


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    path = write_book(tmp_path_factory.mktemp("fuzz") / "base.xlsx", registry(),
                      tables=("Categories", "Customers", "Transactions"))
    return entries_of(path)


def assert_handled(path: Path, *args: str) -> None:
    """The command ends with 0, 1 or 2 and a message, the file as it was."""
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = runner.invoke(app, [*args[:1], str(path), *args[1:]])
    assert isinstance(result.exception, SystemExit | None), result.exception  # no traceback
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output, result.output
    if result.exit_code == 2:
        assert result.output.startswith("xlcust: "), result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# ------------------------------------------------------------------------ the directory

NAMES = st.sampled_from(["../x", "/abs", "xl/../../x", "xl/worksheets/sheet1.xml", "XL/WORKBOOK.XML", "xl//x",
                         "[Content_Types].xml", "xl\\x", "", "x" * 300])


@st.composite
def directory_mutants(draw: st.DrawFn, entries: list[Entry]) -> bytes:
    """The workbook with its entries renamed, resized or re-flagged, then bytes of its directory flipped."""
    changed = list(entries)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(changed) - 1))
        e = changed[i]
        what = draw(st.sampled_from(["name", "size", "method", "crc", "drop"]))
        if what == "name":
            changed[i] = replace(e, name=draw(NAMES))
        elif what == "size":
            changed[i] = replace(e, size=draw(st.sampled_from([0, 1, e.size - 1, e.size + 1, 1 << 31, 0xFFFFFFFF])))
        elif what == "method":
            changed[i] = replace(e, method=draw(st.sampled_from([0, 1, 9, 12, 14, 99])))
        elif what == "crc":
            changed[i] = replace(e, crc=e.crc ^ 1)
        else:
            del changed[i]
            if not changed:
                changed = list(entries)
    data = bytearray(write_zip_bytes(changed))
    directory = struct.unpack("<I", data[-6:-2])[0]  # where the central directory starts (EOCD)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(directory, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


def write_zip_bytes(entries: list[Entry]) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return write_zip(Path(tmp) / "x.zip", entries).read_bytes()


@BUDGET
@given(data=st.data())
def test_a_mutated_zip_directory_is_refused_or_read_never_crashes(entries, tmp_path: Path, data) -> None:
    path = tmp_path / "mutant.xlsx"
    path.write_bytes(data.draw(directory_mutants(entries)))
    assert_handled(path, "check")


# --------------------------------------------------------------------------- the sheet XML

TOKENS = st.sampled_from([b"<", b">", b"&", b"&amp;", b"&bogus;", b'"', b"</row>", b"<row>", b"<c r='A1'>",
                          b"<v>", b"</v>", b"<c r='ZZZZ9999999' t='s'><v>99999</v></c>", b"<c t='e'><v>#N/A</v></c>",
                          b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"\x00", b"\xff\xfe", b"<![CDATA[", b"]]>",
                          b"<row r='0'>", b"<row r='-5'>", b"<row r='99999999999'>", b"<c r='A1' t='n'><v>1e999</v>",
                          b"<v>nan</v>", b"<is><t>x</t></is>", b"\xe5\x8d\x8e"])


@st.composite
def sheet_mutants(draw: st.DrawFn, xml: bytes) -> bytes:
    out = bytearray(xml)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        what = draw(st.sampled_from(["insert", "delete", "replace", "bytes"]))
        if what == "insert":
            out[at:at] = draw(TOKENS)
        elif what == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        elif what == "replace":
            out[at:at + 1] = draw(TOKENS)
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(out)


@BUDGET
@given(data=st.data())
def test_a_mutated_sheet_xml_is_a_finding_or_a_damaged_file_never_a_crash(entries, tmp_path: Path, data) -> None:
    xml = next(zlib.decompress(e.payload, -15) for e in entries if e.name == SHEET)
    mutant = data.draw(sheet_mutants(xml))
    path = write_zip(tmp_path / "mutant.xlsx", [deflated(SHEET, mutant) if e.name == SHEET else e for e in entries])
    assert_handled(path, "check")
    assert_handled(path, "run", "--out", str(tmp_path / "out.xlsx"))
