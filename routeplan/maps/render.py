"""Draw a plan on a Folium map: every manager's line, day by day.

One ``FeatureGroup`` per manager (listed in the layer control) holds its territory and one
sub-layer per working day with the route line, direction arrows and numbered stops. A day
selector shows one day of the cycle for every manager at once; a legend lists each manager's
figures. Districts (from districts.geojson) and the depot are layers of their own; the layer
control comes last.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import folium
from branca.element import MacroElement
from jinja2 import Template

from ..model.clock import format_hhmm
from ..model.routes import DayRoute
from ..results.visit_plan import Plan
from .colours import palette


def render(plan: Plan, *, m: folium.Map | None = None, managers: Iterable[str] | None = None,
           tiles: str | None = "OpenStreetMap", territories: bool = True, districts: bool = True,
           legend: bool = True, arrows: bool = True) -> folium.Map:
    """Draw ``plan`` onto ``m`` (a new map around the plan when omitted) and return the map.

    Parameters
    ----------
    plan
        The plan to draw.
    m
        A map to draw onto; the plan's layers are added to it.
    managers
        Only these managers (default: all).
    tiles
        Background tiles of a new map (``None`` for none; tiles need network access).
    territories, districts, legend, arrows
        Whether to draw each manager's territory outline, the administrative districts, the
        legend and the direction arrows on route lines.
    """
    problem = plan.problem
    customers = {c.customer_id: c for c in problem.customers}
    all_managers = [x.manager_id for x in problem.managers]
    colours = dict(zip(all_managers, palette(len(all_managers))))
    chosen = [mid for mid in all_managers if managers is None or mid in set(managers)]
    figures = {f.manager_id: f for f in plan.manager_figures()}
    routes = [r for r in plan.routes if r.manager_id in chosen]
    if m is None:
        m = folium.Map(location=[problem.depot.lat, problem.depot.lon], zoom_start=12, tiles=tiles,
                       control_scale=True)
        points = [(customers[s.customer_id].lat, customers[s.customer_id].lon) for r in routes for s in r.stops]
        if points:
            m.fit_bounds([[min(p[0] for p in points), min(p[1] for p in points)],
                          [max(p[0] for p in points), max(p[1] for p in points)]])
    _StopStyle().add_to(m)
    if districts and problem.districts:
        _districts_layer(plan).add_to(m)
    day_layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]] = {}
    for mid in chosen:
        manager = problem.manager(mid)
        mine = [r for r in routes if r.manager_id == mid]
        if not mine:
            continue
        colour = colours[mid]
        f = figures[mid]
        group = folium.FeatureGroup(name=f'<span style="color:{colour}">&#9632;</span> {html.escape(mid)} '
                                         f'({html.escape(manager.role)}, {f.customers} customers)', show=True)
        if territories:
            _territory(plan, mine, colour).add_to(group)
        for route in mine:
            day = folium.FeatureGroup(name=f"{mid} {route.day}", control=False)
            _draw_route(plan, route, colour, day, arrows=arrows)
            day.add_to(group)
            day_layers.setdefault(route.day_index, []).append((day, group))
        group.add_to(m)
    depot = folium.FeatureGroup(name="depot", show=True)
    folium.Marker([problem.depot.lat, problem.depot.lon], tooltip="depot",
                  icon=folium.DivIcon(html='<div class="rp-depot">&#9733;</div>', icon_size=(24, 24),
                                      icon_anchor=(12, 12))).add_to(depot)
    depot.add_to(m)
    if day_layers:
        _DaySelector(problem.days, day_layers).add_to(m)
    if legend:
        _Legend(plan, chosen, colours).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _draw_route(plan: Plan, route: DayRoute, colour: str, layer: folium.FeatureGroup, *, arrows: bool) -> None:
    problem = plan.problem
    customers = {c.customer_id: c for c in problem.customers}
    manager = problem.manager(route.manager_id)
    points = [[manager.start.lat, manager.start.lon]]
    points += [[customers[s.customer_id].lat, customers[s.customer_id].lon] for s in route.stops]
    points.append([manager.end.lat, manager.end.lon])
    folium.PolyLine(points, color=colour, weight=3, opacity=0.8,
                    tooltip=f"{route.manager_id} {route.day}: {len(route.stops)} visits, {route.travel_km:.1f} km, "
                            f"{format_hhmm(route.depart / 60)}-{format_hhmm(route.return_time / 60)}").add_to(layer)
    if arrows:
        for (lat1, lon1), (lat2, lon2) in zip(points, points[1:]):
            if abs(lat1 - lat2) + abs(lon1 - lon2) < 1e-4:
                continue
            angle = _bearing(lat1, lon1, lat2, lon2)
            # A CSS triangle pointing along the leg (no icon font needed offline).
            folium.Marker([(lat1 + lat2) / 2, (lon1 + lon2) / 2], interactive=False,
                          icon=folium.DivIcon(html=f'<div class="rp-arrow" style="border-bottom-color:{colour};'
                                                   f'transform:rotate({angle:.0f}deg)"></div>',
                                              icon_size=(10, 10), icon_anchor=(5, 5))).add_to(layer)
    for stop in route.stops:
        c = customers[stop.customer_id]
        label = html.escape(c.name or c.customer_id)
        tooltip = (f"<b>{stop.seq}. {label}</b> ({html.escape(c.customer_id)}, {html.escape(c.tier)})<br>"
                   f"{html.escape(route.manager_id)}, {html.escape(route.day)}: arrive "
                   f"{format_hhmm(stop.arrival / 60)}, visit {format_hhmm(stop.start / 60)}-"
                   f"{format_hhmm(stop.end / 60)}")
        folium.Marker([c.lat, c.lon], tooltip=tooltip,
                      icon=folium.DivIcon(html=f'<div class="rp-stop" style="background:{colour}">{stop.seq}</div>',
                                          icon_size=(18, 18), icon_anchor=(9, 9))).add_to(layer)


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Compass bearing in degrees (0 = north, clockwise) from point 1 to point 2."""
    y = math.sin(math.radians(lon2 - lon1)) * math.cos(math.radians(lat2))
    x = (math.cos(math.radians(lat1)) * math.sin(math.radians(lat2))
         - math.sin(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.cos(math.radians(lon2 - lon1)))
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def _territory(plan: Plan, routes: list[DayRoute], colour: str) -> folium.GeoJson:
    """The outline of a manager's customers (a concave hull, slightly widened)."""
    import shapely
    from shapely.geometry import MultiPoint, mapping

    customers = {c.customer_id: c for c in plan.problem.customers}
    served = {s.customer_id for r in routes for s in r.stops}
    points = MultiPoint([(customers[cid].lon, customers[cid].lat) for cid in sorted(served)])
    hull = shapely.concave_hull(points, ratio=0.4) if len(served) >= 4 else points.convex_hull
    shape = hull.buffer(0.002)
    return folium.GeoJson(mapping(shape), name="territory",
                          style_function=lambda _feature, colour=colour: {
                              "color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": 0.08,
                              "dashArray": "4 4"})


def _districts_layer(plan: Plan) -> folium.FeatureGroup:
    from shapely.geometry import mapping

    layer = folium.FeatureGroup(name="districts", show=True)
    features = [{"type": "Feature", "properties": {"district": d.name}, "geometry": mapping(d.geometry)}
                for d in plan.problem.districts]
    folium.GeoJson({"type": "FeatureCollection", "features": features},
                   style_function=lambda _feature: {"color": "#555555", "weight": 1, "fillOpacity": 0.0,
                                                    "dashArray": "2 6"},
                   tooltip=folium.GeoJsonTooltip(["district"])).add_to(layer)
    return layer


class _StopStyle(MacroElement):
    """CSS of the numbered stops, arrows, depot, legend and day selector."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .rp-stop { width: 18px; height: 18px; border-radius: 9px; color: #fff; font: bold 10px/18px sans-serif;
                   text-align: center; border: 1px solid #fff; box-shadow: 0 0 2px #000; }
        .rp-arrow { width: 0; height: 0; border-left: 5px solid transparent; border-right: 5px solid transparent;
                    border-bottom: 10px solid #000; }
        .rp-depot { font: 22px/24px sans-serif; color: #000; text-shadow: 0 0 3px #fff; text-align: center; }
        .rp-panel { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
                    box-shadow: 0 1px 4px rgba(0,0,0,0.4); font: 12px sans-serif; }
        .rp-panel table { border-collapse: collapse; } .rp-panel td, .rp-panel th { padding: 0 4px; text-align: right; }
        .rp-panel td:first-child, .rp-panel th:first-child { text-align: left; }
        </style>
        {% endmacro %}
    """)


