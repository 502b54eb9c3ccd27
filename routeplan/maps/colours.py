"""Colours and line styles for managers that any two managers of one map keep apart.

A map's managers get the ten colours of Tableau 10 (a qualitative palette made for telling
categories apart), taken in an order in which each next colour is the farthest (in CIELAB, where
distance follows what the eye sees) from those before. With more managers than colours, the
colours come again with a dashed line and square stops, then dotted, then dash-dotted, so that no
two managers share both colour and style; beyond forty managers per shape, further colours are
picked from a grid of RGB values, each the farthest from those already picked.

:func:`assign` gives managers whose territories touch colours far apart: a manager's look is the
free one farthest from the colours of its neighbours already coloured, the most constrained
manager first. The result is fixed: the same managers and neighbours give the same looks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

TABLEAU_10 = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
              "#bab0ac")
"""Tableau 10 (Tableau's default qualitative palette since 2016), in its own order."""

DASHES = ("", "10 6", "2 6", "12 5 3 5")
"""Line dash patterns (SVG ``stroke-dasharray``): solid, dashed, dotted, dash-dotted."""

SHAPES = ("circle", "square")
"""Shapes of the numbered stops."""


@dataclass(frozen=True, slots=True)
class Look:
    """How one manager is drawn: a colour, a line dash pattern ("" for solid) and a stop shape."""

    colour: str
    dash: str = ""
    shape: str = "circle"


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an (r, g, b) tuple."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0-255, shape (..., 3)) to CIELAB under D65."""
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    matrix = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    return np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])],
                    axis=-1)


def distance(a: str, b: str) -> float:
    """How far apart two ``#rrggbb`` colours look (CIE76: Euclidean distance in CIELAB)."""
    lab = rgb_to_lab(np.array([hex_to_rgb(a), hex_to_rgb(b)]))
    return float(np.linalg.norm(lab[0] - lab[1]))


@cache
def _base() -> tuple[str, ...]:
    """Tableau 10, blue first, then each time the colour farthest from those before."""
    lab = rgb_to_lab(np.array([hex_to_rgb(c) for c in TABLEAU_10]))
    order = [0]
    gap = np.linalg.norm(lab - lab[0], axis=1)
    while len(order) < len(TABLEAU_10):
        gap[order] = -1.0
        k = int(np.argmax(gap))
        order.append(k)
        gap = np.minimum(gap, np.linalg.norm(lab - lab[k], axis=1))
    return tuple(TABLEAU_10[k] for k in order)


@cache
def _picked(n: int) -> tuple[str, ...]:
    """The base colours, then further ones from an RGB grid, each the farthest from those before."""
    base = list(_base())
    if n <= len(base):
        return tuple(base[:n])
    levels = np.arange(0, 256, 51)
    grid = np.array(np.meshgrid(levels, levels, levels, indexing="ij")).reshape(3, -1).T
    lab = rgb_to_lab(grid)
    usable = (lab[:, 0] > 30) & (lab[:, 0] < 80)  # readable on light tiles, white numbers readable on it
    grid, lab = grid[usable], lab[usable]
    taken = rgb_to_lab(np.array([hex_to_rgb(c) for c in base]))
    gap = np.min(np.linalg.norm(lab[:, None, :] - taken[None, :, :], axis=2), axis=1)
    colours = base
    while len(colours) < n:
        k = int(np.argmax(gap))
        if gap[k] <= 0:  # every grid colour taken: repeat the list
            colours.append(colours[len(colours) % len(grid)])
            continue
        colours.append(f"#{grid[k][0]:02x}{grid[k][1]:02x}{grid[k][2]:02x}")
        gap = np.minimum(gap, np.linalg.norm(lab - lab[k], axis=1))
    return tuple(colours)


def palette(n: int) -> list[str]:
    """``n`` different colours as ``#rrggbb``: Tableau 10 in an order that keeps the first ones far
    apart, then further colours far from those; the first ``k`` are the same for any ``n >= k``."""
    return list(_picked(max(n, 0)))


