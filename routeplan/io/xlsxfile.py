"""Reading the first sheet of an Excel workbook (.xlsx, as Excel and WPS save it) as a table of the
contract: the same rows and checks as a CSV file (:func:`routeplan.io.csvfile.table_rows`), with
each cell turned into the text a user sees in it, and issues that name the sheet, the row and the
column letter as the spreadsheet shows them."""

from __future__ import annotations

import datetime as dt
import math
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import InputIssue
from .csvfile import table_rows


@dataclass(frozen=True, slots=True)
class SheetIssue(InputIssue):
    """An :class:`~routeplan.errors.InputIssue` in a sheet of a workbook: ``file``, ``row`` and
    ``column`` as for a CSV file (the row as the spreadsheet numbers it, the header row 1), with
    the sheet's name and the column's letter.

    Parameters
    ----------
    sheet
        The name of the sheet (its tab).
    letter
        The column's letter (``"C"``), when the column is in the sheet.
    """

    sheet: str = ""
    letter: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}, sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
            if self.letter is not None:
                where += f" ({self.letter})"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Sheet:
    """Where the rows of a table read from a workbook came from.

    Parameters
    ----------
    file
        The workbook's file name (``customers.xlsx``), as issues name it.
    name
        The sheet's name ("" when the workbook could not be read: its issues name the file only).
    letters
        Column name -> its letter in the sheet.
    """

    file: str
    name: str
    letters: Mapping[str, str] = field(default_factory=dict)

    def locate(self, issue: InputIssue) -> InputIssue:
        """``issue`` with this sheet and the column's letter, when it is about this workbook."""
        if issue.file != self.file or isinstance(issue, SheetIssue) or not self.name:
            return issue
        letter = None if issue.column is None else self.letters.get(issue.column)
        return SheetIssue(issue.file, issue.message, issue.row, issue.column, sheet=self.name, letter=letter)


def located(issues: Iterable[InputIssue], sheets: Sequence[Sheet]) -> list[InputIssue]:
    """Each issue about a workbook of ``sheets`` named by its sheet and column letter (others as
    they are)."""
    found = list(issues)
    for sheet in sheets:
        found = [sheet.locate(issue) for issue in found]
    return found


def read_sheet(path: Path, *, required: Sequence[str],
               issues: list[InputIssue]) -> tuple[list[tuple[int, dict[str, str]]], Sheet]:
    """Read the first sheet of the workbook ``path`` as a table.

    The header is the first non-blank row; blank rows are skipped. Each cell reads as the text
    a user sees in it (:func:`cell_text`): a whole number typed in Excel (``3.0``) as ``"3"``, a
    time cell as ``"08:30"``, so that the checks of the CSV files apply unchanged.

    Parameters
    ----------
    path
        The workbook (.xlsx).
    required
        Columns the header must hold.
    issues
        Where problems are appended (naming the file; :func:`located` adds the sheet and letter).

    Returns
    -------
    rows : list of (int, dict)
        ``(row number as the spreadsheet shows it, {column: text})`` for every data row.
    sheet : Sheet
        The sheet read, for :func:`located`.
    """
    name = path.name
    try:
        title, others, header_row, records = _first_sheet(path)
    except _UNREADABLE as err:
        why = ("the file is not a zip archive, as every .xlsx is (a CSV or an old .xls file renamed?)"
               if isinstance(err, zipfile.BadZipFile) else f"{type(err).__name__}: {err}")
        issues.append(InputIssue(name, f"not an Excel workbook (.xlsx) that can be read: {why}; save it from Excel "
                                       "or WPS as 'Excel Workbook (*.xlsx)', or as CSV UTF-8"))
        return [], Sheet(name, "")
    letters = {column: get_column_letter(i) for i, column in enumerate(header_row, start=1) if column}
    sheet = Sheet(name, title, letters)
    if records:
        records = [records[0], *_beyond_header(records[1:], sheet, len(header_row), issues)]
    note = (f" (the first sheet, '{title}', is read; the workbook also has "
            f"{', '.join(repr(t) for t in others)}: put the table on the first sheet)") if others else ""
    found = len(issues)
    rows = table_rows(records, name=name, required=required, issues=issues, empty="the sheet is empty",
                      missing_note=note)
    for i in range(found, len(issues)):
        issues[i] = sheet.locate(issues[i])
    return rows, sheet


