"""Scenario folders (file contract section 1): scenario.toml, customers.csv, managers.csv and
optionally districts.geojson, read into a :class:`~routeplan.model.problem.Problem` and written
back."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape

from ..errors import InputIssue, ScenarioError
from ..model.clock import format_hhmm
from ..model.names import did_you_mean
from ..model.problem import CUSTOMER_FIELDS, MANAGER_FIELDS, Problem, ProblemBuilder
from ..notices import collected, issue
from ..roads.resolve import checked_travel
from .csvfile import COLUMN_HINTS, read_table, write_table
from .staging import staged_folder
from .xlsxfile import Sheet, located, read_sheet

logger = logging.getLogger(__name__)

# The builder's parameters and fields are the columns, so that a column it takes is read and written.
CUSTOMER_COLUMNS = ("customer_id", "lon", "lat", "tier", *CUSTOMER_FIELDS)
MANAGER_COLUMNS = ("manager_id", "role", *MANAGER_FIELDS)
_SCENARIO_KEYS = {"name", "days", "consistent", "depot", "travel", "balance", "tiers", "classification", "stability",
                  "breaks"}
_SCENARIO_FILES = ("scenario.toml", "customers.csv", "managers.csv", "customers.xlsx", "managers.xlsx",
                   "districts.geojson")
_BREAK_KEYS = ("earliest", "latest", "minutes")
_BALANCE_KEYS = {"tolerance", "day_tolerance"}
_STABILITY_KEYS = {"max_reassigned", "keep_days", "move_cost_min", "day_cost_min"}
_TIER_KEYS = {"visits", "min_gap", "service_min", "window", "roles", "levels"}


def read_scenario(folder: str | os.PathLike[str]) -> Problem:
    """Read a scenario folder.

    Parameters
    ----------
    folder
        Folder holding scenario.toml, customers.csv, managers.csv and optionally districts.geojson;
        customers.xlsx and managers.xlsx (their first sheet) may stand for the CSV files.

    Returns
    -------
    Problem
        The frozen problem.

    Raises
    ------
    ScenarioError
        Listing every problem found, each with file, row and column (and in a workbook the sheet
        and the column's letter).
    """
    folder = Path(folder)
    if folder.is_file():
        inside = (f"; give the folder that holds it: {folder.parent}" if folder.name in _SCENARIO_FILES else "")
        raise ScenarioError(InputIssue(str(folder), "expected a scenario folder (scenario.toml, customers.csv, "
                                                    f"managers.csv), got a file{inside}"))
    if not folder.is_dir():
        raise ScenarioError(InputIssue(str(folder), "scenario folder not found"))
    sheets: list[Sheet] = []
    with collected() as found:
        builder = _scenario_builder(folder, sheets)
    issue(found)
    try:
        problem = builder.add_warnings(found).build()
    except ScenarioError as err:
        if not sheets:
            raise
        raise type(err)(located(err.issues, sheets)) from None
    with collected() as found:
        problem = checked_travel(problem)  # the travel files' own faults and warnings
    issue(found)
    return problem


def _scenario_builder(folder: Path, sheets: list[Sheet]) -> ProblemBuilder:
    """The builder of a scenario folder's problem (a ScenarioError listing every problem found
    if its files cannot be read or the problem cannot be built); ``sheets`` gets the workbooks'
    sheets read."""
    issues: list[InputIssue] = []
    config = _read_toml(folder / "scenario.toml", issues)
    if config is None:
        raise ScenarioError(issues)
    builder = _builder_from_config(config, folder, issues)
    found = len(issues)
    rows, file = _read_records(folder, "managers", ("manager_id", "role"), issues, sheets)
    if len(issues) > found and not rows:
        builder.unreadable("managers")
    _warn_extra(rows, MANAGER_COLUMNS, file, sheets, issues)
    for line, row in rows:
        # The cells as text: the builder reads and checks every value (ProblemBuilder.build).
        values: dict[str, Any] = {column: row.get(column) for column in MANAGER_COLUMNS}
        builder.add_manager(values.pop("manager_id"), **values, origin=(file, line))
    found = len(issues)
    rows, file = _read_records(folder, "customers", ("customer_id", "lon", "lat"), issues, sheets)
    if len(issues) > found and not rows:
        builder.unreadable("customers")
    _warn_extra(rows, CUSTOMER_COLUMNS, file, sheets, issues)
    for line, row in rows:
        values = {column: row.get(column) for column in CUSTOMER_COLUMNS}
        builder.add_customer(values.pop("customer_id"), **values, origin=(file, line))
    districts = folder / "districts.geojson"
    if districts.exists():
        _read_districts(districts, builder, issues)
    if issues:
        # Parse errors first; the builder adds what it finds on the rows that could be read.
        try:
            builder.build()
        except ScenarioError as err:
            issues.extend(err.issues)
        raise ScenarioError(located(issues, sheets))
    return builder


def _read_records(folder: Path, stem: str, required: tuple[str, ...], issues: list[InputIssue],
                  sheets: list[Sheet]) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """The rows of ``stem``.csv, or of the first sheet of ``stem``.xlsx in its place, and the
    name of the file read (a folder holding both is refused, naming both; a workbook's sheet is
    appended to ``sheets``)."""
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    if csv_path.is_file() and xlsx_path.is_file():
        issues.append(InputIssue(xlsx_path.name, f"both {csv_path.name} and {xlsx_path.name} are in the scenario "
                                                 "folder; keep one of them (move the other away)"))
        return [], xlsx_path.name
    if xlsx_path.is_file():
        rows, sheet = read_sheet(xlsx_path, required=required, issues=issues)
        sheets.append(sheet)
        return rows, xlsx_path.name
    if not csv_path.is_file():
        old = folder / f"{stem}.xls"
        hint = (f"; {old.name} is in the old Excel format: save it as '{xlsx_path.name}' (Excel Workbook) or as "
                "CSV UTF-8") if old.is_file() else f" (nor {xlsx_path.name})"
        issues.append(InputIssue(csv_path.name, f"file not found: {csv_path}{hint}"))
        return [], csv_path.name
    return read_table(csv_path, required=required, issues=issues), csv_path.name


def _read_toml(path: Path, issues: list[InputIssue]) -> dict[str, Any] | None:
    if not path.is_file():
        issues.append(InputIssue(path.name, f"file not found: {path}"))
        return None
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        issues.append(InputIssue(path.name, "file is not UTF-8 text"))
    except tomllib.TOMLDecodeError as err:
        line = _toml_line(str(err))
        issues.append(InputIssue(path.name, f"TOML syntax error: {err}", line))
    return None


def _toml_line(message: str) -> int | None:
    marker = "line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",")[0].split(")")[0].strip()
        if digits.isdigit():
            return int(digits)
    return None


def _read_balance(balance: Any, builder: ProblemBuilder, issues: list[InputIssue]) -> None:
    """``[balance]``: the tolerances, shares between 0 and 1 (checked with the rest in build)."""
    sf = "scenario.toml"
    if not isinstance(balance, dict):
        issues.append(InputIssue(sf, "balance must be a table with tolerance and day_tolerance", None, "balance"))
        return
    for key in sorted(set(balance) - _BALANCE_KEYS):
        issues.append(InputIssue(sf, f"unknown key '{key}' in [balance]; expected tolerance or day_tolerance",
                                 None, f"balance.{key}"))
    values = {}
    for key in sorted(_BALANCE_KEYS & set(balance)):
        value = balance[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            issues.append(InputIssue(sf, f"{key} must be a number between 0 and 1 (0.10 for 10%), got {value!r}",
                                     None, f"balance.{key}"))
        else:
            values[key] = float(value)
    builder.set_balance(**values)


def _read_breaks(breaks: Any, builder: ProblemBuilder, issues: list[InputIssue]) -> None:
    """``[breaks]``: every manager's break unless its row gives one (checked in build)."""
    sf = "scenario.toml"
    expected = 'a table such as earliest = "11:30", latest = "13:30", minutes = 60'
    if not isinstance(breaks, dict):
        issues.append(InputIssue(sf, f"breaks must be {expected}", None, "breaks"))
        return
    for key in sorted(set(breaks) - set(_BREAK_KEYS)):
        issues.append(InputIssue(sf, f"unknown key '{key}' in [breaks]; expected earliest, latest and minutes",
                                 None, f"breaks.{key}"))
    missing = [key for key in _BREAK_KEYS if key not in breaks]
    if missing:
        issues.append(InputIssue(sf, f"[breaks] lacks {', '.join(missing)}; expected {expected}", None,
                                 f"breaks.{missing[0]}"))
        return
    builder.set_breaks(earliest=breaks["earliest"], latest=breaks["latest"], minutes=breaks["minutes"],
                       origin=(sf, None))


