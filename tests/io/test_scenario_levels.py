"""Visit levels in scenario.toml (``[[tiers.NAME.levels]]``, file contract section 5): read,
defaulted, written back, and bad levels named by their key."""

import pytest

from routeplan import ScenarioError, read_scenario, write_scenario

LEVEL = '''
[[tiers.large.levels]]
name = "market manager"
roles = ["M"]
visits = 2
min_gap = 2
service_min = 30
window = ["09:00", "17:00"]

[[tiers.large.levels]]
roles = ["H"]
visits = 1
'''


def with_levels(folder, level_text=LEVEL):
    """The tiny scenario with levels after tier large, and a market manager and a head."""
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    marker = '[tiers.night]'
    (folder / "scenario.toml").write_text(toml.replace(marker, level_text + "\n" + marker), encoding="utf-8")
    with (folder / "managers.csv").open("a", encoding="utf-8") as handle:
        handle.write("M1,M,,,,,,08:30,17:30,,\nH1,H,,,,,,08:30,17:30,,\n")
    return folder


def test_levels_are_read_with_the_tiers_defaults(tiny_dir, tiny_problem):
    problem = read_scenario(with_levels(tiny_dir))
    large = problem.tier("large")
    assert [(lv.name, lv.roles, lv.visits, lv.min_gap, lv.service_min, lv.window) for lv in large.levels] == [
        ("market manager", ("M",), 2, 2, 30.0, (540.0, 1020.0)),
        ("level 2", ("H",), 1, 0, large.service_min, large.window)]
    assert problem.has_levels
    customer = next(c for c in problem.customers if c.tier == "large")
    rules = problem.visit_rules(customer)
    assert [r.level for r in rules] == [0, 1, 2]
    assert [m.manager_id for m in problem.eligible_managers(customer, level=1)] == ["M1"]
    larges = sum(1 for c in problem.customers if c.tier == "large")
    assert problem.visits_required() == tiny_problem.visits_required() + 3 * larges
    assert "level 1 (market manager): 2 visits" in problem.summary()


def test_levels_round_trip_through_files_and_json(tiny_dir, tmp_path):
    problem = read_scenario(with_levels(tiny_dir))
    write_scenario(problem, tmp_path / "copy")
    assert read_scenario(tmp_path / "copy") == problem
    assert problem.from_dict(problem.to_dict()) == problem


@pytest.mark.parametrize(("level_text", "expected"), [
    ('[[tiers.large.levels]]\nvisits = 1\n', "tiers.large.levels[1].roles"),
    ('[[tiers.large.levels]]\nroles = ["M"]\nvisits = 0\n', "tiers.large.levels[1].visits"),
    ('[[tiers.large.levels]]\nroles = ["M"]\nvisits = 3\nmin_gap = 2\n', "tiers.large.levels[1].min_gap"),
    ('[[tiers.large.levels]]\nroles = ["M"]\nvisits = 1\nwindow = ["17:00", "09:00"]\n',
     "tiers.large.levels[1].window"),
    ('[[tiers.large.levels]]\nroles = ["M"]\nvisits = 1\nrythm = 2\n', "tiers.large.levels[1].rythm"),
    ('[[tiers.large.levels]]\nroles = ["Q"]\nvisits = 1\n', "no manager has a role of level 1"),
    ('[[tiers.large.levels]]\nroles = ["M"]\nvisits = 4\n', "6 visits of all levels do not fit a cycle of 5 days"),
])
def test_bad_levels_name_their_key(tiny_dir, level_text, expected):
    with pytest.raises(ScenarioError) as info:
        read_scenario(with_levels(tiny_dir, level_text))
    assert expected in str(info.value)
