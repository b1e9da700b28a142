"""A deterministic demo registry: categories, customers, three years of ledger, rules.

`demo_data(seed, lang)` returns the rows of every input sheet as lists of dicts keyed
by the canonical field names of `xlcust.schema`, holding cell values as a user would
have them in a workbook of that language: text, floats for money (always whole
cents), `datetime.date` for dates, `bool` for yes/no columns. Nothing depends on the
clock: the ledger runs from 2023-10-01 to the as-of date 2026-09-30.

The same seed gives the same numbers in both languages; only words differ (kinds,
statuses, category and industry names, memos). Customer names, regions, tags and
rules are Chinese in both, as the registry of a Chinese firm would be.

The data is consistent by DESIGN §3 (codes, leaf categories, valid credit codes,
history, references), and it has stories for the reports to find, at fixed customer
codes whatever the seed (see `DemoData.profiles` and `SPECIAL_CUSTOMERS`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from .mnemonic import mnemonic
from .schema import CATEGORIES, CUSTOMERS, HISTORY, KIND_ZH, RISK, RULES, SETTINGS, TRANSACTIONS
from .settings import Settings, setting_rows
from .uscc import CHARSET, make_uscc

DEMO_SEED = 20260930
AS_OF = dt.date(2026, 9, 30)
LEDGER_START = dt.date(2023, 10, 1)
N_CUSTOMERS = 200
COMPANY = {"en": "Example Supply Chain Co., Ltd.", "zh": "示例供应链管理有限公司"}

# Customers with a story, by code, the same for every seed.
SPECIAL_CUSTOMERS: dict[str, tuple[str, ...]] = {
    "dormant": ("C0007",),  # status still active, nothing for the last 12 months
    "over_limit": ("C0013",),  # open balance above its credit limit at the as-of date
    "worsening": ("C0021",),  # prompt until 2025, 45-110 days late in 2026
    "closed": ("C0050", "C0120", "C0180"),  # status dormant, stopped trading in 2024
    "potential": ("P0001",),  # a prospect registered in September 2026, no transaction yet (潜在客户)
}
SWITCHED = {  # customer → date its category changed (CategoryHistory has two rows)
    "C0005": dt.date(2025, 1, 1),
    "C0030": dt.date(2024, 7, 1),
    "C0044": dt.date(2025, 4, 1),
    "C0077": dt.date(2025, 7, 1),
    "C0101": dt.date(2024, 10, 1),
    "C0150": dt.date(2026, 1, 1),
}
# The data-quality sweep (xlcust.checks.quality) finds each of these, at fixed codes.
DATA_QUALITY: dict[str, tuple[str, ...]] = {
    "blank_contact": ("C0090",),  # Settings require tax_id, contact, phone: CUS_REQUIRED_BLANK
    "blank_phone": ("C0091",),
    "same_phone": ("C0092", "C0093"),  # a switchboard typed for a second firm: CUS_SAME_PHONE
    "same_address": ("C0094", "C0095"),  # CUS_SAME_ADDRESS
    "marked_dormant": ("C0060",),  # still trading and owing: CUS_INACTIVE_INVOICED / _BALANCE
}
RETIRED_CATEGORY = "050201"  # marked inactive with its one customer still in it: CUS_CATEGORY_INACTIVE
REQUIRED_CUSTOMER_FIELDS = ("tax_id", "contact", "phone")
OVERPAYERS = ("C0006", "C0039", "C0072", "C0105", "C0138", "C0171")


def _is_late_payer(index: int) -> bool:
    return index % 8 == 3  # C0003, C0011, C0019, …: habitually 30-120 days late


# ------------------------------------------------------------------ category tree


@dataclass(frozen=True)
class _Segment:
    code: str
    zh: str
    en: str
    words: tuple[tuple[str, str], ...]  # (short-name word, full-name word)


@dataclass(frozen=True)
class _Industry:
    code: str
    zh: str
    en: str
    tax_rate: float
    leaf_axis: str  # "size" or "region"
    segments: tuple[_Segment, ...]


_INDUSTRIES = (
    _Industry("01", "制造业", "Manufacturing", 0.13, "size", (
        _Segment("0101", "机械设备", "Machinery", (("机械", "机械设备"), ("装备", "智能装备"),
                                                 ("精机", "精密机械"))),
        _Segment("0102", "电子电器", "Electronics", (("电子", "电子科技"), ("电器", "电器"),
                                                   ("光电", "光电技术"))),
        _Segment("0103", "食品饮料", "Food & drink", (("食品", "食品"), ("饮品", "饮品"),
                                                    ("乳业", "乳业"))),
    )),
    _Industry("02", "批发零售", "Wholesale & retail", 0.13, "region", (
        _Segment("0201", "批发", "Wholesale", (("商贸", "商贸"), ("贸易", "国际贸易"),
                                              ("供应链", "供应链管理"))),
        _Segment("0202", "零售", "Retail", (("百货", "百货"), ("超市", "连锁超市"),
                                           ("商业", "商业管理"))),
    )),
    _Industry("03", "建筑业", "Construction", 0.09, "size", (
        _Segment("0301", "房屋建筑", "Building", (("建设", "建设工程"), ("建筑", "建筑工程"),
                                                ("建工", "建工"))),
        _Segment("0302", "土木工程", "Civil engineering", (("路桥", "路桥工程"),
                                                         ("市政", "市政工程"),
                                                         ("隧道", "隧道工程"))),
    )),
    _Industry("04", "信息技术", "Information technology", 0.06, "region", (
        _Segment("0401", "软件服务", "Software", (("软件", "软件"), ("信息", "信息技术"),
                                                ("数据", "数据科技"))),
        _Segment("0402", "系统集成", "Systems integration", (("科技", "智能科技"),
                                                           ("网络", "网络技术"),
                                                           ("系统", "系统集成"))),
    )),
    _Industry("05", "服务业", "Services", 0.06, "size", (
        _Segment("0501", "物流运输", "Logistics", (("物流", "物流"), ("运输", "运输"),
                                                 ("速运", "速运"))),
        _Segment("0502", "商务服务", "Business services", (("咨询", "企业管理咨询"),
                                                         ("会展", "会展服务"),
                                                         ("人力", "人力资源服务"))),
    )),
)

# Third level: (suffix, zh, en, terms, credit limit in yuan, reminder days, weight)
_SIZES = (
    ("01", "大型", "large", 90, 3_000_000, 30, 2),
    ("02", "中型", "medium", 60, 1_200_000, 15, 4),
    ("03", "小型", "small", 30, 500_000, 7, 6),
)
_REGIONS = (
    ("01", "华东", "East China", 45, 1_000_000, 15, 5),
    ("02", "华南", "South China", 45, 1_000_000, 15, 3),
    ("03", "华北", "North China", 45, 1_000_000, 15, 3),
)
_INACTIVE_LEAVES = ("050203",)  # a retired category nobody is in (shows the Active column)
DORMANT_CATEGORY = "990101"  # where rule R03 moves customers idle for a year

_INVOICE_TYPE = {"special": ("VAT special", "增值税专用发票"),
                 "general": ("VAT general", "普通发票")}


@dataclass(frozen=True)
class _Category:
    code: str
    zh: str
    en: str
    tax_rate: float
    terms: int
    credit_limit: int  # yuan
    invoice_type: str  # key of _INVOICE_TYPE
    reminder_days: int
    active: bool = True
    industry: _Industry | None = None
    segment: _Segment | None = None
    region: str | None = None  # 华东 / 华南 / 华北 for region leaves
    size: str | None = None  # 大型 / 中型 / 小型 for size leaves
    weight: int = 0  # how many customers it draws, relatively; 0 = none

    @property
    def is_leaf(self) -> bool:
        return len(self.code) == 6


def _category_tree() -> list[_Category]:
    nodes: list[_Category] = []
    for ind in _INDUSTRIES:
        nodes.append(_Category(ind.code, ind.zh, ind.en, ind.tax_rate, 60, 1_000_000, "special",
                               15, industry=ind))
        for seg in ind.segments:
            retail = seg.code == "0202"
            nodes.append(_Category(seg.code, seg.zh, seg.en, ind.tax_rate, 60, 1_000_000,
                                   "general" if retail else "special", 15, industry=ind,
                                   segment=seg))
            axis = _SIZES if ind.leaf_axis == "size" else _REGIONS
            for suffix, zh, en, terms, limit, reminder, weight in axis:
                code = seg.code + suffix
                small = zh == "小型"
                nodes.append(_Category(
                    code, f"{seg.zh}-{zh}", f"{seg.en}, {en}", ind.tax_rate, terms, limit,
                    "general" if retail or small else "special", reminder,
                    active=code not in _INACTIVE_LEAVES, industry=ind, segment=seg,
                    region=zh if ind.leaf_axis == "region" else None,
                    size=zh if ind.leaf_axis == "size" else None,
                    weight=0 if code in _INACTIVE_LEAVES else weight,
                ))
    nodes += [
        _Category("99", "其他", "Other", 0.13, 30, 100_000, "general", 7),
        _Category("9901", "休眠客户", "Dormant customers", 0.13, 30, 100_000, "general", 7),
        _Category(DORMANT_CATEGORY, "休眠客户-待清理", "Dormant customers, to review", 0.13, 30,
                  100_000, "general", 7),
    ]
    return nodes


# --------------------------------------------------------------------- word lists

# (province short, province full, city, division code for the credit code, districts,
#  economic region)
_CITIES = (
    ("上海", "上海市", "上海", "310115", ("浦东新区", "徐汇区", "闵行区"), "华东"),
    ("江苏", "江苏省", "南京", "320100", ("江宁区", "鼓楼区", "建邺区"), "华东"),
    ("江苏", "江苏省", "苏州", "320500", ("工业园区", "吴中区", "相城区"), "华东"),
    ("江苏", "江苏省", "无锡", "320200", ("新吴区", "滨湖区"), "华东"),
    ("浙江", "浙江省", "杭州", "330100", ("西湖区", "滨江区", "余杭区"), "华东"),
    ("浙江", "浙江省", "宁波", "330200", ("鄞州区", "北仑区"), "华东"),
    ("浙江", "浙江省", "温州", "330300", ("鹿城区", "瓯海区"), "华东"),
    ("山东", "山东省", "济南", "370100", ("历下区", "槐荫区"), "华东"),
    ("山东", "山东省", "青岛", "370200", ("黄岛区", "崂山区"), "华东"),
    ("安徽", "安徽省", "合肥", "340100", ("蜀山区", "包河区"), "华东"),
    ("福建", "福建省", "福州", "350100", ("鼓楼区", "仓山区"), "华东"),
    ("福建", "福建省", "厦门", "350200", ("思明区", "湖里区"), "华东"),
    ("广东", "广东省", "广州", "440100", ("天河区", "黄埔区", "番禺区"), "华南"),
    ("广东", "广东省", "深圳", "440300", ("南山区", "福田区", "宝安区"), "华南"),
    ("广东", "广东省", "东莞", "441900", ("松山湖", "虎门镇"), "华南"),
    ("广东", "广东省", "佛山", "440600", ("顺德区", "南海区"), "华南"),
    ("广西", "广西壮族自治区", "南宁", "450100", ("青秀区", "西乡塘区"), "华南"),
    ("海南", "海南省", "海口", "460100", ("龙华区", "美兰区"), "华南"),
    ("北京", "北京市", "北京", "110108", ("海淀区", "朝阳区", "丰台区"), "华北"),
    ("天津", "天津市", "天津", "120116", ("滨海新区", "河西区"), "华北"),
    ("河北", "河北省", "石家庄", "130100", ("长安区", "裕华区"), "华北"),
    ("山西", "山西省", "太原", "140100", ("小店区", "迎泽区"), "华北"),
    ("湖北", "湖北省", "武汉", "420100", ("洪山区", "江汉区"), "华中"),
    ("河南", "河南省", "郑州", "410100", ("金水区", "二七区"), "华中"),
    ("四川", "四川省", "成都", "510100", ("高新区", "武侯区", "锦江区"), "西南"),
)
# Trade-name characters: none changes its first pinyin letter with the reading.
_TRADE_CHARS = (
    "华信鑫泰瑞丰恒达盛宏兴金源德安康新天海正润博东方明远嘉同立春晨星永祥辉佳凯汇诚英鼎捷宇浩益"
    "光云峰豪联创威腾飞锦茂旭昌隆裕美伟宁福"
)
_STREETS = ("人民路", "建设路", "解放路", "中山路", "科技路", "工业大道", "滨江路", "文化路",
            "新华路", "环城北路", "创业大道", "学院路", "高新大道", "迎宾路")
_BUILDINGS = ("国际大厦", "科技园", "商务中心", "创业园", "金融中心")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
          "涛", "明", "超", "秀英", "华", "慧", "建国", "建华", "志强", "海燕", "晓东", "晓燕",
          "文", "斌", "宇", "鹏", "婷", "雪", "琳", "颖", "浩", "俊", "立新", "春梅")
_MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                    "186", "187", "188", "189", "177", "133", "153", "180")
_TAGS = ("VIP", "重点客户", "战略合作", "集团客户", "需预付", "新客户")

_TEXT = {
    "active": ("active", "正常"),
    "dormant": ("dormant", "休眠"),  # 停用 is inactive (xlcust.archive.STATUS_WORDS)
    "memo.opening": ("Opening balance", "期初余额"),
    "memo.invoice": ("Goods sold", "销售货款"),
    "memo.credit_note": ("Sales return / price adjustment", "销售退回"),
    "memo.receipt": ("Bank receipt", "银行收款"),
    "memo.partial": ("Partial payment", "部分回款"),
    "memo.overpaid": ("Payment, rounded up by customer", "客户多付"),
    "memo.unreferenced": ("Bank receipt, no invoice quoted", "银行收款（未注明发票）"),
    "source.import": ("import", "导入"),  # the catalog's labels of the history source codes
    "source.manual": ("manual", "手工"),
    "changed_by.import": ("demo import", "演示导入"),
    "changed_by.manual": ("Wang Fang", "王芳"),
    "history.switch": ("Business changed; see contract", "业务调整，见合同"),
}


# ------------------------------------------------------------------------ results


@dataclass(frozen=True)
class DemoData:
    """Rows per sheet (keyed by `Sheet.key`), the settings, and who is who."""

    settings: Settings
    rows: dict[str, list[dict[str, object]]]
    profiles: dict[str, str] = field(default_factory=dict)  # customer code → payment profile

    def customers_with(self, profile: str) -> list[str]:
        return sorted(code for code, p in self.profiles.items() if p == profile)


@dataclass
class _Customer:
    index: int
    code: str
    category: _Category
    city: tuple
    trade: str
    word: tuple[str, str]
    name: str
    opened_on: dt.date
    profile: str
    terms_override: int | None = None
    limit_override: int | None = None  # yuan
    status: str = "active"

    @property
    def terms(self) -> int:
        return self.terms_override or self.category.terms

    @property
    def limit(self) -> int:
        return self.limit_override or self.category.credit_limit


@dataclass
class _Txn:
    customer: str
    kind: str
    date: dt.date
    cents: int
    due: dt.date | None = None
    ref: _Txn | None = None
    memo: str = "memo.invoice"
    txn_id: str = ""


_KIND_ORDER = {"opening": 0, "invoice": 1, "credit_note": 2, "receipt": 3}
_PREFIX = {"opening": "OB", "invoice": "INV", "credit_note": "CN", "receipt": "RCT"}


# ---------------------------------------------------------------------- generator


def demo_data(seed: int = DEMO_SEED, lang: str = "en") -> DemoData:
    """The demo registry for `seed`, with words in `lang` ("en" or "zh")."""
    rng = random.Random(seed)
    tree = _category_tree()
    customers = _customers(rng, tree)
    txns = _ledger(rng, customers)
    _set_credit_limits(rng, customers, txns)
    _number(txns)
    settings = Settings(as_of=AS_OF, company_name=COMPANY[lang], coding_scheme=(2, 2, 2),
                        language=lang, required_customer_fields=REQUIRED_CUSTOMER_FIELDS)
    rows = {
        SETTINGS.key: [{"key": k, "value": v, "note": n} for k, v, n in setting_rows(settings, lang)],
        CATEGORIES.key: [_category_row(c, lang) for c in tree],
        CUSTOMERS.key: [{**_customer_row(rng, c, lang), **_archive_fields(c, lang)} for c in customers],
        TRANSACTIONS.key: [_txn_row(t, lang) for t in txns],
        RULES.key: _rule_rows(lang),
        HISTORY.key: [row for c in customers for row in _history_rows(c, tree, lang)],
        RISK.key: _risk_rows(lang),
    }
    _seed_data_quality(rows, lang)
    return DemoData(settings, rows, {c.code: c.profile for c in customers})


def _customers(rng: random.Random, tree: list[_Category]) -> list[_Customer]:
    leaves = [c for c in tree if c.is_leaf and c.weight]
    weights = [c.weight for c in leaves]
    special = {code: p for p, codes in SPECIAL_CUSTOMERS.items() for code in codes}
    used_trades: set[str] = set()
    used_mnemonics: set[str] = set()
    out: list[_Customer] = []
    for i in range(1, N_CUSTOMERS + 1):
        code = f"C{i:04d}"
        category = rng.choices(leaves, weights)[0]
        cities = [c for c in _CITIES if category.region in (None, c[5])]
        city = rng.choice(cities)
        suffix = "股份有限公司" if category.size == "大型" and i % 3 else "有限公司"
        while True:  # a trade name (字号) and a mnemonic nobody else has
            trade = "".join(rng.sample(_TRADE_CHARS, 2))
            word = rng.choice(category.segment.words)
            name = f"{city[2]}{trade}{word[1]}{suffix}"
            if trade not in used_trades and mnemonic(name) not in used_mnemonics:
                break
        used_trades.add(trade)
        used_mnemonics.add(mnemonic(name))
        profile = special.get(code) or ("late" if _is_late_payer(i) else
                                        rng.choices(("prompt", "normal"), (45, 55))[0])
        early = profile in ("dormant", "worsening", "closed") or code in SWITCHED
        if early or rng.random() < 0.8:
            opened = dt.date(rng.randint(2012, 2022), rng.randint(1, 12), rng.randint(1, 28))
        else:
            opened = LEDGER_START + dt.timedelta(days=rng.randint(0, 900))
        customer = _Customer(i, code, category, city, trade, word, name, opened, profile)
        if rng.random() < 0.1:
            customer.terms_override = rng.choice([t for t in (30, 45, 60, 90)
                                                  if t != category.terms])
        if profile == "closed":
            customer.status = "dormant"
        out.append(customer)
    out.append(_potential_customer(tree))
    return out


def _potential_customer(tree: list[_Category]) -> _Customer:
    """P0001, a prospect registered a few weeks before the as-of date, not trading yet (stage potential).

    Appended after the random customers and given no ledger, so every other figure of the
    demo stays what it was. A P code, as firms number prospects apart: the importer's next
    C code (C0201 after C0200) stays what the examples expect.
    """
    category = next(c for c in tree if c.code == "040101")
    city = next(c for c in _CITIES if c[2] == "杭州")
    word = category.segment.words[2]
    code = SPECIAL_CUSTOMERS["potential"][0]
    return _Customer(N_CUSTOMERS + 1, code, category, city, "启明", word, f"杭州启明{word[1]}有限公司",
                     dt.date(2026, 9, 10), "potential")


def _months(start: dt.date, stop: dt.date) -> Iterator[tuple[int, int]]:
    y, m = start.year, start.month
    while (y, m) <= (stop.year, stop.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _cents(rng: random.Random, base: float) -> int:
    return max(50_000, round(base * rng.lognormvariate(0, 0.35)))


def _ledger(rng: random.Random, customers: list[_Customer]) -> list[_Txn]:
    txns: list[_Txn] = []
    for c in customers:
        if c.profile != "potential":
            txns += _customer_ledger(rng, c)
    return txns


def _customer_ledger(rng: random.Random, c: _Customer) -> list[_Txn]:
    """Opening balance, invoices, credit notes and receipts of one customer."""
    out: list[_Txn] = []
    size_factor = {"大型": 4.0, "中型": 1.6, "小型": 0.5}.get(c.category.size or "", 1.2)
    base = math.exp(rng.uniform(math.log(4_000_00), math.log(60_000_00))) * size_factor
    activity = rng.uniform(0.55, 0.95)
    start = max(c.opened_on, LEDGER_START)
    last_day = AS_OF  # nothing, not even a receipt, after this
    stop_invoicing = AS_OF
    if c.profile == "dormant":
        stop_invoicing, last_day = dt.date(2025, 5, 31), dt.date(2025, 9, 20)
    elif c.profile == "closed":
        stop_invoicing, last_day = dt.date(2024, 3, 31), dt.date(2024, 9, 30)
    credit = 0  # cents the customer overpaid and deducts from its next payment
    overpay_left = 1 if c.code in OVERPAYERS else 0

    def pay(inv: _Txn, amount: int, on: dt.date) -> None:
        nonlocal credit, overpay_left
        on = max(on, inv.date + dt.timedelta(days=1))
        if c.profile in ("dormant", "closed"):
            on = min(on, last_day)
        if on > last_day:
            return  # still open at the as-of date
        if credit:
            used = min(credit, amount - 100)
            amount, credit = amount - used, credit - used
        if overpay_left and on.year >= 2025 and c.profile not in ("dormant", "closed"):
            extra = 100_000 - amount % 100_000  # rounded up to the next thousand yuan
            out.append(_Txn(c.code, "receipt", on, amount + extra, ref=inv, memo="memo.overpaid"))
            credit, overpay_left = extra, 0
            return
        if rng.random() < 0.15:
            out.append(_Txn(c.code, "receipt", on, amount, memo="memo.unreferenced"))
            return
        if rng.random() < 0.08 and amount > 200_000:  # paid in two goes
            first = round(amount * rng.uniform(0.3, 0.7))
            out.append(_Txn(c.code, "receipt", on, first, ref=inv, memo="memo.partial"))
            later = on + dt.timedelta(days=rng.randint(15, 45))
            if c.profile in ("dormant", "closed"):
                later = min(later, last_day)
            if later <= last_day:
                out.append(_Txn(c.code, "receipt", later, amount - first, ref=inv,
                                memo="memo.partial"))
            return
        out.append(_Txn(c.code, "receipt", on, amount, ref=inv, memo="memo.receipt"))

    if c.opened_on < LEDGER_START and rng.random() < 0.6:
        ob = _Txn(c.code, "opening", LEDGER_START, _cents(rng, base * 1.8),
                  due=LEDGER_START + dt.timedelta(days=15), memo="memo.opening")
        out.append(ob)
        paid_on = LEDGER_START + dt.timedelta(days=rng.randint(10, 75))
        out.append(_Txn(c.code, "receipt", paid_on, ob.cents, memo="memo.unreferenced"))

    for y, m in _months(start, stop_invoicing):
        count = (rng.random() < activity) + (rng.random() < 0.12)
        for _ in range(count):
            day = dt.date(y, m, rng.randint(1, 28))
            if day < start or day > stop_invoicing:
                continue
            amount = _cents(rng, base)
            if c.profile == "over_limit" and day >= dt.date(2026, 4, 1):
                amount *= 3
            due = day + dt.timedelta(days=c.terms)
            inv = _Txn(c.code, "invoice", day, amount, due=due)
            if rng.random() < 0.06:
                inv.due = None  # left for xlcust to derive from the terms
            out.append(inv)
            owed = amount
            earliest_pay = day
            if rng.random() < 0.03:
                cn_day = day + dt.timedelta(days=rng.randint(3, 25))
                if cn_day <= last_day:
                    share = 1.0 if rng.random() < 0.2 else rng.uniform(0.05, 0.5)
                    cn = _Txn(c.code, "credit_note", cn_day, round(amount * share), ref=inv,
                              memo="memo.credit_note")
                    out.append(cn)
                    owed -= cn.cents
                    earliest_pay = cn_day
            if owed <= 0 or rng.random() < _DISPUTED.get(c.profile, 0.0):
                continue  # settled by the credit note, or disputed and never paid
            on = due + dt.timedelta(days=_days_late(rng, c, day))
            pay(inv, owed, max(on, earliest_pay + dt.timedelta(days=1)))
    return out


# Share of invoices a customer disputes and never pays: they age past 180 days.
_DISPUTED = {"late": 0.05, "normal": 0.004}


def _days_late(rng: random.Random, c: _Customer, invoiced: dt.date) -> int:
    """Days after the due date the customer pays (negative: early)."""
    profile = c.profile
    if profile == "worsening":
        profile = "late_recent" if invoiced >= dt.date(2026, 1, 1) else "prompt"
    if profile == "over_limit":
        profile = "late_recent" if invoiced >= dt.date(2026, 4, 1) else "normal"
    if profile in ("prompt", "dormant", "closed"):
        return -rng.randint(0, 12)
    if profile == "late":
        return rng.randint(30, 120)
    if profile == "late_recent":
        return rng.randint(45, 110)
    return rng.randint(-5, 25)


def _open_cents(txns: list[_Txn]) -> dict[str, int]:
    sign = {"opening": 1, "invoice": 1, "credit_note": -1, "receipt": -1}
    balance: dict[str, int] = {}
    for t in txns:
        balance[t.customer] = balance.get(t.customer, 0) + sign[t.kind] * t.cents
    return balance


def _set_credit_limits(rng: random.Random, customers: list[_Customer], txns: list[_Txn]) -> None:
    """Overrides so only the over-limit story is over its limit at the as-of date."""
    balance = _open_cents(txns)
    for c in customers:
        open_yuan = balance.get(c.code, 0) / 100
        if c.profile == "over_limit":
            c.limit_override = max(20_000, int(open_yuan * 0.6) // 10_000 * 10_000)
        elif rng.random() < 0.1:
            c.limit_override = rng.choice((200_000, 500_000, 800_000, 1_500_000))
        if c.profile != "over_limit" and open_yuan > 0.8 * c.limit:
            c.limit_override = math.ceil(open_yuan * 1.5 / 50_000) * 50_000


def _number(txns: list[_Txn]) -> None:
    """Sort by date and give ids per kind and year: INV-2024-000123."""
    txns.sort(key=lambda t: (t.date, _KIND_ORDER[t.kind], t.customer))
    counters: dict[tuple[str, int], int] = {}
    for t in txns:
        key = (_PREFIX[t.kind], t.date.year)
        counters[key] = counters.get(key, 0) + 1
        t.txn_id = f"{key[0]}-{key[1]}-{counters[key]:06d}"


# ----------------------------------------------------------------------- rows


def _t(key: str, lang: str) -> str:
    en, zh = _TEXT[key]
    return zh if lang == "zh" else en


def _yuan(cents: int) -> float:
    return cents / 100


def _category_row(c: _Category, lang: str) -> dict[str, object]:
    en, zh = _INVOICE_TYPE[c.invoice_type]
    return {
        "code": c.code,
        "name": c.zh if lang == "zh" else c.en,
        "tax_rate": c.tax_rate,
        "payment_terms_days": c.terms,
        "credit_limit": float(c.credit_limit),
        "invoice_type": zh if lang == "zh" else en,
        "reminder_days": c.reminder_days,
        "active": c.active,
        "provision_rates": _PROVISION_RATES.get(c.code),
        # Set on the top level only: every category below inherits it (ledger.terms).
        "settlement_method": _pair(_SETTLEMENT[_TOP_SETTLEMENT.get(c.code, "")], lang) if len(c.code) == 2
        and c.code in _TOP_SETTLEMENT else None,
    }


# Categories with their own bad-debt rates (坏账计提比例), inherited by their sub-categories:
# construction's long payment chains provide more, software less, than Settings' rates.
_PROVISION_RATES = {"03": "0,2%,10%,20%,50%,100%", "0401": "0,0.5%,3%,5%,20%,100%"}


def _customer_row(rng: random.Random, c: _Customer, lang: str) -> dict[str, object]:
    province, province_full, city, division, districts, _region = c.city
    short = c.trade + c.word[0]
    # Pre-2016 firms kept their numeric organisation code; later ones got MA… codes. The
    # customer number at the end keeps every code unique.
    org_body = (f"{rng.randint(10_000, 79_999)}{c.index:03d}" if c.opened_on.year < 2016
                else "MA" + "".join(rng.choice(CHARSET[:-5]) for _ in range(3)) + f"{c.index:03d}")
    place = province_full if province_full.startswith(province) and city == province else (
        province_full + city + "市")
    street = f"{rng.choice(_STREETS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.4:
        street += f"{rng.choice(_BUILDINGS)}{rng.randint(2, 28)}{rng.randint(1, 20):02d}室"
    tags = []
    if c.category.industry.code == "03":
        tags.append("建筑业")
    if rng.random() < 0.25:
        tags += rng.sample(_TAGS, rng.randint(1, 2))
    ind = c.category.industry
    return {
        "code": c.code,
        "name": c.name,
        "short_name": short,
        "mnemonic": None if rng.random() < 0.3 else mnemonic(c.name),
        "category_code": c.category.code,
        "industry": ind.zh if lang == "zh" else ind.en,
        "region": province,
        "tax_id": make_uscc("9", "1", division, org_body),
        "contact": rng.choice(_SURNAMES) + rng.choice(_GIVEN),
        "phone": rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
        "address": f"{place}{rng.choice(districts)}{street}",
        "credit_limit": None if c.limit_override is None else float(c.limit_override),
        "payment_terms_days": c.terms_override,
        "tags": ";".join(tags) or None,
        "status": _t(c.status, lang),
        "opened_on": c.opened_on,
    }


# The rest of the T3 客户档案 (issue 14, point 3). Drawn from a generator of their own, so
# the figures of the demo (drawn from the main one) stay what they were.
_SETTLEMENT = {"wire": ("Bank transfer", "电汇"), "bill": ("Bank acceptance bill", "银行承兑汇票"),
               "cheque": ("Cheque", "支票"), "": (None, None)}
_TOP_SETTLEMENT = {"01": "wire", "02": "wire", "03": "bill", "04": "wire", "05": "wire"}
_OWNERSHIP = (("Private", "民营企业"), ("Private", "民营企业"), ("State-owned", "国有企业"),
              ("Foreign-invested", "外商投资企业"), ("Joint-stock", "股份制企业"))
_BANKS = ("中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "招商银行", "交通银行", "兴业银行")
_SALES = (("Wang Lei", "王磊"), ("Li Na", "李娜"), ("Zhang Wei", "张伟"), ("Chen Jing", "陈静"),
          ("Liu Yang", "刘洋"))
_DEPARTMENTS = (("Sales 1", "销售一部"), ("Sales 2", "销售二部"), ("Key accounts", "大客户部"))


def _pair(pair: tuple[str | None, str | None], lang: str) -> str | None:
    return pair[1] if lang == "zh" else pair[0]


def _archive_fields(c: _Customer, lang: str) -> dict[str, object]:
    """Shipping address, settlement method (a few overriding their category's), type, ownership,
    bank and account, salesperson and department."""
    rng = random.Random(f"archive-{c.index}")
    province, province_full, city, _division, districts, _region = c.city
    place = province_full if province_full.startswith(province) and city == province else province_full + city + "市"
    own = _OWNERSHIP[rng.randrange(4)]
    if "股份" in c.name:
        own = _OWNERSHIP[4]
    override = rng.random() < 0.12
    sales = rng.randrange(len(_SALES))
    return {
        "shipping_address": (f"{place}{rng.choice(districts)}{rng.choice(('物流园', '仓储中心', '工业园'))}"
                             f"{rng.randint(1, 30)}号库" if rng.random() < 0.5 else None),
        "settlement_method": _pair(_SETTLEMENT["cheque" if rng.random() < 0.5 else "bill"], lang) if override
        else None,
        "customer_type": _pair(("Company", "企业"), lang),
        "ownership": _pair(own, lang),
        "bank": f"{rng.choice(_BANKS)}{city}{rng.choice(('分行', '支行'))}",
        "bank_account": "".join(str(rng.randrange(10)) for _ in range(19)),
        "salesperson": _pair(_SALES[sales], lang),
        "department": _pair(_DEPARTMENTS[0 if sales < 2 else 1 if sales < 4 else 2], lang),
    }


def _txn_row(t: _Txn, lang: str) -> dict[str, object]:
    return {
        "txn_id": t.txn_id,
        "date": t.date,
        "customer_code": t.customer,
        "kind": KIND_ZH[t.kind] if lang == "zh" else t.kind,
        "amount": _yuan(t.cents),
        "due_date": t.due,
        "reference": t.ref.txn_id if t.ref else None,
        "memo": _t(t.memo, lang),
    }


def _history_rows(c: _Customer, tree: list[_Category], lang: str) -> list[dict[str, object]]:
    def row(category: str, start: dt.date, end: dt.date | None, how: str,
            at: dt.datetime, note: str | None) -> dict[str, object]:
        return {"customer_code": c.code, "category_code": category, "valid_from": start,
                "valid_to": end, "source": _t(f"source.{how}", lang), "changed_at": at,
                "changed_by": _t(f"changed_by.{how}", lang), "note": note}

    opened_at = dt.datetime.combine(c.opened_on, dt.time(9, 0))
    switch = SWITCHED.get(c.code)
    if switch is None:
        return [row(c.category.code, c.opened_on, None, "import", opened_at, None)]
    earlier = _earlier_category(c.category, tree)
    decided = dt.datetime.combine(switch - dt.timedelta(days=3), dt.time(16, 30))
    return [
        row(earlier.code, c.opened_on, switch, "import", opened_at, None),
        row(c.category.code, switch, None, "manual", decided, _t("history.switch", lang)),
    ]


def _earlier_category(current: _Category, tree: list[_Category]) -> _Category:
    """A believable previous leaf: one size smaller, or the same region in a sibling segment."""
    by_code = {c.code: c for c in tree}
    if current.size is not None:  # one size smaller (the small ones used to be medium)
        order = {"01": ("02", "03"), "02": ("03", "01"), "03": ("02", "01")}[current.code[-2:]]
        candidates = [current.code[:4] + size for size in order]
    else:
        candidates = [s.code + current.code[-2:] for s in current.industry.segments
                      if s.code != current.segment.code]
    return next(by_code[code] for code in candidates
                if code != current.code and by_code[code].active)


_RULES = (
    ("R01", 10, 'AND(revenue_12m > 500000, overdue_90_count = 0)', 'tag + "重点客户"', True,
     "Large and paying on time", "规模大且回款及时"),
    ("R02", 20, "overdue_90_amount > 0", 'tag + "催收"', True,
     "Anything more than 90 days overdue goes to collections", "逾期 90 天以上转催收"),
    ("R03", 30, "months_since_last_txn >= 12", f'category = "{DORMANT_CATEGORY}"', True,
     "No business for a year: dormant, to review", "一年无业务：转休眠待清理"),
    ("R04", 40, "AND(overdue_90_count >= 3, overdue_90_amount > 100000)", 'grade = "D"', True,
     "Repeatedly and heavily overdue", "多次且大额逾期"),
    ("R05", 50, 'HAS_TAG("建筑业")', 'flag "核对工程款结算节点"', True,
     "Construction: check progress-billing milestones", "建筑业：核对工程款结算节点"),
    ("R06", 60, "months_since_last_txn >= 6", 'tag + "休眠"', False,
     "Switched off: six months felt too short", "已停用：六个月过短"),
    # The seeds' own rules (好会计): 累计交易金额超过50万元时自动升级, 连续三个月未发生交易.
    # A tag, not grade = "A": the credit grade stays what the score says; the tag marks the upgrade.
    ("R07", 70, ("revenue_total > 500000", "累计交易金额 > 500000"), 'tag + "A级客户"', True,
     "Lifetime sales above 500,000 yuan: upgrade to A-class", "累计交易金额超过50万元时自动升级为A级客户"),
    ("R08", 80, ("AND(tenure_months >= 3, OR(ISBLANK(months_since_last_txn), months_since_last_txn >= 3))",
                 "AND(合作月数 >= 3, OR(ISBLANK(未交易月数), 未交易月数 >= 3))"), 'tag + "待激活"', True,
     "No transaction for three months in a row: call to reactivate", "连续三个月未发生交易：回访激活"),
    ("R09", 90, ("AND(late_count >= 30, max_overdue_amount > 50000)", "AND(违约次数 >= 30, 最大逾期金额 > 50000)"),
     'flag "授信复核"', True, "Often late and a large item overdue: review the credit terms",
     "违约次数多且有大额逾期：复核授信"),
)


def _seed_data_quality(rows: dict[str, list[dict[str, object]]], lang: str) -> None:
    """Slips a real archive has, for the data-quality sweep to find (see DATA_QUALITY).

    Applied to the finished rows so the ledger, and every figure drawn from it, stays
    what the seed made.
    """
    customers = {r["code"]: r for r in rows[CUSTOMERS.key]}
    q = DATA_QUALITY
    customers[q["blank_contact"][0]]["contact"] = None
    customers[q["blank_phone"][0]]["phone"] = None
    first, second = q["same_phone"]
    customers[second]["phone"] = customers[first]["phone"]
    first, second = q["same_address"]
    customers[second]["address"] = customers[first]["address"]
    customers[q["marked_dormant"][0]]["status"] = _t("dormant", lang)
    for row in rows[CATEGORIES.key]:
        if row["code"] == RETIRED_CATEGORY:
            row["active"] = False


def _rule_rows(lang: str) -> list[dict[str, object]]:
    def condition(when: str | tuple[str, str]) -> str:  # (English names, Chinese names) or one for both
        return when if isinstance(when, str) else when[lang == "zh"]

    return [
        {"rule_id": rid, "priority": prio, "when": condition(when), "then": then, "active": active,
         "note": zh if lang == "zh" else en}
        for rid, prio, when, then, active, en, zh in _RULES
    ]


# Risk table (credit score): industries by their code in _INDUSTRIES, regions by province;
# 0 is the riskiest, 100 the safest. Provinces not listed get the neutral score.
_RISK_INDUSTRIES = {"01": 70, "02": 65, "03": 40, "04": 80, "05": 75}
_RISK_REGIONS = (("上海", 90), ("北京", 90), ("江苏", 85), ("浙江", 85), ("广东", 80), ("河南", 55))
_RISK_NOTES = {"03": ("Long payment chains", "回款链条长"), "河南": ("Slow public-sector payers", "公共项目回款慢")}


def _risk_rows(lang: str) -> list[dict[str, object]]:
    pick = 1 if lang == "zh" else 0
    industry, region = ("行业", "地区") if lang == "zh" else ("industry", "region")

    def note(key: str) -> str | None:
        return _RISK_NOTES[key][pick] if key in _RISK_NOTES else None

    rows: list[dict[str, object]] = [
        {"kind": industry, "name": (ind.en, ind.zh)[pick], "score": _RISK_INDUSTRIES[ind.code], "note": note(ind.code)}
        for ind in _INDUSTRIES
    ]
    rows += [{"kind": region, "name": name, "score": score, "note": note(name)} for name, score in _RISK_REGIONS]
    return rows
