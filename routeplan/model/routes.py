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

    @property
    def work_min(self) -> float:
        """The route's work, in minutes: from leaving the start place to reaching the end place
        (travel, time on site and any wait for a shop to open). The one definition of work: the
        routes' and managers' figures, balance, utilisation and the coefficients of variation
        all count it (the contract's ``work_min`` = return - depart)."""
        return (self.return_time - self.depart) / 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Unserved:
    """A customer that misses visits of one level (0: its tier's own), and why."""

    customer_id: str
    visits_missing: int
    reason: str
    level: int = 0
