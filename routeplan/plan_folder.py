"""Plan folders written whole (file contract section 2): the plan's files (visits.csv,
routes.csv, unserved.csv, summary.json, routes.geojson), and the views beside them that people
look at, map.html, maps/<manager_id>.html, schedules/<manager_id>.csv,
calendars/<manager_id>.ics and, when asked for, plan.xlsx. The folder appears only once every file
is written."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

from .io.staging import PLAN_MARKER, staged_folder
from .maps import Layers, render_views, save
from .results.exports import cycle_start, write_calendars, write_schedules
from .results.files import write_plan_files
from .results.visit_plan import Plan
from .results.workbook import WORKBOOK_FILE, write_workbook


def write_plan(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True, offline: bool = True,
               start_date: dt.date | None = None, streets: bool = False, xlsx: bool = False) -> Path:
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
        label (default: the date the plan records, ``plan.run.start_date`` of a plan read back,
        else the next such date, next Monday for ``Mon``); another weekday raises
        :class:`~routeplan.ArgumentError` before anything is written. The date used is recorded
        in summary.json (``start_date``).
    streets
        With the road model, draw the road network faintly under the routes of map.html.
    xlsx
        Write plan.xlsx too: the plan as an Excel workbook, a sheet per manager, ready to print
        (:func:`routeplan.write_workbook`).
    """
    folder = Path(folder)
    start = cycle_start(plan.problem.days, start_date or recorded_start(plan))
    plan = replace(plan, run=replace(plan.run, start_date=start.isoformat()))  # summary.json's start_date
    with staged_folder(folder, marker=PLAN_MARKER) as stage:
        write_plan_files(plan, stage)
        write_views(plan, stage, maps=maps, offline=offline, start_date=start, streets=streets, xlsx=xlsx)
    return folder


def write_views(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True, offline: bool = True,
                start_date: dt.date | None = None, streets: bool = False, xlsx: bool = False) -> None:
    """The files people look at, in an existing plan folder: map.html, maps/<manager_id>.html,
    schedules/<manager_id>.csv, calendars/<manager_id>.ics and with ``xlsx`` plan.xlsx (each
    replaced as a whole); ``streets`` draws the road network under the routes of map.html.
    ``start_date`` defaults to the one the plan records (:func:`recorded_start`)."""
    folder = Path(folder)
    start = cycle_start(plan.problem.days, start_date or recorded_start(plan))
    if xlsx:
        write_workbook(plan, folder / WORKBOOK_FILE, start_date=start)
    with staged_folder(folder / "schedules") as stage:
        write_schedules(plan, stage, start=start)
    with staged_folder(folder / "calendars") as stage:
        write_calendars(plan, stage, start=start)
    if not maps:
        return
    # One preparation of the plan for every map: each manager's map then costs its own share.
    whole, each = render_views(plan, layers=Layers(streets=streets))
    with staged_folder(folder / "maps") as stage:
        for manager_id, manager_map in each.items():
            save(manager_map, stage / f"{manager_id}.html", offline=offline)
    partial = folder / ".map.html.part"
    save(whole, partial, offline=offline)
    partial.replace(folder / "map.html")


def recorded_start(plan: Plan) -> dt.date | None:
    """The first date of the cycle the plan was written for (summary.json's ``start_date``, on a
    plan read back), or None when it records none (a plan written before it was recorded)."""
    text = plan.run.start_date
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
