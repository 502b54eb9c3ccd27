"""Travel from a table (the contract's ``model = "matrix"``): ``travel.csv`` from any routing
service (AMap, Baidu, OSRM, Valhalla), with columns ``from_id, to_id, km, minutes``.

Ids are the customers' ``customer_id``, ``depot``, and ``<manager_id>:start`` /
``<manager_id>:end`` for managers whose start or end is not the depot. The engine works on
places (positions), so :class:`MatrixTravel` knows which id stands at each place (the
scenario's :func:`places`); ids that share a place must share their rows too (else the table is
ambiguous there, and reading the scenario says which). Every ordered pair a plan may use (any
two customers, each manager's start to its customers and to its end, its customers to its end)
must be in the table: a missing pair is bad input, the first ones named.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputIssue, ScenarioError
from ..io.csvfile import read_table
from .files import file_key

MATRIX_COLUMNS = ("from_id", "to_id", "km", "minutes")
SHOWN_MISSING = 10
"""Missing pairs named in the error (then how many more)."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TravelTable:
    """Km and minutes between ids, dense over the ids the table names (NaN where it has no row)."""

    ids: tuple[str, ...]
    km: np.ndarray
    minutes: np.ndarray
    name: str = "travel.csv"

    def index(self) -> dict[str, int]:
        return {i: k for k, i in enumerate(self.ids)}


def read_travel_table(path: str | Path, *, label: str | None = None) -> TravelTable:
    """Read ``travel.csv`` (see the module docstring); bad rows are a
    :class:`~routeplan.errors.ScenarioError` naming the file, row and column."""
    path = Path(path)
    label = label or path.name
    issues: list[InputIssue] = []
    rows = read_table(path, required=MATRIX_COLUMNS, issues=issues)
    ids: dict[str, int] = {}
    entries: list[tuple[int, int, float, float]] = []
    for line, row in rows:
        values = []
        for column in ("km", "minutes"):
            try:
                value = float(row[column])
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and value >= 0):
                issues.append(InputIssue(label, f"'{row[column]}' is not a number >= 0", line, column))
            values.append(value)
        a, b = row["from_id"], row["to_id"]
        if not a or not b:
            issues.append(InputIssue(label, "from_id and to_id must not be empty", line,
                                     "from_id" if not a else "to_id"))
            continue
        for key in (a, b):
            ids.setdefault(key, len(ids))
        entries.append((ids[a], ids[b], values[0], values[1]))
    if issues:
        raise ScenarioError(issues[:50])
    n = len(ids)
    km = np.full((n, n), np.nan)
    minutes = np.full((n, n), np.nan)
    if entries:
        table = np.array(entries, dtype=float)
        a_index, b_index = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
        km[a_index, b_index] = table[:, 2]
        minutes[a_index, b_index] = table[:, 3]
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(minutes, 0.0)
    return TravelTable(ids=tuple(ids), km=km, minutes=minutes, name=label)


def required_pairs(customers: Sequence[str], manager_ends: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ordered pairs a plan may use: between any two customers, from each manager's start to
    every customer and to its end, and from every customer to each end (``manager_ends``: each
    manager's (start id, end id))."""
    pairs = [(a, b) for a in customers for b in customers if a != b]
    for start, end in dict.fromkeys(manager_ends):
        pairs += [(start, c) for c in customers] + [(c, end) for c in customers]
        if start != end:
            pairs.append((start, end))
    return pairs


def check_table(table: TravelTable, pairs: Sequence[tuple[str, str]]) -> list[InputIssue]:
    """Issues for the ids the table lacks and the pairs it lacks (the first ones named)."""
    index = table.index()
    missing = [(a, b) for a, b in pairs
               if a not in index or b not in index or math.isnan(table.minutes[index[a], index[b]])]
    if not missing:
        return []
    shown = ", ".join(f"{a} -> {b}" for a, b in missing[:SHOWN_MISSING])
    more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
    return [InputIssue(table.name, f"{len(missing)} pair(s) a plan may use are missing (expected a row with "
                                   f"from_id, to_id, km, minutes for each): {shown}{more}")]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MatrixTravel:
    """Travel looked up in a :class:`TravelTable`; ``places`` says which id stands where
    (``(id, lon, lat)``; the first id of a place speaks for it)."""

    table: TravelTable
    places: tuple[tuple[str, float, float], ...]

    @property
    def symmetric(self) -> bool:
        return False

    def _rows(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        index = self.table.index()
        where: dict[tuple[float, float], int] = {}
        for place_id, x, y in self.places:
            where.setdefault((x, y), index.get(place_id, -1))
        rows = np.array([where.get((float(x), float(y)), -1) for x, y in zip(np.ravel(lon), np.ravel(lat),
                                                                              strict=True)], dtype=np.int64)
        if np.any(rows < 0):
            at = int(np.flatnonzero(rows < 0)[0])
            raise ScenarioError(InputIssue(self.table.name, f"no id of the table stands at ({np.ravel(lon)[at]}, "
                                                            f"{np.ravel(lat)[at]})"))
        return rows

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = self._rows(lon, lat)
        km = self.table.km[np.ix_(rows, rows)]
        minutes = self.table.minutes[np.ix_(rows, rows)]
        return np.nan_to_num(km, nan=0.0), np.nan_to_num(minutes, nan=0.0)

    def pairs(self, lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
              lat2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shape = np.broadcast_shapes(np.shape(lon1), np.shape(lat1), np.shape(lon2), np.shape(lat2))
        a = self._rows(*(np.broadcast_to(np.asarray(v, dtype=float), shape) for v in (lon1, lat1)))
        b = self._rows(*(np.broadcast_to(np.asarray(v, dtype=float), shape) for v in (lon2, lat2)))
        return (np.nan_to_num(self.table.km[a, b], nan=0.0).reshape(shape),
                np.nan_to_num(self.table.minutes[a, b], nan=0.0).reshape(shape))

    def nearest(self, lon: np.ndarray, lat: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(lon)
        k = min(k, n - 1)
        if k <= 0:
            return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0)), np.zeros((n, 0))
        km, minutes = self.matrices(lon, lat)  # a table model is of a department's size
        ranked = np.where(np.eye(n, dtype=bool), np.inf, minutes)
        index = np.argsort(ranked, axis=1, kind="stable")[:, :k]
        return index, np.take_along_axis(km, index, axis=1), np.take_along_axis(minutes, index, axis=1)


_LOADED: dict[tuple[str, int, int], TravelTable] = {}
_LOADING = threading.Lock()


def travel_table(path: str | Path) -> TravelTable:
    """The table at ``path``, read once per process (and again when the file changes)."""
    key = file_key(path)
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = read_travel_table(path)
        return _LOADED[key]
