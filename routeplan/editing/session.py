"""Editing a plan by hand: an :class:`EditSession` holds a plan and changes it one accepted edit
at a time, each a new version, with undo and redo, a journal and the plan's figures at any point.

An edit is refused before anything changes when it breaks a rule of the scenario
(:class:`~routeplan.errors.EditRefusedError`, naming the rule) or names what does not exist
(:class:`~routeplan.errors.EditError`). Anything else is accepted and the plan stays valid: the
routes it touches are re-timed by the engine's one timing rule, and a visit that no longer fits
goes to the unserved with the reason ``moved by hand: no room``.

Edits are incremental. The whole problem is formulated once, when the session opens, and its
routes become the engine's solution state (:mod:`routeplan.editing.engine`); an edit changes the
routes of the manager-days it touches (the moved visits taken out, inserted at their best place,
those days improved by the engine's local search, which with one manager per customer moves
visits within a route only), and only those routes are read back as the plan's routes: every
other route of the plan stays the very same object. Undo and redo set the routes that differ
between two versions. Re-planning managers (:meth:`EditSession.optimise`) plans those managers
and their customers as a sub-problem, every other manager left alone.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from ..errors import ArgumentError, EditError, EditRefusedError, InternalError
from ..io.scenario import read_scenario
from ..model.problem import Problem
from ..model.routes import DayRoute, Unserved
from ..planning.context import PlanningContext
from ..planning.formulate import formulation_of
from ..results.changes import diff_plans
from ..results.files import read_plan
from ..results.run_record import RunRecord
from ..results.visit_plan import Plan
from ..solver.lns import Progress
from ..solver.stop import StoppingCriterion
from .engine import EditEngine
from .optimise import ReplanSearch, replan_managers
from .records import CustomerRow, EditFigures, EditResult, ManagerChange, ManagerRow, SessionChanges
from .rules import Rules

logger = logging.getLogger(__name__)

NO_ROOM = "moved by hand: no room"
"""The reason of a visit that an edit left without room (the contract's section 8)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Version:
    """The plan at one point of the session: its problem (with the locks so far), its routes by
    vehicle and its unserved entries by task; the change that made it (None: the plan as
    opened) and the managers (positions) whose routes changes since the last re-plan touched."""

    problem: Problem
    routes: Mapping[int, DayRoute]
    unserved: Mapping[int, Unserved]
    edit: dict[str, Any] | None
    affected: frozenset[int]


@dataclass(slots=True)
class _Change:
    """What a change did to the engine's state so far: the vehicles whose routes it changed (or
    may have) and the reason of each task it left unassigned."""

    vehicles: set[int] = field(default_factory=set)
    reasons: dict[int, Unserved | str] = field(default_factory=dict)

    def touch(self, vehicles: Iterable[int]) -> None:
        self.vehicles.update(vehicles)


class EditSession:
    """A plan being edited by hand.

    Open one with :meth:`open` (a problem and a :class:`~routeplan.Plan`) or :meth:`open_folder`
    (a scenario folder and a plan folder). Each accepted change (:meth:`move`, :meth:`set_days`,
    :meth:`lock`, :meth:`unlock`, :meth:`optimise`, :meth:`undo`, :meth:`redo`, or any of them
    in the contract's JSON form with :meth:`apply`) raises :attr:`version` and returns an
    :class:`~routeplan.editing.records.EditResult`; a refused one raises
    :class:`~routeplan.EditRefusedError` or :class:`~routeplan.EditError` and changes nothing.

    Examples
    --------
    >>> session = routeplan.EditSession.open(problem, plan)            # doctest: +SKIP
    >>> session.move(["KW0007", "KW0012"], to="C2").routes              # doctest: +SKIP
    (('C2', 'Tue-1'), ('C2', 'Fri-1'), ('C4', 'Mon-1'), ...)
    >>> session.optimise("affected", time_limit=5)                     # doctest: +SKIP
    >>> session.to_plan().is_valid()                                    # doctest: +SKIP
    True
    """

    def __init__(self, plan: Plan, *, check: bool = False):
        """Prefer :meth:`open`; ``plan`` must be valid (see there)."""
        problem = plan.problem
        by_id = {c.customer_id: c for c in problem.customers}
        for entry in plan.unserved:
            needed = problem.visit_rules(by_id[entry.customer_id])[entry.level].visits
            if entry.visits_missing < needed:
                # The engine plans a customer's visits of one level whole or not at all.
                raise ArgumentError("plan", f"customer {entry.customer_id} has {needed - entry.visits_missing} of its "
                                            f"{needed} visits planned and {entry.visits_missing} missing: an editing "
                                            "session needs each customer's visits (of each level) planned whole or "
                                            "not at all")
        self._opened = plan
        self._check = check
        self._rules = Rules(problem, plan.strategy)
        context = PlanningContext.with_eligible(problem, plan.strategy, self._eligible(self._rules))
        self._context_of = (problem, context)  # the context of the problem as it stands
        self._engine = engine = EditEngine(formulation_of(context), plan.routes)
        self._groups = tuple(tuple(g) for g in plan.balance_groups())
        self._visits = [task.visits for task in engine.form.instance.tasks]
        self._ids = [c.customer_id for c in problem.customers]
        self._siblings: dict[int, list[int]] = {}
        for t in range(problem.num_customers, engine.form.instance.num_tasks):
            self._siblings.setdefault(engine.form.customer_of(t), []).append(t)
        routes = {engine.vehicle_of[self._rules.manager_index[r.manager_id], r.day_index]: r for r in plan.routes}
        unserved: dict[int, Unserved] = {}
        for entry in plan.unserved:
            unserved[engine.task_of[entry.customer_id, entry.level]] = entry
        self._history = [_Version(problem=problem, routes=routes, unserved=unserved, edit=None,
                                  affected=frozenset())]
        self._position = 0
        self._version = 0
        self._plans: dict[int, Plan] = {}
        self._figures: dict[int, EditFigures] = {}
        self._customers: dict[int, tuple[CustomerRow, ...]] = {}
        self._opened_rows = self._rows(plan, 0).managers
        self._verify()
        logger.info("editing plan of %s: %d customers, %d managers, %d routes", problem.name, problem.num_customers,
                    problem.num_managers, len(routes))

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, problem: Problem, plan: Plan, *, check: bool = False) -> EditSession:
        """A session editing ``plan``, a plan of ``problem``.

        Parameters
        ----------
        problem
            The scenario the plan is of (the plan's own problem, or one equal to it).
        plan
            The plan to edit; it must pass :meth:`routeplan.Plan.validate`.
        check
            Check the engine's state after every change (:meth:`SolutionView.check`: every
            route's timing and each visit's bookkeeping), raising
            :class:`~routeplan.InternalError` when it breaks; costs a pass over the whole plan.

        Returns
        -------
        EditSession
            At version 0, the plan as given.

        Raises
        ------
        ArgumentError
            When the plan is of another problem, does not validate, or plans some of a
            customer's visits of one level but not all.
        """
        if plan.problem is not problem and plan.problem != problem:
            raise ArgumentError("plan", f"the plan is of another problem than {problem.name!r}")
        plan = replace(plan, problem=problem)
        report = plan.validate()
        if not report.ok:
            raise ArgumentError("plan", "the plan does not validate, so it cannot be edited:\n" + str(report))
        return cls(plan, check=check)

    @classmethod
    def open_folder(cls, scenario_dir: str | os.PathLike[str], plan_dir: str | os.PathLike[str], *,
                    check: bool = False) -> EditSession:
        """A session editing the plan folder ``plan_dir`` of the scenario folder ``scenario_dir``
        (read with :func:`routeplan.read_scenario` and :func:`routeplan.read_plan`; see
        :meth:`open`)."""
        problem = read_scenario(scenario_dir)
        return cls.open(problem, read_plan(problem, plan_dir), check=check)

    # -- state -----------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """The version: 0 as opened, raised by every accepted change (undo and redo included)."""
        return self._version

    @property
    def problem(self) -> Problem:
        """The problem as it stands, with the locks given so far."""
        return self._current.problem

    @property
    def opened(self) -> Plan:
        """The plan as it was opened."""
        return self._opened

    @property
    def can_undo(self) -> bool:
        """Whether a change is in force that :meth:`undo` can take back."""
        return self._position > 0

    @property
    def can_redo(self) -> bool:
        """Whether an undone change is there for :meth:`redo` (a new change clears it)."""
        return self._position + 1 < len(self._history)

    def affected(self) -> tuple[str, ...]:
        """The managers whose routes the changes since the last :meth:`optimise` touched (what
        ``optimise("affected")`` re-plans), in the problem's order."""
        managers = self.problem.managers
        return tuple(managers[o].manager_id for o in sorted(self._current.affected))

    def journal(self) -> list[dict[str, Any]]:
        """The changes in force, in order (undone ones left out), each in the contract's form
        (section 8): what ``edits.jsonl`` holds, one per line."""
        return [_copied(v.edit) for v in self._history[1:self._position + 1] if v.edit is not None]

    def to_plan(self) -> Plan:
        """The plan as it stands: valid (:meth:`routeplan.Plan.validate`), its problem with the
        session's locks, its strategy and seed the opened plan's."""
        if self._version not in self._plans:
            current = self._current
            order = {m.manager_id: i for i, m in enumerate(current.problem.managers)}
            routes = tuple(sorted(current.routes.values(), key=lambda r: (order[r.manager_id], r.day_index)))
            unserved = tuple(current.unserved[t] for t in sorted(current.unserved))
            opened = self._opened
            run = RunRecord(balance_groups=self._groups, closed_customers=opened.run.closed_customers,
                            no_longer_eligible=opened.run.no_longer_eligible,
                            warnings=tuple(current.problem.warnings))
            self._plans = {self._version: replace(opened, problem=current.problem, routes=routes, unserved=unserved,
                                                  run=run)}
        return self._plans[self._version]

    def figures(self) -> EditFigures:
        """The figures of the plan as it stands: per manager its customers, visits, kilometres,
        work, utilisation and deviation from its group's mean; the balance; the unserved.
        Read off :meth:`to_plan` (:meth:`routeplan.Plan.manager_figures`,
        :meth:`routeplan.Plan.balance`)."""
        if self._version not in self._figures:
            self._figures = {self._version: self._rows(self.to_plan(), self._version)}
        return self._figures[self._version]

    def customers(self) -> tuple[CustomerRow, ...]:
        """Every customer of the scenario, served or not, in the problem's order: its own visits'
        (level 0) manager and days, and whether it is locked."""
        if self._version not in self._customers:
            engine = self._engine
            data = engine.data
            problem = self.problem
            # Customer c's own visits are task c: its vehicles' owner and days, row by row.
            vehicles = engine.state.vehicle[:problem.num_customers]
            visited = vehicles >= 0
            somewhere = np.maximum(vehicles, 0)
            owners = np.where(visited[:, 0], data.vehicle_owner[somewhere[:, 0]], -1).tolist()
            days = np.sort(np.where(visited, data.vehicle_day[somewhere], problem.num_days), axis=1).tolist()
            counts = visited.sum(axis=1).tolist()
            ids = [m.manager_id for m in problem.managers] + [""]  # owner -1: unserved
            labels = problem.days
            rows = [CustomerRow(customer_id=customer.customer_id, manager_id=ids[owners[c]],
                                days=tuple(labels[d] for d in days[c][:counts[c]]),
                                locked=customer.locked_manager is not None)
                    for c, customer in enumerate(problem.customers)]
            self._customers = {self._version: tuple(rows)}
        return self._customers[self._version]

    def to_dict(self) -> dict[str, Any]:
        """The plan as it stands in the contract's form of ``GET /api/plan`` (section 8):
        ``version``, ``customers`` (:meth:`customers`), ``managers``, ``unserved`` and ``balance``
        (:meth:`figures`)."""
        figures = self.figures().to_dict()
        return {"version": self._version, "customers": [row.to_dict() for row in self.customers()],
                "managers": figures["managers"], "unserved": figures["unserved"], "balance": figures["balance"]}

    def changes_since_open(self) -> SessionChanges:
        """Each manager's figures as opened and now, and each customer whose manager or days
        changed since (:func:`routeplan.diff_plans` of the opened plan and :meth:`to_plan`)."""
        now = self.figures().managers
        managers = tuple(ManagerChange(before=b, after=a) for b, a in zip(self._opened_rows, now, strict=True))
        return SessionChanges(managers=managers, customers=diff_plans(self._opened, self.to_plan()).changes)

    # -- changes ---------------------------------------------------------------------------------
    def move(self, customer_ids: Sequence[str], to: str) -> EditResult:
        """Give the customers' own visits (level 0) to manager ``to``, on the days that fit its
        routes best: the cheapest of each customer's allowed day patterns on the days it works
        and the cheapest place in each day's route (customers that would lose most by waiting
        placed first); the routes they left and joined are then improved by local search.

        Parameters
        ----------
        customer_ids
            The customers to move (those with ``to`` already stay as they are).
        to
            The manager to move them to.

        Returns
        -------
        EditResult
            What changed; a customer that finds no room is unserved with the reason
            ``moved by hand: no room``.

        Raises
        ------
        EditError
            An unknown customer or manager.
        EditRefusedError
            ``role``: ``to``'s role may not serve a customer's tier; ``lock``: a customer is
            locked to another manager; ``day``: ``to`` works on no days that hold a customer's
            visits.
        """
        rules = self._rules
        owner = rules.manager(to, "to")
        positions = rules.customers(customer_ids)
        problem = self.problem
        manager = problem.managers[owner]
        for c in positions:
            rules.check_move(problem.customers[c], manager)
        engine = self._engine
        tasks = [c for c in positions if self._owner_of(c) != owner]  # customer c's own visits: task c
        edit = {"op": "move", "customers": [problem.customers[c].customer_id for c in positions], "to": to}

        def change(done: _Change) -> None:
            for t in tasks:
                done.touch(engine.remove(t))
            left = engine.insert_many(tasks, owner)
            done.touch(v for t in tasks for v in engine.vehicles(t))
            done.touch(engine.improve(done.vehicles))
            # The improved routes may have room now for what found none.
            again = [t for t in left if engine.insert(t, owner)]
            if again:
                placed = [v for t in again for v in engine.vehicles(t)]
                done.touch(placed)
                done.touch(engine.improve(placed))
            for t in left:
                if t not in again:
                    done.reasons[t] = NO_ROOM

        return self._commit(edit, change)

    def set_days(self, customer_id: str, days: Sequence[str]) -> EditResult:
        """Move the customer's own visits (level 0) to ``days``, with its manager, each at the
        cheapest place in that day's route; the routes it left and joined are then improved by
        local search.

        Parameters
        ----------
        customer_id
            The customer.
        days
            Day labels of the cycle, one per visit.

        Returns
        -------
        EditResult
            What changed; when a day's route has no room for the visit (even once improved),
            the customer is unserved with the reason ``moved by hand: no room``.

        Raises
        ------
        EditError
            An unknown customer or day label.
        EditRefusedError
            ``day``: its manager does not work on a day, or its visits of another level take
            it; ``min_gap``: days closer than the tier's ``min_gap`` (counted across the end of
            the cycle), a day twice, or not as many days as visits; ``unserved``: the customer
            has no manager.
        """
        rules = self._rules
        c = rules.customer(customer_id)
        wanted = rules.days(days)
        engine = self._engine
        problem = self.problem
        customer = problem.customers[c]
        owner = self._owner_of(c)
        if owner < 0:
            raise EditRefusedError("unserved", f"{customer_id} is unserved, so it has no manager whose days to take: "
                                               "move it to a manager first")
        rules.check_days(customer, problem.managers[owner], wanted)
        for sibling in self._siblings.get(c, ()):
            taken = {int(engine.data.vehicle_day[v]) for v in engine.vehicles(sibling)} & set(wanted)
            if taken:
                by = problem.managers[int(engine.data.vehicle_owner[engine.vehicles(sibling)[0]])].manager_id
                raise EditRefusedError("day", f"{customer_id} is visited on {problem.days[min(taken)]} by {by} "
                                              f"already (level {engine.form.level_of(sibling)}): a customer has "
                                              "one visit a day")
        patterns = engine.form.instance.tasks[c].patterns
        key = tuple(sorted(wanted))
        if key not in patterns:
            labels = ", ".join(problem.days[d] for d in key)
            raise EditRefusedError("day", f"{labels} are not among the {len(patterns)} day patterns the planner "
                                          f"keeps for {customer_id} (the most even ones)")
        pattern = int(engine.data.task_first_pattern[c]) + patterns.index(key)
        edit = {"op": "days", "customer": customer_id, "days": [problem.days[d] for d in wanted]}

        def change(done: _Change) -> None:
            done.touch(engine.remove(c))
            if not engine.insert_on(c, pattern, owner):
                # Room may be made by ordering those days' routes better first.
                done.touch(engine.improve(engine.vehicle_of[owner, d] for d in key))
                if not engine.insert_on(c, pattern, owner):
                    done.reasons[c] = NO_ROOM
            done.touch(engine.vehicles(c))
            done.touch(engine.improve(done.vehicles))

        return self._commit(edit, change)

    def lock(self, customer_ids: Sequence[str]) -> EditResult:
        """Lock the customers to their present manager, as ``locked_manager`` does: no move and
        no re-plan takes them from it. The session's problem (and :meth:`to_plan`'s) has the
        locks.

        Raises
        ------
        EditError
            An unknown customer.
        EditRefusedError
            ``unserved``: a customer has no manager to lock it to.
        """
        positions = self._rules.customers(customer_ids)
        problem = self.problem
        owners = {}
        for c in positions:
            owners[c] = self._owner_of(c)
            if owners[c] < 0:
                raise EditRefusedError("unserved", f"{problem.customers[c].customer_id} is unserved, so it has no "
                                                   "manager to lock it to")
        changed = {c: problem.managers[o].manager_id for c, o in owners.items()}
        edit = {"op": "lock", "customers": [problem.customers[c].customer_id for c in positions]}
        return self._commit(edit, lambda done: None, problem=_locked(problem, changed))

    def unlock(self, customer_ids: Sequence[str]) -> EditResult:
        """Take the customers' locks back (those not locked stay so).

        Raises
        ------
        EditError
            An unknown customer.
        """
        positions = self._rules.customers(customer_ids)
        problem = self.problem
        edit = {"op": "unlock", "customers": [problem.customers[c].customer_id for c in positions]}
        return self._commit(edit, lambda done: None, problem=_locked(problem, dict.fromkeys(positions)))

    def optimise(self, managers: Sequence[str] | Literal["affected"], *, time_limit: float,
                 stop: StoppingCriterion | None = None, seed: int = 0,
                 progress: Callable[[Progress], None] | None = None) -> EditResult:
        """Plan the assignment and routes among ``managers`` again: the customers they serve and
        those missing visits they may make, from their current routes, keeping every lock; every
        other manager's routes stay as they are.

        Parameters
        ----------
        managers
            Manager ids, or ``"affected"``: those whose routes the changes since the last
            re-plan touched (:meth:`affected`; none: nothing to do).
        time_limit
            Seconds for the re-plan, formulating the managers' sub-problem included. The search
            also ends once it stops finding better plans.
        stop
            A further stopping criterion, the first one met ending the search (e.g.
            :class:`routeplan.MaxIterations`, which repeats exactly).
        seed
            Seed of the search.
        progress
            Called about once a second with a :class:`~routeplan.Progress`.

        Raises
        ------
        EditError
            An unknown manager, no managers, or a time limit that is not a positive number.
        """
        if isinstance(managers, str):
            if managers != "affected":
                raise EditError("managers", f"expected a list of manager ids or 'affected', got {managers!r}")
            owners = sorted(self._current.affected)
            named: list[str] | str = "affected"
        else:
            owners = self._rules.managers(managers)
            named = [self.problem.managers[o].manager_id for o in owners]
        if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not (
                math.isfinite(time_limit) and time_limit > 0):
            raise EditError("time_limit", f"{time_limit!r} is not a positive number of seconds")
        edit = {"op": "optimise", "managers": named, "time_limit": time_limit}
        engine = self._engine
        search = ReplanSearch(time_limit=float(time_limit), stop=stop, seed=seed, progress=progress)

        def change(done: _Change) -> None:
            if not owners:
                return
            replanned = replan_managers(self._context(), engine, owners, self._current.routes, search)
            if engine.closure(replanned.sequences, replanned.sequences) != set(replanned.sequences):
                raise InternalError("a re-plan moved visits of managers outside it")
            done.touch(engine.load(replanned.sequences))
            done.reasons.update(replanned.unserved)

        return self._commit(edit, change, replanned=True)

    def undo(self) -> EditResult:
        """Take the last change in force back (a new version).

        Raises
        ------
        EditRefusedError
            ``undo``: nothing to undo.
        """
        if not self.can_undo:
            raise EditRefusedError("undo", "nothing to undo")
        result = self._restore(self._history[self._position - 1], {"op": "undo"})
        self._position -= 1
        return result

    def redo(self) -> EditResult:
        """Make the last change undone again (a new version).

        Raises
        ------
        EditRefusedError
            ``redo``: nothing to redo (nothing was undone, or a change was made since).
        """
        if not self.can_redo:
            raise EditRefusedError("redo", "nothing to redo")
        result = self._restore(self._history[self._position + 1], {"op": "redo"})
        self._position += 1
        return result

    def apply(self, edit: Mapping[str, Any], *, progress: Callable[[Progress], None] | None = None) -> EditResult:
        """Make a change given in the contract's JSON form (section 8): ``{"op": "move",
        "customers": [...], "to": ID}``, ``{"op": "days", "customer": ID, "days": [...]}``,
        ``{"op": "lock" | "unlock", "customers": [...]}``, ``{"op": "optimise", "managers":
        [...] | "affected", "time_limit": S}``, or ``{"op": "undo" | "redo"}``.

        Parameters
        ----------
        edit
            The change.
        progress
            For ``optimise``: called about once a second with the search's
            :class:`~routeplan.Progress` (see :meth:`optimise`); other ops do not call it.

        Raises
        ------
        EditError
            An unknown op, or a field its op needs missing (as well as what each change raises).
        """
        if not isinstance(edit, Mapping):
            raise EditError("edit", f"expected an object with an 'op', got {edit!r}")
        op = edit.get("op")

        def need(name: str) -> Any:
            if name not in edit:
                raise EditError(name, f"missing: op {op!r} needs it")
            return edit[name]

        if op == "move":
            return self.move(need("customers"), need("to"))
        if op == "days":
            return self.set_days(need("customer"), need("days"))
        if op == "lock":
            return self.lock(need("customers"))
        if op == "unlock":
            return self.unlock(need("customers"))
        if op == "optimise":
            return self.optimise(need("managers"), time_limit=need("time_limit"), progress=progress)
        if op == "undo":
            return self.undo()
        if op == "redo":
            return self.redo()
        raise EditError("op", f"unknown op {op!r}; expected move, days, lock, unlock, optimise, undo or redo")

    # -- inside ----------------------------------------------------------------------------------
    @property
    def _current(self) -> _Version:
        return self._history[self._position]

    @staticmethod
    def _eligible(rules: Rules) -> list[tuple[int, ...]]:
        """Each customer's eligible managers under ``rules`` (customers of one tier and lock
        share one tuple)."""
        shared: dict[tuple[str, str | None], tuple[int, ...]] = {}
        out = []
        for c in rules.problem.customers:
            key = (c.tier, c.locked_manager)
            if key not in shared:
                shared[key] = rules.eligible(c)
            out.append(shared[key])
        return out

    def _context(self) -> PlanningContext:
        """The planning context of the problem as it stands (its hand-out with the locks)."""
        problem = self.problem
        if self._context_of[0] is not problem:
            self._context_of = (problem, PlanningContext.with_eligible(problem, self._opened.strategy,
                                                                       self._eligible(self._rules)))
        return self._context_of[1]

    def _owner_of(self, task: int) -> int:
        """The manager of ``task``'s visits (-1: unassigned)."""
        vehicles = self._engine.vehicles(task)
        return int(self._engine.data.vehicle_owner[vehicles[0]]) if vehicles else -1

    def _commit(self, edit: dict[str, Any], change: Callable[[_Change], None], *, problem: Problem | None = None,
                replanned: bool = False) -> EditResult:
        """Make ``change`` to the engine's state, read the routes it touched back and record the
        new version; on any error, put the state back as it was and raise it."""
        engine = self._engine
        current = self._current
        before = engine.placement()
        done = _Change()
        try:
            if problem is not None:
                self._sync_locks(current.problem, problem)
            change(done)
            # A route the engine times otherwise than the plan it was read from (a plan folder)
            # may break a rule once re-timed: its last visits go, with the reason of no room.
            for t in engine.overfull(done.vehicles):
                done.reasons[t] = NO_ROOM
            routes, touched = self._read_back(done.vehicles)
            unserved = self._unserved(before, done.reasons)
            self._verify()
        except BaseException:
            self._put_back(done.vehicles, current, problem)
            raise
        affected = frozenset() if replanned else current.affected | {int(engine.data.vehicle_owner[v]) for v in touched}
        version = _Version(problem=problem or current.problem, routes=routes, unserved=unserved, edit=edit,
                           affected=affected)
        del self._history[self._position + 1:]  # a new change: what was undone cannot be redone
        self._history.append(version)
        self._position += 1
        return self._result(edit, before, touched, current, version)

    def _restore(self, target: _Version, edit: dict[str, Any]) -> EditResult:
        """Set the state to the version ``target`` (undo, redo): the routes that differ, and the
        locks."""
        engine = self._engine
        current = self._current
        differing = {v for v in current.routes.keys() | target.routes.keys()
                     if current.routes.get(v) is not target.routes.get(v)}
        before = engine.placement()
        locks = target.problem if target.problem is not current.problem else None
        try:
            self._set_routes(differing, target)
            if locks is not None:
                self._sync_locks(current.problem, locks)
            self._verify()
        except BaseException:
            self._put_back(differing, current, locks)
            raise
        return self._result(edit, before, sorted(differing), current, target)

    def _set_routes(self, vehicles: Iterable[int], target: _Version) -> None:
        """Give the engine ``target``'s routes on ``vehicles`` (and on the further vehicles their
        tasks have visits on)."""
        engine = self._engine
        wanted: dict[int, list[int]] = {}

        def sequence(v: int) -> list[int]:
            if v not in wanted:
                route = target.routes.get(v)
                wanted[v] = [] if route is None else engine.sequence_of(route)
            return wanted[v]

        chosen = set(vehicles)
        while True:  # the closure, reading the target's sequences only where needed
            for v in chosen:
                sequence(v)
            grown = engine.closure(chosen, wanted)
            if grown == chosen:
                break
            chosen = grown
        engine.load({v: wanted[v] for v in chosen})

    def _put_back(self, vehicles: set[int], current: _Version, problem: Problem | None) -> None:
        """Undo a change that failed half-way: the routes it touched, and its locks."""
        try:
            self._set_routes(vehicles, current)
            if problem is not None:
                self._sync_locks(problem, current.problem)
        except Exception:  # the error that got us here is the one to report
            logger.exception("putting the session's state back after a failed change failed too")

    def _sync_locks(self, old: Problem, new: Problem) -> None:
        """Give the engine's tasks the eligibility of ``new``'s locks where they differ from
        ``old``'s, and take ``new``'s rules."""
        self._rules = self._rules.with_problem(new)
        for c, (a, b) in enumerate(zip(old.customers, new.customers, strict=True)):
            if a.locked_manager != b.locked_manager:
                self._engine.set_owners(c, self._rules.eligible(b))

    def _read_back(self, vehicles: Iterable[int]) -> tuple[dict[int, DayRoute], list[int]]:
        """The plan's routes after a change to ``vehicles``: each of those read back from the
        engine (the same object where its visits did not change); the vehicles whose route did."""
        engine = self._engine
        routes = dict(self._current.routes)
        touched = []
        for v in sorted(vehicles):
            old = routes.get(v)
            if old is not None and engine.route(v) == engine.sequence_of(old):
                continue  # its visits stay in order: its times too
            new = engine.day_route(v)
            if new is None:
                if old is not None:
                    del routes[v]
                    touched.append(v)
            else:
                routes[v] = new
                touched.append(v)
        return routes, touched

    def _unserved(self, before: tuple[np.ndarray, np.ndarray],
                  reasons: Mapping[int, Unserved | str]) -> dict[int, Unserved]:
        """The unserved entries after a change: the tasks it left unassigned, with their reasons
        (``reasons``, else no room), those it served dropped."""
        engine = self._engine
        problem = engine.form.problem
        pattern = engine.state.pattern
        out = dict(self._current.unserved)
        changed = set(np.flatnonzero(before[0] != pattern).tolist()) | set(reasons)
        for t in sorted(changed):
            if pattern[t] >= 0:
                out.pop(t, None)
                continue
            reason = reasons.get(t, NO_ROOM)
            out[t] = reason if isinstance(reason, Unserved) else Unserved(
                customer_id=problem.customers[engine.form.customer_of(t)].customer_id,
                visits_missing=self._visits[t], reason=reason, level=engine.form.level_of(t))
        return out

    def _result(self, edit: dict[str, Any], before: tuple[np.ndarray, np.ndarray], touched: Iterable[int],
                old: _Version, new: _Version) -> EditResult:
        """The result of going from ``old`` to ``new`` (``before``: the engine's placement then)."""
        self._version += 1
        engine = self._engine
        form = engine.form
        problem = new.problem
        ids = self._ids
        pattern, owner = engine.placement()
        owners_before = before[1]
        moved, redayed, served = [], [], []
        for t in np.flatnonzero((before[0] != pattern) | (owners_before != owner)).tolist():
            customer = ids[form.customer_of(t)]
            if pattern[t] < 0:
                continue
            if before[0][t] < 0:
                served.append(customer)
            elif owners_before[t] != owner[t] and form.level_of(t) == 0:
                moved.append(customer)
            else:
                redayed.append(customer)
        missing = {u.customer_id for u in new.unserved.values()}
        fresh = tuple(u for t, u in sorted(new.unserved.items()) if old.unserved.get(t) is not u)
        locks: list[str] = []
        if old.problem is not new.problem:
            locks = [b.customer_id for a, b in zip(old.problem.customers, problem.customers, strict=True)
                     if a.locked_manager != b.locked_manager]
        managers = problem.managers
        keys = sorted((int(engine.data.vehicle_owner[v]), int(engine.data.vehicle_day[v])) for v in touched)
        result = EditResult(version=self._version, edit=_copied(edit), moved=tuple(dict.fromkeys(moved)),
                            redayed=tuple(c for c in dict.fromkeys(redayed) if c not in moved),
                            routes=tuple((managers[o].manager_id, problem.days[d]) for o, d in keys),
                            managers=tuple(managers[o].manager_id for o in dict.fromkeys(o for o, _ in keys)),
                            unserved=fresh, served=tuple(c for c in dict.fromkeys(served) if c not in missing),
                            locks=tuple(locks))
        logger.info("version %d: %s: %d route(s) changed, %d customer(s) moved, %d visit entr(ies) unserved",
                    self._version, edit["op"], len(result.routes), len(result.moved), len(result.unserved))
        return result

    def _verify(self) -> None:
        """With ``check``: the engine's state keeps every rule and its bookkeeping is right."""
        if self._check:
            problems = self._engine.check()
            if problems:
                raise InternalError("the edited plan's engine state is broken: " + "; ".join(problems[:5]))

    def _rows(self, plan: Plan, version: int) -> EditFigures:
        """The figures of ``plan`` (the session's at ``version``)."""
        report = plan.balance()
        by_manager = {m.manager_id: m for g in report.groups for m in g.managers}
        available = {m.manager_id: m.available_min for m in plan.problem.managers}
        rows = []
        for f in plan.manager_figures():
            balance = by_manager.get(f.manager_id)
            alone = f.work_min / available[f.manager_id] if available[f.manager_id] > 0 else 0.0
            rows.append(ManagerRow(manager_id=f.manager_id, role=f.role, customers=f.customers, visits=f.visits,
                                   travel_km=f.travel_km, work_min=f.work_min,
                                   utilisation=alone if balance is None else balance.utilisation,
                                   deviation=0.0 if balance is None else balance.deviation,
                                   within=True if balance is None else balance.within))
        return EditFigures(version=version, managers=tuple(rows), tolerance=report.tolerance, within=report.within,
                           unserved=plan.unserved)


def _locked(problem: Problem, locks: Mapping[int, str | None]) -> Problem:
    """``problem`` with customers (positions) locked to the managers ``locks`` gives (None:
    unlocked)."""
    customers = list(problem.customers)
    for c, manager in locks.items():
        if customers[c].locked_manager != manager:
            customers[c] = replace(customers[c], locked_manager=manager)
    return problem.replace(customers=tuple(customers))


def _copied(edit: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an edit in the journal's form that the caller may change freely."""
    return {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in edit.items()}
