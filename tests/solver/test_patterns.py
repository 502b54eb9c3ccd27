from itertools import combinations

import pytest

from routeplan.solver.patterns import cyclic_gaps, enumerate_patterns


def brute_force(visits, gap, days, allowed=None):
    pool = range(days) if allowed is None else sorted(allowed)
    out = []
    for combo in combinations(pool, visits):
        if visits < 2 or min(cyclic_gaps(combo, days)) >= gap:
            out.append(combo)
    return out


@pytest.mark.parametrize(("visits", "gap", "days"), [(1, 0, 5), (2, 4, 10), (4, 2, 10), (3, 3, 10), (2, 5, 10),
                                               (5, 2, 10), (3, 2, 6), (2, 3, 5)])
def test_patterns_equal_brute_force(visits, gap, days):
    assert enumerate_patterns(visits, gap, days) == brute_force(visits, gap, days)


def test_patterns_respect_working_days():
    allowed = [0, 2, 4, 6, 8]
    assert enumerate_patterns(2, 4, 10, allowed) == brute_force(2, 4, 10, allowed)
    assert enumerate_patterns(3, 4, 10, allowed) == []


def test_cyclic_gap_wraps():
    assert cyclic_gaps([1, 8], 10) == [7, 3]


def test_two_visits_gap_four_in_two_weeks():
    patterns = enumerate_patterns(2, 4, 10)
    assert len(patterns) == 15
    assert (0, 5) in patterns
    assert (0, 3) not in patterns
    assert (2, 8) in patterns
    assert (1, 8) not in patterns
