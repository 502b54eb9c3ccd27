import pytest

from routeplan import ScenarioError, read_scenario, write_scenario


def test_reads_the_tiny_scenario(tiny_problem):
    p = tiny_problem
    assert p.name == "tiny"
    assert p.num_days == 5
    assert p.num_customers == 10
    assert p.customer("N2").tier == "night"  # from business type
    assert p.customer("N2").window == (690.0, 1170.0)
    assert p.customer("L3").service_min == 25
    assert p.customer("S1").locked_manager == "D1"
    assert p.customer("S2").visits == 2
    assert p.customer("S2").min_gap == 2
    assert p.manager("D1").days == (0, 2, 4)
    assert p.manager("D1").max_visits == 3
    assert p.manager("D1").start.lon == pytest.approx(119.135)
    assert p.manager("D2").shift == (510.0, 750.0)


def test_write_then_read_gives_the_same_problem(tiny_problem, tmp_path):
    write_scenario(tiny_problem, tmp_path / "copy")
    assert read_scenario(tmp_path / "copy") == tiny_problem


def test_kuiwen_sample_reads(tmp_path):
    from conftest import REPO

    p = read_scenario(REPO / "data" / "samples" / "kuiwen")
    counts = {t.name: sum(1 for c in p.customers if c.tier == t.name) for t in p.tiers}
    assert counts == {"large": 76, "night": 120, "medium": 720, "small": 483}
    assert [m.manager_id for m in p.managers] == ["A1", "B1", "C1", "C2", "C3", "C4", "C5", "C6",
                                                 "D1", "D2", "D3", "D4"]
    assert len(p.districts) == 10
    assert p.visits_required() == 2678


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("customers.csv", "L2,119.1550", "L2,abc", "customers.csv, row 3, column 'lon': 'abc' is not a number"),
    ("customers.csv", "S3,119.1250,36.7150,small", "S3,119.1250,36.7150,tiny",
     "customers.csv, row 9, column 'tier': unknown tier 'tiny'"),
    ("customers.csv", "S4,", "S3,", "customers.csv, row 10, column 'customer_id': customer_id 'S3' appears twice"),
    ("customers.csv", "D1,D1", "Z9,D1", "customers.csv, row 7, column 'locked_manager'"),
    ("managers.csv", "11:30,20:00", "11:30,8pm!", "managers.csv, row 3, column 'shift_end'"),
    ("managers.csv", "Mon Wed Fri", "Mon Wed Sun", "managers.csv, row 4, column 'days'"),
    ("scenario.toml", "visits = 2\nmin_gap = 2", "visits = 2\nmin_gap = 3",
     "scenario.toml, column 'tiers.large.min_gap'"),
    ("scenario.toml", 'roles = ["B"]', 'roles = ["X"]', "no manager has a role of tier 'night'"),
    ("scenario.toml", "[depot]", "[depot", "scenario.toml, row 6: TOML syntax error"),
])
def test_bad_input_names_file_row_and_column(tiny_dir, file, old, new, expected):
    _edit(tiny_dir / file, old, new)
    with pytest.raises(ScenarioError) as info:
        read_scenario(tiny_dir)
    assert expected in str(info.value)


def test_missing_file_and_column(tiny_dir):
    (tiny_dir / "managers.csv").unlink()
    _edit(tiny_dir / "customers.csv", "customer_id,lon,lat", "customer_id,longitude,lat")
    with pytest.raises(ScenarioError) as info:
        read_scenario(tiny_dir)
    text = str(info.value)
    assert "managers.csv: file not found" in text
    assert "customers.csv, row 1, column 'lon': required column 'lon' is missing" in text


def test_gbk_and_bom_files_are_read(tiny_dir, tiny_problem):
    text = (tiny_dir / "customers.csv").read_text(encoding="utf-8")
    (tiny_dir / "customers.csv").write_bytes(text.encode("gbk"))
    (tiny_dir / "managers.csv").write_bytes(b"\xef\xbb\xbf" + (tiny_dir / "managers.csv").read_bytes())
    assert read_scenario(tiny_dir) == tiny_problem
