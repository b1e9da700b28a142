"""The public shape of the registry workbook: sheets, columns, aliases, types.

These names are a contract (DESIGN §5). Users may type headers in English or
Chinese, in any case, with stray or full-width spaces; `normalize_header` makes
those compare equal. Output sheets are listed here too so every writer agrees on
their names.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from .i18n import N_


class ColumnType(StrEnum):
    TEXT = "text"
    CODE = "code"  # identifier typed as text: category / customer codes, txn ids
    DATE = "date"
    MONEY = "money"  # amounts; integer cents in the core
    NUMBER = "number"
    INT = "int"
    RATE = "rate"  # 0.13 or 13% (a cell formatted as percent holds 0.13)
    BOOL = "bool"
    KIND = "kind"  # transaction kind, English or Chinese word


@dataclass(frozen=True)
class Column:
    name: str  # canonical snake_case name
    en: str  # English header written by `xlcust new --lang en`
    zh: str  # Chinese header written by `xlcust new --lang zh`
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: float = 14

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def render(self, lang: str) -> str:
        """As a message parameter: the header the reader's sheet shows."""
        return self.header(lang)

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.en, self.zh, *self.aliases)


@dataclass(frozen=True)
class Sheet:
    key: str  # canonical key, also the English sheet name
    zh: str
    table: str  # Excel Table (ListObject) name
    columns: tuple[Column, ...]
    required: bool = True
    aliases: tuple[str, ...] = ()
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.key

    def render(self, lang: str) -> str:
        """As a message parameter: the sheet's name in the reader's language."""
        return self.title(lang)

    def required_headers(self, lang: str) -> str:
        """The required columns' headers, for a message: both languages' for an English reader."""
        if lang == "zh":
            return "、".join(c.zh for c in self.required_columns)
        return ", ".join(f"{c.en} ({c.zh})" for c in self.required_columns)

    @property
    def required_header_list(self) -> RequiredHeaders:
        """`required_headers` as a message parameter (rendered in the reader's language)."""
        return RequiredHeaders(self)

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.key, self.zh, *self.aliases)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


