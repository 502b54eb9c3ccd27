"""Every exception routeplan raises on purpose lives here.

One class per kind of failure, all under :class:`RouteplanError`, each with its own exit code in
the command line (see :mod:`routeplan.cli`):

- :class:`ScenarioError`: the scenario (its files, or a problem built in Python) is wrong;
  :class:`StrategyError` when it lacks what a districting strategy needs.
- :class:`ArgumentError`: an argument or option is wrong (a negative time limit, an unknown
  strategy, an output folder that must not be replaced, a map that cannot be made offline).
- :class:`PlanFileError`: a plan folder cannot be read.
- :class:`EditRefusedError`: an edit of a plan breaks a rule of the scenario (its ``rule`` says which);
  :class:`EditError` (an :class:`ArgumentError`) when it names what does not exist;
  :class:`EditorBusyError` (an :class:`ArgumentError`) when another ``routeplan edit`` edits
  the plan folder.
- :class:`InternalError`: routeplan itself went wrong (a bug), e.g. a plan that does not
  validate (:class:`InfeasiblePlanError`).

A keyword argument a function does not take is Python's own :class:`TypeError`
(:func:`unexpected_keyword`), also where ``**fields`` stand for the columns of a file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
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


class EditError(ArgumentError):
    """An edit of a plan (:class:`routeplan.EditSession`) names what does not exist (a customer,
    manager or day label, an operation), or lacks a field its operation needs; ``argument`` is the
    field at fault. Nothing changed."""


class EditorBusyError(ArgumentError):
    """Another ``routeplan edit`` that still runs edits the plan folder (``argument``: the
    folder); the message names that editor's process id and address."""


class EditRefusedError(RouteplanError):
    """An edit of a plan that is refused; nothing changed (not the version either).

    Parameters
    ----------
    rule
        What refuses it: a rule of the scenario (``"role"``: the manager's role may not serve
        the customer's tier; ``"lock"``: the customer is locked to another manager; ``"day"``: a
        day the manager does not work, or one the customer's other visits take; ``"min_gap"``:
        visit days closer than the tier's ``min_gap``, counted across the end of the cycle, or
        not as many days as visits), or the state of the session (``"unserved"``: the customer
        has no manager to keep; ``"undo"``/``"redo"``: nothing to undo or redo).
    message
        What was refused and why, naming the customer, manager and days.
    """

    def __init__(self, rule: str, message: str):
        self.rule = rule
        super().__init__(f"{rule}: {message}")


class InternalError(RouteplanError):
    """Routeplan went wrong, not its input: a bug to report."""


class InfeasiblePlanError(InternalError):
    """The solver produced a plan that does not validate."""


class PlanWarning(UserWarning):
    """Something about a problem or a plan its user should know, issued with Python's
    :mod:`warnings` (a customer no plan can serve, overloaded managers, a search the clock
    stopped, shops far from the road network, ...). Every warning of a run is also on
    ``plan.warnings`` (and logged); filter this category to silence them."""


def unexpected_keyword(function: str, name: str, allowed: Iterable[str]) -> TypeError:
    """The :class:`TypeError` for a keyword argument ``function`` does not take, as Python words
    it, naming the closest of ``allowed`` when one is close.

    Functions whose ``**fields`` stand for the optional columns of a file check the names with
    this, so that a misspelt column fails as loudly as a misspelt parameter would.

    Parameters
    ----------
    function
        The function as Python names it in the message (``"ProblemBuilder.add_customer"``).
    name
        The keyword given.
    allowed
        The keywords the function takes.

    Returns
    -------
    TypeError
        The error to raise.

    Examples
    --------
    >>> unexpected_keyword("add_customer", "vists", ["visits", "value"])
    TypeError("add_customer() got an unexpected keyword argument 'vists'. Did you mean 'visits'?")
    """
    close = difflib.get_close_matches(name, sorted(allowed), n=1)
    hint = f". Did you mean {close[0]!r}?" if close else ""
    return TypeError(f"{function}() got an unexpected keyword argument {name!r}{hint}")
