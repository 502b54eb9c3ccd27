"""The live journal of ``routeplan edit``: every accepted change (an edit, an undo, a redo) is
appended to it and flushed to disk before the API answers, so that a crash of the editor loses
nothing that was accepted.

The journal is a hidden sibling of the plan folder, ``.PLAN_DIR.routeplan-edit.jsonl`` in the same
parent (a save swaps the whole folder, so it cannot live inside). Its first line names the saved
folder the changes apply to (``base``: a digest of the folder's files) and the session's version
when that folder was opened or saved (``start``); each further line is one change with the version
it gave. Opening the same folder again replays the changes (in order, through the session) only if
the folder is still the one the journal names: after a save, the journal is replaced (atomically)
by an empty one naming the new folder, and a crash between the swap of the folder and that
replacement leaves a journal naming the old folder, which is then discarded, not replayed twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from ..editing import EditSession

logger = logging.getLogger(__name__)

JOURNAL_FORMAT = 1


def journal_path(plan_dir: str | os.PathLike[str]) -> Path:
    """Where the live journal of ``plan_dir`` is: a hidden sibling in the same parent."""
    folder = Path(plan_dir).absolute()
    return folder.parent / f".{folder.name}.routeplan-edit.jsonl"


def folder_digest(plan_dir: str | os.PathLike[str]) -> str:
    """A digest of the files of the plan folder (their names and bytes, nested ones included)."""
    folder = Path(plan_dir)
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def customers_digest(body: dict[str, Any]) -> str:
    """A short digest of the customers of a plan body (each one's manager, days and lock)."""
    text = json.dumps(body["customers"], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LiveJournal:
    """The live journal of one plan folder, open for appending.

    Parameters
    ----------
    plan_dir
        The plan folder being edited.
    """

    def __init__(self, plan_dir: str | os.PathLike[str]):
        self.plan_dir = Path(plan_dir).absolute()
        self.path = journal_path(self.plan_dir)
        self.entries = 0

    def replay(self, session: EditSession) -> int:
        """Replay into ``session`` (just opened from the plan folder) the changes the journal
        holds for this folder as it is, then start journalling; the number replayed.

        A journal that names another folder (saved since), or that cannot be read, is not
        and not replayed (it is replaced). A change that cannot be replayed stops the replay
        there (logged); the journal is then rewritten with what was replayed."""
        base = folder_digest(self.plan_dir)
        changes: list[dict[str, Any]] = []
        if self.path.exists():
            try:
                lines = [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()
                         if line.strip()]
            except (OSError, ValueError, UnicodeDecodeError) as err:
                logger.warning("the editing journal %s cannot be read (%s); not replayed", self.path, err)
                lines = []
            header = lines[0] if lines and isinstance(lines[0], dict) else {}
            if header.get("journal") == JOURNAL_FORMAT and header.get("base") == base:
                changes = [line for line in lines[1:] if isinstance(line, dict)]
            elif lines:
                logger.info("the editing journal %s is of an older save of %s: not replayed", self.path,
                            self.plan_dir)
        replayed: list[dict[str, Any]] = []
        for change in changes:
            try:
                _apply(session, change)
            except Exception as err:  # noqa: BLE001 - a change the session refuses ends the replay
                logger.warning("replaying the editing journal stopped at change %d (%s): %s",
                               len(replayed) + 1, change.get("action"), err)
                break
            if "customers" in change and customers_digest(session.to_dict()) != change["customers"]:
                # An optimise is planned again against the clock: it may come out differently.
                logger.warning("replaying the editing journal: change %d (%s) came out differently than it "
                               "did before the editor stopped", len(replayed) + 1, change.get("edit", change["action"]))
            replayed.append({**change, "version": session.version})
        self._rewrite(base, replayed)
        if replayed:
            logger.warning("replayed %d unsaved change(s) of %s from %s; now at version %d",
                           len(replayed), self.plan_dir, self.path, session.version)
        return len(replayed)

    def append(self, action: str, version: int, edit: dict[str, Any] | None = None,
               body: dict[str, Any] | None = None) -> None:
        """Append one accepted change (with a digest of the customers of ``body``, the plan body
        after it, if given) and flush it to disk (``fsync``) before returning."""
        entry: dict[str, Any] = {"action": action, "version": version}
        if edit is not None:
            entry["edit"] = edit
        if body is not None:
            entry["customers"] = customers_digest(body)
        with self.path.open("a", encoding="utf-8", newline="\n") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.entries += 1

    def saved(self) -> None:
        """The plan folder was just saved: replace the journal, atomically, with an empty one
        naming the folder as saved."""
        self._rewrite(folder_digest(self.plan_dir), [])

    def close(self) -> None:
        """The editor stops: a journal without unsaved changes is removed."""
        if self.entries == 0:
            self.path.unlink(missing_ok=True)

    def _rewrite(self, base: str, entries: list[dict[str, Any]]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="utf-8", newline="\n") as out:
            out.write(json.dumps({"journal": JOURNAL_FORMAT, "base": base}) + "\n")
            for entry in entries:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(self.path)
        _fsync_dir(self.path.parent)
        self.entries = len(entries)


def _apply(session: EditSession, change: dict[str, Any]) -> None:
    action = change.get("action")
    if action == "edit":
        session.apply(change["edit"])
    elif action == "undo":
        session.undo()
    elif action == "redo":
        session.redo()
    else:
        raise ValueError(f"unknown action {action!r}")
