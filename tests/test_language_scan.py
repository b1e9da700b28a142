"""A Chinese book shows no English but codes; an English one no Chinese but names (issue 12).

One demo per language is built and run as a user would (`new --demo --lang`, `run`,
`statements`, `check --json`, `revenue --json --out`, `import … --report`, and on a copy
`reclassify --apply` and a real `import`); every text a reader sees is scanned: each
string cell of every output sheet, of every statement, of the revenue export and of the CategoryHistory rows
xlcust writes, and the message fields of the JSON documents and of the import report.

In a Chinese book an English word (three or more ASCII letters) is allowed only where
it is not language but an identifier, each for its reason:

- the user's own data: names, mnemonics, tax IDs, tags, document numbers as the input
  sheets (Customers, Categories, Transactions, Risk) and the imported file hold them, and
  the mnemonics xlcust makes from those names (pinyin initials);
- the currency code of Settings `currency` (CNY), the name of a file the user gave, its
  format (CSV) and its text encoding (GBK);
- a token with a digit (INV-2026-000015, a tax ID, a data fingerprint such as d46b5bb4ccdf);
- a code: finding, warning and import codes (CUS_MNEMONIC_FILLED, DORMANT), which the
  docs list and scripts match;
- a Settings key (aging_bounds): what the user types in the Settings sheet;
- the product name `xlcust`, the login name recorded as who made a change, and a
  command (`xlcust check --write`, `xlcust import customers`), which is typed as written;
- "ABC" of the ABC classification (ABC 分类), which Chinese writes with those letters.

In an English book a Chinese run is allowed only as the user's data: names, regions,
addresses, tags and the rule texts the Rules sheet holds, and what the imported file holds.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import python_calamine
from typer.testing import CliRunner

from xlcust.audit import current_user
from xlcust.checks.catalog import CATALOG
from xlcust.cli import app
from xlcust.credit.warnings import WARNINGS
from xlcust.importer.report import IMPORT_CODES
from xlcust.mnemonic import mnemonic
from xlcust.schema import OUTPUT_SHEETS
from xlcust.settings import SPECS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

TOKEN = re.compile(r"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
COMMAND = re.compile(r"`[^`]*`|xlcust (?:import (?:customers|transactions)|reclassify|check)")
CODES = set(CATALOG) | set(WARNINGS) | set(IMPORT_CODES)
DATA_SHEETS = ("Categories", "Customers", "Transactions", "Risk")  # their words are the user's
MESSAGE_FIELDS = ("message", "suggestion", "fix", "meaning", "text", "explanation")
SETTINGS_KEYS = {spec.key for spec in SPECS}
IMPORTED = ROOT / "examples" / "old_list.csv"
IDENTIFIERS = {"xlcust", "GBK", "UTF-8", "BOM", "CSV", "XLSX", "XLS", IMPORTED.name,
               current_user(), "ABC"}  # see the module docstring


def _cells(path: Path, skip: set[str] = frozenset()) -> Iterator[tuple[str, str, str]]:
    """(sheet, cell, text) of every string cell of a workbook."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        if name in skip:
            continue
        for r, row in enumerate(book.get_sheet_by_name(name).to_python(), start=1):
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    yield name, f"{_letters(c)}{r}", value


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _texts_of_json(doc: object, where: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every message-like field of a JSON document, at any depth."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in MESSAGE_FIELDS and isinstance(value, str):
                yield f"{where}.{key}", value
            else:
                yield from _texts_of_json(value, f"{where}.{key}")
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _texts_of_json(value, f"{where}[{i}]")


class Demo:
    """One demo run in one language and everything it showed."""

    def __init__(self, folder: Path, lang: str) -> None:
        self.folder, self.lang = folder, lang
        self.book = folder / f"demo_{lang}.xlsx"
        self.invoke("new", str(self.book), "--demo", "--lang", lang)
        self.input_sheets = python_calamine.CalamineWorkbook.from_path(str(self.book)).sheet_names
        self.invoke("run", str(self.book))
        self.statements = folder / "statements"
        self.invoke("statements", str(self.book), "--from", "2026-07-01", "--to", "2026-09-30",
                    "--out", str(self.statements))
        self.check = json.loads(self.invoke("check", str(self.book), "--json").stdout)
        self.revenue_xlsx = folder / "revenue.xlsx"  # the printable export with its parameters block
        self.revenue = json.loads(self.invoke("revenue", str(self.book), "--from", "2026-01-01", "--to",
                                              "2026-09-30", "--json", "--out", str(self.revenue_xlsx)).stdout)
        self.report_csv = folder / "import_report.csv"
        result = self.invoke("import", "customers", str(IMPORTED), "--into",
                             str(self.book), "--dry-run", "--json", "--report", str(self.report_csv),
                             ok=(0, 1))
        self.imported = json.loads(result.stdout)
        self.changed = folder / f"changed_{lang}.xlsx"  # what reclassify --apply and an import write
        shutil.copy(self.book, self.changed)
        self.invoke("reclassify", str(self.changed), "--apply")
        self.invoke("import", "customers", str(IMPORTED), "--into", str(self.changed), ok=(0, 1))

    def invoke(self, *args: str, ok: tuple[int, ...] = (0,)):
        result = runner.invoke(app, list(args))
        assert result.exit_code in ok, (args, result.output[-2000:])
        return result

    def data_words(self) -> set[str]:
        """Tokens (ASCII words, Chinese runs) of the user's own data on the input sheets."""
        from xlcust.schema import SHEETS_BY_KEY

        keys = DATA_SHEETS + (("Rules",) if self.lang == "en" else ())
        names = {SHEETS_BY_KEY[k].key for k in keys} | {SHEETS_BY_KEY[k].zh for k in keys}
        words: set[str] = set()
        skip = set(self.sheet_names()) - names
        texts = [text for _sheet, _cell, text in _cells(self.book, skip)]
        texts += IMPORTED.read_bytes().decode("gb18030").splitlines()
        texts += [self.setting("currency") or ""]
        for text in texts:
            words.update(TOKEN.findall(text))
            words.update(CJK.findall(text))
            words.update(mnemonic(run) for run in CJK.findall(text))
        return words

    def setting(self, key: str) -> str | None:
        """The value of a Settings key, as the sheet holds it."""
        book = python_calamine.CalamineWorkbook.from_path(str(self.book))
        sheet = book.sheet_names[0]  # Settings comes first in a new book
        for row in book.get_sheet_by_name(sheet).to_python():
            if row and row[0] == key:
                return str(row[1])
        return None

    def sheet_names(self) -> list[str]:
        return python_calamine.CalamineWorkbook.from_path(str(self.book)).sheet_names

    def shown(self) -> Iterator[tuple[str, str]]:
        """(where, text) of everything this run showed a reader."""
        outputs = set(OUTPUT_SHEETS) | set(OUTPUT_SHEETS.values())
        not_outputs = {n for n in self.sheet_names() if n not in outputs}
        for sheet, cell, text in _cells(self.book, not_outputs):
            yield f"{self.book.name}!{sheet}!{cell}", text
        from xlcust.schema import HISTORY

        written = set(OUTPUT_SHEETS) | set(OUTPUT_SHEETS.values()) | {HISTORY.key, HISTORY.zh}
        for sheet, cell, text in _cells(self.changed, {n for n in self.sheet_names() if n not in written}):
            yield f"{self.changed.name}!{sheet}!{cell}", text
        for path in [*sorted(self.statements.glob("*.xlsx")), self.revenue_xlsx]:
            for sheet, cell, text in _cells(path):
                yield f"{path.name}!{sheet}!{cell}", text
        yield from _texts_of_json(self.check, "check --json")
        yield from _texts_of_json(self.revenue, "revenue --json")
        yield from _texts_of_json(self.imported, "import --json")
        with self.report_csv.open(encoding="utf-8-sig", newline="") as handle:
            for n, record in enumerate(csv.DictReader(handle), start=2):
                for key in ("message", "suggestion"):
                    yield f"import report line {n} {key}", record[key] or ""


@pytest.fixture(scope="module")
def zh_demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return Demo(tmp_path_factory.mktemp("scan_zh"), "zh")


@pytest.fixture(scope="module")
def en_demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return Demo(tmp_path_factory.mktemp("scan_en"), "en")


def english_words(text: str, allowed: set[str]) -> list[str]:
    """The English words of `text` that are not identifiers (see the module docstring)."""
    found = []
    for token in TOKEN.findall(COMMAND.sub(" ", text)):
        if not re.search("[A-Za-z]{3,}", token) or re.search(r"\d", token):
            continue
        if token in CODES or re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", token):
            continue
        if token in IDENTIFIERS or token in SETTINGS_KEYS or token in allowed:
            continue
        found.append(token)
    return found


def test_a_chinese_book_shows_no_english_but_codes(zh_demo: Demo) -> None:
    demo = zh_demo
    allowed = demo.data_words()
    seen = 0
    bad: dict[str, tuple[str, str]] = {}
    for where, text in demo.shown():
        seen += 1
        for word in english_words(text, allowed):
            bad.setdefault(word, (where, text[:120]))
    assert seen > 10_000  # the scan read the sheets, the statements and the JSON
    assert not bad, "English in a Chinese book:\n" + "\n".join(f"  {w!r} at {where}: {text!r}"
                                                               for w, (where, text) in sorted(bad.items()))


def test_an_english_book_shows_no_chinese_but_names(en_demo: Demo) -> None:
    demo = en_demo
    allowed = demo.data_words()
    seen = 0
    bad: dict[str, tuple[str, str]] = {}
    for where, text in demo.shown():
        seen += 1
        for run in CJK.findall(text):
            if run not in allowed:
                bad.setdefault(run, (where, text[:120]))
    assert seen > 10_000
    assert not bad, "Chinese in an English book:\n" + "\n".join(f"  {w!r} at {where}: {text!r}"
                                                                for w, (where, text) in sorted(bad.items()))


def test_the_scan_catches_english_and_lets_identifiers_through() -> None:
    """The scan can fail: the words it must report are reported, the identifiers are not."""
    text = "账龄分析（due）：INV-2026-000015 CUS_MNEMONIC_FILLED 运行 `xlcust check --write` aging_bounds VIP fifo"
    assert english_words(text, {"VIP"}) == ["due", "fifo"]
    assert CJK.findall("Aging 未到期 (due)") == ["未到期"]


def test_a_chinese_statement_pdf_shows_no_english_but_codes(tmp_path: Path) -> None:
    assert shutil.which("soffice"), "LibreOffice (soffice) is needed for this test; .ci/run installs it"
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for this test; .ci/run installs it"
    book = tmp_path / "demo.xlsx"
    assert runner.invoke(app, ["new", str(book), "--demo", "--lang", "zh"]).exit_code == 0
    out = tmp_path / "pdf"
    result = runner.invoke(app, ["statements", str(book), "--from", "2026-07-01", "--to", "2026-09-30",
                                 "--category", "010102", "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    pdfs = list(out.glob("*.pdf"))
    assert pdfs
    allowed = Demo.data_words.__get__(_Book(book, "zh"))()
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "对账单" in text
    assert english_words(text, allowed) == []


class _Book:
    """Enough of a Demo for `Demo.data_words` on a book built elsewhere."""

    def __init__(self, book: Path, lang: str) -> None:
        self.book, self.lang = book, lang

    sheet_names = Demo.sheet_names
    setting = Demo.setting
