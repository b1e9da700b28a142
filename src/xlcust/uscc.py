"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

An 18-character code, read left to right:

    9 1 440300 70846113 6 T
    | | |      |        | `- check character over the first 17 (mod 31)
    | | |      |        `--- organisation-code check character (GB 11714, mod 11)
    | | |      `------------ organisation code body (8 characters)
    | | `------------------- administrative division of the registering office
    | `--------------------- organisation type (1 = enterprise …)
    `----------------------- registration authority (9 = market regulation …)

Codes use the 31 characters `0-9A-Z` less I, O, S, V and Z. Input is compared
after NFKC (full-width to half-width), trimming and upper-casing, so `９１４４…`
and a lower-case final letter are read as typed intentionally.
"""

from __future__ import annotations

import unicodedata

from .i18n import Msg, msg

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}
# Weight of position i (0-based) is 3**i mod 31.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 11714 organisation code: weights of the 8 body characters; letters count 10-35.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_uscc(code: object) -> str:
    """The code as compared: half-width, trimmed, upper case."""
    return unicodedata.normalize("NFKC", str(code)).strip().upper()


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17 (raises ValueError on a bad character)."""
    body = normalize_uscc(first17)
    if len(body) != 17:
        raise ValueError(f"expected 17 characters, got {len(body)}")
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(body, _WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"'{exc.args[0]}' is not a character of a credit code") from None
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = 0
    for ch, w in zip(body8, _ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            raise ValueError(f"'{ch}' is not a character of an organisation code")
        total += value * w
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_problem(code: object) -> Msg | None:
    """What is wrong with a credit code, in a short phrase (a catalog text); None when it is valid."""
    text = normalize_uscc(code)
    if len(text) != 18:
        return msg("has {n} characters, a credit code has 18", n=len(text))
    for i, ch in enumerate(text, start=1):
        if ch not in _VALUE:
            return msg("character {i} '{ch}' is not allowed (I, O, S, V, Z and symbols never occur)", i=i, ch=ch)
    if not text[2:8].isdigit():
        return msg("characters 3-8 '{part}' must be the 6-digit administrative division code", part=text[2:8])
    expected_org = org_code_check_char(text[8:16])
    if text[16] != expected_org:
        return msg("organisation code {org}-{check} fails its check (GB 11714 expects '{expected}')",
                   org=text[8:16], check=text[16], expected=expected_org)
    expected = uscc_check_char(text[:17])
    if text[17] != expected:
        return msg("check character is '{check}', expected '{expected}'", check=text[17], expected=expected)
    return None


def is_valid_uscc(code: object) -> bool:
    """True when the code passes every GB 32100-2015 check."""
    return uscc_problem(code) is None


def make_uscc(authority: str, org_type: str, division: str, org_body8: str) -> str:
    """Assemble a valid code from its parts (computes both check characters)."""
    first17 = authority + org_type + division + org_body8 + org_code_check_char(org_body8)
    return first17 + uscc_check_char(first17)
