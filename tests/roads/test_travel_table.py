"""Travel from a table (model = "matrix"): read, checked for missing pairs, planned, validated."""

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from routeplan import MaxIterations, ScenarioError, plan, read_scenario, validate_folder, write_plan
from routeplan.roads.resolve import travel_model

DATA = Path(__file__).parent.parent / "data"


def places(problem):
    """(id, lon, lat) of every place of the table, by the contract's ids."""
    depot = problem.depot
    found = {"depot": (depot.lon, depot.lat)}
    for m in problem.managers:
        if m.start != depot:
            found[f"{m.manager_id}:start"] = (m.start.lon, m.start.lat)
        if m.end != depot:
            found[f"{m.manager_id}:end"] = (m.end.lon, m.end.lat)
    for c in problem.customers:
        found[c.customer_id] = (c.lon, c.lat)
    return found


def matrix_scenario(tmp_path, *, slow=(), drop=()):
    """tests/data/tiny with model "matrix": the straight-line model's legs written as a table,
    ``slow`` pairs three times as long, ``drop`` pairs left out."""
    folder = tmp_path / "tiny-matrix"
    shutil.copytree(DATA / "tiny", folder)
    straight = read_scenario(DATA / "tiny")
    model = travel_model(straight.travel)
    ids = places(straight)
    with (folder / "travel.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["from_id", "to_id", "km", "minutes"])
        for a, (lon_a, lat_a) in ids.items():
            for b, (lon_b, lat_b) in ids.items():
                if a == b or (a, b) in drop:
                    continue
                km, minutes = model.pairs(np.array([lon_a]), np.array([lat_a]), np.array([lon_b]), np.array([lat_b]))
                factor = 3.0 if (a, b) in slow else 1.0
                writer.writerow([a, b, repr(float(km[0]) * factor), repr(float(minutes[0]) * factor)])
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    toml = toml.replace('model = "haversine"', 'model = "matrix"\nmatrix = "travel.csv"')
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    return folder


def test_a_table_of_the_straight_lines_plans_as_they_do(tmp_path):
    folder = matrix_scenario(tmp_path)
    table = read_scenario(folder)
    assert table.travel.model == "matrix"
    by_table = plan(table, stop=MaxIterations(500), seed=3)
    by_lines = plan(read_scenario(DATA / "tiny"), stop=MaxIterations(500), seed=3)
    assert by_table.visits_frame()[["manager_id", "day_index", "seq", "customer_id"]].equals(
        by_lines.visits_frame()[["manager_id", "day_index", "seq", "customer_id"]])
    write_plan(by_table, tmp_path / "plan", maps=False)
    assert validate_folder(folder, tmp_path / "plan").ok


def test_the_validator_reads_the_table(tmp_path):
    """A plan made on straight lines breaks a table where some legs take three times as long."""
    straight = plan(read_scenario(DATA / "tiny"), stop=MaxIterations(500), seed=3)
    write_plan(straight, tmp_path / "plan", maps=False)
    first = straight.routes[0]
    legs = [("depot" if first.manager_id != "D1" else "D1:start", first.stops[0].customer_id)]
    folder = matrix_scenario(tmp_path, slow=set(legs))
    report = validate_folder(folder, tmp_path / "plan")
    assert {"travel-km", "travel-time"} & report.rules


def test_missing_pairs_are_named(tmp_path):
    folder = matrix_scenario(tmp_path, drop={("L1", "L2"), ("depot", "L1")})
    with pytest.raises(ScenarioError, match="2 pair\\(s\\) a plan may use are missing") as error:
        read_scenario(folder)
    message = str(error.value)
    assert "L1 -> L2" in message
    assert "depot -> L1" in message
    assert error.value.issues[0].file == "travel.csv"


def test_a_plan_checks_the_table_it_is_given(tmp_path):
    # The model reads no file: a problem whose table lost a pair after it was read (or one built
    # in Python) is checked when it is planned, not planned on zero travel for that pair.
    folder = matrix_scenario(tmp_path)
    problem = read_scenario(folder)
    rows = (folder / "travel.csv").read_text(encoding="utf-8").splitlines()
    (folder / "travel.csv").write_text("\n".join(r for r in rows if not r.startswith("L1,L2,")) + "\n",
                                       encoding="utf-8")
    with pytest.raises(ScenarioError, match="L1 -> L2"):
        plan(problem, stop=MaxIterations(100), seed=0)


def test_bad_rows_of_the_table_are_named(tmp_path):
    folder = matrix_scenario(tmp_path)
    lines = (folder / "travel.csv").read_text(encoding="utf-8").splitlines()
    parts = lines[3].split(",")
    parts[3] = "soon"
    lines[3] = ",".join(parts)
    (folder / "travel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="'soon' is not a number") as error:
        read_scenario(folder)
    assert (error.value.issues[0].row, error.value.issues[0].column) == (4, "minutes")


def test_model_matrix_needs_its_table(tmp_path):
    folder = matrix_scenario(tmp_path)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(toml.replace('matrix = "travel.csv"\n', ""), encoding="utf-8")
    with pytest.raises(ScenarioError, match="needs its table") as error:
        read_scenario(folder)
    assert error.value.issues[0].column == "travel.matrix"