def looks(n: int) -> list[Look]:
    """``n`` looks, no two alike: every colour of Tableau 10 solid with round stops, then again
    with each further dash pattern, then with square stops, then further colours."""
    per_colour = len(DASHES) * len(SHAPES)
    colours = palette(max(len(TABLEAU_10), -(-n // per_colour)))
    out = []
    for k in range(n):
        round_, rest = divmod(k, len(colours))
        shape, dash = divmod(round_, len(DASHES))
        out.append(Look(colours[rest], DASHES[dash], SHAPES[shape % len(SHAPES)]))
    return out


def assign(managers: Iterable[str], neighbours: Mapping[str, Iterable[str]] | None = None) -> dict[str, Look]:
    """A look for every manager, no two alike, with neighbours' colours as far apart as can be.

    Parameters
    ----------
    managers
        The managers of the map, in their order.
    neighbours
        For each manager, the managers whose territories touch its own (symmetric; default: none,
        and every manager takes the next look in order).

    Returns
    -------
    dict[str, Look]
        Each manager's look, in the order given.
    """
    ids = list(managers)
    near: dict[str, set[str]] = {m: set() for m in ids}
    for m, others in (neighbours or {}).items():
        for o in others:
            if m in near and o in near and o != m:
                near[m].add(o)
                near[o].add(m)
    n = len(ids)
    candidates = looks(n)
    if n == 0:
        return {}
    index = {m: i for i, m in enumerate(ids)}
    touching = np.zeros((n, n), dtype=bool)
    for m, others in near.items():
        touching[index[m], [index[o] for o in others]] = True
    gaps = _gaps(candidates)
    look = np.full(n, -1)  # the look of each manager (an index of candidates), -1 before it has one
    free = np.ones(n, dtype=bool)
    coloured = np.zeros(n, dtype=int)  # neighbours with a look, for each manager
    degree = touching.sum(axis=1)
    order = np.arange(n)
    for _ in range(n):
        # The most constrained manager next: most neighbours with a look, then most neighbours.
        waiting = look < 0
        key = np.where(waiting, coloured * (n + 1) + degree, -1)
        manager = int(order[key == key.max()][0])
        taken = look[touching[manager] & (look >= 0)]
        options = np.flatnonzero(free)
        # The first of the free looks farthest from its neighbours' (the first free one without any).
        k = int(options[np.argmax(gaps[np.ix_(options, taken)].min(axis=1))]) if taken.size else int(options[0])
        look[manager] = k
        free[k] = False
        coloured[touching[manager]] += 1
    _improve(look, touching, gaps)
    return {m: candidates[look[index[m]]] for m in ids}


def _gaps(candidates: list[Look]) -> np.ndarray:
    """How far apart each two looks are: the CIE76 distance of their colours, and 15 more for
    another line or stop style."""
    lab = rgb_to_lab(np.array([hex_to_rgb(x.colour) for x in candidates], dtype=float))
    gaps = np.linalg.norm(lab[:, None, :] - lab[None, :, :], axis=2)
    style = np.array([f"{x.dash}|{x.shape}" for x in candidates])
    return gaps + 15.0 * (style[:, None] != style[None, :])


def _improve(look: np.ndarray, touching: np.ndarray, gaps: np.ndarray) -> None:
    """Swap looks between managers while that moves the closest pair of neighbours apart, never
    bringing any other pair of neighbours as close."""
    n = len(look)
    first, second = np.nonzero(np.triu(touching))
    if first.size == 0:
        return
    others = ~np.eye(n, dtype=bool)
    for _ in range(min(3 * n, 600)):
        pair = gaps[look[first], look[second]]
        worst = int(np.argmin(pair))
        low = float(pair[worst])
        best = None
        for x in (int(first[worst]), int(second[worst])):
            # x takes c's look: its gaps to its neighbours other than c; c takes x's look: its
            # gaps to its neighbours other than x.
            mine = np.where(touching[x][None, :] & others, gaps[look][:, look], np.inf)
            mine[:, x] = np.inf
            takes = mine.min(axis=1)
            theirs = np.where(touching & others, gaps[look[x]][look][None, :], np.inf)
            theirs[:, x] = np.inf
            gives = theirs.min(axis=1)
            after = np.minimum(takes, gives)
            after[x] = -np.inf
            c = int(np.argmax(after))
            if after[c] > low + 1e-9 and (best is None or after[c] > best[0]):
                best = (float(after[c]), x, c)
        if best is None:
            return
        _, x, c = best
        look[x], look[c] = look[c], look[x]
