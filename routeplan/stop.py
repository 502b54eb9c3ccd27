"""When the search stops (``routeplan.plan(problem, stop=...)``), in the manner of ``pyvrp.stop``.

Criteria that count work, iterations or iterations without improvement stop at the same step on
any machine, so the same seed gives the same plan; :class:`MaxRuntime` looks at the clock.
Combine them with ``|``: ``MaxIterations(50_000) | NoImprovement(10_000)`` stops at whichever
comes first. ``time_limit(seconds)`` is what ``plan(time_limit=...)`` uses: a work budget with
the clock as a safety net.
"""

from .solver.stop import MaxIterations as MaxIterations
from .solver.stop import MaxRuntime as MaxRuntime
from .solver.stop import MaxWork as MaxWork
from .solver.stop import MultipleCriteria as MultipleCriteria
from .solver.stop import NoImprovement as NoImprovement
from .solver.stop import Status as Status
from .solver.stop import StoppingCriterion as StoppingCriterion
from .solver.stop import time_limit as time_limit

__all__ = ["MaxIterations", "MaxRuntime", "MaxWork", "MultipleCriteria", "NoImprovement", "Status",
           "StoppingCriterion", "time_limit"]
