"""A scenario folder from an OpenStreetMap extract (file contract section 9, ``routeplan osm``).

:func:`scenario_from_osm` turns one extract into a scenario that plans as it is:

- **Customers**: every shop and venue whose business type maps to a tier
  (:mod:`routeplan.io.osm_tags`, read by :mod:`routeplan.io.osm_extract`), inside the box if one
  is given. The mapping is written as ``[classification]`` and the customers' ``tier`` left
  empty: the table decides, and editing it re-tiers a business type.
- **Streets**: the extract's driven streets near the box, as ``roads.osm.pbf`` in the folder,
  the ``road`` travel model (contract section 4) at 20 km/h off the streets.
- **Tiers and roles**: the Kuiwen sample's (:data:`SAMPLE_TIERS`): large -> A, night -> B,
  medium -> C, small -> D, their visits per cycle, gaps, minutes on site and windows. The cycle
  is ``days`` working days (default 10: two weeks), labelled ``Mon-1`` ... ``Fri-2`` as the
  sample's; each tier keeps its visits per cycle.
- **Depot**: the centre of the customers, weighted by their minutes on site per cycle, moved to
  the nearest node of the streets' largest strongly connected part (a place on a street every
  manager can drive from and back to).
- **Managers**: ``A1``, ``A2``, ... per role, starting and ending at the depot, working every
  day, their shift the span of their tiers' windows (08:30-17:30; the night trade's 14:00-20:00).
  A role given no number gets the fewest managers that bring the capacity check of
  ``routeplan check`` (:func:`routeplan.planner.diagnose_problem`: visits, the travel between
  them and the way out and back, against the shifts) to at most :data:`TARGET_LOAD` of their
  shifts; a role without customers gets none.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .errors import ArgumentError, InputIssue, ScenarioError
from .io.osm_extract import BBox, Outlet, check_extract, read_outlets, write_streets
from .io.osm_tags import OUTLET_TIERS
from .io.sample_tiers import SAMPLE_TIERS
from .io.scenario import read_scenario, write_scenario
from .io.staging import check_replaceable
from .model.clock import format_hhmm, parse_clock
from .model.problem import Problem, ProblemBuilder
from .model.travel import haversine_km
from .planner import diagnose_problem
from .roads.travel import road_travel

logger = logging.getLogger(__name__)

"""The Kuiwen sample's tiers (``data/samples/kuiwen/scenario.toml``)."""
ROLES = ("A", "B", "C", "D")
"""The roles, in the order managers are listed."""
DEFAULT_DAYS = 10
"""Working days of the cycle: two weeks, as the sample's."""
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
TARGET_LOAD = 0.75
"""The share of the shifts a role's managers are sized to fill (``routeplan check``'s figure)."""
OFF_STREET_KMH = 20.0
"""Speed from a shop to its street node (the scenario's ``speed_kmh``)."""
NETWORK_FILE = "roads.osm.pbf"
_STAFFING_ROUNDS = 6


def day_labels(days: int) -> list[str]:
    """``days`` working-day labels, five a week: ``Mon-1`` ... ``Fri-1``, ``Mon-2`` ..."""
    return [f"{WEEKDAYS[k % 5]}-{k // 5 + 1}" for k in range(days)]


def role_shift(role: str) -> tuple[str, str]:
    """A role's shift: from the earliest opening to the latest closing of its tiers' windows."""
    windows = [t.window for t in SAMPLE_TIERS.values() if role in t.roles]
    start = min(parse_clock(w[0]) for w in windows)
    end = max(parse_clock(w[1]) for w in windows)
    return format_hhmm(start), format_hhmm(end)


