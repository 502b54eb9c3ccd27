"""The planning problem: calendar, depot, travel, tiers, customers and managers.

:class:`ProblemBuilder` collects the parts (from Python, a GeoDataFrame or the scenario files),
checks them all at once and freezes them into an immutable, picklable :class:`Problem`.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict, Unpack

import numpy as np
from shapely.geometry import mapping, shape

from ..errors import InputIssue, ScenarioError, unexpected_keyword
from ..notices import issue, unique
from .clock import format_hhmm, parse_clock
from .clock import range_hint as _range_hint
from .frames import customer_records
from .names import did_you_mean
from .travel import TRAVEL_MODELS, haversine_km

DEFAULT_SHIFT = (510.0, 1050.0)  # 08:30-17:30, minutes after midnight
FAR_KM = 50.0  # a customer this far beyond the others is taken for a typo
LEVEL_KEYS = frozenset({"name", "roles", "visits", "min_gap", "service_min", "window"})
"""The keys of a visit level (``[[tiers.NAME.levels]]``)."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """A break taken once on every day worked (file contract section 9): it starts between
    ``earliest`` and ``latest`` (minutes after midnight) and lasts ``minutes``; the engine chooses
    where in that window and at which stop."""

    earliest: float
    latest: float
    minutes: float


@dataclass(frozen=True, slots=True, kw_only=True)
class TravelSettings:
    """How travel distance and time are computed (``[travel]`` of scenario.toml)."""

    model: str = "haversine"
    speed_kmh: float = 20.0
    detour_factor: float = 1.3
    network: str = ""  # model "road": the road network file (an absolute path)
    matrix: str = ""  # model "matrix": travel.csv (an absolute path)
    places: tuple[tuple[str, float, float], ...] = ()  # model "matrix": the table's id at each place

    # Reading the network or the table these settings name is the roads layer's job
    # (routeplan.roads.resolve: travel_model, road_size): the model reads no file.


DEFAULT_BALANCE_TOLERANCE = 0.10
"""Default band of utilisation around a group's mean (relative): the reference case asks for
*relatively* balanced lines, and within 10% two managers of one role have the same day's work
to within about 45 minutes of a 9-hour shift, less than one visit more or less a day."""
DEFAULT_DAY_BALANCE_TOLERANCE = 0.35
"""Default band of one manager's day around its mean day (relative): shifts and windows bound
every day anyway, and visit rules make some days fuller (a large customer's two visits four days
apart); within 35%, a 6-hour mean day stays between 3.9 and 8.1 hours."""


BALANCE_FLOOR_MIN = 60.0
"""Smallest half-width of a manager's band, in minutes per cycle: work this close to its fair
share is in balance however small the share (a few customers per manager)."""
DAY_BALANCE_FLOOR_MIN = 30.0
"""Smallest half-width of a day's band, in minutes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceSettings:
    """How even the work must be (``[balance]`` of scenario.toml).

    ``tolerance``: every manager's utilisation (work over available time) within
    ``mean x (1 +- tolerance)`` of its group of interchangeable managers (those linked through
    tiers they share); inside the band only travel counts, beyond it the plan pays steeply.
    ``day_tolerance``: the same for the days of one manager, against its mean day. A band is
    never narrower than :data:`BALANCE_FLOOR_MIN` (days: :data:`DAY_BALANCE_FLOOR_MIN`) either
    side of the fair share, so that small problems are not held to minutes.
    """

    tolerance: float = DEFAULT_BALANCE_TOLERANCE
    day_tolerance: float = DEFAULT_DAY_BALANCE_TOLERANCE


