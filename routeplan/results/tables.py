"""A plan as rows, frames and geometry: the CSV files' rows (the contract's section 2), pandas
and GeoPandas frames, routes.geojson and each route's line on the map. Writers and maps read
them; :class:`routeplan.Plan` offers each as a method.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from shapely.geometry import LineString
from shapely.geometry import Point as ShapelyPoint

from ..model.clock import format_hhmmss
from ..model.problem import Problem
from ..model.routes import DayRoute
from ..roads.resolve import travel_model
from .changes import CHANGES_COLUMNS, plan_changes
from .plan_data import PlanVisits

if TYPE_CHECKING:
    import geopandas as gpd


VISIT_COLUMNS = ("manager_id", "day_index", "day", "seq", "customer_id", "arrival", "start", "end", "travel_km")
ROUTE_COLUMNS = ("manager_id", "day_index", "day", "stops", "depart", "return", "travel_km", "travel_min",
                 "service_min", "wait_min", "work_min")
UNSERVED_COLUMNS = ("customer_id", "visits_missing", "reason")
LEVEL_COLUMN = "level"
"""Column of visits.csv and unserved.csv when a tier has further visit levels (the contract's
section 5): 0 for the tier's own visits."""


BREAK_COLUMN = "break_start"
"""Column of routes.csv when a manager takes a break (the contract's section 9): when it starts,
empty for a day without one."""


def route_columns(plan: PlanVisits) -> tuple[str, ...]:
    """Columns of routes.csv: :data:`ROUTE_COLUMNS`, and ``break_start`` when a manager takes a
    break."""
    return ROUTE_COLUMNS + ((BREAK_COLUMN,) if plan.problem.has_breaks else ())


def visit_columns(plan: PlanVisits) -> tuple[str, ...]:
    """Columns of visits.csv: :data:`VISIT_COLUMNS`, and ``level`` when a tier has levels."""
    return VISIT_COLUMNS + ((LEVEL_COLUMN,) if plan.problem.has_levels else ())


def unserved_columns(plan: PlanVisits) -> tuple[str, ...]:
    """Columns of unserved.csv: :data:`UNSERVED_COLUMNS`, and ``level`` when a tier has levels."""
    return UNSERVED_COLUMNS + ((LEVEL_COLUMN,) if plan.problem.has_levels else ())


def visit_rows(plan: PlanVisits) -> Iterator[list[Any]]:
    """Rows of visits.csv."""
    levels = plan.problem.has_levels
    for route, stop in plan.visits():
        yield [route.manager_id, route.day_index, route.day, stop.seq, stop.customer_id,
               format_hhmmss(stop.arrival), format_hhmmss(stop.start), format_hhmmss(stop.end),
               f"{stop.travel_km:.4f}", *([stop.level] if levels else [])]


def route_rows(plan: PlanVisits) -> Iterator[list[Any]]:
    """Rows of routes.csv."""
    breaks = plan.problem.has_breaks
    for r in plan.routes:
        yield [r.manager_id, r.day_index, r.day, len(r.stops), format_hhmmss(r.depart),
               format_hhmmss(r.return_time), f"{r.travel_km:.4f}", f"{r.travel_min:.2f}",
               f"{r.service_min:.2f}", f"{r.wait_min:.2f}", f"{r.span_min:.2f}",
               *([format_hhmmss(r.break_start) if r.break_start is not None else ""] if breaks else [])]


def unserved_rows(plan: PlanVisits) -> Iterator[list[Any]]:
    """Rows of unserved.csv."""
    levels = plan.problem.has_levels
    for u in plan.unserved:
        yield [u.customer_id, u.visits_missing, u.reason, *([u.level] if levels else [])]


def tables(plan: PlanVisits) -> dict[str, tuple[tuple[str, ...], Iterable[Sequence[Any]]]]:
    """The plan's CSV files by name: (header, rows) of visits.csv, routes.csv and
    unserved.csv, and of a re-plan's changes.csv."""
    tables: dict[str, tuple[tuple[str, ...], Iterable[Sequence[Any]]]] = {
        "visits.csv": (visit_columns(plan), visit_rows(plan)), "routes.csv": (route_columns(plan), route_rows(plan)),
        "unserved.csv": (unserved_columns(plan), unserved_rows(plan))}
    if plan.problem.stability is not None:  # a re-plan: what changed from the current plan, and why
        tables["changes.csv"] = (CHANGES_COLUMNS, (c.row() for c in plan_changes(plan)))
    return tables


