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
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from ..model.clock import format_hhmm
from ..model.problem import Problem
from ..model.routes import DayRoute
from ..notices import deprecated_keywords
from ..results.figures import ManagerFigures
from ..results.visit_plan import Plan
from ..roads.resolve import travel_model
from ..roads.travel import RoadTravel
from .colours import Look, assign
from .offline import PlanMap
from .outline import territory_hull

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


def manager_looks(plan: Plan) -> dict[str, Look]:
    """How each manager of ``plan`` is drawn on its maps (colour, line dash and stop shape): no
    two managers alike, and managers whose territories touch in colours far apart.

    Returns
    -------
    dict[str, Look]
        By manager id, in the order of the problem's managers.
    """
    return dict(_Drawing(plan, arrows=False).looks)


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
        self.figures: dict[str, ManagerFigures] = {f.manager_id: f for f in plan.manager_figures()}
        self.visits_planned = plan.visits_planned()
        self.visits_required = plan.visits_required()
        self.routes: dict[str, list[DayRoute]] = {}
        for route in plan.routes:
            self.routes.setdefault(route.manager_id, []).append(route)
        self._days: dict[str, list[str]] = {}
        self._territories: dict[str, dict[str, Any]] = {}
        self._outlines: dict[str, BaseGeometry] = {}
        self._bounds: dict[str, tuple[float, float, float, float] | None] = {}
        self._districts: dict[str, Any] | None = None
        self.looks = assign(self.manager_ids, self.neighbours())
        self.colours = {mid: look.colour for mid, look in self.looks.items()}

    def neighbours(self) -> dict[str, set[str]]:
        """For each manager with routes, the managers whose territories touch or overlap its own."""
        ids = [mid for mid in self.manager_ids if self.routes.get(mid)]
        shapes = [self.territory_geometry(mid) for mid in ids]
        near: dict[str, set[str]] = {mid: set() for mid in ids}
        if len(shapes) > 1:
            tree = shapely.STRtree(shapes)
            for i, j in tree.query(shapes, predicate="intersects").T.tolist():
                if i != j:
                    near[ids[i]].add(ids[j])
        return near

    def days(self, manager_id: str) -> list[str]:
        """The JSON array of each of the manager's routes, in plan order."""
        if manager_id not in self._days:
            self._days[manager_id] = [_day_data(self, route) for route in self.routes.get(manager_id, [])]
        return self._days[manager_id]

    def territory(self, manager_id: str) -> dict[str, Any]:
        """The GeoJSON geometry of the manager's territory outline."""
        if manager_id not in self._territories:
            self._territories[manager_id] = mapping(self.territory_geometry(manager_id))
        return self._territories[manager_id]

    def territory_geometry(self, manager_id: str) -> BaseGeometry:
        """The manager's territory outline (a concave hull of its customers, slightly widened)."""
        if manager_id not in self._outlines:
            self._outlines[manager_id] = _territory_shape(self, self.routes.get(manager_id, []))
        return self._outlines[manager_id]

    def served(self, manager_id: str) -> list[str]:
        """The customers the manager visits, each once, in the order first visited."""
        return list(dict.fromkeys(s.customer_id for r in self.routes.get(manager_id, []) for s in r.stops))

    def bounds(self, manager_id: str) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) of the manager's stops and of where its days start and
        end, None without stops."""
        if manager_id not in self._bounds:
            points = [(self.customers[s.customer_id].lat, self.customers[s.customer_id].lon)
                      for r in self.routes.get(manager_id, []) for s in r.stops]
            if points:
                manager = self.managers[manager_id]
                points += [(manager.start.lat, manager.start.lon), (manager.end.lat, manager.end.lon)]
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
    fit = None
    if m is None:
        m = PlanMap(location=[problem.depot.lat, problem.depot.lon], zoom_start=12, tiles=tiles,
                    control_scale=True, zoom_snap=0.25)
        boxes = [b for b in (drawing.bounds(mid) for mid in chosen) if b is not None]
        if boxes:
            fit = _Fit([[min(b[0] for b in boxes), min(b[1] for b in boxes)],
                        [max(b[2] for b in boxes), max(b[3] for b in boxes)]])
    _Style().add_to(m)
    if layers.streets and problem.travel.model == "road":
        _streets_layer(problem).add_to(m)
    if layers.districts and problem.districts:
        _districts_layer(drawing).add_to(m)
    first = min((r.day_index for mid in chosen for r in drawing.routes.get(mid, [])), default=0)
    day_layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]] = {}
    overview: list[tuple[folium.FeatureGroup, folium.FeatureGroup]] = []
    for mid in chosen:
        mine = drawing.routes.get(mid, [])
        if not mine:
            continue
        look = drawing.looks[mid]
        f = drawing.figures[mid]
        group = folium.FeatureGroup(name=f"{_swatch(look)} {html.escape(mid)} "
                                         f"({html.escape(drawing.managers[mid].role)}, {f.customers} customers)",
                                    show=True)
        if layers.territories:
            _territory(drawing.territory(mid), look).add_to(group)
        # Only the first day's layers join their manager at first (the day selector swaps them),
        # so a page of thousands of stops does not draw them all to take most away again.
        dots = folium.FeatureGroup(name=f"{mid} overview", control=False, show=False)
        _Call("routeplanDots", look.colour, _deltas([(drawing.customers[cid].lat, drawing.customers[cid].lon)
                                                     for cid in drawing.served(mid)])).add_to(dots)
        dots.add_to(group)
        overview.append((dots, group))
        for route, data in zip(mine, drawing.days(mid), strict=True):
            day = folium.FeatureGroup(name=f"{mid} {route.day}", control=False, show=route.day_index == first)
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
        _DaySelector(_day_choices(drawing, chosen, day_layers), day_layers, overview).add_to(m)
    if layers.legend:
        _Legend(drawing, chosen).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if fit is not None:
        fit.add_to(m)
    return m


_SWATCH_LINES = {"": "solid", "10 6": "dashed", "2 6": "dotted", "12 5 3 5": "double"}
"""The CSS border style that stands for each dash pattern in a swatch."""


def _swatch(look: Look) -> str:
    """A small sample of a manager's colour and line style, for the layer control and legend."""
    line = _SWATCH_LINES.get(look.dash, "dashed")
    if look.shape == "square":  # and a square after the line, as the stops are
        return f'<i class="rp-sw rp-sq" style="border-top:3px {line} {look.colour};color:{look.colour}"></i>'
    return f'<i class="rp-sw" style="border-top:3px {line} {look.colour}"></i>'


