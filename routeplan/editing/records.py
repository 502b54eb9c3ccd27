"""What an editing session hands back: the result of one change, the figures of the plan at any
version, and how each manager's figures moved since the plan was opened. Plain records, with
``to_dict`` for JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model.routes import Unserved
from ..results.changes import Change


@dataclass(frozen=True, slots=True, kw_only=True)
class EditResult:
    """What one accepted change did.

    Attributes
    ----------
    version
        The session's version after the change.
    edit
        The change in the journal's form (``{"op": "move", "customers": [...], "to": "C2"}``;
        ``{"op": "undo"}`` / ``{"op": "redo"}`` for those).
    moved
        Customers whose own visits (level 0) have another manager now.
    redayed
        Customers whose visits are on other days now, with the same manager.
    routes
        The manager-days whose route changed, as ``(manager_id, day label)``, in the problem's
        order of managers and days.
    managers
        The managers whose routes changed, in the problem's order.
    unserved
        The visits that went unserved with this change (a visit that no longer fits has the reason
        ``moved by hand: no room``).
    served
        Customers that missed visits before the change and have them all now.
    locks
        Customers whose lock the change gave or took back.
    """

    version: int
    edit: dict[str, Any]
    moved: tuple[str, ...] = ()
    redayed: tuple[str, ...] = ()
    routes: tuple[tuple[str, str], ...] = ()
    managers: tuple[str, ...] = ()
    unserved: tuple[Unserved, ...] = ()
    served: tuple[str, ...] = ()
    locks: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the change moved, re-timed, left out or locked anything."""
        return bool(self.routes or self.unserved or self.served or self.locks)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"version": self.version, "edit": dict(self.edit), "moved": list(self.moved),
                "redayed": list(self.redayed), "routes": [list(r) for r in self.routes],
                "managers": list(self.managers), "served": list(self.served), "locks": list(self.locks),
                "unserved": [unserved_dict(u) for u in self.unserved]}


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRow:
    """Where one customer's own visits (level 0) are.

    Attributes
    ----------
    customer_id
        The customer.
    manager_id
        Its manager ("" when its visits are unserved).
    days
        The day labels of its visits, in the cycle's order (empty when unserved).
    locked
        Whether it is locked to its manager.
    """

    customer_id: str
    manager_id: str
    days: tuple[str, ...]
    locked: bool

    def to_dict(self) -> dict[str, Any]:
        """The customer's entry of the contract's ``GET /api/plan`` (section 8)."""
        return {"customer_id": self.customer_id, "manager_id": self.manager_id, "days": list(self.days),
                "locked": self.locked}


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerRow:
    """One manager's figures over the cycle.

    Attributes
    ----------
    manager_id, role
        The manager.
    customers, visits
        Customers it visits (any level) and its visits.
    travel_km, work_min
        Its routes' kilometres and work (:attr:`routeplan.DayRoute.work_min`, summed).
    utilisation
        Work over its available time.
    deviation
        Its utilisation's deviation from the mean of its group of interchangeable managers,
        relative (0 for a manager balanced with nobody).
    within
        Whether it lies within the balance band of its group.
    """

    manager_id: str
    role: str
    customers: int
    visits: int
    travel_km: float
    work_min: float
    utilisation: float
    deviation: float
    within: bool

    def to_dict(self) -> dict[str, Any]:
        """The manager's entry of the contract's ``GET /api/plan`` (section 8), and ``within``."""
        return {"manager_id": self.manager_id, "role": self.role, "customers": self.customers,
                "visits": self.visits, "travel_km": round(self.travel_km, 3), "work_min": round(self.work_min, 2),
                "utilisation": round(self.utilisation, 5), "deviation": round(self.deviation, 5),
                "within": self.within}


@dataclass(frozen=True, slots=True, kw_only=True)
class EditFigures:
    """The figures of the plan at one version.

    Attributes
    ----------
    version
        The session's version they are of.
    managers
        Per manager, in the problem's order.
    tolerance
        The balance tolerance between managers (the problem's).
    within
        Whether every manager lies within its group's band and every manager's days within theirs
        (:attr:`routeplan.BalanceReport.within`).
    unserved
        The customers missing visits, with the reasons.
    """

    version: int
    managers: tuple[ManagerRow, ...]
    tolerance: float
    within: bool
    unserved: tuple[Unserved, ...]

    def manager(self, manager_id: str) -> ManagerRow:
        """The figures of ``manager_id``."""
        for row in self.managers:
            if row.manager_id == manager_id:
                return row
        raise KeyError(manager_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: ``managers``, ``unserved`` and ``balance`` as the contract's
        ``GET /api/plan`` gives them, and the version."""
        return {"version": self.version, "managers": [m.to_dict() for m in self.managers],
                "unserved": [unserved_dict(u) for u in self.unserved],
                "balance": {"tolerance": self.tolerance, "within": self.within}}


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerChange:
    """One manager's figures when the plan was opened and now; the properties are the changes
    (now minus then)."""

    before: ManagerRow
    after: ManagerRow

    @property
    def manager_id(self) -> str:
        return self.after.manager_id

    @property
    def customers(self) -> int:
        return self.after.customers - self.before.customers

    @property
    def visits(self) -> int:
        return self.after.visits - self.before.visits

    @property
    def travel_km(self) -> float:
        return self.after.travel_km - self.before.travel_km

    @property
    def work_min(self) -> float:
        return self.after.work_min - self.before.work_min

    @property
    def utilisation(self) -> float:
        return self.after.utilisation - self.before.utilisation

    def to_dict(self) -> dict[str, Any]:
        """The changes, and the figures now."""
        return {"manager_id": self.manager_id, "customers": self.customers, "visits": self.visits,
                "travel_km": round(self.travel_km, 3), "work_min": round(self.work_min, 2),
                "utilisation": round(self.utilisation, 5), "after": self.after.to_dict()}


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionChanges:
    """The plan now against the plan as it was opened.

    Attributes
    ----------
    managers
        Per manager (the problem's order), its figures then and now.
    customers
        One :class:`~routeplan.results.changes.Change` per customer whose manager or days differ
        (the rows of a ``changes.csv`` against the opened plan).
    """

    managers: tuple[ManagerChange, ...]
    customers: tuple[Change, ...]

    def manager(self, manager_id: str) -> ManagerChange:
        """The change of ``manager_id``."""
        for change in self.managers:
            if change.manager_id == manager_id:
                return change
        raise KeyError(manager_id)


def unserved_dict(entry: Unserved) -> dict[str, Any]:
    """An unserved entry as the contract's ``GET /api/plan`` lists it (with its level)."""
    return {"customer_id": entry.customer_id, "visits_missing": entry.visits_missing, "reason": entry.reason,
            "level": entry.level}
