"""Write a folder completely or not at all: build it beside the target, then move it into place.

An existing target is swapped with the new folder in one system call where the system has one
(Linux ``renameat2`` with ``RENAME_EXCHANGE``): at every moment the target is the old folder or
the new one. Elsewhere, or on a file system that cannot exchange, the old folder is renamed away
and the new one renamed in; a crash between the two renames leaves both whole folders beside each
other (``.TARGET.old.*`` and ``.TARGET.*``) and none at the target.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from ..errors import OutputFolderError

try:  # POSIX: a stage is held with a lock its writer's death releases
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

#: The file that marks a folder as a plan folder, and one as a comparison report, that routeplan
#: wrote and may replace.
PLAN_MARKER = "summary.json"
REPORT_MARKER = "compare.csv"

def check_replaceable(target: str | os.PathLike[str], marker: str) -> None:
    """Raise :class:`OutputFolderError` unless ``target`` is an empty folder, a folder routeplan
    wrote (one holding ``marker``), or absent and creatable: an output folder is replaced as a
    whole, and a folder of someone else's files must never be."""
    target = Path(target)
    if not target.exists():
        ancestor = target.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise OutputFolderError(str(target), f"cannot be created: {ancestor} is a file, not a folder")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise OutputFolderError(str(target), f"cannot be created: {ancestor} is not writable")
        return
    if not target.is_dir():
        raise OutputFolderError(str(target), "exists and is a file, not a folder; choose another output folder")
    if (target / marker).is_file() or not any(target.iterdir()):
        return
    raise OutputFolderError(str(target), f"exists and holds files routeplan did not write (no {marker}); it would be "
                            f"replaced as a whole, so choose another output folder or empty it first")


@contextlib.contextmanager
def staged_folder(target: Path, *, marker: str | None = None) -> Iterator[Path]:
    """Yield an empty temporary folder next to ``target``; on success it replaces ``target``.

    On any exception (including KeyboardInterrupt) the temporary folder is removed and ``target``
    is left as it was. With ``marker``, an existing ``target`` is replaced only if it is empty or
    holds that file (see :func:`check_replaceable`).
    """
    target = Path(target)
    if marker is not None:
        check_replaceable(target, marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    # Held (a lock on the folder) while this process works on it: a stage whose writer died has
    # no holder, and remove_leftovers may take it away.
    held = _hold(stage)
    try:
        # mkdtemp creates the folder private (0700); give it the usual permissions for a new folder.
        umask = os.umask(0)
        os.umask(umask)
        stage.chmod(0o777 & ~umask)
        try:
            yield stage
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        if target.is_dir() and _exchange(stage, target):
            shutil.rmtree(stage, ignore_errors=True)  # the old folder now
            return
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old.{stage.name.rsplit('.', 1)[-1]}")
            target.rename(old)
        stage.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if held is not None:
            os.close(held)


#: The characters and length of the random part of a name ``tempfile.mkdtemp`` makes.
_RANDOM = "[a-z0-9_]{8}"


def leftover_pattern(target: str | os.PathLike[str]) -> re.Pattern[str]:
    """The names of the folders :func:`staged_folder` makes beside ``target`` and leaves behind
    only when its process dies: ``.TARGET.xxxxxxxx`` (a stage) and ``.TARGET.old.xxxxxxxx`` (the
    old folder between the two renames where the system cannot exchange)."""
    return re.compile(rf"\.{re.escape(Path(target).name)}\.(?:old\.)?{_RANDOM}")


def remove_leftovers(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary folders that a :func:`staged_folder` of ``target`` left beside it when
    its process died (a crash, a kill, the power) in the middle of a write; the ones removed.

    Only folders (not links, not files) whose name is exactly a stage's, ``.TARGET.xxxxxxxx`` or
    ``.TARGET.old.xxxxxxxx`` (see :func:`leftover_pattern`), in ``target``'s parent, and only
    those no live process holds: a write under way holds its stage with a lock on the folder
    (``flock``), which the system releases when the process ends. Where no such lock can be
    taken (a system or file system without ``flock``), nothing is removed. ``.TARGET.old.*`` goes only
    while ``TARGET`` exists (with ``TARGET`` missing, a crash between the two renames left the
    old and the new folder whole, and both stay for the user to pick). Nothing else is touched.
    """
    target = Path(target).absolute()
    pattern = leftover_pattern(target)
    removed: list[Path] = []
    try:
        paths = sorted(target.parent.iterdir())
    except OSError:
        return removed
    for path in paths:
        name = path.name
        if not pattern.fullmatch(name):
            continue
        if path.is_symlink() or not path.is_dir():
            continue
        if name.startswith(f".{target.name}.old.") and not target.is_dir():
            continue
        held = _hold(path, wait=False)
        if held is None:
            continue  # a live process is writing it (or no lock tells: left alone)
        try:
            shutil.rmtree(path)
        except OSError as err:
            logger.warning("cannot remove the temporary folder %s left by a write that died: %s", path, err)
            continue
        finally:
            os.close(held)
        logger.info("removed %s, the temporary folder of a write of %s that died", path, target)
        removed.append(path)
    return removed


def _hold(folder: Path, *, wait: bool = True) -> int | None:
    """A descriptor of ``folder`` holding an exclusive lock on it (close it to release it); None
    where the system or the file system has no ``flock`` (a write then goes on unheld), or
    (``wait=False``) when another process holds it."""
    if fcntl is None:
        return None
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:  # held by another process, or no locks on this file system
        os.close(descriptor)
        return None
    return descriptor


_AT_FDCWD = -100  # renameat2's "relative to the working directory" (the paths are made absolute)
_RENAME_EXCHANGE = 2


@cache
def _renameat2() -> Callable[..., int] | None:
    """glibc's ``renameat2`` (None where there is none)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange_supported() -> bool:
    """Whether this system can swap two folders in one atomic call."""
    return _renameat2() is not None


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` atomically; False (nothing done) where the kernel or the
    file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a.absolute()), _AT_FDCWD, os.fsencode(b.absolute()), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
