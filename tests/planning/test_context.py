"""The planning context: the rules of a run computed once, and the parameters that shape plans."""

import pytest

from routeplan import ArgumentError, MaxIterations, ProblemBuilder, plan, replan
from routeplan import planner as planner_module
from routeplan.planner import PlanParams
from routeplan.planning import context as context_module
from routeplan.planning.context import PlanningContext
from routeplan.planning.fan_out import BorderParams
from routeplan.planning.formulate import Weights, formulation_of
from routeplan.synthetic import TownLayout, random_problem


def two_market_managers():
    """Large shops get a market manager's visit on top (two market managers, M1 and M2)."""
    b = ProblemBuilder(name="levels", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.13, 36.71)
    b.add_tier("large", visits=2, min_gap=2, service_min=15, roles=["A"],
               levels=[{"name": "market manager", "roles": ["M"], "visits": 1, "service_min": 20}])
    b.add_tier("small", visits=1, service_min=10, roles=["D"])
    for m, role in (("A1", "A"), ("A2", "A"), ("D1", "D"), ("D2", "D"), ("M1", "M"), ("M2", "M")):
        b.add_manager(m, role=role)
    for i in range(30):
        b.add_customer(f"C{i}", lon=119.13 + 0.002 * (i % 7), lat=36.71 + 0.002 * (i // 7),
                       tier="large" if i % 3 == 0 else "small")
    return b.build()


def test_the_groups_have_one_definition_levels_included():
    problem = two_market_managers()
    context = PlanningContext.of(problem)
    ids = [tuple(problem.managers[i].manager_id for i in g) for g in context.groups]
    assert ids == [("A1", "A2"), ("D1", "D2"), ("M1", "M2")]
    # The problem, the formulation and the plan's record agree: the market managers are balanced too.
    assert problem.balance_groups() == list(context.balance_group_ids())
    form = formulation_of(context)
    assert form.instance.balance_groups == context.balance_groups()
    result = plan(problem, stop=MaxIterations(300), seed=1)
    assert result.balance_groups() == [list(g) for g in ids]


def test_the_rules_of_a_run_are_computed_once(monkeypatch):
    """A re-plan's terms and the estimate of work: once per run (formulation, diagnosis, the
    first solution and the record read them from the context)."""
    problem = random_problem(3, customers=120)
    first = plan(problem, stop=MaxIterations(500), seed=1)
    calls = {"terms": 0, "work": 0}
    terms, work = context_module.stability_terms, context_module.customer_work

    def counted_terms(*args, **kwargs):
        calls["terms"] += 1
        return terms(*args, **kwargs)

    def counted_work(*args, **kwargs):
        calls["work"] += 1
        return work(*args, **kwargs)

    monkeypatch.setattr(context_module, "stability_terms", counted_terms)
    monkeypatch.setattr(context_module, "customer_work", counted_work)
    again = replan(problem.without_managers(problem.managers[0].manager_id), first, stop=MaxIterations(500), seed=1)
    assert again.visits_planned() > 0
    assert calls == {"terms": 1, "work": 1}


def test_formulation_weights_are_parameters(monkeypatch, tiny_problem):
    seen = []
    solve = planner_module.solve

    def recording(instance, stop, **options):
        seen.append(instance)
        return solve(instance, stop, **options)

    monkeypatch.setattr(planner_module, "solve", recording)
    weights = Weights(balance=2.0, day_balance=0.0, compactness=0.3, band_aim=0.5)
    plan(tiny_problem, stop=MaxIterations(50), params=PlanParams(weights=weights))
    (instance,) = seen
    assert (instance.balance_weight, instance.day_balance_weight, instance.compactness_weight) == (2.0, 0.0, 0.3)
    assert instance.balance_tolerance == pytest.approx(0.5 * tiny_problem.balance.tolerance)


@pytest.mark.parametrize("bad", [{"balance": -1.0}, {"compactness": float("nan")}, {"band_aim": 0.0},
                                 {"band_aim": 1.5}, {"day_balance": "high"}])
def test_weights_are_checked(bad):
    with pytest.raises(ArgumentError):
        Weights(**bad)


@pytest.mark.parametrize("bad", [{"share": 1.0}, {"share": -0.1}, {"rounds": -1}, {"rounds": 1.5},
                                 {"polish_band": -0.2}])
def test_border_params_are_checked(bad):
    with pytest.raises(ArgumentError):
        BorderParams(**bad)


def test_no_border_rounds_plans_each_part_once():
    city = random_problem(4, customers=600)
    params = PlanParams(part_customers=200, border=BorderParams(rounds=0))
    result = plan(city, stop=MaxIterations(400), seed=1, params=params)
    assert result.run.parts > 1
    assert result.run.tasks == result.run.parts  # no pair of parts planned again, no polish
    with_border = plan(city, stop=MaxIterations(400), seed=1, params=PlanParams(part_customers=200))
    assert with_border.run.tasks > with_border.run.parts


def test_customers_nobody_may_serve_are_reported_not_handed_to_another_role():
    """With its tier's only manager gone, a key customer has no manager: the engine, to which no
    owners means any, must not hand it to a manager of another role (the plan was invalid)."""
    problem = random_problem(3, customers=120).without_managers("K1")
    result = plan(problem, stop=MaxIterations(500), seed=1)
    key = {c.customer_id for c in problem.customers if c.tier == "key"}
    assert key
    assert not key & {stop.customer_id for _, stop in result.visits()}
    assert {u.customer_id for u in result.unserved} == key
    assert all(u.reason == "no manager may serve it: tier 'key' needs role K" for u in result.unserved)


def test_phase_estimates_are_parameters_and_shape_the_budget(tiny_problem, monkeypatch):
    """Slower phases (say a slower disk) leave the search less of a time limit."""
    from routeplan import PhaseEstimates
    from routeplan.solver.stop import MaxWork

    seen = []

    def budget_of(stop):
        if isinstance(stop, MaxWork):
            return stop.units
        for criterion in getattr(stop, "criteria", ()):
            units = budget_of(criterion)
            if units is not None:
                return units
        return None

    def no_search(instance, stop, **options):
        seen.append(budget_of(stop))
        raise RuntimeError("stop here")

    monkeypatch.setattr(planner_module, "solve", no_search)
    for phases in (PhaseEstimates(), PhaseEstimates(finish_fixed=3.0)):
        with pytest.raises(RuntimeError):
            plan(tiny_problem, time_limit=10.0, params=PlanParams(phases=phases))
    default, slower = seen
    assert 0 < slower < default
    with pytest.raises(ArgumentError):
        PhaseEstimates(read_fixed=-1.0)


def test_the_cut_of_a_large_problem_is_a_parameter():
    """Towns that carry their own work are planned apart only within the load slack: none at 0."""
    from routeplan import PartitionParams
    from routeplan.planning.partition import partition

    province = random_problem(2, customers=1500, layout=TownLayout(towns=6, spread_km=30.0, homes_in_towns=True))
    context = PlanningContext.of(province)
    default = partition(context, max_customers=600)
    strict = partition(context, max_customers=600, params=PartitionParams(load_slack=0.0))
    assert len(strict) < len(default)
    with pytest.raises(ArgumentError):
        PartitionParams(link_km=-1.0)


@pytest.mark.parametrize("bad", [{"rescue_managers": 0}, {"rescue_slack_min": -5.0}])
def test_the_offer_of_left_out_customers_is_checked(bad):
    with pytest.raises(ArgumentError):
        PlanParams(**bad)


def test_the_role_blind_hand_out_is_a_parameter():
    """One value band hands every customer to every manager; the default four split them."""
    from routeplan import StrategyParams

    problem = random_problem(3, customers=200)
    four = PlanningContext.of(problem, "value")
    one = PlanningContext.of(problem, "value", params=StrategyParams(value_bands=1))
    unlocked = [i for i, c in enumerate(problem.customers) if c.locked_manager is None]
    assert max(len(four.eligible[i]) for i in unlocked) < problem.num_managers
    assert all(len(one.eligible[i]) == problem.num_managers for i in unlocked)
    for bad in ({"value_bands": 0}, {"usable_share": 0.0}, {"usable_share": 1.5}):
        with pytest.raises(ArgumentError):
            StrategyParams(**bad)


@pytest.mark.parametrize(("kind", "bad"), [("partition", {"count_steps": 0}), ("partition", {"band_cost": -1.0}),
                                           ("partition", {"link_neighbours": 2.5}), ("border", {"neighbours": 0})])
def test_the_cut_and_border_internals_are_checked(kind, bad):
    from routeplan import PartitionParams

    with pytest.raises(ArgumentError):
        (PartitionParams if kind == "partition" else BorderParams)(**bad)
