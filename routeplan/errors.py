"""Every exception routeplan raises on purpose lives here.

One class per kind of failure, all under :class:`RouteplanError`, each with its own exit code in
the command line (see :mod:`routeplan.cli`):

- :class:`ScenarioError`: the scenario (its files, or a problem built in Python) is wrong;
  :class:`StrategyError` when it lacks what a districting strategy needs.
- :class:`ArgumentError`: an argument or option is wrong (a negative time limit, an unknown
  strategy, an output folder that must not be replaced, a map that cannot be made offline).
- :class:`PlanFileError`: a plan folder cannot be read.
- :class:`InternalError`: routeplan itself went wrong (a bug), e.g. a plan that does not
  validate (:class:`InfeasiblePlanError`).
"""

from __future__ import annotations

from dataclasses import dataclass


class RouteplanError(Exception):
    """Base class of routeplan's own errors."""


@dataclass(frozen=True, slots=True)
class InputIssue:
    """One problem found in an input file.

    Parameters
    ----------
    file
        The file at fault (a name such as ``customers.csv``, or a path).
    message
        What is wrong and what was expected.
    row
        Row number in the file as a spreadsheet shows it: the header is row 1, the first
        record row 2 (``None`` when the problem is not in one row).
    column
        Column or key at fault, if known.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class _IssuesError(RouteplanError):
    """An error that carries every issue found, not just the first."""

    def __init__(self, issues: list[InputIssue] | InputIssue):
        if isinstance(issues, InputIssue):
            issues = [issues]
        self.issues: list[InputIssue] = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class ScenarioError(_IssuesError):
    """A scenario cannot be read or built; ``issues`` lists every problem found."""


class StrategyError(ScenarioError):
    """The scenario lacks what a districting strategy needs (districts for ``region``, values
    for ``value``)."""


class PlanFileError(_IssuesError):
    """A plan folder cannot be read back; ``issues`` names the files, rows and columns."""


class ArgumentError(RouteplanError, ValueError):
    """An argument of a function or an option of the command is not acceptable.

    Parameters
    ----------
    argument
        The argument's name as the caller wrote it (``time_limit``, ``--strategy``).
    message
        What is wrong and what was expected.
    """

    def __init__(self, argument: str, message: str):
        self.argument = argument
        super().__init__(f"{argument}: {message}")


class OutputFolderError(ArgumentError):
    """The output folder exists and is not one routeplan wrote, so it is not replaced."""


class OfflineError(ArgumentError):
    """A map links a web resource (a plugin's script or stylesheet) that cannot be inlined;
    save it with ``offline=False``."""


class InternalError(RouteplanError):
    """Routeplan went wrong, not its input: a bug to report."""


class InfeasiblePlanError(InternalError):
    """The solver produced a plan that does not validate."""


class PlanWarning(UserWarning):
    """Something about a problem or a plan its user should know, issued with Python's
    :mod:`warnings` (a customer no plan can serve, overloaded managers, a search the clock
    stopped, shops far from the road network, ...). Every warning of a run is also on
    ``plan.warnings`` (and logged); filter this category to silence them."""
