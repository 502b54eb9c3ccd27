"""Reading and writing the CSV files of the contract (encoding, header, rows with line numbers)."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputIssue
from ..model.names import close_match

logger = logging.getLogger(__name__)


#: Names that exports (Excel, the tobacco marketing systems) commonly give the required columns:
#: a missing column found under one of these is named in the error with the rename it needs.
COLUMN_HINTS: dict[str, tuple[str, ...]] = {
    "customer_id": ("客户编码", "客户编号", "客户代码", "许可证号", "专卖许可证号", "id", "customer", "code"),
    "lon": ("经度", "longitude", "lng", "long", "x"),
    "lat": ("纬度", "latitude", "y"),
    "manager_id": ("客户经理编码", "客户经理", "工号", "manager", "id"),
    "role": ("角色", "岗位", "类别", "class"),
}


def read_table(path: Path, *, required: Sequence[str], issues: list[InputIssue]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV file into ``(line number, row)`` pairs.

    UTF-8 (with or without BOM) is expected; GBK, common for files saved by Excel in China, is
    accepted too. Blank lines are skipped; column names are stripped. Problems are appended to
    ``issues``; the rows that could be read are returned.
    """
    name = path.name
    if not path.is_file():
        issues.append(InputIssue(name, f"file not found: {path}"))
        return []
    raw = path.read_bytes()
    text = _decode(raw, name, issues)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    return table_rows(((reader.line_num, values) for values in reader), name=name, required=required,
                      issues=issues)


def table_rows(records: Iterable[tuple[int, Sequence[str]]], *, name: str, required: Sequence[str],
               issues: list[InputIssue], empty: str = "file is empty",
               missing_note: str = "") -> list[tuple[int, dict[str, str]]]:
    """The rows of a table read as text: the checks every tabular input gets, whatever the file.

    Parameters
    ----------
    records
        ``(row number, cell texts)`` in file order, row numbers as the file shows them (a CSV
        file's line, a spreadsheet's row).
    name
        The file named in issues.
    required
        Columns the header must hold; a missing one is named, with the rename it needs when the
        header has a common export name for it (:data:`COLUMN_HINTS`).
    issues
        Where problems are appended.
    empty
        What an input without a header row is called (``"file is empty"``).
    missing_note
        Appended to the message of each missing required column.

    Returns
    -------
    list of (int, dict)
        ``(row number, {column: stripped text})`` for every non-blank row after the header.
    """
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = [v.strip() for v in values]
            missing = [c for c in required if c not in header]
            for column in missing:
                hint = next((f"; rename '{h}' to '{column}'" for h in header
                             if h.lower() in COLUMN_HINTS.get(column, ())), "")
                if not hint:  # a misspelling: lattitude for lat (through latitude), customer_di for customer_id
                    hint = next((f"; did you mean '{column}'? rename '{h}' to '{column}'" for h in header
                                 if h not in required and close_match(h, [column], aliases=COLUMN_HINTS)), "")
                issues.append(InputIssue(name, f"required column '{column}' is missing; the header has "
                                               f"{', '.join(header)}{hint}{missing_note}", line, column))
            duplicated = sorted({c for c in header if header.count(c) > 1 and c})
            for column in duplicated:
                issues.append(InputIssue(name, f"column '{column}' appears more than once in the header", line,
                                         column))
            if missing or duplicated:
                return []
            continue
        if len(values) > len(header):
            issues.append(InputIssue(name, f"row has {len(values)} fields but the header has {len(header)}", line))
            continue
        row = {column: (values[i].strip() if i < len(values) else "") for i, column in enumerate(header)}
        rows.append((line, row))
    if header is None:
        issues.append(InputIssue(name, f"{empty}; expected a header row with " + ", ".join(required)))
    return rows


def _decode(raw: bytes, name: str, issues: list[InputIssue]) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError:
        issues.append(InputIssue(name, "file is neither UTF-8 nor GBK text; save it as UTF-8 CSV"))
        return None
    logger.warning("%s is not UTF-8; read it as GBK", name)
    return text


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a UTF-8 CSV file with Unix line ends."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)  # the csv module writes None as an empty field
