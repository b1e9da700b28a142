"""Every finding code xlcust reports, in one table: severity, meaning, how to fix (catalog texts).

The README's check table is generated from `CATALOG` (`markdown_table()`), and a test
asserts that every code any check or reader emits is listed here with the same
severity. Codes are stable: users filter on them and auditors cite them.

Prefixes: SHEET_/HDR_/ROW_ structure · SET_ settings (SET_RISK_: the Risk sheet of the credit
score) · CAT_ categories · CUS_ customers
· TXN_ transactions · HIS_ category history · RUL_ rules · RCL_ reclassify · CHECK_ xlcust itself.
"""

from __future__ import annotations

from typing import NamedTuple

from ..findings import Severity
from ..i18n import N_, translate

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


class Entry(NamedTuple):
    """A code's severity, what it means and what to do; both texts are catalog msgids."""

    severity: Severity
    en: str  # what the finding means (English msgid)
    fix: str  # what to do about it (English msgid)

    def meaning(self, lang: str) -> str:
        """What the finding means, in `lang`."""
        return translate(self.en, lang)

    def fix_in(self, lang: str) -> str:
        """What to do about it, in `lang`."""
        return translate(self.fix, lang)

    @property
    def zh(self) -> str:
        return self.meaning("zh")


CATALOG: dict[str, Entry] = {
    # ------------------------------------------------------------------ structure
    "SHEET_MISSING": Entry(E, N_("A required sheet (Categories, Customers or Transactions) is missing"),
                           N_("Add the sheet with its headers, or start from `xlcust new`")),
    "SHEET_OPTIONAL_MISSING": Entry(I, N_("An optional sheet (Settings, Rules, CategoryHistory) is "
                                          "absent; defaults apply"),
                                    N_("Nothing to do; add the sheet when you need it")),
    "SHEET_NOT_TABLE": Entry(I, N_("The data is a plain range, not an Excel Table"),
                             N_("Select the data and press Ctrl+T")),
    "HDR_NOT_FOUND": Entry(E, N_("No header row naming this sheet's columns in the first 20 rows"),
                           N_("Type the headers (English or Chinese) above the data")),
    "HDR_TITLE_ROW": Entry(I, N_("Rows above the header are read as a title and ignored"), N_("Nothing to do")),
    "HDR_UNKNOWN_COLUMN": Entry(I, N_("A column xlcust does not use; it is kept as is"),
                                N_("Nothing to do, or rename it to a known header if it was meant to be one")),
    "HDR_DUPLICATE_COLUMN": Entry(E, N_("Two columns map to the same field; only the first is read"),
                                  N_("Rename or delete one of them")),
    "HDR_MISSING_COLUMN": Entry(E, N_("A required column is missing"),
                                N_("Add a column with the English or Chinese header")),
    "ROW_BLANK": Entry(W, N_("Blank rows inside the data"), N_("Delete the blank rows")),
    # ------------------------------------------------------------------- settings
    "SET_UNKNOWN_KEY": Entry(W, N_("A setting xlcust does not know; it is ignored"),
                             N_("Check the spelling against the settings table")),
    "SET_DUPLICATE_KEY": Entry(E, N_("A setting appears twice; the first row is used"), N_("Keep one row per setting")),
    "SET_BAD_VALUE": Entry(E, N_("A setting's value cannot be read; the default is used"),
                           N_("Type the value in the form the note describes")),
    "SET_AGING_BOUNDS": Entry(E, N_("Aging bounds are not positive and strictly increasing"),
                              N_("Type increasing day counts such as 30,60,90,180")),
    "SET_WEIGHT_NEGATIVE": Entry(E, N_("A credit-score weight is negative"), N_("Use 0 to leave a dimension out")),
    "SET_WEIGHTS_SUM": Entry(E, N_("Credit-score weights do not sum to 100"),
                             N_("Change the weights so they add up to 100")),
    "SET_GRADE_RANGE": Entry(E, N_("A grade threshold is outside 0–100"), N_("Type a score between 0 and 100")),
    "SET_GRADE_ORDER": Entry(E, N_("Grade thresholds are not in the order A > B > C"),
                             N_("Choose decreasing thresholds such as 80, 65, 50")),
    "SET_PROVISION_COUNT": Entry(E, N_("The number of provision rates is not the number of aging buckets (bounds + 2)"),
                                 N_("Give one rate for Not due and one per bucket")),
    "SET_PROVISION_ORDER": Entry(W, N_("A provision rate is lower than the rate of a younger bucket"),
                                 N_("Check the order of the rates")),
    "SET_OUT_OF_RANGE": Entry(E, N_("A setting is outside its allowed range (negative days or limit, "
                                    "dormancy, new-customer months or a red-alert threshold too low)"),
                              N_("Correct the value or clear it to use the default")),
    "SET_STAGE_ORDER": Entry(E, N_("lost_months is not more than dormant_months: no customer could be dormant "
                                   "before it is lost"),
                             N_("Make lost_months larger than dormant_months")),
    "SET_RISK_KIND": Entry(E, N_("A Risk row's kind is not industry or region; the row is ignored"),
                           N_("Type industry (行业) or region (地区)")),
    "SET_RISK_NAME_MISSING": Entry(E, N_("A Risk row has no name; the row is ignored"),
                                   N_("Type the industry or region as in the Customers sheet, or * for all others")),
    "SET_RISK_SCORE": Entry(E, N_("A Risk score is blank, not a whole number or outside 0–100; the row is ignored"),
                            N_("Type a whole number from 0 (riskiest) to 100 (safest)")),
    "SET_RISK_DUPLICATE": Entry(W, N_("An industry or region is scored twice on the Risk sheet; the first row counts"),
                                N_("Keep one row per industry or region")),
    "SET_RISK_UNUSED": Entry(I, N_("No customer has this Risk name (perhaps a typo)"),
                             N_("Match the spelling of the Customers sheet's industry or region")),
    "SET_RISK_IN_SETTINGS": Entry(W, N_("A risk.… row in Settings is not read; the risk table is the Risk sheet"),
                                  N_("Move the row to the Risk sheet as kind, name and score")),
    # ----------------------------------------------------------------- categories
    "CAT_ERROR_VALUE": Entry(E, N_("A Categories cell holds an Excel error value such as #N/A"),
                             N_("Fix the formula or type the value")),
    "CAT_SPACES": Entry(W, N_("A code has stray spaces or full-width characters (read without them)"),
                        N_("Retype the code half-width, without spaces")),
    "CAT_CODE_MISSING": Entry(E, N_("Category code is blank"), N_("Type a code that fits the coding scheme")),
    "CAT_CODE_LEADING_ZEROS": Entry(E, N_("A code typed as a number lost its leading zeros (101 where 0101 is meant)"),
                                    N_("Format the column as Text and type the padded code")),
    "CAT_CODE_NUMBER": Entry(W, N_("A category code is stored as a number"),
                             N_("Format the Code column as Text and retype the codes")),
    "CAT_CODE_CHARS": Entry(E, N_("A category code has characters other than 0-9 and A-Z"),
                            N_("Use digits and capital letters only")),
    "CAT_CODE_LENGTH": Entry(E, N_("A category code's length fits no level of the coding scheme"),
                             N_("Correct the code, or the coding_scheme setting")),
    "CAT_DUPLICATE_CODE": Entry(E, N_("A category code is used on more than one row"),
                                N_("Give each category its own code")),
    "CAT_PARENT_MISSING": Entry(E, N_("A category's parent (its code at the level above) does not exist"),
                                N_("Add the parent category, or correct the code")),
    "CAT_NAME_MISSING": Entry(E, N_("Category name is blank"), N_("Type the category name")),
    "CAT_NUMBER_TEXT": Entry(W, N_("A number is stored as text (it is read as a number)"),
                             N_("Convert the cell to a number")),
    "CAT_PROVISION_RATES": Entry(E, N_("A category's provision rates are not rates, or not one per aging bucket"),
                                 N_("Type one rate per bucket, Not due first, or clear the cell to inherit")),
    "CAT_TAX_RATE_INVALID": Entry(E, N_("Tax rate is not a rate between 0% and 100%"),
                                  N_("Type a rate such as 13% or 0.13")),
    "CAT_TAX_RATE_UNUSUAL": Entry(W, N_("Tax rate is not a common Chinese VAT rate (0, 1, 3, 5, 6, 9, 13%)"),
                                  N_("Check the rate")),
    "CAT_DAYS_INVALID": Entry(E, N_("Payment terms or reminder days are not a whole number ≥ 0"),
                              N_("Type whole days, or leave blank to inherit")),
    "CAT_CREDIT_LIMIT_INVALID": Entry(E, N_("Credit limit is not an amount, or is negative"),
                                      N_("Type an amount, or leave blank to inherit")),
    "CAT_ACTIVE_INVALID": Entry(W, N_("Active is not a yes/no word; the category is treated as active"),
                                N_("Type TRUE/FALSE, 是/否 or 1/0")),
    "CAT_EMPTY_LEAF": Entry(I, N_("No customer is in this active leaf category"),
                            N_("Nothing to do if it is new; otherwise mark it inactive")),
    # ------------------------------------------------------------------ customers
    "CUS_ERROR_VALUE": Entry(E, N_("A Customers cell holds an Excel error value"),
                             N_("Fix the formula or type the value")),
    "CUS_SPACES": Entry(W, N_("A code has stray spaces or full-width characters (read without them)"),
                        N_("Retype the code half-width, without spaces")),
    "CUS_CODE_MISSING": Entry(E, N_("Customer code is blank"), N_("Give the customer a code")),
    "CUS_DUPLICATE_CODE": Entry(E, N_("A customer code is used on more than one row"),
                                N_("Give each customer its own code, or merge the rows")),
    "CUS_NAME_MISSING": Entry(E, N_("Customer name is blank"), N_("Type the registered name")),
    "CUS_CATEGORY_MISSING": Entry(E, N_("Customer has no category"), N_("Type a leaf category code")),
    "CUS_CATEGORY_UNKNOWN": Entry(E, N_("Customer's category is not on the Categories sheet"),
                                  N_("Use an existing code, or add the category")),
    "CUS_CATEGORY_NOT_LEAF": Entry(E, N_("Customer is attached to a category that has sub-categories (not 末级)"),
                                   N_("Choose one of the leaf sub-categories suggested")),
    "CUS_TAX_ID_NUMBER": Entry(E, N_("Tax ID is a number cell; Excel keeps only 15 digits"),
                               N_("Format the column as Text and retype the code")),
    "CUS_TAX_ID_INVALID": Entry(E, N_("Tax ID is not a valid unified social credit code (GB 32100-2015)"),
                                N_("Copy the 18-character code from the business licence")),
    "CUS_DUPLICATE_TAX_ID": Entry(E, N_("Two customers have the same tax ID"),
                                  N_("Merge the customers, or correct the tax ID")),
    "CUS_LIKELY_DUPLICATE": Entry(W, N_("Two customers' names are the same after normalisation (suffixes, spaces, "
                                     "full-width); not reported when both have different tax IDs"),
                                  N_("Merge them, or add tax IDs to tell them apart")),
    "CUS_NUMBER_TEXT": Entry(W, N_("A number is stored as text (it is read as a number)"),
                             N_("Convert the cell to a number")),
    "CUS_CREDIT_LIMIT_INVALID": Entry(E, N_("Credit limit is not an amount, or is negative"),
                                      N_("Type an amount, or leave blank to inherit")),
    "CUS_DAYS_INVALID": Entry(E, N_("Payment terms are not a whole number ≥ 0"),
                              N_("Type whole days, or leave blank to inherit")),
    "CUS_MNEMONIC_FILLED": Entry(I, N_("Mnemonic (助记码) is blank; the pinyin initials are suggested and written by "
                                    "`check --write`"), N_("Nothing to do, or type your own mnemonic")),
    "CUS_STATUS_UNKNOWN": Entry(W, N_("Status is not blank, active/正常, dormant/休眠 or "
                                              "inactive/停用; treated as active"),
                                N_("Use one of the status words")),
    "CUS_REQUIRED_BLANK": Entry(W, N_("A field listed in Settings required_customer_fields is blank"),
                                N_("Fill in the field from the customer's archive")),
    "CUS_CATEGORY_INACTIVE": Entry(W, N_("The customer's category (or a category above it) is marked inactive"),
                                   N_("Move the customer to an active category, or activate the category")),
    "CUS_INACTIVE_BALANCE": Entry(W, N_("A customer marked inactive or dormant still owes money"),
                                  N_("Collect or settle the balance, or set the status back to active")),
    "CUS_INACTIVE_INVOICED": Entry(W, N_("A customer marked inactive or dormant was invoiced within the last "
                                         "dormant_months months"),
                                   N_("Set the status back to active, or check the invoices' customer")),
    "CUS_SAME_PHONE": Entry(W, N_("Two customers have the same phone number (digits compared)"),
                            N_("Merge them if they are one firm, or correct the phone")),
    "CUS_SAME_ADDRESS": Entry(W, N_("Two customers have the same address (spaces and full-width ignored)"),
                              N_("Merge them if they are one firm, or correct the address")),
    "CUS_ACTIVE_IDLE": Entry(W, N_("A customer marked active has had no transaction for dormant_months months"),
                             N_("Set the status to dormant or inactive, or check for missing transactions")),
    "CUS_TYPE_UNKNOWN": Entry(W, N_("Customer type is not blank, 企业 (company) or 个人 (individual)"),
                              N_("Use 企业 or 个人")),
    "CUS_DATE_TEXT": Entry(W, N_("A date is typed as text (it is read as a date)"), N_("Make it a real date cell")),
    "CUS_DATE_INVALID": Entry(W, N_("Opened-on is not a date; it is ignored"), N_("Type the date as year-month-day")),
    # --------------------------------------------------------------- transactions
    "TXN_ERROR_VALUE": Entry(E, N_("A Transactions cell holds an Excel error value"),
                             N_("Fix the formula or type the value")),
    "TXN_SPACES": Entry(W, N_("A code has stray spaces or full-width characters (read without them)"),
                        N_("Retype the code half-width, without spaces")),
    "TXN_ID_MISSING": Entry(E, N_("Txn ID is blank"), N_("Give every transaction its voucher/invoice number")),
    "TXN_DUPLICATE_ID": Entry(E, N_("A Txn ID is used on more than one row"), N_("Give each transaction its own id")),
    "TXN_CUSTOMER_MISSING": Entry(E, N_("Transaction has no customer code"),
                                  N_("Type the customer code")),
    "TXN_CUSTOMER_UNKNOWN": Entry(E, N_("Transaction's customer is not on the Customers sheet"),
                                  N_("Add the customer, or correct the code")),
    "TXN_KIND_MISSING": Entry(E, N_("Transaction kind is blank"),
                              N_("Type invoice, credit_note, receipt, opening or adjustment (or the Chinese word)")),
    "TXN_KIND_UNKNOWN": Entry(E, N_("Transaction kind is not one xlcust knows"),
                              N_("Type invoice/发票, credit_note/红字发票, receipt/收款, "
                                 "opening/期初 or adjustment/调整")),
    "TXN_DATE_MISSING": Entry(E, N_("Transaction date is blank"), N_("Type the date")),
    "TXN_DATE_TEXT": Entry(W, N_("A date is typed as text (it is read as a date)"), N_("Make it a real date cell")),
    "TXN_DATE_INVALID": Entry(E, N_("A date cannot be read (including ambiguous day/month forms such as 05/01/2024)"),
                              N_("Type the date as year-month-day")),
    "TXN_DATE_FUTURE": Entry(I, N_("Transaction is dated after the as-of date"),
                             N_("Check the year; otherwise nothing to do")),
    "TXN_AMOUNT_MISSING": Entry(E, N_("Amount is blank"), N_("Type the amount")),
    "TXN_AMOUNT_ERROR_VALUE": Entry(E, N_("Amount holds an Excel error value such as #DIV/0!"),
                                    N_("Fix the formula, or type the amount")),
    "TXN_AMOUNT_INVALID": Entry(E, N_("Amount is not a number (e.g. '1,2,3' or words)"),
                                N_("Type the amount as a number")),
    "TXN_AMOUNT_TEXT": Entry(W, N_("Amount is a number stored as text (it is read as a number)"),
                             N_("Convert the cell to a number")),
    "TXN_AMOUNT_FRACTION": Entry(W, N_("Amount has fractions of a cent; it is rounded to the cent"),
                                 N_("Round the amount to two decimals")),
    "TXN_AMOUNT_NEGATIVE": Entry(E, N_("Amount is negative: amounts are positive and the kind gives the sign "
                                    "(only an adjustment may be negative)"),
                                 N_("Remove the minus sign and choose the right kind")),
    "TXN_AMOUNT_ZERO": Entry(W, N_("Amount is zero"), N_("Delete the row, or type the amount")),
    "TXN_DUE_BEFORE_DATE": Entry(E, N_("Due date is before the transaction date"),
                                 N_("Correct the due date, or leave it blank")),
    "TXN_REFERENCE_UNKNOWN": Entry(E, N_("A receipt's or credit note's reference is not the Txn ID of an invoice or "
                                      "opening balance"), N_("Type the invoice's Txn ID, or leave Reference blank")),
    "TXN_REFERENCE_OTHER_CUSTOMER": Entry(E, N_("A reference names an invoice of another customer"),
                                          N_("Correct the reference or the customer code")),
    "TXN_OVER_CREDIT_LIMIT": Entry(W, N_("An invoice takes its customer's balance (through this row) over the "
                                         "resolved credit limit; the workbook marks its amount red"),
                                   N_("Collect first, raise the limit with approval, or split the delivery")),
    "TXN_NEAR_CREDIT_LIMIT": Entry(I, N_("An invoice takes its customer's balance (through this row) to Settings "
                                         "credit_near_limit of the credit limit or more; the workbook marks it amber"),
                                   N_("Nothing to do yet; follow up on open invoices")),
    # ----------------------------------------------------------- category history
    "HIS_ERROR_VALUE": Entry(E, N_("A CategoryHistory cell holds an Excel error value"),
                             N_("Fix the formula or type the value")),
    "HIS_SPACES": Entry(W, N_("A code has stray spaces or full-width characters (read without them)"),
                        N_("Retype the code half-width, without spaces")),
    "HIS_CUSTOMER_MISSING": Entry(E, N_("History row has no customer code"),
                                  N_("Type the customer code, or delete the row")),
    "HIS_CUSTOMER_UNKNOWN": Entry(E, N_("History row's customer is not on the Customers sheet"),
                                  N_("Correct the code")),
    "HIS_CATEGORY_MISSING": Entry(E, N_("History row has no category code"),
                                  N_("Type the category code")),
    "HIS_CATEGORY_UNKNOWN": Entry(E, N_("History row's category is not on the Categories sheet"),
                                  N_("Correct the code; keep old categories (inactive) rather than deleting them")),
    "HIS_FROM_MISSING": Entry(E, N_("Valid from is blank"), N_("Type the start date of the period")),
    "HIS_DATE_TEXT": Entry(W, N_("A date is typed as text (it is read as a date)"), N_("Make it a real date cell")),
    "HIS_DATE_INVALID": Entry(E, N_("A date cannot be read"), N_("Type the date as year-month-day")),
    "HIS_PERIOD_EMPTY": Entry(E, N_("Valid to is not after Valid from"), N_("Make Valid to later than Valid from")),
    "HIS_OVERLAP": Entry(E, N_("Two periods of one customer overlap"),
                         N_("End the earlier period where the later one starts")),
    "HIS_GAP": Entry(W, N_("A customer has no category between two periods"), N_("Make the periods meet")),
    "HIS_SEVERAL_OPEN": Entry(E, N_("A customer has more than one open period (blank Valid to)"),
                              N_("Type the end date of all but the current period")),
    "HIS_NO_OPEN": Entry(E, N_("A customer with history has no open period"),
                         N_("Blank Valid to on the current row, or add a current row")),
    "HIS_CHANGE_UNRECORDED": Entry(E, N_("Customer's category differs from its open history period and it has "
                                      "transactions in that period: the change was never recorded"),
                                   N_("Run `xlcust reclassify --apply` to record an effective date, or "
                                      "correct Customers")),
    "HIS_CHANGE_NO_HISTORY": Entry(E, N_("A used customer's category differs from the one xlcust remembers from its "
                                      "last run, and no CategoryHistory row records the change"),
                                   N_("Run `xlcust reclassify --apply` to record an effective date, or "
                                      "correct Customers")),
    "HIS_OPEN_MISMATCH": Entry(W, N_("Open history period's category differs from the customer's category "
                                  "(no transactions affected)"),
                               N_("Run `xlcust reclassify --apply`, or correct Customers")),
    # ---------------------------------------------------------------------- rules
    "RUL_ERROR_VALUE": Entry(E, N_("A Rules cell holds an Excel error value (a rule typed with a leading "
                                   "= becomes one)"),
                             N_("Type the rule without a leading =, or start the cell with an apostrophe")),
    "RUL_SPACES": Entry(W, N_("A rule id has stray spaces or full-width characters (read without them)"),
                        N_("Retype the id half-width, without spaces")),
    "RUL_ID_MISSING": Entry(E, N_("A rule has no Rule ID; it does not run"), N_("Type a short unique id such as R07")),
    "RUL_ID_DUPLICATE": Entry(E, N_("Two rules have the same Rule ID; the second does not run"),
                              N_("Give every rule its own id")),
    "RUL_PRIORITY_INVALID": Entry(E, N_("Priority is not a whole number; the rule does not run"),
                                  N_("Type a whole number (smaller runs first), or leave it blank")),
    "RUL_ACTIVE_INVALID": Entry(E, N_("Active is not yes or no; the rule does not run"),
                                N_("Type TRUE or FALSE (是/否), or leave it blank for active")),
    "RUL_WHEN_MISSING": Entry(E, N_("A rule has no condition (When)"), N_("Type a condition, or TRUE for all")),
    "RUL_THEN_MISSING": Entry(E, N_("A rule has no action (Then)"), N_('Type an action such as tag + "催收"')),
    "RUL_SYNTAX": Entry(E, N_("The condition or action cannot be parsed; the message gives the character position"),
                        N_("Correct the text at that position; see docs/rules.md")),
    "RUL_TOO_LONG": Entry(E, N_("The condition (over 1,000 characters) or action (over 300) is too long"),
                          N_("Split it into several rules")),
    "RUL_TOO_DEEP": Entry(E, N_("The condition nests more than 40 levels deep"),
                          N_("Simplify it: AND(…) and OR(…) take many arguments")),
    "RUL_NUMBER_RANGE": Entry(E, N_("A number in the rule is out of range (above 1e15)"),
                              N_("Type a realistic amount or count")),
    "RUL_UNKNOWN_NAME": Entry(E, N_("The condition uses a name that is not a metric"),
                              N_("Use a name from docs/rules.md; the message suggests the closest")),
    "RUL_UNKNOWN_FUNCTION": Entry(E, N_("The condition calls a function xlcust does not have"),
                                  N_("Use AND, OR, NOT, IN, HAS_TAG, STARTS_WITH, CONTAINS, DATE, "
                                     "ISBLANK, ABS, MIN, MAX")),
    "RUL_ARGUMENT_COUNT": Entry(E, N_("A function has too few or too many arguments"),
                                N_("Write it as the message shows")),
    "RUL_ARGUMENT": Entry(E, N_("A function argument must be typed in the rule (text in quotes, whole numbers)"),
                          N_("Write it as the message shows")),
    "RUL_TYPE_MISMATCH": Entry(E, N_("Values of different types are compared or combined (a number with text, …)"),
                               N_("Remove or add the quotes as the message suggests")),
    "RUL_NOT_CONDITION": Entry(E, N_("The condition is a number, text or date, not TRUE/FALSE"),
                               N_("Compare it with something: revenue_12m > 0")),
    "RUL_BAD_DATE": Entry(E, N_("A date in the rule is not a calendar date"),
                          N_('Write "2026-01-01" or DATE(2026, 1, 1)')),
    "RUL_BAD_VALUE": Entry(E, N_("A status in the rule is not a status xlcust knows"),
                           N_('Use "active", "inactive" or "dormant" (正常, 停用, 休眠)')),
    "RUL_ACTION_UNKNOWN": Entry(E, N_("The action is not category =, tag +/-, grade = or flag"),
                                N_('Write category = "0102", tag + "催收", tag - "VIP", grade = "D" or flag "…"')),
    "RUL_ACTION_VALUE": Entry(E, N_("The action's value is empty, unquoted, not a grade A–D or more than one tag"),
                              N_("Type one value in double quotes")),
    "RUL_CATEGORY_UNKNOWN": Entry(E, N_("The action moves customers to a category that is not on the Categories sheet"),
                                  N_("Use a code from the Categories sheet")),
    "RUL_CATEGORY_NOT_LEAF": Entry(E, N_("The action moves customers to a category with subcategories"),
                                   N_("Choose a leaf (末级) category")),
    "RUL_CATEGORY_INACTIVE": Entry(W, N_("The action moves customers to a category marked inactive"),
                                   N_("Activate the category, or choose an active one")),
    "RUL_INACTIVE_INVALID": Entry(I, N_("An inactive rule would not run if switched on (its problem is "
                                        "in the message)"),
                                  N_("Fix it before switching it on")),
    "RUL_CREDIT_FAILED": Entry(E, N_("Credit grades could not be computed; rules using them were skipped"),
                               N_("Run `xlcust grades` to see why")),
    "RUL_EVAL_FAILED": Entry(E, N_("A rule failed while evaluating (an xlcust bug); it was skipped"),
                             N_("Report it with the rule's text")),
    # --------------------------------------------------------------- reclassify
    "RCL_HISTORY_UNCLEAR": Entry(W, N_("A customer was not moved: its CategoryHistory has no single current period"),
                                 N_("Fix the customer's history, then run again")),
    "RCL_BEFORE_HISTORY": Entry(W, N_("A customer was not moved: its current history period starts on or after the "
                                   "as-of date (the change would be retroactive)"),
                                N_("Run with a later --as-of, or correct the history row")),
    # --------------------------------------------------------------------- xlcust
    "CHECK_CRASHED": Entry(E, N_("A check failed inside xlcust (a bug); the other checks still ran"),
                           N_("Report it with the message; the named check's results are missing")),
}


def markdown_table(lang: str = "en") -> str:
    """The check table for the README: code, severity, meaning, fix."""
    if lang == "zh":
        lines = ["| 代码 | 级别 | 含义 | 处理 |", "|---|---|---|---|"]
    else:
        lines = ["| code | severity | meaning | what to do |", "|---|---|---|---|"]
    for code, e in CATALOG.items():
        lines.append(f"| `{code}` | {e.severity.label(lang)} | {e.meaning(lang)} | {e.fix_in(lang)} |")
    return "\n".join(lines)