def _read_stability(stability: Any, builder: ProblemBuilder, issues: list[InputIssue]) -> None:
    """``[stability]``: re-plan keeping the current assignment (values checked in build)."""
    sf = "scenario.toml"
    if not isinstance(stability, dict):
        issues.append(InputIssue(sf, "stability must be a table such as max_reassigned = 0.10", None, "stability"))
        return
    for key in sorted(set(stability) - _STABILITY_KEYS):
        issues.append(InputIssue(sf, f"unknown key '{key}' in [stability]; expected one of "
                                     f"{', '.join(sorted(_STABILITY_KEYS))}", None, f"stability.{key}"))
    values: dict[str, Any] = {}
    for key in sorted(_STABILITY_KEYS & set(stability)):
        value = stability[key]
        if key == "keep_days":
            if isinstance(value, bool):
                values[key] = value
            else:
                issues.append(InputIssue(sf, f"keep_days must be true or false, got {value!r}", None,
                                         "stability.keep_days"))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            issues.append(InputIssue(sf, f"{key} must be a number, got {value!r}", None, f"stability.{key}"))
        else:
            values[key] = float(value)
    builder.set_stability(**values)


def _builder_from_config(config: dict[str, Any], folder: Path, issues: list[InputIssue]) -> ProblemBuilder:
    sf = "scenario.toml"
    for key in sorted(set(config) - _SCENARIO_KEYS):
        logger.warning("scenario.toml: key '%s'%s is not part of the format and is ignored", key,
                       did_you_mean(key, _SCENARIO_KEYS))
    days = config.get("days")
    if not isinstance(days, list) or not all(isinstance(d, (str, int)) for d in days):
        issues.append(InputIssue(sf, "days must be a list of day labels like [\"Mon-1\", \"Tue-1\"]", None, "days"))
        days = []
    consistent = config.get("consistent", True)
    if not isinstance(consistent, bool):
        issues.append(InputIssue(sf, "consistent must be true or false", None, "consistent"))
        consistent = True
    builder = ProblemBuilder(name=str(config.get("name", folder.name)), days=[str(d) for d in days],
                             consistent=consistent)
    builder._scenario_file = sf
    depot = config.get("depot")
    if isinstance(depot, dict) and "lon" in depot and "lat" in depot:
        try:
            builder.set_depot(float(depot["lon"]), float(depot["lat"]))
        except (TypeError, ValueError):
            issues.append(InputIssue(sf, "depot lon and lat must be numbers", None, "depot"))
    else:
        issues.append(InputIssue(sf, "missing [depot] table with lon and lat", None, "depot"))
    travel = config.get("travel", {})
    if not isinstance(travel, dict):
        issues.append(InputIssue(sf, "travel must be a table", None, "travel"))
        travel = {}
    network, matrix = travel.get("network"), travel.get("matrix")
    if network is not None and not isinstance(network, str):
        issues.append(InputIssue(sf, "network must be a file name (text)", None, "travel.network"))
        network = None
    if matrix is not None and not isinstance(matrix, str):
        issues.append(InputIssue(sf, "matrix must be a file name (text)", None, "travel.matrix"))
        matrix = None
    try:
        builder.set_travel(model=str(travel.get("model", "haversine")),
                           speed_kmh=float(travel.get("speed_kmh", 20.0)),
                           detour_factor=float(travel.get("detour_factor", 1.3)),
                           network=None if not network else folder / network,
                           matrix=None if not matrix else folder / matrix)
    except (TypeError, ValueError):
        issues.append(InputIssue(sf, "speed_kmh and detour_factor must be numbers", None, "travel"))
    _read_balance(config.get("balance", {}), builder, issues)
    if "breaks" in config:
        _read_breaks(config["breaks"], builder, issues)
    if "stability" in config:
        _read_stability(config["stability"], builder, issues)
    tiers = config.get("tiers")
    if not isinstance(tiers, dict) or not tiers:
        issues.append(InputIssue(sf, "missing tiers; expected at least one [tiers.NAME] table", None, "tiers"))
        tiers = {}
    for name, tier in tiers.items():
        if not isinstance(tier, dict):
            issues.append(InputIssue(sf, "a tier must be a table", None, f"tiers.{name}"))
            continue
        for key in ("visits", "service_min", "roles"):
            if key not in tier:
                issues.append(InputIssue(sf, f"tier '{name}' lacks '{key}'", None, f"tiers.{name}.{key}"))
        if not {"visits", "service_min", "roles"} <= set(tier):
            continue
        for key in sorted(set(tier) - _TIER_KEYS):
            hint = (' (the window is one key: window = ["08:30", "17:30"])' if key in ("window_start", "window_end")
                    else did_you_mean(key, _TIER_KEYS))
            logger.warning("scenario.toml: key 'tiers.%s.%s'%s is not part of the format and is ignored", name, key,
                           hint)
        builder.add_tier(name, visits=tier["visits"], service_min=tier["service_min"], roles=tier["roles"],
                         min_gap=tier.get("min_gap", 0), window=tier.get("window", ("08:30", "17:30")),
                         levels=tier.get("levels", ()), origin=(sf, None))
    classification = config.get("classification", {})
    if not isinstance(classification, dict):
        issues.append(InputIssue(sf, "classification must be a table of business_type = tier", None,
                                 "classification"))
        classification = {}
    for business_type, tier in classification.items():
        builder.classify(str(business_type), str(tier), origin=(sf, None))
    return builder


