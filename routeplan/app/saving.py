"""Saving an edited plan (the contract's section 8, ``POST /api/save``): the plan folder of
section 2 with ``changes.csv`` against the plan as it was opened and ``edits.jsonl``, the changes
in force, written whole or not at all.

The folder is built in a temporary sibling inside the same parent and then swapped in
(:func:`routeplan.io.staging.staged_folder`), so that a failure or a crash while writing leaves
the old folder as it was, and a reader never sees a mix of old and new files. On Linux the swap
is one system call: at every moment ``PLAN_DIR`` is the old folder or the new one. Elsewhere, or
on a file system that cannot exchange, it is two renames, between which a crash leaves both
whole folders beside each other, as ``.PLAN_DIR.old.*`` and ``.PLAN_DIR.*``. The temporary
folders of a save (or any write of the folder) whose process died are removed before the next
save (:func:`routeplan.io.staging.remove_leftovers`)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..editing import EditSession
from ..io.csvfile import write_table
from ..io.staging import PLAN_MARKER, remove_leftovers, staged_folder
from ..plan_folder import write_views
from ..results.changes import CHANGES_COLUMNS
from ..results.files import write_plan_files
from ..results.workbook import WORKBOOK_FILE

logger = logging.getLogger(__name__)

EDITS_FILE = "edits.jsonl"
"""The journal of a saved plan folder: one JSON line per change in force, in order."""

CHANGES_FILE = "changes.csv"
"""What changed against the plan as it was opened, one row per customer (the columns of a re-plan's)."""


def save_session(session: EditSession, plan_dir: str | os.PathLike[str]) -> Path:
    """Write the session's plan as it stands into the plan folder ``plan_dir``, atomically.

    Parameters
    ----------
    session
        The editing session.
    plan_dir
        The plan folder to replace as a whole (it must be a plan folder routeplan wrote, hold
        ``summary.json``, be empty or absent; see :func:`routeplan.io.staging.check_replaceable`).

    Returns
    -------
    Path
        ``plan_dir``, absolute.

    Raises
    ------
    OutputFolderError
        ``plan_dir`` holds files routeplan did not write; nothing is written.
    OSError
        Writing failed; ``plan_dir`` is as it was and no temporary folder is left.

    Notes
    -----
    The saved folder holds the plan with the edits already made, so reading it back (a new
    session) does not replay them: ``edits.jsonl`` is a record, not a recipe.
    """
    folder = Path(plan_dir).absolute()
    remove_leftovers(folder)  # the temporary folders of a save, or any write of the folder, that died
    plan = session.to_plan()
    # Read everything off the session before writing: the folder then holds one version.
    changes = session.changes_since_open().customers
    journal = session.journal()
    workbook = (folder / WORKBOOK_FILE).is_file()  # a plan handed out as plan.xlsx keeps it, redrawn
    with staged_folder(folder, marker=PLAN_MARKER) as stage:
        write_plan_files(plan, stage)
        # A re-plan's own changes.csv (against its previous plan) gives way to the editor's.
        write_table(stage / CHANGES_FILE, CHANGES_COLUMNS, (c.row() for c in changes))
        write_edits(stage / EDITS_FILE, journal)
        write_views(plan, stage, xlsx=workbook)
    logger.info("saved version %d to %s: %d change(s) in force, %d customer(s) changed since opened",
                session.version, folder, len(journal), len(changes))
    return folder


def write_edits(path: Path, journal: list[dict[str, object]]) -> None:
    """``edits.jsonl``: each change of ``journal`` as one line of JSON, in order."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for edit in journal:
            out.write(json.dumps(edit, ensure_ascii=False, sort_keys=False) + "\n")
