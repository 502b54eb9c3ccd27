"""Random scenarios that follow the file contract, for tests and benchmarks.

Each scenario is a made-up town with clustered shops, four tiers with different rules (one
visited four times a cycle at least two days apart, one with evening opening hours, one that two
roles may serve), a staff sized to a target utilisation, a part-time manager, daily visit caps,
a few customers locked to a manager, some customers known only by business type, and
administrative districts (a 3 x 3 grid over the area, for the region strategy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from .errors import ArgumentError
from .model.problem import Customer, Problem, ProblemBuilder
from .notices import deprecated_keywords

_TIERS = {
    # name: (visits, min_gap, service_min, window, roles, share of customers)
    "key": (4, 2, 10.0, ("08:30", "17:30"), ("K",), 0.10),
    "regular": (2, 4, 8.0, ("08:30", "17:30"), ("R",), 0.45),
    "evening": (1, 0, 12.0, ("15:00", "21:00"), ("E",), 0.10),
    "basic": (1, 0, 6.0, ("09:00", "17:00"), ("R", "S"), 0.35),
}
_BUSINESS = {"key": ("hypermarket", "chain"), "regular": ("convenience", "liquor"),
             "evening": ("karaoke", "bar"), "basic": ("kiosk", "grocery")}


@dataclass(frozen=True, slots=True, kw_only=True)
class TownLayout:
    """Where the shops of :func:`random_problem` cluster and where its managers live.

    The default is one town's shopping centres around the depot; a province is many towns
    spread far, its managers living in them
    (``TownLayout(towns=300, spread_km=50.0, homes_in_towns=True)``).

    Attributes
    ----------
    towns
        Centres the shops cluster around (default: 4 to 8, drawn); a province has hundreds.
    spread_km
        Spread of the centres around the depot (standard deviation, km); a province spreads far.
    homes_in_towns
        Managers start and end their days in the towns (each where shops per manager of its
        role are most), not at the depot: a province's managers live where they work.

    Raises
    ------
    ArgumentError
        For a number of towns below 1 or a spread that is negative or not finite.
    """

    towns: int | None = None
    spread_km: float = 3.5
    homes_in_towns: bool = False

    def __post_init__(self) -> None:
        if self.towns is not None and not (isinstance(self.towns, (int, np.integer)) and self.towns >= 1):
            raise ArgumentError("layout.towns", f"{self.towns!r} is not a whole number of 1 or more")
        if not (isinstance(self.spread_km, (int, float)) and math.isfinite(self.spread_km) and self.spread_km >= 0):
            raise ArgumentError("layout.spread_km", f"{self.spread_km!r} is not a finite number of km, 0 or more")


_LAYOUT_KEYWORDS = ("towns", "spread_km", "homes_in_towns")
"""The keywords of :func:`random_problem` that :class:`TownLayout` replaces."""


def random_problem(seed: int, *, customers: int = 2000, days: int = 10, utilisation: float = 0.6,
                   locked: int = 5, unclassified_share: float = 0.05, layout: TownLayout | None = None,
                   **legacy: Any) -> Problem:
    """A random, servable scenario.

    Parameters
    ----------
    seed
        Seed of everything random.
    customers
        Number of customers.
    days
        Days in the cycle (at least 6, so that four visits two days apart fit with a part-time
        manager).
    utilisation
        Target share of the managers' shift time spent on visits and travel (an estimate).
    locked
        Customers locked to a manager.
    unclassified_share
        Share of customers given only a business type (their tier comes from classification).
    layout
        Where the shops cluster and the managers live (default: ``TownLayout()``, one town).
    **legacy
        ``towns``, ``spread_km`` and ``homes_in_towns``: deprecated, the fields of ``layout``.

    Returns
    -------
    Problem
        The scenario; the same seed and arguments give the same one.

    Raises
    ------
    TypeError
        For ``layout`` together with its deprecated keywords, or an unknown keyword.
    """
    old = deprecated_keywords(random_problem, legacy, _LAYOUT_KEYWORDS, "layout=TownLayout(...)")
    if old and layout is not None:
        raise TypeError(f"random_problem() got layout and its deprecated keywords {', '.join(old)}; pass only layout")
    layout = TownLayout(**old) if layout is None else layout
    towns, spread_km, homes_in_towns = layout.towns, layout.spread_km, layout.homes_in_towns
    rng = np.random.default_rng(seed)
    labels = [f"D{d + 1}" for d in range(days)]
    b = ProblemBuilder(name=f"synthetic-{seed}", days=labels)
    lon0 = 100.0 + rng.uniform(-20, 20)
    lat0 = 30.0 + rng.uniform(-8, 8)
    b.set_depot(lon0, lat0)
    b.set_travel(speed_kmh=float(rng.choice([18.0, 20.0, 25.0])), detour_factor=1.3)
    for name, (visits, gap, service, window, roles, _) in _TIERS.items():
        b.add_tier(name, visits=visits, min_gap=gap, service_min=service, window=window, roles=roles)
        for business in _BUSINESS[name]:
            b.classify(business, name)

    # Shops in clusters around a handful of centres, within about 8 km of the depot.
    km_per_lon = 111.32 * math.cos(math.radians(lat0))
    drawn = int(rng.integers(4, 9))  # drawn always, so that the defaults keep their random stream
    centres = rng.normal(0.0, spread_km, size=(drawn if towns is None else towns, 2))
    which = rng.integers(len(centres), size=customers)
    offsets = centres[which] + rng.normal(0.0, 1.2, size=(customers, 2))
    lon = lon0 + offsets[:, 0] / km_per_lon
    lat = lat0 + offsets[:, 1] / 111.32
    names = list(_TIERS)
    shares = np.array([_TIERS[n][5] for n in names])
    tier_of = rng.choice(len(names), size=customers, p=shares / shares.sum())

    # Staff sized from the work each role group faces.
    speed = b._travel.speed_kmh
    # How far a manager rides out to its shops: from the depot, or from its town.
    away = offsets - centres[which] if homes_in_towns else offsets
    mean_offset_km = float(np.mean(np.hypot(away[:, 0], away[:, 1])))
    shift_min = 540.0

    def managers_needed(tier_names: list[str], minutes_per_stop: float) -> int:
        work = 0.0
        for n in tier_names:
            visits, _, service, _, _, _ = _TIERS[n]
            count = int((tier_of == names.index(n)).sum())
            work += count * visits * (service + minutes_per_stop)
        return max(1, math.ceil(work / (days * shift_min * utilisation)))

    travel_per_stop = 60.0 * 0.9 / speed * 1.3 + 2.0 * mean_offset_km / speed * 60.0 / 20.0
    counts = {"K": managers_needed(["key"], travel_per_stop),
              "R": managers_needed(["regular", "basic"], travel_per_stop),
              "E": managers_needed(["evening"], travel_per_stop * 2.0),
              "S": 1}
    manager_ids: dict[str, list[str]] = {}
    town_shops = np.bincount(which, minlength=len(centres)).astype(float)
    town_managers = {role: np.zeros(len(centres)) for role in counts}
    part_time_done = False
    for role, count in counts.items():
        ids = []
        for k in range(count + (1 if role == "R" else 0)):
            mid = f"{role}{k + 1}"
            shift = ("14:00", "21:30") if role == "E" else ("08:30", "17:30")
            worked = None
            if role == "R" and not part_time_done:
                worked = " ".join(str(d) for d in range(0, days, 2) if d < days)  # every other day
                part_time_done = True
            cap = int(rng.integers(28, 40)) if k % 2 == 1 else None
            home_lon = home_lat = None
            if homes_in_towns:  # the k-th manager of a role lives in the town with most shops per manager
                town = int(np.argmax(town_shops / (town_managers[role] + 1)))
                town_managers[role][town] += 1
                home_lon = float(lon0 + centres[town, 0] / km_per_lon)
                home_lat = float(lat0 + centres[town, 1] / 111.32)
            b.add_manager(mid, role=role, name=f"Manager {mid}", shift_start=shift[0], shift_end=shift[1],
                          max_visits=cap, days=worked, start_lon=home_lon, start_lat=home_lat, end_lon=home_lon,
                          end_lat=home_lat)
            ids.append(mid)
        manager_ids[role] = ids

    locked_rows = set(rng.choice(customers, size=min(locked, customers), replace=False).tolist())
    district = _grid_districts(lon, lat)
    for i in range(customers):
        name = names[tier_of[i]]
        business = str(rng.choice(_BUSINESS[name]))
        tier = None if rng.random() < unclassified_share else name
        lock = None
        if i in locked_rows:
            roles = _TIERS[name][4]
            # Lock to a full-time manager of the tier's first role.
            candidates = [m for m in manager_ids[roles[0]] if not (roles[0] == "R" and m == "R1")]
            lock = str(rng.choice(candidates or manager_ids[roles[0]]))
        b.add_customer(f"C{i + 1:05d}", lon=float(lon[i]), lat=float(lat[i]), tier=tier, business_type=business,
                       value=float(np.round(rng.lognormal(9.5, 0.7))), locked_manager=lock,
                       district=district[i])
    return b.build()


DISTRICT_GRID = 3
"""Administrative districts: a grid of this many cells a side over the customers' extent."""


