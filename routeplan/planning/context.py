"""What a run decides once about its problem: the planning context.

A run plans one problem under one strategy. Who may serve whom (eligibility), which managers
are interchangeable (their work balanced against each other), what a re-plan keeps (stability
terms) and each customer's estimated work follow from the problem and the strategy alone. They
are computed here, once, and read by the formulation, the partition, the diagnosis, the fan-out,
the offer of left-out customers and the plan's record; a part of a large problem (or the
managers an offer widens to) gets a context of its own, derived with :meth:`PlanningContext.part`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..errors import ArgumentError
from ..model.problem import Problem
from .replan import StabilityTerms, stability_terms
from .strategies import STRATEGIES, StrategyParams, strategy_eligibility
from .workload import customer_work


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningContext:
    """A problem with the rules of its run computed once.

    Attributes
    ----------
    problem
        The problem planned.
    strategy
        The strategy whose hand-out ``eligible`` is.
    eligible
        Per customer, the managers (positions in ``problem.managers``) its own visits (level 0)
        may have; customers of one hand-out share one tuple.
    groups
        Every manager's group of interchangeable managers (:meth:`Problem.interchangeable`
        over ``eligible`` and the further levels' roles), groups of one included.
    terms
        What a re-plan keeps (:func:`routeplan.planning.replan.stability_terms`); None for a
        plan from scratch.
    work
        Each customer's estimated work per cycle, in seconds
        (:func:`routeplan.planning.workload.customer_work`); None where the run did not need it
        (a part's context: the whole problem's estimate cut the parts).
    taken_days
        Per customer, the days it already has visits on, planned elsewhere (the visit levels of
        a large problem: :mod:`routeplan.planning.levels`), which none of its visits here may
        take; None: no day is taken.
    """

    problem: Problem
    strategy: str
    eligible: tuple[tuple[int, ...], ...]
    groups: tuple[tuple[int, ...], ...]
    terms: StabilityTerms | None
    work: np.ndarray | None = None
    taken_days: tuple[tuple[int, ...], ...] | None = None

    @classmethod
    def of(cls, problem: Problem, strategy: str = "hybrid", *, estimate: bool = True,
           params: StrategyParams | None = None) -> PlanningContext:
        """The context of planning ``problem`` under ``strategy`` (``estimate``: with each
        customer's estimated work, which the role-blind strategies' hand-out and the partition
        of a large problem need; it asks the travel model for nearest neighbours; ``params``: how
        the role-blind strategies hand out)."""
        if strategy not in STRATEGIES:
            raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
        work = customer_work(problem) if estimate or strategy != "hybrid" else None
        eligible = strategy_eligibility(problem, strategy, work=work, params=params)
        return cls.with_eligible(problem, strategy, eligible, work=work)

    @classmethod
    def with_eligible(cls, problem: Problem, strategy: str, eligible: Sequence[Sequence[int]], *,
                      work: np.ndarray | None = None) -> PlanningContext:
        """The context of ``problem`` with a hand-out already made (``eligible``: manager
        positions per customer, as :attr:`eligible`)."""
        shared: dict[int, tuple[int, ...]] = {}  # customers share tuples: keep them shared
        frozen = tuple(shared.setdefault(id(e), tuple(e)) for e in eligible)
        return cls(problem=problem, strategy=strategy, eligible=frozen,
                   groups=tuple(problem.interchangeable(frozen)), terms=stability_terms(problem, frozen), work=work)

    def balance_groups(self) -> tuple[tuple[int, ...], ...]:
        """The groups of at least two managers: whose work is balanced against each other."""
        return tuple(g for g in self.groups if len(g) > 1)

    def balance_group_ids(self) -> tuple[tuple[str, ...], ...]:
        """:meth:`balance_groups` by manager id (what a plan records)."""
        managers = self.problem.managers
        return tuple(tuple(managers[i].manager_id for i in g) for g in self.balance_groups())

    def group_of_manager(self) -> np.ndarray:
        """Each manager's group: its position in :attr:`groups`."""
        out = np.empty(self.problem.num_managers, dtype=np.int64)
        for g, group in enumerate(self.groups):
            out[list(group)] = g
        return out

    def part(self, customers: np.ndarray, managers: np.ndarray, *, name: str,
             eligible: Sequence[Sequence[int]] | None = None) -> PlanningContext:
        """The context of the sub-problem of ``customers`` and ``managers`` (positions in this
        problem), named ``name``: its hand-out is this one's (or ``eligible``, a widened one in
        this problem's numbering) in the numbering of ``managers``, those outside dropped; its
        groups and re-plan terms are the sub-problem's own; its customers' taken days this one's."""
        problem = self.problem
        sub = problem.replace(name=name, customers=tuple(problem.customers[int(c)] for c in customers),
                              managers=tuple(problem.managers[int(m)] for m in managers))
        local = local_eligibility(self.eligible if eligible is None else eligible, customers, managers)
        context = PlanningContext.with_eligible(sub, self.strategy, local)
        if self.taken_days is None:
            return context
        return replace(context, taken_days=tuple(self.taken_days[int(c)] for c in customers))


def local_eligibility(eligible: Sequence[Sequence[int]], customers: np.ndarray,
                      managers: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """The hand-out of ``customers`` in the numbering of ``managers`` (those outside dropped)."""
    local = {int(m): i for i, m in enumerate(managers)}
    mapped: dict[int, tuple[int, ...]] = {}  # by the tuple's identity: customers share them
    out = []
    for c in customers:
        allowed = eligible[int(c)]
        key = id(allowed)
        if key not in mapped:
            mapped[key] = tuple(sorted(local[int(m)] for m in allowed if int(m) in local))
        out.append(mapped[key])
    return tuple(out)
