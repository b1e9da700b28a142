"""What Excel gets from xlcust.udfs, proved with xlwings' own code, and the workbook's VBA project.

On Linux `xw.func` is a no-op, so these tests run xlwings' classic registration and VBA
generation (`xlwings.udfs`, pywin32 stood in for at import only) and its custom-functions
metadata (`xlwings.pro.udfs_officejs`, the path of xlwings Lite and Office.js) over
xlcust.udfs, then read the built workbook's VBA project back with oletools.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import struct
import zipfile
from pathlib import Path

import pytest

from xlcust import udfs
from xlcust.excel import udf_vba
from xlcust.excel.bundle import BUNDLED_XLSM
from xlcust.excel.vba import load_module_source
from xlcust.excel.xlsm import XLWINGS_CONF, XLWINGS_SETTINGS

from .test_xlsm import _olevba, macros_of

UDF_NAMES = {"AGING_BUCKET", "DAYS_OVERDUE", "CUSTOMER_BALANCE", "CREDIT_SCORE", "CREDIT_GRADE", "CREDIT_EXPLAIN",
             "CATEGORY_OF", "CATEGORY_PATH", "CATEGORY_LEVEL", "VALID_CATEGORY_CODE", "VALID_TAX_ID", "MNEMONIC",
             "CATEGORY_REVENUE", "CUSTOMERS_WHERE"}
# VBA's reserved words and the statement names it will not take as a parameter name.
VBA_KEYWORDS = {"and", "as", "boolean", "byref", "byte", "byval", "call", "case", "close", "const", "currency",
                "date", "debug", "declare", "dim", "do", "double", "each", "else", "elseif", "empty", "end",
                "enum", "eqv", "erase", "error", "event", "exit", "false", "for", "friend", "function", "get",
                "global", "gosub", "goto", "if", "imp", "implements", "in", "input", "integer", "is", "let",
                "like", "lock", "long", "loop", "lset", "me", "mod", "name", "new", "next", "not", "nothing",
                "null", "object", "on", "open", "option", "optional", "or", "paramarray", "preserve", "print",
                "private", "property", "public", "put", "raiseevent", "redim", "rem", "resume", "return", "rset",
                "seek", "select", "set", "single", "static", "step", "stop", "string", "sub", "then", "to",
                "true", "type", "typeof", "until", "variant", "wend", "while", "with", "withevents", "write",
                "xor"}


def _takes_a_table(f) -> bool:
    return any("table" in spec["doc"].lower() or "[#All]" in spec["doc"] for spec in f.__xlcust_udf__["args"].values())


@pytest.fixture(scope="module")
def classic():
    """xlcust.udfs as xlwings' Windows registration (xw.func / xw.arg) sees it."""
    xl = udf_vba.xlwings_udfs()
    return udf_vba.register(udfs, xl.xlfunc, xl.xlarg)


def test_every_function_registers_with_its_arguments_help_and_category(classic) -> None:
    functions = udfs.worksheet_functions()
    assert set(functions) == UDF_NAMES
    for name, f in functions.items():
        info = getattr(classic, name).__xlfunc__
        assert info["name"] == name and info["category"] == "xlcust" and not info["sub"]
        assert [a["name"] for a in info["args"]] == list(inspect.signature(f).parameters), name
        assert info["ret"]["doc"] == f.__doc__ and len(f.__doc__) <= 255, f"{name}: Excel shows 255 characters"
        for arg in info["args"]:
            spec = f.__xlcust_udf__["args"][arg["name"]]
            assert arg["doc"] == spec["doc"] and 0 < len(arg["doc"]) <= 255, (name, arg["name"])
            assert arg["options"] == ({"ndim": spec["ndim"]} if "ndim" in spec else {}), (name, arg["name"])
            assert arg["name"].lower() not in VBA_KEYWORDS, f"{name}({arg['name']}): a VBA keyword"
        # A blank as-of means today: those functions recalculate with every calculation, except
        # the table-taking ones (volatility would send whole tables to Python on every edit).
        takes_table = _takes_a_table(f)
        assert info["volatile"] == ("as_of" in info["argmap"] and not takes_table), name
        assert info["call_in_wizard"] is not takes_table, name
    assert {n for n, f in functions.items() if _takes_a_table(f)} == {
        "CUSTOMER_BALANCE", "CREDIT_SCORE", "CREDIT_GRADE", "CREDIT_EXPLAIN", "CATEGORY_OF", "CATEGORY_PATH",
        "CATEGORY_REVENUE", "CUSTOMERS_WHERE"}


def test_wrappers_are_what_import_functions_writes() -> None:
    """The shipped module equals xlwings' generate_vba_wrapper output over xlcust.udfs, today."""
    generated = udf_vba.module_source()
    assert load_module_source(udf_vba.MODULE_FILE) == generated, \
        ("templates/vba/xlwings_udfs.bas is stale: run python -m xlcust.excel.udf_vba, "
         "then python -m xlcust.excel.bundle")
    for name, f in udfs.worksheet_functions().items():
        block = re.search(rf"^Function {name}\((.*?)\)\n(.*?)^End Function", generated, re.MULTILINE | re.DOTALL)
        assert block, name
        params = [p.replace("Optional ", "").replace("ParamArray ", "").removesuffix("()")
                  for p in block[1].split(", ")]
        assert params == list(inspect.signature(f).parameters)
        assert f'XLPy.CallUDF("xlcust.udfs", "{name}"' in block[2]
        assert ("Application.Volatile" in block[2]) == f.__xlcust_udf__["volatile"]
        assert ("CommandBars" in block[2]) == (not f.__xlcust_udf__["call_in_wizard"])


