"""Coding scheme and category tree (xlcust.codes)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlcust.codes import CategoryTree, CodingScheme
from xlcust.settings import Settings

S222 = CodingScheme((2, 2, 2))
S422 = CodingScheme((4, 2, 2))


@pytest.mark.parametrize(
    ("scheme", "code", "level"),
    [
        (S222, "01", 1),
        (S222, "0101", 2),
        (S222, "010101", 3),
        (S222, "0", None),
        (S222, "011", None),
        (S222, "0101010", None),
        (S222, "", None),
        (S422, "1001", 1),
        (S422, "10", None),
        (S422, "100101", 2),
        (S422, "10010101", 3),
        (CodingScheme((3,)), "A01", 1),
    ],
)
def test_level_of(scheme: CodingScheme, code: str, level: int | None) -> None:
    assert scheme.level_of(code) == level


@pytest.mark.parametrize(
    ("code", "parent", "ancestors"),
    [
        ("01", None, []),
        ("0102", "01", ["01"]),
        ("010203", "0102", ["01", "0102"]),
        ("011", None, []),
    ],
)
def test_parent_and_ancestors(code: str, parent: str | None, ancestors: list[str]) -> None:
    assert S222.parent_of(code) == parent
    assert S222.ancestors(code) == ancestors


@pytest.mark.parametrize(
    ("code", "valid"),
    [("01", True), ("AB09", True), ("ab", False), ("0 1", False), ("01-", False), ("０１", False), ("", False)],
)
def test_is_valid_chars(code: str, valid: bool) -> None:
    assert CodingScheme.is_valid_chars(code) is valid


@pytest.mark.parametrize(
    ("scheme", "number", "suggestion"),
    [
        (S222, "101", "0101"),
        (S222, "1", "01"),
        (S222, "10101", "010101"),
        (S222, "1001", None),  # already a valid length: nothing to pad
        (S222, "1234567", None),  # longer than any level
        (S222, "1.5", None),
        (S422, "1", "0001"),
        (S422, "10101", "010101"),
    ],
)
def test_pad_suggestion(scheme: CodingScheme, number: str, suggestion: str | None) -> None:
    assert scheme.pad_suggestion(number) == suggestion


def test_scheme_from_settings_and_text() -> None:
    scheme = CodingScheme.from_settings(Settings(coding_scheme=(4, 2)))
    assert scheme.lengths == (4, 6)
    assert str(scheme) == "4-2"
    with pytest.raises(ValueError):
        CodingScheme(())


def test_ancestor_at_level_is_vectorised() -> None:
    codes = pd.Series(["01", "0102", "010203", None, "011"], index=[7, 8, 9, 10, 11])
    assert S222.ancestor_at_level(codes, 1).tolist() == ["01", "01", "01", None, None]
    assert S222.ancestor_at_level(codes, 2).tolist() == ["01", "0102", "0102", None, None]
    assert list(S222.ancestor_at_level(codes, 2).index) == [7, 8, 9, 10, 11]
    with pytest.raises(ValueError):
        S222.ancestor_at_level(codes, 4)


def _tree() -> CategoryTree:
    frame = pd.DataFrame(
        {
            "code": ["01", "0101", "010101", "010102", "0102", "02", "02", "ab", "031"],
            "name": ["Retail", "Shops", "Big", "Small", "Online", "Export", "dup", "x", "y"],
        },
        index=range(2, 11),
    )
    return CategoryTree.from_frame(frame, S222)


def test_tree_shape() -> None:
    tree = _tree()
    assert tree.codes == ["01", "0101", "010101", "010102", "0102", "02"]  # invalid and repeated left out
    assert tree.rows["02"] == 7  # the first row wins
    assert tree.children("01") == ["0101", "0102"]
    assert tree.is_leaf("0102") and not tree.is_leaf("01") and not tree.is_leaf("99")
    assert tree.leaves == ["010101", "010102", "0102", "02"]
    assert tree.leaves_under("01") == ["010101", "010102", "0102"]
    assert tree.path("010102") == ["01", "0101", "010102"]
    assert tree.depth == 3
    assert tree.level("0101") == 2
    assert "0101" in tree and "ab" not in tree


def test_tree_rollup() -> None:
    assert _tree().rollup(2) == {"010101": "0101", "010102": "0101", "0102": "0102", "02": "02"}
    assert _tree().rollup(1) == {"010101": "01", "010102": "01", "0102": "01", "02": "02"}


def test_tree_inherits_from_nearest_ancestor() -> None:
    values = pd.Series(pd.array([30, 60, None], dtype="Int64"), index=["01", "0101", "02"])
    inherited = _tree().inherited(values)
    assert inherited["010101"] == 60  # parent 0101 has its own
    assert inherited["0102"] == 30  # from 01
    assert inherited["02"] is pd.NA
    # A missing intermediate category does not break the chain (as the ledger inherits terms).
    gap = CategoryTree.from_frame(pd.DataFrame({"code": ["01", "010101"], "name": ["a", "b"]}), S222)
    assert gap.inherited(pd.Series(pd.array([30], dtype="Int64"), index=["01"]))["010101"] == 30


def test_describe_lists_codes_with_names() -> None:
    assert _tree().describe(["0101", "0102"]) == "0101 Shops, 0102 Online"
    assert _tree().describe(["01"] * 7, limit=2).endswith("and 5 more")


schemes = st.lists(st.integers(1, 4), min_size=1, max_size=5).map(lambda levels: CodingScheme(tuple(levels)))
codes = st.text(alphabet="0123456789AB", max_size=22)


@given(schemes, codes)
def test_level_of_matches_cumulative_lengths(scheme: CodingScheme, code: str) -> None:
    level = scheme.level_of(code)
    if level is None:
        assert len(code) not in scheme.lengths
    else:
        assert sum(scheme.levels[:level]) == len(code)
        parent = scheme.parent_of(code)
        assert (parent is None) == (level == 1)
        if parent is not None:
            assert code.startswith(parent) and scheme.level_of(parent) == level - 1
        assert len(scheme.ancestors(code)) == level - 1


@given(schemes, st.integers(0, 10**8))
def test_pad_suggestion_is_a_valid_padding(scheme: CodingScheme, number: int) -> None:
    text = str(number)
    padded = scheme.pad_suggestion(text)
    if padded is not None:
        assert scheme.level_of(padded) is not None
        assert padded.lstrip("0") == text.lstrip("0") and padded.endswith(text)
        assert scheme.level_of(text) is None
