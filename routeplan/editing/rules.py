"""What an edit may name and what the scenario allows it: ids resolved (:class:`~routeplan.errors.EditError`
for what does not exist) and the scenario's rules applied (:class:`~routeplan.errors.EditRefusedError`
naming the rule), before anything changes.

The rules are the validator's (:mod:`routeplan.validation`): the roles that may serve a tier
(:meth:`routeplan.Problem.eligible_managers`; not under the role-blind strategies), locks, the
days a manager works and the cyclic gap between visit days
(:func:`routeplan.solver.patterns.cyclic_gaps`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import EditError, EditRefusedError
from ..model.problem import Customer, Manager, Problem
from ..solver.patterns import cyclic_gaps, enumerate_patterns
from ..validation import ROLE_FREE_STRATEGIES


class Rules:
    """The ids of a problem and its rules for hand edits under a strategy.

    Parameters
    ----------
    problem
        The problem as the session holds it (with its locks).
    strategy
        The plan's strategy: under the role-blind ones (``region``, ``business-type``,
        ``value``) any manager may have a customer's own visits, as the validator allows.
    """

    def __init__(self, problem: Problem, strategy: str):
        self.problem = problem
        self.strategy = strategy
        self.roles_bind = strategy not in ROLE_FREE_STRATEGIES
        self.customer_index = {c.customer_id: i for i, c in enumerate(problem.customers)}
        self.manager_index = {m.manager_id: i for i, m in enumerate(problem.managers)}
        self.day_index = {label: k for k, label in enumerate(problem.days)}

    def with_problem(self, problem: Problem) -> Rules:
        """These rules for ``problem`` (the same problem with other locks)."""
        return Rules(problem, self.strategy)

    # -- ids ---------------------------------------------------------------------------------------
    def customers(self, ids: object, field: str = "customers") -> list[int]:
        """Positions of the customers ``ids`` names, in order, each once."""
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise EditError(field, f"expected a list of customer ids, got {ids!r}")
        given = list(dict.fromkeys(ids))
        if not given:
            raise EditError(field, "no customers given")
        unknown = [str(c) for c in given if c not in self.customer_index]
        if unknown:
            raise EditError(field, f"no customer {', '.join(repr(c) for c in unknown[:10])}"
                                   + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""))
        return [self.customer_index[c] for c in given]

    def customer(self, customer_id: object, field: str = "customer") -> int:
        """Position of the customer ``customer_id``."""
        if not isinstance(customer_id, str) or customer_id not in self.customer_index:
            raise EditError(field, f"no customer {customer_id!r}")
        return self.customer_index[customer_id]

    def manager(self, manager_id: object, field: str = "to") -> int:
        """Position of the manager ``manager_id``."""
        if not isinstance(manager_id, str) or manager_id not in self.manager_index:
            raise EditError(field, f"no manager {manager_id!r}")
        return self.manager_index[manager_id]

    def managers(self, ids: object, field: str = "managers") -> list[int]:
        """Positions of the managers ``ids`` names, in the problem's order, each once."""
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise EditError(field, f"expected a list of manager ids or 'affected', got {ids!r}")
        given = list(dict.fromkeys(ids))
        if not given:
            raise EditError(field, "no managers given")
        unknown = [str(m) for m in given if m not in self.manager_index]
        if unknown:
            raise EditError(field, f"no manager {', '.join(repr(m) for m in unknown)}")
        return sorted(self.manager_index[m] for m in given)

    def days(self, labels: object, field: str = "days") -> list[int]:
        """Day positions of ``labels``, in the order given (repeats kept: the gap rule refuses them)."""
        if isinstance(labels, str) or not isinstance(labels, Iterable):
            raise EditError(field, f"expected a list of day labels, got {labels!r}")
        given = list(labels)
        unknown = [str(label) for label in given if label not in self.day_index]
        if unknown:
            raise EditError(field, f"no day {', '.join(repr(d) for d in unknown)} (the cycle's days: "
                                   f"{', '.join(self.problem.days)})")
        return [self.day_index[label] for label in given]

    # -- rules -------------------------------------------------------------------------------------
    def eligible(self, customer: Customer) -> tuple[int, ...]:
        """The managers (positions) the customer's own visits may have: its roles' (any manager
        under a role-blind strategy), or its lock's."""
        if customer.locked_manager is not None:
            return (self.manager_index[customer.locked_manager],)
        if not self.roles_bind:
            return tuple(range(self.problem.num_managers))
        roles = self.problem.tier(customer.tier).roles
        return tuple(i for i, m in enumerate(self.problem.managers) if m.role in roles)

    def check_move(self, customer: Customer, manager: Manager) -> None:
        """Refuse giving ``customer``'s own visits to ``manager``: its role, another manager's
        lock, or working days that hold none of the customer's visit patterns."""
        tier = self.problem.tier(customer.tier)
        if self.roles_bind and manager.role not in tier.roles:
            raise EditRefusedError("role", f"{manager.manager_id} (role {manager.role}) may not serve "
                                           f"{customer.customer_id} of tier {tier.name}, which only role(s) "
                                           f"{', '.join(tier.roles)} may serve")
        self.check_lock(customer, manager)
        if not enumerate_patterns(customer.visits, customer.min_gap, self.problem.num_days, manager.days, limit=1):
            raise EditRefusedError("day", f"{manager.manager_id} works on {len(manager.days)} day(s) of the "
                                          f"cycle ({self._labels(manager.days)}), which hold no "
                                          f"{customer.visits} visit(s) of {customer.customer_id} at least "
                                          f"{customer.min_gap} day(s) apart")

    def check_lock(self, customer: Customer, manager: Manager) -> None:
        """Refuse where ``customer`` is locked to a manager other than ``manager``."""
        lock = customer.locked_manager
        if lock is not None and lock != manager.manager_id:
            raise EditRefusedError("lock", f"{customer.customer_id} is locked to {lock}; unlock it first")

    def check_days(self, customer: Customer, manager: Manager, days: Sequence[int]) -> None:
        """Refuse putting ``customer``'s own visits on ``days`` with ``manager``: not as many
        days as visits or a day twice, a day the manager does not work, days closer than the
        tier's ``min_gap`` (counted across the end of the cycle)."""
        cid = customer.customer_id
        if len(days) != customer.visits:
            raise EditRefusedError("min_gap", f"{cid} has {customer.visits} visit(s) a cycle, so {customer.visits} "
                                              f"day(s), not {len(days)} ({self._labels(days)})")
        if len(set(days)) != len(days):
            raise EditRefusedError("min_gap", f"{cid} is visited on distinct days, not twice on one "
                                              f"({self._labels(days)})")
        off = [d for d in days if d not in manager.days]
        if off:
            raise EditRefusedError("day", f"{manager.manager_id} does not work on {self._labels(off)} (it works on "
                                          f"{self._labels(manager.days)})")
        ordered = sorted(days)
        for k, gap in enumerate(cyclic_gaps(ordered, self.problem.num_days)):
            if gap < customer.min_gap:
                first, second = ordered[k], ordered[(k + 1) % len(ordered)]
                wrap = ", counted across the end of the cycle" if k + 1 == len(ordered) else ""
                raise EditRefusedError("min_gap", f"{cid}'s visits must be at least {customer.min_gap} day(s) "
                                                  f"apart: {self.problem.days[first]} and "
                                                  f"{self.problem.days[second]} are {gap} apart{wrap}")

    def _labels(self, days: Iterable[int]) -> str:
        return ", ".join(self.problem.days[d] for d in days)