def stops_gdf(plan: PlanVisits) -> gpd.GeoDataFrame:
    """Every visit as a point (GeoDataFrame, EPSG:4326) with the columns of visits.csv and
    the customer's tier, name and business type."""
    import geopandas as gpd  # noqa: PLC0415 - only these two methods need geopandas and pyproj: not at every start

    customers = {c.customer_id: c for c in plan.problem.customers}
    frame = visits_frame(plan)
    frame["tier"] = [customers[c].tier for c in frame["customer_id"]]
    frame["name"] = [customers[c].name for c in frame["customer_id"]]
    frame["business_type"] = [customers[c].business_type for c in frame["customer_id"]]
    geometry = [ShapelyPoint(customers[c].lon, customers[c].lat) for c in frame["customer_id"]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def routes_gdf(plan: PlanVisits, places: RoutePlaces | None = None) -> gpd.GeoDataFrame:
    """Every manager-day as a line from the start place through the visits to the end place
    (GeoDataFrame, EPSG:4326) with the columns of routes.csv."""
    import geopandas as gpd  # noqa: PLC0415 - as in stops_gdf

    features = routes_geojson(plan, places)["features"]
    frame = routes_frame(plan)
    geometry = [LineString(f["geometry"]["coordinates"]) for f in features]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def routes_geojson(plan: PlanVisits, places: RoutePlaces | None = None) -> dict[str, Any]:
    """routes.geojson: one LineString feature per manager-day (start place, visits in order,
    end place; along the streets with the road model, see :meth:`RoutePlaces.line`), EPSG:4326."""
    places = places or RoutePlaces(plan.problem)
    features = []
    for route in plan.routes:
        coords = [list(p) for p in places.line(route)]
        features.append({"type": "Feature",
                         "properties": {"manager_id": route.manager_id, "day_index": route.day_index,
                                        "day": route.day, "stops": len(route.stops),
                                        "travel_km": round(route.travel_km, 4),
                                        "work_min": round(route.span_min, 2)},
                         "geometry": {"type": "LineString", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


class RoutePlaces:
    """Where the routes of a problem's plans go: each route's places and its line on the map
    (the lookups by id built once, for every route of a plan)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self._managers = {m.manager_id: m for m in problem.managers}
        self._customers = {c.customer_id: c for c in problem.customers}

    def of(self, route: DayRoute) -> list[tuple[float, float]]:
        """``(lon, lat)`` of a route's start place, its stops in order and its end place."""
        m = self._managers[route.manager_id]
        customers = self._customers
        return ([(m.start.lon, m.start.lat)] + [(customers[s.customer_id].lon, customers[s.customer_id].lat)
                                                for s in route.stops] + [(m.end.lon, m.end.lat)])

    def line(self, route: DayRoute) -> list[tuple[float, float]]:
        """The line a route rides, ``(lon, lat)`` from its start place to its end place: through
        the nodes of every leg's path with the road model, straight from stop to stop otherwise."""
        places = self.of(route)
        legs = getattr(travel_model(self.problem.travel), "leg_lines", None)
        if legs is None:
            return places
        lon, lat = np.array([p[0] for p in places]), np.array([p[1] for p in places])
        line: list[tuple[float, float]] = [places[0]]
        for leg in legs(lon, lat):
            line.extend(leg[1:])
        return line


def visits_frame(plan: PlanVisits) -> pd.DataFrame:
    """The visits as a pandas DataFrame (columns of visits.csv)."""
    return pd.DataFrame(list(visit_rows(plan)), columns=list(visit_columns(plan)))


def routes_frame(plan: PlanVisits) -> pd.DataFrame:
    """The routes as a pandas DataFrame (columns of routes.csv)."""
    return pd.DataFrame(list(route_rows(plan)), columns=list(route_columns(plan)))


