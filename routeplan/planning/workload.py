"""Each customer's estimated work per cycle, before any route exists: the estimate that hands
out the role-blind strategies' customers, cuts a large problem into parts and weighs their loads.
"""

from __future__ import annotations

import numpy as np

from ..model.problem import Problem
from ..roads.resolve import travel_model
from ..solver.workload import NEAREST, visit_work


def whole_seconds(minutes: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """Travel minutes as the engine's whole seconds, rounded up, so that written plans are exact
    and conservative (``out=minutes`` converts in place: the matrices are large)."""
    seconds = np.multiply(minutes, 60.0, out=out)
    seconds -= 1e-7
    return np.ceil(seconds, out=seconds)


def customer_work(problem: Problem) -> np.ndarray:
    """Each customer's estimated work per cycle in seconds (:func:`routeplan.solver.workload.visit_work`),
    from the travel model's nearest neighbours over all customers: no matrix over them all. Gives
    what :func:`~routeplan.solver.workload.task_workload` gives on the formulated instance."""
    customers = problem.customers
    lon = np.array([c.lon for c in customers], dtype=float)
    lat = np.array([c.lat for c in customers], dtype=float)
    _, _, minutes = travel_model(problem.travel).nearest(lon, lat, NEAREST)
    near = whole_seconds(minutes).mean(axis=1) if minutes.shape[1] else np.zeros(len(customers))
    return visit_work(np.array([c.visits for c in customers], dtype=float),
                      np.array([round(c.service_min * 60) for c in customers], dtype=float), near)
