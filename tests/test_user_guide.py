"""docs/user-guide.md quotes what routeplan prints for a department's own export: the same
files, made here from the tiny scenario, must give those very lines (so the guide cannot drift)."""

import csv
import io
import shutil

import pytest
from openpyxl import Workbook, load_workbook

from routeplan.cli import main

from conftest import DATA, REPO, csv_to_xlsx

GUIDE = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
KEPT = ["customer_id", "name", "address", "lon", "lat", "business_type", "tier"]


def _export(folder, rows, *, encoding="gbk"):
    """customers.csv as Excel's plain "CSV" saves it in China (GBK, CRLF)."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (folder / "customers.csv").write_bytes(text.getvalue().encode(encoding))


@pytest.fixture
def district(tmp_path, monkeypatch):
    """my-district: the tiny scenario's customers as an export with a phone column, saved as GBK."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "my-district"
    shutil.copytree(DATA / "tiny", folder)
    with (DATA / "tiny" / "customers.csv").open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    rows = [[*KEPT, "phone"]] + [[r[k] for k in KEPT] + ["0536-8888888"] for r in records]
    _export(folder, rows)
    return folder, rows


def _run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _quoted(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert line in GUIDE, f"the guide does not quote: {line}"


def test_a_gbk_export_with_an_extra_column_checks_and_plans(district, capsys):
    code, text = _run(["check", "my-district"], capsys)
    assert code == 0
    for line in ("warning: customers.csv is not UTF-8; read it as GBK",
                 "warning: customers.csv: columns phone are not part of the format and are ignored",
                 ("D1, D2 (tiers small): visits need 1 h on site + about 2 h travel per cycle; shifts give 47 h "
                  "(6%): fits"),
                 "nothing stands in the way of a complete plan"):
        assert line in text
        _quoted(line)
    code, text = _run(["plan", "my-district", "--out", "plan-2026w50", "--time-limit", "60", "--start-date",
                       "2026-12-07", "--quiet"], capsys)
    assert code == 0
    assert main(["validate", "my-district", "plan-2026w50"]) == 0


def test_a_header_not_renamed_names_the_renames(district, capsys):
    folder, rows = district
    _export(folder, [["客户编码", "客户名称", "地址", "经度", "纬度", "业态", "tier", "电话"], *rows[1:]])
    code, text = _run(["check", "my-district"], capsys)
    assert code == 2
    _quoted(text.split("warning: customers.csv is not UTF-8; read it as GBK\n", 1)[1])


def test_the_errors_of_one_export_come_together(district, capsys):
    folder, rows = district
    bad = [list(r) for r in rows]
    bad[3][3], bad[3][4] = bad[3][4], bad[3][3]  # file row 4: lon and lat swapped
    bad[5][5], bad[5][6] = "motel", ""  # row 6: a business type scenario.toml does not map
    bad[7][3] = "119,13"  # row 8: a decimal comma
    bad[9][0] = bad[8][0]  # row 10: the id of row 9 again
    _export(folder, bad)
    code, text = _run(["plan", "my-district", "--out", "p"], capsys)
    assert code == 2
    _quoted(text.split("are ignored\n", 1)[1])


def test_a_missing_file_is_one_line(district, capsys):
    folder, _ = district
    (folder / "managers.csv").unlink()
    code, text = _run(["check", "my-district"], capsys)
    assert code == 2
    _quoted(text.split("are ignored\n", 1)[1])


def test_the_export_kept_in_excel(district, capsys):
    folder, rows = district
    book = Workbook()
    book.active.title = "客户"
    for number, row in enumerate(rows):
        book.active.append([float(v) if number and k in (3, 4) else v or None for k, v in enumerate(row)])
    book.save(folder / "customers.xlsx")  # customers.csv is still there
    csv_to_xlsx(folder / "managers.csv", folder / "managers.xlsx", sheet="客户经理")
    (folder / "managers.csv").unlink()
    managers = load_workbook(folder / "managers.xlsx")
    managers.active["I4"] = "5:30pn"
    managers.save(folder / "managers.xlsx")
    code, text = _run(["check", "my-district"], capsys)
    assert code == 2
    _quoted(text)
    (folder / "customers.csv").unlink()
    csv_to_xlsx(DATA / "tiny" / "managers.csv", folder / "managers.xlsx", sheet="客户经理")
    code, text = _run(["plan", "my-district", "--out", "plan-2026w50", "--time-limit", "5", "--start-date",
                       "2026-12-07", "--quiet", "--xlsx"], capsys)
    assert code == 0
    assert load_workbook("plan-2026w50/plan.xlsx").sheetnames == ["Summary", "A1", "B1", "D1", "D2"]
    assert main(["validate", "my-district", "plan-2026w50"]) == 0


def test_start_dates_and_output_folders_are_checked_before_planning(district, tmp_path, capsys):
    code, text = _run(["plan", "my-district", "--out", "p", "--start-date", "2026-12-09"], capsys)
    assert code == 64
    _quoted(text.split("are ignored\n", 1)[1])
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    code, text = _run(["plan", "my-district", "--out", "notes.md/plan"], capsys)
    assert code == 64
    _quoted(text.split("are ignored\n", 1)[1])


def test_the_guides_clock_formats_are_accepted_and_agree_with_the_formats_page():
    from routeplan.model.clock import parse_clock

    sentence = "Clock times are `HH:MM`; also accepted: `8:30`, `08:30:15`, `8:30am`, `5:30 PM`, `24:00`."
    for page in ("docs/user-guide.md", "docs/file-formats.md"):
        assert sentence in " ".join((REPO / page).read_text(encoding="utf-8").split())
    for text in ("08:30", "8:30", "08:30:15", "8:30am", "5:30 PM", "24:00"):
        parse_clock(text)


def test_the_guides_python_runs_as_written(district, capsys):
    from test_readme import python_blocks

    folder, rows = district
    header = ["客户编码", "客户名称", "地址", "经度", "纬度", "业态", "tier", "电话"]
    (folder / "customers.csv").unlink()
    _export(folder.parent, [header, *rows[1:]])
    (folder.parent / "customers.csv").rename(folder.parent / "export.csv")
    blocks = python_blocks(REPO / "docs" / "user-guide.md")
    assert len(blocks) == 2  # the export read with pandas, then the notebook
    namespace = {"__name__": "__guide__"}
    exec(compile(blocks[0], "user-guide.md", "exec"), namespace)
    code, text = _run(["check", "my-district"], capsys)
    assert code == 0
    assert "warning: customers.csv: columns 电话 are not part of the format and are ignored" in text
    assert "not UTF-8" not in text  # written back as UTF-8
    assert "time_limit=60" in blocks[1]
    exec(compile(blocks[1].replace("time_limit=60", "stop=routeplan.MaxIterations(200)"), "user-guide.md", "exec"),
         namespace)
    assert namespace["plan"].visits_planned() == namespace["plan"].visits_required()
    assert (folder.parent / "plan.html").is_file()
    assert main(["validate", "my-district", "plan-2026w50"]) == 0


def test_the_guide_starts_from_routeplan_init(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert "routeplan init my-district\n" in GUIDE
    code, text = _run(["init", "my-district"], capsys)
    assert code == 0
    _quoted(text)
    assert "copy of the sample" not in GUIDE
    code, text = _run(["check", "my-district"], capsys)
    assert code == 0
    assert text.startswith("my-district: ")  # the scenario is the user's, not "kuiwen"
