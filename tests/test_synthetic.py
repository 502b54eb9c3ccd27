"""Synthetic cities shaped like real ones (routeplan.synthetic.random_city): the shapes the
planner is measured on must really be there."""

import math

import numpy as np
import pytest

from routeplan import MaxIterations, plan
from routeplan.model.travel import local_xy_km
from routeplan.planning.formulate import customer_work
from routeplan.synthetic import (
    CITY_CUSTOMERS_PER_DEPARTMENT,
    CITY_STREET_KM,
    HEAD_MAX_VISITS,
    MARKET_SITE_SHARE,
    random_city,
)


@pytest.fixture(scope="module")
def city():
    return random_city(5, customers=1500)


def test_the_same_seed_gives_the_same_city(city):
    assert random_city(5, customers=1500).to_dict() == city.to_dict()
    assert random_city(6, customers=1500).to_dict() != city.to_dict()


def test_roles_overlap_in_part_as_in_the_reference_department(city):
    roles = {t.name: t.roles for t in city.tiers}
    assert roles == {"large": ("A",), "night": ("B",), "medium": ("C",), "small": ("C", "D")}
    (group,) = [g for g in city.balance_groups() if any(m.startswith("C") for m in g)]
    assert {m[0] for m in group} == {"C", "D"}  # one group to balance, C and D together
    counts = {r: sum(1 for m in city.managers if m.role == r) for r in "ABCD"}
    assert counts["C"] > counts["D"] >= 1


def test_part_time_managers_caps_and_locks(city):
    by_id = {m.manager_id: m for m in city.managers}
    assert len(by_id["C2"].days) == 5  # every other day
    assert len(by_id["D2"].days) == 6  # Monday to Wednesday
    capped = [m for m in city.managers if m.max_visits is not None]
    assert capped
    assert {m.role for m in capped} <= {"C", "D"}
    locked = [c for c in city.customers if c.locked_manager]
    assert len(locked) == 1500 // 400
    assert all(by_id[c.locked_manager].role in city.tier(c.tier).roles for c in locked)
    night = [c for c in city.customers if c.tier == "night"]
    assert {c.window for c in night} >= {(840.0, 1200.0), (690.0, 1170.0), (840.0, 1020.0)}
    assert by_id["B1"].shift == (690.0, 1200.0)


def test_shops_stand_on_a_rotated_street_grid(city):
    xy = local_xy_km([c.lon for c in city.customers], [c.lat for c in city.customers])
    xy = xy - xy.mean(axis=0)

    def on_streets(angle):
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        grid = xy @ rot
        off = np.abs(grid / CITY_STREET_KM - np.round(grid / CITY_STREET_KM)) * CITY_STREET_KM
        return float(np.mean(off.min(axis=1) < 0.03))

    angles = np.linspace(0.0, math.pi / 2, 181)
    best = max(angles, key=on_streets)
    # The grid's offset is unknown (the mean moved it): try offsets of the best angle.
    assert on_streets(best) > 0.35  # snapped to a street of the grid (random points: about 0.33)
    assert min(abs(best - a) for a in (0.0, math.pi / 2)) > 0.02 or on_streets(best) > 0.9  # rotated


def test_hot_spots_and_sparse_outskirts(city):
    xy = local_xy_km([c.lon for c in city.customers], [c.lat for c in city.customers])
    distance = np.hypot(*(xy - np.median(xy, axis=0)).T)
    cells, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=[np.arange(xy[:, 0].min(), xy[:, 0].max() + 1, 1.0),
                                                          np.arange(xy[:, 1].min(), xy[:, 1].max() + 1, 1.0)])
    occupied = cells[cells > 0]
    assert occupied.max() > 5 * np.median(occupied)  # hot spots
    # Sparse outskirts: the outermost shops stand far apart, those of the inner half close together.
    from scipy.spatial import cKDTree

    gap = np.asarray(cKDTree(xy).query(xy, k=2)[0])[:, 1]
    outer = distance > np.quantile(distance, 0.95)
    inner = distance < np.median(distance)
    assert distance[outer].min() > 1.6 * np.median(distance)
    assert gap[outer].mean() > 2 * gap[inner].mean()
    large = np.array([c.tier == "large" for c in city.customers])
    assert large.any()


def test_staff_is_sized_for_the_utilisation_asked():
    staff = {}
    for utilisation in (0.5, 0.7):
        city = random_city(3, customers=1200, utilisation=utilisation)
        work = customer_work(city) / 60.0
        cd = np.array([c.tier in ("medium", "small") for c in city.customers])
        available = sum(m.available_min for m in city.managers if m.role in ("C", "D"))
        assert 0.6 * utilisation < work[cd].sum() / available < 1.1 * utilisation
        staff[utilisation] = sum(1 for m in city.managers if m.role in ("C", "D"))
    assert staff[0.5] > staff[0.7]


