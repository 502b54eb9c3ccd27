"""The result of planning: every manager's routes, day by day, with timings, the customers that
could not be served and why, and the run that made them.

A :class:`Plan` is data. Its figures live in :mod:`routeplan.results.figures`, its rows,
frames and geometry in :mod:`routeplan.results.tables`, its JSON in
:mod:`routeplan.results.plan_json`; the plan offers each as a method, computed from the data it
holds and never changing it.
"""

from __future__ import annotations

import json
import warnings as _warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..model.problem import Problem
from ..model.routes import DayRoute, Stop, Unserved
from ..validation import ValidationReport, validate
from . import figures as _figures
from . import plan_json as _json
from . import tables as _tables
from .balance import BalanceReport, balance_report
from .figures import ManagerFigures as ManagerFigures
from .run_record import RunRecord
from .tables import LEVEL_COLUMN as LEVEL_COLUMN
from .tables import ROUTE_COLUMNS as ROUTE_COLUMNS
from .tables import UNSERVED_COLUMNS as UNSERVED_COLUMNS
from .tables import VISIT_COLUMNS as VISIT_COLUMNS
from .territories import TerritoryReport, territory_report

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Plan:
    """A complete visit plan for a problem.

    Build one with :func:`routeplan.plan`; write it with :func:`routeplan.write_plan`; check it with
    :meth:`is_valid`. It round-trips through JSON with :meth:`to_json` and :meth:`from_json`.

    Two plans are equal when they say the same: the same problem, visits (every route's rows of
    visits.csv and routes.csv, as written: times to the second, kilometres as rounded there),
    unserved customers (and a re-plan's changes) and settings (``strategy``, ``seed``,
    ``time_limit``). How long the search ran (``solve_seconds``, ``iterations``) and the record
    of the run (:attr:`run`: warnings, start-up, work rate, ...) are not part of it, so a plan
    equals itself written and read back (:func:`routeplan.read_plan`).
    """

    problem: Problem
    routes: tuple[DayRoute, ...]
    unserved: tuple[Unserved, ...] = ()
    strategy: str = "hybrid"
    seed: int = 0
    solve_seconds: float = 0.0
    time_limit: float | None = None
    iterations: int = 0
    run: RunRecord = field(default_factory=RunRecord, compare=False)
    # Reports computed once per plan (the plan is immutable): balance, territories, route places.
    _reports: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, init=False)

    # -- equality -------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Plan):
            return NotImplemented
        if self is other:
            return True
        return (self.strategy == other.strategy and self.seed == other.seed and self.time_limit == other.time_limit
                and (self.problem is other.problem or self.problem == other.problem)
                and self._content() == other._content())

    def __hash__(self) -> int:
        # Of what equality compares, the cheap part (equal plans hash alike).
        return hash((self.strategy, self.seed, self.time_limit, len(self.routes), len(self.unserved),
                     self.problem.name))

    def _content(self) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
        """The plan's files' rows as written (cells as text): what equality compares."""
        if "content" not in self._reports:
            self._reports["content"] = tuple(
                (name, (tuple(header), *(tuple("" if cell is None else str(cell) for cell in row) for row in rows)))
                for name, (header, rows) in self.tables().items())
        content: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = self._reports["content"]
        return content

    # -- figures --------------------------------------------------------------------------------
    def cost(self) -> float:
        """Total travel distance (km) of the plan."""
        return float(sum(r.travel_km for r in self.routes))

    def total_work_min(self) -> float:
        return float(sum(r.work_min for r in self.routes))

    def visits_planned(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    def visits_required(self) -> int:
        return self.problem.visits_required()

    @property
    def warnings(self) -> tuple[str, ...]:
        """What planning warned of, each once: the problem's own (shops far from the road network,
        columns ignored, ...), what cannot be served, a search the clock stopped, managers and
        days outside their balance bands (``balance: ...``). Also in summary.json; :func:`routeplan.plan`
        raises each but the balance lines as a :class:`~routeplan.PlanWarning`. They are gathered from
        the ``routeplan`` logger's warnings: a level above WARNING set on it leaves them out."""
        return self.run.warnings or ()

    @property
    def extra(self) -> dict[str, Any]:
        """Deprecated: the run's record as the dictionary this used to be; read :attr:`run`
        (a :class:`~routeplan.results.run_record.RunRecord`) instead."""
        _warnings.warn("Plan.extra is deprecated and will be removed; read Plan.run (a RunRecord) instead",
                       DeprecationWarning, stacklevel=2)
        return self.run.to_dict()

    def is_complete(self) -> bool:
        """True when every required visit is planned."""
        return not self.unserved

    def is_valid(self) -> bool:
        """True when the plan passes every check of :func:`routeplan.validate`."""
        return self.validate().ok

    def validate(self) -> ValidationReport:
        """Full check of the plan against its problem (see :func:`routeplan.validate`)."""
        return validate(self.problem, self)

    def visits(self) -> Iterator[tuple[DayRoute, Stop]]:
        """Every (route, stop) pair in route order."""
        for route in self.routes:
            for stop in route.stops:
                yield route, stop

    def assignment(self) -> dict[str, str]:
        """Customer id -> manager id (the manager of its first visit of its tier's own level 0:
        the line it belongs to; market managers and heads visit on top)."""
        out: dict[str, str] = {}
        for route, stop in self.visits():
            if stop.level == 0:
                out.setdefault(stop.customer_id, route.manager_id)
        return out

    def balance(self) -> BalanceReport:
        """The plan's balance against the problem's tolerances: per group of interchangeable
        managers, each one's utilisation and deviation from the mean, who is out of the band and by
        how much, and the days outside the day tolerance."""
        if "balance" not in self._reports:
            eligible = self.problem.eligible_indices() if self.strategy == "hybrid" else None
            self._reports["balance"] = balance_report(self.problem, self.routes, self.balance_groups(),
                                                      eligible=eligible)
        report: BalanceReport = self._reports["balance"]
        return report

    def territories(self) -> TerritoryReport:
        """How compact the territories are: hull overlap within each group of interchangeable
        managers and mean distance of customers to their territory's centre."""
        if "territories" not in self._reports:
            self._reports["territories"] = territory_report(self.problem, self.assignment(), self.balance_groups())
        report: TerritoryReport = self._reports["territories"]
        return report

    # -- figures (routeplan.results.figures) ---------------------------------------------------
    def manager_figures(self) -> list[ManagerFigures]:
        """Figures per manager, in the order of the problem's managers."""
        return _figures.manager_figures(self)

    def day_work(self) -> dict[str, list[float]]:
        """Work minutes per manager and day (0 on days without a route)."""
        return _figures.day_work(self)

    def level_figures(self) -> list[dict[str, Any]]:
        """Figures per visit level (see :func:`routeplan.results.figures.level_figures`)."""
        return _figures.level_figures(self)

    def work_cv(self, groups: list[list[str]] | None = None) -> float:
        """Largest coefficient of variation of total work over groups of interchangeable
        managers (default: one group per role)."""
        return _figures.work_cv(self, groups)

    def utilisation_cv(self, groups: list[list[str]] | None = None) -> float:
        """Largest coefficient of variation of utilisation (work over shift time of the days
        worked) over groups of managers (default: the groups the planner balanced)."""
        return _figures.utilisation_cv(self, groups)

    def balance_groups(self) -> list[list[str]]:
        """The groups of interchangeable managers the planner balanced
        (:func:`routeplan.results.figures.balance_groups`)."""
        return _figures.balance_groups(self)

    def role_groups(self) -> list[list[str]] | None:
        """The managers whose work ``work_cv`` compares (:func:`routeplan.results.figures.role_groups`)."""
        return _figures.role_groups(self)

    def reassigned_pct(self) -> float | None:
        """Share (%) of the customers whose ``current_manager`` is still among the managers that
        another serves now (or none); None when no customer has a current manager still present."""
        return _figures.reassigned_pct(self)

    def same_days_pct(self) -> float | None:
        """Share (%) of the customers with current days (a re-plan's) that are served on exactly
        those days now; None when none has current days."""
        return _figures.same_days_pct(self)

    def summary(self) -> dict[str, Any]:
        """The figures written to summary.json."""
        return _figures.summary(self)

    def summary_table(self, *, warnings: bool = True) -> str:
        """A plain-text table of the figures per manager, for terminals and notebooks (with
        ``warnings`` False, without the plan's warnings other than balance)."""
        return _figures.summary_table(self, warnings=warnings)

    # -- rows, frames and geometry (routeplan.results.tables) -----------------------------------
    def visit_columns(self) -> tuple[str, ...]:
        """Columns of visits.csv: :data:`VISIT_COLUMNS`, and ``level`` when a tier has levels."""
        return _tables.visit_columns(self)

    def unserved_columns(self) -> tuple[str, ...]:
        """Columns of unserved.csv: :data:`UNSERVED_COLUMNS`, and ``level`` when a tier has levels."""
        return _tables.unserved_columns(self)

    def visit_rows(self) -> Iterator[list[Any]]:
        """Rows of visits.csv."""
        return _tables.visit_rows(self)

    def route_rows(self) -> Iterator[list[Any]]:
        """Rows of routes.csv."""
        return _tables.route_rows(self)

    def unserved_rows(self) -> Iterator[list[Any]]:
        """Rows of unserved.csv."""
        return _tables.unserved_rows(self)

    def tables(self) -> dict[str, tuple[tuple[str, ...], Iterable[Sequence[Any]]]]:
        """The plan's CSV files by name: (header, rows) of visits.csv, routes.csv and
        unserved.csv, and of a re-plan's changes.csv."""
        return _tables.tables(self)

    def stops_gdf(self) -> gpd.GeoDataFrame:
        """Every visit as a point (GeoDataFrame, EPSG:4326) with the columns of visits.csv and
        the customer's tier, name and business type."""
        return _tables.stops_gdf(self)

    def routes_gdf(self) -> gpd.GeoDataFrame:
        """Every manager-day as a line from the start place through the visits to the end place
        (GeoDataFrame, EPSG:4326) with the columns of routes.csv."""
        return _tables.routes_gdf(self, self._places())

    def routes_geojson(self) -> dict[str, Any]:
        """routes.geojson: one LineString feature per manager-day, EPSG:4326."""
        return _tables.routes_geojson(self, self._places())

    def route_places(self, route: DayRoute) -> list[tuple[float, float]]:
        """``(lon, lat)`` of a route's start place, its stops in order and its end place."""
        return self._places().of(route)

    def route_line(self, route: DayRoute) -> list[tuple[float, float]]:
        """The line a route rides, ``(lon, lat)`` from its start place to its end place: through
        the nodes of every leg's path with the road model, straight from stop to stop otherwise."""
        return self._places().line(route)

    def _places(self) -> _tables.RoutePlaces:
        if "places" not in self._reports:
            self._reports["places"] = _tables.RoutePlaces(self.problem)
        places: _tables.RoutePlaces = self._reports["places"]
        return places

    def visits_frame(self) -> pd.DataFrame:
        """The visits as a pandas DataFrame (columns of visits.csv)."""
        return _tables.visits_frame(self)

    def routes_frame(self) -> pd.DataFrame:
        """The routes as a pandas DataFrame (columns of routes.csv)."""
        return _tables.routes_frame(self)

    # -- JSON (routeplan.results.plan_json) -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, including the problem."""
        return _json.plan_data(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Inverse of :meth:`to_dict`."""
        return cls(**_json.plan_fields(data))

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls.from_dict(json.loads(text))
