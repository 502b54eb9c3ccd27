"""Visit-day patterns: which sets of days may a customer be visited on."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

MAX_PATTERNS = 4096


def cyclic_gaps(days: Iterable[int], num_days: int) -> list[int]:
    """Gaps between consecutive visit days, counted cyclically (the last wraps to the first)."""
    ordered = sorted(days)
    if len(ordered) < 2:
        return []
    return [b - a for a, b in itertools.pairwise(ordered)] + [ordered[0] + num_days - ordered[-1]]


def enumerate_patterns(visits: int, min_gap: int, num_days: int, allowed_days: Iterable[int] | None = None,
                       *, limit: int = MAX_PATTERNS) -> list[tuple[int, ...]]:
    """Every set of ``visits`` days, drawn from ``allowed_days``, whose cyclic gaps are all at least
    ``min_gap``.

    At most ``limit`` patterns are returned, spread evenly over the full list when there are more.
    A single visit has no gap to respect.
    """
    days = sorted(set(range(num_days) if allowed_days is None else allowed_days))
    if visits <= 0 or visits > len(days):
        return []
    gap = min_gap if visits >= 2 else 0
    found: list[tuple[int, ...]] = []

    def extend(chosen: list[int], start: int) -> None:
        if len(chosen) == visits:
            if visits < 2 or chosen[0] + num_days - chosen[-1] >= gap:
                found.append(tuple(chosen))
            return
        remaining = visits - len(chosen)
        for index in range(start, len(days) - remaining + 1):
            day = days[index]
            if chosen and day - chosen[-1] < gap:
                continue
            # The remaining visits need room before the cycle wraps back to the first one.
            if chosen and day + (remaining - 1) * gap > chosen[0] + num_days - gap:
                break
            chosen.append(day)
            extend(chosen, index + 1)
            chosen.pop()

    extend([], 0)
    if len(found) > limit:
        step = len(found) / limit
        found = [found[int(i * step)] for i in range(limit)]
    return found