def test_custom_functions_metadata_for_lite_and_office_js(monkeypatch: pytest.MonkeyPatch) -> None:
    """xlwings' custom-functions metadata (what Lite / Office.js register) over the same functions."""
    # xlwings.pro checks for a licence key when imported; "noncommercial" is xlwings' own free key.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    from xlwings.pro import udfs_officejs

    meta = udfs_officejs.custom_functions_meta(udf_vba.register(udfs, udfs_officejs.xlfunc, udfs_officejs.xlarg))
    by_id = {m["id"]: m for m in meta["functions"]}
    assert set(by_id) == UDF_NAMES
    for name, f in udfs.worksheet_functions().items():
        m = by_id[name]
        assert m["name"] == name and m["description"] == f.__doc__
        assert m["options"].get("volatile", False) == f.__xlcust_udf__["volatile"]
        params = inspect.signature(f).parameters
        assert [p["name"] for p in m["parameters"]] == list(params)
        for p in m["parameters"]:
            kind = params[p["name"]]
            assert p["description"] == f.__xlcust_udf__["args"][p["name"]]["doc"]
            assert p.get("optional", False) == (kind.default is not inspect.Parameter.empty)
            assert p.get("repeating", False) == (kind.kind is inspect.Parameter.VAR_POSITIONAL)


# ------------------------------------------------------------ the workbook's VBA project


def _records(data: bytes):
    """(id, payload) of the dir stream's records ([MS-OVBA] 2.3.4.2); PROJECTVERSION is the odd one."""
    pos = 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        if rid == 0x0009:  # PROJECTVERSION: Reserved(4) is in "size", then 6 bytes of version
            pos += 6
            continue
        yield rid, data[pos:pos + size]
        pos += size


@pytest.fixture(scope="module")
def project() -> tuple[list[tuple[int, bytes]], dict[str, str]]:
    import olefile

    data = zipfile.ZipFile(BUNDLED_XLSM).read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    records = list(_records(_olevba().decompress_stream(bytearray(ole.openstream("VBA/dir").read()))))
    return records, macros_of(BUNDLED_XLSM.read_bytes())


def test_only_reference_is_stdole(project) -> None:
    """No reference to the xlwings add-in: on a computer without it the project still compiles."""
    records, _ = project
    names = [data.decode("cp1252") for rid, data in records if rid == 0x0016]
    assert names == ["stdole"]
    assert not [rid for rid, _ in records if rid in (0x000E, 0x002F)]  # no project or control references
    libids = [data[4:4 + struct.unpack_from("<I", data)[0]].decode("cp1252") for rid, data in records
              if rid == 0x000D]
    assert len(libids) == 1 and "stdole2.tlb" in libids[0]


def test_wrappers_reach_the_addin_late_bound(project) -> None:
    modules = {name: code.replace("\r\n", "\n") for name, code in project[1].items()}
    assert set(modules) >= {"xlcust.bas", "xlwings_udfs.bas"}
    assert modules["xlwings_udfs.bas"].strip() == load_module_source(udf_vba.MODULE_FILE).strip()
    code = "\n".join(modules.values())
    # What the wrappers call is defined in this project, and reaches the add-in by name only.
    assert set(re.findall(r"(\w+)\.CallUDF", code)) == {"XLPy"}
    xlpy = re.search(r"^Public Function XLPy\(\) As Object\n(.*?)^End Function", modules["xlcust.bas"],
                     re.MULTILINE | re.DOTALL)
    assert xlpy and 'Application.Run("xlwings.xlam!XLPy")' in xlpy[1]
    assert "pip install" in xlpy[1] and "#If Mac Then" in xlpy[1]
    assert 'Application.Run "xlwings.xlam!RunPython"' in modules["xlcust.bas"]
    # Nothing bound early to xlwings: no DLL declarations, no add-in types or modules named.
    assert not re.search(r"^\s*(Private\s+|Public\s+)?Declare\b", code, re.MULTILINE | re.IGNORECASE)
    outside_strings = re.sub(r'"[^"\n]*"', '""', code)
    assert not re.search(r"\b(xlwings|XLPyDLL\w*|RunFrozenPython|GetConfig)\b\s*[.(]", outside_strings)


def test_xlwings_conf_sheet_has_the_keys_the_addin_reads() -> None:
    z = zipfile.ZipFile(BUNDLED_XLSM)
    workbook = z.read("xl/workbook.xml").decode()
    sheet = re.search(rf'<sheet name="{re.escape(XLWINGS_CONF)}" sheetId="\d+" state="hidden" r:id="(rId\d+)"',
                      workbook)
    assert sheet, "a hidden xlwings.conf sheet"
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'Id="{sheet[1]}"[^>]*Target="([^"]+)"', rels)[1]
    xml = z.read("xl/" + target.removeprefix("/xl/")).decode()
    strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
    cells = {ref: strings[int(v)] for ref, v in re.findall(r'<c r="([A-Z]+\d+)"[^>]*t="s"[^>]*><v>(\d+)</v>', xml)}
    assert cells == {f"{col}{row}": text for row, (key, value) in enumerate(XLWINGS_SETTINGS, start=1)
                     for col, text in (("A", key), ("B", value))}
    # The add-in looks the keys up in upper case (Config.bas: d.Add UCase(cell.Value)); the
    # names it asks for are read from the add-in's own source installed with xlwings.
    addin = Path(importlib.util.find_spec("xlwings").origin).parent / "addin"
    asked = set(re.findall(r'GetConfig\("([^"]+)"', (addin / "Main.bas").read_text(encoding="utf-8")))
    assert {key.upper() for key, _ in XLWINGS_SETTINGS} <= asked
    assert dict(XLWINGS_SETTINGS)["UDF Modules"] == udf_vba.UDF_MODULE
