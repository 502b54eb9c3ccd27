"""Which OpenStreetMap tags make a customer, and of which tier (routeplan/io/osm_tags.py)."""

import pytest

from routeplan.io.osm_tags import OUTLET_TIERS, business_type, outlet_address, outlet_name
from routeplan.osm_scenario import ROLES, SAMPLE_TIERS


@pytest.mark.parametrize(("tags", "expected"), [
    ({"shop": "supermarket"}, "supermarket"),
    ({"amenity": "fuel", "name": "N1"}, "fuel"),
    ({"amenity": "pub"}, "pub"),
    ({"tourism": "hotel"}, "hotel"),
    ({"shop": "kiosk"}, "kiosk"),
    ({"shop": " convenience "}, "convenience"),
    ({"shop": "convenience", "amenity": "fuel"}, "convenience"),  # shop is looked at first
    ({"shop": "clothes", "amenity": "cafe"}, "cafe"),  # a shop that maps to none gives way to amenity
    ({"shop": "clothes"}, None),
    ({"amenity": "parking"}, None),
    ({"highway": "residential"}, None),
    ({}, None),
])
def test_the_business_type_is_the_first_mapped_tag_value(tags, expected):
    assert business_type(tags) == expected


def test_the_contracts_examples_map_to_their_tiers():
    expected = {"supermarket": "large", "mall": "large", "department_store": "large", "fuel": "large",
                "bar": "night", "pub": "night", "nightclub": "night", "hotel": "night", "restaurant": "night",
                "convenience": "medium", "alcohol": "medium", "tobacco": "medium",
                "kiosk": "small", "newsagent": "small", "greengrocer": "small", "variety_store": "small"}
    assert {k: OUTLET_TIERS[k] for k in expected} == expected


def test_every_tier_of_the_mapping_is_a_sample_tier_with_one_role():
    assert set(OUTLET_TIERS.values()) == set(SAMPLE_TIERS)
    assert sorted(r for t in SAMPLE_TIERS.values() for r in t.roles) == list(ROLES)


def test_a_custom_classification_decides():
    assert business_type({"shop": "clothes"}, {"clothes": "small"}) == "clothes"


def test_the_name_falls_back_to_the_brand():
    assert outlet_name({"brand": "Bónus"}) == "Bónus"
    assert outlet_name({"name": "Krónan Granda", "brand": "Krónan"}) == "Krónan Granda"
    assert outlet_name({}) == ""


def test_the_address_joins_street_number_postcode_and_city():
    tags = {"addr:street": "Laugavegur", "addr:housenumber": "12", "addr:postcode": "101", "addr:city": "Reykjavík"}
    assert outlet_address(tags) == "Laugavegur 12, 101 Reykjavík"
    assert outlet_address({"addr:city": "Helsinki"}) == "Helsinki"
    assert outlet_address({}) == ""


def test_the_readme_lists_the_mapping_as_it_is():
    import re

    from conftest import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Your own city from OpenStreetMap", 1)[1].split("\n## ", 1)[0]
    listed = {}
    for tier, types in re.findall(r"^\| (large|night|medium|small) \([A-D]\) \| (.*?) \|$", section, re.MULTILINE):
        listed.update({t.strip(): tier for t in types.split(",")})
    assert listed == OUTLET_TIERS
