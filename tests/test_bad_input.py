"""Bad input gives exit 2 and one clear line per problem (file, row, column, what was
expected); usable files that merely look odd are accepted."""

import datetime as dt
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from routeplan.cli import main

from conftest import csv_to_xlsx


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path, line):
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


CUSTOMER_ROW = "L9,119.1410,36.7110,large,supermarket,东关,1000,新店,路1号,,,,,,,"

CASES = {
    "missing scenario.toml": (lambda d: (d / "scenario.toml").unlink(), "scenario.toml: file not found"),
    "missing customers.csv": (lambda d: (d / "customers.csv").unlink(), "customers.csv: file not found"),
    "missing managers.csv": (lambda d: (d / "managers.csv").unlink(), "managers.csv: file not found"),
    "missing required column": (lambda d: edit(d / "customers.csv", "customer_id,lon,lat", "customer_id,lng,lat"),
                                "customers.csv, row 1, column 'lon': required column 'lon' is missing"),
    "empty file": (lambda d: (d / "customers.csv").write_text(""), "customers.csv: file is empty"),
    "header only": (lambda d: (d / "customers.csv").write_text(
        (d / "customers.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"),
        "no customers"),
    "duplicate customer id": (lambda d: edit(d / "customers.csv", "S4,", "S3,"),
                              "customers.csv, row 10, column 'customer_id': customer_id 'S3' appears twice"),
    "duplicate manager id": (lambda d: edit(d / "managers.csv", "D2,D,", "D1,D,"),
                             "managers.csv, row 5, column 'manager_id': manager_id 'D1' appears twice"),
    "non-numeric lon": (lambda d: edit(d / "customers.csv", "L2,119.1550", "L2,119,1550"),
                        "customers.csv, row 3"),
    "text in lat": (lambda d: edit(d / "customers.csv", "L2,119.1550,36.7050", "L2,119.1550,north"),
                    "customers.csv, row 3, column 'lat': 'north' is not a number"),
    "lat out of range": (lambda d: edit(d / "customers.csv", "L2,119.1550,36.7050", "L2,119.1550,96.7050"),
                         "customers.csv, row 3, column 'lat': 96.705 is out of range"),
    "lon and lat swapped": (lambda d: edit(d / "customers.csv", "L2,119.1550,36.7050", "L2,36.7050,119.1550"),
                            "lon and lat look swapped"),
    "point far from the others": (lambda d: edit(d / "customers.csv", "L2,119.1550", "L2,109.1550"),
                                  "km from the other customers"),
    "unknown tier": (lambda d: edit(d / "customers.csv", "S3,119.1250,36.7150,small", "S3,119.1250,36.7150,tiny"),
                     "customers.csv, row 9, column 'tier': unknown tier 'tiny'"),
    "unknown business type": (lambda d: edit(d / "customers.csv", ",,hotel,", ",,motel,"),
                              "column 'business_type': tier is empty and business type 'motel'"),
    "unknown locked manager": (lambda d: edit(d / "customers.csv", "D1,D1", "Z9,D1"),
                               ("customers.csv, row 7, column 'locked_manager': locked_manager 'Z9' is not in "
                                "managers.csv")),
    "locked manager of another role": (lambda d: edit(d / "customers.csv", "D1,D1", "A1,D1"),
                                       "locked_manager 'A1' has role 'A'"),
    "tier whose roles no manager has": (lambda d: edit(d / "scenario.toml", 'roles = ["B"]', 'roles = ["X"]'),
                                        "no manager has a role of tier 'night'"),
    "bad time string": (lambda d: edit(d / "customers.csv", ",11:30,19:30,", ",11h30,19:30,"),
                        "customers.csv, row 6, column 'window_start': '11h30' is not a clock time"),
    "window end before start": (lambda d: edit(d / "customers.csv", ",11:30,19:30,", ",19:30,11:30,"),
                                "customers.csv, row 6, column 'window_end': window_end is before window_start"),
    "tier window end before start": (lambda d: edit(d / "scenario.toml", 'window = ["14:00", "20:00"]',
                                                    'window = ["20:00", "14:00"]'),
                                     "column 'tiers.night.window': window ends before it starts"),
    "visits larger than the cycle": (lambda d: edit(d / "scenario.toml", "visits = 2\nmin_gap = 2",
                                                    "visits = 6\nmin_gap = 0"),
                                     "column 'tiers.large.visits': 6 visits do not fit a cycle of 5 days"),
    "min_gap impossible": (lambda d: edit(d / "scenario.toml", "visits = 2\nmin_gap = 2", "visits = 2\nmin_gap = 3"),
                           "column 'tiers.large.min_gap': 2 visits at least 3 days apart need a cycle of 6 days"),
    "TOML syntax error": (lambda d: edit(d / "scenario.toml", "[depot]", "[depot"),
                          "scenario.toml, row 6: TOML syntax error"),
    "shift ends before it starts": (lambda d: edit(d / "managers.csv", "11:30,20:00", "20:00,11:30"),
                                    ("managers.csv, row 3, column 'shift_end': shift_end must be later than "
                                     "shift_start")),
    "unknown day label": (lambda d: edit(d / "managers.csv", "Mon Wed Fri", "Mon Wed Sun"),
                          "managers.csv, row 4, column 'days': day 'Sun' is neither a day index"),
    "max_visits not a number": (lambda d: edit(d / "managers.csv", ",3,Mon", ",three,Mon"),
                                "managers.csv, row 4, column 'max_visits': 'three' is not a whole number"),
    "negative speed": (lambda d: edit(d / "scenario.toml", "speed_kmh = 20.0", "speed_kmh = -5"),
                       "column 'travel.speed_kmh': speed_kmh must be a positive number"),
    "unknown travel model": (lambda d: edit(d / "scenario.toml", 'model = "haversine"', 'model = "teleport"'),
                             "column 'travel.model': unknown travel model 'teleport'"),
    "missing depot": (lambda d: edit(d / "scenario.toml", "[depot]\nlon = 119.1314\nlat = 36.7090\n", ""),
                      "scenario.toml, column 'depot': missing [depot] table"),
    "row with too many fields": (lambda d: append(d / "customers.csv", CUSTOMER_ROW + ",extra,fields"),
                                 "customers.csv, row 12: row has 18 fields but the header has 16"),
    "not text at all": (lambda d: (d / "managers.csv").write_bytes(b"\xff\xfe\x00\x81\x82" * 20),
                        "managers.csv: file is neither UTF-8 nor GBK text"),
    "balance tolerance out of range": (lambda d: edit(d / "scenario.toml", "[tiers.large]",
                                                      "[balance]\ntolerance = 1.5\n\n[tiers.large]"),
                                       ("scenario.toml, column 'balance.tolerance': tolerance must be a share "
                                        "between 0 and 1 (0.10 for 10%), got 1.5")),
    "balance tolerance not a number": (lambda d: edit(d / "scenario.toml", "[tiers.large]",
                                                      "[balance]\nday_tolerance = \"10%\"\n\n[tiers.large]"),
                                       ("column 'balance.day_tolerance': day_tolerance must be a number between 0 "
                                       "and 1 (0.10 for 10%), got '10%'")),
    "unknown balance key": (lambda d: edit(d / "scenario.toml", "[tiers.large]",
                                           "[balance]\ntolerence = 0.1\n\n[tiers.large]"),
                            "column 'balance.tolerence': unknown key 'tolerence' in [balance]"),
    "misspelled required column": (lambda d: edit(d / "customers.csv", "customer_id,lon,lat",
                                                  "customer_id,lon,lattitude"),
                                   ("customers.csv, row 1, column 'lat': required column 'lat' is missing; the header "
                                    "has customer_id, lon, lattitude")),
    "tier in capitals": (lambda d: edit(d / "customers.csv", "S3,119.1250,36.7150,small", "S3,119.1250,36.7150,Small"),
                         "column 'tier': unknown tier 'Small' (did you mean 'small'?)"),
    "classification to a tier in capitals": (lambda d: edit(d / "scenario.toml", '"hotel" = "night"',
                                                            '"hotel" = "Night"'),
                                             "maps to unknown tier 'Night' (did you mean 'night'?)"),
    "window as a range in window_start": (lambda d: edit(d / "customers.csv", ",11:30,19:30,", ",11:30-19:30,,"),
                                          ("customers.csv, row 6, column 'window_start': '11:30-19:30' is not a clock "
                                           "time like 08:30; it is a range of two times: split it into window_start "
                                           "(11:30) and window_end (19:30)")),
    "one window column": (lambda d: edit(d / "customers.csv", "window_start,window_end", "window,window_end"),
                          ("customers.csv, row 6, column 'window': column 'window' is not part of the format and "
                           "would be ignored: give each row's times as two columns, window_start and window_end")),
    "negative service time": (lambda d: edit(d / "customers.csv", ",25,,,,,,D2", ",-25,,,,,,D2"),
                              "customers.csv, row 4, column 'service_min': -25 is out of range"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_exits_2_naming_file_row_and_column(name, tiny_dir, tmp_path, capsys):
    breaker, expected = CASES[name]
    breaker(tiny_dir)
    out = tmp_path / "plan"
    assert main(["plan", str(tiny_dir), "--out", str(out), "--time-limit", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert not out.exists(), "nothing is written for bad input"


def workbook(d, stem="customers", **options):
    """The scenario's ``stem``.csv as a workbook (sheet 'Kunden') in its place."""
    path = csv_to_xlsx(d / f"{stem}.csv", d / f"{stem}.xlsx", sheet="Kunden", **options)
    (d / f"{stem}.csv").unlink()
    return path


def set_cells(d, stem="customers", **cells):
    """The scenario's ``stem``.csv as a workbook, with these cells (``C3=value``) set."""
    path = workbook(d, stem)
    book = load_workbook(path)
    for ref, value in cells.items():
        book.active[ref] = value
    book.save(path)


def damaged_workbook(d):
    """A workbook whose sheet is not XML (a copy cut short, a failed download)."""
    path = workbook(d)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row"
    with zipfile.ZipFile(path, "w") as target:
        for part, data in parts.items():
            target.writestr(part, data)


def empty_workbook(d):
    (d / "customers.csv").unlink()
    book = Workbook()
    book.active.title = "Kunden"
    book.save(d / "customers.xlsx")


XLSX_CASES = {
    "xlsx: the table is not on the first sheet": (
        lambda d: workbook(d, before=("Notes",)),
        ("customers.xlsx, sheet 'Notes', row 1, column 'customer_id': required column 'customer_id' is missing; "
         "the header has Customer list, exported for routeplan (the first sheet, 'Notes', is read; the workbook "
         "also has 'Kunden': put the table on the first sheet)")),
    "xlsx: missing column": (lambda d: set_cells(d, B1="lng"),
                             "customers.xlsx, sheet 'Kunden', row 1, column 'lon': required column 'lon' is missing"),
    "xlsx: rename hint for a Chinese column name": (
        lambda d: set_cells(d, B1="经度"),
        ("customers.xlsx, sheet 'Kunden', row 1, column 'lon': required column 'lon' is missing; the header has "
        "customer_id, 经度, lat")),
    "xlsx: a fraction where a whole number is expected": (
        lambda d: set_cells(d, M3=3.5),
        "customers.xlsx, sheet 'Kunden', row 3, column 'visits' (M): '3.5' is not a whole number"),
    "xlsx: text in a number cell": (lambda d: set_cells(d, C3="north"),
                                    "customers.xlsx, sheet 'Kunden', row 3, column 'lat' (C): 'north' is not a number"),
    "xlsx: an Excel error in a cell": (lambda d: set_cells(d, G4="#N/A"),
                                       ("customers.xlsx, sheet 'Kunden', row 4, column 'value' (G): '#N/A' is not a "
                                       "number")),
    "xlsx: a date and time where a clock time is expected": (
        lambda d: set_cells(d, K6=dt.datetime(2026, 12, 14, 11, 30)),
        "customers.xlsx, sheet 'Kunden', row 6, column 'window_start' (K): '2026-12-14 11:30' is not a clock time"),
    "xlsx: bad shift time in managers.xlsx": (
        lambda d: set_cells(d, "managers", I3="8pm!"),
        "managers.xlsx, sheet 'Kunden', row 3, column 'shift_end' (I): '8pm!' is not a clock time"),
    "xlsx: duplicate customer id": (
        lambda d: set_cells(d, A10="S3"),
        "customers.xlsx, sheet 'Kunden', row 10, column 'customer_id' (A): customer_id 'S3' appears twice"),
    "xlsx: a value right of the header": (
        lambda d: set_cells(d, Q12="extra"),
        "customers.xlsx, sheet 'Kunden', row 12: cell Q12 holds 'extra', but column Q has no name in the header row"),
    "xlsx: both forms of one file": (
        lambda d: csv_to_xlsx(d / "managers.csv", d / "managers.xlsx"),
        "managers.xlsx: both managers.csv and managers.xlsx are in the scenario folder; keep one of them"),
    "xlsx: not a workbook": (
        lambda d: (d / "customers.csv").rename(d / "customers.xlsx"),
        "customers.xlsx: not an Excel workbook (.xlsx) that can be read"),
    "xlsx: a damaged workbook": (damaged_workbook, ("customers.xlsx: not an Excel workbook (.xlsx) that can be read: "
                                                   "ParseError")),
    "xlsx: an empty sheet": (
        empty_workbook,
        "customers.xlsx, sheet 'Kunden': the sheet is empty; expected a header row with customer_id, lon, lat"),
    "xlsx: the old .xls format": (
        lambda d: (d / "customers.csv").rename(d / "customers.xls"),
        ("customers.csv: file not found: {d}/customers.csv; customers.xls is in the old Excel format: save it as "
        "'customers.xlsx'")),
}


@pytest.mark.parametrize("name", sorted(XLSX_CASES))
def test_bad_workbooks_exit_2_naming_file_sheet_row_and_column(name, tiny_dir, tmp_path, capsys):
    breaker, expected = XLSX_CASES[name]
    breaker(tiny_dir)
    out = tmp_path / "plan"
    assert main(["plan", str(tiny_dir), "--out", str(out), "--time-limit", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected.format(d=tiny_dir) in err
    assert "Traceback" not in err
    assert not out.exists(), "nothing is written for bad input"


def test_there_are_at_least_twenty_distinct_cases():
    assert len(CASES) >= 20


def test_every_problem_is_reported_not_just_the_first(tiny_dir, tmp_path, capsys):
    edit(tiny_dir / "customers.csv", "L2,119.1550,36.7050", "L2,119.1550,north")
    edit(tiny_dir / "customers.csv", "S3,119.1250,36.7150,small", "S3,119.1250,36.7150,tiny")
    edit(tiny_dir / "managers.csv", "11:30,20:00", "11:30,8pm!")
    assert main(["plan", str(tiny_dir), "--out", str(tmp_path / "p"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot read the input (3 problems)" in err
    assert "column 'lat'" in err
    assert "column 'tier'" in err
    assert "column 'shift_end'" in err


def test_odd_but_usable_files_are_accepted(tiny_dir, tmp_path, capsys, tiny_problem):
    customers = tiny_dir / "customers.csv"
    text = customers.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    # Excel's GBK, a blank line, an extra column, "8:30"-style times and padding.
    odd = [header + ",phone"] + [row + ",0536-1234567" for row in rows[:3]] + [""] + [row + "," for row in rows[3:]]
    customers.write_bytes("\n".join(odd).replace(",11:30,19:30,", ", 11:30am , 7:30 PM,").encode("gbk") + b"\n")
    managers = tiny_dir / "managers.csv"
    managers.write_bytes(b"\xef\xbb\xbf" + managers.read_bytes().replace(b"08:30,17:30", b"8:30,17:30"))
    out = tmp_path / "plan"
    assert main(["plan", str(tiny_dir), "--out", str(out), "--time-limit", "2", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "read it as GBK" in err
    assert "phone" in err
    assert main(["validate", str(tiny_dir), str(out)]) == 0


def test_unwritable_output_is_a_clear_error(tmp_path, capsys):
    from conftest import DATA

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    started = time.perf_counter()
    assert main(["plan", str(DATA / "tiny"), "--out", str(blocker / "plan"), "--time-limit", "5", "--quiet"]) == 64
    assert time.perf_counter() - started < 5  # refused before solving
    err = capsys.readouterr().err
    assert f"{blocker / 'plan'}: cannot be created: {blocker} is a file" in err
    assert "Traceback" not in err


def test_a_folder_of_other_files_is_never_replaced(tmp_path, capsys):
    from conftest import DATA

    out = tmp_path / "work"
    out.mkdir()
    (out / "notes.txt").write_text("the analyst's notes")
    started = time.perf_counter()
    assert main(["plan", str(DATA / "tiny"), "--out", str(out), "--time-limit", "5", "--quiet"]) == 64
    assert time.perf_counter() - started < 5  # refused before solving
    err = capsys.readouterr().err
    assert str(out) in err
    assert "did not write" in err
    assert "Traceback" not in err
    assert (out / "notes.txt").read_text() == "the analyst's notes"
    assert main(["compare", str(DATA / "tiny"), "--out", str(out), "--time-limit", "1", "--quiet"]) == 64
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]  # no staging folder left behind


def test_a_plan_folder_is_replaced_by_the_next_plan(tmp_path):
    from conftest import DATA

    out = tmp_path / "plan"
    out.mkdir()  # an empty folder may be used too
    for _ in range(2):
        assert main(["plan", str(DATA / "tiny"), "--out", str(out), "--time-limit", "1", "--quiet"]) == 0
    assert (out / "summary.json").is_file()
    assert main(["validate", str(DATA / "tiny"), str(out)]) == 0


def test_a_misspelled_column_is_named_with_the_rename_it_needs(tiny_dir, tmp_path, capsys):
    edit(tiny_dir / "customers.csv", "customer_id,lon,lat", "customer_id,lon,lattitude")
    assert main(["plan", str(tiny_dir), "--out", str(tmp_path / "plan"), "--time-limit", "2", "--quiet"]) == 2
    assert "did you mean 'lat'? rename 'lattitude' to 'lat'" in capsys.readouterr().err


def test_a_misspelled_optional_column_is_ignored_with_a_did_you_mean(tiny_dir, tmp_path, capsys):
    edit(tiny_dir / "customers.csv", ",service_min,", ",servce_min,")
    assert main(["plan", str(tiny_dir), "--out", str(tmp_path / "plan"), "--time-limit", "2", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "columns servce_min (did you mean 'service_min'?) are not part of the format and are ignored" in err


def test_a_tier_key_window_start_points_to_window(tiny_dir, tmp_path, capsys):
    edit(tiny_dir / "scenario.toml", 'window = ["14:00", "20:00"]', 'window_start = "14:00"')
    main(["plan", str(tiny_dir), "--out", str(tmp_path / "plan"), "--time-limit", "2", "--quiet"])
    assert 'the window is one key: window = ["08:30", "17:30"]' in capsys.readouterr().err


@pytest.mark.parametrize("name", ["scenario.toml", "customers.csv"])
def test_a_file_given_for_the_scenario_folder_says_so(tiny_dir, tmp_path, capsys, name):
    out = tmp_path / "plan"
    assert main(["plan", str(tiny_dir / name), "--out", str(out), "--time-limit", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (f"{tiny_dir / name}: expected a scenario folder (scenario.toml, customers.csv, managers.csv), got a "
            f"file; give the folder that holds it: {tiny_dir}") in err
    assert "not found" not in err
    assert not out.exists()


def test_a_missing_scenario_folder_is_still_not_found(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert "scenario folder not found" in capsys.readouterr().err
