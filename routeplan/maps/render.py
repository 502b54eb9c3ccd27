"""Draw a plan on a Folium map: every manager's line, day by day.

One ``FeatureGroup`` per manager (listed in the layer control) holds its territory and one
sub-layer per working day with the route line, direction arrows and numbered stops. A day
selector shows one day of the cycle for every manager at once; a legend lists each manager's
figures. Districts (from districts.geojson) and the depot are layers of their own; the layer
control comes last.

Folium stays in charge of the page's structure (map, layers, controls), but the marks of a
route are not Folium objects: each manager-day carries one compact JSON array (line points,
arrow angles, stop numbers and tooltip parts) that a small script, ``routeplanDay``, turns into
Leaflet markers and a polyline in the browser. A plan of thousands of visits is thus a few
hundred Folium elements instead of tens of thousands, and the pieces of a plan (route arrays,
territories, figures) are prepared once in a :class:`_Drawing` that every map of the plan, the
whole one and each manager's, shares (:func:`render_views`).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import folium
import numpy as np
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from ..model.clock import format_hhmm
from ..model.problem import Problem
from ..model.routes import DayRoute
from ..notices import deprecated_keywords
from ..results.figures import ManagerFigures
from ..results.visit_plan import Plan
from ..roads.resolve import travel_model
from ..roads.travel import RoadTravel
from .colours import palette
from .offline import PlanMap
from .outline import territory_outline

# Legs shorter than this (degrees, |dlat| + |dlon|) get no arrow: it would sit on the stop.
_SHORT_LEG = 1e-4


@dataclass(frozen=True, slots=True, kw_only=True)
class Layers:
    """What a map of a plan draws besides the managers' routes and the depot.

    Attributes
    ----------
    territories
        Each manager's territory outline.
    districts
        The administrative districts (when the problem has them).
    legend
        The legend of each manager's figures.
    arrows
        Direction arrows on the route lines.
    streets
        With the road model, the road network faintly under the routes (a layer of its own;
        routes follow the streets either way).

    Examples
    --------
    >>> render(plan, layers=Layers(arrows=False, streets=True))  # doctest: +SKIP
    """

    territories: bool = True
    districts: bool = True
    legend: bool = True
    arrows: bool = True
    streets: bool = False


_LAYER_KEYWORDS = ("territories", "districts", "legend", "arrows", "streets")
"""The keywords of :func:`render` and :func:`render_views` that :class:`Layers` replaces."""


def render(plan: Plan, *, m: folium.Map | None = None, managers: Iterable[str] | None = None,
           tiles: str | None = "OpenStreetMap", layers: Layers | None = None, **legacy: bool) -> folium.Map:
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
    layers
        What to draw besides the routes (default: ``Layers()``: all but the streets).
    **legacy
        ``territories``, ``districts``, ``legend``, ``arrows`` and ``streets``: deprecated, the
        fields of ``layers``.

    Returns
    -------
    folium.Map
        ``m``, or the new map.

    Raises
    ------
    TypeError
        For ``layers`` together with its deprecated keywords, or an unknown keyword.
    """
    chosen = _chosen_layers(render, layers, legacy)
    return _compose(_Drawing(plan, arrows=chosen.arrows), m=m, managers=managers, tiles=tiles, layers=chosen)


