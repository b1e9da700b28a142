"""Which source column holds which field: recognised by header, overridable with `--map SRC=FIELD`.

Headers are recognised in English and Chinese with the variants found in exports from
accounting packages, web shops and hand-made lists (客户名称 / 单位名称 / 公司名称,
金额 / 发生额 / 价税合计, 日期 / 单据日期 / 开票日期, InvoiceNo, CustomerID …),
compared as `schema.normalize_header` compares them (case, spaces, full-width forms
and brackets ignored). The header row is the one within the first rows that names the
most fields (`headers.match_header`), so title rows above it — merged or not — are
skipped.

`--map` takes `SRC=FIELD` pairs: SRC is a header as typed in the file or a column
letter (`C`), FIELD a field name (`name`, `tax_id`), its English or Chinese header, or
`-` to ignore the column. A mapped column replaces whatever column the headers gave
that field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import UsageError
from ..headers import HEADER_SCAN_ROWS, match_header
from ..i18n import msg
from ..schema import CUSTOMERS, TRANSACTIONS, Column, ColumnType, Sheet, column_index, column_letter, normalize_header
from .report import MappedColumn
from .source import Grid

C = ColumnType

# Extra header words per field, on top of the registry's own headers and aliases.
_CUSTOMER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("客户代码", "客户号", "客户编号", "编号", "customer id", "customerid", "客户id", "account no", "cust no"),
    "name": ("客户", "客户全称", "单位全称", "企业名称", "公司名", "客户名", "单位", "往来单位", "往来单位名称",
             "company", "company name", "customer name", "account name"),
    "short_name": ("short", "abbreviation"),
    "category_code": ("客户分类", "客户类别", "类别", "分类代码", "category", "category code", "class"),
    "industry": ("行业类别", "industry"),
    "region": ("省份", "城市", "所在地区", "area", "province", "city"),
    "tax_id": ("纳税人识别号", "税务登记号", "信用代码", "社会信用代码", "统一信用代码", "tax no", "tax number",
               "vat no", "credit code"),
    "contact": ("联系人姓名", "contact person"),
    "phone": ("联系电话", "手机号", "手机号码", "电话号码", "tel", "telephone", "mobile"),
    "address": ("通讯地址", "注册地址", "联系地址", "详细地址"),
    "credit_limit": ("授信额度", "信用额度元", "credit line"),
    "payment_terms_days": ("信用期", "付款期限", "账期天", "信用天数", "payment terms"),
    "tags": ("tag",),
    "status": ("客户状态",),
    "opened_on": ("建档时间", "创建日期", "创建时间", "created", "created on", "opened"),
    "shipping_address": ("发货地", "收货地址", "送货地址", "ship to", "delivery address"),
    "settlement_method": ("结算方式名称", "付款条件", "payment method"),
    "customer_type": ("客户类别名称", "type of customer"),
    "ownership": ("企业类型", "单位性质", "ownership type"),
    "bank": ("开户银行名称", "银行"),
    "bank_account": ("银行账户", "开户账户", "account number", "bank account no"),
    "salesperson": ("专营业务员", "业务员名称", "sales rep", "salesman"),
    "department": ("分管部门名称", "部门名称", "dept"),
}

_TRANSACTION_EXTRA = (
    Column("customer_name", "Customer name", "客户名称", C.TEXT, False,
           ("客户", "单位名称", "公司名称", "客户全称", "往来单位", "往来单位名称", "购货单位", "购买方名称",
            "customer name", "account name")),
    Column("debit", "Debit", "借方", C.MONEY, False, ("借方金额", "借方发生额", "借方本币", "debit amount", "dr")),
    Column("credit", "Credit", "贷方", C.MONEY, False, ("贷方金额", "贷方发生额", "贷方本币", "credit amount", "cr")),
    Column("direction", "Direction", "方向", C.TEXT, False, ("借贷", "借/贷", "借贷方向", "余额方向", "d/c", "dc",
                                                             "dr/cr", "debit/credit")),
    Column("quantity", "Quantity", "数量", C.NUMBER, False, ("qty", "quantity")),
    Column("unit_price", "Unit price", "单价", C.NUMBER, False, ("unitprice", "price", "含税单价", "单价元")),
)
_TRANSACTION_ALIASES: dict[str, tuple[str, ...]] = {
    "txn_id": ("单号", "单据编码", "发票号", "发票号码", "发票编号", "凭证字号", "凭证编号", "invoiceno", "invoice no",
               "invoice number", "invoice id", "document no", "doc no", "document number", "voucher no"),
    "date": ("开票日期", "交易日期", "记账日期", "凭证日期", "发生日期", "invoicedate", "invoice date", "posting date",
             "document date"),
    "customer_code": ("客户代码", "客户号", "客户编号", "customer id", "customerid", "客户id", "customer code",
                      "account no"),
    "kind": ("业务类型", "单据类别", "transaction type"),
    "amount": ("金额元", "价税合计", "含税金额", "发生金额", "本币金额", "total", "amount rmb", "line total"),
    "due_date": ("到期日", "应收日期", "收款期限", "due"),
    "reference": ("原单据号", "原发票号", "对应发票", "对应单据", "源单号", "reference no"),
    "memo": ("说明", "description", "商品名称", "notes"),
}


def _with_aliases(sheet: Sheet, extra: dict[str, tuple[str, ...]], required: Sequence[str],
                  more: Sequence[Column] = ()) -> Sheet:
    """The registry sheet's columns, with import aliases and `required` marking the header-row score."""
    columns = []
    for c in (*sheet.columns, *more):
        columns.append(Column(c.name, c.en, c.zh, c.type, c.name in required, (*c.aliases, *extra.get(c.name, ())),
                              c.width))
    return Sheet(sheet.key, sheet.zh, sheet.table, tuple(columns), aliases=sheet.aliases)


