"""The web editor of ``routeplan edit`` (the contract's section 8): a JSON API and a page over an
:class:`~routeplan.EditSession`, and the atomic save of the edited plan folder."""

from .journal import LiveJournal as LiveJournal
from .lockfile import EditorLock as EditorLock
from .saving import save_session as save_session
from .server import Editor as Editor
from .server import create_app as create_app
from .server import serve as serve

__all__ = ["Editor", "EditorLock", "LiveJournal", "create_app", "save_session", "serve"]