def test_a_large_city_has_offices_for_its_departments():
    city = random_city(1, customers=17000)
    starts = {(m.start.lon, m.start.lat) for m in city.managers}
    assert len(starts) == 3
    assert (city.depot.lon, city.depot.lat) in starts


def test_a_small_city_plans_valid_and_complete():
    city = random_city(7, customers=300)
    result = plan(city, stop=MaxIterations(3000), seed=1)
    assert result.visits_planned() == result.visits_required()


def test_the_town_layout_replaces_the_deprecated_keywords_with_the_same_towns():
    from routeplan.synthetic import TownLayout, random_problem

    new = random_problem(2, customers=80, layout=TownLayout(towns=3, spread_km=20.0, homes_in_towns=True))
    with pytest.warns(DeprecationWarning, match=r"towns, spread_km, homes_in_towns are deprecated.*TownLayout") as w:
        old = random_problem(2, customers=80, towns=3, spread_km=20.0, homes_in_towns=True)
    assert w[0].filename == __file__  # the warning points at the caller
    assert old.to_dict() == new.to_dict()
    assert new.to_dict() != random_problem(2, customers=80).to_dict()  # the layout is used
    with pytest.warns(DeprecationWarning, match="spread_km is deprecated"):
        assert random_problem(2, customers=80, spread_km=3.5).to_dict() == random_problem(2, customers=80).to_dict()


def test_a_layout_and_its_old_keywords_or_a_typo_are_type_errors():
    from routeplan.synthetic import TownLayout, random_problem

    with (pytest.warns(DeprecationWarning, match="towns is deprecated"),
          pytest.raises(TypeError, match="pass only layout")):
        random_problem(2, customers=80, layout=TownLayout(), towns=3)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'custmers'\. Did you mean 'customers'\?"):
        random_problem(2, custmers=80)


@pytest.mark.parametrize(("fields", "argument"), [({"towns": 0}, "layout.towns"), ({"towns": 2.5}, "layout.towns"),
                                                   ({"spread_km": -1.0}, "layout.spread_km"),
                                                   ({"spread_km": math.inf}, "layout.spread_km")])
def test_a_town_layout_is_checked(fields, argument):
    from routeplan import ArgumentError
    from routeplan.synthetic import TownLayout

    with pytest.raises(ArgumentError, match=rf"^{argument}: "):
        TownLayout(**fields)
    assert TownLayout(towns=np.int64(4)).towns == 4  # a count from numpy is a count


@pytest.fixture(scope="module")
def levels_city():
    return random_city(5, customers=3000, levels=True)


def test_a_city_with_levels_has_the_shops_and_customer_managers_of_the_same_seed(levels_city):
    plain = random_city(5, customers=3000)
    assert [(c.customer_id, c.lon, c.lat, c.tier) for c in levels_city.customers] == \
        [(c.customer_id, c.lon, c.lat, c.tier) for c in plain.customers]
    assert [m.manager_id for m in levels_city.managers if m.role in "ABCD"] == [m.manager_id for m in plain.managers]


def test_a_city_with_levels_runs_on_four_weeks_with_the_samples_levels(levels_city):
    assert levels_city.num_days == 20
    large, night = levels_city.tier("large"), levels_city.tier("night")
    assert [(lv.roles, lv.visits, lv.min_gap) for lv in large.levels] == [(("M",), 2, 7), (("H",), 1, 0)]
    assert [(lv.roles, lv.visits) for lv in night.levels] == [(("M",), 1)]
    assert (large.visits, large.min_gap, night.visits, night.min_gap) == (4, 4, 2, 7)


def test_a_city_with_levels_has_a_market_manager_and_a_head_per_department(levels_city):
    markets = [m for m in levels_city.managers if m.role == "M"]
    heads = [m for m in levels_city.managers if m.role == "H"]
    assert len(markets) == len(heads) >= math.ceil(3000 / CITY_CUSTOMERS_PER_DEPARTMENT)
    assert {m.max_visits for m in heads} == {HEAD_MAX_VISITS}


def test_a_city_with_levels_leaves_its_market_managers_time_to_ride(levels_city):
    on_site = sum(rule.visits * rule.service_min for c in levels_city.customers
                  for rule in levels_city.visit_rules(c)[1:] if rule.roles == ("M",))
    available = sum(m.available_min for m in levels_city.managers if m.role == "M")
    assert on_site / available <= MARKET_SITE_SHARE