DEFAULT_MOVE_COST_MIN = 30.0
"""What moving a customer to another manager costs in a re-plan, in minutes of travel: a move
must save half an hour of riding over the cycle (or even out the work) to be made."""
DEFAULT_DAY_COST_MIN = 10.0
"""What moving one visit to another day costs in a re-plan (``keep_days``), in minutes of
travel: a shop expects its manager on the same weekday."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilitySettings:
    """How a re-plan keeps the current plan (``[stability]`` of scenario.toml, or
    ``routeplan plan --previous``): each customer's current manager (``current_manager``, or the
    previous plan's) and days.

    ``max_reassigned``: at most this share of the customers served by a manager still present is
    served by another (a hard limit; None: no limit). Customers whose manager left, new
    customers, and customers their manager may no longer serve (its role no longer serves their
    tier, a lock) are placed freely; the last count as reassigned, so the limit can be met only
    where it is at least their share. ``move_cost_min``: below the limit, each customer moved
    costs this many minutes of travel. ``keep_days``: each visit on a day the customer was not
    visited on before costs ``day_cost_min`` minutes of travel.
    """

    max_reassigned: float | None = None
    keep_days: bool = True
    move_cost_min: float = DEFAULT_MOVE_COST_MIN
    day_cost_min: float = DEFAULT_DAY_COST_MIN


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitLevel:
    """A further level of visits to a tier's customers (``[[tiers.NAME.levels]]``): managers of
    other ``roles`` (a market manager, the department head) visit each customer ``visits`` times
    a cycle, at least ``min_gap`` days apart, each visit ``service_min`` long and starting inside
    ``window`` (minutes after midnight). Level 0 is the tier's own rule."""

    name: str
    roles: tuple[str, ...]
    visits: int
    min_gap: int = 0
    service_min: float
    window: tuple[float, float] = DEFAULT_SHIFT


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitRule:
    """What one level of visits to one customer asks for (see :meth:`Problem.visit_rules`):
    ``visits`` on distinct days at least ``min_gap`` apart (cyclically), by one manager of one of
    ``roles``; ``locked_manager`` (level 0 only) names the one manager allowed."""

    level: int
    name: str
    visits: int
    min_gap: int
    service_min: float
    window: tuple[float, float]
    roles: tuple[str, ...]
    locked_manager: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier:
    """A customer tier with its visit rules.

    ``window`` is in minutes after midnight; a visit must start inside it. ``levels`` are the
    further levels of visits (section 5 of the file contract), in order: level 1, 2, ...
    """

    name: str
    visits: int
    min_gap: int = 0
    service_min: float
    window: tuple[float, float] = DEFAULT_SHIFT
    roles: tuple[str, ...]
    levels: tuple[VisitLevel, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """A retail customer with its visit rules resolved (tier defaults plus its own overrides).

    ``overrides`` names the visit-rule fields the customer sets itself
    (``service_min``, ``window``, ``visits``, ``min_gap``).
    """

    customer_id: str
    lon: float
    lat: float
    tier: str
    visits: int
    min_gap: int
    service_min: float
    window: tuple[float, float]
    business_type: str | None = None
    district: str | None = None
    value: float | None = None
    name: str | None = None
    address: str | None = None
    locked_manager: str | None = None
    current_manager: str | None = None
    current_days: tuple[int, ...] = ()  # the days it is visited on now (a previous plan's)
    current_seq: tuple[int, ...] = ()  # its place in each of those days' routes
    overrides: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Manager:
    """A customer manager: a role, a start and end place, a shift and the days worked."""

    manager_id: str
    role: str
    start: Point
    end: Point
    shift: tuple[float, float] = DEFAULT_SHIFT
    days: tuple[int, ...]
    max_visits: int | None = None
    name: str | None = None
    #: The break of every day worked (None: none).
    break_: Break | None = None

    @property
    def day_min(self) -> float:
        """Minutes of one working day: the shift less the break."""
        return self.shift[1] - self.shift[0] - (self.break_.minutes if self.break_ is not None else 0.0)

    @property
    def available_min(self) -> float:
        """Minutes this manager can work over the cycle: its shift, less its break, times the days
        it works."""
        return self.day_min * len(self.days)


@dataclass(frozen=True, slots=True, kw_only=True)
class District:
    """An administrative district polygon (shapely geometry, WGS84)."""

    name: str
    geometry: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """An immutable planning problem. Build one with :class:`ProblemBuilder` or
    :func:`routeplan.read_scenario`."""

    name: str
    days: tuple[str, ...]
    consistent: bool = True
    depot: Point
    travel: TravelSettings = TravelSettings()
    tiers: tuple[Tier, ...]
    customers: tuple[Customer, ...]
    managers: tuple[Manager, ...]
    classification: tuple[tuple[str, str], ...] = ()
    districts: tuple[District, ...] = ()
    balance: BalanceSettings = BalanceSettings()
    stability: StabilitySettings | None = None  # None: a plan from scratch (no cost of moving)
    #: What reading or building it warned of (columns ignored, shops far from the roads, ...).
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def num_days(self) -> int:
        return len(self.days)

    @property
    def num_customers(self) -> int:
        return len(self.customers)

    @property
    def num_managers(self) -> int:
        return len(self.managers)

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        for tier in self.tiers:
            if tier.name == name:
                return tier
        raise KeyError(name)

    def customer(self, customer_id: str) -> Customer:
        """The customer with this id."""
        for customer in self.customers:
            if customer.customer_id == customer_id:
                return customer
        raise KeyError(customer_id)

    def manager(self, manager_id: str) -> Manager:
        """The manager with this id."""
        for manager in self.managers:
            if manager.manager_id == manager_id:
                return manager
        raise KeyError(manager_id)

    def eligible_managers(self, customer: Customer, *, level: int = 0) -> list[Manager]:
        """Managers whose role may make this customer's visits of ``level`` (0: its tier's own
        visits, which its lock, if any, gives to one manager)."""
        rule = self.visit_rules(customer)[level]
        managers = [m for m in self.managers if m.role in rule.roles]
        if rule.locked_manager is not None:
            managers = [m for m in managers if m.manager_id == rule.locked_manager]
        return managers

    @property
    def has_levels(self) -> bool:
        """Whether any tier asks for visits of further levels (then visits.csv and unserved.csv
        carry a ``level`` column)."""
        return any(t.levels for t in self.tiers)

    @property
    def has_breaks(self) -> bool:
        """Whether any manager takes a break (then routes.csv carries ``break_start``)."""
        return any(m.break_ is not None for m in self.managers)

    def visit_rules(self, customer: Customer) -> tuple[VisitRule, ...]:
        """The customer's visit rules, level by level: level 0 its own (the tier's, with its
        overrides and lock), then its tier's further levels. The one place that says what each
        level of visits asks for."""
        tier = self.tier(customer.tier)
        own = VisitRule(level=0, name=tier.name, visits=customer.visits, min_gap=customer.min_gap,
                        service_min=customer.service_min, window=customer.window, roles=tier.roles,
                        locked_manager=customer.locked_manager)
        further = (VisitRule(level=k, name=lv.name, visits=lv.visits, min_gap=lv.min_gap, service_min=lv.service_min,
                             window=lv.window, roles=lv.roles) for k, lv in enumerate(tier.levels, start=1))
        return (own, *further)

    def level_tasks(self) -> list[tuple[int, int, tuple[int, ...]]]:
        """Every (customer position, level, positions of the managers allowed) of levels 1 and
        up, in customer order and then level order; customers of one tier share the tuples."""
        index = {m.manager_id: i for i, m in enumerate(self.managers)}
        shared: dict[tuple[str, int], tuple[int, ...]] = {}
        out = []
        for i, c in enumerate(self.customers):
            tier = self.tier(c.tier)
            for level, rule in enumerate(tier.levels, start=1):
                key = (c.tier, level)
                if key not in shared:
                    shared[key] = tuple(index[m.manager_id] for m in self.managers if m.role in rule.roles)
                out.append((i, level, shared[key]))
        return out

    def eligible_indices(self) -> list[tuple[int, ...]]:
        """Per customer, the positions of :meth:`eligible_managers` in ``managers``; customers of
        one tier and lock share one tuple (a province has thousands of managers per role)."""
        index = {m.manager_id: i for i, m in enumerate(self.managers)}
        shared: dict[tuple[str, str | None], tuple[int, ...]] = {}
        out = []
        for c in self.customers:
            key = (c.tier, c.locked_manager)
            if key not in shared:
                shared[key] = tuple(index[m.manager_id] for m in self.eligible_managers(c))
            out.append(shared[key])
        return out

    def interchangeable(self, eligible: Sequence[tuple[int, ...]] | None = None) -> list[tuple[int, ...]]:
        """Groups of interchangeable managers (positions), every manager in one: those linked,
        directly or through others, by a customer whose visits of one level they may both make.
        The one definition of the groups whose work is balanced against each other.

        Parameters
        ----------
        eligible
            The managers each customer's own visits (level 0) may have, a strategy's hand-out
            (default: :meth:`eligible_indices`, the roles and locks); further levels' visits go
            by their roles whatever the hand-out.
        """
        own = self.eligible_indices() if eligible is None else eligible
        owners = list(own) + [allowed for _, _, allowed in self.level_tasks()]
        return interchangeable_groups(owners, self.num_managers)

    def balance_groups(self) -> list[tuple[str, ...]]:
        """Ids of the managers that can take over each other's customers under the roles
        (:meth:`interchangeable`; under the usual roles, one group per role), in groups of at
        least two: whose work is balanced against each other."""
        return [tuple(self.managers[i].manager_id for i in g) for g in self.interchangeable() if len(g) > 1]

    def visits_required(self) -> int:
        """Visits the whole cycle asks for (every level's)."""
        further = {t.name: sum(lv.visits for lv in t.levels) for t in self.tiers}
        return sum(c.visits + further[c.tier] for c in self.customers)

    def summary(self) -> str:
        """A few lines describing the problem."""
        lines = [(f"Problem '{self.name}': {self.num_customers} customers, {self.num_managers} managers, "
                  f"{self.num_days} days, {self.visits_required()} visits per cycle")]
        for tier in self.tiers:
            count = sum(1 for c in self.customers if c.tier == tier.name)
            lines.append(f"  tier {tier.name}: {count} customers, {tier.visits} visits, min_gap {tier.min_gap}, "
                         f"{tier.service_min:g} min, roles {'/'.join(tier.roles)}")
            for k, level in enumerate(tier.levels, start=1):
                lines.append(f"    level {k} ({level.name}): {level.visits} visits, min_gap {level.min_gap}, "
                             f"{level.service_min:g} min, roles {'/'.join(level.roles)}")
        return "\n".join(lines)

    def with_balance(self, *, tolerance: float | None = None, day_tolerance: float | None = None) -> Problem:
        """A copy with other balance tolerances (those not given are kept)."""
        balance = BalanceSettings(tolerance=self.balance.tolerance if tolerance is None else float(tolerance),
                                  day_tolerance=self.balance.day_tolerance if day_tolerance is None
                                  else float(day_tolerance))
        issues = _balance_issues(balance, "balance")
        if issues:
            raise ScenarioError(issues)
        return self.replace(balance=balance)

    # -- variants (what-if) ---------------------------------------------------------------------
    def without_managers(self, *manager_ids: str) -> Problem:
        """A copy without these managers (customers locked to them are unlocked)."""
        unknown = sorted(set(manager_ids) - {m.manager_id for m in self.managers})
        if unknown:
            raise ScenarioError([InputIssue("managers", f"no manager {', '.join(unknown)}")])
        gone = set(manager_ids)
        customers = tuple(replace(c, locked_manager=None) if c.locked_manager in gone else c for c in self.customers)
        return self.replace(managers=tuple(m for m in self.managers if m.manager_id not in gone), customers=customers)

    def with_tier_rules(self, tier: str, *, visits: int | None = None, min_gap: int | None = None,
                        service_min: float | None = None) -> Problem:
        """A copy where tier ``tier`` has other visit rules; its customers follow them except
        where they set the rule themselves (``overrides``)."""
        old = self.tier(tier)
        new = replace(old, visits=old.visits if visits is None else int(visits),
                      min_gap=old.min_gap if min_gap is None else int(min_gap),
                      service_min=old.service_min if service_min is None else float(service_min))
        further = sum(lv.visits for lv in new.levels)  # one visit a day, whatever the level
        if (not 1 <= new.visits <= self.num_days - further
                or new.min_gap * (new.visits if new.visits > 1 else 0) > self.num_days):
            raise ScenarioError([InputIssue("tiers", f"tier '{tier}': {new.visits} visits at least {new.min_gap} days "
                                                     f"apart do not fit a cycle of {self.num_days} days"
                                                     + (f" beside the {further} visits of its further levels"
                                                        if further else ""), None, f"tiers.{tier}")])
        customers = tuple(
            replace(c, **{f: getattr(new, f) for f in ("visits", "min_gap", "service_min") if f not in c.overrides})
            if c.tier == tier else c for c in self.customers)
        return self.replace(tiers=tuple(new if t.name == tier else t for t in self.tiers), customers=customers)

    def with_customers(self, customers: Iterable[Customer]) -> Problem:
        """A copy with these customers added (see :meth:`new_customer`); ids must be new."""
        added = tuple(customers)
        known = {c.customer_id for c in self.customers}
        clash = sorted({c.customer_id for c in added} & known)
        if clash:
            raise ScenarioError([InputIssue("customers", f"customer ids already in use: {', '.join(clash[:10])}")])
        return self.replace(customers=self.customers + added)

    def new_customer(self, customer_id: str, *, lon: float, lat: float, tier: str, **fields: Any) -> Customer:
        """A customer of ``tier`` with the tier's visit rules (for :meth:`with_customers`);
        ``fields`` sets any other field of :class:`Customer`."""
        rules = self.tier(tier)
        return Customer(customer_id=customer_id, lon=float(lon), lat=float(lat), tier=tier, visits=rules.visits,
                        min_gap=rules.min_gap, service_min=rules.service_min, window=rules.window, **fields)

    def with_stability(self, stability: StabilitySettings | None) -> Problem:
        """A copy that re-plans with ``stability`` (None: plans from scratch)."""
        if stability is not None:
            issues = stability_issues(stability, "stability")
            if issues:
                raise ScenarioError(issues)
        return self.replace(stability=stability)

    def replace(self, **changes: Any) -> Problem:
        """A copy with some fields replaced (the problem itself never changes)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return Problem(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (district polygons as GeoJSON geometries)."""
        data: dict[str, Any] = {
            "name": self.name,
            "days": list(self.days),
            "consistent": self.consistent,
            "depot": asdict(self.depot),
            "travel": asdict(self.travel),
            "balance": asdict(self.balance),
            "stability": None if self.stability is None else asdict(self.stability),
            "tiers": [asdict(t) for t in self.tiers],
            "classification": [list(pair) for pair in self.classification],
            "customers": [],
            "managers": [],
            "districts": [{"name": d.name, "geometry": mapping(d.geometry)} for d in self.districts],
        }
        for c in self.customers:
            record = {name: getattr(c, name) for name in c.__dataclass_fields__}
            record["window"] = list(c.window)
            record["current_days"] = list(c.current_days)
            record["current_seq"] = list(c.current_seq)
            record["overrides"] = sorted(c.overrides)
            data["customers"].append(record)
        for m in self.managers:
            record = {name: getattr(m, name) for name in m.__dataclass_fields__}
            record["start"] = asdict(m.start)
            record["end"] = asdict(m.end)
            record["shift"] = list(m.shift)
            record["days"] = list(m.days)
            if m.break_ is None:
                del record["break_"]  # as before breaks existed: a plan without them is written unchanged
            else:
                record["break_"] = asdict(m.break_)
            data["managers"].append(record)
        for t in data["tiers"]:
            t["window"] = list(t["window"])
            t["roles"] = list(t["roles"])
            t["levels"] = [{**lv, "window": list(lv["window"]), "roles": list(lv["roles"])} for lv in t["levels"]]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            days=tuple(data["days"]),
            consistent=bool(data["consistent"]),
            depot=Point(**data["depot"]),
            travel=TravelSettings(**{**data["travel"],
                                     "places": tuple(tuple(p) for p in data["travel"].get("places", ()))}),
            tiers=tuple(Tier(**{**t, "window": tuple(t["window"]), "roles": tuple(t["roles"]),
                                "levels": tuple(VisitLevel(**{**lv, "window": tuple(lv["window"]),
                                                              "roles": tuple(lv["roles"])})
                                                for lv in t.get("levels", ()))})
                        for t in data["tiers"]),
            classification=tuple(tuple(pair) for pair in data.get("classification", ())),
            customers=tuple(Customer(**{**c, "window": tuple(c["window"]), "overrides": frozenset(c["overrides"]),
                                        "current_days": tuple(c.get("current_days", ())),
                                        "current_seq": tuple(c.get("current_seq", ()))})
                            for c in data["customers"]),
            managers=tuple(Manager(**{**m, "start": Point(**m["start"]), "end": Point(**m["end"]),
                                      "shift": tuple(m["shift"]), "days": tuple(m["days"]),
                                      "break_": Break(**m["break_"]) if m.get("break_") else None})
                           for m in data["managers"]),
            districts=tuple(District(name=d["name"], geometry=shape(d["geometry"]))
                            for d in data.get("districts", ())),
            balance=BalanceSettings(**data["balance"]) if "balance" in data else BalanceSettings(),
            stability=StabilitySettings(**data["stability"]) if data.get("stability") else None,
        )


