"""One ``routeplan edit`` per plan folder: a lock file beside the folder that the editor holds
while it runs.

Two editors of one folder would each replay and extend the same live journal and each save over
the other's plan. The lock is the hidden sibling ``.PLAN_DIR.routeplan-edit.lock`` in the plan
folder's parent (beside the journal: a save swaps the whole folder, so it cannot live inside).
The editor holds it with an exclusive ``flock`` for as long as it runs, and writes into it its
process id and, once listening, its address (without the token: others may read the file). The
system releases a ``flock`` when its process ends, however it ends: a lock file whose process
was killed is free, and the next editor takes it over (it says so, naming the dead process). A
clean stop removes the file.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from ..errors import EditorBusyError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the process id alone tells a live editor
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)


def lock_path(plan_dir: str | os.PathLike[str]) -> Path:
    """Where the editor's lock file of ``plan_dir`` is: a hidden sibling in the same parent."""
    folder = Path(plan_dir).absolute()
    return folder.parent / f".{folder.name}.routeplan-edit.lock"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    except OSError:
        return False
    return True


def read_lock(path: Path) -> dict[str, Any]:
    """What a lock file says (its holder's ``pid``, ``address`` once listening, ``started``); {}
    when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


class EditorLock:
    """The lock of one plan folder, held by this process while it edits the folder.

    Parameters
    ----------
    plan_dir
        The plan folder to edit.

    Raises
    ------
    EditorBusyError
        Another ``routeplan edit`` that still runs holds the folder; its message names the folder,
        that editor's process id and its address.
    OSError
        The lock file cannot be made (the folder's parent is missing or not writable).
    """

    def __init__(self, plan_dir: str | os.PathLike[str]):
        self.plan_dir = Path(plan_dir).absolute()
        self.path = lock_path(self.plan_dir)
        self.taken_over: dict[str, Any] | None = None  # what a dead editor's lock file said
        self._fd: int | None = None
        self._acquire()

    def _acquire(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not self._lock(fd):
                os.close(fd)
                self._refuse()
            try:
                same = os.fstat(fd).st_ino == self.path.stat().st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a file its holder removed between our open and our lock: ours
                break
            os.close(fd)
        previous = read_lock(self.path)
        if previous.get("pid") not in (None, os.getpid()):
            # Its holder is gone (the lock was free): a killed or crashed editor's file.
            self.taken_over = previous
            logger.warning("taking over the lock %s of routeplan edit (pid %s), which no longer runs",
                           self.path, previous.get("pid"))
        self._fd = fd
        self.update(port=None)

    def _lock(self, fd: int) -> bool:
        """Lock ``fd`` without waiting; False when another live process holds it."""
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            except OSError:  # a file system without locks: the process id alone tells
                pass
            else:
                return True
        holder = read_lock(self.path).get("pid")  # no flock: a live process id holds it
        return not (isinstance(holder, int) and holder != os.getpid() and pid_alive(holder))

    def _refuse(self) -> None:
        holder = read_lock(self.path)
        pid = holder.get("pid", "unknown")
        where = f" at {holder['address']}" if holder.get("address") else " (still starting)"
        raise EditorBusyError(str(self.plan_dir), f"is being edited by another routeplan edit: pid {pid}{where}; "
                                                  f"use that one, or stop it (Ctrl-C) first (lock file {self.path})")

    def update(self, *, port: int | None) -> None:
        """Write this process's id and the port it listens on (None: not yet) into the lock file."""
        if self._fd is None:
            return
        address = None if port is None else f"http://127.0.0.1:{port}/"
        data = json.dumps({"pid": os.getpid(), "address": address, "plan_dir": str(self.plan_dir),
                           "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data + b"\n", 0)

    def release(self) -> None:
        """Remove the lock file and release it (the editor stops)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # before releasing: nobody locks a file on its way out
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> EditorLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
