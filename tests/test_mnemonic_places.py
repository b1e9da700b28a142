"""Mnemonics read place names as accountants type them (issue 14, point 3): 北京朝阳 → BJCY."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from xlcust.mnemonic import PLACE_READINGS, mnemonic


@pytest.mark.parametrize(("name", "expected"), [
    ("北京朝阳", "BJCY"),
    ("北京朝阳华远建筑有限公司", "BJCYHYJZYX"),
    ("辽宁朝阳重型机械", "LNCYZXJX"),
    ("山西长治煤业", "SXCZMY"),
    ("上海长宁商贸", "SHCNSM"),
    ("河南漯河食品", "HNLHSP"),
    ("山东单县纺织", "SDSXFZ"),
    ("安徽涡阳", "AHGY"),
    ("洪洞县供销社", "HTXGXS"),
    ("长沙重工", "CSZG"),  # what pypinyin already reads right stays as it was
    ("重庆银行", "CQYH"),
])
def test_place_names_read_as_accountants_type_them(name: str, expected: str) -> None:
    assert mnemonic(name) == expected


def test_every_entry_is_a_reading_of_its_characters_that_pypinyin_alone_gets_wrong() -> None:
    from pypinyin import pinyin

    for place, reading in PLACE_READINGS.items():
        syllables = reading.split()
        assert len(syllables) == len(place), place
        for ch, syllable in zip(place, syllables, strict=True):
            assert syllable in pinyin(ch, heteronym=True)[0], (place, ch, syllable)  # a real reading of it
    # pypinyin without the table (a fresh interpreter: the table is loaded into pypinyin's own
    # dictionary) reads each place otherwise, so no entry is dead weight
    script = ("import json, sys; from pypinyin import lazy_pinyin, Style; "
              "print(json.dumps({p: ''.join(lazy_pinyin(p, style=Style.FIRST_LETTER)).upper() "
              "for p in json.loads(sys.argv[1])}))")
    run = subprocess.run([sys.executable, "-c", script, json.dumps(list(PLACE_READINGS))], capture_output=True,
                         text=True, check=True)
    plain = json.loads(run.stdout)
    assert {p for p in PLACE_READINGS if plain[p] == mnemonic(p)} == set()
