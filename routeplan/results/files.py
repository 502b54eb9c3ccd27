"""The files of a plan folder (file contract section 2) that hold the plan: visits.csv,
routes.csv, unserved.csv, summary.json and routes.geojson, written and read back. The folder as
a whole, with its maps, schedules and calendars, is written by :mod:`routeplan.plan_folder`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import InputIssue, PlanFileError
from ..io.csvfile import read_table, write_table
from ..model.clock import parse_hhmmss
from ..model.problem import Problem
from ..model.routes import DayRoute, Stop, Unserved
from .run_record import RunRecord
from .tables import BREAK_COLUMN, LEVEL_COLUMN, ROUTE_COLUMNS, UNSERVED_COLUMNS, VISIT_COLUMNS
from .visit_plan import Plan


def write_plan_files(plan: Plan, folder: Path) -> None:
    """The contract's files of a plan in ``folder`` (a stage the caller makes appear whole):
    visits.csv, routes.csv, unserved.csv, summary.json and routes.geojson."""
    for name, (header, rows) in plan.tables().items():
        write_table(folder / name, header, rows)
    (folder / "summary.json").write_text(json.dumps(plan.summary(), ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    (folder / "routes.geojson").write_text(json.dumps(plan.routes_geojson(), ensure_ascii=False) + "\n",
                                           encoding="utf-8")


def read_plan(problem: Problem, folder: str | os.PathLike[str]) -> Plan:
    """Read a plan folder written for ``problem`` back into a :class:`Plan`.

    Use :func:`routeplan.validate` to check whether the plan keeps the rules; this only reads it.

    Raises
    ------
    PlanFileError
        When a file is missing or a value cannot be read, naming every file, row and column at
        fault.
    """
    folder = Path(folder)
    issues: list[InputIssue] = []
    if folder.is_file():
        inside = f"; give the folder that holds it: {folder.parent}" if folder.name in _PLAN_FILES else ""
        raise PlanFileError(InputIssue(str(folder), "expected a plan folder (visits.csv, routes.csv, summary.json, "
                                                    f"...), got a file{inside}"))
    if not folder.is_dir():
        raise PlanFileError(InputIssue(str(folder), "no such plan folder"))
    level = (LEVEL_COLUMN,) if problem.has_levels else ()  # the contract's section 5
    visits = read_table(folder / "visits.csv", required=VISIT_COLUMNS + level, issues=issues)
    breaks = (BREAK_COLUMN,) if problem.has_breaks else ()  # the contract's section 9
    break_min = {m.manager_id: m.break_.minutes for m in problem.managers if m.break_ is not None}
    routes = read_table(folder / "routes.csv", required=ROUTE_COLUMNS + breaks, issues=issues)
    unserved = read_table(folder / "unserved.csv", required=UNSERVED_COLUMNS + level, issues=issues)
    summary: dict[str, Any] = {}
    if (folder / "summary.json").is_file():
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            issues.append(InputIssue("summary.json", f"not a JSON file: {err}"))
    if issues:
        raise PlanFileError(issues)
    cells = _Cells(issues)
    stops: dict[tuple[str, int], list[Stop]] = {}
    for line, row in visits:
        cells.at("visits.csv", line, row)
        stop = Stop(seq=cells.integer("seq"), customer_id=row["customer_id"], arrival=cells.clock("arrival"),
                    start=cells.clock("start"), end=cells.clock("end"), travel_km=cells.number("travel_km"),
                    level=cells.integer(LEVEL_COLUMN) if level else 0)
        stops.setdefault((row["manager_id"], cells.integer("day_index")), []).append(stop)
    day_routes = []
    for line, row in routes:
        cells.at("routes.csv", line, row)
        day_index = cells.integer("day_index")
        day_routes.append(DayRoute(
            manager_id=row["manager_id"], day_index=day_index, day=row["day"], depart=cells.clock("depart"),
            return_time=cells.clock("return"), travel_km=cells.number("travel_km"),
            travel_min=cells.number("travel_min"), service_min=cells.number("service_min"),
            wait_min=cells.number("wait_min"), stops=tuple(stops.get((row["manager_id"], day_index), ())),
            **(_break_of(cells, break_min.get(row["manager_id"], 0.0)) if breaks else {})))
    missing = []
    for line, row in unserved:
        cells.at("unserved.csv", line, row)
        missing.append(Unserved(customer_id=row["customer_id"], visits_missing=cells.integer("visits_missing"),
                                reason=row["reason"], level=cells.integer(LEVEL_COLUMN) if level else 0))
    run = _recorded_run(problem, summary, issues)
    if issues:
        raise PlanFileError(issues)
    return Plan(problem=problem, routes=tuple(day_routes), unserved=tuple(missing),
                strategy=summary.get("strategy", "hybrid"), seed=summary.get("seed", 0),
                solve_seconds=summary.get("solve_seconds", 0.0), time_limit=summary.get("time_limit"),
                iterations=summary.get("iterations", 0), run=run)


def _break_of(cells: _Cells, minutes: float) -> dict[str, Any]:
    """The break fields of a route read from routes.csv: its ``break_start`` (empty: none that
    day) and ``minutes``, its manager's break length."""
    if not (cells.row.get(BREAK_COLUMN) or "").strip():
        return {}
    return {"break_start": cells.clock(BREAK_COLUMN), "break_min": minutes}


