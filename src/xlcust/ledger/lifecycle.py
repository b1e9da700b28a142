"""Lifecycle stage per customer (客户生命周期): potential, new, active, dormant, lost.

The stage follows from the customer's transactions up to the as-of date and three
Settings (months, whole calendar months as `months_since_last_txn` counts them):

    potential  潜在客户   no transaction at all yet (registered, never traded)
    lost       流失客户   no transaction for lost_months months or more (default 24)
    dormant    休眠客户   no transaction for dormant_months months or more (default 6)
    new        新客户     first transaction less than new_customer_months months ago (default 12)
    active     活跃客户   everyone else

checked in that order, so a customer who traded once 8 months ago is dormant, not new.
The Customers sheet's `status` is what the user says; the stage is what the ledger
shows (a customer can be `active` by status and `dormant` by stage: the DORMANT warning
and the data-quality checks point at exactly that).

Stages are codes; `STAGE_LABELS` holds their catalog msgids (views translate them),
and `parse_stage` reads a code or a label in either language, as rules are typed.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import N_

if TYPE_CHECKING:
    from ..settings import Settings

STAGES = ("potential", "new", "active", "dormant", "lost")
STAGE_LABELS = {
    "potential": N_("Potential customer"),
    "new": N_("New customer"),
    "active": N_("Active customer"),
    "dormant": N_("Dormant customer"),
    "lost": N_("Lost customer"),
}
# What a user may type for each stage (besides the code and the English label): the
# Chinese words with and without 客户.
_ZH = {"potential": "潜在", "new": "新", "active": "活跃", "dormant": "休眠", "lost": "流失"}


def _key(word: object) -> str:
    return unicodedata.normalize("NFKC", str(word)).strip().casefold().replace(" ", "")


_LOOKUP = {
    _key(word): code
    for code in STAGES
    for word in (code, STAGE_LABELS[code], _ZH[code], _ZH[code] + "客户", STAGE_LABELS[code].split()[0])
}


def parse_stage(word: object) -> str | None:
    """The stage code for a code, an English label or a Chinese word (休眠, 休眠客户); None when unknown."""
    if word is None:
        return None
    return _LOOKUP.get(_key(word))


def lifecycle_stages(figures: pd.DataFrame, settings: Settings, as_of: object) -> np.ndarray:
    """The stage code of every row of `Ledger.customer_figures()` (same order), as an object array."""
    idle = figures["months_since_last_txn"].to_numpy(dtype=np.float64, na_value=np.nan)
    first = pd.DatetimeIndex(figures["first_txn_date"])
    as_of_ts = pd.Timestamp(as_of)
    # whole months since the first transaction, counted like months_since_last_txn
    since_first = ((as_of_ts.year - first.year) * 12 + (as_of_ts.month - first.month)
                   - (as_of_ts.day < first.day).astype(int)).to_numpy(dtype=np.float64, na_value=np.nan)
    never = np.isnan(idle)
    stage = np.full(len(figures), "active", dtype=object)
    stage[~never & (since_first < settings.new_customer_months)] = "new"
    stage[~never & (idle >= settings.dormant_months)] = "dormant"
    stage[~never & (idle >= settings.lost_months)] = "lost"
    stage[never] = "potential"
    return stage
