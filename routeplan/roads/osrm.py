"""OSRM as a travel table backend: the one module that talks to OSRM (``osrm-bindings``,
Python 3.12 and newer; ``pip install osrm-bindings``).

OSRM answers many-to-many tables on a province's network in seconds, after its own
preparation of an OpenStreetMap extract (``python -m osrm extract -p car.lua region.osm.pbf``,
then ``python -m osrm contract region.osrm`` for CH, or ``partition`` and ``customize`` for
MLD). Its profile's speeds and snapping are OSRM's, not the ``road`` model's rules, so its
tables are written as the ``matrix`` model's ``travel.csv`` (:func:`write_travel_table`): the
plan and ``routeplan validate`` then both follow the table.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ArgumentError
from ..model.problem import Problem, travel_places

BLOCK = 256
"""Origins per OSRM table request."""


def available() -> bool:
    """Whether OSRM's Python bindings can be imported here."""
    return importlib.util.find_spec("osrm") is not None


def _engine(dataset: Path) -> Any:
    if not available():
        raise ArgumentError("osrm", "OSRM's Python bindings are not installed (pip install osrm-bindings; they "
                                    "need Python 3.12 or newer)")
    import osrm  # noqa: PLC0415 - optional, and only here

    if not dataset.with_suffix(".osrm.hsgr").exists() and not Path(f"{dataset}.hsgr").exists():
        algorithm = "MLD"
    else:
        algorithm = "CH"
    return osrm, osrm.OSRM(storage_config=str(dataset), algorithm=algorithm, use_shared_memory=False)


def osrm_tables(dataset: str | Path, lon: Sequence[float], lat: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Km and minutes between every two points by OSRM (NaN where it finds no route)."""
    module, engine = _engine(Path(dataset))
    coordinates = [(float(x), float(y)) for x, y in zip(lon, lat, strict=True)]
    n = len(coordinates)
    km = np.full((n, n), np.nan)
    minutes = np.full((n, n), np.nan)
    for first in range(0, n, BLOCK):
        sources = list(range(first, min(n, first + BLOCK)))
        answer = engine.Table(module.TableParameters(coordinates=coordinates, sources=sources,
                                                     annotations=["duration", "distance"]))
        for row, (durations, distances) in enumerate(zip(answer["durations"], answer["distances"], strict=True)):
            for column in range(n):
                seconds, metres = durations[column], distances[column]
                if seconds is not None and metres is not None:
                    km[first + row, column] = float(metres) / 1000.0
                    minutes[first + row, column] = float(seconds) / 60.0
    return km, minutes


def write_travel_table(problem: Problem, dataset: str | Path, path: str | Path) -> Path:
    """Write ``travel.csv`` (the ``matrix`` model's table) for every place of ``problem`` (the
    contract's ids: customers, ``depot``, ``<manager_id>:start`` / ``:end``) by OSRM. Pairs OSRM
    cannot route are left out (reading the scenario then names them)."""
    places = {place: (lon, lat) for place, lon, lat in travel_places(depot=problem.depot, managers=problem.managers,
                                                                       customers=problem.customers)}
    ids = list(places)
    km, minutes = osrm_tables(dataset, [places[i][0] for i in ids], [places[i][1] for i in ids])
    path = Path(path)
    partial = path.with_name(f".{path.name}.part")
    with partial.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["from_id", "to_id", "km", "minutes"])
        for a, from_id in enumerate(ids):
            for b, to_id in enumerate(ids):
                if a != b and not math.isnan(minutes[a, b]):
                    writer.writerow([from_id, to_id, f"{km[a, b]:.4f}", f"{minutes[a, b]:.4f}"])
    partial.replace(path)
    return path
