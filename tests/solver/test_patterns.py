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


def test_a_rule_with_too_many_patterns_keeps_the_most_even():
    everything = brute_force(4, 2, 12)
    assert len(everything) > 20
    kept = enumerate_patterns(4, 2, 12, limit=20)
    assert len(kept) == 20
    assert len(set(kept)) == 20
    assert kept == sorted(kept)
    assert set(kept) <= set(everything)
    even = [p for p in everything if cyclic_gaps(p, 12) == [3, 3, 3, 3]]
    assert len(even) == 3
    assert set(even) <= set(kept)

    def spread(p):
        return max(cyclic_gaps(p, 12)) - min(cyclic_gaps(p, 12))

    assert max(map(spread, kept)) < max(map(spread, everything))


def test_long_cycles_are_bounded_without_enumerating_everything():
    # Near-daily visits over four and eight weeks: hundreds of thousands of patterns in full.
    for visits, gap, days in ((12, 1, 20), (8, 2, 40), (20, 1, 40)):
        kept = enumerate_patterns(visits, gap, days)
        assert len(kept) == 4096
        assert all(len(p) == visits and min(cyclic_gaps(p, days)) >= gap for p in kept)
    weekly = [tuple(range(d, 40, 5)) for d in range(5)]
    assert set(weekly) <= set(enumerate_patterns(8, 2, 40))
    assert enumerate_patterns(1, 0, 10, limit=4) == [(0,), (2,), (5,), (7,)]
