"""The words of a statement (对账单), as catalog texts: English msgids, Chinese in the .po.

`templates/statement.toml` keeps how a statement looks (fonts, formats, widths, print
setup); what it says lives here so both languages come from the one message catalog.
"""

from __future__ import annotations

from ..i18n import N_

WORDS: dict[str, str] = {
    "title": N_("Statement of account"),
    "summary_title": N_("Statements summary"),
    "period": N_("Period: {start} to {end}"),
    "category": N_("Category"),
    "customer_code": N_("Customer code"),
    "customer_name": N_("Customer"),
    "tax_id": N_("Tax ID"),
    "contact": N_("Contact"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "currency": N_("Currency"),
    "settlement_method": N_("Settlement method"),
    "invoice_type": N_("Invoice type"),
    "date": N_("Date"),
    "txn_id": N_("Document"),
    "kind": N_("Kind"),
    "memo": N_("Memo"),
    "debit": N_("Debit"),
    "credit": N_("Credit"),
    "balance": N_("Balance"),
    "opening": N_("Opening balance"),
    "closing": N_("Closing balance"),
    "period_total": N_("Total for the period"),
    "no_lines": N_("No transactions in this period"),
    "debits": N_("Debits"),
    "credits": N_("Credits"),
    "total": N_("Total"),
    "aging": N_("Aging of open items at {date}"),
    "open_items": N_("Open items"),
    "unapplied": N_("Less unapplied credit"),
    "aging_balance": N_("Receivable balance"),
    "credit_heading": N_("Credit terms"),
    "credit_limit": N_("Credit limit"),
    "available": N_("Available credit"),
    "no_limit": N_("No limit"),
    "confirm": N_("Please check this statement. If it agrees with your records, sign and return it; "
                  "otherwise tell us what differs."),
    "signature": N_("Confirmed by (signature and stamp):"),
    "signed_on": N_("Date:"),
    "tie": N_("Closing total = aging balance of the category at {date}"),
    "tie_selected": N_("Closing total = aging balance of the customers shown at {date} (customers selected by a "
                       "condition)"),
    "not_due": N_("Not due"),
    "bucket": N_("{low}-{high} days"),
    "beyond": N_("Over {days} days"),
    "page": N_("Page &P of &N"),  # &P and &N are Excel's page and page count in a footer
}

SHEETS: dict[str, str] = {
    "summary": N_("Summary"),
    "statements": N_("Statements"),
}

KINDS: dict[str, str] = {
    "invoice": N_("Invoice"),
    "credit_note": N_("Credit note"),
    "receipt": N_("Receipt"),
    "opening": N_("Opening"),
    "adjustment": N_("Adjustment"),
}
