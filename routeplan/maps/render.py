"""Draw a plan on a Folium map: one layer per manager with its routes and stops."""

from __future__ import annotations

import colorsys

import folium

from ..plan import Plan


def palette(n: int) -> list[str]:
    """``n`` distinguishable colours (golden-angle hues, alternating lightness)."""
    colours = []
    for i in range(n):
        hue = (i * 0.618033988749895) % 1.0
        light = 0.38 if i % 2 == 0 else 0.52
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.75)
        colours.append(f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")
    return colours


def render(plan: Plan, *, m: folium.Map | None = None) -> folium.Map:
    """Draw ``plan`` onto ``m`` (a new map centred on the depot when omitted) and return it."""
    problem = plan.problem
    customers = {c.customer_id: c for c in problem.customers}
    managers = {x.manager_id: x for x in problem.managers}
    if m is None:
        m = folium.Map(location=[problem.depot.lat, problem.depot.lon], zoom_start=13, tiles="OpenStreetMap")
    colours = dict(zip(managers, palette(len(managers))))
    for manager_id, manager in managers.items():
        routes = [r for r in plan.routes if r.manager_id == manager_id]
        if not routes:
            continue
        group = folium.FeatureGroup(name=f"{manager_id} ({manager.role})", show=True)
        colour = colours[manager_id]
        for route in routes:
            points = [[manager.start.lat, manager.start.lon]]
            points += [[customers[s.customer_id].lat, customers[s.customer_id].lon] for s in route.stops]
            points.append([manager.end.lat, manager.end.lon])
            folium.PolyLine(points, color=colour, weight=2, opacity=0.7,
                            tooltip=f"{manager_id} {route.day}: {len(route.stops)} visits, "
                                    f"{route.travel_km:.1f} km").add_to(group)
            for s in route.stops:
                c = customers[s.customer_id]
                folium.CircleMarker([c.lat, c.lon], radius=3, color=colour, fill=True, fill_opacity=0.9,
                                    tooltip=f"{c.customer_id} ({c.tier}) {route.day} #{s.seq}").add_to(group)
        group.add_to(m)
    folium.Marker([problem.depot.lat, problem.depot.lon], tooltip="depot").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
