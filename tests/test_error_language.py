"""Why a command could not run is told in the user's language: every XlcustError carries a catalog
text (msgid + parameters), never a ready-made English string, and the CLI renders it in the language
of --lang, else of the book's Settings (even before the book is read), else of the locale."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust import errors, i18n
from xlcust.cli import app
from xlcust.errors import UsageError, WorkbookLocked, XlcustError
from xlcust.i18n import msg

from .hostile import bomb, rezip, swap

SRC = Path(i18n.__file__).parent
runner = CliRunner()
ERRORS = {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, XlcustError)}


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine speaks English: a Chinese message can only come from --lang or the book."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    made = {}
    for lang in ("en", "zh"):
        made[lang] = folder / f"{lang}.xlsx"
        result = runner.invoke(app, ["new", str(made[lang]), "--demo", "--lang", lang])
        assert result.exit_code == 0, result.output
    return made


def refusal(*args: str) -> str:
    """The one line a refused command prints; it exits 2 with no traceback."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def chinese(line: str) -> bool:
    """Chinese, with English only in names, paths and codes the user typed."""
    return bool(re.search(r"[\u4e00-\u9fff]", line))


# ------------------------------------------------------------------------ the rule, in the code


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """The names of XlcustError and every class derived from it in `trees` (PdfError, ConditionError …)."""
    names = set(ERRORS)
    classes = [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    while True:
        more = {c.name for c in classes if any(getattr(b, "id", None) in names for b in c.bases)} - names
        if not more:
            return names
        names |= more


def _raises_with_plain_text(root: Path = SRC) -> list[str]:
    """Every construction of an XlcustError subclass whose message is a string, an f-string or `_()`."""
    parsed = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(root.rglob("*.py"))}
    classes = _error_classes([*parsed.values(), *(ast.parse(p.read_text(encoding="utf-8")) for p in SRC.rglob("*.py"))])
    found = []
    for path, tree in parsed.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in classes and node.args):
                continue
            first = node.args[0]
            plain = isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str)) or (
                isinstance(first, ast.Call) and getattr(first.func, "id", None) in ("_", "str", "translate"))
            if plain:
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_error_is_raised_with_a_plain_english_string() -> None:
    assert not _raises_with_plain_text(), "raise these with msg(...) and add the Chinese to the catalog"


def test_the_scan_finds_plain_strings_and_lets_catalog_texts_through(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        "class ConditionError(UsageError):\n    pass\n"
        "raise UsageError(f'cannot read {name}')\n"
        "raise WorkbookLocked('open in Excel')\n"
        "raise PdfError(_('no LibreOffice'))\n"
        "raise ConditionError('x' + y)\n"
        "raise UsageError(msg('cannot read {name}', name=name))\n"
        "raise RefusedPackage(Msg(msgid, book=book))\n", encoding="utf-8")
    assert _raises_with_plain_text(tmp_path) == ["sample.py:3", "sample.py:4", "sample.py:5", "sample.py:6"]


def test_an_error_refuses_a_ready_made_string() -> None:
    with pytest.raises(TypeError, match="catalog message"):
        UsageError("--as-of must be a date")
    with pytest.raises(TypeError):
        WorkbookLocked(f"{'book.xlsx'} is open")


def test_an_error_renders_in_any_language() -> None:
    exc = WorkbookLocked(msg("{name} is read-only: clear its read-only setting and run again", name="a.xlsx"))
    assert exc.render("en") == "a.xlsx is read-only: clear its read-only setting and run again"
    assert exc.render("zh") == "a.xlsx 是只读文件：请取消只读属性后再运行"
    assert str(exc) == exc.render("en")
    with i18n.use_language("zh"):
        assert str(exc) == exc.render("zh")


# ------------------------------------------------------------------------ end to end, through the CLI


def test_a_malformed_as_of_is_refused_in_the_books_language_before_the_book_is_read(books) -> None:
    zh = refusal("aging", str(books["zh"]), "--as-of", "2026-13-45")
    assert zh.startswith("xlcust: --as-of 须为年份在前的日期") and "2026-13-45" in zh
    en = refusal("aging", str(books["en"]), "--as-of", "2026-13-45")
    assert en.startswith("xlcust: --as-of must be a date written year first")
    assert chinese(refusal("aging", str(books["en"]), "--as-of", "30/09/2026", "--lang", "zh"))
    assert refusal("aging", str(books["zh"]), "--as-of", "30/09/2026", "--lang", "en").startswith(
        "xlcust: --as-of must be a date")


def test_a_book_open_in_excel_is_refused_in_its_language(books, tmp_path: Path) -> None:
    for lang, words in (("zh", "正在 Excel/WPS/LibreOffice 中打开"), ("en", "is open in Excel/WPS/LibreOffice")):
        book = tmp_path / books[lang].name
        book.write_bytes(books[lang].read_bytes())
        (tmp_path / f"~${book.name}").write_bytes(b"owner")  # Excel's lock file beside the book
        before = hashlib.sha256(book.read_bytes()).hexdigest()
        line = refusal("check", str(book), "--write")
        assert words in line and f"~${book.name}" in line, line
        assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert "请关闭后再运行" in refusal("run", str(tmp_path / "en.xlsx"), "--lang", "zh")


def test_a_missing_file_is_named_in_the_language_asked_for(tmp_path: Path) -> None:
    missing = tmp_path / "没有这个.xlsx"
    assert refusal("check", str(missing), "--lang", "zh").endswith("：文件不存在；请检查路径后再运行")
    assert refusal("check", str(missing)).endswith(": no such file; check the path and run again")


def test_a_missing_file_follows_a_chinese_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "文件不存在" in refusal("aging", str(tmp_path / "gone.xlsx"))


def test_a_zip_bomb_is_refused_in_chinese(books, tmp_path: Path) -> None:
    sheet = "xl/worksheets/sheet2.xml"  # a Chinese demo's Categories sheet, made to inflate to 3 GiB
    path = rezip(books["zh"], tmp_path / "炸弹.xlsx", lambda es: swap(es, sheet, bomb(sheet, 3072)))
    line = refusal("check", str(path), "--lang", "zh")
    assert "炸弹.xlsx" in line and "sheet2.xml" in line and chinese(line), line
    assert "zip bomb" not in line
    assert "zip bomb" in refusal("check", str(path))  # a refused book cannot say its language: the locale's
