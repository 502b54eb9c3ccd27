"""plan.xlsx: the plan as an Excel workbook to print and hand out. A first sheet, ``Summary``, has
every manager's figures (and the customers left unserved); then one sheet per manager, named by
its id, with its days one after another, one printed page a day: each stop with its arrival,
start and end, the customer and its tier, and the day's totals."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..model.problem import Customer, Manager
from ..model.routes import DayRoute
from .exports import cycle_dates, cycle_start
from .figures import PlanView, manager_figures

#: The name of plan.xlsx in a plan folder.
WORKBOOK_FILE = "plan.xlsx"
SUMMARY_SHEET = "Summary"

#: How the cells of times show: hours and minutes of a time kept to the second ("[h]" so that
#: 24:00, the end of a late shift, does not read 00:00).
TIME_FORMAT = "[h]:mm"
_DAY_SECONDS = 24 * 3600
#: Seconds that writing plan.xlsx takes per visit, with a margin: 3.1 s for the 5,704 visits of
#: data/samples/kuiwen-levels on the project's 2-core machine (openpyxl without lxml).
SECONDS_PER_VISIT = 0.0008
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET_NAME = 31
_HEADER_ROW = 4  # title, subtitle, a blank row, then the column headings

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADING_FILL = PatternFill("solid", fgColor="D9E1F2")
_DAY_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="808080")
_BOTTOM = Border(bottom=_THIN)
_TOP = Border(top=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_workbook(plan: PlanView, path: str | os.PathLike[str], *, start_date: dt.date | None = None) -> Path:
    """Write a plan as an Excel workbook (plan.xlsx), ready to print.

    The first sheet, ``Summary``, lists every manager's figures (customers, visits, days worked,
    travel km, work minutes, the longest day) with a link to its sheet, and the customers left
    unserved with the reason. Then comes one sheet per manager, named by its id (made a valid
    sheet name: at most 31 characters, none of ``[]:*?/\\``), holding its days one after
    another, each on a page of its own: the day and its date, the departure, each stop in route
    order with its arrival, start and end (as the plan's routes give them, shown to the minute),
    the customer's id, name and address (when the scenario has them) and tier, the return, and the
    day's totals (stops, travel km, work minutes). Pages fit the paper's width, repeat the
    headings and number themselves.

    The file is written beside its place and then moved there: a reader never sees half of it.

    Parameters
    ----------
    plan
        The plan (:class:`routeplan.Plan`).
    path
        The workbook to write (replaced if it exists).
    start_date
        First day of the cycle, for the dates of the days (see :func:`routeplan.write_plan`);
        default: the next date on the weekday of the first day label.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ArgumentError
        If ``start_date`` falls on another weekday than the cycle's first day label.
    """
    path = Path(path)
    start = cycle_start(plan.problem.days, start_date)
    book = _Book(plan, start)
    partial = path.with_name(f".{path.name}.part")
    try:
        book.workbook.save(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def workbook_seconds(visits: int) -> float:
    """About how long :func:`write_workbook` takes for a plan of ``visits`` visits, for a time
    limit that covers writing."""
    return 0.2 + SECONDS_PER_VISIT * visits


def sheet_names(manager_ids: Sequence[str], *, taken: Iterable[str] = (SUMMARY_SHEET,)) -> dict[str, str]:
    """A valid, distinct sheet name for each manager id: the id itself where Excel allows it;
    otherwise each of ``[]:*?/\\`` becomes ``_``, leading and trailing apostrophes go, the name is
    cut to 31 characters, and a name already used (Excel compares them ignoring case), or
    ``taken``, gets a number (``~2``)."""
    used = {name.casefold() for name in taken}
    used.add("history")  # Excel keeps it for itself
    names: dict[str, str] = {}
    for manager_id in manager_ids:
        base = _BAD_SHEET_CHARS.sub("_", manager_id).strip("'")[:_MAX_SHEET_NAME] or "manager"
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            suffix = f"~{n}"
            name = base[:_MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(name.casefold())
        names[manager_id] = name
    return names


class _Book:
    """The workbook of one plan, built sheet by sheet."""

    def __init__(self, plan: PlanView, start: dt.date):
        problem = plan.problem
        self.plan = plan
        self.customers = {c.customer_id: c for c in problem.customers}
        self.dates = cycle_dates(problem.days, start)[0]
        self.names = sheet_names([m.manager_id for m in problem.managers])
        self.with_name = any(c.name for c in problem.customers)
        self.with_address = any(c.address for c in problem.customers)
        self.levels = {(t.name, k): name for t in problem.tiers
                       for k, name in enumerate(["own", *(lv.name for lv in t.levels)])} if problem.has_levels else {}
        self.workbook = Workbook()
        summary = self.workbook.active
        assert summary is not None  # a new workbook has one sheet
        summary.title = SUMMARY_SHEET
        routes: dict[str, list[DayRoute]] = {m.manager_id: [] for m in problem.managers}
        for route in plan.routes:
            routes.setdefault(route.manager_id, []).append(route)
        self._summary(summary)
        for manager in problem.managers:
            self._manager(self.workbook.create_sheet(self.names[manager.manager_id]), manager,
                          sorted(routes[manager.manager_id], key=lambda r: r.day_index))

    # -- the summary -----------------------------------------------------------------------------
    def _summary(self, ws: Worksheet) -> None:
        plan, problem = self.plan, self.plan.problem
        required = problem.visits_required()
        planned = sum(len(r.stops) for r in plan.routes)
        _title(ws, f"{problem.name}: visit plan",
               f"strategy {plan.strategy}, seed {plan.seed}; {planned} of {required} visits planned over "
               f"{problem.num_days} days ({self.dates[0].isoformat()} to {self.dates[-1].isoformat()}); "
               f"{len(plan.unserved)} customers unserved")
        columns = ["Manager", "Name", "Role", "Customers", "Visits", "Days worked", "Travel km", "Work min",
                   "Longest day min", "Sheet"]
        _headings(ws, _HEADER_ROW, columns)
        managers = {m.manager_id: m for m in problem.managers}
        row = _HEADER_ROW
        for figures in manager_figures(plan):
            row += 1
            sheet = self.names[figures.manager_id]
            _put(ws, row, [figures.manager_id, managers[figures.manager_id].name, figures.role, figures.customers,
                           figures.visits, figures.days_worked, round(figures.travel_km, 2),
                           round(figures.work_min, 1), round(figures.max_day_work_min, 1), sheet])
            link = ws.cell(row, len(columns))
            link.hyperlink = f"#{_quoted(sheet)}!A1"
            link.font = Font(color="0563C1", underline="single")
        total_row = row + 1
        _put(ws, total_row, ["Total", None, None, len(plan.assignment()), planned, None,
                             round(sum(r.travel_km for r in plan.routes), 2),
                             round(sum(r.work_min for r in plan.routes), 1), None, None])
        for cell in ws[total_row]:
            cell.font = _BOLD
            cell.border = _TOP
        _number_formats(ws, _HEADER_ROW + 1, total_row, {7: "0.0", 8: "0", 9: "0"})
        last = total_row
        if plan.unserved:
            last = self._unserved(ws, total_row + 2)
        _page(ws, columns=len(columns), last_row=last, landscape=False)
        _widths(ws, len(columns), maximum={2: 24})

    def _unserved(self, ws: Worksheet, row: int) -> int:
        ws.cell(row, 1, "Customers left unserved").font = _BOLD
        columns = ["Customer", "Name", "Tier", "Visits missing", "Reason"] + (["Level"] if self.levels else [])
        _headings(ws, row + 1, columns)
        row += 1
        for entry in self.plan.unserved:
            row += 1
            c = self.customers.get(entry.customer_id)
            values: list[Any] = [entry.customer_id, c.name if c else None, c.tier if c else None,
                                 entry.visits_missing, entry.reason]
            if self.levels:
                values.append(self.levels.get((c.tier, entry.level), entry.level) if c else entry.level)
            _put(ws, row, values)
            ws.cell(row, 5).alignment = _WRAP
        return row

    # -- a manager's sheet -------------------------------------------------------------------------
    def _columns(self) -> list[str]:
        return ["Day", "#", "Arrival", "Start", "End", "Customer",
                *(["Name"] if self.with_name else []), *(["Address"] if self.with_address else []),
                "Tier", *(["Level"] if self.levels else []), "Travel km", "Work min"]

    def _manager(self, ws: Worksheet, manager: Manager, routes: list[DayRoute]) -> None:
        columns = self._columns()
        at = {name: i for i, name in enumerate(columns, start=1)}
        visits = sum(len(r.stops) for r in routes)
        _title(ws, f"{manager.manager_id}{f' {manager.name}' if manager.name else ''}: visit plan",
               f"{self.plan.problem.name}; role {manager.role}; {visits} visits on {len(routes)} days; "
               f"travel {sum(r.travel_km for r in routes):.1f} km, work {sum(r.work_min for r in routes):.0f} min")
        _headings(ws, _HEADER_ROW, columns)
        row = _HEADER_ROW
        if not routes:
            ws.cell(row + 1, 1, "no visits in this plan")
        for k, route in enumerate(routes):
            if k:
                ws.row_breaks.append(Break(id=row))  # each day on a page of its own
            row = self._day(ws, row + 1, route, columns, at)
        _number_formats(ws, _HEADER_ROW + 1, max(row, _HEADER_ROW + 1),
                        {at["Arrival"]: TIME_FORMAT, at["Start"]: TIME_FORMAT, at["End"]: TIME_FORMAT,
                         at["Travel km"]: "0.00", at["Work min"]: "0"})
        _page(ws, columns=len(columns), last_row=max(row, _HEADER_ROW + 1),
              landscape=self.with_name and self.with_address)
        _widths(ws, len(columns), maximum={at.get("Name", 0): 28, at.get("Address", 0): 36, 1: 14})
        for r in range(_HEADER_ROW + 1, row + 1):
            for name in ("Name", "Address"):
                if name in at:
                    ws.cell(r, at[name]).alignment = _WRAP

    def _day(self, ws: Worksheet, row: int, route: DayRoute, columns: list[str], at: dict[str, int]) -> int:
        """The rows of one day from ``row`` on; returns the last row written."""
        date = self.dates[route.day_index]
        heading = ws.cell(row, 1, f"{route.day}: {date.strftime('%A')} {date.isoformat()}")
        heading.font = _BOLD
        for col in range(1, len(columns) + 1):
            ws.cell(row, col).fill = _DAY_FILL
        rest = _Rest(route)
        row = rest.before(ws, row, route.depart, at)
        row += 1
        _put(ws, row, _at(at, {"Day": route.day, "Start": _clock(route.depart), "Customer": "depart"}))
        leg_km = 0.0
        for stop in route.stops:
            row = rest.before(ws, row, stop.arrival, at)
            row += 1
            c: Customer | None = self.customers.get(stop.customer_id)
            values: dict[str, Any] = {"Day": route.day, "#": stop.seq, "Arrival": _clock(stop.arrival),
                                      "Start": _clock(stop.start), "End": _clock(stop.end),
                                      "Customer": stop.customer_id, "Name": c.name if c else None,
                                      "Address": c.address if c else None, "Tier": c.tier if c else None,
                                      "Travel km": round(stop.travel_km, 3)}
            if self.levels and c is not None:
                values["Level"] = self.levels.get((c.tier, stop.level), stop.level)
            _put(ws, row, _at(at, values))
            leg_km += stop.travel_km
        row = rest.before(ws, row, route.return_time, at)
        row += 1
        _put(ws, row, _at(at, {"Day": route.day, "Arrival": _clock(route.return_time), "Customer": "return",
                               "Travel km": round(max(route.travel_km - leg_km, 0.0), 3)}))
        row = rest.before(ws, row, math.inf, at)
        row += 1
        count = len(route.stops)
        _put(ws, row, _at(at, {"Day": route.day, "Customer": f"day total: {count} stop{'s' if count != 1 else ''}",
                               "Travel km": round(route.travel_km, 2), "Work min": round(route.work_min, 1)}))
        for cell in ws[row]:
            cell.font = _BOLD
            cell.border = _TOP
        return row


class _Rest:
    """The day's break, written as a row of its own in its place among the day's rows."""

    def __init__(self, route: DayRoute):
        self.route = route
        self.pending = route.break_start is not None

    def before(self, ws: Worksheet, row: int, clock: float, at: dict[str, int]) -> int:
        """Write the break's row after ``row`` if it starts before ``clock``; the last row written."""
        start = self.route.break_start
        if not self.pending or start is None or start >= clock:
            return row
        self.pending = False
        end = start + round(self.route.break_min * 60)
        _put(ws, row + 1, _at(at, {"Day": self.route.day, "Start": _clock(start), "End": _clock(end),
                                   "Customer": "break"}))
        return row + 1


def _at(at: dict[str, int], values: dict[str, Any]) -> list[Any]:
    """A row's values placed in their columns (names not among the columns are left out)."""
    row: list[Any] = [None] * len(at)
    for name, value in values.items():
        if name in at:
            row[at[name] - 1] = value
    return row


def _clock(seconds: float) -> float:
    """A time of day as Excel keeps it, a fraction of a day, in whole seconds rounded up as
    visits.csv writes it."""
    return math.ceil(seconds - 1e-6) / _DAY_SECONDS


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _title(ws: Worksheet, title: str, subtitle: str) -> None:
    ws.cell(1, 1, title).font = _TITLE
    ws.cell(2, 1, subtitle)


def _headings(ws: Worksheet, row: int, columns: Sequence[str]) -> None:
    for col, name in enumerate(columns, start=1):
        cell = ws.cell(row, col, name)
        cell.font = _BOLD
        cell.fill = _HEADING_FILL
        cell.border = _BOTTOM
        cell.alignment = Alignment(vertical="center")


def _put(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    for col, value in enumerate(values, start=1):
        if value is not None:
            ws.cell(row, col, value)


def _number_formats(ws: Worksheet, first: int, last: int, formats: dict[int, str]) -> None:
    for col, number_format in formats.items():
        for row in range(first, last + 1):
            ws.cell(row, col).number_format = number_format


def _widths(ws: Worksheet, columns: int, *, maximum: dict[int, int]) -> None:
    """Each column as wide as its longest text below the title (wide characters count twice), within
    bounds."""
    widths = [4] * (columns + 1)
    for row in ws.iter_rows(min_row=_HEADER_ROW, max_col=columns):
        for col, cell in enumerate(row, start=1):
            value = cell.value
            if value is None:
                continue
            text = "00:00" if isinstance(value, float) and cell.number_format == TIME_FORMAT else (
                f"{value:.2f}" if isinstance(value, float) else str(value))
            widths[col] = max(widths[col], _display_width(text) + 2)
    for col in range(1, columns + 1):
        ws.column_dimensions[get_column_letter(col)].width = min(widths[col], maximum.get(col, 40))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _page(ws: Worksheet, *, columns: int, last_row: int, landscape: bool) -> None:
    """Print setup: A4, the headings repeated on every page and frozen on screen, the width of
    the table fitted to the paper, pages numbered."""
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    ws.print_title_rows = f"1:{_HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(columns)}{last_row}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if ws.oddHeader is not None and ws.oddFooter is not None:  # a new sheet has both
        ws.oddHeader.left.text = "&A"  # the sheet's name: the manager
        ws.oddFooter.center.text = "page &P of &N"