class _Legend(MacroElement):
    """A table of every drawn manager's figures, bottom left."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "rp-panel rp-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, plan: Plan, managers: list[str], colours: dict[str, str]):
        super().__init__()
        figures = {f.manager_id: f for f in plan.manager_figures()}
        rows = ["<tr><th>manager</th><th>role</th><th>customers</th><th>visits</th><th>km</th><th>work h</th>"
                "<th>longest day h</th></tr>"]
        for mid in managers:
            f = figures[mid]
            rows.append(f'<tr><td><span style="color:{colours[mid]}">&#9632;</span> {html.escape(mid)}</td>'
                        f"<td>{html.escape(f.role)}</td><td>{f.customers}</td><td>{f.visits}</td>"
                        f"<td>{f.travel_km:.1f}</td><td>{f.work_min / 60:.1f}</td>"
                        f"<td>{f.max_day_work_min / 60:.2f}</td></tr>")
        self.html = (f"<b>{html.escape(plan.problem.name)}</b> &middot; {html.escape(plan.strategy)} &middot; "
                     f"{plan.visits_planned()}/{plan.visits_required()} visits<table>{''.join(rows)}</table>")


class _DaySelector(MacroElement):
    """A drop-down that shows every manager's route of one day, or of all days."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            // day index -> [[day layer, the manager group holding it], ...]
            var layers = { {%- for day, pairs in this.layers.items() %}
                {{ day|tojson }}: [{%- for layer, group in pairs %}[{{ layer.get_name() }}, {{ group.get_name() }}]{{ "," if not loop.last }}{%- endfor %}],
            {%- endfor %} };
            var control = L.control({position: "topleft"});
            control.onAdd = function() {
                var div = L.DomUtil.create("div", "rp-panel rp-days");
                var options = '<option value="all">all days</option>';
                {{ this.labels|tojson }}.forEach(function(label, index) {
                    if (layers[index] !== undefined) {
                        options += '<option value="' + index + '">' + label + '</option>';
                    }
                });
                div.innerHTML = 'day <select>' + options + '</select>';
                L.DomEvent.disableClickPropagation(div);
                div.querySelector("select").addEventListener("change", function(event) {
                    var chosen = event.target.value;
                    Object.keys(layers).forEach(function(day) {
                        layers[day].forEach(function(pair) {
                            if (chosen === "all" || chosen === day) { pair[1].addLayer(pair[0]); }
                            else { pair[1].removeLayer(pair[0]); }
                        });
                    });
                });
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, labels: tuple[str, ...], layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]]):
        super().__init__()
        self.labels = list(labels)
        self.layers = {str(day): pairs for day, pairs in sorted(layers.items())}

