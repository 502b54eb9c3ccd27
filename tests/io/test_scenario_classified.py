"""write_scenario(classified=True): [classification] decides the tiers it gives; comment heads scenario.toml."""

import csv

from routeplan import ProblemBuilder, read_scenario, write_scenario


def _problem():
    b = ProblemBuilder(name="demo", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(24.94, 60.17)
    b.add_tier("big", visits=2, min_gap=2, service_min=20, roles=["A"])
    b.add_tier("shop", visits=1, service_min=10, roles=["A"])
    b.classify("supermarket", "big")
    b.add_manager("A1", role="A")
    b.add_customer("S1", lon=24.941, lat=60.171, business_type="supermarket")  # tier by the table
    b.add_customer("S2", lon=24.942, lat=60.172, business_type="supermarket", tier="shop")  # its own tier
    b.add_customer("S3", lon=24.943, lat=60.173, tier="shop")
    return b.build()


def _tiers(folder):
    with (folder / "customers.csv").open(encoding="utf-8") as stream:
        return {row["customer_id"]: row["tier"] for row in csv.DictReader(stream)}


def test_classified_leaves_empty_the_tiers_the_table_gives(tmp_path):
    write_scenario(_problem(), tmp_path / "s", classified=True)
    assert _tiers(tmp_path / "s") == {"S1": "", "S2": "shop", "S3": "shop"}
    assert {c.customer_id: c.tier for c in read_scenario(tmp_path / "s").customers} == {
        "S1": "big", "S2": "shop", "S3": "shop"}


def test_by_default_every_tier_is_written(tmp_path):
    write_scenario(_problem(), tmp_path / "s")
    assert _tiers(tmp_path / "s") == {"S1": "big", "S2": "shop", "S3": "shop"}


def test_a_comment_heads_scenario_toml_and_reads_back(tmp_path):
    write_scenario(_problem(), tmp_path / "s", comment="Made from x.osm.pbf.\n© OpenStreetMap contributors")
    lines = (tmp_path / "s" / "scenario.toml").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["# Made from x.osm.pbf.", "# © OpenStreetMap contributors"]
    assert read_scenario(tmp_path / "s").name == "demo"
