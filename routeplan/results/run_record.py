"""What happened when a plan was made: its :class:`RunRecord` (how the search stopped, what it
cost, what it warned of, the groups it balanced, the customers it found closed or forced to
move). These are facts of the run, not figures of the routes; summary.json carries most of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ClosedCustomer = tuple[str, str, tuple[str, ...]]
"""A customer the previous plan served and the problem no longer has: (id, manager, day labels)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """The record of the run that made a plan.

    Attributes
    ----------
    stopped_by
        What ended the search: ``"budget"`` (its work budget, which repeats), ``"clock"`` (the
        time limit, which may not), ``"no improvement"``, ``"iterations"``, ...

    Every attribute is None (or empty) where the run did not record it (a plan built by hand).
    startup_seconds
        One-time compilation of the search kernels before the search, outside the time limit.
    work_units
        Work the search did, in the units of its budget (:mod:`routeplan.solver.rate`).
    warnings
        What planning warned of, each once (see :attr:`routeplan.Plan.warnings`).
    balance_groups
        The groups of interchangeable managers (ids) the planner balanced; empty where it did
        not say (a plan built by hand).
    offered
        Customers left out for lack of room that were offered to other managers, and how many
        of them were placed (``{"customers": n, "placed": m}``), where any were.
    parts, tasks, worker_startup_seconds
        A plan made in parts: how many parts, how many part and border tasks ran, and the
        workers' own start-up (outside the parts' clocks).
    executor_startup_seconds
        Starting the pool or reaching the Dask scheduler of ``routeplan plan``, outside the limit.
    work_rate
        The machine's work rate the budget was set from (:class:`routeplan.solver.rate.WorkRate`).
    closed_customers
        A re-plan: the previous plan's customers the problem no longer has.
    no_longer_eligible
        A re-plan: customers whose previous manager may no longer serve them.
    start_date
        The first date of the cycle (ISO ``YYYY-MM-DD``) its plan folder's schedules, calendars
        and workbook were written for: ``routeplan map`` redraws them for the same dates.
    """

    stopped_by: str | None = None
    startup_seconds: float | None = None
    work_units: int | None = None
    warnings: tuple[str, ...] | None = None
    balance_groups: tuple[tuple[str, ...], ...] | None = None
    offered: Mapping[str, int] | None = None
    parts: int | None = None
    tasks: int | None = None
    worker_startup_seconds: float | None = None
    executor_startup_seconds: float | None = None
    work_rate: Mapping[str, Any] | None = None
    closed_customers: tuple[ClosedCustomer, ...] = ()
    no_longer_eligible: tuple[str, ...] | None = None
    start_date: str | None = None

    def summary_entries(self) -> dict[str, Any]:
        """The run's entries of summary.json (those it has, in a fixed order)."""
        return {name: _plain(getattr(self, name)) for name in SUMMARISED if getattr(self, name) is not None}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (:meth:`from_dict` reads it back)."""
        data = self.summary_entries()
        if self.balance_groups is not None:
            data["balance_groups"] = [list(g) for g in self.balance_groups]
        if self.closed_customers:
            data["closed_customers"] = [[i, m, list(days)] for i, m, days in self.closed_customers]
        if self.no_longer_eligible is not None:
            data["no_longer_eligible"] = list(self.no_longer_eligible)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        """A record from :meth:`to_dict`'s data (or a plan's former ``extra``, or the run's
        entries of summary.json); keys it does not know are left out."""
        groups = data.get("balance_groups")
        forced = data.get("no_longer_eligible")
        warnings = data.get("warnings")
        return cls(stopped_by=data.get("stopped_by"), startup_seconds=data.get("startup_seconds"),
                   work_units=data.get("work_units"), warnings=None if warnings is None else tuple(warnings),
                   balance_groups=None if groups is None else tuple(tuple(g) for g in groups),
                   offered=data.get("offered"), parts=data.get("parts"), tasks=data.get("tasks"),
                   worker_startup_seconds=data.get("worker_startup_seconds"),
                   executor_startup_seconds=data.get("executor_startup_seconds"), work_rate=data.get("work_rate"),
                   closed_customers=tuple((str(c[0]), str(c[1]), tuple(c[2]))
                                          for c in data.get("closed_customers", ())),
                   no_longer_eligible=None if forced is None else tuple(forced),
                   start_date=None if data.get("start_date") is None else str(data["start_date"]))


#: Entries of summary.json from the run (those a record has), in their order there.
SUMMARISED = ("startup_seconds", "stopped_by", "work_units", "offered", "parts", "tasks", "worker_startup_seconds",
              "executor_startup_seconds", "warnings", "work_rate", "start_date")


def _plain(value: Any) -> Any:
    """JSON-ready: tuples as lists, mappings as dicts."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value