def parse_bbox(text: str, *, argument: str = "--bbox") -> BBox:
    """``"W,S,E,N"`` in degrees as a box (see :func:`check_bbox`)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ArgumentError(argument, f"'{text}' is not four numbers W,S,E,N (degrees, e.g. "
                                      f"24.93,60.16,24.96,60.175)") from None
    if len(values) != 4:
        raise ArgumentError(argument, f"'{text}' has {len(values)} numbers; expected four: W,S,E,N")
    box = (values[0], values[1], values[2], values[3])
    check_bbox(box, argument=argument)
    return box


def check_bbox(box: Sequence[float], *, argument: str = "bbox") -> None:
    """Raise :class:`ArgumentError` unless ``box`` is west < east in -180..180 and south < north
    in -90..90."""
    if len(box) != 4 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in box):
        raise ArgumentError(argument, f"expected four finite numbers W,S,E,N, got {tuple(box)!r}")
    west, south, east, north = box
    if not (-180.0 <= west < east <= 180.0):
        raise ArgumentError(argument, f"west {west:g} must be less than east {east:g}, both within -180..180")
    if not (-90.0 <= south < north <= 90.0):
        raise ArgumentError(argument, f"south {south:g} must be less than north {north:g}, both within -90..90")


def parse_managers(items: Sequence[str], *, argument: str = "--managers") -> dict[str, int]:
    """``["A=2", "C=5"]`` as managers per role (see :func:`check_managers`)."""
    counts: dict[str, int] = {}
    for item in items:
        found = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([+-]?\d+)\s*", item)
        if found is None:
            raise ArgumentError(argument, f"'{item}' is not ROLE=N (e.g. C=5)")
        counts[found.group(1)] = int(found.group(2))
    check_managers(counts, argument=argument)
    return counts


def check_managers(counts: Mapping[str, int], *, argument: str = "managers") -> None:
    """Raise :class:`ArgumentError` for a role not of :data:`ROLES` or a number not a positive
    whole number."""
    for role, number in counts.items():
        if role not in ROLES:
            tiers = ", ".join(f"{t} -> {s.roles[0]}" for t, s in SAMPLE_TIERS.items())
            raise ArgumentError(argument, f"unknown role '{role}'; expected one of {', '.join(ROLES)} ({tiers})")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ArgumentError(argument, f"{role}={number!r}: the number of managers must be a positive whole number")


def check_days(days: int, *, argument: str = "days") -> None:
    """Raise :class:`ArgumentError` unless ``days`` is a whole number of days that fits every
    tier's visits at their gaps."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ArgumentError(argument, f"{days!r}: the cycle must be a positive whole number of working days")
    for name, tier in SAMPLE_TIERS.items():
        visits, gap = tier.visits, tier.min_gap
        if visits > days or visits * gap > days:
            raise ArgumentError(argument, f"{days} days are too few for tier '{name}': {visits} visits at least "
                                          f"{gap} days apart need at least {max(visits, visits * gap)} days")


