"""plan.xlsx (routeplan plan --xlsx, the contract's section 9): a Summary sheet and one printable
sheet per manager, its stops in route order with the times of visits.csv and its days' totals
those of routes.csv; planned from a scenario whose tables are workbooks."""

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from routeplan import MaxIterations, ProblemBuilder, plan, read_plan, read_scenario, write_workbook
from routeplan.cli import main
from routeplan.model.clock import parse_hhmmss
from routeplan.results.workbook import TIME_FORMAT, sheet_names

from conftest import DATA, csv_to_xlsx, overloaded_problem

START = "2026-12-14"  # a Monday, the weekday of the tiny scenario's first day


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The tiny scenario with workbooks for its tables, planned with --xlsx (and validated)."""
    root = tmp_path_factory.mktemp("workbook")
    scenario = root / "tiny"
    shutil.copytree(DATA / "tiny", scenario)
    for stem in ("customers", "managers"):
        csv_to_xlsx(scenario / f"{stem}.csv", scenario / f"{stem}.xlsx", sheet=stem)
        (scenario / f"{stem}.csv").unlink()
    out = root / "plan"
    assert main(["plan", str(scenario), "--out", str(out), "--iterations", "30", "--seed", "3", "--quiet",
                 "--xlsx", "--start-date", START]) == 0
    return scenario, out


def _csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _seconds(cell_value):
    """A time cell as openpyxl reads it back ([h]:mm: a timedelta) in seconds."""
    assert isinstance(cell_value, dt.timedelta)
    return round(cell_value.total_seconds())


def _table(ws):
    """The rows below a manager sheet's headings, as dicts by heading."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[3]
    return [dict(zip(header, row, strict=True)) for row in rows[4:]]


def test_the_plan_from_workbooks_validates_with_plan_xlsx_beside_it(planned):
    scenario, out = planned
    assert (out / "plan.xlsx").is_file()
    assert main(["validate", str(scenario), str(out)]) == 0


def test_one_sheet_per_manager_after_the_summary(planned):
    _, out = planned
    book = load_workbook(out / "plan.xlsx")
    assert book.sheetnames == ["Summary", "A1", "B1", "D1", "D2"]


def test_stops_are_in_route_order_with_the_times_of_visits_csv(planned):
    _, out = planned
    book = load_workbook(out / "plan.xlsx")
    visits = _csv(out / "visits.csv")
    assert visits
    for manager in ("A1", "B1", "D1", "D2"):
        expected = [(v["day"], int(v["seq"]), v["customer_id"], parse_hhmmss(v["arrival"]), parse_hhmmss(v["start"]),
                     parse_hhmmss(v["end"])) for v in visits if v["manager_id"] == manager]
        stops = [(r["Day"], r["#"], r["Customer"], _seconds(r["Arrival"]), _seconds(r["Start"]), _seconds(r["End"]))
                 for r in _table(book[manager]) if isinstance(r["#"], int)]
        assert stops == expected, manager


def test_customers_carry_their_name_address_and_tier(planned):
    _, out = planned
    rows = [r for r in _table(load_workbook(out / "plan.xlsx")["A1"]) if r["Customer"] == "L1"]
    assert rows
    assert (rows[0]["Name"], rows[0]["Address"], rows[0]["Tier"]) == ("华联超市", "东风街1号", "large")


def test_day_totals_are_those_of_routes_csv(planned):
    _, out = planned
    book = load_workbook(out / "plan.xlsx")
    routes = _csv(out / "routes.csv")
    for manager in ("A1", "B1", "D1", "D2"):
        table = _table(book[manager])
        totals = [(r["Day"], r["Travel km"], r["Work min"]) for r in table
                  if str(r["Customer"]).startswith("day total")]
        expected = [(r["day"], round(float(r["travel_km"]), 2), round(float(r["work_min"]), 1))
                    for r in routes if r["manager_id"] == manager]
        assert totals == expected, manager
        departs = [_seconds(r["Start"]) for r in table if r["Customer"] == "depart"]
        returns = [_seconds(r["Arrival"]) for r in table if r["Customer"] == "return"]
        assert departs == [parse_hhmmss(r["depart"]) for r in routes if r["manager_id"] == manager]
        assert returns == [parse_hhmmss(r["return"]) for r in routes if r["manager_id"] == manager]


def test_each_day_is_headed_by_its_date(planned):
    _, out = planned
    headings = [r["Day"] for r in _table(load_workbook(out / "plan.xlsx")["A1"]) if r["#"] is None
                and r["Customer"] is None]
    assert headings[0] == "Mon: Monday 2026-12-14"


