"""Row heights for wrapped text: a word that does not fit starts the next line, and the count is generous.

The note below was clipped in LibreOffice's printout of a 30-wide column: it wrapped onto five
lines (the setting's name moved whole to line 2), the row was written four lines high.
"""

from __future__ import annotations

from xlcust.views.layout import lines_needed

NOTE = "明细表超过 100 行（设置 detail_rows_in_book）时，工作簿中只保留其合计，使工作簿保持小巧、打开迅速。"


def test_the_note_that_was_clipped_gets_all_its_lines() -> None:
    assert lines_needed(NOTE, 30 - 1) >= 5  # row_height measures a wrapping cell at its width − 1


def test_a_word_that_does_not_fit_moves_to_the_next_line_whole() -> None:
    assert lines_needed("abcde fghijklmno", 17) == 1  # 16 characters fit a 17-wide cell
    # 13 characters over 11-character lines would be 2 by count; wrapped by word they are
    # "ab" | "cdefghi" | "jk" (9 characters a line at 90 % of 11)
    assert lines_needed("ab cdefghi jk", 12) == 3


def test_short_text_and_line_breaks() -> None:
    assert lines_needed("", 10) == 1
    assert lines_needed("x", 10) == 1
    assert lines_needed("first\nsecond", 30) == 2


def test_a_word_longer_than_the_line_is_broken_where_the_line_ends() -> None:
    assert lines_needed("a" * 25, 11) == 3  # 9 characters a line at 90 % of 10