# ----------------------------------------------------------------------------------------------
# Builder
# ----------------------------------------------------------------------------------------------

Origin = tuple[str, int | None]
"""Where a record came from: (file, 1-based row), for error messages."""


class CustomerFields(TypedDict, total=False):
    """The optional columns of customers.csv, as keyword arguments of
    :meth:`ProblemBuilder.add_customer` (described there)."""

    business_type: str | None
    district: str | None
    value: float | None
    name: str | None
    address: str | None
    service_min: float | None
    window_start: str | float | None
    window_end: str | float | None
    visits: int | None
    min_gap: int | None
    locked_manager: str | None
    current_manager: str | None


class ManagerFields(TypedDict, total=False):
    """The optional columns of managers.csv, as keyword arguments of
    :meth:`ProblemBuilder.add_manager` (described there)."""

    name: str | None
    start_lon: float | None
    start_lat: float | None
    end_lon: float | None
    end_lat: float | None
    shift_start: str | float | None
    shift_end: str | float | None
    max_visits: int | None
    days: str | Iterable[int | str] | None
    break_earliest: str | float | None
    break_latest: str | float | None
    break_min: float | None


CUSTOMER_FIELDS: tuple[str, ...] = tuple(CustomerFields.__annotations__)
"""The optional columns of customers.csv, in the file's order."""
MANAGER_FIELDS: tuple[str, ...] = tuple(ManagerFields.__annotations__)
"""The optional columns of managers.csv, in the file's order."""
_BREAK_FIELDS = ("break_earliest", "break_latest", "break_min")
_CUSTOMER_FIELD_SET = frozenset(CUSTOMER_FIELDS)
_MANAGER_FIELD_SET = frozenset(MANAGER_FIELDS)


@dataclass(slots=True)
class _Pending:
    values: dict[str, Any]
    origin: Origin


