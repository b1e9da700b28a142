"""Output sheets' column headers come from the catalog, one English header possibly two Chinese ones."""

from __future__ import annotations

from xlcust.i18n import N_, term
from xlcust.views.outputs import columns, header


def test_one_english_header_can_be_two_chinese_ones() -> None:
    assert header(term("column header", "Name"), "zh") == "客户名称"
    assert header(term("column header: category name", "Name"), "zh") == "分类名称"
    assert header(term("column header", "Amount"), "zh") == "金额"
    assert header(term("column header: amount allocated", "Amount"), "zh") == "核销金额"
    assert header(term("column header: category name", "Name"), "en") == "Name"


def test_columns_render_terms_and_plain_msgids_in_the_books_language() -> None:
    spec = [(term("column header", "Customer"), "text", 12), (N_("Warning level"), "text", 11), ("1-30", "cents", 13)]
    assert [c.header for c in columns("zh", spec)] == ["客户编码", "预警级别", "1-30"]
    assert [c.header for c in columns("en", spec)] == ["Customer", "Warning level", "1-30"]
    assert [(c.kind, c.width) for c in columns("zh", spec)] == [("text", 12), ("text", 11), ("cents", 13)]