def scenario_from_osm(extract: str | os.PathLike[str], out: str | os.PathLike[str], *,
                      bbox: Sequence[float] | None = None, managers: Mapping[str, int] | None = None,
                      days: int = DEFAULT_DAYS, name: str | None = None) -> Problem:
    """Write a scenario folder from an OpenStreetMap extract and return it as read back.

    Parameters
    ----------
    extract
        The extract, ``.osm.pbf`` (or ``.osm`` XML); read with pyosmium (the ``roads`` extra).
    out
        The scenario folder to write: absent, empty, or a scenario folder (holding
        scenario.toml), replaced as a whole only once complete.
    bbox
        ``(west, south, east, north)`` degrees: only the outlets inside, the streets near it.
        Default: the whole extract.
    managers
        Managers per role (``{"A": 1, "C": 4}``); a role left out is sized by the capacity check
        (module docstring).
    days
        Working days of the cycle (at least 8: two visits at least 4 days apart).
    name
        The scenario's name (default: the folder's).

    Returns
    -------
    Problem
        The scenario as :func:`routeplan.read_scenario` reads the folder.

    Raises
    ------
    ScenarioError
        The extract is missing, unreadable, or holds no outlet (or no street) in the box.
    ArgumentError
        A malformed box, an unknown role or a number of managers or days that is not a positive
        whole number; :class:`~routeplan.errors.OutputFolderError` for an output folder holding
        other files.
    """
    extract, out = Path(extract), Path(out)
    box: BBox | None = None
    if bbox is not None:
        check_bbox(bbox)
        box = (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
    given = dict(managers or {})
    check_managers(given)
    check_days(days)
    check_replaceable(out, "scenario.toml")
    check_extract(extract)
    outlets = read_outlets(extract, bbox=box)
    if not outlets:
        where = "" if box is None else " inside the box " + ",".join(f"{v:g}" for v in box)
        raise ScenarioError(InputIssue(extract.name, f"no shop or venue{where} maps to a tier (expected shop, "
                                                     f"amenity or tourism tags such as "
                                                     f"{', '.join(list(OUTLET_TIERS)[:6])}, ...)"))
    logger.info("%s: %d outlets", extract.name, len(outlets))
    with tempfile.TemporaryDirectory(prefix="routeplan-osm-") as scratch:
        network = Path(scratch) / NETWORK_FILE
        write_streets(extract, network, bbox=box)
        depot = _depot(outlets, network)
        scenario = _Scenario(name=name or out.resolve().name, source=extract.name, days=days, outlets=outlets,
                             network=network, depot=depot)
        counts = _staffed(scenario, given)
        write_scenario(scenario.problem(counts), out, classified=True, comment=_comment(extract, box, counts, given))
    return read_scenario(out)


def _comment(extract: Path, box: BBox | None, counts: Mapping[str, int], given: Mapping[str, int]) -> str:
    """The head of scenario.toml: where its data came from and how it was made."""
    where = "the whole extract" if box is None else "inside the box W,S,E,N = " + ",".join(f"{v:g}" for v in box)
    sized = [role for role in ROLES if counts.get(role) and role not in given]
    return "\n".join([
        f"Written by 'routeplan osm' from the OpenStreetMap extract {extract.name}, {where}.",
        "Map data © OpenStreetMap contributors, available under the Open Database License (ODbL) 1.0:",
        "https://www.openstreetmap.org/copyright. customers.csv and roads.osm.pbf are derived from it.",
        "Customers: shops and venues whose shop, amenity or tourism tag is a business type of [classification]",
        "below (the tag's value -> tier); their tier column is empty, so that this table decides.",
        "Tiers and roles: the Kuiwen sample's. roads.osm.pbf: the extract's driven streets near the box.",
        *([(f"Managers of roles {', '.join(sized)}: sized to about {TARGET_LOAD:.0%} of their shifts "
           f"(routeplan check).")] if sized else []),
    ])


class _Scenario:
    """The parts of the scenario that do not depend on its managers."""

    def __init__(self, *, name: str, source: str, days: int, outlets: list[Outlet], network: Path,
                 depot: tuple[float, float]):
        self.name, self.source, self.days, self.outlets = name, source, days, outlets
        self.network, self.depot = network, depot

    def problem(self, counts: Mapping[str, int]) -> Problem:
        builder = ProblemBuilder(name=self.name, days=day_labels(self.days))
        builder.set_depot(*self.depot)
        builder.set_travel(model="road", network=self.network, speed_kmh=OFF_STREET_KMH)
        for tier, rule in SAMPLE_TIERS.items():
            builder.add_tier(tier, **rule._asdict())
        for business_type, tier in OUTLET_TIERS.items():
            builder.classify(business_type, tier)
        for outlet in self.outlets:
            builder.add_customer(outlet.customer_id, lon=outlet.lon, lat=outlet.lat,
                                 business_type=outlet.business_type, name=outlet.name or None,
                                 address=outlet.address or None)
        for role in ROLES:
            shift = role_shift(role)
            for k in range(1, counts.get(role, 0) + 1):
                builder.add_manager(f"{role}{k}", role=role, shift_start=shift[0], shift_end=shift[1])
        return builder.build()


def _depot(outlets: list[Outlet], network: Path) -> tuple[float, float]:
    """The outlets' centre, weighted by minutes on site per cycle, moved to the nearest node of
    the streets' largest strongly connected part."""
    rules = [SAMPLE_TIERS[OUTLET_TIERS[o.business_type]] for o in outlets]
    weight = np.array([rule.visits * rule.service_min for rule in rules], dtype=float)
    lon = float(np.average([o.lon for o in outlets], weights=weight))
    lat = float(np.average([o.lat for o in outlets], weights=weight))
    streets = road_travel(network, speed_kmh=OFF_STREET_KMH).network
    nodes = streets.largest_strong_component()
    nearest = int(nodes[int(np.argmin(haversine_km(lon, lat, streets.lon[nodes], streets.lat[nodes])))])
    return round(float(streets.lon[nearest]), 7), round(float(streets.lat[nearest]), 7)


def _role_loads(problem: Problem) -> dict[str, tuple[float, float]]:
    """Per role: minutes per cycle its customers need (visits and travel) and its shifts give,
    as ``routeplan check`` counts them."""
    role_of = {m.manager_id: m.role for m in problem.managers}
    loads: dict[str, tuple[float, float]] = {}
    for check in diagnose_problem(problem).capacity:
        role = role_of[check.managers[0]]
        need, available = loads.get(role, (0.0, 0.0))
        loads[role] = (need + check.service_min + check.travel_min, available + check.available_min)
    return loads


def _staffed(scenario: _Scenario, given: Mapping[str, int]) -> dict[str, int]:
    """Managers per role: ``given`` where given, else the fewest at which the role's load is at
    most :data:`TARGET_LOAD` (its need grows with its managers: each day worked rides out and
    back, so the count is solved from two checks and confirmed by a third)."""
    served = {r for o in scenario.outlets for r in SAMPLE_TIERS[OUTLET_TIERS[o.business_type]].roles}
    counts = {role: given.get(role, 1 if role in served else 0) for role in ROLES}
    free = [role for role in ROLES if role in served and role not in given]
    seen: dict[str, list[tuple[int, float, float]]] = {role: [] for role in free}  # (managers, need, available)
    for _ in range(_STAFFING_ROUNDS):
        loads = _role_loads(scenario.problem(counts))
        changed = False
        for role in free:
            need, available = loads.get(role, (0.0, 1.0))
            n = counts[role]
            seen[role].append((n, need, available))
            wanted = _fewest(seen[role], role, scenario.source)
            if wanted != n:
                counts[role], changed = wanted, True
        if not changed:
            break
    for role in ROLES:
        if role in given and role in loads:
            need, available = loads[role]
            if need > available:
                logger.warning("role %s: %d managers have %.0f h per cycle for about %.0f h of visits and travel; "
                               "some visits will be left out", role, given[role], available / 60, need / 60)
    return counts


def _fewest(seen: list[tuple[int, float, float]], role: str, source: str) -> int:
    """The fewest managers at which need <= TARGET_LOAD x available, from the checks so far: the
    need is linear in the managers (``a + b n``), the time available ``n L``."""
    n, need, available = seen[-1]
    per_manager = available / n
    fits = need <= TARGET_LOAD * available
    # never fewer than one more than a count a check found too few
    floor = 1 + max((m for m, m_need, m_available in seen if m_need > TARGET_LOAD * m_available), default=0)
    if len(seen) == 1:
        return n if fits else max(floor, math.ceil(n * need / (TARGET_LOAD * available)))
    (n1, need1, _), (n2, need2, _) = seen[-2], seen[-1]
    slope = (need2 - need1) / (n2 - n1) if n2 != n1 else 0.0
    intercept = need2 - slope * n2
    room = TARGET_LOAD * per_manager - slope
    if room <= 0:
        raise ScenarioError(InputIssue(source, f"role {role}: the way out to the customers and back takes "
                                               f"more than {TARGET_LOAD:.0%} of a shift; give a smaller box or "
                                               f"--managers {role}=N"))
    wanted = max(floor, math.ceil(intercept / room - 1e-9))
    return n if fits and wanted >= n else wanted
