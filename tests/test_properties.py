"""Property-based tests over random small scenarios: every returned plan validates, no
customer disappears, locks and roles hold."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routeplan import ProblemBuilder, plan

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


@st.composite
def scenarios(draw):
    n_days = draw(st.integers(2, 6))
    b = ProblemBuilder(name="prop", days=DAYS[:n_days], consistent=draw(st.booleans()))
    b.set_depot(119.13, 36.71)
    tiers = []
    for k in range(draw(st.integers(1, 3))):
        visits = draw(st.integers(1, min(3, n_days)))
        gap = draw(st.integers(0, max(0, n_days // visits))) if visits > 1 else 0
        start = draw(st.sampled_from(["07:00", "08:30", "13:00"]))
        end = draw(st.sampled_from(["12:00", "17:30", "21:00"]))
        if end <= start:
            end = "21:00"
        roles = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=2, unique=True))
        b.add_tier(f"t{k}", visits=visits, min_gap=gap, service_min=draw(st.sampled_from([5, 15, 45])),
                   window=(start, end), roles=roles)
        tiers.append((f"t{k}", roles))
    managers = []
    for k in range(draw(st.integers(1, 4))):
        # The first manager can serve the first tier, so there is always someone to plan for.
        role = tiers[0][1][0] if k == 0 else draw(st.sampled_from(["A", "B", "C"]))
        days = draw(st.lists(st.integers(0, n_days - 1), min_size=1, max_size=n_days, unique=True))
        cap = draw(st.one_of(st.none(), st.integers(1, 8)))
        shift = draw(st.sampled_from([("08:30", "17:30"), ("12:00", "20:00"), ("08:00", "10:00")]))
        b.add_manager(f"M{k}", role=role, days=" ".join(str(d) for d in sorted(days)), max_visits=cap,
                      shift_start=shift[0], shift_end=shift[1])
        managers.append((f"M{k}", role))
    roles_present = {role for _, role in managers}
    for k in range(draw(st.integers(1, 25))):
        usable = [t for t in tiers if set(t[1]) & roles_present]
        if not usable:
            break
        tier, roles = draw(st.sampled_from(usable))
        lock = None
        if draw(st.integers(0, 5)) == 0:
            lock = draw(st.sampled_from([m for m, r in managers if r in roles]))
        b.add_customer(f"C{k}", lon=119.13 + draw(st.floats(-0.05, 0.05)), lat=36.71 + draw(st.floats(-0.05, 0.05)),
                       tier=tier, locked_manager=lock)
    return b.build()


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_plan_validates_and_accounts_for_every_visit(problem):
    result = plan(problem, time_limit=0.5, seed=1)
    report = result.validate()
    assert report.ok, str(report)
    missing = sum(u.visits_missing for u in result.unserved)
    assert result.visits_planned() + missing == problem.visits_required()
    served_by = {}
    for route, stop in result.visits():
        served_by.setdefault(stop.customer_id, set()).add(route.manager_id)
    for customer in problem.customers:
        managers = served_by.get(customer.customer_id, set())
        if customer.locked_manager:
            assert managers <= {customer.locked_manager}
        roles = set(problem.tier(customer.tier).roles)
        assert all(problem.manager(m).role in roles for m in managers)
        if problem.consistent:
            assert len(managers) <= 1
    for u in result.unserved:
        assert u.reason


@st.composite
def level_scenarios(draw):
    """Random tiers with random further visit levels (roles M and H), managers of every role."""
    n_days = draw(st.integers(3, 10))
    days = [f"d{k}" for k in range(n_days)]
    b = ProblemBuilder(name="levels", days=days)
    b.set_depot(119.13, 36.71)
    tiers = []
    for k in range(draw(st.integers(1, 2))):
        own = draw(st.integers(1, min(3, n_days - 1)))
        levels = []
        room = n_days - own
        for role in draw(st.lists(st.sampled_from(["M", "H"]), max_size=2, unique=True)):
            if room < 1:
                break
            visits = draw(st.integers(1, min(2, room)))
            room -= visits
            gap = draw(st.integers(0, n_days // visits)) if visits > 1 else 0
            window = draw(st.sampled_from([None, ["09:00", "12:00"], ["13:00", "17:30"]]))
            levels.append({"roles": [role], "visits": visits, "min_gap": gap,
                           "service_min": draw(st.sampled_from([10, 30])), **({"window": window} if window else {})})
        own_gap = draw(st.integers(0, n_days // own)) if own > 1 else 0
        b.add_tier(f"t{k}", visits=own, min_gap=own_gap, service_min=draw(st.sampled_from([5, 20])), roles=["A"],
                   levels=levels)
        tiers.append(f"t{k}")
    for k, role in enumerate(["A", "A", "M", "M", "H"][:draw(st.integers(3, 5))]):
        worked = draw(st.lists(st.integers(0, n_days - 1), min_size=1, max_size=n_days, unique=True))
        b.add_manager(f"{role}{k}", role=role, days=" ".join(str(d) for d in sorted(worked)))
    b.add_manager("H9", role="H")  # every role of a level has a manager (else the builder says so)
    for k in range(draw(st.integers(1, 15))):
        b.add_customer(f"C{k}", lon=119.13 + draw(st.floats(-0.03, 0.03)), lat=36.71 + draw(st.floats(-0.03, 0.03)),
                       tier=draw(st.sampled_from(tiers)))
    return b.build()


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level_scenarios())
def test_every_plan_with_levels_validates_and_keeps_levels_apart(problem):
    result = plan(problem, time_limit=0.5, seed=1)
    report = result.validate()
    assert report.ok, str(report)
    missing = sum(u.visits_missing for u in result.unserved)
    assert result.visits_planned() + missing == problem.visits_required()
    days: dict[str, list[int]] = {}
    managers: dict[tuple[str, int], set[str]] = {}
    for route, stop in result.visits():
        days.setdefault(stop.customer_id, []).append(route.day_index)
        managers.setdefault((stop.customer_id, stop.level), set()).add(route.manager_id)
        rule = problem.visit_rules(problem.customer(stop.customer_id))[stop.level]
        assert problem.manager(route.manager_id).role in rule.roles
    assert all(len(d) == len(set(d)) for d in days.values())
    assert all(len(m) == 1 for m in managers.values())
    assert all(u.reason for u in result.unserved)
