"""What a plan holds, as the modules below :class:`routeplan.Plan` read it (they sit below it
and take any object with these fields)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from ..model.problem import Problem
from ..model.routes import DayRoute, Stop, Unserved
from .run_record import RunRecord


class PlanData(Protocol):
    """A plan's data: its problem, routes, unserved customers and the run that made them."""

    @property
    def problem(self) -> Problem: ...
    @property
    def routes(self) -> tuple[DayRoute, ...]: ...
    @property
    def unserved(self) -> tuple[Unserved, ...]: ...
    @property
    def strategy(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def solve_seconds(self) -> float: ...
    @property
    def time_limit(self) -> float | None: ...
    @property
    def iterations(self) -> int: ...
    @property
    def run(self) -> RunRecord: ...


class PlanVisits(PlanData, Protocol):
    """A plan's data and its visits read in route order and as an assignment."""

    def visits(self) -> Iterator[tuple[DayRoute, Stop]]: ...
    def assignment(self) -> dict[str, str]: ...