# The customer_code alias "customer" of the registry means a code there; in a ledger export a
# bare "客户" column holds names, so it belongs to customer_name (above).
IMPORT_SPECS: dict[str, Sheet] = {
    "customers": _with_aliases(CUSTOMERS, _CUSTOMER_ALIASES, required=("name",)),
    "transactions": _with_aliases(TRANSACTIONS, _TRANSACTION_ALIASES, required=("txn_id", "date"),
                                  more=_TRANSACTION_EXTRA),
}


@dataclass
class Mapping:
    header_row: int  # the row number Excel shows
    columns: dict[str, int]  # field → 0-based source column
    mapped: list[MappedColumn]
    ignored: list[tuple[str, str]]  # (letter, header) of columns no field takes
    headers: dict[int, str]  # 0-based column → header text


def header_score(spec: Sheet, grid: Grid) -> int:
    m = match_header(spec, grid.head(HEADER_SCAN_ROWS))
    if m is None:
        return 0
    return 100 * sum(1 for c in spec.required_columns if c.name in m.columns) + len(m.columns)


def parse_map_options(pairs: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        src, sep, target = pair.partition("=")
        if not sep or not src.strip():
            raise UsageError(msg("--map takes SRC=FIELD (a header or column letter, then a field), not '{pair}'",
                                 pair=pair))
        out.append((src.strip(), target.strip()))
    return out


def _field_for(spec: Sheet, text: str) -> str | None:
    """The field a --map target names ('-' or '' → None, meaning: ignore the column)."""
    if text in ("", "-"):
        return None
    key = normalize_header(text)
    for c in spec.columns:
        if key in {normalize_header(n) for n in c.all_names}:
            return c.name
    names = ", ".join(c.name for c in spec.columns)
    raise UsageError(msg("--map: '{text}' is not a field to import into; use one of {names}, or - to ignore a column",
                         text=text, names=names))


_LETTERS = re.compile(r"[A-Za-z]{1,3}")


def map_columns(spec: Sheet, grid: Grid, overrides: Sequence[tuple[str, str]]) -> Mapping:
    """Find the header row and decide each column's field (`--map` pairs win)."""
    head = grid.head(HEADER_SCAN_ROWS)
    found = match_header(spec, head)
    if found is None:
        words = ", ".join(f"{c.en} / {c.zh}" for c in spec.required_columns)
        raise UsageError(msg("{name}: no header row in the first {rows} rows names the columns to "
                             "import (such as {words}); add a header row, or name columns with --map",
                             name=grid.name, rows=HEADER_SCAN_ROWS, words=words))
    header = head[found.row]
    headers = {c: str(v).strip() for c, v in enumerate(header) if v is not None and str(v).strip()}
    columns = dict(found.columns)
    how = dict.fromkeys(columns, "header")
    for src, target in overrides:
        col = _source_column(src, headers, grid)
        field = _field_for(spec, target)
        for f, c in list(columns.items()):
            if c == col or (field is not None and f == field):
                del columns[f]
        if field is not None:
            columns[field] = col
            how[field] = "map"
    mapped = [MappedColumn(column_letter(c), headers.get(c, ""), f, how[f])
              for f, c in sorted(columns.items(), key=lambda kv: kv[1])]
    taken = set(columns.values())
    ignored = [(column_letter(c), h) for c, h in headers.items() if c not in taken]
    return Mapping(found.row + int(grid.cells.index[0]), columns, mapped, ignored, headers)


def _source_column(src: str, headers: dict[int, str], grid: Grid) -> int:
    key = normalize_header(src)
    matches = [c for c, h in headers.items() if normalize_header(h) == key]
    if len(matches) > 1:
        raise UsageError(msg("--map: the header '{src}' names {count} columns ({letters}); use the column letter "
                             "instead",
                             src=src, count=len(matches), letters=', '.join(column_letter(c) for c in matches)))
    if matches:
        return matches[0]
    if _LETTERS.fullmatch(src):
        col = column_index(src.upper())
        if col < grid.cells.shape[1]:
            return col
    known = ", ".join(f"'{h}'" for h in headers.values())
    raise UsageError(msg("--map: no column headed '{src}' in {name} (headers: {known}); or give a column letter",
                         src=src, name=grid.name, known=known))


def choose_grid(spec: Sheet, grids: Sequence[Grid], sheet: str | None) -> Grid:
    """The sheet asked for, else the one whose header names the most fields (the first on a tie)."""
    if sheet is not None:
        for g in grids:
            if g.sheet is not None and g.sheet.casefold() == sheet.casefold():
                return g
        names = ", ".join(g.sheet or "" for g in grids)
        raise UsageError(msg("--sheet: no sheet '{sheet}' (sheets: {names})", sheet=sheet, names=names))
    scored = [(header_score(spec, g), -i, g) for i, g in enumerate(grids)]
    best = max(scored, key=lambda t: (t[0], t[1]))
    return best[2]
