"""Editing a plan by hand (routeplan.EditSession): refusals name their rule and change nothing,
accepted changes keep the plan valid and touch only the manager-days they affect, undo and redo
restore exactly, locks hold through re-plans, figures and journal agree with the plan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from editing_problems import small_problem

import routeplan
from routeplan import EditError, EditRefusedError, EditSession, MaxIterations, Plan, Problem
from routeplan.editing import NO_ROOM

REPO = Path(__file__).resolve().parents[2]
KUIWEN = REPO / "data" / "samples" / "kuiwen"


@pytest.fixture(scope="module")
def kuiwen() -> tuple[Problem, Plan]:
    # These tests move work about freely: the sample's days without its 90-minute lunch leave the
    # room for that (an editing session with breaks: tests/test_breaks.py).
    sample = routeplan.read_scenario(KUIWEN)
    problem = replace(sample, managers=tuple(replace(m, break_=None) for m in sample.managers))
    return problem, routeplan.plan(problem, stop=MaxIterations(3000), seed=0)


@pytest.fixture
def session(kuiwen: tuple[Problem, Plan]) -> EditSession:
    problem, plan = kuiwen
    return EditSession.open(problem, plan, check=True)


def open_small(*, levels: bool = False) -> EditSession:
    problem = small_problem(levels=levels)
    plan = routeplan.plan(problem, stop=MaxIterations(400), seed=0)
    assert plan.is_complete()
    return EditSession.open(problem, plan, check=True)


def state(session: EditSession) -> tuple[Any, ...]:
    """Everything a refused change must leave as it was."""
    plan = session.to_plan()
    return (session.version, plan.routes, plan.unserved, session.journal(), session.problem, session.affected(),
            session.can_undo, session.can_redo)


def routes_by_day(plan: Plan) -> dict[tuple[str, str], routeplan.DayRoute]:
    return {(r.manager_id, r.day): r for r in plan.routes}


def customers_of(plan: Plan, manager_id: str) -> list[str]:
    return sorted(c for c, m in plan.assignment().items() if m == manager_id)


def assert_engine_holds_the_plan(session: EditSession) -> None:
    """The session's engine state keeps its rules and holds exactly the plan's routes."""
    engine = session._engine
    assert engine.check() == []
    routes = {engine.vehicle_of[engine.manager_index[r.manager_id], r.day_index]: r for r in session.to_plan().routes}
    for v in range(len(engine.state.length)):
        assert engine.route(v) == (engine.sequence_of(routes[v]) if v in routes else [])


def assert_valid(session: EditSession) -> None:
    report = session.to_plan().validate()
    assert report.ok, str(report)
    assert_engine_holds_the_plan(session)


# -- refusals ---------------------------------------------------------------------------------------
def test_a_role_that_may_not_serve_the_tier_is_refused_and_changes_nothing(session: EditSession):
    medium = customers_of(session.opened, "C1")[:2]
    before = state(session)
    with pytest.raises(EditRefusedError) as refused:
        session.move(medium, to="D1")  # D managers serve small shops only
    assert refused.value.rule == "role"
    assert "D1" in str(refused.value)
    assert medium[0] in str(refused.value)
    assert state(session) == before


def test_another_managers_lock_is_refused_and_changes_nothing(session: EditSession):
    customer = customers_of(session.opened, "C1")[0]
    session.lock([customer])
    before = state(session)
    with pytest.raises(EditRefusedError) as refused:
        session.move([customer], to="C2")
    assert refused.value.rule == "lock"
    assert customer in str(refused.value)
    assert "C1" in str(refused.value)
    assert state(session) == before
    session.move([customer], to="C1")  # its own manager's lock is no obstacle
    assert session.to_plan().assignment()[customer] == "C1"


def test_a_day_the_manager_does_not_work_is_refused_and_changes_nothing():
    session = open_small()
    small = next(c for c, m in session.opened.assignment().items() if m == "D1")
    before = state(session)
    with pytest.raises(EditRefusedError) as refused:
        session.set_days(small, ["Tue"])  # D1 works Mon, Wed and Fri
    assert refused.value.rule == "day"
    assert "D1" in str(refused.value)
    assert "Tue" in str(refused.value)
    assert state(session) == before


def test_a_manager_whose_days_hold_no_pattern_is_refused_with_the_day_rule():
    b = routeplan.ProblemBuilder(name="days", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.1314, 36.7090)
    b.add_tier("medium", visits=2, min_gap=2, service_min=20, roles=["C"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C", days="Mon Tue")  # no two of its days lie 2 apart
    b.add_customer("A", lon=119.13, lat=36.71, tier="medium")
    problem = b.build()
    session = EditSession.open(problem, routeplan.plan(problem, stop=MaxIterations(100), seed=0), check=True)
    before = state(session)
    with pytest.raises(EditRefusedError) as refused:
        session.move(["A"], to="C2")
    assert refused.value.rule == "day"
    assert state(session) == before


@pytest.mark.parametrize(("days", "why"), [(["Mon-1", "Wed-1"], "2 apart"),
                                           (["Tue-1", "Fri-2"], "counted across the end of the cycle"),
                                           (["Mon-1"], "not 1"), (["Mon-1", "Fri-1", "Wed-2"], "not 3"),
                                           (["Mon-1", "Mon-1"], "distinct days")])
def test_days_closer_than_min_gap_or_too_few_are_refused_and_change_nothing(session: EditSession, days: list[str],
                                                                            why: str):
    medium = customers_of(session.opened, "C2")[0]  # two visits at least 4 days apart in 10
    before = state(session)
    with pytest.raises(EditRefusedError) as refused:
        session.set_days(medium, days)
    assert refused.value.rule == "min_gap"
    assert why in str(refused.value)
    assert state(session) == before


def test_a_day_another_level_takes_is_refused():
    session = open_small(levels=True)
    plan = session.opened
    customer = customers_of(plan, "C1")[0]
    market_day = next(r.day_index for r in plan.routes if r.manager_id == "M1"
                      for s in r.stops if s.customer_id == customer)
    days = [plan.problem.days[market_day], plan.problem.days[(market_day + 2) % 5]]  # 2 and 3 days apart
    before = state(session)
    with pytest.raises(EditRefusedError) as refused:
        session.set_days(customer, days)
    assert refused.value.rule == "day"
    assert "level 1" in str(refused.value)
    assert state(session) == before


@pytest.mark.parametrize(("call", "argument", "named"), [
    (lambda s: s.move(["NOPE"], to="C2"), "customers", "NOPE"),
    (lambda s: s.move(["KW0001"], to="Z9"), "to", "Z9"),
    (lambda s: s.set_days("KW0001", ["Sun-9", "Mon-2"]), "days", "Sun-9"),
    (lambda s: s.set_days("NOPE", ["Mon-1", "Mon-2"]), "customer", "NOPE"),
    (lambda s: s.lock(["KW0001", "NOPE"]), "customers", "NOPE"),
    (lambda s: s.optimise(["C1", "Z9"], time_limit=1), "managers", "Z9"),
    (lambda s: s.optimise(["C1"], time_limit=-1), "time_limit", "-1"),
    (lambda s: s.move([], to="C2"), "customers", "no customers"),
])
def test_unknown_ids_are_named_and_change_nothing(session: EditSession, call: Any, argument: str, named: str):
    before = state(session)
    with pytest.raises(EditError) as error:
        call(session)
    assert error.value.argument == argument
    assert named in str(error.value)
    assert isinstance(error.value, routeplan.ArgumentError)
    assert state(session) == before


def test_nothing_to_undo_or_redo_is_refused(session: EditSession):
    with pytest.raises(EditRefusedError) as refused:
        session.undo()
    assert refused.value.rule == "undo"
    with pytest.raises(EditRefusedError) as refused:
        session.redo()
    assert refused.value.rule == "redo"
    assert session.version == 0


# -- accepted changes ---------------------------------------------------------------------------------
def test_move_moves_the_visits_and_touches_only_the_affected_manager_days(session: EditSession):
    before_plan = session.to_plan()
    moving = customers_of(before_plan, "C1")[:6]
    result = session.move(moving, to="C2")
    after_plan = session.to_plan()
    assert result.version == session.version == 1
    assert sorted(result.moved) == sorted(moving)
    assert set(result.managers) == {"C1", "C2"}
    for customer in moving:
        assert after_plan.assignment()[customer] == "C2"
        assert {r.manager_id for r in after_plan.routes for s in r.stops if s.customer_id == customer} == {"C2"}
    before, after = routes_by_day(before_plan), routes_by_day(after_plan)
    changed = set(result.routes)
    assert changed, "a move changes routes"
    for key in before.keys() | after.keys():
        if key in changed:
            assert before.get(key) != after.get(key)
        else:
            assert after[key] is before[key]  # the very same route object
    assert_valid(session)


def test_a_move_into_a_full_manager_sends_visits_to_unserved_with_no_room():
    session = open_small()
    moving = customers_of(session.opened, "C1")[:6]  # C3 makes one visit a day: room for 5 visits
    result = session.move(moving, to="C3")
    plan = session.to_plan()
    left = {u.customer_id: u for u in plan.unserved}
    assert left, "C3 cannot take six customers of two visits"
    assert {u.customer_id for u in result.unserved} == set(left)
    for customer in moving:
        if customer in left:
            assert left[customer].reason == NO_ROOM == "moved by hand: no room"
            assert left[customer].visits_missing == 2
            assert customer not in plan.assignment()
        else:
            assert plan.assignment()[customer] == "C3"
    assert_valid(session)
    assert session.figures().unserved == plan.unserved
    rows = {row.customer_id: row for row in session.customers()}
    assert all(rows[c].manager_id == "" and rows[c].days == () for c in left)
    # Moving one back to a manager with room serves it again.
    back = min(left)
    assert session.move([back], to="C1").served == (back,)
    assert back not in {u.customer_id for u in session.to_plan().unserved}
    assert_valid(session)


def test_set_days_puts_the_visits_on_those_days(session: EditSession):
    plan = session.opened
    # The two of C3's days four apart (the tier's min_gap) with the least work: room for one more.
    work = {r.day_index: r.work_min for r in plan.routes if r.manager_id == "C3"}
    first, second = min(((d, d + 4) for d in range(plan.problem.num_days - 4)),
                        key=lambda pair: max(work.get(pair[0], 0.0), work.get(pair[1], 0.0)))
    customer = next(c for c in customers_of(plan, "C3")
                    if not {first, second} & {r.day_index for r in plan.routes for s in r.stops if s.customer_id == c})
    result = session.set_days(customer, [plan.problem.days[first], plan.problem.days[second]])
    plan = session.to_plan()
    visits = sorted((r.day_index, r.manager_id) for r in plan.routes for s in r.stops if s.customer_id == customer)
    assert visits == [(first, "C3"), (second, "C3")]
    assert result.redayed == (customer,)
    assert result.moved == ()
    assert result.managers == ("C3",)
    assert_valid(session)


def test_set_days_where_the_routes_have_no_room_goes_unserved():
    session = open_small()
    plan = session.opened
    # C3 makes one visit a day: a customer it serves put on two of its busy days has no room.
    busy = [r.day for r in plan.routes if r.manager_id == "C3" and r.stops]
    mine = customers_of(plan, "C3")
    days_of = {c: [r.day for r in plan.routes for s in r.stops if s.customer_id == c] for c in mine}
    candidates = [(c, d1, d2) for c in mine for d1 in busy for d2 in busy
                  if plan.problem.days.index(d2) - plan.problem.days.index(d1) in (2, 3)
                  and not {d1, d2} & set(days_of[c])]
    if not candidates:
        pytest.skip("the plan leaves C3 no two busy days of other customers two apart")
    customer, d1, d2 = candidates[0]
    result = session.set_days(customer, [d1, d2])
    assert [u.customer_id for u in result.unserved] == [customer]
    assert result.unserved[0].reason == NO_ROOM
    assert_valid(session)


def test_every_accepted_change_keeps_the_plan_valid(session: EditSession):
    plan = session.opened
    c1, c4 = customers_of(plan, "C1"), customers_of(plan, "C4")
    small = customers_of(plan, "D2")
    steps = [lambda: session.move(c1[:3] + c4[:3], to="C5"), lambda: session.set_days(c1[0], ["Wed-1", "Tue-2"]),
             lambda: session.move(small[:4], to="D3"), lambda: session.lock(c1[:2]), lambda: session.unlock(c1[:1]),
             lambda: session.optimise("affected", time_limit=5, stop=MaxIterations(300)), session.undo,
             session.undo, session.redo, lambda: session.move(c4[3:10], to="C1")]
    versions = []
    for step in steps:
        versions.append(step().version)
        assert_valid(session)
    assert versions == list(range(1, len(steps) + 1))


def test_undo_and_redo_restore_exactly(session: EditSession):
    opened = session.to_plan()
    first = session.move(customers_of(opened, "C1")[:4], to="C6")
    after_first = session.to_plan()
    second = session.set_days(customers_of(opened, "C2")[0], ["Thu-1", "Wed-2"])
    after_second = session.to_plan()
    assert (first.version, second.version) == (1, 2)
    undone = session.undo()
    assert undone.version == 3
    assert undone.edit == {"op": "undo"}
    assert session.to_plan().routes == after_first.routes
    assert session.to_plan().unserved == after_first.unserved
    assert set(undone.routes) == set(second.routes)
    session.undo()
    assert session.to_plan().routes == opened.routes
    assert session.to_plan().unserved == opened.unserved
    assert session.journal() == []
    assert session.redo().version == 5
    assert session.to_plan().routes == after_first.routes
    assert session.redo().version == 6
    assert session.to_plan().routes == after_second.routes
    assert session.version == 6
    assert not session.can_redo
    assert_valid(session)


def test_undo_takes_a_lock_back():
    session = open_small()
    customer = customers_of(session.opened, "C1")[0]
    session.lock([customer])
    assert session.problem.customer(customer).locked_manager == "C1"
    assert session.undo().locks == (customer,)
    assert session.problem.customer(customer).locked_manager is None
    assert session.move([customer], to="C2").moved == (customer,)  # no lock in the way any more
    assert_valid(session)


def test_a_new_change_after_undo_clears_redo(session: EditSession):
    opened = session.opened
    session.move(customers_of(opened, "C1")[:2], to="C2")
    session.undo()
    assert session.can_redo
    session.move(customers_of(opened, "C3")[:2], to="C2")
    assert not session.can_redo
    with pytest.raises(EditRefusedError):
        session.redo()
    assert [e["customers"] for e in session.journal()] == [customers_of(opened, "C3")[:2]]


def test_a_lock_holds_through_optimise(session: EditSession):
    opened = session.opened
    locked = customers_of(opened, "C1")[:3]
    session.lock(locked)
    plan = session.to_plan()
    assert all(plan.problem.customer(c).locked_manager == "C1" for c in locked)
    assert all(c.locked_manager is None for c in opened.problem.customers)  # the opened plan keeps its problem
    session.move(customers_of(opened, "C2")[:8], to="C1")  # C1 overloaded: a re-plan would move some away
    result = session.optimise(["C1", "C2", "C3"], time_limit=10, stop=MaxIterations(1500), seed=1)
    plan = session.to_plan()
    assert all(plan.assignment()[c] == "C1" for c in locked)
    assert result.moved, "the re-plan moved customers between C1, C2 and C3"
    assert_valid(session)


def test_optimise_affected_touches_only_the_affected_managers(session: EditSession):
    opened = session.to_plan()
    session.move(customers_of(opened, "C1")[:5], to="C2")
    assert session.affected() == ("C1", "C2")
    before = routes_by_day(session.to_plan())
    result = session.optimise("affected", time_limit=10, stop=MaxIterations(800))
    assert set(result.managers) <= {"C1", "C2"}
    after = routes_by_day(session.to_plan())
    for key in before.keys() | after.keys():
        if key[0] not in ("C1", "C2"):
            assert after[key] is before[key]
    assert session.affected() == ()
    assert session.journal()[-1] == {"op": "optimise", "managers": "affected", "time_limit": 10}
    assert_valid(session)


def test_optimise_of_named_managers_with_a_progress_callback(session: EditSession):
    seen: list[routeplan.Progress] = []
    result = session.optimise(["D1", "D2"], time_limit=1.6, progress=seen.append)
    assert set(result.managers) <= {"D1", "D2"}
    assert seen
    assert all(p.seconds >= 0 for p in seen)
    assert_valid(session)


def test_apply_hands_an_optimise_the_progress_callback(session: EditSession):
    seen: list[routeplan.Progress] = []
    result = session.apply({"op": "optimise", "managers": ["D1", "D2"], "time_limit": 1.6}, progress=seen.append)
    assert result.edit["op"] == "optimise"
    assert seen
    assert all(p.iterations > 0 for p in seen)
    assert_valid(session)


def test_apply_calls_no_progress_for_other_ops(session: EditSession):
    seen: list[routeplan.Progress] = []
    session.apply({"op": "lock", "customers": [session.customers()[0].customer_id]}, progress=seen.append)
    assert seen == []


def test_optimise_keeps_visits_of_other_levels_with_managers_outside():
    session = open_small(levels=True)
    opened = session.to_plan()
    session.move(customers_of(opened, "C1")[:3], to="C2")
    session.optimise(["C1", "C2"], time_limit=10, stop=MaxIterations(500))
    plan = session.to_plan()
    market = lambda p: sorted((r.day, s.customer_id) for r in p.routes if r.manager_id == "M1" for s in r.stops)  # noqa: E731
    assert market(plan) == market(opened)
    assert plan.is_complete()
    assert_valid(session)


def test_figures_agree_with_the_plans_own(session: EditSession):
    session.move(customers_of(session.opened, "C1")[:5], to="C2")
    figures = session.figures()
    plan = session.to_plan()
    assert figures.version == session.version
    own = {f.manager_id: f for f in plan.manager_figures()}
    balance = {m.manager_id: m for g in plan.balance().groups for m in g.managers}
    assert [m.manager_id for m in figures.managers] == [m.manager_id for m in plan.problem.managers]
    for row in figures.managers:
        f = own[row.manager_id]
        assert (row.customers, row.visits, row.travel_km, row.work_min) == (f.customers, f.visits, f.travel_km,
                                                                             f.work_min)
        assert row.work_min == sum(r.work_min for r in plan.routes if r.manager_id == row.manager_id)
        if row.manager_id in balance:
            assert row.utilisation == balance[row.manager_id].utilisation
            assert row.deviation == balance[row.manager_id].deviation
    assert figures.within == plan.balance().within
    assert figures.tolerance == plan.problem.balance.tolerance
    data = figures.to_dict()
    assert set(data["managers"][0]) >= {"manager_id", "role", "customers", "visits", "travel_km", "work_min",
                                        "utilisation", "deviation"}
    assert data["balance"] == {"tolerance": figures.tolerance, "within": figures.within}


def test_changes_since_open_give_each_managers_plus_and_minus(session: EditSession):
    moving = customers_of(session.opened, "C1")[:5]
    session.move(moving, to="C2")
    changes = session.changes_since_open()
    assert changes.manager("C1").customers == -5
    assert changes.manager("C2").customers == 5
    assert changes.manager("C1").visits == -10
    assert changes.manager("C2").work_min > 0
    assert changes.manager("A1").work_min == 0
    assert changes.manager("A1").customers == 0
    moved = {c.customer_id: c for c in changes.customers}
    assert set(moving) <= set(moved)
    assert all(moved[c].before_manager == "C1" and moved[c].after_manager == "C2" for c in moving)


def test_the_journal_holds_the_changes_in_force_in_the_contracts_form(session: EditSession):
    plan = session.opened
    a, b = customers_of(plan, "C1")[:2]
    session.move([a, b], to="C2")
    session.set_days(a, ["Mon-1", "Fri-1"])
    session.lock([b])
    session.unlock([b])
    session.undo()
    session.optimise(["C1", "C2"], time_limit=3, stop=MaxIterations(100))
    assert session.journal() == [
        {"op": "move", "customers": [a, b], "to": "C2"},
        {"op": "days", "customer": a, "days": ["Mon-1", "Fri-1"]},
        {"op": "lock", "customers": [b]},
        {"op": "optimise", "managers": ["C1", "C2"], "time_limit": 3},
    ]
    journal = session.journal()
    journal[0]["customers"].append("changed")  # a copy: the session's journal stays as it was
    assert session.journal()[0]["customers"] == [a, b]


def test_apply_takes_the_contracts_json_form(session: EditSession):
    plan = session.opened
    a = customers_of(plan, "C1")[0]
    assert session.apply({"op": "move", "customers": [a], "to": "C3"}).moved == (a,)
    assert session.apply({"op": "days", "customer": a, "days": ["Tue-1", "Tue-2"]}).version == 2
    assert session.apply({"op": "lock", "customers": [a]}).locks == (a,)
    assert session.apply({"op": "undo"}).version == 4
    with pytest.raises(EditError) as error:
        session.apply({"op": "teleport"})
    assert error.value.argument == "op"
    assert "teleport" in str(error.value)
    with pytest.raises(EditError) as error:
        session.apply({"op": "move", "customers": [a]})
    assert error.value.argument == "to"
    assert session.version == 4


def test_open_folder_reads_the_scenario_and_the_plan(kuiwen: tuple[Problem, Plan], tmp_path: Path):
    problem, plan = kuiwen
    routeplan.write_scenario(problem, tmp_path / "scenario")
    routeplan.write_plan(plan, tmp_path / "plan")
    session = EditSession.open_folder(tmp_path / "scenario", tmp_path / "plan", check=True)
    assert session.to_plan().routes == routeplan.read_plan(session.problem, tmp_path / "plan").routes
    session.move(customers_of(plan, "C1")[:3], to="C4")
    assert_valid(session)


def test_open_refuses_a_plan_of_another_problem(kuiwen: tuple[Problem, Plan]):
    problem, plan = kuiwen
    with pytest.raises(routeplan.ArgumentError, match="another problem"):
        EditSession.open(problem.with_balance(tolerance=0.2), plan)


def test_open_refuses_a_plan_that_does_not_validate(kuiwen: tuple[Problem, Plan]):
    problem, plan = kuiwen
    route = plan.routes[0]
    broken = replace(plan, routes=(replace(route, stops=route.stops[1:]), *plan.routes[1:]))
    with pytest.raises(routeplan.ArgumentError, match="does not validate"):
        EditSession.open(problem, broken)


def test_to_dict_is_the_contracts_plan_body(session: EditSession):
    moving = customers_of(session.opened, "C1")[:2]
    session.move(moving, to="C2")
    session.lock(moving[:1])
    body = session.to_dict()
    assert set(body) == {"version", "customers", "managers", "unserved", "balance"}
    assert body["version"] == 2
    rows = {row["customer_id"]: row for row in body["customers"]}
    assert len(rows) == session.problem.num_customers
    plan = session.to_plan()
    for customer in moving:
        days = [r.day for r in plan.routes for s in r.stops if s.customer_id == customer]
        assert rows[customer]["manager_id"] == "C2"
        assert rows[customer]["days"] == sorted(days, key=plan.problem.days.index)
    assert rows[moving[0]]["locked"] is True
    assert rows[moving[1]]["locked"] is False
    assert body["managers"] == session.figures().to_dict()["managers"]


def test_a_change_that_fails_half_way_leaves_the_session_as_it_was(session: EditSession,
                                                                    monkeypatch: pytest.MonkeyPatch):
    moving = customers_of(session.opened, "C1")[:3]
    before = state(session)

    def broken(vehicles: object) -> set[int]:
        raise RuntimeError("the local search broke")

    monkeypatch.setattr(session._engine, "improve", broken)  # after the visits were taken out
    with pytest.raises(RuntimeError, match="local search broke"):
        session.move(moving, to="C2")
    monkeypatch.undo()
    assert state(session) == before
    assert_engine_holds_the_plan(session)
    session.move(moving, to="C2")  # the engine holds the plan as it was: the next change builds on it
    assert_valid(session)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_keep_the_plan_valid_and_refusals_change_nothing(seed: int):
    rng = np.random.default_rng(seed)
    session = open_small(levels=True)
    problem = session.problem
    managers = [m.manager_id for m in problem.managers]
    accepted = 0
    rules: list[str] = []
    for _ in range(40):
        op = rng.choice(["move", "move", "days", "lock", "unlock", "undo", "redo", "optimise"])
        tier = problem.tiers[int(rng.integers(len(problem.tiers)))]
        mine = [c.customer_id for c in problem.customers if c.tier == tier.name]
        some = [str(c) for c in rng.choice(mine, size=int(rng.integers(1, 5)), replace=False)]
        before = state(session)
        try:
            if op == "move":
                session.move(some, to=str(rng.choice([m.manager_id for m in problem.managers if m.role in tier.roles])))
            elif op == "days":
                customer = problem.customer(some[0])
                session.set_days(some[0], [str(d) for d in rng.choice(problem.days, customer.visits, replace=False)])
            elif op in ("lock", "unlock"):
                getattr(session, op)(some)
            elif op in ("undo", "redo"):
                getattr(session, op)()
            else:
                session.optimise([str(m) for m in rng.choice(managers, 2, replace=False)], time_limit=5,
                                 stop=MaxIterations(100), seed=seed)
        except EditRefusedError as refused:
            rules.append(refused.rule)
            assert state(session) == before
            continue
        accepted += 1
        assert session.version == before[0] + 1
        assert_valid(session)
    assert accepted >= 10
    assert set(rules) <= {"lock", "day", "min_gap", "unserved", "undo", "redo"}  # moves go to roles that serve
