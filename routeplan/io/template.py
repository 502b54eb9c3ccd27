"""A new scenario folder to fill in (``routeplan init FOLDER``): scenario.toml with the sample's
tiers and rules, each explained, and customers.csv and managers.csv with every column of the
format and a few example rows to overwrite. It is named after its folder and has no districts:
nothing of the sample's city is carried into a department's own plan."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import ArgumentError
from .csvfile import write_table
from .sample_tiers import SAMPLE_TIERS
from .scenario import CUSTOMER_COLUMNS, MANAGER_COLUMNS

#: The template's depot: a placeholder (the example rows lie around it) to replace with the office.
DEPOT = (119.1314, 36.7090)

_SCENARIO = """\
# The scenario of {name}, made by `routeplan init`: replace the example values with your own
# (every key is explained in docs/file-formats.md), then run `routeplan check {folder}`.
name = {quoted}
# The working days of one cycle, in order; the plan repeats every cycle. Two weeks here.
days = ["Mon-1", "Tue-1", "Wed-1", "Thu-1", "Fri-1", "Mon-2", "Tue-2", "Wed-2", "Thu-2", "Fri-2"]
# true: all of a customer's visits by one manager.
consistent = true

# Where managers start and end their day unless managers.csv says otherwise: your office.
# (An example position: replace it.)
[depot]
lon = {lon}
lat = {lat}

# Straight-line distance x 1.3 for the streets, 20 km/h in town traffic ("road" and "matrix"
# models use a road network or a travel table instead: see docs/file-formats.md).
[travel]
model = "haversine"
speed_kmh = 20.0
detour_factor = 1.3

# How even the work must be: each manager within +-10% of the mean utilisation of the managers
# who can take over its customers, each of its days within +-35% of its mean day.
[balance]
tolerance = 0.10
day_tolerance = 0.35

# The tiers: visits per cycle, the fewest days between two visits, minutes on site, the window
# a visit starts in, and the roles (managers.csv's role) that serve the tier.

{tiers}# Business type -> tier, for the rows of customers.csv whose tier is empty.
[classification]
"supermarket" = "large"
"mall" = "large"
"gas_station" = "large"
"entertainment" = "night"
"hotel" = "night"
"restaurant" = "night"
"convenience_store" = "medium"
"tobacco_liquor" = "medium"
"grocery" = "small"
"newsstand" = "small"

# A lunch break, if your managers take one: remove the # of the four lines below.
# [breaks]
# earliest = "11:30"
# latest = "12:30"
# minutes = 60
"""

# One example customer per tier, around the depot (the night one with its own window).
_CUSTOMERS = (
    {"customer_id": "C0001", "name": "Example supermarket", "address": "1 Example Road", "lon": "119.1450",
     "lat": "36.7120", "tier": "large", "business_type": "supermarket"},
    {"customer_id": "C0002", "name": "Example hotel", "address": "2 Example Road", "lon": "119.1200",
     "lat": "36.7150", "tier": "", "business_type": "hotel", "window_start": "11:30", "window_end": "19:30"},
    {"customer_id": "C0003", "name": "Example convenience store", "address": "3 Example Road", "lon": "119.1380",
     "lat": "36.7010", "tier": "medium", "business_type": "convenience_store"},
    {"customer_id": "C0004", "name": "Example grocery", "address": "4 Example Road", "lon": "119.1250",
     "lat": "36.7030", "tier": "small", "business_type": "grocery"},
)

# One example manager per role.
_MANAGERS = (
    {"manager_id": "A1", "role": "A", "name": "Manager of large stores", "shift_start": "08:30",
     "shift_end": "17:30"},
    {"manager_id": "B1", "role": "B", "name": "Manager of the night trade", "shift_start": "11:30",
     "shift_end": "20:00"},
    {"manager_id": "C1", "role": "C", "name": "Manager of medium shops", "shift_start": "08:30",
     "shift_end": "17:30"},
    {"manager_id": "D1", "role": "D", "name": "Manager of small shops", "shift_start": "08:30",
     "shift_end": "17:30"},
)


_TIER_NOTES = {
    "large": "Large stores (supermarkets, malls, chains, gas stations): twice per cycle, 20 min.",
    "night": "Night trade (entertainment, hotels, restaurants): once per cycle, 15 min, in the afternoon.",
    "medium": "Medium shops (convenience stores, small supermarkets, tobacco & liquor): twice per cycle, 12 min.",
    "small": "Small shops (groceries, newsstands, part-time sellers): twice per cycle, 8 min.",
}
"""What each of the sample's tiers is, as the template's comment above its table."""


def _tiers_toml() -> str:
    """The ``[tiers.NAME]`` tables of the sample's tiers, each under its comment."""
    return "".join(f"# {_TIER_NOTES[name]}\n[tiers.{name}]\nvisits = {rule.visits}\nmin_gap = {rule.min_gap}\n"
                   f"service_min = {rule.service_min:g}\nwindow = {json.dumps(list(rule.window))}\n"
                   f"roles = {json.dumps(list(rule.roles))}\n\n" for name, rule in SAMPLE_TIERS.items())


def write_template(folder: str | os.PathLike[str]) -> Path:
    """Write a new scenario folder to fill in: scenario.toml (named after the folder, the
    sample's tiers and rules, each commented), customers.csv and managers.csv (every column of the
    format, a few example rows), no districts. The folder must not exist or be empty.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ArgumentError
        When ``folder`` is a file or a folder that holds anything (nothing is overwritten).
    """
    folder = Path(folder)
    if folder.is_file():
        raise ArgumentError("FOLDER", f"{folder} is a file; give a new folder for the scenario")
    if folder.is_dir() and any(folder.iterdir()):
        raise ArgumentError("FOLDER", f"{folder} already holds files; give a new or empty folder (nothing was "
                                      "written)")
    folder.mkdir(parents=True, exist_ok=True)
    name = folder.resolve().name or "scenario"
    (folder / "scenario.toml").write_text(
        _SCENARIO.format(name=name, folder=folder, quoted=json.dumps(name, ensure_ascii=False), lon=DEPOT[0],
                         lat=DEPOT[1], tiers=_tiers_toml()), encoding="utf-8")
    write_table(folder / "customers.csv", CUSTOMER_COLUMNS, ([row.get(c, "") for c in CUSTOMER_COLUMNS]
                                                             for row in _CUSTOMERS))
    write_table(folder / "managers.csv", MANAGER_COLUMNS, ([row.get(c, "") for c in MANAGER_COLUMNS]
                                                           for row in _MANAGERS))
    return folder
