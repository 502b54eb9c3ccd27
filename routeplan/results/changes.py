"""What changed between two plans: each customer's manager and days (changes.csv, the contract's
section 6), and per manager the customers gained and lost, work and travel before and after
(:func:`diff_plans`, ``routeplan diff OLD NEW``).

A plan folder is read here by its visits.csv and routes.csv alone (:class:`PlanRecord`), so that
two plans of different versions of a scenario (customers added or closed, managers gone or
new) compare without their scenarios.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import InputIssue, PlanFileError
from ..io.csvfile import read_table, write_table
from ..model.problem import Problem
from .plan_data import PlanData

Plan = PlanData  # what is read of a plan object (routeplan.Plan; this module sits below it)

CHANGES_COLUMNS = ("customer_id", "before_manager", "after_manager", "before_days", "after_days", "reason")
MANAGER_DIFF_COLUMNS = ("manager_id", "customers_before", "customers_after", "gained", "lost", "kept_days",
                        "changed_days", "work_min_before", "work_min_after", "travel_km_before", "travel_km_after")
DAY_SEPARATOR = ";"
"""Between the day labels of before_days and after_days ("Mon-1;Thu-1")."""

#: Reasons of changes.csv, the first that applies.
NEW, CLOSED, ABSENT, LEFT, NOT_ELIGIBLE, UNSERVED, REBALANCED, VISITS, DAYS = (
    "new customer", "customer closed", "not in the new plan", "manager left", "no longer eligible", "unserved",
    "rebalanced", "visits changed", "days changed")


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRecord:
    """The facts of a plan that changes are told by: per customer its manager and days (labels,
    in order, with its place in each day's route) of its own visits (level 0; visits of further
    levels by market managers and heads count in their managers' work only), per manager its
    work and travel."""

    manager_of: dict[str, str] = field(default_factory=dict)
    days_of: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)  # (day label, seq)
    work_min: dict[str, float] = field(default_factory=dict)
    travel_km: dict[str, float] = field(default_factory=dict)
    managers: tuple[str, ...] = ()  # in order of first appearance
    source: str = ""

    @classmethod
    def of(cls, plan: Plan) -> PlanRecord:
        """The record of a plan object."""
        manager_of: dict[str, str] = {}
        days: dict[str, list[tuple[str, int]]] = {}
        work: dict[str, float] = {m.manager_id: 0.0 for m in plan.problem.managers}
        travel: dict[str, float] = dict.fromkeys(work, 0.0)
        for route in plan.routes:
            work[route.manager_id] = work.get(route.manager_id, 0.0) + route.work_min
            travel[route.manager_id] = travel.get(route.manager_id, 0.0) + route.travel_km
            for stop in route.stops:
                if stop.level != 0:
                    continue
                manager_of.setdefault(stop.customer_id, route.manager_id)
                days.setdefault(stop.customer_id, []).append((route.day, stop.seq))
        order = {label: k for k, label in enumerate(plan.problem.days)}
        return cls(manager_of=manager_of, days_of={c: tuple(sorted(d, key=lambda x: order[x[0]]))
                                                   for c, d in days.items()},
                   work_min=work, travel_km=travel, managers=tuple(work), source="plan")

    @classmethod
    def current(cls, problem: Problem, closed: Sequence[Sequence[Any]] = ()) -> PlanRecord:
        """The plan ``problem`` re-plans from: each customer's ``current_manager``,
        ``current_days`` and ``current_seq``, and the ``closed`` customers of the previous plan
        (rows of customer id, manager id, day labels)."""
        manager_of = {c.customer_id: c.current_manager for c in problem.customers if c.current_manager}
        days_of = {c.customer_id: tuple((problem.days[d], s) for d, s in zip(c.current_days, c.current_seq,
                                                                               strict=True))
                   for c in problem.customers if c.current_manager}
        for customer_id, manager, labels in closed:
            manager_of[str(customer_id)] = str(manager)
            days_of[str(customer_id)] = tuple((str(label), k + 1) for k, label in enumerate(labels))
        return cls(manager_of=manager_of, days_of=days_of, managers=tuple(dict.fromkeys(manager_of.values())),
                   source="current")

    @classmethod
    def read(cls, folder: str | os.PathLike[str]) -> PlanRecord:
        """The record of a plan folder (visits.csv and routes.csv; bad rows are
        :class:`~routeplan.errors.PlanFileError` naming file, row and column)."""
        path = Path(folder)
        if not (path / "visits.csv").is_file():
            raise PlanFileError(InputIssue(str(path), "not a plan folder: no visits.csv"))
        issues: list[InputIssue] = []
        visits = read_table(path / "visits.csv", required=("manager_id", "day_index", "day", "seq", "customer_id"),
                            issues=issues)
        routes = read_table(path / "routes.csv", required=("manager_id", "day", "travel_km", "work_min"),
                            issues=issues) if (path / "routes.csv").is_file() else []
        manager_of: dict[str, str] = {}
        days: dict[str, list[tuple[int, str, int]]] = {}
        managers: dict[str, None] = {}
        for line, row in visits:
            customer, manager = row["customer_id"].strip(), row["manager_id"].strip()
            try:
                index, seq = int(row["day_index"]), int(row["seq"])
            except ValueError:
                column = "day_index" if not row["day_index"].strip().lstrip("-").isdigit() else "seq"
                issues.append(InputIssue("visits.csv", f"'{row[column]}' is not a whole number", line, column))
                continue
            managers.setdefault(manager)
            if (row.get("level") or "0").strip() != "0":
                continue
            if manager_of.setdefault(customer, manager) != manager:
                issues.append(InputIssue("visits.csv", f"customer {customer} is visited by {manager_of[customer]} and "
                                                       f"{manager}; a plan gives each customer one manager", line,
                                         "manager_id"))
            managers.setdefault(manager)
            days.setdefault(customer, []).append((index, row["day"].strip(), seq))
        work: dict[str, float] = {}
        travel: dict[str, float] = {}
        for line, row in routes:
            manager = row["manager_id"].strip()
            managers.setdefault(manager)
            try:
                work[manager] = work.get(manager, 0.0) + float(row["work_min"])
                travel[manager] = travel.get(manager, 0.0) + float(row["travel_km"])
            except ValueError:
                column = "work_min" if not _is_number(row["work_min"]) else "travel_km"
                issues.append(InputIssue("routes.csv", f"'{row[column]}' is not a number", line, column))
        if issues:
            raise PlanFileError(issues)
        return cls(manager_of=manager_of,
                   days_of={c: tuple((label, seq) for _, label, seq in sorted(d)) for c, d in days.items()},
                   work_min=work, travel_km=travel, managers=tuple(managers), source=str(path))

    def days(self, customer_id: str) -> tuple[str, ...]:
        return tuple(label for label, _ in self.days_of.get(customer_id, ()))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class Change(NamedTuple):
    """One row of changes.csv."""

    customer_id: str
    before_manager: str
    after_manager: str
    before_days: tuple[str, ...]
    after_days: tuple[str, ...]
    reason: str

    def row(self) -> list[str]:
        return [self.customer_id, self.before_manager, self.after_manager, DAY_SEPARATOR.join(self.before_days),
                DAY_SEPARATOR.join(self.after_days), self.reason]


def plan_changes(plan: Plan) -> list[Change]:
    """The rows of a re-plan's changes.csv: against the current plan of its problem (with the
    previous plan's closed customers, ``plan.run.closed_customers``)."""
    before = PlanRecord.current(plan.problem, plan.run.closed_customers)
    forced = plan.run.no_longer_eligible
    return changes(before, PlanRecord.of(plan), problem=plan.problem,
                   not_eligible=None if forced is None else set(forced))


def changes(before: PlanRecord, after: PlanRecord, *, problem: Problem | None = None,
            not_eligible: Collection[str] | None = None) -> list[Change]:
    """One :class:`Change` per customer whose manager or days differ between ``before`` and
    ``after``, with the first reason that applies: ``new customer``, ``customer closed`` (not
    among ``problem``'s customers; without a problem, a customer missing from ``after`` is ``not
    in the new plan``), ``manager left``, ``no longer eligible`` (the customers
    ``not_eligible`` names, which their manager may no longer serve under the plan's strategy;
    when not given, those whose manager's role does not serve their tier in ``problem``, or a
    lock), ``unserved``, ``rebalanced``, ``visits changed`` and ``days changed``."""
    present = {m.manager_id for m in problem.managers} if problem is not None else set(after.managers)
    customers = {c.customer_id: c for c in problem.customers} if problem is not None else {}
    known = customers.keys() if problem is not None else set(after.manager_of) | set(before.manager_of)
    if not_eligible is None:
        not_eligible = _role_mismatches(problem, before) if problem is not None else set()
    out = []
    for customer_id in sorted(set(before.manager_of) | set(known)):
        old, new = before.manager_of.get(customer_id, ""), after.manager_of.get(customer_id, "")
        old_days, new_days = before.days(customer_id), after.days(customer_id)
        if old == new and old_days == new_days:
            continue
        if not old:
            reason = NEW
        elif customer_id not in known:
            reason = CLOSED
        elif problem is None and not new:
            reason = ABSENT
        elif old not in present:
            reason = LEFT
        elif customer_id in not_eligible:
            reason = NOT_ELIGIBLE
        elif not new:
            reason = UNSERVED
        elif old != new:
            reason = REBALANCED
        elif len(old_days) != len(new_days):
            reason = VISITS
        else:
            reason = DAYS
        out.append(Change(customer_id, old, new, old_days, new_days, reason))
    return out


def reason_counts(items: Iterable[Change]) -> dict[str, int]:
    """How many changes there are of each reason (sorted by reason)."""
    out: dict[str, int] = {}
    for change in items:
        out[change.reason] = out.get(change.reason, 0) + 1
    return dict(sorted(out.items()))


def _role_mismatches(problem: Problem, before: PlanRecord) -> set[str]:
    """Customers whose manager in ``before`` is in ``problem`` but may not serve them there
    (roles and locks: the hybrid strategy's rule)."""
    ids = [m.manager_id for m in problem.managers]
    present = set(ids)
    allowed: dict[int, set[str]] = {}  # customers of one tier and lock share one tuple
    out = set()
    for customer, eligible in zip(problem.customers, problem.eligible_indices(), strict=True):
        manager = before.manager_of.get(customer.customer_id)
        if manager is None or manager not in present:
            continue
        names = allowed.setdefault(id(eligible), {ids[i] for i in eligible})
        if manager not in names:
            out.add(customer.customer_id)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerDiff:
    """One manager's customers, work and travel before and after."""

    manager_id: str
    customers_before: int
    customers_after: int
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    kept_days: int  # customers kept whose days stayed
    changed_days: tuple[str, ...]  # customers kept whose days changed
    work_min_before: float
    work_min_after: float
    travel_km_before: float
    travel_km_after: float

    def row(self) -> list[object]:
        return [self.manager_id, self.customers_before, self.customers_after, len(self.gained), len(self.lost),
                self.kept_days, len(self.changed_days), f"{self.work_min_before:.1f}", f"{self.work_min_after:.1f}",
                f"{self.travel_km_before:.2f}", f"{self.travel_km_after:.2f}"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanDiff:
    """The differences of two plans (see :func:`diff_plans`)."""

    managers: tuple[ManagerDiff, ...]
    changes: tuple[Change, ...]
    before: PlanRecord
    after: PlanRecord

    @property
    def reassigned(self) -> int:
        """Customers served before by a manager still present and now by another (customers not
        in the new plan, unserved or closed, are not counted: a plan folder does not tell them
        apart; :meth:`routeplan.Plan.reassigned_pct` counts the unserved too)."""
        present = set(self.after.managers)
        return sum(1 for c, m in self.before.manager_of.items()
                   if m in present and c in self.after.manager_of and self.after.manager_of[c] != m)

    @property
    def kept_customers(self) -> int:
        """Customers served in both plans."""
        return len(set(self.before.manager_of) & set(self.after.manager_of))

    @property
    def same_days(self) -> int:
        """Customers served in both plans on the same days."""
        return sum(1 for c in set(self.before.manager_of) & set(self.after.manager_of)
                   if self.before.days(c) == self.after.days(c))

    def counts(self) -> dict[str, int]:
        """Changes by reason."""
        return reason_counts(self.changes)

    def table(self) -> str:
        """A plain-text table, one line per manager, and the totals."""
        head = (f"{'manager':<10} {'before':>6} {'after':>6} {'gained':>6} {'lost':>5} {'new days':>8} "
                f"{'work h before':>13} {'after':>7} {'km before':>9} {'after':>8}")
        lines = [head, "-" * len(head)]
        for m in self.managers:
            lines.append(f"{m.manager_id:<10} {m.customers_before:>6} {m.customers_after:>6} {len(m.gained):>6} "
                         f"{len(m.lost):>5} {len(m.changed_days):>8} {m.work_min_before / 60:>13.1f} "
                         f"{m.work_min_after / 60:>7.1f} {m.travel_km_before:>9.1f} {m.travel_km_after:>8.1f}")
        lines.append("-" * len(head))
        kept = self.kept_customers
        lines.append(f"customers in both plans {kept}; reassigned {self.reassigned}; on the same days "
                     f"{self.same_days} ({100 * self.same_days / kept if kept else 100:.1f}%)")
        counts = self.counts()
        if counts:
            lines.append("changes: " + ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items())))
        return "\n".join(lines)

    def write(self, folder: str | os.PathLike[str]) -> Path:
        """Write changes.csv and managers.csv (:data:`MANAGER_DIFF_COLUMNS`) into ``folder``."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        write_table(path / "changes.csv", CHANGES_COLUMNS, (c.row() for c in self.changes))
        write_table(path / "managers.csv", MANAGER_DIFF_COLUMNS, (m.row() for m in self.managers))
        return path


def diff_plans(old: Plan | PlanRecord | str | os.PathLike[str], new: Plan | PlanRecord | str | os.PathLike[str], *,
               problem: Problem | None = None) -> PlanDiff:
    """What changed from plan ``old`` to plan ``new`` (plan objects or plan folders): per
    manager the customers gained and lost, those kept whose days changed, work and travel before
    and after; per customer the change and its reason (see :func:`changes`; ``problem``, default
    ``new``'s when it is a plan object, tells closed customers and eligibility)."""
    if problem is None and not isinstance(new, (PlanRecord, str, os.PathLike)):
        problem = new.problem
    before, after = plan_record(old), plan_record(new)
    managers = list(dict.fromkeys([*before.managers, *after.managers]))
    rows = []
    for manager in managers:
        had = {c for c, m in before.manager_of.items() if m == manager}
        has = {c for c, m in after.manager_of.items() if m == manager}
        kept = had & has
        changed = tuple(sorted(c for c in kept if before.days(c) != after.days(c)))
        rows.append(ManagerDiff(manager_id=manager, customers_before=len(had), customers_after=len(has),
                                gained=tuple(sorted(has - had)), lost=tuple(sorted(had - has)),
                                kept_days=len(kept) - len(changed), changed_days=changed,
                                work_min_before=before.work_min.get(manager, 0.0),
                                work_min_after=after.work_min.get(manager, 0.0),
                                travel_km_before=before.travel_km.get(manager, 0.0),
                                travel_km_after=after.travel_km.get(manager, 0.0)))
    return PlanDiff(managers=tuple(rows), changes=tuple(changes(before, after, problem=problem)), before=before,
                    after=after)


def plan_record(plan: Plan | PlanRecord | str | os.PathLike[str]) -> PlanRecord:
    """The record of a plan object or plan folder."""
    if isinstance(plan, PlanRecord):
        return plan
    if isinstance(plan, (str, os.PathLike)):
        return PlanRecord.read(plan)
    return PlanRecord.of(plan)

