"""A scenario on streets: read, planned, checked by the validator's own road legs, drawn along
the streets; and a plan made on straight lines checked against the streets."""

import csv
import json
import logging
import shutil
from pathlib import Path

import pytest

from routeplan import MaxIterations, ScenarioError, plan, read_scenario, validate_folder, write_plan, write_scenario
from routeplan.maps import Layers, render
from routeplan.roads.resolve import travel_model

REPO = Path(__file__).resolve().parents[2]
ROADS = REPO / "data" / "samples" / "kuiwen-roads"
SAMPLE = REPO / "data" / "samples" / "kuiwen"


@pytest.fixture(scope="module")
def road_problem():
    return read_scenario(ROADS)


@pytest.fixture(scope="module")
def road_plan(road_problem, tmp_path_factory):
    result = plan(road_problem, stop=MaxIterations(300), seed=1)
    folder = tmp_path_factory.mktemp("road-plan") / "plan"
    write_plan(result, folder, maps=False)
    return result, folder


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_sample_on_streets_is_planned_and_checked(road_problem, road_plan):
    result, folder = road_plan
    assert road_problem.travel.model == "road"
    assert result.visits_planned() == result.visits_required()
    assert validate_folder(ROADS, folder).ok


def test_the_validator_finds_a_leg_faster_than_the_streets(road_plan, tmp_path):
    _, folder = road_plan
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    rows = read_rows(broken / "visits.csv")
    second = next(i for i, r in enumerate(rows) if r["seq"] == "2")
    hours, minutes, seconds = (int(x) for x in rows[second]["arrival"].split(":"))
    rows[second]["arrival"] = f"{hours:02d}:{max(0, minutes - 3):02d}:{seconds:02d}"  # arrives 3 min too soon
    rows[second + 1]["travel_km"] = f"{float(rows[second + 1]['travel_km']) + 0.5:.4f}"
    write_rows(broken / "visits.csv", rows)
    report = validate_folder(ROADS, broken)
    assert "travel-time" in report.rules
    assert "travel-km" in report.rules


def test_a_plan_on_straight_lines_breaks_on_the_streets(tmp_path):
    """The sample planned with straight lines x 1.3, checked against its streets: legs take longer
    and are longer than the plan says (the river and the railway)."""
    straight = plan(read_scenario(SAMPLE), stop=MaxIterations(300), seed=1)
    write_plan(straight, tmp_path / "plan", maps=False)
    report = validate_folder(ROADS, tmp_path / "plan")
    assert not report.ok
    assert {"travel-time", "travel-km"} <= report.rules


def test_routes_follow_the_streets(road_plan, road_problem):
    result, _ = road_plan
    features = result.routes_geojson()["features"]
    network = travel_model(road_problem.travel).network
    nodes = set(zip(network.lon.tolist(), network.lat.tolist(), strict=True))
    busiest = max(features, key=lambda f: f["properties"]["stops"])
    line = busiest["geometry"]["coordinates"]
    assert len(line) > 3 * (busiest["properties"]["stops"] + 2)
    assert sum(tuple(p) in nodes for p in line) >= len(line) - busiest["properties"]["stops"] - 2
    html = render(result).get_root().render()
    assert html.count("routeplanDay(") == len(features) + 1  # the function, then one call per day
    # The map draws the line along the streets: a path node (not a stop) is in the page.
    lon, lat = line[1]
    assert f"[{lat!r},{lon!r}]" in html


def test_customers_far_from_any_road_are_named(tmp_path, caplog):
    folder = tmp_path / "far"
    shutil.copytree(ROADS, folder)
    rows = read_rows(folder / "customers.csv")
    rows[0]["lon"] = f"{float(rows[0]['lon']) + 0.03:.6f}"  # about 2.7 km east, off the map
    rows[0]["lat"] = f"{float(rows[0]['lat']) - 0.2:.6f}"
    write_rows(folder / "customers.csv", rows)
    with caplog.at_level(logging.WARNING, logger="routeplan"):
        read_scenario(folder)
    assert any(rows[0]["customer_id"] in r.getMessage() and "road network" in r.getMessage() for r in caplog.records)


def test_model_road_needs_its_network_file(tmp_path):
    folder = tmp_path / "nonet"
    shutil.copytree(ROADS, folder)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(toml.replace('network = "roads.osm"\n', ""), encoding="utf-8")
    with pytest.raises(ScenarioError, match="needs the road network file") as error:
        read_scenario(folder)
    assert error.value.issues[0].column == "travel.network"
    (folder / "scenario.toml").write_text(toml.replace('"roads.osm"', '"missing.osm"'), encoding="utf-8")
    with pytest.raises(ScenarioError, match="road network file not found"):
        read_scenario(folder)


def test_a_written_scenario_carries_its_network(road_problem, tmp_path):
    written = write_scenario(road_problem, tmp_path / "copy")
    assert (written / "roads.osm").is_file()
    again = read_scenario(written)
    assert again.travel.model == "road"
    assert Path(again.travel.network).name == "roads.osm"
    summary = json.dumps(again.to_dict()["travel"])
    assert "roads.osm" in summary


def test_the_map_can_show_the_streets_under_the_routes(road_plan):
    result, _ = road_plan
    plain = render(result, tiles=None).get_root().render()
    with_streets = render(result, tiles=None, layers=Layers(streets=True)).get_root().render()
    assert "MultiLineString" not in plain
    assert "MultiLineString" in with_streets


def test_the_sample_on_streets_is_what_its_seeded_generator_writes(tmp_path):
    """data/samples/kuiwen-roads is generated, never edited: the committed files are the
    generator's output for its default seed (and its shops are the plain sample's)."""
    import subprocess
    import sys

    out = tmp_path / "kuiwen-roads"
    subprocess.run([sys.executable, str(REPO / "data" / "samples" / "generate_kuiwen_roads.py"), "--out", str(out)],
                   check=True, capture_output=True)
    for name in ("scenario.toml", "customers.csv", "managers.csv", "districts.geojson", "roads.osm"):
        assert (out / name).read_bytes() == (ROADS / name).read_bytes(), name
    assert (ROADS / "customers.csv").read_bytes() == (SAMPLE / "customers.csv").read_bytes()
