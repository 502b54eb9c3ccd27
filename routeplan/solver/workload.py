"""The one estimate of how much work a task brings, used wherever work must be judged before
routes exist: the first territories, the districting strategies, the capacity diagnosis.

A visit takes its service time plus the travel it brings, estimated as the mean travel time to
the task's nearest other tasks (a route passes by neighbours); a task brings that once per
visit of the cycle. Where the ride out from a manager's start to its customers and back matters
(a territory far from the office costs its manager more than its visits), each visit also
carries its share of that day's ride (:func:`ride_share`).
"""

from __future__ import annotations

import numpy as np

from .instance import Instance

NEAREST = 3
"""Neighbours whose travel times are averaged."""


def nearest_travel(time: np.ndarray, nodes: np.ndarray, *, k: int = NEAREST, block: int = 1024) -> np.ndarray:
    """Mean travel time from each of ``nodes`` to its ``k`` nearest others among them (0 for a
    lone node). Works in blocks of rows, so memory stays at ``block x len(nodes)``."""
    n = len(nodes)
    k = min(k, n - 1)
    out = np.zeros(n)
    if k <= 0:
        return out
    for first in range(0, n, block):
        rows = np.arange(first, min(n, first + block))
        sub = time[np.ix_(nodes[rows], nodes)].astype(float, copy=True)
        sub[np.arange(len(rows)), rows] = np.inf
        near = np.partition(sub, k - 1, axis=1)[:, :k]
        out[rows] = np.where(np.isfinite(near), near, 0.0).mean(axis=1)
    return out


def visit_work(visits: np.ndarray, service: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The estimate itself: visits x (service + ``near``, the mean travel time to the task's
    :data:`NEAREST` nearest others), per task, in the units of ``service``."""
    return np.asarray(visits, dtype=float) * (np.asarray(service, dtype=float) + np.asarray(near, dtype=float))


def task_workload(inst: Instance, tasks: np.ndarray | None = None) -> np.ndarray:
    """Estimated work per cycle (time units of the instance) of each task (:func:`visit_work`),
    the neighbours sought among ``tasks`` (default: all)."""
    chosen = np.arange(inst.num_tasks) if tasks is None else np.asarray(tasks, dtype=np.int64)
    if len(chosen) == 0:
        return np.zeros(0)
    nodes = np.array([inst.tasks[t].node for t in chosen], dtype=np.int64)
    service = np.array([inst.tasks[t].service for t in chosen], dtype=float)
    visits = np.array([inst.tasks[t].visits for t in chosen], dtype=float)
    return visit_work(visits, service, nearest_travel(inst.time, nodes))


def ride_share(visits: np.ndarray, ride: np.ndarray, work: np.ndarray, available: tuple[float, float]) -> np.ndarray:
    """Each task's share of the daily ride out to it and back, per cycle, in the units of ``ride``
    (the way from the nearest start and back to the task, once): a day holds as many visits as
    the managers' load fills of a shift, so the emptier the days, the more of each day's ride a
    visit carries. ``work`` is every task's estimated work (:func:`visit_work`), ``available``
    the working time of the managers who share them, per day worked and in all (``(shift,
    total)``, same units)."""
    visits = np.asarray(visits, dtype=float)
    if not len(visits) or visits.sum() <= 0:
        return np.zeros(len(visits))
    shift, total = available
    per_visit = float(np.sum(work) / visits.sum())
    load = min(1.0, float(np.sum(work)) / max(total, 1e-9))
    stops_per_day = max(1.0, load * shift / max(per_visit, 1.0))
    return visits * np.asarray(ride, dtype=float) / stops_per_day


def task_ride_share(inst: Instance, work: np.ndarray) -> np.ndarray:
    """:func:`ride_share` of every task of ``inst``: the ride from the nearest vehicle start and
    back to the nearest end, the working time of the instance's vehicles."""
    n = inst.num_tasks
    if n == 0 or not inst.vehicles:
        return np.zeros(n)
    starts = np.unique([v.start for v in inst.vehicles])
    ends = np.unique([v.end for v in inst.vehicles])
    nodes = np.array([task.node for task in inst.tasks], dtype=np.int64)
    ride = inst.time[np.ix_(starts, nodes)].min(axis=0) + inst.time[np.ix_(nodes, ends)].min(axis=1)
    spans = np.array([v.latest - v.earliest for v in inst.vehicles], dtype=float)
    spans = spans[np.isfinite(spans)]
    if not len(spans):
        return np.zeros(n)
    visits = np.array([task.visits for task in inst.tasks], dtype=float)
    return ride_share(visits, ride, work, (float(np.mean(spans)), float(spans.sum())))