def _deltas(points: list[tuple[float, float]]) -> list[int]:
    """``[(lat, lon), ...]`` as whole 1e-5 degrees (about a metre), each after the first as the
    change from the one before: ``[lat0, lon0, dlat1, dlon1, ...]`` (short in a page, since
    a manager's customers lie near each other in the order visited)."""
    out: list[int] = []
    last = (0, 0)
    for lat, lon in points:
        here = (round(lat * 1e5), round(lon * 1e5))
        out += [here[0] - last[0], here[1] - last[1]]
        last = here
    return out


def _day_choices(drawing: _Drawing, chosen: list[str],
                 day_layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]]) -> list[list[Any]]:
    """Every day of the cycle for the day selector: ``[index, label, note]``, the note empty on a
    day with routes, else why there is none ("no route", or "day off" for a manager's own map on
    a day it does not work)."""
    problem = drawing.plan.problem
    alone = drawing.managers[chosen[0]] if len(chosen) == 1 else None
    out: list[list[Any]] = []
    for index, label in enumerate(problem.days):
        if index in day_layers:
            note = ""
        elif alone is not None and index not in alone.days:
            note = "day off"
        else:
            note = "no route"
        out.append([index, label, note])
    return out


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
        if len(data) < 7:
            data.append(None)
        data.append([points[_break_place(route)], _break_text(route)])
    look = drawing.looks[route.manager_id]
    if look.dash or look.shape != "circle":  # a colour shared with other managers: a style of its own
        data.extend([None] * (8 - len(data)))
        data.append([look.dash, look.shape])
    return _script_json(data)