class RequiredHeaders:
    """A sheet's required headers as a message parameter."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet

    def render(self, lang: str) -> str:
        return self.sheet.required_headers(lang)


C = ColumnType

SETTINGS = Sheet(
    "Settings",
    "设置",
    "tblSettings",
    (
        Column("key", "Key", "键", C.CODE, True, ("setting", "参数"), 26),
        Column("value", "Value", "值", C.TEXT, True, ("参数值",), 22),
        Column("note", "Note", "说明", C.TEXT, False, ("备注",), 60),
    ),
    aliases=("参数设置",),
)

CATEGORIES = Sheet(
    "Categories",
    "客户分类",
    "tblCategories",
    (
        Column("code", "Code", "分类编码", C.CODE, True, ("category_code", "编码"), 12),
        Column("name", "Name", "分类名称", C.TEXT, True, ("category", "名称"), 24),
        Column("tax_rate", "Tax rate", "税率", C.RATE, False, (), 10),
        Column("payment_terms_days", "Payment terms (days)", "账期天数", C.INT, False,
               ("terms", "账期"), 12),
        Column("credit_limit", "Credit limit", "信用额度", C.MONEY, False, (), 14),
        Column("invoice_type", "Invoice type", "发票类型", C.TEXT, False, (), 14),
        Column("reminder_days", "Reminder days", "催款天数", C.INT, False, (), 12),
        Column("active", "Active", "启用", C.BOOL, False, ("是否启用",), 8),
        Column("provision_rates", "Provision rates", "坏账计提比例", C.TEXT, False, ("计提比例",), 24),
        # A default for its customers, inherited down the tree like payment terms (ledger.terms).
        Column("settlement_method", "Settlement method", "结算方式", C.TEXT, False, ("付款方式", "收款方式"), 14),
    ),
    aliases=("Category", "分类", "客户分类档案"),
)

CUSTOMERS = Sheet(
    "Customers",
    "客户档案",
    "tblCustomers",
    (
        Column("code", "Code", "客户编码", C.CODE, True, ("customer_code", "编码"), 12),
        Column("name", "Name", "客户名称", C.TEXT, True,
               ("customer", "customer_name", "单位名称", "公司名称", "名称"), 30),
        Column("short_name", "Short name", "客户简称", C.TEXT, False, ("简称",), 14),
        Column("mnemonic", "Mnemonic", "助记码", C.TEXT, False, (), 12),
        Column("category_code", "Category code", "分类编码", C.CODE, True,
               ("category", "所属分类", "分类"), 12),
        Column("industry", "Industry", "行业", C.TEXT, False, ("所属行业",), 12),
        Column("region", "Region", "地区", C.TEXT, False, ("所属地区", "区域"), 10),
        Column("tax_id", "Tax ID", "税号", C.CODE, False,
               ("uscc", "统一社会信用代码", "纳税人识别号"), 22),
        Column("contact", "Contact", "联系人", C.TEXT, False, (), 10),
        Column("phone", "Phone", "电话", C.CODE, False, ("联系电话", "手机"), 14),
        Column("address", "Address", "地址", C.TEXT, False, (), 30),
        Column("credit_limit", "Credit limit", "信用额度", C.MONEY, False, (), 14),
        Column("payment_terms_days", "Payment terms (days)", "账期天数", C.INT, False,
               ("terms", "账期"), 12),
        Column("tags", "Tags", "标签", C.TEXT, False, (), 16),
        Column("status", "Status", "状态", C.TEXT, False, (), 10),
        Column("opened_on", "Opened on", "建档日期", C.DATE, False, ("开户日期",), 12),
        # The rest of the T3 客户档案 a user carries over; all optional, read and shown, never required.
        Column("shipping_address", "Shipping address", "发货地址", C.TEXT, False, ("收货地址", "送货地址"), 30),
        Column("settlement_method", "Settlement method", "结算方式", C.TEXT, False, ("付款方式", "收款方式"), 14),
        Column("customer_type", "Customer type", "客户类型", C.TEXT, False, ("客户性质",), 10),
        Column("ownership", "Ownership", "企业性质", C.TEXT, False, ("经济类型", "所有制"), 12),
        Column("bank", "Bank", "开户银行", C.TEXT, False, ("开户行", "bank name"), 22),
        Column("bank_account", "Bank account", "银行账号", C.CODE, False, ("银行帐号", "开户账号", "账号"), 24),
        Column("salesperson", "Salesperson", "专管业务员", C.TEXT, False, ("业务员", "专管员", "销售员"), 10),
        Column("department", "Department", "分管部门", C.TEXT, False, ("部门", "所属部门"), 12),
    ),
    aliases=("Customer", "客户", "客户信息"),
)

TRANSACTIONS = Sheet(
    "Transactions",
    "往来明细",
    "tblTransactions",
    (
        Column("txn_id", "Txn ID", "单据号", C.CODE, True, ("id", "单据编号", "凭证号"), 14),
        Column("date", "Date", "日期", C.DATE, True, ("单据日期", "业务日期"), 12),
        Column("customer_code", "Customer code", "客户编码", C.CODE, True,
               ("customer",), 12),
        Column("kind", "Kind", "类型", C.KIND, True, ("type", "单据类型"), 12),
        Column("amount", "Amount", "金额", C.MONEY, True, ("发生额",), 14),
        Column("due_date", "Due date", "到期日", C.DATE, False, ("到期日期",), 12),
        Column("reference", "Reference", "关联单据", C.CODE, False, ("ref", "核销单据"), 14),
        Column("memo", "Memo", "摘要", C.TEXT, False, ("备注", "note"), 30),
    ),
    aliases=("Transaction", "往来", "应收明细"),
)

RULES = Sheet(
    "Rules",
    "规则",
    "tblRules",
    (
        Column("rule_id", "Rule ID", "规则编号", C.CODE, True, ("id",), 10),
        Column("priority", "Priority", "优先级", C.INT, False, (), 9),
        Column("when", "When", "条件", C.TEXT, True, ("condition",), 50),
        Column("then", "Then", "动作", C.TEXT, True, ("action",), 28),
        Column("active", "Active", "启用", C.BOOL, False, (), 8),
        Column("note", "Note", "备注", C.TEXT, False, ("说明",), 30),
    ),
    required=False,
    aliases=("分类规则",),
)

HISTORY = Sheet(
    "CategoryHistory",
    "分类历史",
    "tblCategoryHistory",
    (
        Column("customer_code", "Customer code", "客户编码", C.CODE, True, (), 12),
        Column("category_code", "Category code", "分类编码", C.CODE, True, (), 12),
        Column("valid_from", "Valid from", "生效日期", C.DATE, True, (), 12),
        Column("valid_to", "Valid to", "失效日期", C.DATE, False, (), 12),
        Column("source", "Source", "来源", C.TEXT, False, (), 12),
        Column("changed_at", "Changed at", "变更时间", C.DATE, False, (), 18),
        Column("changed_by", "Changed by", "变更人", C.TEXT, False, (), 12),
        Column("note", "Note", "备注", C.TEXT, False, (), 30),
    ),
    required=False,
    aliases=("Category history", "History", "分类变更历史"),
)

# The industry / region risk table of the credit score (DESIGN §3): one row per industry or
# region name, score 0–100 (higher is safer). Without it every customer's risk is neutral.
RISK = Sheet(
    "Risk",
    "风险表",
    "tblRisk",
    (
        Column("kind", "Kind", "类型", C.TEXT, True, ("type", "维度"), 12),
        Column("name", "Name", "名称", C.TEXT, True, ("industry_or_region", "行业或地区"), 24),
        Column("score", "Score", "风险分", C.INT, True, ("risk_score", "分数", "评分"), 10),
        Column("note", "Note", "备注", C.TEXT, False, ("说明",), 40),
    ),
    required=False,
    aliases=("Risk table", "Risk scores", "风险", "风险评分", "行业地区风险"),
)

INPUT_SHEETS: tuple[Sheet, ...] = (SETTINGS, CATEGORIES, CUSTOMERS, TRANSACTIONS, RULES, HISTORY, RISK)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in INPUT_SHEETS}

# Output sheets: written by xlcust only, replaced on every run.
OUTPUT_SHEETS: dict[str, str] = {
    "Checks": "检查结果",
    "Metrics": "客户指标",
    "Reclass": "分类调整",
    "Allocation": "核销明细",
    "Settlement": "结算明细",
    "Aging": "账龄分析",
    "AgingByCustomer": "客户账龄",
    "OpenItems": "未清明细",
    "Revenue": "分类收入",
    "Statements": "对账单",
    "Collections": "催款清单",
    "Provision": "坏账准备",
    "Dashboard": "仪表板",
    "AuditLog": "审计日志",
}

# Transaction kinds: canonical English word → the words users type for it.
KINDS: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice", "inv", "发票", "销售发票", "蓝字发票", "开票"),
    "credit_note": ("credit_note", "credit note", "credit", "cn", "红字发票", "红票", "退货"),
    "receipt": ("receipt", "payment", "收款", "回款", "收款单"),
    "opening": ("opening", "opening balance", "期初", "期初余额"),
    "adjustment": ("adjustment", "adj", "调整", "调账"),
}
# A kind named in a message (a catalog text, so the Chinese reader sees 红字发票).
KIND_TEXT: dict[str, str] = {
    "invoice": N_("invoice"),
    "credit_note": N_("credit note"),
    "receipt": N_("receipt"),
    "opening": N_("opening balance"),
    "adjustment": N_("adjustment"),
}
KIND_ZH: dict[str, str] = {
    "invoice": "发票",
    "credit_note": "红字发票",
    "receipt": "收款",
    "opening": "期初",
    "adjustment": "调整",
}

TRUE_WORDS = {"1", "true", "yes", "y", "t", "是", "启用", "有效", "√", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "否", "停用", "禁用", "无效"}


def normalize_header(text: object) -> str:
    """Compare headers ignoring case, spaces, underscores and full-/half-width forms."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return "".join(ch for ch in s if not ch.isspace() and ch not in "_-()（）")


def _kind_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for kind, words in KINDS.items():
        for w in words:
            table[normalize_header(w)] = kind
    return table


KIND_LOOKUP = _kind_lookup()


def parse_kind(value: object) -> str | None:
    """Canonical kind for what a user typed, or None when unknown."""
    if value is None:
        return None
    return KIND_LOOKUP.get(normalize_header(value))


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel letters → 0-based column index."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1
