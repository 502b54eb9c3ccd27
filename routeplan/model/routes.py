"""The building blocks of a plan: a visit (stop) within a manager's day, a manager's day route,
and a customer that misses visits. Plain records; :class:`routeplan.Plan` gathers them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """One visit within a route. Times are whole seconds after midnight."""

    seq: int
    customer_id: str
    arrival: int
    start: int
    end: int
    travel_km: float  # from the previous stop (or the start place for seq 1)
    level: int = 0  # which level of the customer's visits (0: its tier's own; see Problem.visit_rules)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRoute:
    """One manager's route on one day. Times are whole seconds after midnight."""

    manager_id: str
    day_index: int
    day: str
    depart: int
    return_time: int
    travel_km: float
    travel_min: float
    service_min: float
    wait_min: float
    stops: tuple[Stop, ...]
    #: When the manager's break starts, whole seconds after midnight (None: no break that day) ...
    break_start: int | None = None
    #: ... and its minutes.
    break_min: float = 0.0

    @property
    def span_min(self) -> float:
        """Minutes from leaving the start place to reaching the end place (the contract's
        ``work_min`` of routes.csv: return - depart)."""
        return (self.return_time - self.depart) / 60.0

    @property
    def rest_min(self) -> float:
        """Minutes of the break taken between leaving and coming back (0 when the break is taken
        before leaving, after the return, or not at all)."""
        if self.break_start is None or not self.depart <= self.break_start < self.return_time:
            return 0.0
        return self.break_min

    @property
    def work_min(self) -> float:
        """The route's work, in minutes: from leaving the start place to reaching the end place
        (travel, time on site and any wait for a shop to open), less a break taken on the way.
        The one definition of work: the routes' and managers' figures, balance, utilisation and
        the coefficients of variation all count it; without a break it is the contract's
        ``work_min`` of routes.csv (:attr:`span_min`)."""
        return self.span_min - self.rest_min


@dataclass(frozen=True, slots=True, kw_only=True)
class Unserved:
    """A customer that misses visits of one level (0: its tier's own), and why."""

    customer_id: str
    visits_missing: int
    reason: str
    level: int = 0
