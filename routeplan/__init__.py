"""routeplan: periodic visit planning for customer managers.

Assigns every retail customer to a manager (territory) and to visit days (pattern) that honour
its frequency, routes each manager's day within shifts and opening hours, balances workloads and
draws the result on Folium maps.

The public API is what this module exports (``__all__``); everything else may change.
"""

import logging

from .comparison import Comparison as Comparison
from .comparison import Variants as Variants
from .comparison import compare as compare
from .comparison import try_variants as try_variants
from .editing import EditSession as EditSession
from .errors import ArgumentError as ArgumentError
from .errors import EditError as EditError
from .errors import EditorBusyError as EditorBusyError
from .errors import EditRefusedError as EditRefusedError
from .errors import InfeasiblePlanError as InfeasiblePlanError
from .errors import InputIssue as InputIssue
from .errors import InternalError as InternalError
from .errors import OfflineError as OfflineError
from .errors import OutputFolderError as OutputFolderError
from .errors import PlanFileError as PlanFileError
from .errors import PlanWarning as PlanWarning
from .errors import RouteplanError as RouteplanError
from .errors import ScenarioError as ScenarioError
from .errors import StrategyError as StrategyError
from .io.scenario import read_scenario as read_scenario
from .io.scenario import write_scenario as write_scenario
from .model.problem import BalanceSettings as BalanceSettings
from .model.problem import Break as Break
from .model.problem import Customer as Customer
from .model.problem import Manager as Manager
from .model.problem import Point as Point
from .model.problem import Problem as Problem
from .model.problem import ProblemBuilder as ProblemBuilder
from .model.problem import StabilitySettings as StabilitySettings
from .model.problem import Tier as Tier
from .model.problem import VisitLevel as VisitLevel
from .model.problem import VisitRule as VisitRule
from .model.routes import DayRoute as DayRoute
from .model.routes import Stop as Stop
from .model.routes import Unserved as Unserved
from .osm_scenario import scenario_from_osm as scenario_from_osm
from .phases import PhaseEstimates as PhaseEstimates
from .plan_folder import write_plan as write_plan
from .planner import PlanParams as PlanParams
from .planner import TimeLimit as TimeLimit
from .planner import diagnose_problem as diagnose_problem
from .planner import plan as plan
from .planner import replan as replan
from .planning.fan_out import BorderParams as BorderParams
from .planning.formulate import Weights as Weights
from .planning.partition import PartitionParams as PartitionParams
from .planning.strategies import STRATEGIES as STRATEGIES
from .planning.strategies import StrategyParams as StrategyParams
from .results.balance import BalanceReport as BalanceReport
from .results.changes import PlanDiff as PlanDiff
from .results.changes import diff_plans as diff_plans
from .results.files import read_plan as read_plan
from .results.run_record import RunRecord as RunRecord
from .results.visit_plan import ManagerFigures as ManagerFigures
from .results.visit_plan import Plan as Plan
from .results.workbook import write_workbook as write_workbook
from .solver.lns import Progress as Progress
from .solver.lns import SearchParams as SearchParams
from .solver.stop import MaxIterations as MaxIterations
from .solver.stop import MaxRuntime as MaxRuntime
from .solver.stop import MaxWork as MaxWork
from .solver.stop import MultipleCriteria as MultipleCriteria
from .solver.stop import NoImprovement as NoImprovement
from .validation import ValidationReport as ValidationReport
from .validation import Violation as Violation
from .validation import validate as validate
from .validation import validate_folder as validate_folder
from .version import __version__ as __version__

__all__ = [
    "STRATEGIES",
    "ArgumentError",
    "BalanceReport",
    "BalanceSettings",
    "BorderParams",
    "Break",
    "Comparison",
    "Customer",
    "DayRoute",
    "EditError",
    "EditRefusedError",
    "EditSession",
    "EditorBusyError",
    "InfeasiblePlanError",
    "InputIssue",
    "InternalError",
    "Manager",
    "ManagerFigures",
    "MaxIterations",
    "MaxRuntime",
    "MaxWork",
    "MultipleCriteria",
    "NoImprovement",
    "OfflineError",
    "OutputFolderError",
    "PartitionParams",
    "PhaseEstimates",
    "Plan",
    "PlanDiff",
    "PlanFileError",
    "PlanParams",
    "PlanWarning",
    "Point",
    "Problem",
    "ProblemBuilder",
    "Progress",
    "RouteplanError",
    "RunRecord",
    "ScenarioError",
    "SearchParams",
    "StabilitySettings",
    "Stop",
    "StrategyError",
    "StrategyParams",
    "Tier",
    "TimeLimit",
    "Unserved",
    "ValidationReport",
    "Variants",
    "Violation",
    "VisitLevel",
    "VisitRule",
    "Weights",
    "__version__",
    "compare",
    "diagnose_problem",
    "diff_plans",
    "plan",
    "read_plan",
    "read_scenario",
    "replan",
    "scenario_from_osm",
    "try_variants",
    "validate",
    "validate_folder",
    "write_plan",
    "write_scenario",
    "write_workbook",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
