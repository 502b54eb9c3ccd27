"""Scenario tables in Excel workbooks (customers.xlsx, managers.xlsx; the contract's section 9):
the same problem as from the CSV files, cells typed by Excel read as a user expects, and issues
that name the sheet and the column's letter."""

import datetime as dt
import logging
import shutil

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from routeplan import ScenarioError, read_scenario
from routeplan.errors import InputIssue
from routeplan.io.xlsxfile import SheetIssue, cell_text

from conftest import DATA, REPO, csv_to_xlsx


def as_workbooks(folder, *, typed=True, sheet="Sheet1"):
    """Replace a scenario folder's CSV files by workbooks of the same tables."""
    for stem in ("customers", "managers"):
        csv_to_xlsx(folder / f"{stem}.csv", folder / f"{stem}.xlsx", typed=typed, sheet=sheet)
        (folder / f"{stem}.csv").unlink()
    return folder


@pytest.mark.parametrize("typed", [True, False], ids=["excel-typed cells", "text cells"])
def test_the_tiny_scenario_from_workbooks_is_the_same_problem(tiny_dir, tiny_problem, typed):
    as_workbooks(tiny_dir, typed=typed)
    assert read_scenario(tiny_dir) == tiny_problem


def test_the_kuiwen_sample_from_workbooks_is_the_same_problem(tmp_path):
    folder = tmp_path / "kuiwen"
    shutil.copytree(REPO / "data" / "samples" / "kuiwen", folder)
    as_workbooks(folder, sheet="客户")
    assert read_scenario(folder) == read_scenario(REPO / "data" / "samples" / "kuiwen")


def test_one_table_in_a_workbook_and_the_other_in_csv(tiny_dir, tiny_problem):
    csv_to_xlsx(tiny_dir / "managers.csv", tiny_dir / "managers.xlsx")
    (tiny_dir / "managers.csv").unlink()
    assert read_scenario(tiny_dir) == tiny_problem


def test_excel_typed_cells_read_as_the_user_sees_them(tiny_dir):
    as_workbooks(tiny_dir)
    book = load_workbook(tiny_dir / "customers.xlsx")
    ws = book.active
    ws["M3"] = 1.0            # visits of L2, a whole number Excel keeps as a float
    ws["K6"] = dt.time(9, 15)  # window_start of N2, a time cell
    ws["L6"] = dt.timedelta(hours=21)  # window_end, a duration cell ([h]:mm)
    ws["J4"] = 25.5           # service_min of L3
    book.save(tiny_dir / "customers.xlsx")
    problem = read_scenario(tiny_dir)
    assert problem.customer("L2").visits == 1
    assert problem.customer("N2").window == (555.0, 1260.0)
    assert problem.customer("L3").service_min == 25.5


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), ("  A1 ", "  A1 "), (3, "3"), (3.0, "3"), (3.5, "3.5"), (119.1314, "119.1314"),
    (370702100001.0, "370702100001"), (True, "TRUE"), (False, "FALSE"),
    (dt.time(8, 30), "08:30"), (dt.time(8, 30, 15), "08:30:15"), (dt.timedelta(hours=24), "24:00"),
    (dt.datetime(2026, 12, 14), "2026-12-14"), (dt.datetime(2026, 12, 14, 8, 30), "2026-12-14 08:30"),
    (dt.date(2026, 12, 14), "2026-12-14"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def _problem_messages(folder):
    with pytest.raises(ScenarioError) as caught:
        read_scenario(folder)
    return caught.value.issues, str(caught.value)


def test_a_bad_cell_is_named_by_sheet_row_and_column_letter(tiny_dir):
    as_workbooks(tiny_dir, sheet="客户")
    book = load_workbook(tiny_dir / "customers.xlsx")
    book.active["M3"] = 3.5
    book.save(tiny_dir / "customers.xlsx")
    issues, text = _problem_messages(tiny_dir)
    assert text == "customers.xlsx, sheet '客户', row 3, column 'visits' (M): '3.5' is not a whole number"
    assert isinstance(issues[0], SheetIssue)
    assert (issues[0].file, issues[0].sheet, issues[0].row, issues[0].column, issues[0].letter) == (
        "customers.xlsx", "客户", 3, "visits", "M")
    assert isinstance(issues[0], InputIssue)


def test_chinese_column_names_get_the_rename_hint(tiny_dir):
    text = (tiny_dir / "customers.csv").read_text(encoding="utf-8")
    (tiny_dir / "customers.csv").write_text(text.replace("customer_id,lon,lat", "客户编码,经度,lat", 1),
                                            encoding="utf-8")
    as_workbooks(tiny_dir)
    _, text = _problem_messages(tiny_dir)
    assert ("customers.xlsx, sheet 'Sheet1', row 1, column 'customer_id': required column 'customer_id' is "
            "missing") in text
    assert "rename '客户编码' to 'customer_id'" in text
    assert "rename '经度' to 'lon'" in text


def test_a_header_further_down_keeps_the_spreadsheets_row_numbers(tiny_dir):
    csv_to_xlsx(tiny_dir / "customers.csv", tiny_dir / "customers.xlsx")
    (tiny_dir / "customers.csv").unlink()
    book = load_workbook(tiny_dir / "customers.xlsx")
    book.active.insert_rows(1, amount=2)  # two blank rows above the header
    book.active["G5"] = "x"  # the value of L2: header now in row 3, L1 in row 4
    book.save(tiny_dir / "customers.xlsx")
    _, text = _problem_messages(tiny_dir)
    assert text == "customers.xlsx, sheet 'Sheet1', row 5, column 'value' (G): 'x' is not a number"


def test_extra_columns_are_named_with_their_sheet(tiny_dir, caplog):
    text = (tiny_dir / "managers.csv").read_text(encoding="utf-8").splitlines()
    (tiny_dir / "managers.csv").write_text("\n".join([text[0] + ",电话"] + [r + ",0536" for r in text[1:]]) + "\n",
                                           encoding="utf-8")
    as_workbooks(tiny_dir, sheet="经理")
    with caplog.at_level(logging.WARNING, logger="routeplan"):
        read_scenario(tiny_dir)
    assert "managers.xlsx, sheet '经理': columns 电话 are not part of the format and are ignored" in caplog.text


def test_a_workbook_that_warns_on_opening_reads_without_a_warning(tiny_dir, tiny_problem):
    # openpyxl warns of parts it drops (data validation here); the values are all there.
    as_workbooks(tiny_dir)
    book = load_workbook(tiny_dir / "customers.xlsx")
    rule = DataValidation(type="list", formula1='"large,night,medium,small"')
    book.active.add_data_validation(rule)
    rule.add("D2:D11")
    book.save(tiny_dir / "customers.xlsx")
    assert read_scenario(tiny_dir) == tiny_problem  # pytest turns a warning into an error


def test_the_first_sheet_is_read_even_when_others_follow(tiny_dir, tiny_problem):
    as_workbooks(tiny_dir)
    book = load_workbook(tiny_dir / "customers.xlsx")
    book.create_sheet("notes")["A1"] = "not read"
    book.save(tiny_dir / "customers.xlsx")
    assert read_scenario(tiny_dir) == tiny_problem


def test_an_empty_workbook_sheet_names_the_sheet(tmp_path):
    folder = tmp_path / "s"
    shutil.copytree(DATA / "tiny", folder)
    (folder / "managers.csv").unlink()
    book = Workbook()
    book.active.title = "Leer"
    book.save(folder / "managers.xlsx")
    _, text = _problem_messages(folder)
    assert "managers.xlsx, sheet 'Leer': the sheet is empty; expected a header row with manager_id, role" in text
