"""Territory compactness: hull overlap within a group and mean distance to the centre."""

import math

import pytest

from routeplan import ProblemBuilder
from routeplan.model.travel import KM_PER_DEGREE
from routeplan.results.territories import territory_report

SQUARE = [(0.0, 0.0), (0.01, 0.0), (0.01, 0.01), (0.0, 0.01)]


def problem_with(squares):
    b = ProblemBuilder(name="hulls", days=["Mon", "Tue"])
    b.set_depot(0.0, 0.005)
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    for m in squares:
        b.add_manager(m, role="C")
    for m, dx in squares.items():
        for k, (x, y) in enumerate(SQUARE):
            b.add_customer(f"{m}-{k}", lon=x + dx, lat=y, tier="shop")
    return b.build()


def assignment_of(problem):
    return {c.customer_id: c.customer_id.split("-")[0] for c in problem.customers}


def test_side_by_side_territories_do_not_overlap():
    problem = problem_with({"C1": 0.0, "C2": 0.02})
    report = territory_report(problem, assignment_of(problem), [["C1", "C2"]])
    assert report.hull_overlap == 0.0
    side = 0.01 * KM_PER_DEGREE  # at the equator a degree is as long both ways
    assert report.managers[0].area_km2 == pytest.approx(side * side, rel=1e-3)
    # every corner of a square is half a diagonal from its centre
    assert report.mean_centre_km == pytest.approx(side * math.sqrt(2) / 2, rel=1e-3)


def test_half_overlapping_squares_share_a_third_of_their_area():
    problem = problem_with({"C1": 0.0, "C2": 0.005})
    report = territory_report(problem, assignment_of(problem), [["C1", "C2"]])
    assert report.hull_overlap == pytest.approx(1 / 3, rel=1e-3)
    assert report.to_dict()["groups"] == [{"managers": ["C1", "C2"], "hull_overlap": pytest.approx(1 / 3, abs=1e-4)}]


def test_overlap_across_groups_is_not_counted():
    problem = problem_with({"C1": 0.0, "C2": 0.005})
    report = territory_report(problem, assignment_of(problem), [["C1"], ["C2"]])
    assert report.hull_overlap == 0.0
    assert report.group_overlap == ()
