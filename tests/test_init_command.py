"""routeplan init: a neutral scenario folder to fill in, that checks, plans and validates as it
is, named after its folder, with nothing of the sample's city (no districts, no sample name)."""

import json
import tomllib

from routeplan import read_scenario
from routeplan.cli import main


def test_init_writes_a_scenario_named_after_its_folder_that_plans(tmp_path, capsys):
    folder = tmp_path / "my-district"
    assert main(["init", str(folder)]) == 0
    assert f"wrote {folder}: scenario.toml, customers.csv and managers.csv" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["customers.csv", "managers.csv", "scenario.toml"]
    config = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))
    assert config["name"] == "my-district"
    assert sorted(config["tiers"]) == ["large", "medium", "night", "small"]
    problem = read_scenario(folder)
    assert problem.name == "my-district"
    assert problem.districts == ()
    assert all(c.district is None for c in problem.customers)
    assert main(["check", str(folder)]) == 0
    assert main(["plan", str(folder), "--out", str(tmp_path / "plan"), "--iterations", "100", "--quiet"]) == 0
    assert main(["validate", str(folder), str(tmp_path / "plan")]) == 0
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "my-district"
    assert summary["visits_planned"] == summary["visits_required"]


def test_init_never_writes_over_files(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "customers.csv").write_text("my own customers", encoding="utf-8")
    assert main(["init", str(folder)]) == 64
    assert f"{folder} already holds files; give a new or empty folder (nothing was written)" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["customers.csv"]
    assert (folder / "customers.csv").read_text(encoding="utf-8") == "my own customers"
