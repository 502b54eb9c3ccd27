"""Visit-day patterns: which sets of days may a customer be visited on.

The number of patterns grows fast with the cycle: 15 for 2 visits at least 4 days apart in 10
days, 175 for 4 visits 4 apart in 20, 2,275 for 4 visits 2 apart in 20, and hundreds of
thousands for near-daily visits in four weeks. The engine keeps it in hand in three ways: the
patterns of one rule are enumerated once and shared by every task of that rule; pricing a task
sums, per pattern, the best gap of each day's route, computed once per route (so a pattern
costs its visits in additions, not a route evaluation); and a rule with more than
:data:`MAX_PATTERNS` patterns keeps the most even ones (see :func:`enumerate_patterns`), never
enumerating the rest.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

MAX_PATTERNS = 4096


class _TooManyError(Exception):
    """More patterns than asked for: the enumeration stops."""


def cyclic_gaps(days: Iterable[int], num_days: int) -> list[int]:
    """Gaps between consecutive visit days, counted cyclically (the last wraps to the first)."""
    ordered = sorted(days)
    if len(ordered) < 2:
        return []
    return [b - a for a, b in itertools.pairwise(ordered)] + [ordered[0] + num_days - ordered[-1]]


def enumerate_patterns(visits: int, min_gap: int, num_days: int, allowed_days: Iterable[int] | None = None,
                       *, limit: int = MAX_PATTERNS) -> list[tuple[int, ...]]:
    """Every set of ``visits`` days, drawn from ``allowed_days``, whose cyclic gaps are all at least
    ``min_gap``, in lexicographic order.

    A rule with more than ``limit`` such sets keeps the most even ones: those whose gaps all lie
    in the widest band around the even gap (``num_days / visits``, widened one day at a time on
    either side) that holds at most ``limit`` sets; a band that would hold more is never
    enumerated in full; the rest of the limit is filled with the first patterns (in lexicographic
    order) of the next wider band. A single visit has no gap to respect: more than ``limit``
    days are thinned evenly.
    """
    days = sorted(set(range(num_days) if allowed_days is None else allowed_days))
    if visits <= 0 or visits > len(days):
        return []
    if visits == 1:  # no gaps: days spread evenly over the cycle
        step = max(1.0, len(days) / limit)
        return [(days[int(i * step)],) for i in range(min(limit, len(days)))]
    gap = min_gap
    try:
        return _search(days, visits, num_days, gap, num_days, limit)
    except _TooManyError:
        pass
    # Too many: the most even patterns. The band [low, high] around the even gap widens until
    # the next widening would hold more than ``limit``; each try stops at limit + 1. The rest of
    # the limit is filled with the first patterns of that next band.
    even = num_days / visits
    kept: list[tuple[int, ...]] = []
    for width in range(num_days + 1):
        low, high = max(gap, math.floor(even) - width), min(num_days, math.ceil(even) + width)
        try:
            kept = _search(days, visits, num_days, low, high, limit)
        except _TooManyError:
            have = set(kept)
            extra = (p for p in _search(days, visits, num_days, low, high, limit + len(kept), stop=True)
                     if p not in have)
            return sorted(kept + list(itertools.islice(extra, limit - len(kept))))
    return kept


def _search(days: list[int], visits: int, num_days: int, low: int, high: int, limit: int, *,
            stop: bool = False) -> list[tuple[int, ...]]:
    """The sets of ``visits`` (two or more) of ``days`` whose cyclic gaps lie in ``[low, high]``,
    in lexicographic order. Raises :class:`_TooManyError` past ``limit`` sets, or,
    with ``stop``, returns the first ``limit``."""
    found: list[tuple[int, ...]] = []

    def extend(chosen: list[int], start: int) -> None:
        if len(chosen) == visits:
            if low <= chosen[0] + num_days - chosen[-1] <= high:
                if len(found) == limit:
                    raise _TooManyError
                found.append(tuple(chosen))
            return
        remaining = visits - len(chosen)
        for index in range(start, len(days) - remaining + 1):
            day = days[index]
            if chosen and day - chosen[-1] < low:
                continue
            if chosen and day - chosen[-1] > high:
                break
            # The remaining visits need room before the cycle wraps back to the first one.
            if chosen and day + (remaining - 1) * low > chosen[0] + num_days - low:
                break
            chosen.append(day)
            extend(chosen, index + 1)
            chosen.pop()

    try:
        extend([], 0)
    except _TooManyError:
        if not stop:
            raise
    return found