#: Columns that hold two of the format's columns in one: refused, naming the two to give instead
#: (a plan that ignored them would not keep the shops' hours or the managers' shifts).
SPLIT_COLUMNS = {"window": ("window_start", "window_end"), "shift": ("shift_start", "shift_end"),
                 "hours": ("window_start", "window_end"), "opening_hours": ("window_start", "window_end")}


def _warn_extra(rows: list[tuple[int, dict[str, str]]], known: tuple[str, ...], file: str,
                sheets: list[Sheet], issues: list[InputIssue]) -> None:
    """Warn of the columns that are not part of the format (each with the known column its name
    is close to), and refuse one that holds two of the format's columns in one (``window``)."""
    if not rows:
        return
    extra = [c for c in rows[0][1] if c not in known]
    where = next((f"{file}, sheet '{s.name}'" for s in sheets if s.file == file), file)
    ignored = []
    for column in extra:
        split = SPLIT_COLUMNS.get(column.strip().lower())
        if split is not None and all(name in known for name in split):
            filled = next((line for line, row in rows if row.get(column)), None)
            if filled is not None:
                first, second = split
                issues.append(InputIssue(file, f"column '{column}' is not part of the format and would be ignored: "
                                               f"give each row's times as two columns, {first} and {second} (a cell "
                                               "like 09:00-17:00 becomes 09:00 and 17:00)", filled, column))
                continue
        ignored.append(f"{column}{did_you_mean(column, known, aliases=COLUMN_HINTS)}")
    if ignored:
        logger.warning("%s: columns %s are not part of the format and are ignored", where, ", ".join(ignored))