def render_views(plan: Plan, *, tiles: str | None = "OpenStreetMap", layers: Layers | None = None,
                 **legacy: bool) -> tuple[folium.Map, dict[str, folium.Map]]:
    """The map of the whole plan and one map per manager, drawn from one preparation of the plan.

    Each map is the one :func:`render` draws (``render(plan)`` and ``render(plan,
    managers=[manager_id])``), but every route, territory and figure is worked out once for
    all of them, so drawing a manager's map costs only that manager's share of the plan.

    Parameters
    ----------
    plan
        The plan to draw.
    tiles
        As for :func:`render`.
    layers
        As for :func:`render`; the streets on the whole plan's map only (a manager's map stays
        small).
    **legacy
        As for :func:`render` (deprecated).

    Returns
    -------
    tuple[folium.Map, dict[str, folium.Map]]
        The whole plan's map, and the map of each manager that has routes, by manager id in the
        order of the problem's managers.

    Raises
    ------
    TypeError
        For ``layers`` together with its deprecated keywords, or an unknown keyword.
    """
    chosen = _chosen_layers(render_views, layers, legacy)
    drawing = _Drawing(plan, arrows=chosen.arrows)
    whole = _compose(drawing, tiles=tiles, layers=chosen)
    alone = replace(chosen, streets=False)
    each = {mid: _compose(drawing, managers=[mid], tiles=tiles, layers=alone) for mid in drawing.manager_ids
            if drawing.routes.get(mid)}
    return whole, each


def _chosen_layers(function: Callable[..., Any], layers: Layers | None, legacy: dict[str, bool]) -> Layers:
    """``layers``, or the layers the deprecated keywords of ``function`` ask for."""
    old = deprecated_keywords(function, legacy, _LAYER_KEYWORDS, "layers=Layers(...)", stacklevel=4)
    if old and layers is not None:
        raise TypeError(f"{function.__qualname__}() got layers and its deprecated keywords {', '.join(old)}; "
                        "pass only layers")
    return Layers(**old) if layers is None else layers


class _Drawing:
    """The pieces of a plan's maps, each worked out at most once and shared by all its maps.

    Route arrays and territories are made on first use, so a map of a few managers costs only
    their share of the plan.
    """

    def __init__(self, plan: Plan, *, arrows: bool):
        self.plan = plan
        self.arrows = arrows
        problem = plan.problem
        self.streets = problem.travel.model == "road"
        self.customers = {c.customer_id: c for c in problem.customers}
        self.managers = {x.manager_id: x for x in problem.managers}
        self.manager_ids = list(self.managers)
        self.colours = dict(zip(self.manager_ids, palette(len(self.manager_ids)), strict=True))
        self.figures: dict[str, ManagerFigures] = {f.manager_id: f for f in plan.manager_figures()}
        self.visits_planned = plan.visits_planned()
        self.visits_required = plan.visits_required()
        self.routes: dict[str, list[DayRoute]] = {}
        for route in plan.routes:
            self.routes.setdefault(route.manager_id, []).append(route)
        self._days: dict[str, list[str]] = {}
        self._territories: dict[str, dict[str, Any]] = {}
        self._bounds: dict[str, tuple[float, float, float, float] | None] = {}
        self._districts: dict[str, Any] | None = None

    def days(self, manager_id: str) -> list[str]:
        """The JSON array of each of the manager's routes, in plan order."""
        if manager_id not in self._days:
            self._days[manager_id] = [_day_data(self, route) for route in self.routes.get(manager_id, [])]
        return self._days[manager_id]

    def territory(self, manager_id: str) -> dict[str, Any]:
        """The GeoJSON geometry of the manager's territory outline."""
        if manager_id not in self._territories:
            self._territories[manager_id] = _territory_shape(self, self.routes.get(manager_id, []))
        return self._territories[manager_id]

    def bounds(self, manager_id: str) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) of the manager's stops, None without stops."""
        if manager_id not in self._bounds:
            points = [(self.customers[s.customer_id].lat, self.customers[s.customer_id].lon)
                      for r in self.routes.get(manager_id, []) for s in r.stops]
            self._bounds[manager_id] = ((min(p[0] for p in points), min(p[1] for p in points),
                                         max(p[0] for p in points), max(p[1] for p in points))
                                        if points else None)
        return self._bounds[manager_id]

    def level_name(self, tier: str, level: int) -> str:
        """The name of a tier's visit level (``level 1`` when it has none of its own)."""
        return self.plan.problem.tier(tier).levels[level - 1].name

    def districts(self) -> dict[str, Any]:
        """The problem's districts as a GeoJSON FeatureCollection."""
        if self._districts is None:
            self._districts = {"type": "FeatureCollection",
                               "features": [{"type": "Feature", "properties": {"district": d.name},
                                             "geometry": mapping(d.geometry)}
                                            for d in self.plan.problem.districts]}
        return self._districts