def test_the_summary_has_every_managers_figures(planned):
    _, out = planned
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ws = load_workbook(out / "plan.xlsx")["Summary"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    by_id = {row[0]: row for row in rows if row[0] in summary["managers"]}
    assert sorted(by_id) == sorted(summary["managers"])
    for manager_id, figures in summary["managers"].items():
        row = by_id[manager_id]
        assert (row[3], row[4]) == (figures["customers"], figures["visits"])
        assert row[6] == pytest.approx(figures["travel_km"], abs=0.01)
        assert row[7] == pytest.approx(figures["work_min"], abs=0.1)
        assert row[9] == manager_id  # the sheet, linked
    assert ws["J5"].hyperlink.location == "'A1'!A1" or ws["J5"].hyperlink.target == "#'A1'!A1"


def test_sheets_are_ready_to_print(planned):
    _, out = planned
    ws = load_workbook(out / "plan.xlsx")["A1"]
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.orientation == "landscape"  # name and address make it wide
    assert ws.print_title_rows == "$1:$4"
    assert ws.freeze_panes == "A5"
    assert ws["A4"].font.bold
    assert ws["C4"].value == "Arrival"
    assert ws["C7"].number_format == TIME_FORMAT
    assert ws.column_dimensions["H"].width > ws.column_dimensions["B"].width  # Address wider than #
    assert len(ws.row_breaks.brk) == sum(1 for r in _table(ws) if str(r["Customer"]).startswith("day total")) - 1


def test_map_redraws_plan_xlsx_when_it_is_there(planned, tmp_path):
    scenario, out = planned
    folder = tmp_path / "plan"
    shutil.copytree(out, folder)
    stale = Workbook()
    stale.active.title = "stale"
    stale.save(folder / "plan.xlsx")
    assert main(["map", str(scenario), str(folder), "--start-date", START]) == 0
    assert load_workbook(folder / "plan.xlsx").sheetnames == ["Summary", "A1", "B1", "D1", "D2"]
    (folder / "plan.xlsx").unlink()
    assert main(["map", str(scenario), str(folder)]) == 0
    assert not (folder / "plan.xlsx").exists()
    assert main(["map", str(scenario), str(folder), "--xlsx"]) == 0
    assert (folder / "plan.xlsx").is_file()
    assert not list(folder.glob(".*.part"))


def test_without_xlsx_the_plan_folder_is_as_before(planned, tmp_path):
    scenario, out = planned
    plain = tmp_path / "plain"
    assert main(["plan", str(scenario), "--out", str(plain), "--iterations", "30", "--seed", "3", "--quiet",
                 "--start-date", START]) == 0
    assert not (plain / "plan.xlsx").exists()
    for name in ("visits.csv", "routes.csv", "unserved.csv"):
        assert (plain / name).read_bytes() == (out / name).read_bytes(), name


def test_a_failed_write_leaves_the_old_workbook(planned, tmp_path, monkeypatch):
    _, out = planned
    target = tmp_path / "plan.xlsx"
    shutil.copyfile(out / "plan.xlsx", target)
    before = target.read_bytes()

    def broken_save(self, filename):
        Path(filename).write_bytes(b"PK half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    scenario, _ = planned
    with pytest.raises(OSError, match="disk full"):
        write_workbook(read_plan(read_scenario(scenario), out), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_unserved_customers_are_listed_and_columns_follow_the_scenario(tmp_path):
    result = plan(overloaded_problem(), stop=MaxIterations(20), seed=1)
    assert result.unserved
    path = write_workbook(result, tmp_path / "over.xlsx", start_date=dt.date(2026, 12, 14))
    book = load_workbook(path)
    rows = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Customers left unserved")
    listed = {row[0]: (row[3], row[4]) for row in rows[start + 2:] if row[0] is not None}
    assert listed == {u.customer_id: (u.visits_missing, u.reason) for u in result.unserved}
    headings = [c.value for c in book["C1"][4] if c.value is not None]
    assert "Name" not in headings  # the scenario has no names or addresses
    assert "Address" not in headings
    assert book["C1"].page_setup.orientation == "portrait"


def test_sheet_names_are_valid_and_distinct():
    names = sheet_names(["A1", "a/b:c", "x" * 40, "X" * 40, "summary", "'quoted'", "History", "[]"])
    assert names["A1"] == "A1"
    assert names["a/b:c"] == "a_b_c"
    assert names["x" * 40] == "x" * 31
    assert names["X" * 40] == "X" * 29 + "~2"  # Excel compares names ignoring case
    assert names["summary"] == "summary~2"  # the Summary sheet's
    assert names["'quoted'"] == "quoted"
    assert names["History"] == "History~2"  # Excel's own
    assert names["[]"] == "__"
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.casefold() for n in names.values()}) == len(names)


def test_visit_levels_get_a_level_column(tmp_path):
    b = ProblemBuilder(name="levels", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.13, 36.71)
    b.add_tier("large", visits=2, min_gap=2, service_min=15, roles=["A"],
               levels=[{"name": "market manager", "roles": ["M"], "visits": 1, "service_min": 20}])
    b.add_manager("A1", role="A")
    b.add_manager("M1", role="M")
    for i in range(6):
        b.add_customer(f"C{i}", lon=119.13 + 0.002 * i, lat=36.71, tier="large")
    result = plan(b.build(), stop=MaxIterations(20), seed=1)
    book = load_workbook(write_workbook(result, tmp_path / "levels.xlsx", start_date=dt.date(2026, 12, 14)))
    levels = {r["Level"] for r in _table(book["M1"]) if isinstance(r["#"], int)}
    assert levels == {"market manager"}
    assert {r["Level"] for r in _table(book["A1"]) if isinstance(r["#"], int)} == {"own"}