def _break_text(route: DayRoute) -> str:
    """``break HH:MM-HH:MM`` of a route with a break."""
    assert route.break_start is not None
    end = route.break_start / 60 + route.break_min
    return f"break {format_hhmm(route.break_start / 60)}-{format_hhmm(end)}"


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


def _territory_shape(drawing: _Drawing, routes: list[DayRoute]) -> BaseGeometry:
    """The outline of a manager's customers (a concave hull, slightly widened)."""
    served = {s.customer_id for r in routes for s in r.stops}
    return territory_hull([(drawing.customers[cid].lon, drawing.customers[cid].lat) for cid in sorted(served)])


def _territory(shape: dict[str, Any], look: Look) -> folium.GeoJson:
    colour = look.colour
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
    """The districts' outlines, each with its name written at a point inside it (drawn by the
    page's script, so it shows offline too)."""
    layer = folium.FeatureGroup(name="districts", show=True)
    folium.GeoJson(drawing.districts(),
                   style_function=lambda _feature: {"color": "#555555", "weight": 1, "fillOpacity": 0.0,
                                                    "dashArray": "2 6"},
                   tooltip=folium.GeoJsonTooltip(["district"])).add_to(layer)
    labels = []
    for district in drawing.plan.problem.districts:
        if district.geometry.is_empty:
            continue
        point = district.geometry.representative_point()
        labels.append([round(point.y, 5), round(point.x, 5), html.escape(district.name)])
    _Call("routeplanLabels", labels).add_to(layer)
    return layer


