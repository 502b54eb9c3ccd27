"""Plan folders: writing every file of the contract, redrawing the views, reading a folder back."""

import csv
import json
import shutil

import pytest

from routeplan import InputIssue, PlanFileError, plan, read_plan, read_scenario, write_plan
from routeplan.cli import main
from routeplan.io.csvfile import write_table
from routeplan.results.tables import ROUTE_COLUMNS, VISIT_COLUMNS

from conftest import DATA


@pytest.fixture(scope="module")
def tiny_plan(tiny_problem):
    return plan(tiny_problem, time_limit=3, seed=2)


@pytest.fixture(scope="module")
def written(tiny_plan, tmp_path_factory):
    """A plan folder written once; tests that change it work on a copy (see ``folder``)."""
    out = tmp_path_factory.mktemp("written") / "plan"
    write_plan(tiny_plan, out)
    return out


@pytest.fixture
def folder(written, tmp_path):
    copy = tmp_path / "plan"
    shutil.copytree(written, copy)
    return copy


def _edit_cell(path, row, column, value):
    """Set one cell of a CSV file; ``row`` numbered as a spreadsheet shows it (header = 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    write_table(path, rows[0], rows[1:])


def test_written_folder_has_every_contract_file(tiny_plan, written, tmp_path):
    assert {p.name for p in written.iterdir()} == {"visits.csv", "routes.csv", "unserved.csv", "summary.json",
                                                   "map.html", "routes.geojson", "maps", "schedules", "calendars"}
    with (written / "visits.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == VISIT_COLUMNS
    assert len(rows) == 15
    with (written / "routes.csv").open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == ROUTE_COLUMNS
    assert (written / "unserved.csv").read_text(encoding="utf-8") == "customer_id,visits_missing,reason\n"
    geo = json.loads((written / "routes.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(tiny_plan.routes)
    assert all(f["geometry"]["type"] == "LineString" for f in geo["features"])
    assert json.loads((written / "summary.json").read_text(encoding="utf-8"))["visits_planned"] == 14
    assert not [p for p in written.parent.iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_a_written_folder_reads_back_as_the_plan_it_wrote(tiny_problem, tiny_plan, written):
    again = read_plan(tiny_problem, written)
    for name, (header, rows) in tiny_plan.tables().items():
        assert again.tables()[name][0] == header
        assert [list(map(str, r)) for r in again.tables()[name][1]] == [list(map(str, r)) for r in rows], name
    assert (again.strategy, again.seed, again.iterations) == (tiny_plan.strategy, tiny_plan.seed, tiny_plan.iterations)
    assert again.is_valid()


def test_a_plan_read_back_reports_the_balance_it_was_made_for(tiny_problem, tiny_plan, written):
    assert tiny_plan.balance_groups() == [["D1", "D2"]]  # only the two D managers share customers
    again = read_plan(tiny_problem, written)
    assert again.balance_groups() == tiny_plan.balance_groups()
    written_summary, read_summary = tiny_plan.summary(), again.summary()
    for key in ("stopped_by", "work_units", "balance_within", "territories"):
        assert read_summary[key] == written_summary[key], key
    # Minutes are written rounded to hundredths, so the read-back figures agree to that.
    for key in ("utilisation_cv", "work_cv", "balance_deviation", "hull_overlap"):
        assert read_summary[key] == pytest.approx(written_summary[key], abs=1e-3), key
    assert [g["managers"] for g in read_summary["balance"]["groups"]] == [["D1", "D2"]]


def test_a_plan_without_summary_balances_the_groups_of_its_roles(tiny_problem, folder):
    (folder / "summary.json").unlink()
    assert read_plan(tiny_problem, folder).balance_groups() == [["D1", "D2"]]


def test_a_summary_naming_unknown_managers_is_reported(tiny_problem, folder):
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["balance"]["groups"][0]["managers"] = ["D1", "Z9"]
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"summary.json.*balance.groups\[0\].managers"):
        read_plan(tiny_problem, folder)


def test_a_bad_cell_is_reported_by_file_row_and_column(tiny_problem, folder):
    _edit_cell(folder / "visits.csv", 3, "arrival", "8h30")
    _edit_cell(folder / "routes.csv", 2, "travel_km", "far")
    write_table(folder / "unserved.csv", ("customer_id", "visits_missing", "reason"), [("L1", "two", "closed")])
    with pytest.raises(PlanFileError) as caught:
        read_plan(tiny_problem, folder)
    assert caught.value.issues == [
        InputIssue("visits.csv", "'8h30' is not a clock time like 08:30:00", 3, "arrival"),
        InputIssue("routes.csv", "'far' is not a number", 2, "travel_km"),
        InputIssue("unserved.csv", "'two' is not a whole number", 2, "visits_missing"),
    ]
    first = str(caught.value).splitlines()[0]
    assert first == "visits.csv, row 3, column 'arrival': '8h30' is not a clock time like 08:30:00"


def test_missing_files_and_columns_are_named(tiny_problem, folder):
    (folder / "routes.csv").unlink()
    (folder / "summary.json").write_text("{not json", encoding="utf-8")
    text = (folder / "unserved.csv").read_text(encoding="utf-8")
    (folder / "unserved.csv").write_text(text.replace("reason", "why"), encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_plan(tiny_problem, folder)
    issues = caught.value.issues
    assert [(i.file, i.row, i.column) for i in issues] == [("routes.csv", None, None), ("unserved.csv", 1, "reason"),
                                                           ("summary.json", None, None)]
    assert issues[0].message == f"file not found: {folder / 'routes.csv'}"
    assert issues[1].message.startswith("required column 'reason' is missing")
    assert issues[2].message.startswith("not a JSON file")


def test_a_missing_folder_is_a_plan_file_error(tiny_problem, tmp_path):
    with pytest.raises(PlanFileError, match="no such plan folder"):
        read_plan(tiny_problem, tmp_path / "nowhere")


def test_map_command_redraws_views_only(written, tmp_path):
    out = tmp_path / "p"
    shutil.copytree(written, out)
    visits = (out / "visits.csv").read_bytes()
    (out / "map.html").unlink()
    shutil.rmtree(out / "calendars")
    assert main(["map", str(DATA / "tiny"), str(out), "--start-date", "2026-11-30"]) == 0
    assert (out / "map.html").exists()
    assert sorted(p.name for p in (out / "calendars").iterdir()) == sorted(p.name for p in
                                                                           (written / "calendars").iterdir())
    assert (out / "visits.csv").read_bytes() == visits


def test_map_command_on_an_unreadable_plan_folder_exits_65(folder, tmp_path, capsys):
    _edit_cell(folder / "visits.csv", 3, "arrival", "8h30")
    before = (folder / "map.html").read_bytes()
    assert main(["map", str(DATA / "tiny"), str(folder)]) == 65
    err = capsys.readouterr().err
    assert err.splitlines() == ["routeplan: cannot read the plan folder (1 problem):",
                                "  visits.csv, row 3, column 'arrival': '8h30' is not a clock time like 08:30:00"]
    assert (folder / "map.html").read_bytes() == before  # nothing redrawn
    assert main(["map", str(DATA / "tiny"), str(tmp_path / "nowhere")]) == 65
    assert f"{tmp_path / 'nowhere'}: no such plan folder" in capsys.readouterr().err


def test_map_keeps_the_start_date_the_plan_was_written_for(tmp_path):
    out = tmp_path / "p"
    assert main(["plan", str(DATA / "tiny"), "--out", str(out), "--iterations", "200", "--quiet",
                 "--start-date", "2026-12-07"]) == 0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["start_date"] == "2026-12-07"
    schedule = (out / "schedules" / "A1.csv").read_bytes()
    assert b",2026-12-07," in schedule
    shutil.rmtree(out / "schedules")
    assert main(["map", str(DATA / "tiny"), str(out)]) == 0
    assert (out / "schedules" / "A1.csv").read_bytes() == schedule  # not moved to the next Monday
    assert read_plan(read_scenario(DATA / "tiny"), out).run.start_date == "2026-12-07"


def test_map_says_plainly_when_the_plan_no_longer_validates_and_strict_refuses(folder, capsys):
    _edit_cell(folder / "visits.csv", 2, "start", "05:00:00")
    _edit_cell(folder / "visits.csv", 2, "end", "05:20:00")
    from routeplan import validate

    count = len(validate(read_scenario(DATA / "tiny"), folder).violations)
    assert count > 0
    before = (folder / "map.html").read_bytes()
    assert main(["map", str(DATA / "tiny"), str(folder), "--strict"]) == 1
    err = capsys.readouterr().err
    assert (f"routeplan map: {folder} no longer passes validation ({count} violation{'s' if count > 1 else ''}; "
            f"routeplan validate {DATA / 'tiny'} {folder} lists them); nothing redrawn (--strict)") in err
    assert (folder / "map.html").read_bytes() == before
    (folder / "map.html").unlink()
    assert main(["map", str(DATA / "tiny"), str(folder)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {folder} no longer passes validation ({count} violation" in err
    assert "the maps show it as it is" in err
    assert (folder / "map.html").is_file()


def test_a_file_given_for_the_plan_folder_says_so(written, capsys):
    assert main(["map", str(DATA / "tiny"), str(written / "visits.csv")]) == 65
    err = capsys.readouterr().err
    assert (f"{written / 'visits.csv'}: expected a plan folder (visits.csv, routes.csv, summary.json, ...), got a "
            f"file; give the folder that holds it: {written}") in err
