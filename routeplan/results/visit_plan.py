"""The result of planning: every manager's routes, day by day, with timings, the customers that
could not be served and why, and the figures the department looks at."""

from __future__ import annotations

import json
import math
import warnings as _warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from shapely.geometry import LineString
from shapely.geometry import Point as ShapelyPoint

from ..model.clock import format_hhmmss
from ..model.districts import customer_districts
from ..model.problem import Problem
from ..model.routes import DayRoute, Stop, Unserved
from ..notices import is_minor
from ..roads.resolve import travel_model
from ..validation import ValidationReport, validate
from .balance import BalanceReport, balance_report
from .changes import CHANGES_COLUMNS, plan_changes, reason_counts
from .run_record import RunRecord
from .territories import TerritoryReport, territory_report

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerFigures:
    """Figures of one manager over the cycle.

    ``specialty_share``: share of its visits to customers of tiers its role is meant for;
    ``districts``: administrative districts its customers lie in (0 when unknown).
    """

    manager_id: str
    role: str
    customers: int
    visits: int
    travel_km: float
    work_min: float
    max_day_work_min: float
    days_worked: int
    specialty_share: float
    districts: int


VISIT_COLUMNS = ("manager_id", "day_index", "day", "seq", "customer_id", "arrival", "start", "end", "travel_km")
ROUTE_COLUMNS = ("manager_id", "day_index", "day", "stops", "depart", "return", "travel_km", "travel_min",
                 "service_min", "wait_min", "work_min")