def _grid_districts(lon: np.ndarray, lat: np.ndarray) -> list[str]:
    """Each customer's district, a cell of a regular grid over the customers' extent (drawn
    from the positions alone, so that it takes nothing from the random stream)."""
    def cell(values: np.ndarray) -> np.ndarray:
        low, high = float(values.min()), float(values.max())
        span = high - low if high > low else 1.0
        return np.minimum(((values - low) / span * DISTRICT_GRID).astype(int), DISTRICT_GRID - 1)

    col, row = cell(lon), cell(lat)
    return [f"D{r * DISTRICT_GRID + c + 1}" for r, c in zip(row, col, strict=True)]



def perturbed(problem: Problem, seed: int, *, new_share: float = 0.05, closed_share: float = 0.03,
              managers_gone: int = 1, managers_new: int = 1, role: str | None = None) -> Problem:
    """``problem`` a quarter later: ``new_share`` new customers (each beside a random existing one,
    of its tier, ids ``N00001``...), ``closed_share`` of the customers closed, ``managers_gone``
    managers of ``role`` (default: the role with most managers) gone and ``managers_new`` new
    ones of that role (``<role>-new1``...), starting where the first of them starts. Customers
    locked to a manager who left are unlocked.

    A quarter's drift for re-planning tests and benchmarks (``benchmarks/replan.py``)."""
    rng = np.random.default_rng(seed)
    customers = list(problem.customers)
    closed = set(rng.choice(len(customers), size=round(closed_share * len(customers)), replace=False).tolist())
    kept = [c for i, c in enumerate(customers) if i not in closed]
    added = []
    for k, i in enumerate(rng.integers(len(customers), size=round(new_share * len(customers)))):
        like = customers[int(i)]
        lon_km = 111.32 * math.cos(math.radians(like.lat))
        dx, dy = rng.normal(0.0, 0.3, size=2)
        added.append(Customer(customer_id=f"N{k + 1:05d}", lon=float(like.lon + dx / lon_km),
                              lat=float(like.lat + dy / 111.32),
                              tier=like.tier, visits=like.visits, min_gap=like.min_gap, service_min=like.service_min,
                              window=like.window, business_type=like.business_type, district=like.district,
                              value=like.value))
    roles = [m.role for m in problem.managers]
    role = role or max(sorted(set(roles)), key=roles.count)
    full_time = [m for m in problem.managers if m.role == role and len(m.days) == problem.num_days]
    gone = {m.manager_id for m in (full_time[int(i)] for i in rng.choice(len(full_time), size=managers_gone,
                                                                          replace=False))}
    managers = [m for m in problem.managers if m.manager_id not in gone]
    template = full_time[0]
    managers += [replace(template, manager_id=f"{role}-new{k + 1}", name=f"New manager {k + 1}")
                 for k in range(managers_new)]
    kept = [replace(c, locked_manager=None) if c.locked_manager in gone else c for c in kept]
    return problem.replace(name=f"{problem.name} perturbed", customers=tuple(kept + added), managers=tuple(managers))


