"""routeplan: periodic visit planning for customer managers.

Assigns every retail customer to a manager (territory) and to visit days (pattern) that honour
its frequency, routes each manager's day within shifts and opening hours, balances workloads and
draws the result on Folium maps.
"""

import logging

from .compare import Comparison as Comparison
from .compare import compare as compare
from .errors import InfeasiblePlanError as InfeasiblePlanError
from .errors import InputIssue as InputIssue
from .errors import RouteplanError as RouteplanError
from .errors import ScenarioError as ScenarioError
from .io.scenario import read_scenario as read_scenario
from .io.scenario import write_scenario as write_scenario
from .model.problem import Customer as Customer
from .model.problem import Manager as Manager
from .model.problem import Point as Point
from .model.problem import Problem as Problem
from .model.problem import ProblemBuilder as ProblemBuilder
from .model.problem import Tier as Tier
from .plan import Plan as Plan
from .planning.planner import plan as plan
from .planning.strategies import STRATEGIES as STRATEGIES
from .validate import ValidationReport as ValidationReport
from .validate import validate as validate
from .validate import validate_folder as validate_folder

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
