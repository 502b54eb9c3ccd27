"""The warm-up compiles every kernel a plan uses, so that none is compiled inside a time limit
(where the first plan after installation would lose seconds of search and not repeat)."""

import importlib
import pkgutil

from numba.core.registry import CPUDispatcher

import routeplan
from routeplan import MaxIterations, plan, read_scenario
from routeplan.planning.warm_up import warm_up_planner

from conftest import REPO


def _signatures():
    found = {}
    for module in pkgutil.walk_packages(routeplan.__path__, "routeplan."):
        if module.name.endswith("__main__"):
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if isinstance(value, CPUDispatcher):
                found[f"{module.name}.{name}"] = (value, set(value.signatures))
    return found


def test_planning_after_the_warm_up_compiles_nothing_more():
    warm_up_planner()
    before = _signatures()
    assert sum(len(sigs) for _, sigs in before.values()) >= 30
    # The sample (owner consistency, balance groups, polishing rounds) and its three-level variant.
    for sample in ("kuiwen", "kuiwen-levels"):
        plan(read_scenario(REPO / "data" / "samples" / sample), stop=MaxIterations(3_000), seed=0)
    compiled = {name for name, (kernel, sigs) in before.items() if set(kernel.signatures) - sigs}
    assert compiled == set()
    assert warm_up_planner() < 0.05  # once per process
