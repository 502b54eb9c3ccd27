"""Random scenarios that follow the file contract, for tests and benchmarks.

Each scenario is a made-up town with clustered shops, four tiers with different rules (one
visited four times a cycle at least two days apart, one with evening opening hours, one that two
roles may serve), a staff sized to a target utilisation, a part-time manager, daily visit caps,
a few customers locked to a manager, some customers known only by business type, and
administrative districts (a 3 x 3 grid over the area, for the region strategy).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .model.problem import Customer, Problem, ProblemBuilder

_TIERS = {
    # name: (visits, min_gap, service_min, window, roles, share of customers)
    "key": (4, 2, 10.0, ("08:30", "17:30"), ("K",), 0.10),
    "regular": (2, 4, 8.0, ("08:30", "17:30"), ("R",), 0.45),
    "evening": (1, 0, 12.0, ("15:00", "21:00"), ("E",), 0.10),
    "basic": (1, 0, 6.0, ("09:00", "17:00"), ("R", "S"), 0.35),
}
_BUSINESS = {"key": ("hypermarket", "chain"), "regular": ("convenience", "liquor"),
             "evening": ("karaoke", "bar"), "basic": ("kiosk", "grocery")}


def random_problem(seed: int, *, customers: int = 2000, days: int = 10, utilisation: float = 0.6,
                   locked: int = 5, unclassified_share: float = 0.05, towns: int | None = None,
                   spread_km: float = 3.5, homes_in_towns: bool = False) -> Problem:
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
    towns
        Centres the shops cluster around (default: 4 to 8, drawn); a province has hundreds.
    spread_km
        Spread of the centres around the depot (standard deviation, km); a province spreads far.
    homes_in_towns
        Managers start and end their days in the towns (each where shops per manager of its
        role are most), not at the depot: a province's managers live where they work.
    """
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
