"""Every exception routeplan raises on purpose lives here."""

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
        1-based line number in the file (the header is line 1), if known.
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


class ScenarioError(RouteplanError):
    """A scenario cannot be read or built; carries every issue found, not just the first."""

    def __init__(self, issues: list[InputIssue] | InputIssue):
        if isinstance(issues, InputIssue):
            issues = [issues]
        self.issues: list[InputIssue] = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class OutputFolderError(RouteplanError):
    """The output folder exists and is not one routeplan wrote, so it is not replaced."""


class InfeasiblePlanError(RouteplanError):
    """The solver produced a plan that does not validate (a bug, never expected)."""
