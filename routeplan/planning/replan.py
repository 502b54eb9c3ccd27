"""Re-planning from a current plan (the contract's section 6): who keeps whom, on which days, and
how many may move.

A problem re-plans when it has :class:`~routeplan.model.problem.StabilitySettings`; each
customer's ``current_manager`` (and ``current_days``, ``current_seq``: the previous plan's, see
:func:`with_previous`) is where it stands now. The rules, here and nowhere else:

- A customer is *reassigned* when its current manager is still in the problem and another now
  serves it. The *base* of the limit is every customer whose current manager is still present.
- A customer whose current manager may no longer serve it (the strategy's roles, a lock) must
  move: *forced*. It counts as reassigned (the contract's figure), so a limit below the forced
  share cannot be met; the planner then moves the forced customers and no other.
- The engine's owner of a customer is *preferred* when its current manager may serve it; at
  most ``floor(max_reassigned x base) - forced`` customers leave their preferred owner, each at
  ``move_cost_min`` minutes of travel; each visit on a day the customer was not visited on before
  costs ``day_cost_min`` minutes (``keep_days``).
- The previous routes, where they still hold (their customers kept, their days one of the
  customer's patterns, the route still feasible), are the search's first solution.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..model.problem import Problem, StabilitySettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilityTerms:
    """What the engine gets from a re-plan (see the module docstring)."""

    preferred: tuple[int, ...]  # per customer: its current manager's index where it may stay, else -1
    kept_days: tuple[tuple[int, ...], ...]  # per customer: the days to keep (empty: none)
    move_cost: float  # seconds of travel per customer moved
    day_cost: float  # seconds of travel per visit on a new day
    max_moved: int  # customers that may leave their preferred manager (-1: no limit)
    base: int  # customers whose current manager is still present
    forced_ids: tuple[str, ...]  # of those, the customers their current manager may no longer serve

    @property
    def forced(self) -> int:
        return len(self.forced_ids)


def stability_terms(problem: Problem, eligible: Sequence[Sequence[int]]) -> StabilityTerms | None:
    """The re-plan's terms of ``problem`` with ``eligible`` manager indices per customer; None
    when it plans from scratch."""
    stability = problem.stability
    if stability is None:
        return None
    index = {m.manager_id: i for i, m in enumerate(problem.managers)}
    preferred = []
    base = 0
    forced = []
    for customer, allowed in zip(problem.customers, eligible, strict=True):
        current = index.get(customer.current_manager or "", -1)
        if current >= 0:
            base += 1
            if current not in allowed:
                forced.append(customer.customer_id)
                current = -1
        preferred.append(current)
    max_moved = -1
    if stability.max_reassigned is not None:
        max_moved = max(0, math.floor(stability.max_reassigned * base + 1e-9) - len(forced))
    days = tuple(c.current_days if stability.keep_days else () for c in problem.customers)
    return StabilityTerms(preferred=tuple(preferred), kept_days=days, move_cost=60.0 * stability.move_cost_min,
                          day_cost=60.0 * stability.day_cost_min if stability.keep_days else 0.0,
                          max_moved=max_moved, base=base, forced_ids=tuple(forced))


def log_terms(problem: Problem, terms: StabilityTerms | None) -> None:
    """Say what a re-plan keeps, and when its limit cannot be met."""
    if terms is None or problem.stability is None:
        return
    share = problem.stability.max_reassigned
    logger.info("re-plan: %d customers with a manager still present, %d of them must move (role or lock), "
                "%s more may move", terms.base, terms.forced, "any" if terms.max_moved < 0 else terms.max_moved)
    if share is not None and terms.forced > math.floor(share * terms.base + 1e-9):
        logger.warning("at most %.0f%% reassigned cannot be met: %d of the %d customers whose manager is still "
                       "present (%.1f%%) must move because that manager may no longer serve them (role or lock); "
                       "planned with those moved and no other", 100 * share, terms.forced, terms.base,
                       100 * terms.forced / terms.base)


def previous_routes(problem: Problem, terms: StabilityTerms,
                    eligible: Sequence[Sequence[int]]) -> dict[tuple[int, int], list[int]]:
    """The current routes that may be kept: ``(manager index, day) -> customer indices`` in
    their previous order, for customers that stay with their preferred manager on days that form
    one of their patterns; a manager who left hands its line to a new manager (one without current
    customers) who may serve most of it, as a department does. Route feasibility is the engine's
    to check."""
    owners = list(terms.preferred)
    for leaver, new in _takeovers(problem, eligible).items():
        for i, customer in enumerate(problem.customers):
            if customer.current_manager == leaver and new in eligible[i]:
                owners[i] = new
    routes: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, customer in enumerate(problem.customers):
        owner = owners[i]
        days = customer.current_days
        if owner < 0 or len(days) != customer.visits or len(customer.current_seq) != len(days):
            continue
        worked = set(problem.managers[owner].days)
        if any(d not in worked for d in days) or not _forms_pattern(sorted(days), customer.min_gap,
                                                                     problem.num_days):
            continue
        for day, seq in zip(days, customer.current_seq, strict=True):
            routes.setdefault((owner, day), []).append((seq, i))
    return {key: [i for _, i in sorted(stops)] for key, stops in routes.items()}


def _takeovers(problem: Problem, eligible: Sequence[Sequence[int]]) -> dict[str, int]:
    """Which new manager (index) takes over the line of which manager who left (id): the
    leavers with most customers first, each to the new manager who may serve most of them."""
    present = {m.manager_id: i for i, m in enumerate(problem.managers)}
    lines: dict[str, list[int]] = {}
    for i, customer in enumerate(problem.customers):
        if customer.current_manager and customer.current_manager not in present:
            lines.setdefault(customer.current_manager, []).append(i)
    current = {c.current_manager for c in problem.customers}
    free = [i for i, m in enumerate(problem.managers) if m.manager_id not in current]
    out: dict[str, int] = {}
    for leaver in sorted(lines, key=lambda m: (-len(lines[m]), m)):
        if not free:
            break
        fits = [sum(1 for i in lines[leaver] if new in eligible[i]) for new in free]
        if max(fits) > 0:
            out[leaver] = free.pop(fits.index(max(fits)))
    return out


def _forms_pattern(days: list[int], min_gap: int, num_days: int) -> bool:
    """Distinct days whose cyclic gaps are all at least ``min_gap`` (the contract's rule)."""
    if len(set(days)) != len(days):
        return False
    if len(days) < 2:
        return True
    gaps = [b - a for a, b in itertools.pairwise(days)] + [days[0] + num_days - days[-1]]
    return min(gaps) >= min_gap


def with_previous(problem: Problem, assignment: Mapping[str, str],
                  days: Mapping[str, Sequence[tuple[str, int]]], *,
                  stability: StabilitySettings | None = None) -> Problem:
    """``problem`` re-planned from a previous plan: each customer's ``current_manager`` is its
    manager in ``assignment`` (customers absent from it are new: none), its ``current_days`` and
    ``current_seq`` the days (by label; days the problem no longer has are dropped) and places
    in ``days`` (customer -> ``(day label, seq)``). ``stability`` defaults to the problem's own,
    else :class:`StabilitySettings` with its defaults."""
    label_index = {label: k for k, label in enumerate(problem.days)}
    customers = []
    for customer in problem.customers:
        visits = sorted((label_index[label], seq) for label, seq in days.get(customer.customer_id, ())
                        if label in label_index)
        customers.append(replace(customer, current_manager=assignment.get(customer.customer_id),
                                 current_days=tuple(d for d, _ in visits), current_seq=tuple(s for _, s in visits)))
    settings = stability if stability is not None else (problem.stability or StabilitySettings())
    return problem.replace(customers=tuple(customers)).with_stability(settings)
