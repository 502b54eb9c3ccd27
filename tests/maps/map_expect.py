"""What a map of a plan must show, worked out from the plan alone, and readers of the route
arrays in a rendered page; shared by the map tests and the browser test."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from itertools import pairwise

from routeplan import Plan
from routeplan.model.clock import format_hhmm
from routeplan.model.routes import DayRoute, Stop

_DAY_CALL = re.compile(r"^\s*routeplanDay\((?P<layer>\w+), (?P<data>\[.*\])\);$", re.MULTILINE)


def expected_stops(plan: Plan) -> list[dict]:
    """Every stop of every route: where it is, its number and its tooltip, as maps always drew
    them (the tooltip text of the old Folium markers, without Folium's wrapping ``<div>``)."""
    customers = {c.customer_id: c for c in plan.problem.customers}
    stops = []
    for route in plan.routes:
        for stop in route.stops:
            c = customers[stop.customer_id]
            label = html.escape(c.name or c.customer_id)
            tooltip = (f"<b>{stop.seq}. {label}</b> ({html.escape(c.customer_id)}, {html.escape(c.tier)})<br>"
                       f"{html.escape(route.manager_id)}, {html.escape(route.day)}: arrive "
                       f"{format_hhmm(stop.arrival / 60)}, visit {format_hhmm(stop.start / 60)}-"
                       f"{format_hhmm(stop.end / 60)}")
            stops.append({"manager": route.manager_id, "day": route.day, "lat": c.lat, "lon": c.lon,
                          "seq": stop.seq, "tooltip": tooltip})
    return stops


def expected_lines(plan: Plan) -> list[dict]:
    """Every route line: its points (start place, stops, end place) and its tooltip."""
    customers = {c.customer_id: c for c in plan.problem.customers}
    lines = []
    for route in plan.routes:
        manager = plan.problem.manager(route.manager_id)
        points = [[manager.start.lat, manager.start.lon]]
        points += [[customers[s.customer_id].lat, customers[s.customer_id].lon] for s in route.stops]
        points.append([manager.end.lat, manager.end.lon])
        tooltip = (f"{route.manager_id} {route.day}: {len(route.stops)} visits, {route.travel_km:.1f} km, "
                   f"{format_hhmm(route.depart / 60)}-{format_hhmm(route.return_time / 60)}")
        lines.append({"manager": route.manager_id, "day": route.day, "points": points, "tooltip": tooltip})
    return lines


def arrow_count(plan: Plan) -> int:
    """Legs long enough for a direction arrow (maps never drew one on a leg under 1e-4 degrees)."""
    return sum(1 for line in expected_lines(plan)
               for (a, b), (c, d) in pairwise(line["points"]) if abs(a - c) + abs(b - d) >= 1e-4)


def day_arrays(page: str) -> list[tuple[str, list]]:
    """The (layer variable, JSON array) of every manager-day drawn in a rendered page."""
    return [(m["layer"], json.loads(m["data"])) for m in _DAY_CALL.finditer(page)]


def drawn_stops(page: str) -> list[dict]:
    """The stops the page's script draws, with the tooltip it joins (as ``routeplanDay`` does)."""
    stops = []
    for _layer, (_colour, who, line, points, _angles, parts, *_later) in day_arrays(page):
        manager, day = line.split(":")[0].split(" ", 1)
        for i, (seq, name, cid, tier, arrive, start, end) in enumerate(parts):
            stops.append({"manager": manager, "day": day, "lat": points[i + 1][0], "lon": points[i + 1][1],
                          "seq": seq,
                          "tooltip": (f"<b>{seq}. {name}</b> ({cid}, {tier})<br>{who}arrive {arrive}, "
                                      f"visit {start}-{end}")})
    return stops


def legend_managers(page: str) -> list[str]:
    """The managers listed in the legend of a rendered page, in order."""
    legend = json.loads(re.search(r'"rp-legend", "Figures"\);\s*var head = ".*?", cycle = (".*");', page)[1])
    return re.findall(r"</i> (.+?)</td>", legend)


def dealt_plan(problem, *, seconds_per_stop: int = 900) -> Plan:
    """A plan of every required visit without the solver: customers dealt to managers in turn,
    their visits spread over the manager's days. Not a good plan, but one of the right size
    and shape for drawing."""
    days: dict[tuple[str, int], list[str]] = {}
    for i, c in enumerate(problem.customers):
        manager = problem.managers[i % len(problem.managers)]
        step = max(1, len(manager.days) // max(c.visits, 1))
        for k in range(c.visits):
            day = manager.days[(i + k * step) % len(manager.days)]
            days.setdefault((manager.manager_id, day), []).append(c.customer_id)
    routes = []
    for (mid, day), ids in sorted(days.items(), key=lambda item: ([m.manager_id for m in problem.managers]
                                                                  .index(item[0][0]), item[0][1])):
        depart = 8 * 3600 + 1800
        stops = tuple(Stop(seq=j + 1, customer_id=cid, arrival=depart + seconds_per_stop * j + 300,
                           start=depart + seconds_per_stop * j + 300, end=depart + seconds_per_stop * (j + 1),
                           travel_km=1.0) for j, cid in enumerate(ids))
        routes.append(DayRoute(manager_id=mid, day_index=day, day=problem.days[day], depart=depart,
                               return_time=depart + seconds_per_stop * len(ids) + 600, travel_km=float(len(ids)),
                               travel_min=10.0 * len(ids), service_min=5.0 * len(ids), wait_min=0.0, stops=stops))
    return Plan(problem=problem, routes=tuple(routes), strategy="dealt")


def renamed(plan: Plan, names: dict[str, str], days: dict[str, str] | None = None) -> Plan:
    """``plan`` with some customers and day labels renamed (to names that HTML, JSON and Jinja
    treat specially)."""
    days = days or {}
    problem = plan.problem
    customers = tuple(dataclasses.replace(c, name=names.get(c.customer_id, c.name)) for c in problem.customers)
    problem = dataclasses.replace(problem, customers=customers, days=tuple(days.get(d, d) for d in problem.days))
    routes = tuple(dataclasses.replace(r, day=days.get(r.day, r.day)) for r in plan.routes)
    return dataclasses.replace(plan, problem=problem, routes=routes)