def _compose(drawing: _Drawing, *, m: folium.Map | None = None, managers: Iterable[str] | None = None,
             tiles: str | None = "OpenStreetMap", layers: Layers) -> folium.Map:
    """:func:`render` from prepared pieces."""
    problem = drawing.plan.problem
    wanted = None if managers is None else set(managers)
    chosen = [mid for mid in drawing.manager_ids if wanted is None or mid in wanted]
    if m is None:
        m = PlanMap(location=[problem.depot.lat, problem.depot.lon], zoom_start=12, tiles=tiles,
                       control_scale=True)
        boxes = [b for b in (drawing.bounds(mid) for mid in chosen) if b is not None]
        if boxes:
            m.fit_bounds([[min(b[0] for b in boxes), min(b[1] for b in boxes)],
                          [max(b[2] for b in boxes), max(b[3] for b in boxes)]])
    _Style().add_to(m)
    if layers.streets and problem.travel.model == "road":
        _streets_layer(problem).add_to(m)
    if layers.districts and problem.districts:
        _districts_layer(drawing).add_to(m)
    day_layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]] = {}
    for mid in chosen:
        mine = drawing.routes.get(mid, [])
        if not mine:
            continue
        colour = drawing.colours[mid]
        f = drawing.figures[mid]
        group = folium.FeatureGroup(name=f'<span style="color:{colour}">&#9632;</span> {html.escape(mid)} '
                                         f'({html.escape(drawing.managers[mid].role)}, {f.customers} customers)',
                                    show=True)
        if layers.territories:
            _territory(drawing.territory(mid), colour).add_to(group)
        for route, data in zip(mine, drawing.days(mid), strict=True):
            day = folium.FeatureGroup(name=f"{mid} {route.day}", control=False)
            _RouteDay(data).add_to(day)
            day.add_to(group)
            day_layers.setdefault(route.day_index, []).append((day, group))
        group.add_to(m)
    if problem.has_levels:
        for layer in _level_layers(drawing, set(chosen)):
            layer.add_to(m)
    depot = folium.FeatureGroup(name="depot", show=True)
    folium.Marker([problem.depot.lat, problem.depot.lon], tooltip="depot",
                  icon=folium.DivIcon(html='<div class="rp-depot">&#9733;</div>', icon_size=(24, 24),
                                      icon_anchor=(12, 12))).add_to(depot)
    depot.add_to(m)
    if day_layers:
        _DaySelector(problem.days, day_layers).add_to(m)
    if layers.legend:
        _Legend(drawing, chosen).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _level_layers(drawing: _Drawing, chosen: set[str]) -> list[folium.FeatureGroup]:
    """One layer per further visit level (level 1, 2, ...): a ring around each customer its
    managers visit at that level, coloured as the manager, with the days in the tooltip; shown
    at first, so that a market manager's round is seen over the customer managers' lines."""
    visits: dict[int, dict[str, tuple[str, list[str]]]] = {}
    for route in drawing.plan.routes:
        if route.manager_id not in chosen:
            continue
        for stop in route.stops:
            if stop.level > 0:
                entry = visits.setdefault(stop.level, {}).setdefault(stop.customer_id, (route.manager_id, []))
                entry[1].append(route.day)
    names: dict[int, set[str]] = {}
    for tier in drawing.plan.problem.tiers:
        for k, rule in enumerate(tier.levels, start=1):
            names.setdefault(k, set()).add(rule.name)
    layers = []
    for level in sorted(names):
        by_customer = visits.get(level, {})
        group = folium.FeatureGroup(name=f"level {level} ({html.escape(' / '.join(sorted(names[level])))}): "
                                         f"{sum(len(d) for _, d in by_customer.values())} visits", show=True)
        for customer_id, (manager_id, days) in by_customer.items():
            c = drawing.customers[customer_id]
            folium.CircleMarker([c.lat, c.lon], radius=9, color=drawing.colours[manager_id], weight=2, fill=False,
                                tooltip=html.escape(f"{c.name or customer_id} ({customer_id}): level {level} by "
                                                    f"{manager_id} on {', '.join(days)}")).add_to(group)
        layers.append(group)
    return layers