@dataclass(slots=True)
class ProblemBuilder:
    """Collects a problem piece by piece and checks it as a whole in :meth:`build`.

    Times are clock strings (``"08:30"``) or minutes after midnight. Every problem found is
    collected; :meth:`build` raises one :class:`~routeplan.errors.ScenarioError` listing them all.

    Examples
    --------
    >>> b = ProblemBuilder(name="demo", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    >>> b.set_depot(119.13, 36.71)
    >>> b.add_tier("shop", visits=2, min_gap=2, service_min=10, roles=["C"])
    >>> b.add_manager("C1", role="C")
    >>> b.add_customer("S1", lon=119.14, lat=36.70, tier="shop")
    >>> problem = b.build()
    """

    name: str
    days: Sequence[str]
    consistent: bool = True
    _depot: Point | None = None
    _travel: TravelSettings = field(default_factory=TravelSettings)
    _balance: BalanceSettings = field(default_factory=BalanceSettings)
    _stability: StabilitySettings | None = None
    _breaks: _Pending | None = None  # the managers' default break ([breaks] of scenario.toml)
    _tiers: list[_Pending] = field(default_factory=list)
    _classification: list[tuple[str, str, Origin]] = field(default_factory=list)
    _customers: list[_Pending] = field(default_factory=list)
    _managers: list[_Pending] = field(default_factory=list)
    _districts: list[District] = field(default_factory=list)
    _issues: list[InputIssue] = field(default_factory=list)
    _warnings: list[str] = field(default_factory=list)
    _given_warnings: list[str] = field(default_factory=list)
    _unread: set[str] = field(default_factory=set)  # "managers", "customers": their file could not be read
    _scenario_file: str = "scenario"

    # -- scenario-level parts -----------------------------------------------------------------
    def set_depot(self, lon: float, lat: float) -> None:
        """Where managers start and end unless they say otherwise."""
        self._depot = Point(float(lon), float(lat))

    def set_travel(self, *, model: str = "haversine", speed_kmh: float = 20.0, detour_factor: float = 1.3,
                   network: str | os.PathLike[str] | None = None,
                   matrix: str | os.PathLike[str] | None = None) -> None:
        """The travel model (see :mod:`routeplan.model.travel`; ``"road"`` needs the ``network``
        file, ``"matrix"`` the ``matrix`` table, see :mod:`routeplan.roads`)."""
        self._travel = TravelSettings(model=model, speed_kmh=float(speed_kmh), detour_factor=float(detour_factor),
                                      network="" if network is None else str(Path(network).resolve()),
                                      matrix="" if matrix is None else str(Path(matrix).resolve()))

    def set_balance(self, *, tolerance: float = DEFAULT_BALANCE_TOLERANCE,
                    day_tolerance: float = DEFAULT_DAY_BALANCE_TOLERANCE) -> None:
        """How even the work must be (see :class:`BalanceSettings`)."""
        self._balance = BalanceSettings(tolerance=float(tolerance), day_tolerance=float(day_tolerance))

    def set_stability(self, *, max_reassigned: float | None = None, keep_days: bool = True,
                      move_cost_min: float = DEFAULT_MOVE_COST_MIN, day_cost_min: float = DEFAULT_DAY_COST_MIN) -> None:
        """Re-plan keeping the current assignment (see :class:`StabilitySettings`)."""
        self._stability = StabilitySettings(max_reassigned=None if max_reassigned is None else float(max_reassigned),
                                            keep_days=bool(keep_days), move_cost_min=float(move_cost_min),
                                            day_cost_min=float(day_cost_min))

    def set_breaks(self, *, earliest: str | float, latest: str | float, minutes: float,
                   origin: Origin | None = None) -> None:
        """Every manager's break unless its own row gives one (``[breaks]`` of scenario.toml):
        ``minutes`` long, starting between ``earliest`` and ``latest`` (``"HH:MM"`` or minutes
        after midnight); ``minutes = 0``: no break. Checked by :meth:`build`."""
        self._breaks = _Pending(dict(break_earliest=earliest, break_latest=latest, break_min=minutes),
                                origin or (self._scenario_file, None))

    def add_tier(self, name: str, *, visits: int, service_min: float, roles: Iterable[str], min_gap: int = 0,
                 window: tuple[str | float, str | float] = ("08:30", "17:30"),
                 levels: Sequence[Mapping[str, Any]] = (), origin: Origin | None = None) -> None:
        """A customer tier and its visit rules; ``levels`` lists further levels of visits, each a
        mapping with ``roles``, ``visits`` and optionally ``name``, ``min_gap`` (default 0),
        ``service_min`` and ``window`` (default: the tier's), as ``[[tiers.NAME.levels]]`` of
        scenario.toml (see :class:`VisitLevel`)."""
        self._tiers.append(_Pending(dict(name=name, visits=visits, min_gap=min_gap, service_min=service_min,
                                         window=window, roles=roles, levels=list(levels)),
                                    origin or (self._scenario_file, None)))

    def classify(self, business_type: str, tier: str, *, origin: Origin | None = None) -> None:
        """Customers of this business type without a tier get this tier."""
        self._classification.append((business_type, tier, origin or (self._scenario_file, None)))

    def add_district(self, name: str, geometry: Any) -> None:
        """An administrative district polygon (shapely geometry, WGS84)."""
        self._districts.append(District(name=name, geometry=geometry))

    # -- records --------------------------------------------------------------------------------
    def add_customer(self, customer_id: str, *, lon: float, lat: float, tier: str | None = None,
                     origin: Origin | None = None, **fields: Unpack[CustomerFields]) -> None:
        """A retail customer: a row of customers.csv.

        Values are checked, with every other part, by :meth:`build`; text as read from the file
        (``"12.5"``, ``"08:30"``) is accepted wherever a number or a time is.

        Parameters
        ----------
        customer_id
            Unique id.
        lon, lat
            Position, WGS84 degrees.
        tier
            A tier of :meth:`add_tier`; leave it out to classify the customer by its
            ``business_type`` (:meth:`classify`).
        origin
            ``(file, row)`` named in error messages (default: ``("customers", n)``, the n-th
            customer added).

        Other Parameters
        ----------------
        business_type : str, optional
            Business type (业态): gives the tier of a customer without one.
        district : str, optional
            Administrative district (for the ``region`` strategy).
        value : float, optional
            Value of the customer, e.g. monthly sales (for the ``value`` strategy).
        name, address : str, optional
            Shop name and address (in the managers' schedules and calendars).
        service_min : float, optional
            Minutes on site per visit instead of the tier's.
        window_start, window_end : str or float, optional
            The window a visit must start in instead of the tier's: ``"HH:MM"`` or minutes after
            midnight.
        visits : int, optional
            Visits per cycle instead of the tier's.
        min_gap : int, optional
            Fewest days between two visits (cyclic) instead of the tier's.
        locked_manager : str, optional
            The manager who must serve this customer.
        current_manager : str, optional
            Today's manager: the "before" plan and the base of stability figures.

        Raises
        ------
        TypeError
            For a field that is not a column of customers.csv (naming the closest one).
        """
        for key in fields:
            if key not in _CUSTOMER_FIELD_SET:
                raise unexpected_keyword("ProblemBuilder.add_customer", key,
                                         ("lon", "lat", "tier", "origin", *CUSTOMER_FIELDS))
        # Every column, unset ones as None: build() reads each key of every record.
        values = dict(customer_id=customer_id, lon=lon, lat=lat, tier=tier,
                      **{key: fields.get(key) for key in CUSTOMER_FIELDS})
        self._customers.append(_Pending(values, origin or ("customers", len(self._customers) + 1)))

    def add_customers(self, frame: Any) -> None:
        """Add every row of a DataFrame or GeoDataFrame of customers.

        Columns follow customers.csv of the file contract; a GeoDataFrame may give positions as
        point geometries instead of ``lon``/``lat`` (reprojected to WGS84 when it has a CRS).
        """
        for values, origin in customer_records(frame):
            self.add_customer(**values, origin=origin)

    def add_manager(self, manager_id: str, *, role: str, origin: Origin | None = None,
                    **fields: Unpack[ManagerFields]) -> None:
        """A customer manager: a row of managers.csv.

        Values are checked, with every other part, by :meth:`build`; text as read from the file
        is accepted wherever a number or a time is.

        Parameters
        ----------
        manager_id
            Unique id.
        role
            Matched against the tiers' ``roles``.
        origin
            ``(file, row)`` named in error messages (default: ``("managers", n)``, the n-th
            manager added).

        Other Parameters
        ----------------
        name : str, optional
            The manager's name.
        start_lon, start_lat, end_lon, end_lat : float, optional
            Where the day starts and ends, WGS84 degrees (default: the depot).
        shift_start, shift_end : str or float, optional
            ``"HH:MM"`` or minutes after midnight (default 08:30 and 17:30).
        max_visits : int, optional
            Most visits in one day.
        days : str or iterable of int or str, optional
            Days worked: indices or labels, as a list or as text separated by spaces (default:
            every day).
        break_earliest, break_latest : str or float, optional
            ``"HH:MM"`` or minutes after midnight: the day's break starts in this window (all
            three break fields or none; default: the scenario's, :meth:`set_breaks`).
        break_min : float, optional
            Minutes of the break (0: no break, whatever the scenario's default).

        Raises
        ------
        TypeError
            For a field that is not a column of managers.csv (naming the closest one).
        """
        for key in fields:
            if key not in _MANAGER_FIELD_SET:
                raise unexpected_keyword("ProblemBuilder.add_manager", key, ("role", "origin", *MANAGER_FIELDS))
        values = dict(manager_id=manager_id, role=role, **{key: fields.get(key) for key in MANAGER_FIELDS})
        self._managers.append(_Pending(values, origin or ("managers", len(self._managers) + 1)))

    # -- freezing -------------------------------------------------------------------------------
    def build(self) -> Problem:
        """Check everything and return the frozen problem.

        Raises
        ------
        ScenarioError
            Listing every problem found.
        """
        issues = list(self._issues)
        self._warnings.clear()  # what building finds, found again by each build
        days = tuple(str(d) for d in self.days)
        sf = self._scenario_file
        if not days:
            issues.append(InputIssue(sf, "the cycle has no days; expected a non-empty list of day labels", None,
                                     "days"))
        if len(set(days)) != len(days):
            issues.append(InputIssue(sf, "day labels must be unique", None, "days"))
        if self._depot is None:
            issues.append(InputIssue(sf, "no depot; expected [depot] with lon and lat", None, "depot"))
        elif not _valid_lonlat(self._depot.lon, self._depot.lat):
            issues.append(InputIssue(sf, "depot lon/lat out of range (lon -180..180, lat -90..90)", None, "depot"))
        if self._travel.model not in TRAVEL_MODELS:
            issues.append(InputIssue(sf, f"unknown travel model '{self._travel.model}'; expected one of "
                                         f"{', '.join(TRAVEL_MODELS)}", None, "travel.model"))
        if not (self._travel.speed_kmh > 0 and math.isfinite(self._travel.speed_kmh)):
            issues.append(InputIssue(sf, "speed_kmh must be a positive number", None, "travel.speed_kmh"))
        if not (self._travel.detour_factor >= 1.0 and math.isfinite(self._travel.detour_factor)):
            issues.append(InputIssue(sf, "detour_factor must be a number >= 1", None, "travel.detour_factor"))
        if self._travel.model == "matrix" and not self._travel.matrix:
            issues.append(InputIssue(sf, 'model "matrix" needs its table: matrix = "travel.csv" (columns from_id, '
                                         "to_id, km, minutes) in the scenario folder", None, "travel.matrix"))
        if self._travel.model == "road" and not self._travel.network:
            issues.append(InputIssue(sf, 'model "road" needs the road network file: network = "roads.graphml" (or '
                                         "an OpenStreetMap extract .osm / .osm.pbf) in the scenario folder", None,
                                     "travel.network"))
        issues.extend(_balance_issues(self._balance, sf))
        if self._stability is not None:
            issues.extend(stability_issues(self._stability, sf))

        tiers = self._build_tiers(len(days), issues)
        tier_by_name = {t.name: t for t in tiers}
        classification = self._build_classification(tier_by_name, issues)
        managers = self._build_managers(days, issues)
        customers = self._build_customers(tier_by_name, dict(classification), managers, len(days), issues)
        if self._customers and not customers and not issues:
            issues.append(InputIssue(self._customers[0].origin[0], "no usable customer rows"))
        elif not self._customers and "customers" not in self._unread:
            issues.append(InputIssue("customers", "no customers; expected at least one row"))
        self._check_positions(customers, issues)
        # A manager row that failed, or a file that could not be read, would only confuse this.
        if len(managers) == len(self._managers) and not self._unread:
            self._check_roles(tiers, customers, managers, issues)
        travel = self._travel
        if not issues and travel.model == "matrix":
            travel = replace(travel, places=travel_places(depot=self._depot, managers=managers, customers=customers))
        if issues:
            raise ScenarioError(issues)
        assert self._depot is not None
        issue(unique(self._warnings), stacklevel=3)  # raised once, here: plan() does not raise them again
        return Problem(name=self.name, days=days, consistent=bool(self.consistent), depot=self._depot,
                       travel=travel, tiers=tuple(tiers), customers=tuple(customers),
                       managers=tuple(managers), classification=tuple(classification),
                       districts=tuple(self._districts), balance=self._balance, stability=self._stability,
                       warnings=unique([*self._given_warnings, *self._warnings]))

    def unreadable(self, part: str) -> None:
        """Say that the file of ``part`` (``"managers"`` or ``"customers"``) could not be read:
        its fault is reported once, without the checks that need its rows (locks, roles)."""
        if part not in ("managers", "customers"):
            raise ValueError(f"unknown part {part!r}; expected 'managers' or 'customers'")
        self._unread.add(part)

    def add_warnings(self, messages: Iterable[str]) -> ProblemBuilder:
        """Keep ``messages`` (what reading the problem's files warned of, raised there) on the problem
        built."""
        self._given_warnings.extend(messages)
        return self

    def _build_tiers(self, num_days: int, issues: list[InputIssue]) -> list[Tier]:
        tiers: list[Tier] = []
        seen: set[str] = set()
        for pending in self._tiers:
            v = pending.values
            file, row = pending.origin
            at = _At(file, row, issues)
            key = f"tiers.{v['name']}"
            if v["name"] in seen:
                issues.append(InputIssue(file, f"tier '{v['name']}' is defined twice", row, key))
                continue
            seen.add(v["name"])
            visits = at.whole(v["visits"], f"{key}.visits", minimum=1)
            min_gap = at.whole(v["min_gap"], f"{key}.min_gap", minimum=0)
            service = at.number(v["service_min"], f"{key}.service_min", minimum=0.0)
            window = at.window(v["window"], f"{key}.window")
            roles = v["roles"]
            if isinstance(roles, str) or not roles or not all(isinstance(r, str) and r for r in roles):
                issues.append(InputIssue(file, "roles must be a non-empty list of role names like [\"A\"]", row,
                                         f"{key}.roles"))
                roles = ()
            if visits is None or min_gap is None or service is None or window is None:
                continue
            at.visit_rule(visits, min_gap, num_days, key + ".")
            levels = self._build_levels(v.get("levels", ()), service, window, num_days, at, key)
            if levels is None:
                continue
            if num_days and visits + sum(lv.visits for lv in levels) > num_days:
                issues.append(InputIssue(file, f"{visits + sum(lv.visits for lv in levels)} visits of all levels "
                                               f"do not fit a cycle of {num_days} days (one visit a day at most)",
                                         row, f"{key}.levels"))
            tiers.append(Tier(name=str(v["name"]), visits=visits, min_gap=min_gap, service_min=service,
                              window=window, roles=tuple(roles), levels=levels))
        if not self._tiers:
            issues.append(InputIssue(self._scenario_file, "no tiers; expected at least one [tiers.NAME] table",
                                     None, "tiers"))
        return tiers

    @staticmethod
    def _build_levels(raw: Any, service: float, window: tuple[float, float], num_days: int, at: _At,
                      key: str) -> tuple[VisitLevel, ...] | None:
        """The tier's further visit levels (None when one is unusable: its issues are recorded)."""
        file, row, issues = at.file, at.row, at.issues
        if isinstance(raw, (Mapping, str)) or not isinstance(raw, Sequence):
            issues.append(InputIssue(file, "levels must be a list of tables ([[tiers.NAME.levels]])", row,
                                     f"{key}.levels"))
            return None
        levels: list[VisitLevel] = []
        usable = True
        for k, level in enumerate(raw, start=1):
            where = f"{key}.levels[{k}]"
            if not isinstance(level, Mapping):
                issues.append(InputIssue(file, "a level must be a table with roles and visits", row, where))
                usable = False
                continue
            missing = [name for name in ("roles", "visits") if name not in level]
            if missing:
                issues.append(InputIssue(file, f"level {k} lacks {' and '.join(missing)}", row,
                                         f"{where}.{missing[0]}"))
                usable = False
                continue
            unknown = sorted(set(level) - LEVEL_KEYS)
            if unknown:
                issues.append(InputIssue(file, f"unknown key '{unknown[0]}'; a level has "
                                               f"{', '.join(sorted(LEVEL_KEYS))}", row, f"{where}.{unknown[0]}"))
                usable = False
            visits = at.whole(level["visits"], f"{where}.visits", minimum=1)
            min_gap = at.whole(level.get("min_gap", 0), f"{where}.min_gap", minimum=0)
            level_service = (service if level.get("service_min") is None else
                             at.number(level["service_min"], f"{where}.service_min", minimum=0.0))
            level_window = (window if level.get("window") is None else
                            at.window(level["window"], f"{where}.window"))
            roles = level["roles"]
            if isinstance(roles, str) or not roles or not all(isinstance(r, str) and r for r in roles):
                issues.append(InputIssue(file, "roles must be a non-empty list of role names like [\"M\"]", row,
                                         f"{where}.roles"))
                usable = False
                continue
            name = level.get("name", f"level {k}")
            if not isinstance(name, str) or not name.strip():
                issues.append(InputIssue(file, "name must be a non-empty text", row, f"{where}.name"))
                usable = False
                continue
            if visits is None or min_gap is None or level_service is None or level_window is None:
                usable = False
                continue
            at.visit_rule(visits, min_gap, num_days, where + ".")
            levels.append(VisitLevel(name=name.strip(), roles=tuple(roles), visits=visits, min_gap=min_gap,
                                     service_min=level_service, window=level_window))
        return tuple(levels) if usable else None

    def _build_classification(self, tiers: Mapping[str, Tier], issues: list[InputIssue]) -> list[tuple[str, str]]:
        pairs = []
        for business_type, tier, (file, row) in self._classification:
            if tier not in tiers:
                hint = did_you_mean(tier, tiers)
                issues.append(InputIssue(file, f"business type '{business_type}' maps to unknown tier '{tier}'{hint}; "
                                               f"expected one of {', '.join(sorted(tiers))}", row,
                                         f"classification.{business_type}"))
                continue
            pairs.append((str(business_type), str(tier)))
        return pairs

    def _build_managers(self, days: tuple[str, ...], issues: list[InputIssue]) -> list[Manager]:
        managers: list[Manager] = []
        seen: dict[str, int | None] = {}
        depot = self._depot or Point(0.0, 0.0)
        default_break: Break | None = None
        if self._breaks is not None:
            file, row = self._breaks.origin
            default_break = _At(file, row, issues).break_(self._breaks.values, DEFAULT_SHIFT, prefix="breaks.")
        for pending in self._managers:
            v = pending.values
            file, row = pending.origin
            at = _At(file, row, issues)
            mid = at.unique_id(v, "manager_id", seen)
            if mid is None:
                continue
            role = _text(v["role"])
            if role is None:
                issues.append(InputIssue(file, "role is empty; expected a role name such as A", row, "role"))
            start = at.optional_point(v["start_lon"], v["start_lat"], depot, "start")
            end = at.optional_point(v["end_lon"], v["end_lat"], depot, "end")
            shift_start = at.optional_clock(v["shift_start"], DEFAULT_SHIFT[0], "shift_start")
            shift_end = at.optional_clock(v["shift_end"], DEFAULT_SHIFT[1], "shift_end")
            if shift_start is not None and shift_end is not None and shift_end <= shift_start:
                issues.append(InputIssue(file, "shift_end must be later than shift_start", row, "shift_end"))
            max_visits = None
            if _text(v["max_visits"]) is not None:
                max_visits = at.whole(v["max_visits"], "max_visits", minimum=1)
            worked = at.days(v["days"], days)
            if (role is None or start is None or end is None or shift_start is None or shift_end is None
                    or worked is None):
                continue
            break_ = default_break
            if any(_text(v[key]) is not None for key in _BREAK_FIELDS):
                break_ = at.break_(v, (shift_start, shift_end))  # its own (break_min = 0: none)
            elif break_ is not None and not (shift_start <= break_.earliest
                                             and break_.earliest + break_.minutes <= shift_end):
                # A night shift does not hold the day's lunch: the default passes it by, said aloud.
                self._warnings.append(f"{file} row {row}: the scenario's break ([breaks], {break_.minutes:g} min "
                                      f"from {format_hhmm(break_.earliest)}) does not fit in {mid}'s shift "
                                      f"{format_hhmm(shift_start)}-{format_hhmm(shift_end)}, so {mid} takes none; "
                                      "give it break_earliest, break_latest and break_min of its own")
                break_ = None
            managers.append(Manager(manager_id=mid, role=role, name=_text(v["name"]), start=start, end=end,
                                    shift=(shift_start, shift_end), days=worked, max_visits=max_visits,
                                    break_=break_))
        if not self._managers and "managers" not in self._unread:
            issues.append(InputIssue("managers", "no managers; expected at least one row", None, None))
        return managers

    def _build_customers(self, tiers: Mapping[str, Tier], classification: Mapping[str, str],
                         managers: list[Manager], num_days: int, issues: list[InputIssue]) -> list[Customer]:
        customers: list[Customer] = []
        seen: dict[str, int | None] = {}
        manager_by_id = {m.manager_id: m for m in managers}
        manager_ids = {p.values["manager_id"] for p in self._managers}
        for pending in self._customers:
            v = pending.values
            file, row = pending.origin
            at = _At(file, row, issues)
            cid = at.unique_id(v, "customer_id", seen)
            if cid is None:
                continue
            lon, lat = at.lonlat(v["lon"], v["lat"])
            tier_name = _text(v["tier"])
            business_type = _text(v["business_type"])
            if tier_name is None:
                if business_type is None:
                    issues.append(InputIssue(file, "tier is empty and there is no business_type to classify by",
                                             row, "tier"))
                    continue
                if business_type not in classification:
                    known = ", ".join(sorted(classification)) or "none defined"
                    issues.append(InputIssue(file, f"tier is empty and business type '{business_type}' is not in "
                                                   f"[classification] (known: {known})", row, "business_type"))
                    continue
                tier_name = classification[business_type]
            tier = tiers.get(tier_name)
            if tier is None:
                issues.append(InputIssue(file, f"unknown tier '{tier_name}'{did_you_mean(tier_name, tiers)}; "
                                               "expected one of "
                                               f"{', '.join(sorted(tiers)) or 'the tiers of scenario.toml'}",
                                         row, "tier"))
                continue
            overrides: set[str] = set()
            service: float | None = tier.service_min
            if _text(v["service_min"]) is not None:
                service = at.number(v["service_min"], "service_min", minimum=0.0)
                overrides.add("service_min")
            window_start: float | None = tier.window[0]
            window_end: float | None = tier.window[1]
            if _text(v["window_start"]) is not None:
                window_start = at.clock(v["window_start"], "window_start")
                overrides.add("window")
            if _text(v["window_end"]) is not None:
                window_end = at.clock(v["window_end"], "window_end")
                overrides.add("window")
            if window_start is not None and window_end is not None and window_end < window_start:
                issues.append(InputIssue(file, "window_end is before window_start", row, "window_end"))
            visits: int | None = tier.visits
            if _text(v["visits"]) is not None:
                visits = at.whole(v["visits"], "visits", minimum=1)
                overrides.add("visits")
            min_gap: int | None = tier.min_gap
            if _text(v["min_gap"]) is not None:
                min_gap = at.whole(v["min_gap"], "min_gap", minimum=0)
                overrides.add("min_gap")
            if visits is not None and min_gap is not None and overrides & {"visits", "min_gap"}:
                at.visit_rule(visits, min_gap, num_days, "")
                further = sum(lv.visits for lv in tier.levels)
                if further and num_days and visits + further > num_days:
                    issues.append(InputIssue(file, f"{visits} visits and the {further} of tier '{tier.name}''s "
                                                   f"further levels do not fit a cycle of {num_days} days (one "
                                                   "visit a day at most)", row, "visits"))
            value = None
            if _text(v["value"]) is not None:
                value = at.number(v["value"], "value")
            locked = _text(v["locked_manager"])
            if locked is not None:
                if "managers" in self._unread:
                    pass  # the managers' file is at fault, said once; no lock can be checked
                elif locked not in manager_ids:
                    issues.append(InputIssue(file, f"locked_manager '{locked}' is not in managers.csv", row,
                                             "locked_manager"))
                elif locked in manager_by_id and manager_by_id[locked].role not in tier.roles:
                    issues.append(InputIssue(file, f"locked_manager '{locked}' has role "
                                                   f"'{manager_by_id[locked].role}', but tier '{tier.name}' is "
                                                   f"served by roles {', '.join(tier.roles)}", row,
                                             "locked_manager"))
            current = _text(v["current_manager"])
            if (lon is None or lat is None or service is None or window_start is None or window_end is None
                    or visits is None or min_gap is None):
                continue
            customers.append(Customer(customer_id=cid, lon=lon, lat=lat, tier=tier.name, visits=visits,
                                      min_gap=min_gap, service_min=service, window=(window_start, window_end),
                                      business_type=business_type, district=_text(v["district"]), value=value,
                                      name=_text(v["name"]), address=_text(v["address"]), locked_manager=locked,
                                      current_manager=current, overrides=frozenset(overrides)))
        return customers

    def _check_positions(self, customers: list[Customer], issues: list[InputIssue]) -> None:
        """Customers far from all the others: a typo in lon or lat, or the two swapped."""
        if len(customers) < 5:
            return
        lon = np.array([c.lon for c in customers])
        lat = np.array([c.lat for c in customers])
        centre_lon, centre_lat = float(np.median(lon)), float(np.median(lat))
        km = haversine_km(centre_lon, centre_lat, lon, lat)
        limit = max(FAR_KM, 5.0 * float(np.percentile(km, 90)))
        origin = {p.values["customer_id"]: p.origin for p in self._customers}
        for c, distance in zip(customers, km, strict=True):
            if distance <= limit:
                continue
            file, row = origin.get(c.customer_id, ("customers", None))
            swapped = float(haversine_km(centre_lon, centre_lat, c.lat, c.lon)) <= limit
            hint = ("lon and lat look swapped" if swapped else "a typo in lon or lat?")
            issues.append(InputIssue(file, f"({c.lon:g}, {c.lat:g}) is {distance:,.0f} km from the other customers "
                                           f"(their median is {centre_lon:.4f}, {centre_lat:.4f}); {hint}", row,
                                     "lon"))

    def _check_roles(self, tiers: list[Tier], customers: list[Customer], managers: list[Manager],
                     issues: list[InputIssue]) -> None:
        roles = {m.role for m in managers}
        used = {c.tier for c in customers}
        for tier in tiers:
            if tier.name in used and not roles.intersection(tier.roles):
                issues.append(InputIssue(self._scenario_file, f"no manager has a role of tier '{tier.name}' "
                                                              f"({', '.join(tier.roles)}); managers have roles "
                                                              f"{', '.join(sorted(roles)) or 'none'}",
                                         None, f"tiers.{tier.name}.roles"))
            for k, level in enumerate(tier.levels, start=1):
                if tier.name in used and not roles.intersection(level.roles):
                    issues.append(InputIssue(self._scenario_file, f"no manager has a role of level {k} "
                                                                  f"('{level.name}') of tier '{tier.name}' "
                                                                  f"({', '.join(level.roles)}); managers have roles "
                                                                  f"{', '.join(sorted(roles)) or 'none'}",
                                             None, f"tiers.{tier.name}.levels[{k}].roles"))


