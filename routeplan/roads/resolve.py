"""The travel a problem's settings describe (straight lines, a road network or a table), and
the checks of a scenario that need those files.

The model holds only :class:`~routeplan.model.problem.TravelSettings` (plain data: a model name,
speeds, paths); everything that reads a network or a table starts here, once per process for each
file (:func:`~routeplan.roads.travel.road_travel`, :func:`~routeplan.roads.matrix.travel_table`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import InputIssue, ScenarioError
from ..model.problem import Problem, TravelSettings, place_id
from ..model.travel import HaversineTravel, TravelModel
from .files import file_key
from .matrix import MatrixTravel, check_table, required_pairs, travel_table
from .travel import FAR_ACCESS_KM, road_travel

logger = logging.getLogger(__name__)


def travel_model(settings: TravelSettings) -> TravelModel:
    """The travel model ``settings`` describe (a road network or a table is read once per
    process)."""
    if settings.model == "road":
        return road_travel(settings.network, speed_kmh=settings.speed_kmh)
    if settings.model == "matrix":
        return MatrixTravel(table=travel_table(settings.matrix), places=settings.places)
    return HaversineTravel(speed_kmh=settings.speed_kmh, detour_factor=settings.detour_factor)


def road_size(settings: TravelSettings) -> tuple[int, int]:
    """Nodes of the road network, and junctions its travel tables search (0, 0 unless
    ``model = "road"``)."""
    if settings.model != "road":
        return 0, 0
    travel = road_travel(settings.network, speed_kmh=settings.speed_kmh)
    return travel.network.num_nodes, travel.router().junctions


def checked_travel(problem: Problem) -> Problem:
    """``problem`` after the checks its travel files allow: a table must hold every pair a plan
    may use, and ids at one place must share their rows; customers far from any road node are
    warned of (the warning kept on the problem).

    Raises
    ------
    ScenarioError
        Naming the file and what it lacks (a network or a table that cannot be read, missing
        pairs).
    """
    if problem.travel.model == "matrix":
        require_travel(problem)
        return problem
    if problem.travel.model == "road":
        far = _far_from_roads(problem)
        if far:
            return replace(problem, warnings=(*problem.warnings, far))
    return problem


def require_travel(problem: Problem) -> None:
    """Raise a :class:`~routeplan.errors.ScenarioError` if ``problem``'s travel table lacks a
    pair a plan may use (or cannot be read): a missing pair would otherwise read as no travel.
    Checked once per table and set of places in a process, however many plans are made."""
    if problem.travel.model != "matrix":
        return
    ends = tuple((place_id(m, "start", problem.depot), place_id(m, "end", problem.depot)) for m in problem.managers)
    key = (file_key(problem.travel.matrix), problem.travel.places, ends)
    with _CHECKING:
        if key not in _CHECKED:
            _CHECKED[key] = tuple(_table_issues(problem, ends))
        issues = _CHECKED[key]
    if issues:
        raise ScenarioError(list(issues))


_CHECKED: dict[tuple[object, ...], tuple[InputIssue, ...]] = {}
_CHECKING = threading.Lock()


def _table_issues(problem: Problem, ends: Sequence[tuple[str, str]]) -> list[InputIssue]:
    settings = problem.travel
    try:
        table = travel_table(settings.matrix)
    except ScenarioError as error:
        return list(error.issues)
    found = check_table(table, required_pairs([c.customer_id for c in problem.customers], ends))
    index = table.index()
    first: dict[tuple[float, float], str] = {}
    for here, lon, lat in settings.places:
        other = first.setdefault((lon, lat), here)
        if other != here and other in index and here in index and not (
                np.array_equal(table.minutes[index[other]], table.minutes[index[here]], equal_nan=True)
                and np.array_equal(table.km[index[other]], table.km[index[here]], equal_nan=True)):
            found.append(InputIssue(table.name, f"{other} and {here} stand at the same place but their rows "
                                                "differ; give them distinct positions"))
            break
    return found


def _far_from_roads(problem: Problem) -> str:
    """The warning for customers :data:`~routeplan.roads.travel.FAR_ACCESS_KM` or farther from
    any road node ('' for none); a network that cannot be read is the scenario's fault."""
    settings = problem.travel
    travel = road_travel(settings.network, speed_kmh=settings.speed_kmh)
    customers = problem.customers
    _, access = travel.snap(np.array([c.lon for c in customers]), np.array([c.lat for c in customers]))
    far = [(c, float(a)) for c, a in zip(customers, access, strict=True) if a >= FAR_ACCESS_KM]
    if not far:
        return ""
    shown = ", ".join(f"{c.customer_id} ({a:.2f} km)" for c, a in far[:10])
    message = (f"{len(far)} customer(s) lie {FAR_ACCESS_KM:.1f} km or more from the nearest node of the road "
               f"network {Path(settings.network).name}, reached at {settings.speed_kmh:g} km/h off the roads: "
               f"{shown}{f' and {len(far) - 10} more' if len(far) > 10 else ''}")
    logger.warning("%s", message)
    return message
