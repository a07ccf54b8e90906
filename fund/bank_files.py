"""The bank's CSV files: the payment batch we send, the statement we receive.

Formatting and parsing only; fund.services.bank records and reconciles.

Payment batch columns: see BATCH_COLUMNS. Every cell that a spreadsheet would
read as a formula is prefixed with an apostrophe (config.spreadsheets).

Statement: a CSV with a header row naming at least a payment reference column
(`payment_reference` or `reference`) and an `amount` column; `date` and
`description` are kept if present. Anything else is refused with the line and
the problem, before anything is changed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from config.spreadsheets import neutralise_formula
from fund.policy import MAX_AMOUNT

BATCH_COLUMNS = [
    "disbursement_id",
    "case_reference",
    "status",
    "category",
    "amount",
    "currency",
    "payee_type",
    "payee_name",
    "payee_account",
    "approved_at",
]
STATEMENT_MAX_BYTES = 1024 * 1024
STATEMENT_MAX_LINES = 10_000
REFERENCE_COLUMNS = ("payment_reference", "reference")


def batch_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BATCH_COLUMNS)
    for row in rows:
        writer.writerow([neutralise_formula(row.get(column)) for column in BATCH_COLUMNS])
    return out.getvalue()


@dataclass(frozen=True)
class StatementLine:
    line: int
    payment_reference: str
    amount: Decimal
    date: str = ""
    description: str = ""


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(_("The bank statement cannot be read: %(m)s") % {"m": message}, errors={"file": [message]})


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise _refuse(_("the file is empty."))
    if len(raw) > STATEMENT_MAX_BYTES:
        raise _refuse(_("the file is larger than 1 MiB."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_("the file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise _refuse(_("the file contains NUL characters: it is not a text file."))
    return text


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    columns = {name: index for index, name in enumerate(names) if name}
    reference = next((name for name in REFERENCE_COLUMNS if name in columns), None)
    if reference is None or "amount" not in columns:
        raise _refuse(_("the first line must name the columns payment_reference (or reference) and amount."))
    columns["payment_reference"] = columns[reference]
    return columns


def _amount(text: str, line: int) -> Decimal:
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise _refuse(_("line %(n)d: the amount is not a number.") % {"n": line}) from None
    # Banks show money going out as negative or positive: the size is what matches.
    if not amount.is_finite() or amount == 0 or amount.as_tuple().exponent < -2:
        raise _refuse(_("line %(n)d: the amount must be non-zero with at most two decimal places.") % {"n": line})
    if abs(amount) > MAX_AMOUNT:
        raise _refuse(_("line %(n)d: the amount is larger than any payment the fund makes.") % {"n": line})
    return abs(amount).quantize(Decimal("0.01"))


def parse_statement(raw: bytes) -> list[StatementLine]:
    """The statement's lines, or ValidationFailed naming the first problem."""
    try:
        rows = list(csv.reader(io.StringIO(_decode(raw), newline=""), strict=True))
    except csv.Error as exc:
        raise _refuse(_("it is not a valid CSV file (%(e)s).") % {"e": exc}) from None
    rows = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise _refuse(_("it has no lines after the header."))
    if len(rows) > STATEMENT_MAX_LINES + 1:
        raise _refuse(_("it has more than %(n)d lines.") % {"n": STATEMENT_MAX_LINES})
    columns = _columns(rows[0][1])
    width = max(columns.values()) + 1
    lines = []
    for number, row in rows[1:]:
        if len(row) < width:
            raise _refuse(_("line %(n)d has too few columns.") % {"n": number})
        reference = row[columns["payment_reference"]].strip()
        if not reference:
            raise _refuse(_("line %(n)d has no payment reference.") % {"n": number})
        lines.append(
            StatementLine(
                line=number,
                payment_reference=reference[:100],
                amount=_amount(row[columns["amount"]], number),
                date=row[columns["date"]].strip()[:40] if "date" in columns else "",
                description=row[columns["description"]].strip()[:200] if "description" in columns else "",
            )
        )
    return lines
