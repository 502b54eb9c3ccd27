"""The engine's solution state of a plan being edited, and the few changes an editing session makes
to it.

The whole problem is formulated once (:func:`routeplan.planning.formulate.formulation_of`) and
its instance frozen (:func:`routeplan.solver.arrays.freeze`); the plan's routes become the one
state the compiled kernels work on (:func:`routeplan.solver.solution.state_from_routes`). Every
change then goes through the kernels, route by route: a task taken out of its routes
(:func:`~routeplan.solver.kernels.edits.remove_task`), put back with one owner at its cheapest
pattern and gaps (:func:`~routeplan.solver.kernels.insertion.regret_insert`,
:func:`~routeplan.solver.kernels.insertion.insert_task`) or on given days
(:func:`~routeplan.solver.kernels.insertion.best_gap`,
:func:`~routeplan.solver.kernels.edits.insert_at`), the changed days improved by the search's own
local search (:func:`~routeplan.solver.kernels.moves.local_search_day`), whole routes set again
(undo, redo, a re-plan of some managers). The state is never rebuilt: each change costs the
routes it touches, not the problem.

Tasks, owners and vehicles are numbered as in the formulation: task ``i`` is customer ``i``'s own
visits (level 0), owner ``o`` is manager ``o``, and a vehicle is one manager's working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..errors import InternalError
from ..model.routes import DayRoute
from ..planning.formulate import Formulation
from ..planning.schedule import day_route
from ..solver.arrays import Data, State, data_ref, freeze, max_route_length, state_ref
from ..solver.kernels.edits import insert_at, remove_task
from ..solver.kernels.insertion import best_gap, insert_task, regret_insert
from ..solver.kernels.moves import local_search_day
from ..solver.kernels.objective import group_targets
from ..solver.kernels.timing import evaluate, schedule
from ..solver.lns import SearchParams
from ..solver.solution import SolutionView, place_visits, state_from_routes

#: Each visit's nearest tasks the local search looks at (the search's own setting).
GRANULARITY = SearchParams().granularity


class EditEngine:
    """The solution state of the plan being edited, with the formulation it is read by.

    Parameters
    ----------
    form
        The whole problem's formulation.
    routes
        The plan's routes (every stop a task of ``form``; each task's days one of its patterns).
    """

    def __init__(self, form: Formulation, routes: Sequence[DayRoute]):
        self.form = form
        inst = form.instance
        problem = form.problem
        self.task_of: dict[tuple[str, int], int] = {
            (problem.customers[form.customer_of(t)].customer_id, form.level_of(t)): t for t in range(inst.num_tasks)}
        self.vehicle_of: dict[tuple[int, int], int] = {
            (int(m), int(d)): v for v, (m, d) in enumerate(zip(form.vehicle_manager, form.vehicle_day, strict=True))}
        self.manager_index = {m.manager_id: i for i, m in enumerate(problem.managers)}
        self.data: Data = freeze(inst)
        sequences = [self.sequence_of(r) for r in routes]
        longest = max((len(s) for s in sequences), default=0)
        width = max(max_route_length(inst), longest)
        initial: list[list[int]] = [[] for _ in range(inst.num_vehicles)]
        for route, sequence in zip(routes, sequences, strict=True):
            initial[self.vehicle_of[self.manager_index[route.manager_id], route.day_index]] = sequence
        self.state: State = state_from_routes(self.data, inst, initial, max_length=width)
        self.d = data_ref(self.data)
        self.s = state_ref(self.state)
        n_tasks, n_vehicles, n_owners = inst.num_tasks, inst.num_vehicles, inst.num_owners
        # Scratch space of the kernels, allocated once per session.
        self._targets = np.zeros(n_owners)
        self._considered = np.zeros(n_owners, dtype=np.bool_)
        self._route_cost = np.empty(n_vehicles)
        self._route_gap = np.zeros(n_vehicles, dtype=np.int64)
        self._route_work = np.empty(n_vehicles)
        self._work = np.empty(n_tasks + 1, dtype=np.int64)
        self._queued = np.zeros(n_tasks, dtype=np.bool_)
        self._touched = np.zeros(n_vehicles, dtype=np.bool_)
        self._buf_a = np.empty(width + 1, dtype=np.int64)
        self._buf_b = np.empty(width + 1, dtype=np.int64)
        self._times = np.empty(width + 1)
        self._only = np.full(n_tasks, -1, dtype=np.int64)

    # -- reading ---------------------------------------------------------------------------------
    def sequence_of(self, route: DayRoute) -> list[int]:
        """The tasks of a plan's route, in order."""
        return [self.task_of[s.customer_id, s.level] for s in route.stops]

    def route(self, v: int) -> list[int]:
        """The tasks of vehicle ``v``'s route, in order."""
        return [int(t) for t in self.state.route[v, :self.state.length[v]]]

    def vehicles(self, task: int) -> list[int]:
        """The vehicles visiting ``task`` (none when it is unassigned)."""
        return [int(v) for v in self.state.vehicle[task] if v >= 0]

    def owner_vehicles(self, owner: int) -> list[int]:
        """Every vehicle (working day) of ``owner``."""
        d = self.data
        n_days = len(d.day_first) - 1
        first, last = d.owner_day_first[owner * n_days], d.owner_day_first[(owner + 1) * n_days]
        return [int(v) for v in d.by_owner_day[first:last]]

    def assigned(self, task: int) -> bool:
        return bool(self.state.pattern[task] >= 0)

    def day_route(self, v: int) -> DayRoute | None:
        """Vehicle ``v``'s route as the plan's route, timed by the engine (None when empty)."""
        timed = SolutionView(self.data, self.state).timed_route(v)
        return None if timed is None else day_route(self.form, timed)

    def placement(self) -> tuple[np.ndarray, np.ndarray]:
        """Every task's pattern (its days; -1: unassigned) and the owner of its first visit (-1:
        none), copied: what a change is compared against."""
        first = self.state.vehicle[:, 0]
        owners = np.where(first >= 0, self.data.vehicle_owner[np.maximum(first, 0)], -1)
        return self.state.pattern.copy(), owners

    def check(self) -> list[str]:
        """Every inconsistency or broken rule of the state (see :meth:`SolutionView.check`)."""
        return SolutionView(self.data, self.state).check()

    # -- eligibility -----------------------------------------------------------------------------
    def set_owners(self, task: int, owners: Iterable[int]) -> None:
        """Let only ``owners`` serve ``task`` from now on (a lock given or taken back)."""
        row = self.data.task_eligible[task]
        row[:] = False
        row[list(owners)] = True

    # -- changes ---------------------------------------------------------------------------------
    def remove(self, task: int) -> list[int]:
        """Take every visit of ``task`` out of its routes (re-timed); the vehicles it was on."""
        vehicles = self.vehicles(task)
        if vehicles:
            remove_task(self.d, self.s, task)
        return vehicles

    def insert_many(self, tasks: Sequence[int], owner: int) -> list[int]:
        """Insert the unassigned ``tasks`` with ``owner``, each at its cheapest pattern and gaps,
        the one that would lose most by waiting first (regret); the tasks that found no room."""
        if not tasks:
            return []
        group_targets(self.d, self.state.owner_work, self._targets)
        only = self._only
        chosen = np.array(tasks, dtype=np.int64)
        only[chosen] = owner
        try:
            regret_insert(self.d, self.s, chosen, only, self._targets)
        finally:
            only[chosen] = -1
        return [t for t in tasks if not self.assigned(t)]

    def insert(self, task: int, owner: int) -> bool:
        """Insert the unassigned ``task`` with ``owner`` at its cheapest pattern and gaps."""
        group_targets(self.d, self.state.owner_work, self._targets)
        placed, _, _ = insert_task(self.d, self.s, task, 0.0, self._targets, self._considered, self._route_cost,
                                   self._route_gap, self._route_work, owner)
        return bool(placed)

    def insert_on(self, task: int, pattern: int, owner: int) -> bool:
        """Insert the unassigned ``task`` on the days of ``pattern`` (a global pattern id) with
        ``owner``, at the cheapest gap of each day's route; False (nothing changed) when a day's
        route has no room."""
        d = self.data
        vehicles, gaps = [], []
        for j in range(int(d.pattern_size[pattern])):
            v = self.vehicle_of[owner, int(d.pattern_days[pattern, j])]
            gap, _, _, _ = best_gap(self.d, self.s, v, task, 0.0)
            if gap < 0:
                return False
            vehicles.append(v)
            gaps.append(int(gap))
        # The days' routes are apart, so each gap stays the cheapest while the others are filled.
        for j, (v, gap) in enumerate(zip(vehicles, gaps, strict=True)):
            self.state.vehicle[task, j] = v
            insert_at(self.d, self.s, v, gap, task)
        self.state.pattern[task] = pattern
        self.state.owner[task] = owner if d.consistent else -1
        return True

    def improve(self, vehicles: Iterable[int]) -> set[int]:
        """Improve the routes of ``vehicles`` by the search's local search, each day from every
        visit on them; the vehicles whose routes changed. With owner consistency the moves stay
        within each route, so no other route changes."""
        by_day: dict[int, list[int]] = {}
        for v in vehicles:
            by_day.setdefault(int(self.data.vehicle_day[v]), []).extend(self.route(v))
        touched = self._touched
        for day, tasks in sorted(by_day.items()):
            if not tasks:
                continue
            self._work[:len(tasks)] = tasks
            local_search_day(self.d, self.s, day, self._work, len(tasks), GRANULARITY, self._buf_a, self._buf_b,
                             self._times, self._queued, touched)
        changed = {int(v) for v in np.flatnonzero(touched)}
        touched[:] = False
        return changed

    def overfull(self, vehicles: Iterable[int]) -> list[int]:
        """Make the routes of ``vehicles`` keep every rule again (a route the travel model times
        differently than the plan did): their last visits' tasks are taken out until each route
        does; the tasks taken out."""
        out = []
        for v in vehicles:
            while self.state.length[v] > 0:
                feasible, _ = evaluate(self.d, v, self.state.route[v], self.state.length[v], self._times)
                if feasible:
                    break
                task = int(self.state.route[v, self.state.length[v] - 1])
                self.remove(task)
                out.append(task)
        return out

    def load(self, sequences: Mapping[int, Sequence[int]]) -> set[int]:
        """Set the routes of the vehicles ``sequences`` names to those task sequences (each
        task's visits on them forming one of its patterns), re-timed; tasks that were on them and
        are not any more become unassigned. Every other route keeps its visits: each task of
        these routes must have all its visits on them, before and after. The vehicles set."""
        inst = self.form.instance
        state = self.state
        routes = {int(v): [int(t) for t in seq] for v, seq in sequences.items()}
        tasks = {t for v in routes for t in self.route(v)} | {t for seq in routes.values() for t in seq}
        for t in tasks:
            if not set(self.vehicles(t)) <= routes.keys():
                raise InternalError(f"task {t} has visits outside the routes set again")
        for t in tasks:
            state.vehicle[t, :] = -1
            state.pattern[t] = -1
            state.owner[t] = -1
        where: dict[int, list[int]] = {}
        for v, seq in routes.items():
            state.length[v] = len(seq)
            state.route[v, :len(seq)] = seq
            for t in seq:
                where.setdefault(t, []).append(v)
        try:
            place_visits(self.data, inst, state, where)
        except ValueError as err:  # the session only sets routes whose days it chose
            raise InternalError(str(err)) from err
        for v in routes:
            schedule(self.d, self.s, v)
        return set(routes)

    def closure(self, vehicles: Iterable[int], target: Mapping[int, Sequence[int]]) -> set[int]:
        """``vehicles`` and every further vehicle a task of theirs (now, or in the ``target``
        routes) has a visit on: the routes to set together so that :meth:`load` keeps each
        task whole."""
        chosen = {int(v) for v in vehicles}
        frontier = set(chosen)
        while frontier:
            tasks = {t for v in frontier for t in self.route(v)} | {t for v in frontier for t in target.get(v, ())}
            extra = {v for t in tasks for v in self.vehicles(t)} - chosen
            chosen |= extra
            frontier = extra
        return chosen
