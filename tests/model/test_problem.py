import pickle

import pytest

from routeplan import Problem, ProblemBuilder, ScenarioError


def builder() -> ProblemBuilder:
    b = ProblemBuilder(name="t", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=2, min_gap=2, service_min=10, roles=["C"])
    b.classify("grocery", "shop")
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C", shift_start="9:00", shift_end="16:00", days="Mon Wed 4", max_visits=10)
    return b


def test_builder_freezes_a_picklable_problem():
    b = builder()
    b.add_customer("S1", lon=119.14, lat=36.70, tier="shop")
    b.add_customer("S2", lon=119.15, lat=36.72, business_type="grocery", window_start="10:00",
                   window_end="12:00", service_min=5)
    problem = b.build()
    assert problem.customer("S2").tier == "shop"  # classified
    assert problem.customer("S2").window == (600.0, 720.0)
    assert problem.customer("S2").overrides == frozenset({"window", "service_min"})
    assert problem.manager("C2").days == (0, 2, 4)
    assert problem.manager("C2").shift == (540.0, 960.0)
    assert problem.manager("C1").start == problem.depot
    assert pickle.loads(pickle.dumps(problem)) == problem
    assert Problem.from_dict(problem.to_dict()) == problem
    with pytest.raises(AttributeError):
        problem.name = "other"  # frozen


def test_builder_collects_every_issue():
    b = builder()
    b.add_customer("S1", lon=200.0, lat=36.70, tier="shop")
    b.add_customer("S1", lon=119.1, lat=36.70, tier="shop")
    b.add_customer("S3", lon=119.1, lat=36.70, tier="nope")
    b.add_customer("S4", lon=119.1, lat=36.70, business_type="unknown")
    b.add_customer("S5", lon=119.1, lat=36.70, tier="shop", locked_manager="X9")
    b.add_customer("S6", lon=119.1, lat=36.70, tier="shop", visits=4, min_gap=2)
    b.add_customer("S7", lon=119.1, lat=36.70, tier="shop", window_start="15:00", window_end="14:00")
    with pytest.raises(ScenarioError) as info:
        b.build()
    text = str(info.value)
    assert "out of range" in text
    assert "lon" in text
    assert "appears twice" in text
    assert "unknown tier 'nope'" in text
    assert "'unknown' is not in [classification]" in text
    assert "locked_manager 'X9'" in text
    assert "need a cycle of 8 days" in text
    assert "window_end is before window_start" in text
    assert len(info.value.issues) == 7


def test_tier_without_eligible_manager_is_an_error():
    b = builder()
    b.add_tier("big", visits=1, service_min=10, roles=["A"])
    b.add_customer("B1", lon=119.1, lat=36.7, tier="big")
    with pytest.raises(ScenarioError, match="no manager has a role of tier 'big'"):
        b.build()


def test_customers_from_a_geodataframe():
    geopandas = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    frame = geopandas.GeoDataFrame(
        {"customer_id": ["G1", "G2"], "tier": ["shop", None], "business_type": ["x", "grocery"]},
        geometry=[Point(119.14, 36.70), Point(119.15, 36.71)], crs="EPSG:4326").to_crs("EPSG:3857")
    b = builder()
    b.add_customers(frame)
    problem = b.build()
    assert [c.customer_id for c in problem.customers] == ["G1", "G2"]
    assert problem.customer("G1").lon == pytest.approx(119.14)
    assert problem.customer("G2").tier == "shop"
