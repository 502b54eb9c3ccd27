"""How an OpenStreetMap way becomes directed road edges: which ``highway`` types are driven, at
what speed, in which direction. The one place these rules live (README, "Travel on streets").

- **Driven** ``highway`` types and their speeds (km/h) where the way has no usable ``maxspeed``:
  :data:`HIGHWAY_SPEED_KMH`. Anything else (footways, paths, cycleways, steps, tracks,
  construction, proposals, platforms) is not driven, nor a way with ``area=yes``, or with
  ``access``, ``vehicle``, ``motor_vehicle`` or ``motorcar`` set to ``no`` or ``private``.
- **Speed**: ``maxspeed`` in km/h (``"50"``, ``"50 km/h"``), in mph (``"30 mph"``, times
  1.609344), the lowest of several (``"50;30"``); anything else (``"signals"``, ``"none"``,
  ``"CN:urban"``) falls back to the type's speed.
- **Direction**: ``oneway`` = ``yes``/``true``/``1`` forward only, ``-1``/``reverse`` backward
  only, ``no``/``false``/``0`` both ways; without ``oneway``, motorways and roundabouts
  (``junction=roundabout`` or ``circular``) are one way, everything else both ways.
- **Length**: the great-circle length of each segment between consecutive nodes of the way,
  every node of a driven way a node of the graph.
"""

from __future__ import annotations

import re

HIGHWAY_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0, "motorway_link": 45.0, "trunk": 70.0, "trunk_link": 40.0,
    "primary": 50.0, "primary_link": 35.0, "secondary": 40.0, "secondary_link": 30.0,
    "tertiary": 35.0, "tertiary_link": 25.0, "unclassified": 25.0, "residential": 20.0,
    "living_street": 10.0, "service": 15.0, "road": 20.0,
}
"""Speed (km/h) of each driven ``highway`` type where the way carries no usable ``maxspeed``."""

_BARRED = {"no", "private"}
_ACCESS_KEYS = ("access", "vehicle", "motor_vehicle", "motorcar")
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)
MPH_KMH = 1.609344


def highway_type(value: str | None) -> str | None:
    """The first type of a (possibly list-valued, ``"[a, b]"`` or ``"a;b"``) ``highway`` value."""
    if not value:
        return None
    first = value.strip().strip("[]").replace(";", ",").split(",")[0]
    return first.strip().strip("'\"") or None


def is_driven(tags: dict[str, str]) -> bool:
    """Whether a way with these tags is part of the driven network."""
    kind = highway_type(tags.get("highway"))
    if kind not in HIGHWAY_SPEED_KMH:
        return False
    if tags.get("area") == "yes":
        return False
    return not any(tags.get(key) in _BARRED for key in _ACCESS_KEYS)


def maxspeed_kmh(value: str | None) -> float | None:
    """A ``maxspeed`` value in km/h, or None where it gives no number (see the module docstring)."""
    if not value:
        return None
    speeds = []
    for piece in value.split(";"):
        found = _NUMBER.match(piece)
        if found:
            number = float(found.group(1))
            speeds.append(number * MPH_KMH if (found.group(2) or "").lower() == "mph" else number)
    speeds = [s for s in speeds if s > 0]
    return min(speeds) if speeds else None


def way_speed_kmh(tags: dict[str, str], fallback_kmh: float) -> float:
    """The speed of a driven way: its ``maxspeed``, else its type's, else ``fallback_kmh``."""
    given = maxspeed_kmh(tags.get("maxspeed"))
    if given is not None:
        return given
    return HIGHWAY_SPEED_KMH.get(highway_type(tags.get("highway")) or "", fallback_kmh)


def directions(tags: dict[str, str]) -> tuple[bool, bool]:
    """Whether the way is driven (forward, backward) along its node order."""
    oneway = (tags.get("oneway") or "").strip().lower()
    if oneway in ("yes", "true", "1"):
        return True, False
    if oneway in ("-1", "reverse"):
        return False, True
    if oneway in ("no", "false", "0"):
        return True, True
    implied = highway_type(tags.get("highway")) == "motorway" or tags.get("junction") in ("roundabout", "circular")
    return True, not implied