# ----------------------------------------------------------------------------------------------
# Cities shaped like real ones
# ----------------------------------------------------------------------------------------------

CITY_DAYS = ("Mon-1", "Tue-1", "Wed-1", "Thu-1", "Fri-1", "Mon-2", "Tue-2", "Wed-2", "Thu-2", "Fri-2")
"""The two-week cycle of the reference case."""
_CITY_TIERS = {
    # name: (visits, min_gap, service_min, window, roles), the reference case's rules
    "large": (2, 4, 20.0, ("08:30", "17:30"), ("A",)),
    "night": (1, 0, 15.0, ("14:00", "20:00"), ("B",)),
    "medium": (2, 4, 12.0, ("08:30", "17:30"), ("C",)),
    "small": (2, 4, 8.0, ("08:30", "17:30"), ("C", "D")),
}
_CITY_BUSINESS = {"large": ("supermarket", "mall", "chain store", "gas station"),
                  "night": ("entertainment", "hotel", "restaurant"),
                  "medium": ("convenience", "tobacco-liquor"), "small": ("grocery", "kiosk")}
_NIGHT_WINDOWS = {"hotel": ("11:30", "19:30"), "restaurant": ("14:00", "17:00")}
#: Share of each tier among the shops of a commercial hot spot, the urban core and the outskirts.
_CITY_MIX = {"hot": (0.12, 0.16, 0.47, 0.25), "core": (0.04, 0.07, 0.52, 0.37), "outskirts": (0.02, 0.03, 0.40, 0.55)}
CITY_STREET_KM = 0.18
"""Spacing of the city's street grid: every shop stands on a street."""
CITY_CUSTOMERS_PER_OFFICE = 8000
"""A city larger than this has a marketing office per this many customers (its departments)."""
LEVEL_DAYS = tuple(f"{day}-{week}" for week in (1, 2, 3, 4) for day in ("Mon", "Tue", "Wed", "Thu", "Fri"))
"""The four-week cycle of a city with three-level visits (the head visits monthly)."""
#: The tiers' own rules (visits, min_gap) over four weeks, keeping the two-week rhythm (as the
#: Kuiwen sample with levels, data/samples/generate_kuiwen_levels.py).
_LEVEL_OWN_RULES = {"large": (4, 4), "night": (2, 7), "medium": (4, 4), "small": (4, 4)}
#: The sample's further levels: the market manager M visits every large customer twice in four
#: weeks (at least 7 days apart) and every night customer once; the head H every large customer
#: once, at most 6 visits a day.
_LEVELS: dict[str, tuple[dict[str, Any], ...]] = {
    "large": ({"name": "market manager", "roles": ["M"], "visits": 2, "min_gap": 7, "service_min": 30},
              {"name": "department head", "roles": ["H"], "visits": 1, "service_min": 30,
               "window": ("09:00", "17:00")}),
    "night": ({"name": "market manager", "roles": ["M"], "visits": 1, "service_min": 20,
               "window": ("14:00", "17:00")},),
}
HEAD_MAX_VISITS = 6
CITY_CUSTOMERS_PER_DEPARTMENT = 1400
"""A department of a city with levels (its market manager and head) serves about this many
customers, the Kuiwen sample's size (12 customer managers)."""
MARKET_SITE_SHARE = 0.55
"""A department's market manager spends at most this share of its working time on site (the
Kuiwen sample's M1: 0.64, nearly full once travel is added): a city whose large and night shops
need more gets more, smaller departments."""


