"""The web page and JSON API of ``routeplan edit`` (the contract's section 8) over an
:class:`~routeplan.EditSession`.

The API is the contract; the page is a thin client of it. Every request is checked before
anything else: its ``Host`` must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (403 otherwise: a
web page elsewhere cannot reach the editor through a name that resolves to this machine), and a
request under ``/api/`` must carry the token (401 otherwise). Changes run one at a time against
the session (a lock), so that of two clients sending a change for one version, one gets it and
the other 412. An optimise runs for seconds in a worker thread without holding the session:
meanwhile reads answer from the version it started from, ``GET /api/progress`` tells how far its
search is, and any other change is refused at once (412: the version it names is about to be
replaced). Every error is JSON ``{"error": message}``: no traceback reaches a client.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..editing import EditFigures, EditResult, EditSession
from ..errors import ArgumentError, EditRefusedError
from ..maps.colours import palette
from ..maps.outline import territory_outline
from ..results.visit_plan import Plan
from ..solver.lns import Progress
from .journal import LiveJournal
from .lockfile import EditorLock
from .saving import save_session

logger = logging.getLogger(__name__)

EDIT_OPS = ("move", "days", "lock", "unlock", "optimise")
"""The ops ``POST /api/edits`` takes (undo and redo have their own requests)."""

_LISTS = ("customers", "days", "managers")  # fields whose lists must hold strings (ids, labels)

_PAGE_HEADERS = {
    # The page loads nothing but what this server serves, and the token in its address is not
    # handed on to other sites.
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ApiError(Exception):
    """A request the API refuses: its status and the message of the JSON body."""

    def __init__(self, status: int, message: str, *, version: int | None = None):
        self.status = status
        self.message = message
        self.version = version
        super().__init__(message)

    def response(self) -> JSONResponse:
        """The JSON answer (with the current version's ETag where one is known)."""
        headers = {"Cache-Control": "no-store"}
        if self.version is not None:
            headers["ETag"] = etag(self.version)
        return JSONResponse({"error": self.message}, status_code=self.status, headers=headers)


def etag(version: int) -> str:
    """The ETag of a version: ``"V"``."""
    return f'"{version}"'


@dataclass(slots=True)
class _Running:
    """The optimise under way: the version it started from (what reads answer meanwhile) and
    how far its search is."""

    version: int
    body: dict[str, Any]
    plan: Plan
    changes: dict[str, Any]
    before: EditFigures
    edit: dict[str, Any]
    started: float  # time.monotonic()
    progress: Progress | None = None

    def report(self, progress: Progress) -> None:
        """The search's progress callback (called from the optimise's thread)."""
        self.progress = progress

    def to_dict(self) -> dict[str, Any]:
        """The body of ``GET /api/progress`` while it runs."""
        limit = float(self.edit["time_limit"])
        elapsed = time.monotonic() - self.started
        last = self.progress
        return {"running": True, "version": self.version, "op": "optimise", "managers": self.edit["managers"],
                "time_limit": limit, "elapsed": round(elapsed, 3), "fraction": round(min(1.0, elapsed / limit), 4),
                "search_seconds": None if last is None else round(last.seconds, 3),
                "iterations": 0 if last is None else last.iterations,
                "best_cost": None if last is None else round(last.best_cost, 3),
                "missing_visits": None if last is None else last.missing_visits}


class Editor:
    """An editing session behind the API: one change at a time, each checked against the
    version its ``If-Match`` names.

    Parameters
    ----------
    session
        The session to edit.
    plan_dir
        The plan folder that ``save`` writes.
    journal
        The live journal every accepted change is written to (flushed to disk) before it is
        answered, or None (none).
    """

    def __init__(self, session: EditSession, plan_dir: str | os.PathLike[str], journal: LiveJournal | None = None):
        self.session = session
        self.plan_dir = Path(plan_dir).absolute()
        self.journal = journal
        # Threading locks, not asyncio ones: the session's work runs in worker threads (the
        # event loop stays free), and test clients may each run their own event loop.
        self._lock = threading.Lock()  # the session and the fields below
        self._write = threading.Lock()  # one change at a time
        # The optimise under way (reads answer from the version it started from), or None.
        self._running: _Running | None = None
        # The last accepted change and the figures before and after it (GET /api/changes).
        self._last: tuple[EditResult, EditFigures, EditFigures] | None = None
        # The body of GET /api/changes and its version: the page asks for it after every change,
        # and an optimise starts from it (taking it anew would cost its search the time).
        self._changes_body: tuple[int, dict[str, Any]] | None = None
        # Each manager's territory outline, with the customers (positions) it was drawn round.
        self._outlines: dict[str, tuple[tuple[int, ...], dict[str, Any]]] = {}
        self._outline_lock = threading.Lock()

    def plan(self) -> tuple[int, dict[str, Any]]:
        """The version and the body of ``GET /api/plan``."""
        with self._lock:
            if self._running is not None:
                return self._running.version, self._running.body
            return self.session.version, self.session.to_dict()

    def places(self) -> dict[str, Any]:
        """Where the customers are and each manager's colour (``GET /api/customers``): what the
        page needs to draw them and ``GET /api/plan`` does not say."""
        problem = self.session.opened.problem  # coordinates and managers never change in a session
        colours = palette(problem.num_managers)
        return {"days": list(problem.days),
                "customers": [{"customer_id": c.customer_id, "name": c.name, "tier": c.tier, "lon": c.lon,
                               "lat": c.lat} for c in problem.customers],
                "managers": [{"manager_id": m.manager_id, "role": m.role, "colour": colours[i]}
                             for i, m in enumerate(problem.managers)]}

    def routes(self, day: str | None) -> tuple[int, dict[str, Any]]:
        """The version and the body of ``GET /api/routes?day=LABEL``: each route of that day,
        its manager and its points ``[lat, lon]`` in order from the manager's start place
        through every stop to its end place."""
        with self._lock:
            running = self._running
            version = self.session.version if running is None else running.version
            plan = self.session.to_plan() if running is None else running.plan
            if day not in plan.problem.days:
                raise ApiError(400, f"day: expected one of the cycle's days {list(plan.problem.days)}, got {day!r}",
                               version=version)
            return version, {
                "version": version, "day": day,
                "routes": [{"manager_id": r.manager_id, "visits": len(r.stops), "travel_km": round(r.travel_km, 3),
                            "points": [[lat, lon] for lon, lat in plan.route_places(r)]}
                           for r in plan.routes if r.day == day]}

    def territories(self) -> tuple[int, dict[str, Any]]:
        """The version and the body of ``GET /api/territories``: each manager's territory, the
        outline the plan's maps draw round its customers (their level-0 manager, as the page
        colours them), for every manager that serves any.

        An outline is worked out again only for a manager whose customers changed since it was
        last drawn."""
        with self._lock:
            running = self._running
            version = self.session.version if running is None else running.version
            rows = self.session.customers() if running is None else None
            body_rows = running.body["customers"] if running is not None else None
        if rows is not None:
            owners = [row.manager_id for row in rows]
        else:
            assert body_rows is not None
            owners = [row["manager_id"] for row in body_rows]
        problem = self.session.opened.problem
        served: dict[str, list[int]] = {}
        for position, manager_id in enumerate(owners):
            if manager_id:
                served.setdefault(manager_id, []).append(position)
        territories = []
        with self._outline_lock:
            for manager in problem.managers:
                mine = tuple(served.get(manager.manager_id, ()))
                if not mine:
                    continue
                cached = self._outlines.get(manager.manager_id)
                if cached is None or cached[0] != mine:
                    points = [(problem.customers[i].lon, problem.customers[i].lat) for i in mine]
                    cached = (mine, territory_outline(points, digits=6))
                    self._outlines[manager.manager_id] = cached
                territories.append({"manager_id": manager.manager_id, "customers": len(mine), "outline": cached[1]})
        return version, {"version": version, "territories": territories}

    def progress(self) -> tuple[int, dict[str, Any]]:
        """The version and the body of ``GET /api/progress``: how far the optimise under way
        is (the latest :class:`~routeplan.Progress` of its search), or ``{"running": false}``."""
        with self._lock:
            if self._running is not None:
                return self._running.version, self._running.to_dict()
            version = self.session.version
            return version, {"running": False, "version": version}

    def changes(self) -> tuple[int, dict[str, Any]]:
        """The version and the body of ``GET /api/changes``: the last accepted change (its edit
        and, per manager whose routes it changed, the figures before and after it) and each
        manager's change against the plan as opened."""
        with self._lock:
            if self._running is not None:
                return self._running.version, self._running.changes
            return self.session.version, self._changes()

    def _changes(self) -> dict[str, Any]:
        session = self.session
        if self._changes_body is not None and self._changes_body[0] == session.version:
            return self._changes_body[1]
        last: dict[str, Any] | None = None
        if self._last is not None:
            result, before, after = self._last
            rows_before = {m.manager_id: m.to_dict() for m in before.managers}
            rows_after = {m.manager_id: m.to_dict() for m in after.managers}
            last = {"version": result.version, "edit": dict(result.edit),
                    "managers": [{"manager_id": mid, "before": rows_before[mid], "after": rows_after[mid]}
                                 for mid in result.managers]}
        since = session.changes_since_open()
        body = {"version": session.version, "last": last,
                "since_open": {"managers": [{**m.to_dict(),
                                             "deviation": round(m.after.deviation - m.before.deviation, 5)}
                                            for m in since.managers],
                               "customers_changed": len(since.customers)}}
        self._changes_body = (session.version, body)
        return body

    def edit(self, expected: int | None, edit: dict[str, Any] | ApiError) -> tuple[int, dict[str, Any]]:
        """Make ``edit`` (an op of ``POST /api/edits``, or the error its body gave) if
        ``expected`` is the current version. An optimise runs without holding the session (see
        :meth:`progress`)."""
        with self._writing():
            with self._lock:
                self._check_version(expected)
                if isinstance(edit, ApiError):
                    raise edit
                if edit.get("op") != "optimise":
                    return self._change(lambda session: session.apply(edit), "edit", edit)
                session = self.session
                running = _Running(version=session.version, body=session.to_dict(), plan=session.to_plan(),
                                   changes=self._changes(), before=session.figures(), edit=edit,
                                   started=time.monotonic())
                self._running = running
            try:
                result = _refused(lambda: session.apply(edit, progress=running.report), session)
            except BaseException:
                with self._lock:
                    self._running = None
                raise
            with self._lock:  # from the version it started from to the new one, at once
                self._running = None
                return self._record(result, running.before, "edit", edit)

    def undo(self, expected: int | None) -> tuple[int, dict[str, Any]]:
        """Take the last change back (``POST /api/undo``)."""
        with self._writing(), self._lock:
            self._check_version(expected)
            return self._change(lambda session: session.undo(), "undo")

    def redo(self, expected: int | None) -> tuple[int, dict[str, Any]]:
        """Make the last undone change again (``POST /api/redo``)."""
        with self._writing(), self._lock:
            self._check_version(expected)
            return self._change(lambda session: session.redo(), "redo")

    def save(self, expected: int | None) -> tuple[int, dict[str, Any]]:
        """Write the plan folder (``POST /api/save``)."""
        with self._writing(), self._lock:
            version = self._check_version(expected)
            try:
                folder = save_session(self.session, self.plan_dir)
            except ArgumentError as err:  # a folder of someone else's files: not replaced
                raise ApiError(409, str(err), version=version) from None
            except OSError as err:
                logger.exception("saving %s failed; the folder is as it was", self.plan_dir)
                raise ApiError(500, f"cannot write {err.filename or self.plan_dir}: {err.strerror or err}; "
                                    "the plan folder is as it was", version=version) from None
            if self.journal is not None:
                try:
                    self.journal.saved()
                except OSError:  # the folder is saved; the old journal names the old folder
                    logger.exception("clearing the editing journal %s failed", self.journal.path)
            return version, {"version": version, "plan_dir": str(folder)}

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the right to change the session; refused at once (412) while an optimise runs:
        the version a change names is about to be replaced, and a change is never queued behind
        an optimise to be merged with its outcome."""
        while True:
            with self._lock:
                running = self._running
                if running is not None:
                    raise ApiError(412, f"an optimise of version {running.version} is running (GET /api/progress); "
                                        "it will make a new version: wait for it, GET /api/plan and try again",
                                   version=running.version)
            if self._write.acquire(timeout=0.05):
                break
        try:
            yield
        finally:
            self._write.release()

    def _check_version(self, expected: int | None) -> int:
        version = self.session.version
        if expected is None:
            raise ApiError(428, f'If-Match: "{version}" is needed (the version the change is meant for; '
                                "GET /api/plan gives it as the ETag)", version=version)
        if expected != version:
            raise ApiError(412, f"version {expected} is not the current version {version}: the plan changed; "
                                "GET /api/plan and try again", version=version)
        return version

    def _change(self, action: Callable[[EditSession], object], name: str,
                edit: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        session = self.session
        before = session.figures()
        result = _refused(lambda: action(session), session)
        return self._record(result, before, name, edit)

    def _record(self, result: object, before: EditFigures, name: str,
                edit: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        """An accepted change: remembered as the last one, journalled; the version and the plan's body."""
        session = self.session
        if isinstance(result, EditResult):
            self._last = (result, before, session.figures())
        body = session.to_dict()
        if self.journal is not None:
            try:
                self.journal.append(name, session.version, edit, body)
            except OSError as err:
                logger.exception("writing the editing journal %s failed", self.journal.path)
                raise ApiError(500, f"the change was made (version {session.version}) but cannot be written to "
                                    f"the journal {self.journal.path}: {err.strerror or err}; save to keep it",
                               version=session.version) from None
        return session.version, body


def _refused(action: Callable[[], object], session: EditSession) -> object:
    """``action()``, a refusal of the session answered as the API's status."""
    try:
        return action()
    except EditRefusedError as err:  # a rule of the scenario, or nothing to undo or redo
        raise ApiError(409, str(err), version=session.version) from None
    except ArgumentError as err:  # EditError: an unknown op, id or label, a missing field
        raise ApiError(400, str(err), version=session.version) from None


def parse_edit(body: bytes) -> dict[str, Any] | ApiError:
    """The op of a ``POST /api/edits`` body, or the 400 it gets (reported after the version is
    checked: a stale request is 412 whatever its body)."""
    try:
        edit = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        return ApiError(400, f"the body is not JSON: {err}")
    except RecursionError:  # arrays nested thousands deep: no op looks like that
        return ApiError(400, "the body is not JSON this API reads: nested too deep")
    if not isinstance(edit, dict):
        return ApiError(400, f"expected a JSON object with an 'op', got {type(edit).__name__}")
    op = edit.get("op")
    if "op" not in edit:
        return ApiError(400, f"op: missing; expected one of {', '.join(EDIT_OPS)}")
    if op not in EDIT_OPS:
        extra = " (POST /api/undo or /api/redo for those)" if op in ("undo", "redo") else ""
        return ApiError(400, f"op: unknown op {op!r}; expected one of {', '.join(EDIT_OPS)}{extra}")
    for name in _LISTS:
        value = edit.get(name)
        # A list of anything but strings (ids, labels) names nothing that exists.
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            return ApiError(400, f"{name}: expected a list of strings, got {json.dumps(value)[:200]}")
    return edit


def if_match(request: Request) -> int | None:
    """The version ``If-Match`` names (None when absent; -1 when it names none: never current)."""
    value = request.headers.get("if-match")
    if value is None:
        return None
    for tag in value.split(","):
        text = tag.strip().removeprefix("W/").strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        if text.isdigit() and text.isascii():
            return int(text)
    return -1


class Guard:
    """ASGI middleware that checks every request's ``Host`` (403) and, under ``/api/``, the
    token (401) before anything else runs.

    Parameters
    ----------
    app
        The application behind it.
    port
        The port the server listens on: the hosts allowed are ``127.0.0.1:PORT`` and
        ``localhost:PORT``.
    token
        The token requests under ``/api/`` carry (query ``token`` or ``Authorization: Bearer``).
    """

    def __init__(self, app: ASGIApp, port: int, token: str):
        self.app = app
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if len(hosts) != 1 or hosts[0].lower() not in self.hosts:
            shown = hosts[0].decode("latin-1")[:100] if hosts else "none"
            await ApiError(403, f"Host {shown!r} is not this editor's (127.0.0.1 or localhost with its "
                                "port)").response()(scope, receive, send)
            return
        if scope["path"].startswith("/api/") and not self._authorised(Request(scope)):
            response = ApiError(401, "the token is missing or wrong: add ?token=TOKEN or the header "
                                     "'Authorization: Bearer TOKEN' (the command printed it)").response()
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _authorised(self, request: Request) -> bool:
        given = request.query_params.get("token")
        header = request.headers.get("authorization", "")
        if given is None and header[:7].lower() == "bearer ":
            given = header[7:].strip()
        # In constant time: how long a refusal takes tells nothing of the token.
        return given is not None and secrets.compare_digest(given.encode(), self.token)


def assets_folder() -> Path:
    """The vendored assets folder (Leaflet) that ``/static/`` serves."""
    return Path(str(resources.files("routeplan.maps") / "assets")).resolve()


def create_app(editor: Editor, *, port: int, token: str) -> Starlette:
    """The Starlette application of ``routeplan edit``.

    Parameters
    ----------
    editor
        The session behind the API.
    port
        The port the server listens on (the ``Host`` every request must name).
    token
        The token of the API.

    Returns
    -------
    Starlette
        An ASGI application (serve it with uvicorn, or test it with Starlette's ``TestClient``
        with ``base_url="http://127.0.0.1:PORT"``).
    """
    assets = assets_folder()
    page = resources.files("routeplan.app") / "page.html"

    async def answer(call: Callable[..., tuple[int, dict[str, Any]]], *args: Any) -> Response:
        try:
            version, body = await run_in_threadpool(call, *args)
        except ApiError as err:
            return err.response()
        return JSONResponse(body, headers={"ETag": etag(version), "Cache-Control": "no-store"})

    async def get_plan(request: Request) -> Response:
        return await answer(editor.plan)

    async def get_customers(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(editor.places), headers={"Cache-Control": "no-store"})

    async def get_routes(request: Request) -> Response:
        return await answer(editor.routes, request.query_params.get("day"))

    async def get_changes(request: Request) -> Response:
        return await answer(editor.changes)

    async def get_territories(request: Request) -> Response:
        return await answer(editor.territories)

    async def get_progress(request: Request) -> Response:
        return await answer(editor.progress)

    async def post_edits(request: Request) -> Response:
        edit = parse_edit(await request.body())
        return await answer(editor.edit, if_match(request), edit)

    async def post_undo(request: Request) -> Response:
        return await answer(editor.undo, if_match(request))

    async def post_redo(request: Request) -> Response:
        return await answer(editor.redo, if_match(request))

    async def post_save(request: Request) -> Response:
        return await answer(editor.save, if_match(request))

    async def get_page(request: Request) -> Response:
        return Response(page.read_text(encoding="utf-8"), media_type="text/html; charset=utf-8",
                        headers=_PAGE_HEADERS)

    async def get_static(request: Request) -> Response:
        name = request.path_params["path"]
        path = (assets / name).resolve()
        # Only files inside the assets folder: "..", absolute paths and links out are not found.
        if not path.is_relative_to(assets) or not path.is_file():
            return ApiError(404, f"no file {name!r}").response()
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    async def get_icon(request: Request) -> Response:
        return Response(status_code=204)  # no icon: the browser asks for one, and a 404 would show as an error

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = exc.detail if isinstance(exc, HTTPException) else "internal error"
        return ApiError(status, f"{message}: {request.method} {request.url.path}").response()

    async def internal_error(request: Request, exc: Exception) -> Response:
        logger.error("internal error answering %s %s", request.method, request.url.path, exc_info=exc)
        return ApiError(500, f"internal error (a bug, please report it): {type(exc).__name__}: {exc}").response()

    routes = [
        Route("/", get_page, methods=["GET"]),
        Route("/favicon.ico", get_icon, methods=["GET"]),
        Route("/static/{path:path}", get_static, methods=["GET"]),
        Route("/api/plan", get_plan, methods=["GET"]),
        Route("/api/customers", get_customers, methods=["GET"]),
        Route("/api/routes", get_routes, methods=["GET"]),
        Route("/api/changes", get_changes, methods=["GET"]),
        Route("/api/territories", get_territories, methods=["GET"]),
        Route("/api/progress", get_progress, methods=["GET"]),
        Route("/api/edits", post_edits, methods=["POST"]),
        Route("/api/undo", post_undo, methods=["POST"]),
        Route("/api/redo", post_redo, methods=["POST"]),
        Route("/api/save", post_save, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: internal_error})
    app.add_middleware(Guard, port=port, token=token)
    return app


def listen(port: int) -> socket.socket:
    """A socket listening on 127.0.0.1 (only) at ``port`` (0: a free one).

    Raises
    ------
    ArgumentError
        ``--port``: the port cannot be had (taken, or not allowed).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise ArgumentError("--port", f"cannot listen on 127.0.0.1:{port}: {err.strerror or err}") from None
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, telling ``started`` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, started: Callable[[], None]):
        super().__init__(config)
        self._started = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._started()


def serve(session: EditSession, plan_dir: str | os.PathLike[str], *, port: int = 0,
          ready: Callable[[str], None], journal: LiveJournal | None = None, lock: EditorLock | None = None) -> None:
    """Serve the editor of ``session`` on 127.0.0.1 until interrupted.

    Parameters
    ----------
    session
        The session to edit.
    plan_dir
        The plan folder ``POST /api/save`` writes.
    port
        The port (0: a free one).
    ready
        Called with the page's address, ``http://127.0.0.1:PORT/?token=TOKEN``, once the server
        accepts connections.
    journal
        The live journal of ``plan_dir``, already replayed into ``session``; None: one is opened
        here and its unsaved changes replayed into ``session``.
    lock
        The lock of ``plan_dir`` this process holds (:class:`~routeplan.app.EditorLock`): the
        port is written into it once listening, so that another editor's refusal names it.

    Raises
    ------
    ArgumentError
        ``--port``: the port cannot be had.
    """
    sock = listen(port)
    actual = sock.getsockname()[1]
    if lock is not None:
        lock.update(port=actual)
    token = secrets.token_urlsafe(24)
    if journal is None:
        journal = LiveJournal(plan_dir)
        journal.replay(session)
    app = create_app(Editor(session, plan_dir, journal), port=actual, token=token)
    # No logging configuration of uvicorn's own (the command's stays), no access log (it would
    # write to standard output, whose first line is the contract's), no lifespan to run.
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = _Server(config, lambda: ready(f"http://127.0.0.1:{actual}/?token={token}"))
    logger.info("serving the editor of %s on 127.0.0.1:%d", plan_dir, actual)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        journal.close()
