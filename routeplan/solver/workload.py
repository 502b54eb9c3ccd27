"""The one estimate of how much work a task brings, used wherever work must be judged before
routes exist: the first territories, the districting strategies, the capacity diagnosis.

A visit takes its service time plus the travel it brings, estimated as the mean travel time to
the task's nearest other tasks (a route passes by neighbours); a task brings that once per
visit of the cycle.
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
