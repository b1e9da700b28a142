"""Planning a transaction import: lines → documents → new Transactions rows, or reasons.

**Lines.** Each source row is a line. Its amount is the amount column; or the debit /
credit column that is filled (借方 / 贷方); or quantity × unit price for invoice-line
files. Amounts are exact decimals (`clean.to_units`), so sums are exact.

**Kind and sign.** The kind column wins; else a debit is an invoice and a credit a
receipt (columns or a 借/贷 direction); else `--kind`; else the sign: positive lines are
invoices, negative ones credit notes. A negative invoice (红字) becomes a credit note
with a positive amount; negative receipts and opening balances are rejected; an
adjustment keeps its sign.

**Documents.** With line items (quantity and unit price, or `--group-lines`) the lines
sharing a Txn ID are one transaction: they must agree on customer, date, due date,
reference and kind family; invoice and credit-note lines net, and the document is an
invoice when the net is positive, a credit note (positive amount) when negative, and is
skipped when it nets to zero. The amount is rounded half-up to the cent once, on the
document. Without grouping each row is a transaction and a Txn ID repeated with other
content is a conflict.

**Customers.** A customer code known to the registry is used; an unknown code, or a
customer *name*, is looked up by normalised name; otherwise the line is rejected —
unless `--create-customers`, which creates the customer (the file's code, or the next
C0000-pattern code for a name) in the `--category` category, opened on its first
transaction date, with its CategoryHistory period starting then.

**Nothing half-imported.** A document with any line that cannot be imported is not
imported; a Txn ID already in the registry is skipped when identical (so re-running adds
nothing) and rejected when different.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from ..archive import normalize_name
from ..errors import UsageError
from ..i18n import N_, Joined, Msg, msg, term
from ..mnemonic import mnemonic
from ..money import cents_to_decimal, format_money
from .clean import (
    Cleaned,
    Where,
    clean_code,
    clean_date,
    clean_direction,
    clean_kind,
    clean_number,
    clean_text,
    to_units,
    units_to_cents,
)
from .prepare import Prepared
from .registry import NewRows, Registry
from .report import ImportReport, Issue, issue, row_ranges

KINDS = ("invoice", "credit_note", "receipt", "opening", "adjustment")
K_INVOICE, K_CREDIT, K_RECEIPT, K_OPENING, K_ADJUST = range(5)
SALES = 0  # kind family of invoices and credit notes (they net within a document)
_NAT = np.iinfo(np.int64).min

# Reasons a line cannot be imported (beyond an unreadable cell, which its cleaner reports).
_REASONS = {
    "IMP_TXN_ID_MISSING": (N_("Txn ID is blank"), N_("Give every line its invoice or voucher number")),
    "IMP_DATE_INVALID": (N_("date is blank"), N_("Type the date of the transaction")),
    "IMP_AMOUNT_MISSING": (N_("no amount"), N_("Type the amount (or quantity and unit price)")),
    "IMP_DEBIT_AND_CREDIT": (N_("both a debit and a credit amount"),
                             N_("Keep one of them; split the line in two if both happened")),
    "IMP_DIRECTION_UNKNOWN": (N_("no debit/credit direction"), N_("Type debit or credit (D or C)")),
    "IMP_AMOUNT_SIGN": (N_("a negative amount no kind allows"),
                        N_("A refund of an invoice is a credit note; a negative opening balance is an adjustment")),
    "IMP_NO_CUSTOMER": (N_("no customer"), N_("Fill the customer code or name")),
    "IMP_CUSTOMER_UNKNOWN": (N_("a customer not in the registry"),
                             N_("Import the customers first (`xlcust import customers`), or run with "
                                "--create-customers --category CODE")),
    "cell": (N_("a cell that cannot be read (see its own message)"), ""),
}


@dataclass
class Lines:
    """The cleaned lines, as arrays parallel to `rows`."""

    rows: np.ndarray
    txn: np.ndarray  # object: Txn ID or None
    date: np.ndarray  # int64 day numbers, _NAT when missing
    due: np.ndarray
    reference: np.ndarray  # object
    memo: np.ndarray  # object
    customer: np.ndarray  # object: resolved customer code or None
    kind: np.ndarray  # int8 line kind (K_*), -1 unknown
    value: np.ndarray  # int64 units, signed: + invoice, - credit note; receipts/openings +; adjustments signed
    places: int
    reason: np.ndarray  # object: None, or the code of why the line cannot be imported


def _days(values: pd.Series) -> np.ndarray:
    out = np.full(len(values), _NAT, dtype=np.int64)
    arr = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=True)
    table = np.array([(u - dt.date(1970, 1, 1)).days for u in uniques] + [_NAT], dtype=np.int64)
    out[:] = table[codes]
    return out


def _day(n: int) -> dt.date | None:
    return None if n == _NAT else dt.date(1970, 1, 1) + dt.timedelta(days=int(n))


class TransactionPlanner:
    """Lines of a prepared file → documents → Transactions rows (and customers to create)."""

    def __init__(self, prep: Prepared, reg: Registry, report: ImportReport, *, kind: str | None,
                 group_lines: bool | None, create_customers: bool, category: str | None, date_order: str | None,
                 user: str, source_name: str) -> None:
        self.prep, self.reg, self.report = prep, reg, report
        self._txn_sheet = reg.book.transactions.name  # how messages name the registry's Transactions sheet
        self.kind_default = kind
        self.create, self.category = create_customers, category
        self.date_order, self.user, self.source_name = date_order, user, source_name
        f = set(prep.frame.columns)
        missing = [name for name, ok in (
            ("Txn ID (单据号)", "txn_id" in f), ("date (日期)", "date" in f),
            ("customer code or name (客户编码 / 客户名称)", bool(f & {"customer_code", "customer_name"})),
            ("amount, debit/credit or quantity and unit price (金额 / 借方 贷方 / 数量 单价)",
             bool(f & {"amount", "debit", "credit"}) or {"quantity", "unit_price"} <= f),
        ) if not ok]
        if missing:
            raise UsageError(msg("{name}: no column for {fields}; name them with --map SRC=FIELD",
                                 name=prep.info.name, fields='; '.join(missing)))
        self.line_items = "amount" not in f and not f & {"debit", "credit"}
        self.group = self.line_items if group_lines is None else group_lines
        self.created: dict[str, dict] = {}  # customer code → record, for customers made by this import

    # -- lines ------------------------------------------------------------------------------

    def _clean(self, field: str, cleaner, **kw) -> Cleaned | None:
        if field not in self.prep.frame.columns:
            return None
        where = Where(self.prep.letter(field), field, self.prep.header(field), self.prep.typed)
        result = cleaner(self.prep.frame[field], where, **kw)
        if isinstance(result, tuple):
            result, extra = result
            if extra is not None:
                self.report.add(extra)
        self.report.extend(result.issues)
        return result

    def lines(self) -> Lines:
        frame = self.prep.frame
        n = len(frame)
        bad = np.zeros(n, dtype=bool)
        c = {}
        for field, cleaner, kw in (
            ("txn_id", clean_code, {}), ("date", clean_date, {"order": self.date_order}),
            ("due_date", clean_date, {"order": self.date_order}), ("customer_code", clean_code, {}),
            ("customer_name", clean_text, {}), ("kind", clean_kind, {}), ("direction", clean_direction, {}),
            ("reference", clean_code, {}), ("memo", clean_text, {}),
            *((f, clean_number, {}) for f in ("amount", "debit", "credit", "quantity", "unit_price")),
        ):
            cleaned = self._clean(field, cleaner, **kw)
            if cleaned is not None:
                c[field] = cleaned
                if field != "memo":
                    bad |= cleaned.bad
        none = pd.Series(np.full(n, None, dtype=object), index=frame.index)

        def values(field: str) -> pd.Series:
            return c[field].values if field in c else none

        reason = np.where(bad, "cell", None).astype(object)
        txn = values("txn_id").to_numpy(dtype=object)
        date = _days(values("date"))
        due = _days(values("due_date"))
        self._set(reason, pd.isna(txn), "IMP_TXN_ID_MISSING")
        self._set(reason, date == _NAT, "IMP_DATE_INVALID")
        value, places, dc = self._amounts(c, reason)
        kind = self._kinds(c, value, dc, reason)
        customer = self._customers(values("customer_code"), values("customer_name"), reason)
        return Lines(frame.index.to_numpy(dtype=np.int64), txn, date, due, values("reference").to_numpy(dtype=object),
                     values("memo").to_numpy(dtype=object), customer, kind, value, places, reason)

    @staticmethod
    def _set(reason: np.ndarray, mask: np.ndarray, code: str) -> None:
        reason[np.asarray(mask, dtype=bool) & pd.isna(reason)] = code

    def _amounts(self, c: dict[str, Cleaned], reason: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        """Signed line values in units, their decimal places, and debit(+1)/credit(-1)/unknown(0)."""
        n = len(reason)
        dc = np.zeros(n, dtype=np.int8)
        if "amount" in c or "debit" in c or "credit" in c:
            present = {f: c[f].values for f in ("amount", "debit", "credit") if f in c}
            units = {f: to_units(v) for f, v in present.items()}
            places = max(p for _, p in units.values())
            scaled = {f: u * 10 ** (places - p) for f, (u, p) in units.items()}
            has = {f: present[f].notna().to_numpy() for f in present}
            if "amount" in c:
                value = scaled["amount"]
                self._set(reason, ~has["amount"], "IMP_AMOUNT_MISSING")
                if "direction" in c:
                    direction = c["direction"].values.to_numpy(dtype=object)
                    known = ~pd.isna(direction)
                    dc[known] = direction[known].astype(np.int8)
                    self._set(reason, ~known, "IMP_DIRECTION_UNKNOWN")
            else:
                debit = scaled.get("debit", np.zeros(n, dtype=np.int64))
                credit = scaled.get("credit", np.zeros(n, dtype=np.int64))
                d_has = has.get("debit", np.zeros(n, dtype=bool)) & (debit != 0)
                c_has = has.get("credit", np.zeros(n, dtype=bool)) & (credit != 0)
                self._set(reason, d_has & c_has, "IMP_DEBIT_AND_CREDIT")
                any_has = has.get("debit", np.zeros(n, dtype=bool)) | has.get("credit", np.zeros(n, dtype=bool))
                self._set(reason, ~any_has, "IMP_AMOUNT_MISSING")
                value = np.where(c_has, credit, debit)
                dc = np.where(c_has, -1, 1).astype(np.int8)
            return value, places, dc
        q, qp = to_units(c["quantity"].values)
        p, pp = to_units(c["unit_price"].values)
        missing = c["quantity"].values.isna().to_numpy() | c["unit_price"].values.isna().to_numpy()
        self._set(reason, missing, "IMP_AMOUNT_MISSING")
        if len(q) and float(np.abs(q).max()) * float(np.abs(p).max()) >= 2**62:
            raise UsageError(msg("quantities × unit prices too large to add up exactly"))
        return q * p, qp + pp, dc

    def _kinds(self, c: dict[str, Cleaned], value: np.ndarray, dc: np.ndarray, reason: np.ndarray) -> np.ndarray:
        """Line kinds (K_*), with `value` made signed for netting (in place)."""
        n = len(value)
        kind = np.full(n, -1, dtype=np.int8)
        if "kind" in c:
            words = c["kind"].values.to_numpy(dtype=object)
            for k, word in enumerate(KINDS):
                kind[words == word] = k
        rows = self.prep.frame.index.to_numpy()
        open_ = kind < 0
        if (dc != 0).any():
            debit, credit = open_ & (dc > 0), open_ & (dc < 0)
            kind[debit], kind[credit] = K_INVOICE, K_RECEIPT
            for mask, what in ((debit, msg("debits are invoices")), (credit, msg("credits are receipts"))):
                if mask.any():
                    self.report.add(issue("IMP_DEBIT_CREDIT", msg("{n} line(s): {what}", n=f"{mask.sum():,}",
                                                                  what=what), rows[mask]))
            open_ = kind < 0
        if open_.any() and self.kind_default is not None:
            kind[open_] = KINDS.index(self.kind_default)
            open_ = kind < 0
        if open_.any():
            positive = open_ & (value >= 0)
            kind[positive], kind[open_ & ~positive] = K_INVOICE, K_CREDIT
            # A misspelt kind is rejected with IMP_KIND_UNKNOWN (its row, value and the kinds
            # accepted); only lines with no kind at all are read by their sign.
            guessed = open_ & ~c["kind"].bad if "kind" in c else open_
            if guessed.any():
                plus, minus = (guessed & positive).sum(), (guessed & ~positive).sum()
                what = (msg("Kind blank on {n} line(s)", n=f"{guessed.sum():,}") if "kind" in c
                        else msg("No kind column"))
                self.report.add(issue("IMP_KIND_BY_SIGN", msg("{what}: {positive} positive line(s) are invoices, "
                                                              "{negative} negative one(s) credit notes (say "
                                                              "otherwise with --kind)", what=what,
                                                              positive=f"{plus:,}", negative=f"{minus:,}"),
                                      rows[guessed] if "kind" in c else []))
        typed_negative = ~open_ & (value < 0)
        red = typed_negative & (kind == K_INVOICE)
        if red.any() and not self.line_items:
            self.report.add(issue("IMP_NEGATIVE_INVOICE", msg("{n} negative invoice line(s) imported as credit "
                                                              "notes with positive amounts", n=f"{red.sum():,}"),
                                  rows[red]))
        kind[red] = K_CREDIT  # value stays negative: a credit note's netting sign
        credit_pos = ~open_ & (kind == K_CREDIT) & ~red
        negative_cn = credit_pos & (value < 0)
        if negative_cn.any():
            self.report.add(issue("IMP_NEGATIVE_INVOICE", msg("{n} credit note line(s) typed negative: imported "
                                                              "with positive amounts", n=f"{negative_cn.sum():,}"),
                                  rows[negative_cn]))
        value[credit_pos] = -np.abs(value[credit_pos])
        self._set(reason, np.isin(kind, (K_RECEIPT, K_OPENING)) & (value < 0), "IMP_AMOUNT_SIGN")
        return kind

    def _customers(self, codes: pd.Series, names: pd.Series, reason: np.ndarray) -> np.ndarray:
        """Resolved customer code per line (None when the line has none or it is unknown)."""
        reg = self.reg
        code_id, code_u = pd.factorize(pd.Series(codes.to_numpy(dtype=object), dtype=object), use_na_sentinel=True)
        name_id, name_u = pd.factorize(pd.Series(names.to_numpy(dtype=object), dtype=object), use_na_sentinel=True)
        ids, _ = pd.factorize((code_id.astype(np.int64) + 1) * (len(name_u) + 1) + name_id + 1)
        uniques = np.arange(ids.max() + 1 if len(ids) else 0)
        code_of, name_of = codes.to_numpy(dtype=object), names.to_numpy(dtype=object)
        out_u = np.full(len(uniques) + 1, None, dtype=object)
        why_u = np.full(len(uniques) + 1, None, dtype=object)
        first = pd.Series(np.arange(len(ids))).groupby(ids).first().to_dict()
        rows = self.prep.frame.index.to_numpy()
        differs: dict[str, list[int]] = {}
        by_name: dict[str, tuple[str, list[int]]] = {}
        next_number = None
        for u in range(len(uniques)):
            i = first[u]
            code, name = (None if pd.isna(v) else v for v in (code_of[i], name_of[i]))
            if code is None and name is None:
                why_u[u] = "IMP_NO_CUSTOMER"
                continue
            if code is not None and code in reg.by_code:
                out_u[u] = code
                if name is not None and normalize_name(name) != normalize_name(reg.by_code[code][2]):
                    differs.setdefault(code, []).append(u)
                continue
            probe = normalize_name(name if name is not None else code)
            if probe in reg.by_name:
                out_u[u] = reg.by_name[probe][1]
                by_name.setdefault(name if name is not None else code, (out_u[u], []))[1].append(u)
                continue
            if not self.create:
                why_u[u] = "IMP_CUSTOMER_UNKNOWN"
                continue
            if code is None:
                made = next((c for c, r in self.created.items() if normalize_name(r["name"]) == probe), None)
                if made is None:
                    if next_number is None:
                        next_number = reg.next_code_number(also_taken=[c for c in codes.dropna().unique()])
                    made, next_number = reg.code_for(next_number), next_number + 1
                code = made
            self.created.setdefault(code, {"code": code, "name": name if name is not None else code})
            out_u[u] = code
        out = out_u[ids]
        why = why_u[ids]
        has_why = ~pd.isna(why)
        reason[has_why & pd.isna(reason)] = why[has_why & pd.isna(reason)]
        letter = self.prep.letter("customer_code") if "customer_code" in self.prep.frame.columns else None
        for code, us in differs.items():
            mask = np.isin(ids, us)
            self.report.add(issue("IMP_CUSTOMER_NAME_DIFFERS", msg("Customer '{code}' is '{registry_name}' in the "
                                                                   "registry; the file names it '{file_name}'",
                                                                   code=code, registry_name=reg.by_code[code][2],
                                                                   file_name=name_of[first[us[0]]]), rows[mask],
                                  column=letter, field="customer_code", key=code))
        for shown_name, (code, us) in by_name.items():
            self.report.add(issue("IMP_CUSTOMER_BY_NAME", msg("'{name}' is the registry's customer '{code}'",
                                                              name=shown_name, code=code),
                                  rows[np.isin(ids, us)], field="customer_code", key=code, value=shown_name,
                                  new_value=code))
        return out

    # -- documents --------------------------------------------------------------------------

    def plan(self) -> tuple[NewRows, NewRows, NewRows]:
        lines = self.lines()
        docs = self._documents(lines)
        return self._records(docs, lines)

    def _documents(self, lines: Lines) -> pd.DataFrame:
        """One row per document: rows, txn, customer, date, due, reference, kind, cents, why-not."""
        n = len(lines.rows)
        if self.group:
            doc, txn_u = pd.factorize(pd.Series(lines.txn, dtype=object), use_na_sentinel=True)
            missing = doc < 0
            doc[missing] = len(txn_u) + np.arange(missing.sum())  # a line without an id is its own document
        else:
            doc = np.arange(n)
        cust_id, _ = pd.factorize(pd.Series(lines.customer, dtype=object), use_na_sentinel=True)
        ref_id, ref_u = pd.factorize(pd.Series(lines.reference, dtype=object), use_na_sentinel=True)
        family = np.where(lines.kind <= K_CREDIT, SALES, lines.kind).astype(np.int16)
        bad = ~pd.isna(lines.reason)
        frame = pd.DataFrame({"doc": doc, "bad": bad, "cust": cust_id, "date": lines.date, "due": lines.due,
                              "ref": ref_id, "fam": family, "value": lines.value, "pos": np.arange(n)})
        g = frame.groupby("doc", sort=True)
        agg = g.agg(bad=("bad", "max"), cust_lo=("cust", "min"), cust_hi=("cust", "max"), date_lo=("date", "min"),
                    date_hi=("date", "max"), due_lo=("due", "min"), due_hi=("due", "max"), ref_lo=("ref", "min"),
                    ref_hi=("ref", "max"), fam_lo=("fam", "min"), fam_hi=("fam", "max"), value=("value", "sum"),
                    lines=("pos", "size"), first=("pos", "min"))
        agg = agg.sort_values("first", kind="stable")
        positions = g.indices  # doc → line positions
        disagree = ((agg["cust_lo"] != agg["cust_hi"]) | (agg["date_lo"] != agg["date_hi"])
                    | (agg["due_lo"] != agg["due_hi"]) | (agg["ref_lo"] != agg["ref_hi"])
                    | (agg["fam_lo"] != agg["fam_hi"]))
        cents, rounded = units_to_cents(agg["value"].to_numpy(dtype=np.int64), lines.places)
        first = agg["first"].to_numpy()
        fam = agg["fam_lo"].to_numpy()
        kind = np.where(fam == SALES, np.where(cents >= 0, K_INVOICE, K_CREDIT), fam)
        amount = np.where(fam == K_ADJUST, cents, np.abs(cents))
        out = pd.DataFrame({
            "positions": pd.Series([positions[d] for d in agg.index], dtype=object),
            # object columns stay object: None must not become NaN
            "txn": pd.Series(lines.txn[first], dtype=object),
            "customer": pd.Series(lines.customer[first], dtype=object),
            "date": lines.date[first], "due": lines.due[first],
            "reference": pd.Series(lines.reference[first], dtype=object), "kind": kind, "amount": amount,
            "exact": agg["value"].to_numpy(dtype=np.int64), "rounded": rounded, "lines": agg["lines"].to_numpy(),
            "bad": agg["bad"].to_numpy(dtype=bool), "disagree": disagree.to_numpy(dtype=bool),
        })
        if self.group and (out["lines"] > 1).any():
            many = out["lines"] > 1
            self.report.add(issue("IMP_LINES_GROUPED", msg("{lines} lines grouped into {grouped} documents by Txn "
                                                           "ID ({documents} documents in all)",
                                                           lines=f"{int(out.loc[many, 'lines'].sum()):,}",
                                                           grouped=f"{int(many.sum()):,}",
                                                           documents=f"{len(out):,}"), []))
        return out

    def _reject(self, code: str, message: Msg, rows: np.ndarray, key: str | None,
                suggestion: str | Msg = "") -> None:
        self.report.add(issue(code, message, rows, key=key, field="txn_id", suggestion=suggestion,
                              column=self.prep.letter("txn_id")))

    def _records(self, docs: pd.DataFrame, lines: Lines) -> tuple[NewRows, NewRows, NewRows]:
        existing = self.reg.transactions
        old_by_id = dict(zip(existing.index, zip(existing["row"], existing["customer"], existing["kind"],
                                                 existing["amount"], existing["date"], strict=True), strict=True))
        conflicts: set[str] = set()
        if not self.group:  # a Txn ID repeated in the file: identical → once; different → conflict
            ids = docs["txn"].dropna()
            repeated = ids[ids.duplicated(keep=False)]
            for txn, group in docs.loc[repeated.index].groupby("txn"):
                content = group[["customer", "date", "due", "reference", "kind", "amount"]]
                if len({tuple(map(str, r)) for r in content.itertuples(index=False, name=None)}) > 1:
                    conflicts.add(txn)
        accepted: list[int] = []
        seen: dict[str, int] = {}
        columns = {c: docs[c].tolist() for c in ("positions", "txn", "customer", "date", "due", "kind", "amount",
                                                  "exact", "rounded", "lines", "bad", "disagree")}
        for i in range(len(docs)):
            pos, key = columns["positions"][i], columns["txn"][i]
            rows = lines.rows[pos]
            label: str | Msg = f"{key}" if key is not None else msg("row {row}", row=rows[0])
            n_lines, amount, date, due = (columns[c][i] for c in ("lines", "amount", "date", "due"))
            if columns["bad"][i]:
                self._reject_lines(label, key, rows, lines.reason[pos], n_lines)
                continue
            if columns["disagree"][i]:
                self._reject("IMP_LINES_DISAGREE", msg("{label}: its {n} lines disagree on customer, date, due date, "
                                                       "reference or kind; not imported", label=label, n=n_lines),
                             rows, key, msg("Give each document's lines the same customer, dates and reference"))
                continue
            if key in conflicts:
                self._reject("IMP_TXN_CONFLICT", msg("Txn ID {key} is on several rows with different content; none "
                                                     "imported", key=key), rows, key,
                             msg("Give each transaction its own Txn ID"))
                continue
            if key in seen:
                self.report.add(issue("IMP_DUPLICATE_IN_FILE", msg("{key} repeats row {first}; imported once", key=key,
                                                                   first=seen[key]), rows,
                                      key=key, field="txn_id", column=self.prep.letter("txn_id")))
                continue
            seen[key] = int(rows[0])
            if columns["rounded"][i]:
                exact = abs(Decimal(int(columns["exact"][i])).scaleb(-lines.places))
                self.report.add(issue("IMP_ROUNDED", msg("{key}: amount {exact} rounded to {rounded}", key=key,
                                                         exact=str(exact),
                                                         rounded=format_money(amount, thousands=False)), rows,
                                      key=key, field="amount",
                                      value=str(exact), new_value=str(cents_to_decimal(amount))))
            if amount == 0:
                zero = (msg("{key}: amount is zero ({n} lines net to nothing); not imported", key=key, n=n_lines)
                        if n_lines > 1 else msg("{key}: amount is zero; not imported", key=key))
                self.report.add(issue("IMP_ZERO_AMOUNT", zero, rows, key=key, field="amount",
                                      suggestion=msg("Nothing to record; delete the lines if they are mistakes")))
                continue
            old = old_by_id.get(key)
            if old is not None:
                old_row, old_customer, old_kind, old_amount, old_date = old
                same = (old_customer == columns["customer"][i] and old_kind == KINDS[columns["kind"][i]]
                        and old_amount is not None and int(old_amount) == int(amount) and not pd.isna(old_date)
                        and pd.Timestamp(old_date).date() == _day(date))
                if same:
                    self.report.add(issue("IMP_ALREADY_IMPORTED", msg("{key} is already in the registry ({sheet} "
                                                                      "row {row})", key=key, sheet=self._txn_sheet,
                                                                      row=old_row), rows, key=key, field="txn_id"))
                else:
                    self._reject("IMP_TXN_CONFLICT", msg("Txn ID {key} is already in the registry ({sheet} row {row}) "
                                                         "with other content; not imported", key=key,
                                                         sheet=self._txn_sheet, row=old_row), rows, key,
                                 msg("Check which is right; give a different transaction its own Txn ID"))
                continue
            if due != _NAT and due < date:
                self._reject("IMP_DUE_BEFORE_DATE", msg("{key}: due date {due} is before the date {date}; not "
                                                        "imported", key=key, due=str(_day(due)), date=str(_day(date))),
                             rows, key, msg("Correct the due date or leave it blank"))
                continue
            accepted.append(i)
        return self._rows(docs, lines, accepted)

    def _reject_lines(self, label: str | Msg, key: str | None, rows: np.ndarray, reasons: np.ndarray,
                      n_lines: int) -> None:
        """A document with lines that cannot be imported: one issue saying why (cells report themselves)."""
        codes = list(dict.fromkeys(r for r in reasons if r is not None))
        main = next((r for r in codes if r != "cell"), "cell")
        text = Joined(tuple(msg(_REASONS[r][0]) for r in codes))
        bad_rows = rows[np.fromiter((r is not None for r in reasons), dtype=bool, count=len(reasons))]
        if main == "cell":
            if n_lines > 1:
                self._reject("IMP_LINE_REJECTED", msg("{label}: not imported, line(s) {rows} have {reasons}",
                                                      label=label, rows=row_ranges(bad_rows), reasons=text), rows,
                             key)
            return
        self._reject(main, msg("{label}: not imported — {reasons} (row(s) {rows})", label=label, reasons=text,
                               rows=row_ranges(bad_rows)), rows, key, msg(_REASONS[main][1]))

    def _rows(self, docs: pd.DataFrame, lines: Lines, accepted: list[int]) -> tuple[NewRows, NewRows, NewRows]:
        reg = self.reg
        chosen = docs.iloc[accepted]
        cols = {c: chosen[c].tolist() for c in ("positions", "txn", "customer", "date", "due", "reference", "kind",
                                                 "amount")}
        invoices = {t: c for t, c, k in zip(cols["txn"], cols["customer"], cols["kind"], strict=True)
                    if k in (K_INVOICE, K_OPENING)}
        ex = reg.transactions
        ex_invoices = {t: c for t, c, k in zip(ex.index, ex["customer"], ex["kind"], strict=True)
                       if k in ("invoice", "opening")}
        days: dict[int, dt.date | None] = {}

        def day(n: int) -> dt.date | None:
            if n not in days:
                days[n] = _day(n)
            return days[n]

        txns = NewRows("Transactions")
        first_date: dict[str, int] = {}
        for pos, txn, customer, date, due, reference, kind, amount in zip(*cols.values(), strict=True):
            rows = lines.rows[pos]
            if reference is not None and kind in (K_CREDIT, K_RECEIPT):
                target = invoices.get(reference, ex_invoices.get(reference))
                if target != customer:
                    why = (msg("{txn}: reference '{reference}' is not an invoice; not imported", txn=txn,
                               reference=reference) if target is None else
                           msg("{txn}: reference '{reference}' is an invoice of customer '{customer}'; not imported",
                               txn=txn, reference=reference, customer=target))
                    self._reject("IMP_REFERENCE_UNKNOWN", why, rows, txn,
                                 msg("Correct the reference, or leave it blank to settle the oldest invoices"))
                    continue
            # the kind is a Term: the host writes it in the workbook's language (发票 in a Chinese book)
            txns.add({"txn_id": txn, "date": day(date), "customer_code": customer,
                      "kind": term("transaction kind", KINDS[kind]), "amount": cents_to_decimal(amount),
                      "due_date": day(due), "reference": reference, "memo": self._memo(lines, pos)}, rows)
            if customer in self.created:
                first_date[customer] = min(first_date.get(customer, date), date)
        customers, history = self._new_customers(first_date)
        return txns, customers, history

    @staticmethod
    def _memo(lines: Lines, positions: np.ndarray) -> str | None:
        memos = [m for m in lines.memo[positions] if m is not None]
        if len(positions) == 1 or not memos:
            return memos[0] if memos else (f"{len(positions)} lines" if len(positions) > 1 else None)
        return f"{memos[0]} (+{len(positions) - 1} more lines)"

    def _new_customers(self, first_date: dict[str, int]) -> tuple[NewRows, NewRows]:
        customers, history = NewRows("Customers"), NewRows("CategoryHistory")
        if not first_date:
            return customers, history
        has = self.reg.book.customers.columns
        now = dt.datetime.now().replace(microsecond=0)
        made = []
        for code, record in self.created.items():
            if code not in first_date:
                continue  # none of its transactions could be imported: not created
            opened = _day(first_date[code])
            customers.add({**record, "category_code": self.category, "opened_on": opened,
                           "mnemonic": mnemonic(record["name"]) if "mnemonic" in has else None}, [])
            history.add({"customer_code": code, "category_code": self.category, "valid_from": opened,
                         "source": term("history source", "import"), "changed_at": now, "changed_by": self.user,
                         "note": msg("xlcust import transactions {file}", file=self.source_name)}, [])
            made.append(code)
        self.report.add(issue("IMP_CUSTOMER_CREATED", msg("{n} customer(s) created in category '{category}', opened "
                                                          "on their first transaction date: {codes}",
                                                          n=f"{len(made):,}", category=self.category,
                                                          codes=", ".join(made[:10]) + (" …" if len(made) > 10
                                                                                         else "")), [],
                              new_value=self.category))
        if not self.reg.book.history.present:
            history = NewRows("CategoryHistory")
        return customers, history


def net_sales(txns: NewRows) -> int:
    """Invoices − credit notes of the new rows, in cents."""
    total = 0
    for r in txns.records:
        kind = str(r["kind"])  # a Term: its code
        cents = int(r["amount"] * 100)
        if kind == "invoice":
            total += cents
        elif kind == "credit_note":
            total -= cents
    return total


def issues_of(report: ImportReport, code: str) -> list[Issue]:
    return [i for i in report.issues if i.code == code]
