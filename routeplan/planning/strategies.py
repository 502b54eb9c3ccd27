"""Districting strategies: who may serve whom, and whose workloads are compared.

``hybrid`` keeps the roles as given: each tier is served by managers of its roles, territories
are drawn freely across district lines, and managers sharing a role are balanced.
"""

from __future__ import annotations

from ..errors import InputIssue, ScenarioError
from ..model.problem import Problem
from .formulate import Formulation, formulate

STRATEGIES = ("hybrid",)


def formulate_strategy(problem: Problem, strategy: str, **options) -> Formulation:
    """The engine formulation of ``problem`` under ``strategy``."""
    if strategy == "hybrid":
        return formulate(problem, strategy="hybrid", **options)
    raise ScenarioError(InputIssue("--strategy", f"unknown strategy '{strategy}'; expected one of "
                                                 f"{', '.join(STRATEGIES)}"))