def _read_districts(path: Path, builder: ProblemBuilder, issues: list[InputIssue]) -> None:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        issues.append(InputIssue(path.name, f"not valid GeoJSON: {err}"))
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        issues.append(InputIssue(path.name, "expected a FeatureCollection with a 'features' list"))
        return
    for number, feature in enumerate(features, start=1):
        try:
            name = feature["properties"]["district"]
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            issues.append(InputIssue(path.name, f"feature {number} needs a polygon geometry and a 'district' "
                                                f"property ({err})", number, "district"))
            continue
        builder.add_district(str(name), geometry)


def write_scenario(problem: Problem, folder: str | os.PathLike[str], *, classified: bool = False,
                   comment: str = "") -> Path:
    """Write a problem as a scenario folder (the inverse of :func:`read_scenario`).

    With ``classified``, a customer whose business type ``[classification]`` gives its tier is
    written with an empty ``tier``, so that the table decides: editing ``[classification]`` then
    moves every customer of a business type (``routeplan osm`` writes its scenarios so).
    ``comment`` (lines of text) heads scenario.toml as TOML comments: where the data came from.
    """
    folder = Path(folder)
    by_type = dict(problem.classification) if classified else {}
    header = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    with staged_folder(folder, marker="scenario.toml") as stage:
        (stage / "scenario.toml").write_text(header + _scenario_toml(problem), encoding="utf-8")
        rows = []
        for c in problem.customers:
            tier = "" if c.business_type and by_type.get(c.business_type) == c.tier else c.tier
            rows.append([c.customer_id, repr(c.lon), repr(c.lat), tier, c.business_type, c.district,
                         "" if c.value is None else f"{c.value:g}", c.name, c.address,
                         f"{c.service_min:g}" if "service_min" in c.overrides else "",
                         format_hhmm(c.window[0]) if "window" in c.overrides else "",
                         format_hhmm(c.window[1]) if "window" in c.overrides else "",
                         c.visits if "visits" in c.overrides else "",
                         c.min_gap if "min_gap" in c.overrides else "",
                         c.locked_manager, c.current_manager])
        write_table(stage / "customers.csv", CUSTOMER_COLUMNS, rows)
        rows = []
        breaks = any(m.break_ is not None for m in problem.managers)
        for m in problem.managers:
            all_days = m.days == tuple(range(problem.num_days))
            row = [m.manager_id, m.role, m.name, repr(m.start.lon), repr(m.start.lat), repr(m.end.lon),
                   repr(m.end.lat), format_hhmm(m.shift[0]), format_hhmm(m.shift[1]),
                   "" if m.max_visits is None else m.max_visits,
                   "" if all_days else " ".join(str(d) for d in m.days)]
            if breaks:  # the break columns only when some manager has a break: files without stay as they were
                b = m.break_
                row += ["", "", 0] if b is None else [format_hhmm(b.earliest), format_hhmm(b.latest), f"{b.minutes:g}"]
            rows.append(row)
        columns = MANAGER_COLUMNS if breaks else tuple(c for c in MANAGER_COLUMNS if not c.startswith("break_"))
        write_table(stage / "managers.csv", columns, rows)
        for carried in (problem.travel.network, problem.travel.matrix):  # its road network or travel table
            if carried:
                shutil.copyfile(carried, stage / Path(carried).name)
        if problem.districts:
            collection = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"district": d.name}, "geometry": mapping(d.geometry)}
                for d in problem.districts]}
            (stage / "districts.geojson").write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return folder


