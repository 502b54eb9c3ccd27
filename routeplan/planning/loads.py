"""What the managers of one group can carry when their roles overlap only in part.

In a group of interchangeable managers, customers differ in who may serve them and managers in
whom they may serve: in the reference department C managers serve medium and small shops, D
managers only small ones, so a D manager's hours count only for small-shop work. The customers
fall into *classes* (the same managers allowed) and the managers into *kinds* (the same classes
served); how a group's work can spread over its kinds is a small linear programme, the one place
that judges it (:func:`spread`):

- a set of customers can be carried evenly when some split of each class's work over the kinds
  that may serve it gives every kind a load within ``mean x (1 +- t)`` of its working time, for
  the smallest such ``t``;
- a kind's reach (:func:`reach`) is the least and the most work it can be given at all: below
  the group's band where its classes hold too little work (few small shops for many D
  managers), above it never (the others may always take more).

The partition of large problems uses the first to give each part the managers its customers
need and to move work across the parts' borders before solving; the balance report uses the
second to say why a band is out of reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


@dataclass(frozen=True, slots=True, kw_only=True)
class KindModel:
    """Classes of a group's customers and kinds of its managers.

    ``customer_class[i]`` is the class of the ``i``-th customer given, ``manager_kind[j]`` the kind
    of the ``j``-th manager given; ``serves[c, k]`` says whether managers of kind ``k`` may serve
    class ``c``. A class allowed one manager only (a lock) is served by that manager's kind but
    does not define kinds, so that a lock does not make its manager a kind of its own.
    """

    customer_class: np.ndarray
    manager_kind: np.ndarray
    serves: np.ndarray
    classes: tuple[tuple[int, ...], ...]  # the managers (positions in the whole) allowed per class

    @property
    def num_kinds(self) -> int:
        return int(self.serves.shape[1])

    @property
    def num_classes(self) -> int:
        return int(self.serves.shape[0])

    def class_work(self, customers: np.ndarray, work: np.ndarray) -> np.ndarray:
        """Work per class of ``customers`` (positions among those the model was made of)."""
        return np.bincount(self.customer_class[customers], weights=work[customers], minlength=self.num_classes)

    def kind_capacity(self, managers: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """Working time per kind of ``managers`` (positions among those the model was made of)."""
        return np.bincount(self.manager_kind[managers], weights=capacity[managers], minlength=self.num_kinds)


def kinds(eligible: Sequence[Sequence[int]], managers: Sequence[int]) -> KindModel:
    """The classes of customers allowed ``eligible`` managers (positions in the whole; every one
    among ``managers``), and the kinds of ``managers``."""
    position = {int(m): j for j, m in enumerate(managers)}
    class_index: dict[tuple[int, ...], int] = {}
    by_identity: dict[int, int] = {}  # customers of one tier share their tuple
    customer_class = np.empty(len(eligible), dtype=np.int64)
    for i, allowed in enumerate(eligible):
        c = by_identity.get(id(allowed))
        if c is None:
            key = tuple(sorted(int(m) for m in allowed))
            c = class_index.setdefault(key, len(class_index))
            by_identity[id(allowed)] = c
        customer_class[i] = c
    classes = tuple(class_index)
    served: list[set[int]] = [set() for _ in managers]
    for c, allowed in enumerate(classes):
        if len(allowed) > 1:
            for m in allowed:
                served[position[m]].add(c)
    signature: dict[frozenset[int], int] = {}
    manager_kind = np.array([signature.setdefault(frozenset(s), len(signature)) for s in served], dtype=np.int64)
    serves = np.zeros((len(classes), max(1, len(signature))), dtype=bool)
    for c, allowed in enumerate(classes):
        for m in allowed:
            serves[c, manager_kind[position[m]]] = True
    return KindModel(customer_class=customer_class, manager_kind=manager_kind, serves=serves, classes=classes)


def spread(class_work: np.ndarray, kind_capacity: np.ndarray, serves: np.ndarray, mean: float) -> float:
    """The least ``t`` such that the work of each class can be shared over the kinds that serve
    it with every kind's load within ``mean x (1 +- t)`` of its working time (kinds without
    working time carry nothing); ``inf`` when some class's work has nobody to go to."""
    loads = _balanced_loads(class_work, kind_capacity, serves, mean)
    return np.inf if loads is None else loads[1]


def kind_loads(class_work: np.ndarray, kind_capacity: np.ndarray, serves: np.ndarray,
               mean: float) -> np.ndarray | None:
    """Each kind's load in the most even split of :func:`spread` (None when infeasible)."""
    loads = _balanced_loads(class_work, kind_capacity, serves, mean)
    return None if loads is None else loads[0]


def _balanced_loads(class_work: np.ndarray, kind_capacity: np.ndarray, serves: np.ndarray,
                    mean: float) -> tuple[np.ndarray, float] | None:
    pairs = [(c, k) for c in range(serves.shape[0]) for k in range(serves.shape[1])
             if serves[c, k] and kind_capacity[k] > 0 and class_work[c] > 0]
    wanted = [c for c in range(serves.shape[0]) if class_work[c] > 0]
    if any(not any(pc == c for pc, _ in pairs) for c in wanted):
        return None
    active = [k for k in range(serves.shape[1]) if kind_capacity[k] > 0]
    if not pairs or mean <= 0:
        return np.zeros(serves.shape[1]), 0.0
    n = len(pairs) + 1  # the flows, then t
    a_eq = np.zeros((len(wanted), n))
    for row, c in enumerate(wanted):
        for col, (pc, _) in enumerate(pairs):
            if pc == c:
                a_eq[row, col] = 1.0
    a_ub = np.zeros((2 * len(active), n))
    b_ub = np.zeros(2 * len(active))
    for row, k in enumerate(active):
        target = mean * kind_capacity[k]
        for col, (_, pk) in enumerate(pairs):
            if pk == k:
                a_ub[2 * row, col] = 1.0
                a_ub[2 * row + 1, col] = -1.0
        a_ub[2 * row, -1] = a_ub[2 * row + 1, -1] = -target
        b_ub[2 * row], b_ub[2 * row + 1] = target, -target
    scale = max(float(class_work.sum()), 1e-9)  # the solver likes numbers near 1
    cost = np.zeros(n)
    cost[-1] = 1.0
    result = linprog(cost, A_ub=a_ub / scale, b_ub=b_ub / scale, A_eq=a_eq / scale,
                     b_eq=class_work[wanted] / scale, bounds=[(0, None)] * n, method="highs")
    if result.status != 0 or result.x is None:
        return None
    solution = np.asarray(result.x)
    loads = np.zeros(serves.shape[1])
    for col, (_, k) in enumerate(pairs):
        loads[k] += solution[col]
    return loads, float(solution[-1])


def reach(class_work: np.ndarray, kind_capacity: np.ndarray, serves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least and the most work each kind can be given when every class's work is placed (a
    kind alone with a class must take it all; a kind can take at most what its classes hold)."""
    least = np.zeros(serves.shape[1])
    most = np.zeros(serves.shape[1])
    for k in range(serves.shape[1]):
        mine = serves[:, k]
        most[k] = float(class_work[mine].sum())
        others = serves.copy()
        others[:, k] = False
        alone = mine & ~(others & (kind_capacity[None, :] > 0)).any(axis=1)
        least[k] = float(class_work[alone].sum())
    return least, most