# ----------------------------------------------------------------------------------------------
# value helpers: each records an issue and returns None when the value is unusable
# ----------------------------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True, slots=True)
class _At:
    """Where the values being read come from: a file (or scenario.toml) and its 1-based row (None
    for a key of scenario.toml), with the list their issues go to. Each reader records an issue
    naming the column and returns None when a value is unusable."""

    file: str
    row: int | None
    issues: list[InputIssue]

    def issue(self, message: str, column: str) -> None:
        self.issues.append(InputIssue(self.file, message, self.row, column))

    def unique_id(self, values: Mapping[str, Any], key: str, seen: dict[str, int | None]) -> str | None:
        """The record's id, or None (with an issue) when it is empty or was seen before."""
        ident = _text(values[key])
        if ident is None:
            self.issue(f"{key} is empty", key)
            return None
        if ident in seen:
            self.issue(f"{key} '{ident}' appears twice (first at row {seen[ident]})", key)
            return None
        seen[ident] = self.row
        return ident

    def lonlat(self, lon_value: Any, lat_value: Any) -> tuple[float | None, float | None]:
        """Longitude and latitude, with a hint when they look swapped."""
        before = len(self.issues)
        lon = self.number(lon_value, "lon", minimum=-180.0, maximum=180.0)
        lat = self.number(lat_value, "lat", minimum=-90.0, maximum=90.0)
        if lat is None and lon is not None and len(self.issues) == before + 1:
            try:
                raw = float(str(lat_value))
            except ValueError:
                raw = None
            if raw is not None and -90.0 <= lon <= 90.0 and -180.0 <= raw <= 180.0:
                hint = (f"{raw:g} is out of range for a latitude (-90..90); lon and lat look swapped (lon {raw:g}, "
                        f"lat {lon:g}?)")
                self.issues[-1] = InputIssue(self.file, hint, self.row, "lat")
        return lon, lat

    def number(self, value: Any, column: str, *, minimum: float | None = None,
               maximum: float | None = None) -> float | None:
        text = _text(value)
        try:
            number = float(text) if text is not None else None
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            self.issue(f"'{'' if text is None else text}' is not a number", column)
            return None
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = f"between {minimum:g} and {maximum:g}" if minimum is not None and maximum is not None else (
                f"at least {minimum:g}" if minimum is not None else f"at most {maximum:g}")
            self.issue(f"{number:g} is out of range; expected a number {bounds}", column)
            return None
        return number

    def whole(self, value: Any, column: str, *, minimum: int | None = None) -> int | None:
        text = _text(value)
        try:
            number = float(text) if text is not None else None
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or number != int(number):
            self.issue(f"'{'' if text is None else text}' is not a whole number", column)
            return None
        if minimum is not None and number < minimum:
            self.issue(f"{int(number)} is too small; expected at least {minimum}", column)
            return None
        return int(number)

    def clock(self, value: Any, column: str) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if 0 <= value <= 24 * 60:
                return float(value)
            self.issue(f"{value} is not a time; expected minutes 0..1440 or 'HH:MM'", column)
            return None
        try:
            return parse_clock(str(value))
        except ValueError as err:
            self.issue(str(err) + _range_hint(str(value), column), column)
            return None

    def break_(self, values: Mapping[str, Any], shift: tuple[float, float], *, prefix: str = "") -> Break | None:
        """The break of ``values`` (break_earliest, break_latest, break_min: all three or none),
        inside ``shift``; None for none (or ``break_min = 0``) and when unusable (issue
        recorded)."""
        names = {key: prefix + (key.removeprefix("break_") if prefix else key) for key in _BREAK_FIELDS}
        missing = [names[key] for key in _BREAK_FIELDS if _text(values[key]) is None]
        if missing and missing != [names["break_min"]] and _text(values["break_min"]) in ("0", "0.0"):
            return None  # break_min = 0 alone: no break
        if missing:
            self.issue(f"{', '.join(names.values())} go together: give all three or none "
                       f"(break_min = 0 for no break); missing {', '.join(missing)}", missing[0])
            return None
        earliest = self.clock(values["break_earliest"], names["break_earliest"])
        latest = self.clock(values["break_latest"], names["break_latest"])
        minutes = self.number(values["break_min"], names["break_min"], minimum=0.0, maximum=24 * 60)
        if earliest is None or latest is None or minutes is None:
            return None
        if latest < earliest:
            self.issue(f"{names['break_latest']} {format_hhmm(latest)} is before {names['break_earliest']} "
                       f"{format_hhmm(earliest)}; the break starts between the two", names["break_latest"])
            return None
        if minutes == 0:
            return None
        if earliest < shift[0] or earliest + minutes > shift[1]:
            self.issue(f"a break of {minutes:g} min from {format_hhmm(earliest)} does not fit in the shift "
                       f"{format_hhmm(shift[0])}-{format_hhmm(shift[1])}", names["break_earliest"])
            return None
        return Break(earliest=earliest, latest=latest, minutes=minutes)

    def optional_clock(self, value: Any, default: float, column: str) -> float | None:
        if _text(value) is None:
            return default
        return self.clock(value, column)

    def window(self, value: Any, column: str) -> tuple[float, float] | None:
        if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
            self.issue("window must be two clock times like [\"08:30\", \"17:30\"]", column)
            return None
        start = self.clock(value[0], column)
        end = self.clock(value[1], column)
        if start is None or end is None:
            return None
        if end < start:
            self.issue("window ends before it starts", column)
            return None
        return (start, end)

    def optional_point(self, lon: Any, lat: Any, default: Point, prefix: str) -> Point | None:
        if _text(lon) is None and _text(lat) is None:
            return default
        x = self.number(lon, f"{prefix}_lon", minimum=-180.0, maximum=180.0)
        y = self.number(lat, f"{prefix}_lat", minimum=-90.0, maximum=90.0)
        if x is None or y is None:
            return None
        return Point(x, y)

    def days(self, value: Any, days: tuple[str, ...]) -> tuple[int, ...] | None:
        if value is None or (not isinstance(value, (list, tuple)) and _text(value) is None):
            return tuple(range(len(days)))
        tokens = value.split() if isinstance(value, str) else list(value)
        worked: set[int] = set()
        for token in tokens:
            token_text = str(token).strip()
            if token_text in days:
                worked.add(days.index(token_text))
            elif token_text.isdigit() and int(token_text) < len(days):
                worked.add(int(token_text))
            else:
                self.issue(f"day '{token_text}' is neither a day index 0..{len(days) - 1} nor a day label of "
                           "scenario.toml", "days")
                return None
        return tuple(sorted(worked))

    def visit_rule(self, visits: int, min_gap: int, num_days: int, prefix: str) -> None:
        if num_days and visits > num_days:
            self.issue(f"{visits} visits do not fit a cycle of {num_days} days", f"{prefix}visits")
        elif num_days and visits >= 2 and visits * min_gap > num_days:
            self.issue(f"{visits} visits at least {min_gap} days apart need a cycle of {visits * min_gap} days, "
                       f"but it has {num_days}", f"{prefix}min_gap")


