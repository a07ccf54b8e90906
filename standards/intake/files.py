"""Reading an uploaded referral spreadsheet (XLSX or CSV) into cells.

Refused whole, before any row is read: files over the size limit, macro
workbooks (.xlsm, or any workbook holding VBA code), files that are not what
they claim, archives that would expand beyond a sane size, sheets with more
rows than the limit. XLSX is read with openpyxl in read-only mode and without
evaluating anything: a formula cell is reported, never computed or imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# A workbook is a zip archive: its parts may expand at most this much.
MAX_EXPANSION = 20
MACRO_PARTS = ("xl/vbaProject.bin",)
# The HTCDS template has 39 columns; cells beyond this many are never read.
MAX_COLUMNS = 200


class SheetRefused(Exception):
    """The whole file is refused; the message says why (never its content)."""


@dataclass(frozen=True)
class Cell:
    ref: str  # "C5"
    value: object  # str, int, float, bool, date or None
    formula: bool = False


@dataclass
class Sheet:
    header: list[Cell]
    rows: list[tuple[int, list[Cell]]]  # (row number in the file, cells)


def cell_ref(column: int, row: int) -> str:
    return f"{get_column_letter(column)}{row}"


def read_sheet(*, name: str, data: bytes) -> Sheet:
    """The first sheet's header row and its non-blank rows."""
    if len(data) > settings.VAF_INTAKE_MAX_BYTES:
        raise SheetRefused(_("The file is larger than the %(n)d bytes allowed.") % {"n": settings.VAF_INTAKE_MAX_BYTES})
    lower = name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise SheetRefused(_("Macro-enabled and old Excel workbooks are not accepted: save the file as .xlsx or .csv."))
    if lower.endswith(".csv"):
        return _read_csv(data)
    if lower.endswith(".xlsx"):
        return _read_xlsx(data)
    raise SheetRefused(_("Upload an .xlsx workbook or a .csv file."))


def _check_rows(count: int) -> None:
    if count > settings.VAF_INTAKE_MAX_ROWS:
        raise SheetRefused(
            _("The sheet has more than %(n)d rows of data: split it into smaller files.")
            % {"n": settings.VAF_INTAKE_MAX_ROWS}
        )


def _check_header(header: list[Cell]) -> None:
    if len(header) > MAX_COLUMNS and any(c.value not in (None, "") for c in header[MAX_COLUMNS:]):
        raise SheetRefused(_("The sheet has more than %(n)d columns.") % {"n": MAX_COLUMNS})


def _blank(cells: list[Cell], header: list[Cell]) -> bool:
    """No value under a named column (the HTCDS template numbers its rows in
    an unnamed first column) and no formula anywhere."""
    named = {i for i, c in enumerate(header) if isinstance(c.value, str) and c.value.strip()}
    if any(c.formula for c in cells):
        return False
    return all(
        c.value is None or (isinstance(c.value, str) and not c.value.strip()) for i, c in enumerate(cells) if i in named
    )


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetRefused(_("The CSV file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise SheetRefused(_("The CSV file is not text."))
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[Cell] = []
    rows: list[tuple[int, list[Cell]]] = []
    for number, values in enumerate(reader, start=1):
        cells = [
            Cell(cell_ref(i, number), value if value != "" else None)
            for i, value in enumerate(values[: MAX_COLUMNS + 1], 1)
        ]
        if number == 1:
            header = cells
            _check_header(header)
        elif not _blank(cells, header):
            rows.append((number, cells))
            _check_rows(len(rows))
    return Sheet(header=header, rows=rows)


def _open_workbook(data: bytes):
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SheetRefused(_("The file is not a valid .xlsx workbook.")) from None
    with archive:
        names = archive.namelist()
        if any(part in names for part in MACRO_PARTS):
            raise SheetRefused(_("The workbook contains macros: save it as a plain .xlsx workbook without macros."))
        if sum(info.file_size for info in archive.infolist()) > MAX_EXPANSION * settings.VAF_INTAKE_MAX_BYTES:
            raise SheetRefused(_("The workbook expands to more data than is allowed."))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise SheetRefused(_("The file is not a valid .xlsx workbook.")) from None


def _xlsx_value(cell) -> tuple[object, bool]:
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return None, True
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    return value, False


def _read_xlsx(data: bytes) -> Sheet:
    workbook = _open_workbook(data)
    try:
        sheet = workbook.worksheets[0]
        header: list[Cell] = []
        rows: list[tuple[int, list[Cell]]] = []
        scanned_limit = settings.VAF_INTAKE_MAX_ROWS * 50 + 10
        for number, raw in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            if number > scanned_limit:
                _check_rows(settings.VAF_INTAKE_MAX_ROWS + 1)
            cells = []
            for column, cell in enumerate(raw, start=1):
                value, formula = _xlsx_value(cell) if hasattr(cell, "data_type") else (None, False)
                cells.append(Cell(cell_ref(column, number), value, formula))
            if number == 1:
                header = cells
                _check_header(header)
            elif not _blank(cells, header):
                rows.append((number, cells))
                _check_rows(len(rows))
        return Sheet(header=header, rows=rows)
    finally:
        workbook.close()