def random_city(seed: int, *, customers: int = 2000, utilisation: float = 0.6, offices: int | None = None,
                locked: int | None = None, unclassified_share: float = 0.03, d_share: float = 0.7,
                levels: bool = False) -> Problem:
    """A random city shaped like the reference case's, not like :func:`random_problem`'s towns.

    - **Streets**: every shop stands on a street of a grid rotated by a random angle (blocks of
      :data:`CITY_STREET_KM`); shops crowd into commercial hot spots (malls, venues and hotels
      above all), fill an urban core and thin out into villages on the outskirts.
    - **Partly overlapping roles**, as the reference department: A serves large customers, B
      night trade (shift 11:30-20:00; hotels and restaurants have their own windows), C medium
      *and* small shops, D only small ones. The C and D managers are one group to balance, and
      a D manager counts only for small-shop work: D is staffed for ``d_share`` of the small
      shops' work, C for the rest of it and the medium shops.
    - A two-week cycle (:data:`CITY_DAYS`), staff sized for ``utilisation`` of each role's
      working time (an estimate from each shop's neighbours and its ride from the office), a
      part-time C manager (every other day) and a part-time D manager (Monday to Wednesday),
      daily visit caps on every third C and D manager (a quarter to a half above the visits
      their day needs), a few customers locked to a manager, some known only by business type,
      and administrative districts (a 3 x 3 grid, for the region strategy).
    - ``offices``: where the managers start and end (default one, the depot, up to
      :data:`CITY_CUSTOMERS_PER_OFFICE` customers, then one per that many): a large city's
      departments each have their office, its managers in proportion to the work around it.
    - ``levels``: three-level visits (the contract's section 5) as in the Kuiwen sample with levels,
      on its four-week cycle (:data:`LEVEL_DAYS`; the tiers' own visits keep their two-week
      rhythm): the city is cut into departments of about :data:`CITY_CUSTOMERS_PER_DEPARTMENT`
      customers (more where the market managers would be too busy, :data:`MARKET_SITE_SHARE`),
      drawn around the large and night shops, each with a market manager (role M, visits every
      large customer twice and every night customer once) and a head (role H, every large
      customer once, at most :data:`HEAD_MAX_VISITS` visits a day) starting at the department's
      centre. The shops and the customer managers are those of the same seed without levels.

    The same seed and arguments give the same city.
    """
    rng = np.random.default_rng(seed)
    scale = math.sqrt(customers / 2000.0)
    core_km = 2.4 * scale
    lon0 = float(rng.uniform(105.0, 122.0))
    lat0 = float(rng.uniform(25.0, 40.0))
    km_per_lon = 111.32 * math.cos(math.radians(lat0))
    angle = float(rng.uniform(0.0, math.pi / 2))
    speed = 20.0
    detour = 1.3

    # Where the shops stand: hot spots, the core and villages on the outskirts.
    kind = rng.choice(3, size=customers, p=[0.35, 0.55, 0.10])  # 0 hot spot, 1 core, 2 outskirts
    hot = rng.normal(0.0, 0.8 * core_km, size=(max(3, round(6 * scale)), 2))
    hot_weight = rng.lognormal(0.0, 0.6, size=len(hot))
    villages = max(4, customers // 400)
    radius = rng.uniform(1.8, 3.2, size=villages) * core_km
    theta = rng.uniform(0.0, 2 * math.pi, size=villages)
    village = np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    xy = rng.normal(0.0, core_km, size=(customers, 2))
    at_hot = rng.choice(len(hot), size=customers, p=hot_weight / hot_weight.sum())
    xy = np.where((kind == 0)[:, None], hot[at_hot] + rng.normal(0.0, 0.35, size=(customers, 2)), xy)
    at_village = rng.integers(villages, size=customers)
    xy = np.where((kind == 2)[:, None], village[at_village] + rng.normal(0.0, 0.3, size=(customers, 2)), xy)
    # On the streets: in the grid's own axes, one coordinate snapped to a street, a setback of a few metres.
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    grid = xy @ rot
    along = rng.integers(2, size=customers)
    snapped = np.round(grid[np.arange(customers), along] / CITY_STREET_KM) * CITY_STREET_KM
    grid[np.arange(customers), along] = snapped + rng.normal(0.0, 0.01, size=customers)
    xy = grid @ rot.T
    lon = lon0 + xy[:, 0] / km_per_lon
    lat = lat0 + xy[:, 1] / 111.32

    names = list(_CITY_TIERS)
    mix = np.array([_CITY_MIX[k] for k in ("hot", "core", "outskirts")])
    draw = rng.random(customers)
    tier_of = (draw[:, None] > np.cumsum(mix[kind], axis=1)[:, :-1]).sum(axis=1)

    # The offices: the depot at the centre, more at the centres of the city's departments.
    count = offices if offices is not None else max(1, math.ceil(customers / CITY_CUSTOMERS_PER_OFFICE))
    office_xy = _office_places(xy, count, rng)
    office_of = np.argmin(((xy[:, None, :] - office_xy[None, :, :]) ** 2).sum(axis=2), axis=1)

    # Work per shop: time on site, the way from its neighbours of the same managers, and its
    # share of the day's ride from the office and back.
    shift_min = 540.0
    service = np.array([_CITY_TIERS[names[t]][2] for t in tier_of])
    visits = np.array([_CITY_TIERS[names[t]][0] for t in tier_of], dtype=float)
    # With levels: four weeks, the same rhythm (twice the visits in twice the days: the same staff).
    days = LEVEL_DAYS if levels else CITY_DAYS
    group_of = np.array([{"large": 0, "night": 1, "medium": 2, "small": 2}[names[t]] for t in tier_of])
    near = np.zeros(customers)
    for g in range(3):
        mine = np.flatnonzero(group_of == g)
        if len(mine) > 1:
            k = min(4, len(mine))
            distance = np.asarray(cKDTree(xy[mine]).query(xy[mine], k=k)[0])
            near[mine] = distance[:, 1:].mean(axis=1) * detour / speed * 60.0
    ride = np.hypot(*(xy - office_xy[office_of]).T) * detour / speed * 60.0
    per_stop = service + near
    stops_per_day = np.maximum(4.0, utilisation * shift_min / np.maximum(per_stop, 1.0))
    work = visits * (per_stop + 2.0 * ride / stops_per_day)
    available = len(CITY_DAYS) * shift_min * utilisation

    def staff(selected: np.ndarray) -> int:
        return max(1, math.ceil(float(work[selected].sum()) / available))

    small_work = float(work[tier_of == names.index("small")].sum())
    cd = max(2, staff(np.isin(tier_of, [names.index("medium"), names.index("small")])))  # a C and a D at least
    d_count = max(1, min(cd - 1, round(d_share * small_work / available)))
    counts = {"A": staff(tier_of == names.index("large")), "B": staff(tier_of == names.index("night")),
              "C": cd - d_count, "D": d_count}

    b = ProblemBuilder(name=f"city-{customers}-{seed}" + ("-levels" if levels else ""), days=list(days))
    b.set_depot(float(lon0 + office_xy[0, 0] / km_per_lon), float(lat0 + office_xy[0, 1] / 111.32))
    b.set_travel(speed_kmh=speed, detour_factor=detour)
    for name, (tier_visits, gap, tier_service, window, roles) in _CITY_TIERS.items():
        own = _LEVEL_OWN_RULES[name] if levels else (tier_visits, gap)
        b.add_tier(name, visits=own[0], min_gap=own[1], service_min=tier_service, window=window, roles=roles,
                   levels=_LEVELS.get(name, ()) if levels else ())
        for business in _CITY_BUSINESS[name]:
            b.classify(business, name)
    # Each role's managers go to the offices in proportion to the work around them.
    role_tiers = {"A": ("large",), "B": ("night",), "C": ("medium", "small"), "D": ("small",)}
    manager_ids: dict[str, list[str]] = {}
    for role, n in counts.items():
        served = np.isin(tier_of, [names.index(t) for t in role_tiers[role]])
        load = np.bincount(office_of[served], weights=work[served], minlength=count) + 1e-9
        at_office = _apportion(load, n)
        per_day = utilisation * shift_min / max(float(per_stop[served].mean()) if served.any() else 10.0, 1.0)
        ids = []
        k = 0
        for office, members in enumerate(at_office):
            for _ in range(members):
                k += 1
                mid = f"{role}{k}"
                shift = ("11:30", "20:00") if role == "B" else ("08:30", "17:30")
                worked = None
                if role == "C" and k == 2:
                    worked = "Mon-1 Wed-1 Fri-1 Tue-2 Thu-2"  # every other day
                    if levels:
                        worked += " Mon-3 Wed-3 Fri-3 Tue-4 Thu-4"
                elif role == "D" and k == 2:
                    worked = "Mon-1 Tue-1 Wed-1 Mon-2 Tue-2 Wed-2"
                    if levels:
                        worked += " Mon-3 Tue-3 Wed-3 Mon-4 Tue-4 Wed-4"
                cap = (math.ceil(per_day * rng.uniform(1.25, 1.5)) if role in ("C", "D") and k % 3 == 1 and n > 1
                       else None)
                place = office_xy[office]
                b.add_manager(mid, role=role, name=f"Manager {mid}", shift_start=shift[0], shift_end=shift[1],
                              max_visits=cap, days=worked,
                              start_lon=float(lon0 + place[0] / km_per_lon), start_lat=float(lat0 + place[1] / 111.32),
                              end_lon=float(lon0 + place[0] / km_per_lon), end_lat=float(lat0 + place[1] / 111.32))
                ids.append(mid)
        manager_ids[role] = ids
    if levels:
        _add_department_heads(b, seed, xy, tier_of, names, (lon0, lat0, km_per_lon))

    lock_count = max(3, customers // 400) if locked is None else locked
    locked_rows = set(rng.choice(customers, size=min(lock_count, customers), replace=False).tolist())
    district = _grid_districts(lon, lat)
    part_time = {"C2", "D2"}
    for i in range(customers):
        name = names[tier_of[i]]
        business = str(rng.choice(_CITY_BUSINESS[name]))
        tier = None if rng.random() < unclassified_share else name
        opening = _NIGHT_WINDOWS.get(business) if name == "night" else None
        lock = None
        if i in locked_rows:
            role = _CITY_TIERS[name][4][0]
            lock = str(rng.choice([m for m in manager_ids[role] if m not in part_time] or manager_ids[role]))
        b.add_customer(f"S{i + 1:05d}", lon=float(lon[i]), lat=float(lat[i]), tier=tier, business_type=business,
                       value=float(np.round(rng.lognormal(9.5, 0.7))), locked_manager=lock, district=district[i],
                       window_start=None if opening is None else opening[0],
                       window_end=None if opening is None else opening[1])
    return b.build()


def _add_department_heads(b: ProblemBuilder, seed: int, xy: np.ndarray, tier_of: np.ndarray, names: list[str],
                          origin: tuple[float, float, float]) -> None:
    """A market manager (M) and a head (H) per department of the city (see :func:`random_city`),
    starting and ending at the department's centre: k-means over the shops they visit (the large
    and night ones, which crowd into the hot spots: a department drawn over all shops would leave
    an outskirts head with a few shops far apart, riding out for most of the day), seeded apart
    from the city so that the city stays the one without levels."""
    lon0, lat0, km_per_lon = origin
    large = int((tier_of == names.index("large")).sum())
    night = int((tier_of == names.index("night")).sum())
    market_min = sum(rule["visits"] * rule["service_min"] * count
                     for tier, count in (("large", large), ("night", night))
                     for rule in _LEVELS[tier] if rule["roles"] == ["M"])
    available = len(LEVEL_DAYS) * 540.0
    count = max(1, math.ceil(len(xy) / CITY_CUSTOMERS_PER_DEPARTMENT),
                math.ceil(market_min / (MARKET_SITE_SHARE * available)))
    visited = np.isin(tier_of, [names.index("large"), names.index("night")])
    places = _office_places(xy[visited], count, np.random.default_rng([seed, 28]))
    for role, title, cap in (("M", "Market manager", None), ("H", "Head", HEAD_MAX_VISITS)):
        for k, place in enumerate(places, start=1):
            lon, lat = float(lon0 + place[0] / km_per_lon), float(lat0 + place[1] / 111.32)
            b.add_manager(f"{role}{k}", role=role, name=f"{title} {k}", shift_start="08:30", shift_end="17:30",
                          max_visits=cap, start_lon=lon, start_lat=lat, end_lon=lon, end_lat=lat)


def _office_places(xy: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` office positions (local km): the first at the shops' centre, the others at the
    centres of k-means clusters of the shops (a few rounds, seeded)."""
    centre = np.median(xy, axis=0)
    if count <= 1:
        return centre[None, :]
    places = np.vstack([centre, xy[rng.choice(len(xy), size=count - 1, replace=False)]])
    for _ in range(10):
        nearest = np.argmin(((xy[:, None, :] - places[None, :, :]) ** 2).sum(axis=2), axis=1)
        for k in range(1, count):
            if (nearest == k).any():
                places[k] = xy[nearest == k].mean(axis=0)
    return places


def _apportion(weights: np.ndarray, total: int) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders)."""
    exact = weights / weights.sum() * total
    out = np.floor(exact).astype(int)
    for k in np.argsort(-(exact - out), kind="stable")[:total - int(out.sum())]:
        out[k] += 1
    return [int(x) for x in out]
