"""Shared fixtures: the tiny scenario and small hand-built problems."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
# The Cordeau PVRP instances live outside the repository (../shared/benchmarks/pvrp); .ci/run
# exports ROUTEPLAN_PVRP_DIR when it finds them.
PVRP = Path(os.environ.get("ROUTEPLAN_PVRP_DIR", REPO.parent / "shared" / "benchmarks" / "pvrp"))
# The Solomon VRPTW instances likewise (../shared/benchmarks/vrptw/solomon; ROUTEPLAN_VRPTW_DIR).
VRPTW = Path(os.environ.get("ROUTEPLAN_VRPTW_DIR", REPO.parent / "shared" / "benchmarks" / "vrptw" / "solomon"))


@pytest.fixture(autouse=True, scope="session")
def _travel_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory):
    """Road travel tables are cached on disk; tests keep theirs out of the user's cache."""
    folder = tmp_path_factory.mktemp("travel-cache")
    before = os.environ.get("ROUTEPLAN_CACHE")
    os.environ["ROUTEPLAN_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("ROUTEPLAN_CACHE", None)
    else:
        os.environ["ROUTEPLAN_CACHE"] = before


@pytest.fixture(autouse=True, scope="session")
def _reference_work_rate():
    """Time limits buy the reference machine's work in the tests (the machine's own rate, which a
    first plan measures, is tested in tests/solver/test_rate.py), so that a budget is the same on
    every machine CI runs on; command-line runs in subprocesses inherit it."""
    before = os.environ.get("ROUTEPLAN_WORK_RATE")
    os.environ["ROUTEPLAN_WORK_RATE"] = "1"
    yield
    if before is None:
        os.environ.pop("ROUTEPLAN_WORK_RATE", None)
    else:
        os.environ["ROUTEPLAN_WORK_RATE"] = before


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A private copy of tests/data/tiny that a test may edit."""
    target = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", target)
    return target


@pytest.fixture(scope="session")
def tiny_problem():
    from routeplan import read_scenario

    return read_scenario(DATA / "tiny")


def overloaded_problem():
    """Two short days for sixteen two-hour visits, a shop open only at night and a customer
    whose manager works one day but needs two visits."""
    from routeplan import ProblemBuilder

    b = ProblemBuilder(name="over", days=["Mon", "Tue"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=2, min_gap=1, service_min=60, roles=["C"])
    b.add_tier("late", visits=1, service_min=10, window=("21:00", "22:00"), roles=["C"])
    b.add_tier("often", visits=2, min_gap=1, service_min=10, roles=["P"])
    b.add_manager("C1", role="C", shift_start="08:00", shift_end="12:00")
    b.add_manager("P1", role="P", days="Mon")
    for i in range(8):
        b.add_customer(f"S{i}", lon=119.13 + 0.002 * i, lat=36.71, tier="shop")
    b.add_customer("LATE", lon=119.14, lat=36.72, tier="late")
    b.add_customer("OFTEN", lon=119.14, lat=36.72, tier="often")
    return b.build()


def csv_to_xlsx(csv_path: Path, xlsx_path: Path, *, sheet: str = "Sheet1", typed: bool = True,
                before: tuple[str, ...] = ()) -> Path:
    """Save a CSV file of the contract as an Excel workbook, as a user's Excel would hold it: with
    ``typed``, numbers as numbers (whole ones as floats, 3.0, as Excel keeps every number), clock
    times as time cells ("08:30" -> datetime.time) and empty cells empty. ``before`` puts sheets of
    these names (a cover note) in front of the table's sheet."""
    book = Workbook()
    first = book.active
    for name in before:
        cover = first if first is not None and first.title == "Sheet" else book.create_sheet()
        cover.title = name
        cover["A1"] = "Customer list, exported for routeplan"
        first = None
    ws = first if first is not None else book.create_sheet()
    ws.title = sheet
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for number, row in enumerate(rows):
        ws.append([_excel_value(v, typed=typed and number > 0) for v in row])
    book.save(xlsx_path)
    return xlsx_path


def _excel_value(text: str, *, typed: bool) -> object:
    if not text:
        return None
    if not typed:
        return text
    try:
        return float(text)
    except ValueError:
        pass
    parts = text.split(":")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) < 24:
        return dt.time(int(parts[0]), int(parts[1]))
    return text
