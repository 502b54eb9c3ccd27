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


@pytest.mark.parametrize(("method", "first", "given", "named", "suggested"), [
    ("add_customer", {"lon": 119.14, "lat": 36.70}, {"vists": 2}, "vists", "visits"),
    ("add_customer", {"lon": 119.14, "lat": 36.70}, {"tire": "shop"}, "tire", "tier"),
    ("add_manager", {"role": "C"}, {"shift_strat": "09:00"}, "shift_strat", "shift_start"),
    ("add_manager", {"role": "C"}, {"max_visit": 3}, "max_visit", "max_visits"),
])
def test_a_misspelt_field_is_a_type_error_naming_the_column_meant(method, first, given, named, suggested):
    b = builder()
    before = (len(b._customers), len(b._managers))
    with pytest.raises(TypeError, match=rf"^ProblemBuilder\.{method}\(\) got an unexpected keyword argument "
                                        rf"'{named}'\. Did you mean '{suggested}'\?$"):
        getattr(b, method)("X1", **first, **given)
    assert (len(b._customers), len(b._managers)) == before  # nothing half-added


def test_a_field_like_no_column_is_named_without_a_guess():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'colour'$"):
        builder().add_customer("X1", lon=119.14, lat=36.70, colour="red")


def test_the_builders_fields_are_the_files_columns_and_documented():
    from routeplan.io.scenario import CUSTOMER_COLUMNS, MANAGER_COLUMNS
    from routeplan.model.frames import _FIELDS
    from routeplan.model.problem import CUSTOMER_FIELDS, MANAGER_FIELDS

    # The files' columns (the file contract, docs/file-formats.md) come from the builder's fields.
    assert CUSTOMER_COLUMNS == ("customer_id", "lon", "lat", "tier", "business_type", "district", "value", "name",
                                "address", "service_min", "window_start", "window_end", "visits", "min_gap",
                                "locked_manager", "current_manager")
    assert MANAGER_COLUMNS == ("manager_id", "role", "name", "start_lon", "start_lat", "end_lon", "end_lat",
                               "shift_start", "shift_end", "max_visits", "days", "break_earliest", "break_latest",
                               "break_min")
    assert _FIELDS == CUSTOMER_COLUMNS  # a (Geo)DataFrame has the columns of customers.csv
    for method, fields in ((ProblemBuilder.add_customer, CUSTOMER_FIELDS),
                           (ProblemBuilder.add_manager, MANAGER_FIELDS)):
        other = method.__doc__.split("Other Parameters")[1].split("Raises")[0]
        assert all(name in other.replace(",", " ").split() for name in fields), method.__name__
    b = builder()
    b.add_customer("S1", lon=119.14, lat=36.70, tier="shop", value=3.0)
    # Every column reaches the builder, unset ones as None.
    assert b._customers[0].values == {"customer_id": "S1", "lon": 119.14, "lat": 36.70, "tier": "shop",
                                      **dict.fromkeys(CUSTOMER_FIELDS), "value": 3.0}