def _valid_lonlat(lon: float, lat: float) -> bool:
    return -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0


def _balance_issues(balance: BalanceSettings, source: str) -> list[InputIssue]:
    """What is wrong with balance tolerances: each a share, 0 (as even as possible) up to 1."""
    issues = []
    for name in ("tolerance", "day_tolerance"):
        value = getattr(balance, name)
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            issues.append(InputIssue(source, f"{name} must be a share between 0 and 1 (0.10 for 10%), got {value:g}",
                                     None, f"balance.{name}"))
    return issues


def stability_issues(stability: StabilitySettings, source: str) -> list[InputIssue]:
    """What is wrong with stability settings: a share between 0 and 1, costs of 0 or more."""
    issues = []
    share = stability.max_reassigned
    if share is not None and not (math.isfinite(share) and 0.0 <= share <= 1.0):
        issues.append(InputIssue(source, f"max_reassigned must be a share between 0 and 1 (0.10 for 10%), got "
                                         f"{share:g}", None, "stability.max_reassigned"))
    for name in ("move_cost_min", "day_cost_min"):
        value = getattr(stability, name)
        if not (math.isfinite(value) and value >= 0.0):
            issues.append(InputIssue(source, f"{name} must be a number of minutes, 0 or more, got {value:g}", None,
                                     f"stability.{name}"))
    return issues


