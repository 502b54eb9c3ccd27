"""The time-of-day capacity check: work placed where windows and shifts meet."""

import numpy as np

from routeplan import ProblemBuilder
from routeplan.planning.capacity import USABLE_SHARE, CarryModel


def problem_of(shifts, *, shops=10, service=30, window=("08:30", "17:30"), max_visits=None):
    b = ProblemBuilder(name="carry", days=["Mon", "Tue"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=1, service_min=service, window=window, roles=["C"])
    for k, (start, end) in enumerate(shifts):
        b.add_manager(f"C{k + 1}", role="C", shift_start=start, shift_end=end, max_visits=max_visits)
    for i in range(shops):
        b.add_customer(f"S{i}", lon=119.13 + 0.001 * i, lat=36.71, tier="shop")
    return b.build()


def shortfall(problem, work_min, eligible):
    carry = CarryModel.of(problem, np.full(problem.num_customers, work_min * 60.0))
    span = carry.span[:1].repeat(1, axis=0)
    return carry.shortfall([eligible], span, np.array([carry.work.sum()]))[0]


def test_an_afternoon_shift_cannot_carry_shops_that_close_early():
    # 10 shops x 60 min = 600 min, to start by 17:30 (and end by 18:30); 14:00-21:30 on 2 days
    # offers 2 x 4.5 h of those hours, 0.9 of it usable: 486 min.
    late = problem_of([("14:00", "21:30")], service=60)
    assert shortfall(late, 60, (0,)) == 600 - 2 * 270 * USABLE_SHARE
    day = problem_of([("08:30", "17:30")])
    assert shortfall(day, 60, (0,)) == 0
    both = problem_of([("14:00", "21:30"), ("08:30", "17:30")])
    assert shortfall(both, 60, (0, 1)) == 0


def test_a_visit_cap_limits_what_a_manager_carries():
    capped = problem_of([("08:30", "17:30")], shops=10, max_visits=2)  # 4 visits of the 10 in two days
    assert shortfall(capped, 30, (0,)) == 300 - 4 * 30
    assert shortfall(problem_of([("08:30", "17:30")], shops=10), 30, (0,)) == 0


def test_classes_compete_for_the_same_hours():
    problem = problem_of([("08:30", "17:30")], shops=2)
    carry = CarryModel.of(problem, np.array([60.0, 60.0]) * 60)
    usable = 2 * 540 * USABLE_SHARE  # 972 min in all
    span = np.array([[0, len(carry.boundaries) - 1]] * 2)
    alone = carry.shortfall([(0,)], span[:1], np.array([900.0]))
    together = carry.shortfall([(0,), (0,)], span, np.array([900.0, 900.0]))
    assert alone[0] == 0
    assert together.sum() == 1800 - usable