_PLAN_FILES = ("visits.csv", "routes.csv", "unserved.csv", "summary.json", "map.html", "routes.geojson", "changes.csv",
               "plan.xlsx")

#: Run facts of summary.json that a plan read back keeps.
RUN_FACTS = ("startup_seconds", "stopped_by", "work_units", "warnings", "start_date")


def _recorded_run(problem: Problem, summary: dict[str, Any], issues: list[InputIssue]) -> RunRecord:
    """What summary.json records beyond the routes: the groups of managers the planner balanced
    (so that a plan read back reports the balance it was made for) and the run's facts."""
    facts: dict[str, Any] = {k: summary[k] for k in RUN_FACTS if k in summary}
    balance = summary.get("balance")
    if not isinstance(balance, dict) or "groups" not in balance:
        return RunRecord.from_dict(facts)
    known = {m.manager_id for m in problem.managers}
    groups = []
    for position, group in enumerate(balance["groups"] if isinstance(balance["groups"], list) else [None]):
        managers = group.get("managers") if isinstance(group, dict) else None
        if not isinstance(managers, list) or not all(isinstance(m, str) and m in known for m in managers):
            issues.append(InputIssue("summary.json", f"balance.groups[{position}].managers must list managers of "
                                                     f"managers.csv, got {managers!r}"))
            continue
        groups.append(list(managers))
    facts["balance_groups"] = groups
    return RunRecord.from_dict(facts)


class _Cells:
    """Reads the cells of one row, recording an issue (file, row, column) for each bad one."""

    def __init__(self, issues: list[InputIssue]):
        self.issues = issues
        self.file = ""
        self.line = 0
        self.row: dict[str, str] = {}

    def at(self, file: str, line: int, row: dict[str, str]) -> None:
        self.file, self.line, self.row = file, line, row

    def _bad(self, column: str, expected: str) -> None:
        self.issues.append(InputIssue(self.file, f"'{self.row[column]}' is not {expected}", self.line, column))

    def integer(self, column: str) -> int:
        try:
            return int(self.row[column])
        except ValueError:
            self._bad(column, "a whole number")
            return 0

    def number(self, column: str) -> float:
        try:
            return float(self.row[column])
        except ValueError:
            self._bad(column, "a number")
            return 0.0

    def clock(self, column: str) -> int:
        try:
            return parse_hhmmss(self.row[column])
        except ValueError:
            self._bad(column, "a clock time like 08:30:00")
            return 0
