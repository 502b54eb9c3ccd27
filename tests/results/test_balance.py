"""The balance report: utilisation against the group's mean, days against the mean day."""

import pytest

from routeplan import DayRoute, ProblemBuilder
from routeplan.results.balance import balance_report


def three_managers(tolerance=0.10, day_tolerance=0.25):
    b = ProblemBuilder(name="bal", days=["Mon", "Tue", "Wed", "Thu"])
    b.set_depot(119.13, 36.71)
    b.set_balance(tolerance=tolerance, day_tolerance=day_tolerance)
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    b.add_manager("C1", role="C", shift_start="08:00", shift_end="18:00")
    b.add_manager("C2", role="C", shift_start="08:00", shift_end="18:00")
    b.add_manager("C3", role="C", shift_start="08:00", shift_end="13:00")  # half the shift: half the work is fair
    b.add_customer("S1", lon=119.14, lat=36.70, tier="shop")
    return b.build()


def route(manager, day, minutes, problem):
    # a quarter of an hour of waiting on top, which balance does not count
    return DayRoute(manager_id=manager, day_index=day, day=problem.days[day], depart=8 * 3600,
                    return_time=8 * 3600 + round((minutes + 15) * 60), travel_km=0.0, travel_min=0.0,
                    service_min=minutes, wait_min=15.0, stops=())


def even_week(problem, minutes):
    return [route(m, d, minutes[m], problem) for m in minutes for d in range(4)]


def test_utilisation_is_work_over_shift_times_days():
    problem = three_managers()
    assert problem.manager("C1").available_min == 600 * 4
    assert problem.manager("C3").available_min == 300 * 4


def test_a_part_timer_with_half_the_work_is_in_balance():
    problem = three_managers()
    report = balance_report(problem, even_week(problem, {"C1": 480, "C2": 460, "C3": 235}), [["C1", "C2", "C3"]])
    assert report.within
    assert report.lines() == []
    (group,) = report.groups
    assert group.mean_utilisation == pytest.approx((0.8 + 460 / 600 + 235 / 300) / 3)
    assert report.largest_deviation < 0.03


def test_a_manager_out_of_the_band_is_named_with_its_deviation():
    problem = three_managers()
    report = balance_report(problem, even_week(problem, {"C1": 480, "C2": 360, "C3": 240}), [["C1", "C2", "C3"]])
    mean = (0.8 + 0.6 + 0.8) / 3
    assert not report.within
    (out,) = report.out_of_band()
    assert out.manager_id == "C2"
    assert out.deviation == pytest.approx(0.6 / mean - 1)
    assert "manager C2 is -18.2% from its group's mean utilisation 73.3%" in report.lines()[0]
    summary = report.to_dict()
    assert summary["within"] is False
    assert summary["groups"][0]["out_of_band"] == {"C2": pytest.approx(0.6 / mean - 1, abs=1e-5)}
    # a wider tolerance takes it in
    wide = balance_report(three_managers(tolerance=0.2), even_week(problem, {"C1": 480, "C2": 360, "C3": 240}),
                          [["C1", "C2", "C3"]])
    assert wide.within


def test_days_outside_the_day_tolerance_are_listed_and_an_empty_working_day_counts():
    problem = three_managers()
    routes = even_week(problem, {"C1": 480, "C3": 240})
    routes += [route("C2", 0, 600, problem), route("C2", 1, 400, problem), route("C2", 2, 400, problem)]
    report = balance_report(problem, routes, [["C1", "C2", "C3"]])
    (c2,) = [d for d in report.days if d.manager_id == "C2"]
    assert c2.mean_day_min == pytest.approx(350)
    assert dict(c2.days_out) == {"Mon": pytest.approx(600 / 350 - 1), "Thu": pytest.approx(-1.0)}
    assert any("manager C2 has 2 day(s) outside +-25%" in line for line in report.lines())


def test_groups_of_one_are_not_balanced():
    problem = three_managers()
    report = balance_report(problem, even_week(problem, {"C1": 480, "C2": 100, "C3": 240}), [["C1"], ["C2"], ["C3"]])
    assert report.groups == ()
    assert report.out_of_band() == ()
