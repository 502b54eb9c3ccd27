"""Plan folders (file contract section 2): visits.csv, routes.csv, unserved.csv, summary.json,
map.html and routes.geojson; beside them routeplan writes maps/<manager_id>.html,
schedules/<manager_id>.csv and calendars/<manager_id>.ics. Also reads a plan folder back."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from ..errors import InputIssue, PlanFileError
from ..io.csvfile import read_table, write_table
from ..io.staging import PLAN_MARKER, staged_folder
from ..maps import render_views, save
from ..model.clock import parse_hhmmss
from ..model.problem import Problem
from ..model.routes import DayRoute, Stop, Unserved
from .exports import cycle_start, write_calendars, write_schedules
from .visit_plan import LEVEL_COLUMN, ROUTE_COLUMNS, UNSERVED_COLUMNS, VISIT_COLUMNS, Plan


def write_plan(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True, offline: bool = True,
               start_date: dt.date | None = None, streets: bool = False) -> Path:
    """Write every file of the plan folder; the folder appears only once all are written.

    Parameters
    ----------
    plan
        The plan.
    folder
        The plan folder: replaced as a whole if it is a plan folder (holds summary.json) or empty;
        any other existing folder raises :class:`~routeplan.errors.OutputFolderError`.
    maps
        Write map.html and maps/<manager_id>.html.
    offline
        Make the maps self-contained (Leaflet inlined; no network needed except for tiles).
    start_date
        First day of the cycle in the calendars and schedules, on the weekday of the first day
        label (default: the next such date, next Monday for ``Mon``); another weekday raises
        :class:`~routeplan.ArgumentError` before anything is written.
    streets
        With the road model, draw the road network faintly under the routes of map.html.
    """
    folder = Path(folder)
    start = cycle_start(plan.problem.days, start_date)
    with staged_folder(folder, marker=PLAN_MARKER) as stage:
        for name, (header, rows) in plan.tables().items():
            write_table(stage / name, header, rows)
        (stage / "summary.json").write_text(json.dumps(plan.summary(), ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
        (stage / "routes.geojson").write_text(json.dumps(plan.routes_geojson(), ensure_ascii=False) + "\n",
                                              encoding="utf-8")
        write_views(plan, stage, maps=maps, offline=offline, start_date=start, streets=streets)
    return folder


def write_views(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True, offline: bool = True,
                start_date: dt.date | None = None, streets: bool = False) -> None:
    """The files people look at, in an existing plan folder: map.html, maps/<manager_id>.html,
    schedules/<manager_id>.csv and calendars/<manager_id>.ics (each replaced as a whole);
    ``streets`` draws the road network under the routes of map.html."""
    folder = Path(folder)
    start = cycle_start(plan.problem.days, start_date)
    with staged_folder(folder / "schedules") as stage:
        write_schedules(plan, stage, start=start)
    with staged_folder(folder / "calendars") as stage:
        write_calendars(plan, stage, start=start)
    if not maps:
        return
    # One preparation of the plan for every map: each manager's map then costs its own share.
    whole, each = render_views(plan, streets=streets)
    with staged_folder(folder / "maps") as stage:
        for manager_id, manager_map in each.items():
            save(manager_map, stage / f"{manager_id}.html", offline=offline)
    partial = folder / ".map.html.part"
    save(whole, partial, offline=offline)
    partial.replace(folder / "map.html")


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
    if not folder.is_dir():
        raise PlanFileError(InputIssue(str(folder), "no such plan folder"))
    level = (LEVEL_COLUMN,) if problem.has_levels else ()  # the contract's section 5
    visits = read_table(folder / "visits.csv", required=VISIT_COLUMNS + level, issues=issues)
    routes = read_table(folder / "routes.csv", required=ROUTE_COLUMNS, issues=issues)
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
            wait_min=cells.number("wait_min"), stops=tuple(stops.get((row["manager_id"], day_index), ()))))
    missing = []
    for line, row in unserved:
        cells.at("unserved.csv", line, row)
        missing.append(Unserved(customer_id=row["customer_id"], visits_missing=cells.integer("visits_missing"),
                                reason=row["reason"], level=cells.integer(LEVEL_COLUMN) if level else 0))
    extra = _recorded_extra(problem, summary, issues)
    if issues:
        raise PlanFileError(issues)
    return Plan(problem=problem, routes=tuple(day_routes), unserved=tuple(missing),
                strategy=summary.get("strategy", "hybrid"), seed=summary.get("seed", 0),
                solve_seconds=summary.get("solve_seconds", 0.0), time_limit=summary.get("time_limit"),
                iterations=summary.get("iterations", 0), extra=extra)


#: Run facts of summary.json that a plan read back keeps.
RUN_FACTS = ("startup_seconds", "stopped_by", "work_units", "warnings")


def _recorded_extra(problem: Problem, summary: dict[str, Any], issues: list[InputIssue]) -> dict[str, Any]:
    """What summary.json records beyond the routes: the groups of managers the planner balanced
    (so that a plan read back reports the balance it was made for) and the run's facts."""
    extra: dict[str, Any] = {k: summary[k] for k in RUN_FACTS if k in summary}
    balance = summary.get("balance")
    if not isinstance(balance, dict) or "groups" not in balance:
        return extra
    known = {m.manager_id for m in problem.managers}
    groups = []
    for position, group in enumerate(balance["groups"] if isinstance(balance["groups"], list) else [None]):
        managers = group.get("managers") if isinstance(group, dict) else None
        if not isinstance(managers, list) or not all(isinstance(m, str) and m in known for m in managers):
            issues.append(InputIssue("summary.json", f"balance.groups[{position}].managers must list managers of "
                                                     f"managers.csv, got {managers!r}"))
            continue
        groups.append(list(managers))
    extra["balance_groups"] = groups
    return extra


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