UNSERVED_COLUMNS = ("customer_id", "visits_missing", "reason")
LEVEL_COLUMN = "level"
"""Column of visits.csv and unserved.csv when a tier has further visit levels (the contract's
section 5): 0 for the tier's own visits."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A complete visit plan for a problem.

    Build one with :func:`routeplan.plan`; write it with :func:`routeplan.write_plan`; check it with
    :meth:`is_valid`. It round-trips through JSON with :meth:`to_json` and :meth:`from_json`.
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
    # Reports computed once per plan (the plan is immutable): balance and territories.
    _reports: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, init=False)

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

    def manager_figures(self) -> list[ManagerFigures]:
        """Figures per manager, in the order of the problem's managers."""
        problem = self.problem
        # The roles each level of each tier is meant for: a market manager's visit is its specialty.
        tier_roles = {(t.name, k): set(roles) for t in problem.tiers
                      for k, roles in enumerate([t.roles] + [lv.roles for lv in t.levels])}
        customers = {c.customer_id: c for c in problem.customers}
        district = dict(zip(customers, customer_districts(problem), strict=True))
        by_manager: dict[str, list[DayRoute]] = {}
        for route in self.routes:
            by_manager.setdefault(route.manager_id, []).append(route)
        figures = []
        for m in problem.managers:
            mine = by_manager.get(m.manager_id, [])
            served = {s.customer_id for r in mine for s in r.stops}
            visits = sum(len(r.stops) for r in mine)
            special = sum(1 for r in mine for s in r.stops
                          if m.role in tier_roles[customers[s.customer_id].tier, s.level])
            figures.append(ManagerFigures(
                manager_id=m.manager_id, role=m.role, customers=len(served), visits=visits,
                travel_km=sum(r.travel_km for r in mine), work_min=sum(r.work_min for r in mine),
                max_day_work_min=max((r.work_min for r in mine), default=0.0), days_worked=len(mine),
                specialty_share=special / visits if visits else 0.0,
                districts=len({district[c] for c in served if district[c] is not None})))
        return figures

    def day_work(self) -> dict[str, list[float]]:
        """Work minutes per manager and day (0 on days without a route)."""
        table = {m.manager_id: [0.0] * self.problem.num_days for m in self.problem.managers}
        for r in self.routes:
            table[r.manager_id][r.day_index] = r.work_min
        return table

    def assignment(self) -> dict[str, str]:
        """Customer id -> manager id (the manager of its first visit of its tier's own level 0:
        the line it belongs to; market managers and heads visit on top)."""
        out: dict[str, str] = {}
        for route, stop in self.visits():
            if stop.level == 0:
                out.setdefault(stop.customer_id, route.manager_id)
        return out

    def level_figures(self) -> list[dict[str, Any]]:
        """Figures per visit level (one entry, level 0, without further levels): its name,
        visits planned and required, customers visited, hours on site, the kilometres of the legs
        that lead to its visits, the managers making them, and the work, travel and longest day
        of the routes that hold its visits (a route with visits of two levels counts in both)."""
        problem = self.problem
        names: dict[int, set[str]] = {0: set()}
        required: dict[int, int] = {0: 0}
        service: dict[str, list[float]] = {}
        for c in problem.customers:
            rules = problem.visit_rules(c)
            service[c.customer_id] = [r.service_min for r in rules]
            for rule in rules:
                required[rule.level] = required.get(rule.level, 0) + rule.visits
                names.setdefault(rule.level, set()).add(rule.name if rule.level else "own")
        out = []
        for level in sorted(required):
            stops = [(r, s) for r, s in self.visits() if s.level == level]
            routes = {(r.manager_id, r.day_index): r for r, _ in stops}
            out.append({"level": level, "name": " / ".join(sorted(names[level])),
                        "visits_planned": len(stops), "visits_required": required[level],
                        "unserved": sum(1 for u in self.unserved if u.level == level),
                        "customers": len({s.customer_id for _, s in stops}),
                        "service_min": round(sum(service[s.customer_id][level] for _, s in stops), 2),
                        "leg_km": round(sum(s.travel_km for _, s in stops), 3),
                        "managers": sorted({r.manager_id for r, _ in stops}),
                        "routes": len(routes),
                        "route_work_min": round(sum(r.work_min for r in routes.values()), 2),
                        "route_travel_km": round(sum(r.travel_km for r in routes.values()), 3),
                        "max_day_work_min": round(max((r.work_min for r in routes.values()), default=0.0), 2)})
        return out

    def work_cv(self, groups: list[list[str]] | None = None) -> float:
        """Largest coefficient of variation of total work over groups of interchangeable
        managers (default: one group per role)."""
        figures = {f.manager_id: f.work_min for f in self.manager_figures()}
        if groups is None:
            by_role: dict[str, list[str]] = {}
            for m in self.problem.managers:
                by_role.setdefault(m.role, []).append(m.manager_id)
            groups = list(by_role.values())
        return _largest_cv([[figures[g] for g in group] for group in groups])

    def balance_groups(self) -> list[list[str]]:
        """The groups of interchangeable managers the planner balanced.

        The planner records them (a role-blind strategy's districts make their own groups) and
        :func:`routeplan.read_plan` reads them back from summary.json; a plan that does not say
        takes the groups of the problem's roles under ``hybrid``, and all managers as one group
        under the role-blind strategies, where any manager may be handed any customer.
        """
        recorded = self.run.balance_groups
        if recorded is not None:
            return [list(g) for g in recorded]
        if self.strategy == "hybrid":
            return [list(g) for g in self.problem.balance_groups()]
        return [[m.manager_id for m in self.problem.managers]]

    def role_groups(self) -> list[list[str]] | None:
        """The managers whose work ``work_cv`` compares (the contract): one group per role under
        ``hybrid`` (None), all managers under the role-blind strategies (with visit levels: all
        customer managers, and the managers of each further level's role apart)."""
        if self.strategy == "hybrid":
            return None
        managers = self.problem.managers
        if not self.problem.has_levels:
            return [[m.manager_id for m in managers]]
        # The strategy hands out the tiers' own visits to the customer managers only; the market
        # managers and heads of further levels compare with their own role.
        own = {r for t in self.problem.tiers for r in t.roles}
        groups: dict[str, list[str]] = {}
        for m in managers:
            groups.setdefault("" if m.role in own else m.role, []).append(m.manager_id)
        return list(groups.values())

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

    def utilisation_cv(self, groups: list[list[str]] | None = None) -> float:
        """Largest coefficient of variation of utilisation (work over shift time of the days
        worked) over groups of managers (default: the groups the planner balanced)."""
        if groups is None:
            groups = self.balance_groups()
        managers = {m.manager_id: m for m in self.problem.managers}
        work = {f.manager_id: f.work_min for f in self.manager_figures()}
        return _largest_cv([[work[mid] / managers[mid].available_min if managers[mid].available_min > 0 else 0.0
                             for mid in group] for group in groups])

    def reassigned_pct(self) -> float | None:
        """Share (%) of the customers whose ``current_manager`` is still among the managers that
        another serves now (or none); None when no customer has a current manager still present."""
        present = {m.manager_id for m in self.problem.managers}
        current = {c.customer_id: c.current_manager for c in self.problem.customers
                   if c.current_manager in present}
        if not current:
            return None
        assignment = self.assignment()
        changed = sum(1 for cid, m in current.items() if assignment.get(cid) != m)
        return 100.0 * changed / len(current)

    def same_days_pct(self) -> float | None:
        """Share (%) of the customers with current days (a re-plan's) that are served on exactly
        those days now; None when none has current days."""
        days = {c.customer_id: c.current_days for c in self.problem.customers if c.current_days}
        if not days:
            return None
        now: dict[str, list[int]] = {}
        for route, stop in self.visits():
            if stop.level == 0:
                now.setdefault(stop.customer_id, []).append(route.day_index)
        same = sum(1 for cid, d in days.items() if tuple(sorted(now.get(cid, ()))) == tuple(sorted(d)))
        return 100.0 * same / len(days)

    def summary(self) -> dict[str, Any]:
        """The figures written to summary.json."""
        managers = {}
        figures = self.manager_figures()
        for f in figures:
            managers[f.manager_id] = {"role": f.role, "customers": f.customers, "visits": f.visits,
                                      "travel_km": round(f.travel_km, 3), "work_min": round(f.work_min, 2),
                                      "max_day_work_min": round(f.max_day_work_min, 2),
                                      "days_worked": f.days_worked, "specialty_share": round(f.specialty_share, 4),
                                      "districts": f.districts}
        visits = sum(f.visits for f in figures)
        reassigned = self.reassigned_pct()
        balance = self.balance()
        territories = self.territories()
        return {
            "scenario": self.problem.name,
            "strategy": self.strategy,
            "seed": self.seed,
            "solve_seconds": round(self.solve_seconds, 3),
            "time_limit": self.time_limit,
            "iterations": self.iterations,
            "total_travel_km": round(self.cost(), 3),
            "total_work_min": round(self.total_work_min(), 2),
            "max_day_work_min": round(max((r.work_min for r in self.routes), default=0.0), 2),
            "work_cv": round(self.work_cv(self.role_groups()), 5),
            "utilisation_cv": round(self.utilisation_cv(), 5),
            "balance_deviation": round(balance.largest_deviation, 5),
            "balance_within": balance.within,
            "hull_overlap": round(territories.hull_overlap, 5),
            "mean_centre_km": round(territories.mean_centre_km, 4),
            "balance": balance.to_dict(),
            "territories": territories.to_dict(),
            "visits_planned": self.visits_planned(),
            "visits_required": self.visits_required(),
            "unserved": len(self.unserved),
            "reassigned_pct": None if reassigned is None else round(reassigned, 2),
            **({} if self.problem.stability is None else {"same_days_pct": _rounded(self.same_days_pct()),
                                                          "changes": reason_counts(plan_changes(self))}),
            "specialty_share": round(sum(f.specialty_share * f.visits for f in figures) / visits, 4) if visits else 0.0,
            "district_crossings": sum(max(0, f.districts - 1) for f in figures),
            "managers": managers,
            **({"levels": self.level_figures()} if self.problem.has_levels else {}),
            **self.run.summary_entries(),
        }

    def summary_table(self) -> str:
        """A plain-text table of the figures per manager, for terminals and notebooks."""
        head = f"{'manager':<8} {'role':<5} {'customers':>9} {'visits':>6} {'km':>8} {'work h':>7} {'max day h':>9}"
        lines = [head, "-" * len(head)]
        for f in self.manager_figures():
            lines.append(f"{f.manager_id:<8} {f.role:<5} {f.customers:>9} {f.visits:>6} {f.travel_km:>8.1f} "
                         f"{f.work_min / 60:>7.1f} {f.max_day_work_min / 60:>9.2f}")
        lines.append("-" * len(head))
        lines.append(f"{'total':<14} {len(self.assignment()):>9} {self.visits_planned():>6} {self.cost():>8.1f} "
                     f"{self.total_work_min() / 60:>7.1f}")
        lines.append(f"km and work h: per cycle of {self.problem.num_days} days; max day h: the longest day's work")
        lines.append(f"visits planned {self.visits_planned()} of {self.visits_required()}; unserved customers "
                     f"{len(self.unserved)}; work CV {100 * self.work_cv(self.role_groups()):.1f}% "
                     f"(utilisation CV {100 * self.utilisation_cv():.1f}%)")
        lines.append("  (CV: standard deviation over mean, the largest of the groups compared; work: hours; "
                     "utilisation: work over the shift time of the days worked)")
        report = self.balance()
        lines.append(f"balance: largest deviation from a group's mean utilisation "
                     f"{100 * report.largest_deviation:.1f}% (tolerance {100 * report.tolerance:g}%)")
        lines.extend(f"  {line}" for line in report.lines())
        others = [w for w in self.warnings if not is_minor(w)]  # balance lines are listed just above
        if others:
            lines.append(f"warnings ({len(others)}):")
            lines.extend(f"  {w}" for w in others)
        if self.problem.has_levels:
            for level in self.level_figures():
                lines.append(f"level {level['level']} ({level['name']}): {level['visits_planned']} of "
                             f"{level['visits_required']} visits by {', '.join(level['managers']) or 'nobody'}; "
                             f"{level['service_min'] / 60:.1f} h on site, routes {level['route_travel_km']:.1f} km, "
                             f"longest day {level['max_day_work_min'] / 60:.2f} h")
        return "\n".join(lines)

    # -- tables ---------------------------------------------------------------------------------
    def visit_columns(self) -> tuple[str, ...]:
        """Columns of visits.csv: :data:`VISIT_COLUMNS`, and ``level`` when a tier has levels."""
        return VISIT_COLUMNS + ((LEVEL_COLUMN,) if self.problem.has_levels else ())

    def unserved_columns(self) -> tuple[str, ...]:
        """Columns of unserved.csv: :data:`UNSERVED_COLUMNS`, and ``level`` when a tier has levels."""
        return UNSERVED_COLUMNS + ((LEVEL_COLUMN,) if self.problem.has_levels else ())

    def visit_rows(self) -> Iterator[list[Any]]:
        """Rows of visits.csv."""
        levels = self.problem.has_levels
        for route, stop in self.visits():
            yield [route.manager_id, route.day_index, route.day, stop.seq, stop.customer_id,
                   format_hhmmss(stop.arrival), format_hhmmss(stop.start), format_hhmmss(stop.end),
                   f"{stop.travel_km:.4f}", *([stop.level] if levels else [])]

    def route_rows(self) -> Iterator[list[Any]]:
        """Rows of routes.csv."""
        for r in self.routes:
            yield [r.manager_id, r.day_index, r.day, len(r.stops), format_hhmmss(r.depart),
                   format_hhmmss(r.return_time), f"{r.travel_km:.4f}", f"{r.travel_min:.2f}",
                   f"{r.service_min:.2f}", f"{r.wait_min:.2f}", f"{r.work_min:.2f}"]

    def unserved_rows(self) -> Iterator[list[Any]]:
        """Rows of unserved.csv."""
        levels = self.problem.has_levels
        for u in self.unserved:
            yield [u.customer_id, u.visits_missing, u.reason, *([u.level] if levels else [])]

    def tables(self) -> dict[str, tuple[tuple[str, ...], Iterable[Sequence[Any]]]]:
        """The plan's CSV files by name: (header, rows) of visits.csv, routes.csv and
        unserved.csv, and of a re-plan's changes.csv."""
        tables: dict[str, tuple[tuple[str, ...], Iterable[Sequence[Any]]]] = {
            "visits.csv": (self.visit_columns(), self.visit_rows()), "routes.csv": (ROUTE_COLUMNS, self.route_rows()),
            "unserved.csv": (self.unserved_columns(), self.unserved_rows())}
        if self.problem.stability is not None:  # a re-plan: what changed from the current plan, and why
            tables["changes.csv"] = (CHANGES_COLUMNS, (c.row() for c in plan_changes(self)))
        return tables

    def stops_gdf(self) -> gpd.GeoDataFrame:
        """Every visit as a point (GeoDataFrame, EPSG:4326) with the columns of visits.csv and
        the customer's tier, name and business type."""
        import geopandas as gpd  # noqa: PLC0415 - only these two methods need geopandas and pyproj: not at every start

        customers = {c.customer_id: c for c in self.problem.customers}
        frame = self.visits_frame()
        frame["tier"] = [customers[c].tier for c in frame["customer_id"]]
        frame["name"] = [customers[c].name for c in frame["customer_id"]]
        frame["business_type"] = [customers[c].business_type for c in frame["customer_id"]]
        geometry = [ShapelyPoint(customers[c].lon, customers[c].lat) for c in frame["customer_id"]]
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

    def routes_gdf(self) -> gpd.GeoDataFrame:
        """Every manager-day as a line from the start place through the visits to the end place
        (GeoDataFrame, EPSG:4326) with the columns of routes.csv."""
        import geopandas as gpd  # noqa: PLC0415 - as in stops_gdf

        features = self.routes_geojson()["features"]
        frame = self.routes_frame()
        geometry = [LineString(f["geometry"]["coordinates"]) for f in features]
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

    def routes_geojson(self) -> dict[str, Any]:
        """routes.geojson: one LineString feature per manager-day (start place, visits in order,
        end place; along the streets with the road model, see :meth:`route_line`), EPSG:4326."""
        features = []
        for route in self.routes:
            coords = [list(p) for p in self.route_line(route)]
            features.append({"type": "Feature",
                             "properties": {"manager_id": route.manager_id, "day_index": route.day_index,
                                            "day": route.day, "stops": len(route.stops),
                                            "travel_km": round(route.travel_km, 4),
                                            "work_min": round(route.work_min, 2)},
                             "geometry": {"type": "LineString", "coordinates": coords}})
        return {"type": "FeatureCollection", "features": features}

    def route_places(self, route: DayRoute) -> list[tuple[float, float]]:
        """``(lon, lat)`` of a route's start place, its stops in order and its end place."""
        if "places" not in self._reports:
            self._reports["places"] = ({m.manager_id: m for m in self.problem.managers},
                                       {c.customer_id: c for c in self.problem.customers})
        managers, customers = self._reports["places"]
        m = managers[route.manager_id]
        return ([(m.start.lon, m.start.lat)] + [(customers[s.customer_id].lon, customers[s.customer_id].lat)
                                                for s in route.stops] + [(m.end.lon, m.end.lat)])

    def route_line(self, route: DayRoute) -> list[tuple[float, float]]:
        """The line a route rides, ``(lon, lat)`` from its start place to its end place: through
        the nodes of every leg's path with the road model, straight from stop to stop otherwise."""
        places = self.route_places(route)
        model = travel_model(self.problem.travel)
        legs = getattr(model, "leg_lines", None)
        if legs is None:
            return places
        lon, lat = np.array([p[0] for p in places]), np.array([p[1] for p in places])
        line: list[tuple[float, float]] = [places[0]]
        for leg in legs(lon, lat):
            line.extend(leg[1:])
        return line

    def visits_frame(self) -> pd.DataFrame:
        """The visits as a pandas DataFrame (columns of visits.csv)."""
        return pd.DataFrame(list(self.visit_rows()), columns=list(self.visit_columns()))

    def routes_frame(self) -> pd.DataFrame:
        """The routes as a pandas DataFrame (columns of routes.csv)."""
        return pd.DataFrame(list(self.route_rows()), columns=list(ROUTE_COLUMNS))

    # -- files and JSON ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, including the problem."""
        return {
            "format": "routeplan.plan/1",
            "problem": self.problem.to_dict(),
            "strategy": self.strategy, "seed": self.seed, "solve_seconds": self.solve_seconds,
            "time_limit": self.time_limit, "iterations": self.iterations, "run": self.run.to_dict(),
            "routes": [{"manager_id": r.manager_id, "day_index": r.day_index, "day": r.day, "depart": r.depart,
                        "return": r.return_time, "travel_km": r.travel_km, "travel_min": r.travel_min,
                        "service_min": r.service_min, "wait_min": r.wait_min,
                        "stops": [[s.seq, s.customer_id, s.arrival, s.start, s.end, s.travel_km, s.level]
                                  for s in r.stops]} for r in self.routes],
            "unserved": [[u.customer_id, u.visits_missing, u.reason, u.level] for u in self.unserved],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Inverse of :meth:`to_dict`."""
        routes = tuple(DayRoute(manager_id=r["manager_id"], day_index=r["day_index"], day=r["day"],
                                depart=r["depart"], return_time=r["return"], travel_km=r["travel_km"],
                                travel_min=r["travel_min"], service_min=r["service_min"], wait_min=r["wait_min"],
                                stops=tuple(Stop(seq=s[0], customer_id=s[1], arrival=s[2], start=s[3], end=s[4],
                                                 travel_km=s[5], level=s[6] if len(s) > 6 else 0)
                                            for s in r["stops"]))
                       for r in data["routes"])
        return cls(problem=Problem.from_dict(data["problem"]), routes=routes,
                   unserved=tuple(Unserved(customer_id=u[0], visits_missing=u[1], reason=u[2],
                                           level=u[3] if len(u) > 3 else 0) for u in data["unserved"]),
                   strategy=data["strategy"], seed=data["seed"], solve_seconds=data["solve_seconds"],
                   time_limit=data["time_limit"], iterations=data["iterations"],
                   run=RunRecord.from_dict(data.get("run", data.get("extra", {}))))

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls.from_dict(json.loads(text))




def _largest_cv(groups: Iterable[Sequence[float]]) -> float:
    """The largest coefficient of variation (population standard deviation over the mean) of
    the groups' values; groups of fewer than two values, or of mean 0, count as 0."""
    worst = 0.0
    for values in groups:
        if len(values) < 2:
            continue
        mean = sum(values) / len(values)
        if mean > 0:
            worst = max(worst, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean)
    return worst


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
