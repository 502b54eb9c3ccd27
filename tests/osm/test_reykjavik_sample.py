"""The committed real-city sample data/samples/reykjavik (OpenStreetMap data, © OpenStreetMap
contributors, ODbL 1.0; made by data/samples/generate_reykjavik.py) plans and validates."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from routeplan import read_scenario
from routeplan.cli import main

from conftest import REPO

pytest.importorskip("osmium")

SAMPLE = REPO / "data" / "samples" / "reykjavik"


def test_the_sample_is_the_capital_areas_outlets_on_its_streets():
    problem = read_scenario(SAMPLE)
    assert len(problem.customers) > 1000
    assert {c.tier for c in problem.customers} == {"large", "night", "medium", "small"}
    assert problem.travel.model == "road"
    assert all(-22.05 <= c.lon <= -21.55 and 63.98 <= c.lat <= 64.20 for c in problem.customers)
    assert sum(c.visits for c in problem.customers) > 1400


def test_the_sample_carries_its_licence():
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in readme
    assert "Open Database License (ODbL) 1.0" in readme
    assert "© OpenStreetMap contributors" in (SAMPLE / "scenario.toml").read_text(encoding="utf-8")


def test_the_committed_road_network_is_small():
    assert (SAMPLE / "roads.osm.pbf").stat().st_size < 10_000_000


@pytest.mark.slow
def test_the_sample_plans_and_validates(tmp_path, capsys):
    plan = tmp_path / "plan"
    assert main(["plan", str(SAMPLE), "--out", str(plan), "--iterations", "3000", "--seed", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["validate", str(SAMPLE), str(plan)]) == 0
    assert capsys.readouterr().out.startswith("valid")


def test_the_generator_rebuilds_the_committed_sample(tmp_path):
    """With the gostnets 1.2.1 source archive at hand (ROUTEPLAN_GOSTNETS=path; fetched once with
    pip download --no-deps --no-binary :all: gostnets==1.2.1), the script gives the committed files."""
    archive = os.environ.get("ROUTEPLAN_GOSTNETS")
    if not archive or not Path(archive).is_file():
        pytest.skip("set ROUTEPLAN_GOSTNETS to the gostnets-1.2.1.tar.gz source archive")
    out = tmp_path / "reykjavik"
    subprocess.run([sys.executable, str(REPO / "data" / "samples" / "generate_reykjavik.py"), archive,
                    "--out", str(out)], check=True, capture_output=True)
    for name in ("scenario.toml", "customers.csv", "managers.csv", "roads.osm.pbf", "README.md"):
        assert (out / name).read_bytes() == (SAMPLE / name).read_bytes(), name