def _day_data(drawing: _Drawing, route: DayRoute) -> str:
    """One route as the JSON array that ``routeplanDay`` draws.

    ``[colour, "manager, day: ", line tooltip, points, arrow angles, stops]``: points run from
    the manager's start place through every stop to its end place; angle ``i`` belongs to the
    leg from point ``i`` to ``i + 1`` (null: too short for an arrow; none at all without
    arrows); stop ``i`` is ``[seq, name, customer id, tier, arrival, start, end]`` and lies at
    point ``i + 1``. Text is HTML-escaped here, in Python, exactly as the tooltips always were,
    so the script only joins the parts.
    """
    customers = drawing.customers
    points = [[lat, lon] for lon, lat in drawing.plan.route_places(route)]
    angles: list[int | None] = []
    if drawing.arrows:
        for (lat1, lon1), (lat2, lon2) in pairwise(points):
            short = abs(lat1 - lat2) + abs(lon1 - lon2) < _SHORT_LEG
            # Whole degrees, rounded as the arrows' CSS always was.
            angles.append(None if short else int(f"{_bearing(lat1, lon1, lat2, lon2):.0f}"))
    stops = []
    for stop in route.stops:
        c = customers[stop.customer_id]
        tier = c.tier if stop.level == 0 else f"{c.tier}, {drawing.level_name(c.tier, stop.level)}"
        stops.append([stop.seq, html.escape(c.name or c.customer_id), html.escape(c.customer_id),
                      html.escape(tier), format_hhmm(stop.arrival / 60), format_hhmm(stop.start / 60),
                      format_hhmm(stop.end / 60)])
    line = (f"{route.manager_id} {route.day}: {len(route.stops)} visits, {route.travel_km:.1f} km, "
            f"{format_hhmm(route.depart / 60)}-{format_hhmm(route.return_time / 60)}")
    who = f"{html.escape(route.manager_id)}, {html.escape(route.day)}: "
    data: list[Any] = [drawing.colours[route.manager_id], who, line, points, angles, stops]
    if drawing.streets:  # the line along the streets, the stops and arrows where they were
        data.append([[lat, lon] for lon, lat in drawing.plan.route_line(route)])
    if route.break_start is not None:  # the day's break: where it is taken, and when
        if not drawing.streets:
            data.append(None)
        end = route.break_start / 60 + route.break_min
        data.append([points[_break_place(route)], f"break {format_hhmm(route.break_start / 60)}-{format_hhmm(end)}"])
    return _script_json(data)


def _break_place(route: DayRoute) -> int:
    """Where the route's break is taken, as an index of its places (0: the start place, ``k``:
    the ``k``-th stop, the last: the end place)."""
    assert route.break_start is not None
    if route.break_start >= route.return_time:
        return len(route.stops) + 1
    return sum(1 for stop in route.stops if stop.end <= route.break_start)


