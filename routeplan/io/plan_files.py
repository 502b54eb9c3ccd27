"""Plan folders (file contract section 2): visits.csv, routes.csv, unserved.csv, summary.json,
map.html and routes.geojson."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..plan import ROUTE_COLUMNS, UNSERVED_COLUMNS, VISIT_COLUMNS, Plan
from .csvfile import write_table
from .staging import staged_folder


def write_plan(plan: Plan, folder: str | os.PathLike[str], *, maps: bool = True) -> Path:
    """Write every file of the plan folder; the folder appears only once all are written."""
    folder = Path(folder)
    with staged_folder(folder) as stage:
        write_table(stage / "visits.csv", VISIT_COLUMNS, plan.visit_rows())
        write_table(stage / "routes.csv", ROUTE_COLUMNS, plan.route_rows())
        write_table(stage / "unserved.csv", UNSERVED_COLUMNS, plan.unserved_rows())
        (stage / "summary.json").write_text(json.dumps(plan.summary(), ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
        (stage / "routes.geojson").write_text(json.dumps(routes_geojson(plan), ensure_ascii=False) + "\n",
                                              encoding="utf-8")
        if maps:
            from ..maps import render

            render(plan).save(str(stage / "map.html"))
    return folder


def routes_geojson(plan: Plan) -> dict:
    """One LineString feature per manager-day (start place, visits in order, end place)."""
    problem = plan.problem
    managers = {m.manager_id: m for m in problem.managers}
    customers = {c.customer_id: c for c in problem.customers}
    features = []
    for route in plan.routes:
        m = managers[route.manager_id]
        coords = [[m.start.lon, m.start.lat]]
        coords += [[customers[s.customer_id].lon, customers[s.customer_id].lat] for s in route.stops]
        coords.append([m.end.lon, m.end.lat])
        features.append({"type": "Feature",
                         "properties": {"manager_id": route.manager_id, "day_index": route.day_index,
                                        "day": route.day, "stops": len(route.stops),
                                        "travel_km": round(route.travel_km, 4), "work_min": round(route.work_min, 2)},
                         "geometry": {"type": "LineString", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}