class _Style(MacroElement):
    """CSS of the numbered stops, arrows, depot, district names and panels, and the scripts that
    draw a route from its JSON array (:func:`_day_data`), a manager's customers as dots, the
    districts' names, the panels (each with a button that folds it) and the first view."""

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
        .rp-district span { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
                            font: italic 12px sans-serif; color: #444; pointer-events: none;
                            text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
        .rp-panel { background: rgba(255,255,255,0.94); padding: 4px 8px 6px; border-radius: 4px;
                    box-shadow: 0 1px 4px rgba(0,0,0,0.4); font: 12px sans-serif; }
        .rp-head { display: flex; align-items: center; gap: 8px; justify-content: space-between; }
        .rp-toggle { border: 1px solid #999; background: #fff; border-radius: 3px; width: 20px; height: 20px;
                     padding: 0; font: bold 13px/16px sans-serif; cursor: pointer; }
        .rp-collapsed .rp-body { display: none; }
        .rp-legend .rp-body { max-height: 45vh; max-width: 60vw; overflow: auto; }
        .rp-panel table { border-collapse: collapse; } .rp-panel td, .rp-panel th { padding: 0 4px; text-align: right; }
        .rp-panel td:first-child, .rp-panel th:first-child { text-align: left; white-space: nowrap; }
        .rp-panel .rp-none { color: #777; text-align: left; font-style: italic; }
        .rp-sw { display: inline-block; width: 20px; height: 0; vertical-align: middle; }
        .rp-sw.rp-sq::after { content: ""; display: inline-block; width: 6px; height: 6px; margin: -5px 0 0 7px;
                              vertical-align: top; background: currentColor; }
        </style>
        <script>
        // Dark numbers on light colours, white on the others.
        function routeplanInk(colour) {
            var r = parseInt(colour.substr(1, 2), 16), g = parseInt(colour.substr(3, 2), 16),
                b = parseInt(colour.substr(5, 2), 16);
            return 0.299 * r + 0.587 * g + 0.114 * b > 165 ? "#222" : "#fff";
        }
        // One manager-day: d = [colour, "manager, day: ", line tooltip, points, arrow angles, stops,
        // then optionally (null when absent and a later one follows): the line along the streets,
        // the day's break [where, "break HH:MM-HH:MM"], and the manager's style [dash, shape] when
        // its colour is shared with other managers.
        // Draws the line (under), an arrow in the middle of each leg, and the numbered stops (on
        // top), each with its tooltip.
        function routeplanDay(layer, d) {
            var colour = d[0], who = d[1], points = d[3], angles = d[4], stops = d[5], i, a, b, s;
            var style = d.length > 8 && d[8] ? d[8] : ["", "circle"], ink = routeplanInk(colour);
            var corner = style[1] === "square" ? "border-radius:2px;" : "";
            L.polyline(d.length > 6 && d[6] ? d[6] : points,
                       {color: colour, weight: 3, opacity: 0.8, dashArray: style[0] || null})
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
                    html: '<div class="rp-stop" style="background:' + colour + ';color:' + ink + ';' + corner + '">'
                          + s[0] + '</div>',
                    iconSize: [18, 18], iconAnchor: [9, 9], className: "empty"})})
                    .bindTooltip("<div><b>" + s[0] + ". " + s[1] + "</b> (" + s[2] + ", " + s[3] + ")<br>" + who
                                 + "arrive " + s[4] + ", visit " + s[5] + "-" + s[6] + "</div>", {sticky: true})
                    .addTo(layer);
            }
            if (d.length > 7 && d[7]) {
                L.marker(d[7][0], {zIndexOffset: 1000, icon: L.divIcon({
                    html: '<div class="rp-break" style="border-color:' + colour + '">II</div>',
                    iconSize: [16, 16], iconAnchor: [8, 20], className: "empty"})})
                    .bindTooltip("<div>" + who + d[7][1] + "</div>", {sticky: true}).addTo(layer);
            }
        }
        // A manager's customers as small dots (the overview), on one canvas for the page; deltas =
        // [lat, lon, dlat, dlon, ...] in whole 1e-5 degrees, each point after the first as the
        // change from the one before.
        function routeplanDots(layer, colour, deltas) {
            var lat = 0, lon = 0;
            window.routeplanCanvas = window.routeplanCanvas || L.canvas({padding: 0.2});
            for (var i = 0; i < deltas.length; i += 2) {
                lat += deltas[i]; lon += deltas[i + 1];
                L.circleMarker([lat / 1e5, lon / 1e5], {renderer: window.routeplanCanvas, radius: 3, weight: 1,
                               color: colour, fillColor: colour, fillOpacity: 0.75, interactive: false}).addTo(layer);
            }
        }
        // Each district's name at a point inside it: labels = [[lat, lon, name as HTML], ...].
        function routeplanLabels(layer, labels) {
            for (var i = 0; i < labels.length; i++) {
                L.marker([labels[i][0], labels[i][1]], {interactive: false, keyboard: false, icon: L.divIcon({
                    html: "<span>" + labels[i][2] + "</span>", iconSize: [0, 0], className: "rp-district"})})
                    .addTo(layer);
            }
        }
        function routeplanCollapse(div, collapsed) {
            var button = div.querySelector(".rp-toggle");
            div.classList.toggle("rp-collapsed", collapsed);
            button.textContent = collapsed ? "+" : "\\u2212";
            button.title = collapsed ? "show" : "hide";
            button.setAttribute("aria-expanded", String(!collapsed));
        }
        // A panel in a corner of the map with a title and a button that folds it; returns its
        // parts ({div, body}).
        function routeplanPanel(map, position, name, title) {
            var control = L.control({position: position}), parts = {};
            control.onAdd = function() {
                var div = L.DomUtil.create("div", "rp-panel " + name);
                div.innerHTML = '<div class="rp-head"><b class="rp-title"></b><button type="button" '
                                + 'class="rp-toggle"></button></div><div class="rp-body"></div>';
                div.querySelector(".rp-title").textContent = title;
                div.querySelector(".rp-toggle").addEventListener("click", function() {
                    routeplanCollapse(div, !div.classList.contains("rp-collapsed"));
                });
                routeplanCollapse(div, false);
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                parts.div = div;
                parts.body = div.querySelector(".rp-body");
                return div;
            };
            control.addTo(map);
            return parts;
        }
        // The first view: the plan's bounds as large as they can be with no control over them.
        // Each control keeps clear either the side of the map it is on (its width) or the top or
        // bottom (its height); of every such choice, the one that lets the map zoom in most. A
        // panel that would cost more than a zoom level is folded first (all of them with
        // "#compact" in the address, as in compare.html).
        function routeplanFit(map, bounds) {
            var container = map.getContainer(), margin = 14;
            bounds = L.latLngBounds(bounds);
            var panels = function(open) {
                return Array.prototype.slice.call(container.querySelectorAll(
                    open ? ".rp-panel:not(.rp-collapsed)" : ".rp-panel"));
            };
            if (/compact/.test(window.location.hash)) {
                panels(false).forEach(function(div) { routeplanCollapse(div, true); });
            }
            function choose() {
                var box = container.getBoundingClientRect(), controls = [], best = null, mask, pad, zoom, area;
                Array.prototype.forEach.call(container.querySelectorAll(".leaflet-control"), function(el) {
                    var r = el.getBoundingClientRect(), corner = el.parentNode.className;
                    if (r.width === 0 || r.height === 0) { return; }
                    var left = corner.indexOf("leaflet-left") >= 0, top = corner.indexOf("leaflet-top") >= 0;
                    controls.push({left: left, top: top, x: (left ? r.right - box.left : box.right - r.left) + margin,
                                   y: (top ? r.bottom - box.top : box.bottom - r.top) + margin});
                });
                for (mask = 0; mask < (1 << controls.length); mask++) {
                    pad = {l: margin, r: margin, t: margin, b: margin};
                    controls.forEach(function(c, i) {
                        if (mask & (1 << i)) {
                            if (c.left) { pad.l = Math.max(pad.l, c.x); } else { pad.r = Math.max(pad.r, c.x); }
                        } else if (c.top) { pad.t = Math.max(pad.t, c.y); } else { pad.b = Math.max(pad.b, c.y); }
                    });
                    if (pad.l + pad.r > box.width - 60 || pad.t + pad.b > box.height - 60) { continue; }
                    zoom = map.getBoundsZoom(bounds, false, L.point(pad.l + pad.r, pad.t + pad.b));
                    area = (box.width - pad.l - pad.r) * (box.height - pad.t - pad.b);
                    if (!best || zoom > best.zoom || (zoom === best.zoom && area > best.area)) {
                        best = {zoom: zoom, area: area, pad: pad};
                    }
                }
                return best;
            }
            if (!container.clientWidth || !container.clientHeight) {  // not shown (yet): no panel to avoid
                map.fitBounds(bounds, {animate: false});
                return;
            }
            var ideal = map.getBoundsZoom(bounds, false, L.point(2 * margin, 2 * margin)), best = choose();
            while ((!best || best.zoom < ideal - 1) && panels(true).length) {
                var open = panels(true).map(function(div) {
                    var r = div.getBoundingClientRect();
                    return [r.width * r.height, div];
                });
                open.sort(function(a, b) { return b[0] - a[0]; });
                routeplanCollapse(open[0][1], true);
                best = choose();
            }
            var pad = best ? best.pad : {l: margin, r: margin, t: margin, b: margin};
            map.fitBounds(bounds, {paddingTopLeft: [pad.l, pad.t], paddingBottomRight: [pad.r, pad.b], animate: false});
            map.routeplanFit = {padding: pad, bounds: bounds};
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


class _Call(MacroElement):
    """A call of one of the page's functions (``routeplanDots``, ``routeplanLabels``) that draws
    into its parent layer: ``function(layer, *arguments)``, the arguments as JSON."""

    def __init__(self, function: str, *arguments: Any):
        super().__init__()
        self._name = "Call"
        self.function = function
        self.arguments = arguments

    def render(self, **kwargs: Any) -> str:
        root, parent = self.get_root(), self._parent
        if not isinstance(root, Figure) or parent is None:
            raise TypeError(f"{self.function} draws into a layer of a map on a page")
        arguments = "".join(f", {_script_json(a)}" for a in self.arguments)
        root.script.add_child(_Text(f"{self.function}({parent.get_name()}{arguments});"), name=self.get_name())
        return ""


class _Text(Element):
    """Text put into the page as it is (no Jinja template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _Legend(MacroElement):
    """The figures of every drawn manager, bottom left: over the cycle, or of the day the day
    selector shows (visits, km, work, out and back, break; "no route" on a day without one)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var panel = routeplanPanel(map, "bottomleft", "rp-legend", "Figures");
            var head = {{ this.head|tojson }}, cycle = {{ this.html|tojson }};
            var managers = {{ this.managers|tojson }}, labels = {{ this.labels|tojson }};
            var days = {{ this.days|tojson }};
            function hhmm(minutes) {  // as format_hhmm: HH:MM, minutes rounded
                var m = Math.round(minutes), h = Math.floor(m / 60);
                return (h < 10 ? "0" : "") + h + ":" + (m % 60 < 10 ? "0" : "") + (m % 60);
            }
            // r = [visits, km, work min, out, back, break start, break end] (minutes), or none.
            function cells(r) {
                if (!r) { return '<td colspan="5" class="rp-none">no route</td>'; }
                return "<td>" + r[0] + "</td><td>" + r[1].toFixed(1) + "</td><td>" + hhmm(r[2]) + "</td><td>"
                       + hhmm(r[3]) + "\u2013" + hhmm(r[4]) + "</td><td>"
                       + (r.length > 5 ? hhmm(r[5]) + "-" + hhmm(r[6]) : "") + "</td>";
            }
            var columns = "<th>visits</th><th>km</th><th>work h:mm</th><th>out\u2013back</th><th>break</th></tr>";
            function show(day) {
                var body = head;
                if (day === undefined || day === "all" || day === "overview") {
                    body += '<div class="rp-sub">' + (day === "overview" ? "overview: " : "") + "the whole cycle</div>";
                    body += cycle;
                    if (managers.length === 1) {  // a manager's own map: each day of the cycle too
                        body += "<table><tr><th>day</th>" + columns;
                        Object.keys(labels).forEach(function(k) {
                            body += "<tr><td>" + labels[k] + "</td>" + cells((days[k] || {})[managers[0][0]]) + "</tr>";
                        });
                        body += "</table>";
                    }
                } else {
                    body += '<div class="rp-sub">' + labels[day] + "</div><table><tr><th>manager</th>" + columns;
                    managers.forEach(function(m) {
                        body += "<tr><td>" + m[1] + " " + m[0] + "</td>" + cells((days[day] || {})[m[0]]) + "</tr>";
                    });
                    body += "</table>";
                }
                panel.body.innerHTML = body;
                panel.div.setAttribute("data-day", day === undefined ? "all" : day);
            }
            show(map.routeplanDay);
            map.on("routeplanday", function(event) { show(event.day); });
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
            rows.append(f"<tr><td>{_swatch(drawing.looks[mid])} {html.escape(mid)}</td>"
                        f"<td>{html.escape(f.role)}</td><td>{f.customers}</td><td>{f.visits}</td>"
                        f"<td>{f.travel_km:.1f}</td><td>{f.work_min / 60:.1f}</td>"
                        f"<td>{f.max_day_work_min / 60:.2f}</td></tr>")
        self.head = (f"<b>{html.escape(plan.problem.name)}</b> &middot; {html.escape(plan.strategy)} &middot; "
                     f"{drawing.visits_planned}/{drawing.visits_required} visits")
        if len(managers) == 1:  # a manager's own map: who it is first
            manager = drawing.managers[managers[0]]
            name = f" {html.escape(manager.name)}" if manager.name else ""
            self.head = (f"<b>{html.escape(manager.manager_id)}</b>{name} ({html.escape(manager.role)}) &middot; "
                         f"{html.escape(plan.problem.name)} &middot; {html.escape(plan.strategy)}")
        self.html = f"<table>{''.join(rows)}</table>"
        self.managers = [[html.escape(mid), _swatch(drawing.looks[mid])] for mid in managers]
        self.labels = {str(k): html.escape(label) for k, label in enumerate(plan.problem.days)}
        days: dict[str, dict[str, list[Any]]] = {}
        for mid in managers:
            for route in drawing.routes.get(mid, []):
                day = [len(route.stops), round(route.travel_km, 1), round(route.work_min), round(route.depart / 60),
                       round(route.return_time / 60)]
                if route.break_start is not None:
                    day += [round(route.break_start / 60), round(route.break_start / 60 + route.break_min)]
                days.setdefault(str(route.day_index), {})[html.escape(mid)] = day
        self.days = days


class _DaySelector(MacroElement):
    """A drop-down of every day of the cycle (a day without a route says so), the overview (each
    manager's territory and customers, no routes) and all days at once; the map opens on the
    first day with a route."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            // day index -> [[day layer, the manager group holding it], ...]
            var layers = { {%- for day, pairs in this.layers.items() %}
                {{ day|tojson }}: [
                {%- for layer, group in pairs %}[{{ layer.get_name() }}, {{ group.get_name() }}]
                {{- "," if not loop.last }}
                {%- endfor %}],
            {%- endfor %} };
            var overview = [ {%- for layer, group in this.overview %}[{{ layer.get_name() }}, {{ group.get_name() }}]
                {{- "," if not loop.last }}{%- endfor %} ];
            var panel = routeplanPanel(map, "topleft", "rp-days", "Day");
            var select = document.createElement("select");
            function option(value, text) {
                var o = document.createElement("option");
                o.value = value;
                o.textContent = text;
                select.appendChild(o);
            }
            option("overview", "overview: territories");
            {{ this.days|tojson }}.forEach(function(d) {
                option(String(d[0]), d[1] + (d[2] ? " (" + d[2] + ")" : ""));
            });
            option("all", "all days");
            panel.body.appendChild(select);
            function show(chosen) {
                Object.keys(layers).forEach(function(day) {
                    layers[day].forEach(function(pair) {
                        if (chosen === "all" || chosen === day) { pair[1].addLayer(pair[0]); }
                        else { pair[1].removeLayer(pair[0]); }
                    });
                });
                overview.forEach(function(pair) {
                    if (chosen === "overview") { pair[1].addLayer(pair[0]); } else { pair[1].removeLayer(pair[0]); }
                });
                select.value = chosen;
                map.routeplanDay = chosen;
                map.fire("routeplanday", {day: chosen});
            }
            select.addEventListener("change", function(event) { show(event.target.value); });
            show({{ this.first|tojson }});
        })();
        {% endmacro %}
    """)

    def __init__(self, days: list[list[Any]], layers: dict[int, list[tuple[folium.FeatureGroup, folium.FeatureGroup]]],
                 overview: list[tuple[folium.FeatureGroup, folium.FeatureGroup]]):
        super().__init__()
        self.days = days
        self.layers = {str(day): pairs for day, pairs in sorted(layers.items())}
        self.overview = overview
        self.first = str(min(layers))


class _Fit(MacroElement):
    """The first view of a map: the plan's bounds clear of every panel (``routeplanFit``); added
    after the panels, so that their sizes are known."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        routeplanFit({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "Fit"
        self.bounds = bounds