def _script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element (no ``</script>``, no
    ``<!--``) and keeps non-ASCII names readable and short."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Compass bearing in degrees (0 = north, clockwise) from point 1 to point 2."""
    y = math.sin(math.radians(lon2 - lon1)) * math.cos(math.radians(lat2))
    x = (math.cos(math.radians(lat1)) * math.sin(math.radians(lat2))
         - math.sin(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.cos(math.radians(lon2 - lon1)))
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def _territory_shape(drawing: _Drawing, routes: list[DayRoute]) -> dict[str, Any]:
    """The outline of a manager's customers (a concave hull, slightly widened), as GeoJSON."""
    served = {s.customer_id for r in routes for s in r.stops}
    return territory_outline([(drawing.customers[cid].lon, drawing.customers[cid].lat) for cid in sorted(served)])


def _territory(shape: dict[str, Any], colour: str) -> folium.GeoJson:
    return folium.GeoJson(shape, name="territory",
                          style_function=lambda _feature, colour=colour: {
                              "color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": 0.08,
                              "dashArray": "4 4"})


def _streets_layer(problem: Problem) -> folium.FeatureGroup:
    """The road network's segments (each once, whatever its directions), faint and grey."""
    model = travel_model(problem.travel)
    assert isinstance(model, RoadTravel)
    network = model.network
    pairs = np.unique(np.sort(np.stack([network.tail, network.head], axis=1), axis=1), axis=0)
    lines = [[[round(float(network.lon[a]), 7), round(float(network.lat[a]), 7)],
              [round(float(network.lon[b]), 7), round(float(network.lat[b]), 7)]] for a, b in pairs]
    layer = folium.FeatureGroup(name="streets", show=True)
    folium.GeoJson({"type": "Feature", "properties": {}, "geometry": {"type": "MultiLineString", "coordinates": lines}},
                   style_function=lambda _: {"color": "#777777", "weight": 1, "opacity": 0.35},
                   interactive=False).add_to(layer)
    return layer


def _districts_layer(drawing: _Drawing) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="districts", show=True)
    folium.GeoJson(drawing.districts(),
                   style_function=lambda _feature: {"color": "#555555", "weight": 1, "fillOpacity": 0.0,
                                                    "dashArray": "2 6"},
                   tooltip=folium.GeoJsonTooltip(["district"])).add_to(layer)
    return layer


class _Style(MacroElement):
    """CSS of the numbered stops, arrows, depot, legend and day selector, and the script that
    draws a route from its JSON array (:func:`_day_data`)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .rp-stop { width: 18px; height: 18px; border-radius: 9px; color: #fff; font: bold 10px/18px sans-serif;
                   text-align: center; border: 1px solid #fff; box-shadow: 0 0 2px #000; }
        .rp-arrow { width: 0; height: 0; border-left: 5px solid transparent; border-right: 5px solid transparent;
                    border-bottom: 10px solid #000; }
        .rp-break { width: 12px; height: 12px; border: 2px solid; border-radius: 3px; background: #fff;
                    font: bold 8px/12px sans-serif; text-align: center; color: #333; }
        .rp-depot { font: 22px/24px sans-serif; color: #000; text-shadow: 0 0 3px #fff; text-align: center; }
        .rp-panel { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
                    box-shadow: 0 1px 4px rgba(0,0,0,0.4); font: 12px sans-serif; }
        .rp-panel table { border-collapse: collapse; } .rp-panel td, .rp-panel th { padding: 0 4px; text-align: right; }
        .rp-panel td:first-child, .rp-panel th:first-child { text-align: left; }
        </style>
        <script>
        // One manager-day: d = [colour, "manager, day: ", line tooltip, points, arrow angles, stops,
        // and, on streets, the line along them (else null when a break follows), and the day's
        // break: [where, "break HH:MM-HH:MM"]].
        // Draws what Folium's PolyLine and DivIcon markers drew: the line (under), an arrow in the
        // middle of each leg, and the numbered stops (on top), each with its tooltip.
        function routeplanDay(layer, d) {
            var colour = d[0], who = d[1], points = d[3], angles = d[4], stops = d[5], i, a, b, s;
            L.polyline(d.length > 6 && d[6] ? d[6] : points, {color: colour, weight: 3, opacity: 0.8})
                .bindTooltip("<div>" + d[2] + "</div>", {sticky: true}).addTo(layer);
            for (i = 0; i < angles.length; i++) {
                if (angles[i] === null) { continue; }
                a = points[i]; b = points[i + 1];
                // A CSS triangle pointing along the leg (no icon font needed offline).
                L.marker([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], {interactive: false, icon: L.divIcon({
                    html: '<div class="rp-arrow" style="border-bottom-color:' + colour + ';transform:rotate('
                          + angles[i] + 'deg)"></div>',
                    iconSize: [10, 10], iconAnchor: [5, 5], className: "empty"})}).addTo(layer);
            }
            for (i = 0; i < stops.length; i++) {
                s = stops[i];
                L.marker(points[i + 1], {icon: L.divIcon({
                    html: '<div class="rp-stop" style="background:' + colour + '">' + s[0] + '</div>',
                    iconSize: [18, 18], iconAnchor: [9, 9], className: "empty"})})
                    .bindTooltip("<div><b>" + s[0] + ". " + s[1] + "</b> (" + s[2] + ", " + s[3] + ")<br>" + who
                                 + "arrive " + s[4] + ", visit " + s[5] + "-" + s[6] + "</div>", {sticky: true})
                    .addTo(layer);
            }
            if (d.length > 7) {
                L.marker(d[7][0], {zIndexOffset: 1000, icon: L.divIcon({
                    html: '<div class="rp-break" style="border-color:' + colour + '">II</div>',
                    iconSize: [16, 16], iconAnchor: [8, 20], className: "empty"})})
                    .bindTooltip("<div>" + who + d[7][1] + "</div>", {sticky: true}).addTo(layer);
            }
        }
        </script>
        {% endmacro %}
    """)


