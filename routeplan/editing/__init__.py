"""Editing a plan by hand, one accepted change at a time (:class:`EditSession`): moves, days,
locks and re-plans of some managers, each a new version with undo, redo and a journal, the plan
valid and its figures at hand after every change."""

from .records import CustomerRow as CustomerRow
from .records import EditFigures as EditFigures
from .records import EditResult as EditResult
from .records import ManagerChange as ManagerChange
from .records import ManagerRow as ManagerRow
from .records import SessionChanges as SessionChanges
from .session import NO_ROOM as NO_ROOM
from .session import EditSession as EditSession

__all__ = ["NO_ROOM", "CustomerRow", "EditFigures", "EditResult", "EditSession", "ManagerChange", "ManagerRow",
           "SessionChanges"]
