"""The message catalog: every marked text has its Chinese, and the catalog holds nothing stale."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from xlcust import i18n

SRC = Path(i18n.__file__).parent
PO = SRC / "locale" / "zh" / "LC_MESSAGES" / "xlcust.po"
KEYWORDS = {"_": None, "N_": None, "msg": (1,), "translate": (1,), "ntranslate": (1, 2),
            "C_": ((1, "c"), 2), "ctranslate": ((1, "c"), 2), "term": ((1, "c"), 2)}


def _marked() -> dict[tuple[str, str | None], str]:
    """(msgid, context) → 'file:line' of every text the code marks for the catalog."""
    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_marked_text_has_a_chinese_translation() -> None:
    catalog = _catalog()
    missing = []
    for (msgid, context), where in _marked().items():
        entry = catalog.get(msgid, context=context)
        if not (entry and entry.string and not entry.fuzzy):
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, "texts without Chinese (add them to the .po, see locale/README.md):\n" + "\n".join(missing)


def test_the_catalog_keeps_no_text_the_code_no_longer_uses() -> None:
    marked = _marked()
    stale = [m.id for m in _catalog()
             if m.id and ((m.id[0] if isinstance(m.id, tuple) else m.id), m.context) not in marked]
    assert not stale, f"unused catalog entries: {stale}"


def test_translations_keep_the_placeholders_of_their_english() -> None:
    for message in _catalog():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert _fields(text) <= set().union(*(_fields(i) for i in ids)), (message.id, text)


@pytest.mark.parametrize(("given", "expected"), [
    ("zh", "zh"), ("zh_CN", "zh"), ("zh-Hans", "zh"), ("中文", "zh"), ("en_US", "en"), ("EN", "en"),
    ("fr", None), ("", None), (None, None),
])
def test_normalize_language(given, expected) -> None:
    assert i18n.normalize_language(given) == expected


def test_language_comes_from_the_flag_then_the_workbook_then_the_locale(monkeypatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve_language("en", "zh") == "en"
    assert i18n.resolve_language(None, "en") == "en"
    assert i18n.resolve_language(None, None) == "zh"
    monkeypatch.setenv("LANG", "C")
    assert i18n.resolve_language(None, None) in i18n.LANGUAGES


def test_translate_formats_after_translating() -> None:
    assert i18n.translate("Yes", "zh") == "是"
    assert i18n.translate("Yes", "en") == "Yes"
    with i18n.use_language("zh"):
        assert i18n._("No") == "否"
    assert i18n._("No") == "No"


def test_a_word_with_two_meanings_is_told_apart_by_its_context() -> None:
    assert i18n.ctranslate("transaction kind", "invoice", "zh") == "发票"
    assert i18n.ctranslate("aging basis", "invoice", "zh") == "按开票日"
    assert i18n.ctranslate("aging basis", "invoice", "en") == "invoice"


def test_a_term_is_its_code_in_english_and_its_label_elsewhere() -> None:
    source = i18n.term("history source", "import")
    assert (source.render("en"), source.render("zh"), str(source)) == ("import", "导入", "import")
    assert i18n.labels_of("history source", ["import", "manual"]) == {
        "import": "import", "导入": "import", "manual": "manual", "手工": "manual"}


def test_an_edit_list_is_written_in_the_books_language() -> None:
    from xlcust.edits import AppendRows, CellEdit
    from xlcust.views.edits import render_edits

    edits = [AppendRows("分类历史", "History", [["C1", i18n.term("history source", "manual"),
                                                i18n.msg("xlcust reclassify: rule {rule}", rule="R1")]]),
             CellEdit("客户档案", 7, "E", "0102")]
    shown = render_edits(edits, "zh")
    assert shown[0].rows == [["C1", "手工", "xlcust reclassify：规则 R1"]]
    assert shown[1] == edits[1]
    assert render_edits(edits, "en")[0].rows == [["C1", "manual", "xlcust reclassify: rule R1"]]


def test_vformat_fills_a_template_a_column_at_a_time_in_the_translations_order() -> None:
    import numpy as np

    from xlcust.credit.explain import vformat

    names = np.array(["a", "b"], dtype=object)
    days = np.array(["3", "40"], dtype=object)
    assert vformat("{name} late {days} d", 2, name=names, days=days).tolist() == ["a late 3 d", "b late 40 d"]
    assert vformat("逾期 {days} 天：{name}", 2, name=names, days=days).tolist() == ["逾期 3 天：a", "逾期 40 天：b"]