class _RouteDay(MacroElement):
    """One manager-day's line, arrows and stops, drawn into its parent layer by ``routeplanDay``."""

    def __init__(self, data: str):
        super().__init__()
        self._name = "RouteDay"
        self.data = data

    def render(self, **kwargs: Any) -> str:
        # Not through a macro: branca would compile the rendered call, JSON and all, as a Jinja
        # template again, which is slow and would misread names holding "{{" or "{%".
        root, parent = self.get_root(), self._parent
        if not isinstance(root, Figure) or parent is None:
            raise TypeError("a route day is drawn into a layer of a map on a page")
        root.script.add_child(_Text(f"routeplanDay({parent.get_name()}, {self.data});"), name=self.get_name())
        return ""  # like every macro element, it writes into the page's script, not in place


class _Text(Element):
    """Text put into the page as it is (no Jinja template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


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

    def __init__(self, drawing: _Drawing, managers: list[str]):
        super().__init__()
        plan = drawing.plan
        rows = [("<tr><th>manager</th><th>role</th><th>customers</th><th>visits</th><th>km</th><th>work h</th>"
                 "<th>longest day h</th></tr>")]
        for mid in managers:
            f = drawing.figures[mid]
            rows.append(f'<tr><td><span style="color:{drawing.colours[mid]}">&#9632;</span> {html.escape(mid)}</td>'
                        f"<td>{html.escape(f.role)}</td><td>{f.customers}</td><td>{f.visits}</td>"
                        f"<td>{f.travel_km:.1f}</td><td>{f.work_min / 60:.1f}</td>"
                        f"<td>{f.max_day_work_min / 60:.2f}</td></tr>")
        self.html = (f"<b>{html.escape(plan.problem.name)}</b> &middot; {html.escape(plan.strategy)} &middot; "
                     f"{drawing.visits_planned}/{drawing.visits_required} visits<table>{''.join(rows)}</table>")


class _DaySelector(MacroElement):
    """A drop-down that shows every manager's route of one day, or of all days."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            // day index -> [[day layer, the manager group holding it], ...]
            var layers = { {%- for day, pairs in this.layers.items() %}
                {{ day|tojson }}: [
                {%- for layer, group in pairs %}[{{ layer.get_name() }}, {{ group.get_name() }}]
                {{- "," if not loop.last }}
                {%- endfor %}],
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

    def __init__(self, labels: tuple[str, ...],
                 layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]]):
        super().__init__()
        self.labels = list(labels)
        self.layers = {str(day): pairs for day, pairs in sorted(layers.items())}