def interchangeable_groups(eligible: list[tuple[int, ...]], num_managers: int) -> list[tuple[int, ...]]:
    """Managers linked by customers they may both serve (connected components)."""
    parent = list(range(num_managers))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Customers share few distinct sets of managers, often the very same tuple: look at each once.
    distinct = set(map(tuple, {id(e): e for e in eligible}.values()))
    for allowed in distinct:
        for other in allowed[1:]:
            a, b = find(allowed[0]), find(other)
            if a != b:
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for i in range(num_managers):
        groups.setdefault(find(i), []).append(i)
    return [tuple(g) for g in groups.values()]


def place_id(manager: Manager, which: str, depot: Point) -> str:
    """The id of a manager's ``which`` place (``"start"`` or ``"end"``) in a travel table (the
    contract's section 4): ``depot`` where it is the depot, else ``<manager_id>:<which>``."""
    point = manager.start if which == "start" else manager.end
    return "depot" if point == depot else f"{manager.manager_id}:{which}"


def travel_places(*, depot: Point | None, managers: Sequence[Manager],
                  customers: Sequence[Customer]) -> tuple[tuple[str, float, float], ...]:
    """Every place a travel table must know, ``(id, lon, lat)``: the depot, each manager's start
    and end (:func:`place_id`), each customer; the first id of a place speaks for it."""
    places: list[tuple[str, float, float]] = []
    if depot is not None:
        places.append(("depot", depot.lon, depot.lat))
        for m in managers:
            places += [(place_id(m, "start", depot), m.start.lon, m.start.lat),
                       (place_id(m, "end", depot), m.end.lon, m.end.lat)]
    places += [(c.customer_id, c.lon, c.lat) for c in customers]
    return tuple(dict.fromkeys(places))
