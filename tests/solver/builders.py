"""Small hand-made engine instances and states for the solver's tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from routeplan.solver.arrays import Data, State, data_ref, freeze, max_route_length, state_ref
from routeplan.solver.instance import Instance, Task, Vehicle
from routeplan.solver.kernels.insertion import insert_task
from routeplan.solver.solution import SolutionView, state_from_routes


def points_instance(xy: Sequence[tuple[float, float]], *, days: int = 1, owners: int = 1,
                    patterns: Sequence[tuple[tuple[int, ...], ...]] | None = None, consistent: bool = True,
                    service: float = 0.0, windows: Sequence[tuple[float, float]] | None = None,
                    shift: tuple[float, float] = (0.0, 1e6), capacity: float = np.inf, demand: float = 0.0,
                    owners_of: Sequence[tuple[int, ...] | None] | None = None, **weights: float) -> Instance:
    """Node 0 is the depot at ``xy[0]``, task ``i`` sits at node ``i + 1``; travel time equals the
    Euclidean distance. One vehicle per owner and day."""
    pts = np.asarray(xy, dtype=float)
    dist = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    vehicles = tuple(Vehicle(day=d, owner=o, start=0, end=0, earliest=shift[0], latest=shift[1], capacity=capacity)
                     for o in range(owners) for d in range(days))
    tasks = []
    for i in range(len(pts) - 1):
        early, late = windows[i] if windows is not None else (0.0, np.inf)
        tasks.append(Task(node=i + 1, service=service, earliest=early, latest=late, demand=demand,
                          patterns=patterns[i] if patterns is not None else tuple((d,) for d in range(days)),
                          owners=owners_of[i] if owners_of is not None else None))
    return Instance(num_days=days, num_owners=owners, dist=dist, time=dist.copy(), vehicles=vehicles,
                    tasks=tuple(tasks), consistent=consistent, **weights)


def random_instance(seed: int, *, n: int = 14, days: int = 3, owners: int = 2, consistent: bool = True,
                    windows: bool = True, **weights: float) -> Instance:
    """Random customers around a depot, some with windows, some visited twice, one locked."""
    rng = np.random.default_rng(seed)
    xy = [(0.0, 0.0)] + [tuple(p) for p in rng.uniform(-50, 50, (n, 2))]
    patterns = [((0, 2),) if i % 3 == 0 else tuple((d,) for d in range(days)) for i in range(n)]
    spans = [(100.0, 300.0) if windows and i % 4 == 0 else (0.0, 1000.0) for i in range(n)]
    owners_of = [(0,) if i == 1 else None for i in range(n)]
    return points_instance(xy, days=days, owners=owners, patterns=patterns, consistent=consistent, service=5.0,
                           windows=spans, shift=(0.0, 1000.0), capacity=10.0, demand=1.0, owners_of=owners_of,
                           **weights)


class Built:
    """An instance with its frozen data and a state, and the kernels' records of both."""

    def __init__(self, inst: Instance, sequences: Sequence[Sequence[int]] | None = None, *,
                 neighbours: int = 100):
        self.inst = inst
        self.data: Data = freeze(inst, neighbours=neighbours)
        seqs = sequences if sequences is not None else [[] for _ in inst.vehicles]
        self.state: State = state_from_routes(self.data, inst, seqs, max_length=max(max_route_length(inst), 8))
        self.d = data_ref(self.data)
        self.s = state_ref(self.state)

    @property
    def view(self) -> SolutionView:
        return SolutionView(self.data, self.state)

    def reinsert(self, tasks: Sequence[int], targets: np.ndarray) -> None:
        """Insert ``tasks`` again in this order, each at its best place against ``targets``, as a
        search step does after a ruin; every one must find a place."""
        n = self.inst.num_vehicles
        considered = np.zeros(len(targets), dtype=np.bool_)
        cost, gap, work = np.empty(n), np.zeros(n, dtype=np.int64), np.empty(n)
        for t in tasks:
            placed, _, _ = insert_task(self.d, self.s, int(t), 0.0, targets, considered, cost, gap, work, -1)
            assert placed