def _scenario_toml(problem: Problem) -> str:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [f"name = {q(problem.name)}",
             "days = [" + ", ".join(q(d) for d in problem.days) + "]",
             f"consistent = {'true' if problem.consistent else 'false'}", "",
             "[depot]", f"lon = {problem.depot.lon!r}", f"lat = {problem.depot.lat!r}", "",
             "[travel]", f"model = {q(problem.travel.model)}", f"speed_kmh = {problem.travel.speed_kmh!r}",
             f"detour_factor = {problem.travel.detour_factor!r}",
             *([f"network = {q(Path(problem.travel.network).name)}"] if problem.travel.network else []),
             *([f"matrix = {q(Path(problem.travel.matrix).name)}"] if problem.travel.matrix else []), "",
             "[balance]", f"tolerance = {problem.balance.tolerance!r}",
             f"day_tolerance = {problem.balance.day_tolerance!r}", ""]
    if problem.stability is not None:
        stability = problem.stability
        lines += ["[stability]",
                  *([f"max_reassigned = {stability.max_reassigned!r}"] if stability.max_reassigned is not None else []),
                  f"keep_days = {'true' if stability.keep_days else 'false'}",
                  f"move_cost_min = {stability.move_cost_min!r}", f"day_cost_min = {stability.day_cost_min!r}", ""]
    for tier in problem.tiers:
        lines += [f"[tiers.{q(tier.name)}]", f"visits = {tier.visits}", f"min_gap = {tier.min_gap}",
                  f"service_min = {tier.service_min!r}",
                  f"window = [{q(format_hhmm(tier.window[0]))}, {q(format_hhmm(tier.window[1]))}]",
                  "roles = [" + ", ".join(q(r) for r in tier.roles) + "]", ""]
        for level in tier.levels:
            lines += [f"[[tiers.{q(tier.name)}.levels]]", f"name = {q(level.name)}",
                      "roles = [" + ", ".join(q(r) for r in level.roles) + "]", f"visits = {level.visits}",
                      f"min_gap = {level.min_gap}", f"service_min = {level.service_min!r}",
                      f"window = [{q(format_hhmm(level.window[0]))}, {q(format_hhmm(level.window[1]))}]", ""]
    if problem.classification:
        lines.append("[classification]")
        lines += [f"{q(bt)} = {q(tier)}" for bt, tier in problem.classification]
        lines.append("")
    return "\n".join(lines)
