"""Every finding code xlcust reports, in one table: severity, meaning (en, zh), how to fix.

The README's check table is generated from `CATALOG` (`markdown_table()`), and a test
asserts that every code any check or reader emits is listed here with the same
severity. Codes are stable: users filter on them and auditors cite them.

Prefixes: SHEET_/HDR_/ROW_ structure · SET_ settings (SET_RISK_: the Risk sheet of the credit
score) · CAT_ categories · CUS_ customers
· TXN_ transactions · HIS_ category history · CHECK_ xlcust itself.
"""

from __future__ import annotations

from typing import NamedTuple

from ..findings import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


class Entry(NamedTuple):
    severity: Severity
    en: str  # what the finding means
    zh: str
    fix: str  # what to do about it (English)


CATALOG: dict[str, Entry] = {
    # ------------------------------------------------------------------ structure
    "SHEET_MISSING": Entry(E, "A required sheet (Categories, Customers or Transactions) is missing",
                           "缺少必需的工作表（客户分类、客户档案或往来明细）",
                           "Add the sheet with its headers, or start from `xlcust new`"),
    "SHEET_OPTIONAL_MISSING": Entry(I, "An optional sheet (Settings, Rules, CategoryHistory) is absent; defaults apply",
                                    "可选工作表（设置、规则、分类历史）不存在，使用默认值",
                                    "Nothing to do; add the sheet when you need it"),
    "SHEET_NOT_TABLE": Entry(I, "The data is a plain range, not an Excel Table", "数据不是 Excel 表格（超级表）",
                             "Select the data and press Ctrl+T"),
    "HDR_NOT_FOUND": Entry(E, "No header row naming this sheet's columns in the first 20 rows",
                           "前 20 行中找不到表头", "Type the headers (English or Chinese) above the data"),
    "HDR_TITLE_ROW": Entry(I, "Rows above the header are read as a title and ignored", "表头上方的行视为标题，已忽略",
                           "Nothing to do"),
    "HDR_UNKNOWN_COLUMN": Entry(I, "A column xlcust does not use; it is kept as is", "xlcust 不使用的列，原样保留",
                                "Nothing to do, or rename it to a known header if it was meant to be one"),
    "HDR_DUPLICATE_COLUMN": Entry(E, "Two columns map to the same field; only the first is read",
                                  "两列对应同一字段，只读取第一列", "Rename or delete one of them"),
    "HDR_MISSING_COLUMN": Entry(E, "A required column is missing", "缺少必需的列",
                                "Add a column with the English or Chinese header"),
    "ROW_BLANK": Entry(W, "Blank rows inside the data", "数据中间有空行", "Delete the blank rows"),
    # ------------------------------------------------------------------- settings
    "SET_UNKNOWN_KEY": Entry(W, "A setting xlcust does not know; it is ignored", "未知的设置项，已忽略",
                             "Check the spelling against the settings table"),
    "SET_DUPLICATE_KEY": Entry(E, "A setting appears twice; the first row is used", "设置项重复，使用第一行",
                               "Keep one row per setting"),
    "SET_BAD_VALUE": Entry(E, "A setting's value cannot be read; the default is used", "设置值无法识别，使用默认值",
                           "Type the value in the form the note describes"),
    "SET_AGING_BOUNDS": Entry(E, "Aging bounds are not positive and strictly increasing", "账龄分段必须为正且严格递增",
                              "Type increasing day counts such as 30,60,90,180"),
    "SET_WEIGHT_NEGATIVE": Entry(E, "A credit-score weight is negative", "信用评分权重为负数",
                                 "Use 0 to leave a dimension out"),
    "SET_WEIGHTS_SUM": Entry(E, "Credit-score weights do not sum to 100", "信用评分权重之和不等于 100",
                             "Change the weights so they add up to 100"),
    "SET_GRADE_RANGE": Entry(E, "A grade threshold is outside 0–100", "等级分数线超出 0–100",
                             "Type a score between 0 and 100"),
    "SET_GRADE_ORDER": Entry(E, "Grade thresholds are not in the order A > B > C", "等级分数线须满足 A > B > C",
                             "Choose decreasing thresholds such as 80, 65, 50"),
    "SET_PROVISION_COUNT": Entry(E, "The number of provision rates is not the number of aging buckets (bounds + 2)",
                                 "坏账计提比例个数与账龄段数（分段数 + 2）不符",
                                 "Give one rate for Not due and one per bucket"),
    "SET_PROVISION_ORDER": Entry(W, "A provision rate is lower than the rate of a younger bucket",
                                 "较长账龄段的计提比例低于较短账龄段", "Check the order of the rates"),
    "SET_OUT_OF_RANGE": Entry(E, "A setting is outside its allowed range (negative days or limit, dormancy < 1 month)",
                              "设置值超出允许范围", "Correct the value or clear it to use the default"),
    "SET_RISK_KIND": Entry(E, "A Risk row's kind is not industry or region; the row is ignored",
                           "风险表的类型不是“行业”或“地区”，该行被忽略", "Type industry (行业) or region (地区)"),
    "SET_RISK_NAME_MISSING": Entry(E, "A Risk row has no name; the row is ignored", "风险表的名称为空，该行被忽略",
                                   "Type the industry or region as in the Customers sheet, or * for all others"),
    "SET_RISK_SCORE": Entry(E, "A Risk score is blank, not a whole number or outside 0–100; the row is ignored",
                            "风险分为空、不是整数或超出 0–100，该行被忽略",
                            "Type a whole number from 0 (riskiest) to 100 (safest)"),
    "SET_RISK_DUPLICATE": Entry(W, "An industry or region is scored twice on the Risk sheet; the first row counts",
                                "风险表中同一行业或地区出现两次，以第一行为准", "Keep one row per industry or region"),
    "SET_RISK_UNUSED": Entry(I, "No customer has this Risk name (perhaps a typo)",
                             "没有客户使用该风险表名称（可能拼写有误）",
                             "Match the spelling of the Customers sheet's industry or region"),
    "SET_RISK_IN_SETTINGS": Entry(W, "A risk.… row in Settings is not read; the risk table is the Risk sheet",
                                  "设置表中的 risk.… 行不会被读取；风险表在“风险表”工作表中",
                                  "Move the row to the Risk sheet as kind, name and score"),
    # ----------------------------------------------------------------- categories
    "CAT_ERROR_VALUE": Entry(E, "A Categories cell holds an Excel error value such as #N/A",
                             "客户分类单元格为 Excel 错误值", "Fix the formula or type the value"),
    "CAT_SPACES": Entry(W, "A code has stray spaces or full-width characters (read without them)",
                        "编码含多余空格或全角字符（已按半角读取）", "Retype the code half-width, without spaces"),
    "CAT_CODE_MISSING": Entry(E, "Category code is blank", "分类编码为空", "Type a code that fits the coding scheme"),
    "CAT_CODE_LEADING_ZEROS": Entry(E, "A code typed as a number lost its leading zeros (101 where 0101 is meant)",
                                    "编码以数字输入，丢失前导零（如 101 应为 0101）",
                                    "Format the column as Text and type the padded code"),
    "CAT_CODE_NUMBER": Entry(W, "A category code is stored as a number", "分类编码以数字形式存储",
                             "Format the Code column as Text and retype the codes"),
    "CAT_CODE_CHARS": Entry(E, "A category code has characters other than 0-9 and A-Z",
                            "分类编码含 0-9、A-Z 以外的字符",
                            "Use digits and capital letters only"),
    "CAT_CODE_LENGTH": Entry(E, "A category code's length fits no level of the coding scheme",
                             "分类编码长度不符合编码方案",
                             "Correct the code, or the coding_scheme setting"),
    "CAT_DUPLICATE_CODE": Entry(E, "A category code is used on more than one row", "分类编码重复",
                                "Give each category its own code"),
    "CAT_PARENT_MISSING": Entry(E, "A category's parent (its code at the level above) does not exist", "上级分类不存在",
                                "Add the parent category, or correct the code"),
    "CAT_NAME_MISSING": Entry(E, "Category name is blank", "分类名称为空", "Type the category name"),
    "CAT_NUMBER_TEXT": Entry(W, "A number is stored as text (it is read as a number)",
                             "数字以文本形式存储（仍按数字读取）",
                             "Convert the cell to a number"),
    "CAT_TAX_RATE_INVALID": Entry(E, "Tax rate is not a rate between 0% and 100%", "税率不是 0%–100% 之间的比率",
                                  "Type a rate such as 13% or 0.13"),
    "CAT_TAX_RATE_UNUSUAL": Entry(W, "Tax rate is not a common Chinese VAT rate (0, 1, 3, 5, 6, 9, 13%)",
                                  "税率不是常见增值税税率（0、1、3、5、6、9、13%）", "Check the rate"),
    "CAT_DAYS_INVALID": Entry(E, "Payment terms or reminder days are not a whole number ≥ 0",
                              "账期或催款天数不是非负整数",
                              "Type whole days, or leave blank to inherit"),
    "CAT_CREDIT_LIMIT_INVALID": Entry(E, "Credit limit is not an amount, or is negative", "信用额度不是金额或为负数",
                                      "Type an amount, or leave blank to inherit"),
    "CAT_ACTIVE_INVALID": Entry(W, "Active is not a yes/no word; the category is treated as active",
                                "启用列不是是/否，按启用处理", "Type TRUE/FALSE, 是/否 or 1/0"),
    # ------------------------------------------------------------------ customers
    "CUS_ERROR_VALUE": Entry(E, "A Customers cell holds an Excel error value", "客户档案单元格为 Excel 错误值",
                             "Fix the formula or type the value"),
    "CUS_SPACES": Entry(W, "A code has stray spaces or full-width characters (read without them)",
                        "编码含多余空格或全角字符（已按半角读取）", "Retype the code half-width, without spaces"),
    "CUS_CODE_MISSING": Entry(E, "Customer code is blank", "客户编码为空", "Give the customer a code"),
    "CUS_DUPLICATE_CODE": Entry(E, "A customer code is used on more than one row", "客户编码重复",
                                "Give each customer its own code, or merge the rows"),
    "CUS_NAME_MISSING": Entry(E, "Customer name is blank", "客户名称为空", "Type the registered name"),
    "CUS_CATEGORY_MISSING": Entry(E, "Customer has no category", "客户未指定分类", "Type a leaf category code"),
    "CUS_CATEGORY_UNKNOWN": Entry(E, "Customer's category is not on the Categories sheet", "客户所属分类不存在",
                                  "Use an existing code, or add the category"),
    "CUS_CATEGORY_NOT_LEAF": Entry(E, "Customer is attached to a category that has sub-categories (not 末级)",
                                   "客户挂在非末级分类上", "Choose one of the leaf sub-categories suggested"),
    "CUS_TAX_ID_NUMBER": Entry(E, "Tax ID is a number cell; Excel keeps only 15 digits",
                               "税号以数字存储，Excel 仅保留 15 位",
                               "Format the column as Text and retype the code"),
    "CUS_TAX_ID_INVALID": Entry(E, "Tax ID is not a valid unified social credit code (GB 32100-2015)",
                                "税号不是有效的统一社会信用代码（GB 32100-2015）",
                                "Copy the 18-character code from the business licence"),
    "CUS_DUPLICATE_TAX_ID": Entry(E, "Two customers have the same tax ID", "两个客户税号相同",
                                  "Merge the customers, or correct the tax ID"),
    "CUS_LIKELY_DUPLICATE": Entry(W, "Two customers' names are the same after normalisation (suffixes, spaces, "
                                     "full-width); not reported when both have different tax IDs",
                                  "两个客户名称规范化后相同（疑似重复）",
                                  "Merge them, or add tax IDs to tell them apart"),
    "CUS_NUMBER_TEXT": Entry(W, "A number is stored as text (it is read as a number)",
                             "数字以文本形式存储（仍按数字读取）",
                             "Convert the cell to a number"),
    "CUS_CREDIT_LIMIT_INVALID": Entry(E, "Credit limit is not an amount, or is negative", "信用额度不是金额或为负数",
                                      "Type an amount, or leave blank to inherit"),
    "CUS_DAYS_INVALID": Entry(E, "Payment terms are not a whole number ≥ 0", "账期天数不是非负整数",
                              "Type whole days, or leave blank to inherit"),
    "CUS_MNEMONIC_FILLED": Entry(I, "Mnemonic (助记码) is blank; the pinyin initials are suggested and written by "
                                    "`check --write`", "助记码为空，建议使用拼音首字母（check --write 时写入）",
                                 "Nothing to do, or type your own mnemonic"),
    "CUS_STATUS_UNKNOWN": Entry(W, "Status is not blank, active/正常, dormant/休眠 or inactive/停用; treated as active",
                                "状态不是空、正常、休眠或停用，按正常处理", "Use one of the status words"),
    "CUS_DATE_TEXT": Entry(W, "A date is typed as text (it is read as a date)", "日期以文本输入（仍按日期读取）",
                           "Make it a real date cell"),
    "CUS_DATE_INVALID": Entry(W, "Opened-on is not a date; it is ignored", "建档日期不是有效日期，已忽略",
                              "Type the date as year-month-day"),
    # --------------------------------------------------------------- transactions
    "TXN_ERROR_VALUE": Entry(E, "A Transactions cell holds an Excel error value", "往来明细单元格为 Excel 错误值",
                             "Fix the formula or type the value"),
    "TXN_SPACES": Entry(W, "A code has stray spaces or full-width characters (read without them)",
                        "编码含多余空格或全角字符（已按半角读取）", "Retype the code half-width, without spaces"),
    "TXN_ID_MISSING": Entry(E, "Txn ID is blank", "单据号为空", "Give every transaction its voucher/invoice number"),
    "TXN_DUPLICATE_ID": Entry(E, "A Txn ID is used on more than one row", "单据号重复",
                              "Give each transaction its own id"),
    "TXN_CUSTOMER_MISSING": Entry(E, "Transaction has no customer code",
                                  "往来记录缺少客户编码", "Type the customer code"),
    "TXN_CUSTOMER_UNKNOWN": Entry(E, "Transaction's customer is not on the Customers sheet", "往来记录的客户不存在",
                                  "Add the customer, or correct the code"),
    "TXN_KIND_MISSING": Entry(E, "Transaction kind is blank", "单据类型为空",
                              "Type invoice, credit_note, receipt, opening or adjustment (or the Chinese word)"),
    "TXN_KIND_UNKNOWN": Entry(E, "Transaction kind is not one xlcust knows", "单据类型无法识别",
                              "Type invoice/发票, credit_note/红字发票, receipt/收款, opening/期初 or adjustment/调整"),
    "TXN_DATE_MISSING": Entry(E, "Transaction date is blank", "单据日期为空", "Type the date"),
    "TXN_DATE_TEXT": Entry(W, "A date is typed as text (it is read as a date)", "日期以文本输入（仍按日期读取）",
                           "Make it a real date cell"),
    "TXN_DATE_INVALID": Entry(E, "A date cannot be read (including ambiguous day/month forms such as 05/01/2024)",
                              "日期无法识别（包括 05/01/2024 这类日月顺序不明的写法）",
                              "Type the date as year-month-day"),
    "TXN_DATE_FUTURE": Entry(I, "Transaction is dated after the as-of date", "单据日期晚于基准日期",
                             "Check the year; otherwise nothing to do"),
    "TXN_AMOUNT_MISSING": Entry(E, "Amount is blank", "金额为空", "Type the amount"),
    "TXN_AMOUNT_ERROR_VALUE": Entry(E, "Amount holds an Excel error value such as #DIV/0!",
                                    "金额为 Excel 错误值（如 #DIV/0!）",
                                    "Fix the formula, or type the amount"),
    "TXN_AMOUNT_INVALID": Entry(E, "Amount is not a number (e.g. '1,2,3' or words)", "金额不是数字",
                                "Type the amount as a number"),
    "TXN_AMOUNT_TEXT": Entry(W, "Amount is a number stored as text (it is read as a number)",
                             "金额以文本形式存储（仍按数字读取）",
                             "Convert the cell to a number"),
    "TXN_AMOUNT_FRACTION": Entry(W, "Amount has fractions of a cent; it is rounded to the cent",
                                 "金额含不足一分的尾数，已四舍五入",
                                 "Round the amount to two decimals"),
    "TXN_AMOUNT_NEGATIVE": Entry(E, "Amount is negative: amounts are positive and the kind gives the sign "
                                    "(only an adjustment may be negative)",
                                 "金额为负：金额填正数，方向由类型决定（仅调整可为负）",
                                 "Remove the minus sign and choose the right kind"),
    "TXN_AMOUNT_ZERO": Entry(W, "Amount is zero", "金额为零", "Delete the row, or type the amount"),
    "TXN_DUE_BEFORE_DATE": Entry(E, "Due date is before the transaction date", "到期日早于单据日期",
                                 "Correct the due date, or leave it blank"),
    "TXN_REFERENCE_UNKNOWN": Entry(E, "A receipt's or credit note's reference is not the Txn ID of an invoice or "
                                      "opening balance", "收款或红字发票的关联单据不是发票或期初的单据号",
                                   "Type the invoice's Txn ID, or leave Reference blank"),
    "TXN_REFERENCE_OTHER_CUSTOMER": Entry(E, "A reference names an invoice of another customer",
                                          "关联单据属于其他客户", "Correct the reference or the customer code"),
    # ----------------------------------------------------------- category history
    "HIS_ERROR_VALUE": Entry(E, "A CategoryHistory cell holds an Excel error value", "分类历史单元格为 Excel 错误值",
                             "Fix the formula or type the value"),
    "HIS_SPACES": Entry(W, "A code has stray spaces or full-width characters (read without them)",
                        "编码含多余空格或全角字符（已按半角读取）", "Retype the code half-width, without spaces"),
    "HIS_CUSTOMER_MISSING": Entry(E, "History row has no customer code", "分类历史缺少客户编码",
                                  "Type the customer code, or delete the row"),
    "HIS_CUSTOMER_UNKNOWN": Entry(E, "History row's customer is not on the Customers sheet", "分类历史中的客户不存在",
                                  "Correct the code"),
    "HIS_CATEGORY_MISSING": Entry(E, "History row has no category code",
                                  "分类历史缺少分类编码", "Type the category code"),
    "HIS_CATEGORY_UNKNOWN": Entry(E, "History row's category is not on the Categories sheet", "分类历史中的分类不存在",
                                  "Correct the code; keep old categories (inactive) rather than deleting them"),
    "HIS_FROM_MISSING": Entry(E, "Valid from is blank", "生效日期为空", "Type the start date of the period"),
    "HIS_DATE_TEXT": Entry(W, "A date is typed as text (it is read as a date)", "日期以文本输入（仍按日期读取）",
                           "Make it a real date cell"),
    "HIS_DATE_INVALID": Entry(E, "A date cannot be read", "日期无法识别", "Type the date as year-month-day"),
    "HIS_PERIOD_EMPTY": Entry(E, "Valid to is not after Valid from", "失效日期不晚于生效日期",
                              "Make Valid to later than Valid from"),
    "HIS_OVERLAP": Entry(E, "Two periods of one customer overlap", "同一客户的两个期间重叠",
                         "End the earlier period where the later one starts"),
    "HIS_GAP": Entry(W, "A customer has no category between two periods", "同一客户的期间之间有空档",
                     "Make the periods meet"),
    "HIS_SEVERAL_OPEN": Entry(E, "A customer has more than one open period (blank Valid to)",
                              "同一客户有多个未结束的期间",
                              "Type the end date of all but the current period"),
    "HIS_NO_OPEN": Entry(E, "A customer with history has no open period", "客户有分类历史但没有当前期间",
                         "Blank Valid to on the current row, or add a current row"),
    "HIS_CHANGE_UNRECORDED": Entry(E, "Customer's category differs from its open history period and it has "
                                      "transactions in that period: the change was never recorded",
                                   "客户分类与当前历史期间不符且该期间有往来：分类变更未记录",
                                   "Run `xlcust reclassify --apply` to record an effective date, or correct Customers"),
    "HIS_OPEN_MISMATCH": Entry(W, "Open history period's category differs from the customer's category "
                                  "(no transactions affected)",
                               "当前历史期间的分类与客户档案不符（不影响往来）",
                               "Run `xlcust reclassify --apply`, or correct Customers"),
    # --------------------------------------------------------------------- xlcust
    "CHECK_CRASHED": Entry(E, "A check failed inside xlcust (a bug); the other checks still ran",
                           "某项检查内部出错（程序缺陷），其余检查照常运行",
                           "Report it with the message; the named check's results are missing"),
}


def markdown_table(lang: str = "en") -> str:
    """The check table for the README: code, severity, meaning, fix."""
    if lang == "zh":
        lines = ["| 代码 | 级别 | 含义 | 处理 |", "|---|---|---|---|"]
    else:
        lines = ["| code | severity | meaning | what to do |", "|---|---|---|---|"]
    for code, e in CATALOG.items():
        meaning = e.zh if lang == "zh" else e.en
        lines.append(f"| `{code}` | {e.severity.value} | {meaning} | {e.fix} |")
    return "\n".join(lines)