#: What reading a file that is no workbook, or a damaged one, raises in openpyxl: not a zip
#: archive, a part missing or of the wrong type, XML that does not parse, a cell that refers to a
#: shared text or style that is not there. (XML errors, of the standard library's parser or of
#: lxml's where openpyxl uses it, are SyntaxErrors.)
_UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, IndexError, OSError,
               SyntaxError)


def _first_sheet(path: Path) -> tuple[str, list[str], list[str], list[tuple[int, list[str]]]]:
    """The first sheet's name, the other sheets' names, its header's texts and its non-blank rows
    (``(row number, cell texts)``), or one of :data:`_UNREADABLE`'s errors."""
    with warnings.catch_warnings():
        # openpyxl warns about parts of a workbook it drops on reading (data validation, an
        # unknown extension, no default style): none of them touches a cell's value.
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        worksheets = book.worksheets
        if not worksheets:
            raise ValueError("the workbook has no worksheet")
        first = worksheets[0]
        # Workbooks written by some programs state a wrong size: read every row that is there.
        first.reset_dimensions()
        header: list[str] = []
        records = list(_records(first.iter_rows(values_only=True), header))
        return first.title, [ws.title for ws in worksheets[1:]], header, records
    finally:
        book.close()


def _records(values: Iterable[tuple[Any, ...]], header: list[str]) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cell texts)`` of a sheet's rows, trailing empty cells dropped; ``header``
    gets the texts of the first non-blank row."""
    for number, row in enumerate(values, start=1):
        texts = [cell_text(v) for v in row]
        while texts and not texts[-1].strip():
            texts.pop()
        if not texts:
            continue
        if not header:
            header.extend(t.strip() for t in texts)
        yield number, texts


def _beyond_header(records: list[tuple[int, list[str]]], sheet: Sheet, width: int,
                   issues: list[InputIssue]) -> list[tuple[int, list[str]]]:
    """The records cut to the header's width, with an issue for each row that holds a value in a
    column without a name (the spreadsheet's counterpart of a CSV row with too many fields)."""
    kept = []
    for number, texts in records:
        if len(texts) > width:
            extra = next(i for i in range(width, len(texts)) if texts[i].strip())
            letter = get_column_letter(extra + 1)
            issues.append(SheetIssue(sheet.file, f"cell {letter}{number} holds '{texts[extra].strip()}', but column "
                                                 f"{letter} has no name in the header row; name the column or clear "
                                                 "the cell", number, None, sheet=sheet.name))
        kept.append((number, texts[:width]))
    return kept


def cell_text(value: Any) -> str:
    """The text a user sees in a cell, as a CSV file saved from it would hold it.

    Empty cells read as ``""``; text as it is; whole numbers without a decimal point (``3.0``
    reads ``"3"``), other numbers in the shortest form that reads back the same (``119.1314``);
    ``TRUE``/``FALSE`` as Excel shows them; a time of day as ``"HH:MM"`` (``"HH:MM:SS"`` with
    seconds), a duration (``[h]:mm``) likewise in hours and minutes, a date as ``YYYY-MM-DD``
    and a date with a time as ``YYYY-MM-DD HH:MM``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return f"{value.date().isoformat()} {_clock(value.hour * 3600 + value.minute * 60 + value.second)}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _clock(value.hour * 3600 + value.minute * 60 + value.second + round(value.microsecond / 1e6))
    if isinstance(value, dt.timedelta):
        return _clock(round(value.total_seconds()))
    return str(value)


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
