"""Write a folder completely or not at all: build it beside the target, then move it into place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputFolderError

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
    # mkdtemp creates the folder private (0700); give it the usual permissions for a new folder.
    umask = os.umask(0)
    os.umask(umask)
    stage.chmod(0o777 & ~umask)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old.{stage.name.rsplit('.', 1)[-1]}")
        target.rename(old)
    stage.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
