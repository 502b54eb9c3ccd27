"""Plan folders (file contract section 2): visits.csv, routes.csv, unserved.csv, summary.json,
map.html and routes.geojson; beside them routeplan writes maps/<manager_id>.html,
schedules/<manager_id>.csv and calendars/<manager_id>.ics. Also reads a plan folder back."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from ..errors import InputIssue, ScenarioError
from ..model.clock import parse_hhmmss
from ..model.problem import Problem
from ..plan import ROUTE_COLUMNS, UNSERVED_COLUMNS, VISIT_COLUMNS, DayRoute, Plan, Stop, Unserved
from .csvfile import read_table, write_table
from .exports import next_monday, write_calendars, write_schedules
from .staging import PLAN_MARKER, staged_folder


def write_plan(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True, offline: bool = True,
               start_date: dt.date | None = None) -> Path:
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
        First day of the cycle in the calendars and schedules (default: next Monday).
    """
    folder = Path(folder)
    start = start_date or next_monday()
    with staged_folder(folder, marker=PLAN_MARKER) as stage:
        write_table(stage / "visits.csv", VISIT_COLUMNS, plan.visit_rows())
        write_table(stage / "routes.csv", ROUTE_COLUMNS, plan.route_rows())
        write_table(stage / "unserved.csv", UNSERVED_COLUMNS, plan.unserved_rows())
        (stage / "summary.json").write_text(json.dumps(plan.summary(), ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
        (stage / "routes.geojson").write_text(json.dumps(routes_geojson(plan), ensure_ascii=False) + "\n",
                                              encoding="utf-8")
        write_views(plan, stage, maps=maps, offline=offline, start_date=start)
    return folder


def write_views(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True, offline: bool = True,
                start_date: dt.date | None = None) -> None:
    """The files people look at, in an existing plan folder: map.html, maps/<manager_id>.html,
    schedules/<manager_id>.csv and calendars/<manager_id>.ics (each replaced as a whole)."""
    folder = Path(folder)
    start = start_date or next_monday()
    with staged_folder(folder / "schedules") as stage:
        write_schedules(plan, stage, start=start)
    with staged_folder(folder / "calendars") as stage:
        write_calendars(plan, stage, start=start)
    if not maps:
        return
    from ..maps import render, save

    with staged_folder(folder / "maps") as stage:
        for manager in plan.problem.managers:
            if any(r.manager_id == manager.manager_id for r in plan.routes):
                save(render(plan, managers=[manager.manager_id]), stage / f"{manager.manager_id}.html",
                     offline=offline)
    partial = folder / ".map.html.part"
    save(render(plan), partial, offline=offline)
    partial.replace(folder / "map.html")


def read_plan(problem: Problem, folder: str | os.PathLike[str]) -> Plan:
    """Read a plan folder written for ``problem`` back into a :class:`Plan`.

    Raises
    ------
    ScenarioError
        When a file is missing or a value cannot be read (file, row and column named). Use
        :func:`routeplan.validate` to check whether the plan keeps the rules.
    """
    folder = Path(folder)
    issues: list[InputIssue] = []
    visits = read_table(folder / "visits.csv", required=VISIT_COLUMNS, issues=issues)
    routes = read_table(folder / "routes.csv", required=ROUTE_COLUMNS, issues=issues)
    unserved = read_table(folder / "unserved.csv", required=UNSERVED_COLUMNS, issues=issues)
    summary = {}
    if (folder / "summary.json").exists():
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    stops: dict[tuple[str, int], list[Stop]] = {}
    try:
        for line, row in visits:
            key = (row["manager_id"], int(row["day_index"]))
            stops.setdefault(key, []).append(Stop(
                seq=int(row["seq"]), customer_id=row["customer_id"], arrival=parse_hhmmss(row["arrival"]),
                start=parse_hhmmss(row["start"]), end=parse_hhmmss(row["end"]), travel_km=float(row["travel_km"])))
        day_routes = []
        for line, row in routes:
            key = (row["manager_id"], int(row["day_index"]))
            day_routes.append(DayRoute(
                manager_id=row["manager_id"], day_index=key[1], day=row["day"], depart=parse_hhmmss(row["depart"]),
                return_time=parse_hhmmss(row["return"]), travel_km=float(row["travel_km"]),
                travel_min=float(row["travel_min"]), service_min=float(row["service_min"]),
                wait_min=float(row["wait_min"]), stops=tuple(stops.get(key, ()))))
        missing = tuple(Unserved(customer_id=row["customer_id"], visits_missing=int(row["visits_missing"]),
                                 reason=row["reason"]) for _, row in unserved)
    except (KeyError, ValueError) as err:
        issues.append(InputIssue(str(folder), f"cannot read the plan: {err}"))
    if issues:
        raise ScenarioError(issues)
    return Plan(problem=problem, routes=tuple(day_routes), unserved=missing,
                strategy=summary.get("strategy", "hybrid"), seed=summary.get("seed", 0),
                solve_seconds=summary.get("solve_seconds", 0.0), time_limit=summary.get("time_limit"),
                iterations=summary.get("iterations", 0))


def routes_geojson(plan: Plan) -> dict:
    """One LineString feature per manager-day (start place, visits in order, end place)."""
    problem = plan.problem
    managers = {m.manager_id: m for m in problem.managers}
    customers = {c.customer_id: c for c in problem.customers}
    features = []
    for route in plan.routes:
        m = managers[route.manager_id]
        coords = [[m.start.lon, m.start.lat]]
        coords += [[customers[s.customer_id].lon, customers[s.customer_id].lat] for s in route.stops]
        coords.append([m.end.lon, m.end.lat])
        features.append({"type": "Feature",
                         "properties": {"manager_id": route.manager_id, "day_index": route.day_index,
                                        "day": route.day, "stops": len(route.stops),
                                        "travel_km": round(route.travel_km, 4), "work_min": round(route.work_min, 2)},
                         "geometry": {"type": "LineString", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}
