"""Reading: a work's reading state (to read, reading, read) and its note, each undoable."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..formats.notes import READSTATUS_IN, joined_notes
from ..models import Note, Work
from .clock import now
from .errors import Gone, StoreError

STATES = ("toread", "reading", "read")  # as stored; "none" is no row
STATE_NAMES = {"toread": "to read", "reading": "reading", "read": "read", None: "none"}
CYCLE = (None, "toread", "reading", "read")  # `t`: none -> to read -> reading -> read -> none
NOTE_MAX_BYTES = 10 * 1024 * 1024  # a note longer than this (UTF-8) is refused whole, nothing saved


def state_word(state: str | None) -> str | None:
    """A state as the user may type it (`toread`, `to-read`, `to read`, `none`) -> as stored (None: none)."""
    word = (state or "").strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if word in ("", "none"):
        return None
    if word not in STATES:
        raise StoreError(f"unknown reading state {state!r}: toread, reading, read or none")
    return word


class Reading:
    """Reading states and notes (a part of Store)."""

    # -- reading states

    def reading_state(self, work_id: int) -> tuple[str, str] | None:
        """The work's reading state and when it was set, or None (none)."""
        rows = self._read("SELECT state, changed FROM reading WHERE work_id = ?", (work_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def reading_states(self, ids: Iterable[int]) -> dict[int, str]:
        """The reading states of these works (those that have one)."""
        return dict(self._select_in("SELECT work_id, state FROM reading WHERE work_id IN ({marks})", list(ids)))

    def reading_counts(self) -> dict[str, int]:
        """How many works are in each reading state."""
        return dict(self._read("SELECT state, count(*) FROM reading GROUP BY state"))

    @staticmethod
    def next_state(state: str | None) -> str | None:
        return CYCLE[(CYCLE.index(state) + 1) % len(CYCLE)] if state in CYCLE else "toread"

    def set_reading(self, work_ids: list[int], state: str | None, remember: bool = True) -> int:
        """Set the reading state of these works (None or "none": no state), in one transaction
        and (`remember`) one undo; returns how many works there were (gone ones are left out)."""
        state = state_word(state)
        ids = list(dict.fromkeys(work_ids))
        stamp = now()
        with self._write() as conn:
            before = [(i, k, s, c) for i, k, s, c in self._select_in(
                "SELECT w.id, w.key, r.state, r.changed FROM works w LEFT JOIN reading r ON r.work_id = w.id "
                "WHERE w.id IN ({marks})", ids, conn)]
            if not before:
                raise Gone("the work is no longer in the catalogue" if len(ids) == 1 else
                           "none of the works is in the catalogue any more")
            found = [i for i, *_ in before]
            if state is None:
                list(self._select_in("DELETE FROM reading WHERE work_id IN ({marks})", found, conn))
            else:
                conn.executemany("INSERT INTO reading(work_id, state, changed) VALUES (?, ?, ?) ON CONFLICT(work_id) "
                                 "DO UPDATE SET state = excluded.state, changed = excluded.changed "
                                 "WHERE state != excluded.state", [(i, state, stamp) for i in found])
            if remember:
                self._remember(conn, "reading", {"state": state, "works": [list(r) for r in before]})
        return len(before)

    def cycle_reading(self, work_ids: list[int], remember: bool = True) -> str | None:
        """`t`: the next state after the first work's (none -> to read -> reading -> read -> none),
        given to every one of them (one undo); returns that state (None: none)."""
        if not work_ids:
            raise StoreError("no work to set a reading state on")
        current = self.reading_state(work_ids[0])
        state = self.next_state(current[0] if current else None)
        self.set_reading(work_ids, state, remember)
        return state

    # -- notes

    def note(self, work_id: int) -> Note | None:
        """The work's note, or None."""
        rows = self._read("SELECT text, updated FROM notes WHERE work_id = ?", (work_id,))
        return Note(rows[0][0], rows[0][1]) if rows else None

    def notes(self, ids: Iterable[int]) -> dict[int, str]:
        """The notes of these works (those that have one)."""
        return dict(self._select_in("SELECT work_id, text FROM notes WHERE work_id IN ({marks})", list(ids)))

    def notes_count(self) -> int:
        return self._read("SELECT count(*) FROM notes")[0][0]

    @staticmethod
    def check_note(text: str) -> None:
        """Refuses (StoreError) a note over NOTE_MAX_BYTES."""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > NOTE_MAX_BYTES:
            raise StoreError(f"a note holds at most {NOTE_MAX_BYTES // (1024 * 1024)} MB; this one is "
                             f"{size / (1024 * 1024):.1f} MB: nothing was saved")

    def set_note(self, work_id: int, text: str, remember: bool = True, expected: str | None = None) -> Note | None:
        """Write the work's note (blank text: no note), in one transaction and (`remember`) one
        undo. `expected`: the text of the note the user began from ("" for none); when the
        note has changed since (another process), StoreError, nothing written. Gone
        when the work is no longer in the catalogue."""
        self.check_note(text)
        with self._write() as conn:
            work = conn.execute("SELECT key FROM works WHERE id = ?", (work_id,)).fetchone()
            if work is None:
                raise Gone("the work is no longer in the catalogue (another process removed it): "
                           "the note was not saved")
            old = conn.execute("SELECT text, updated FROM notes WHERE work_id = ?", (work_id,)).fetchone()
            if expected is not None and (old[0] if old else "") != expected:
                raise StoreError("the note was changed elsewhere since you opened it: nothing was saved")
            if (old[0] if old else "") == (text if text.strip() else ""):
                return Note(old[0], old[1]) if old else None
            note = None
            if text.strip():
                note = Note(text, now())
                conn.execute("INSERT INTO notes(work_id, text, updated) VALUES (?, ?, ?) ON CONFLICT(work_id) "
                             "DO UPDATE SET text = excluded.text, updated = excluded.updated",
                             (work_id, note.text, note.updated))
            else:
                conn.execute("DELETE FROM notes WHERE work_id = ?", (work_id,))
            if remember:
                self._remember(conn, "note", {"work": work_id, "key": work[0],
                                              "before": list(old) if old else None})
        return note

    # -- undo (called by Undo.undo and Undo._describe)

    @staticmethod
    def _describe_reading(kind: str, data: dict) -> str:
        if kind == "note":
            return f"note of {data['key']}"
        works = data["works"]
        whose = works[0][1] if len(works) == 1 else f"{len(works):,} works"
        return f"reading state of {whose} ({STATE_NAMES.get(data['state'], data['state'])})"

    @staticmethod
    def _undo_reading(conn: sqlite3.Connection, kind: str, data: dict, what: str) -> None:
        """Put the states or the note back exactly as they were (stamps too)."""
        if kind == "note":
            if conn.execute("SELECT 1 FROM works WHERE id = ?", (data["work"],)).fetchone() is None:
                raise StoreError(f"cannot undo the {what}: the work is gone")
            if data["before"] is None:
                conn.execute("DELETE FROM notes WHERE work_id = ?", (data["work"],))
            else:
                conn.execute("INSERT OR REPLACE INTO notes(work_id, text, updated) VALUES (?, ?, ?)",
                             (data["work"], *data["before"]))
            return
        for work_id, _key, state, changed in data["works"]:  # (a work gone since is left gone)
            if state is None:
                conn.execute("DELETE FROM reading WHERE work_id = ?", (work_id,))
            elif conn.execute("SELECT 1 FROM works WHERE id = ?", (work_id,)).fetchone():
                conn.execute("INSERT OR REPLACE INTO reading(work_id, state, changed) VALUES (?, ?, ?)",
                             (work_id, state, changed))

    # -- in and out

    @staticmethod
    def _reading_from_fields(works: Iterable[Work]) -> None:
        """Works read from a file: a BibTeX `annote` becomes the work's note and JabRef's
        `readstatus` its reading state (each taken out of the raw fields: export writes them
        back from the note and the state), unless the reader gave one already."""
        for work in works:
            fields = work.fields
            if "annote" in fields:
                annote = fields.pop("annote")
                work.note = work.note or annote.strip()
            status = fields.get("readstatus")
            if status is not None and status.strip().lower() in READSTATUS_IN:
                fields.pop("readstatus")
                work.reading = work.reading or READSTATUS_IN[status.strip().lower()]

    def _import_reading(self, conn: sqlite3.Connection, works: Iterable[tuple[int, Work]]) -> None:
        """The notes and states works came with from a file (in the import's transaction): a
        note joins one the work already has; a state replaces one."""
        stamp = now()
        notes = [(i, w.note) for i, w in works if w.note and w.note.strip()]
        states = [(i, w.reading, stamp) for i, w in works if w.reading in STATES]
        for work_id, text in notes:
            old = conn.execute("SELECT text FROM notes WHERE work_id = ?", (work_id,)).fetchone()
            text = joined_notes(old[0], text) if old else text
            if old is None or text != old[0]:
                conn.execute("INSERT OR REPLACE INTO notes(work_id, text, updated) VALUES (?, ?, ?)",
                             (work_id, text, stamp))
        conn.executemany("INSERT OR REPLACE INTO reading(work_id, state, changed) VALUES (?, ?, ?)", states)

    def _merge_reading(self, conn: sqlite3.Connection, kept: int, gone: int) -> None:
        """For a merge of two works (the caller's transaction, before `gone` is deleted): the
        kept work keeps its state, or takes the other's (the most advanced of the two: read >
        reading > to read); the notes are joined, the kept one's first."""
        rows = dict(conn.execute("SELECT work_id, state FROM reading WHERE work_id IN (?, ?)", (kept, gone)).fetchall())
        if gone in rows and STATES.index(rows[gone]) > (STATES.index(rows[kept]) if kept in rows else -1):
            conn.execute("INSERT OR REPLACE INTO reading(work_id, state, changed) "
                         "SELECT ?, state, changed FROM reading WHERE work_id = ?", (kept, gone))
        notes = dict(conn.execute("SELECT work_id, text FROM notes WHERE work_id IN (?, ?)", (kept, gone)).fetchall())
        if gone in notes:
            text = joined_notes(notes.get(kept, ""), notes[gone])
            conn.execute("INSERT OR REPLACE INTO notes(work_id, text, updated) VALUES (?, ?, ?)", (kept, text, now()))
        conn.execute("DELETE FROM reading WHERE work_id = ?", (gone,))
        conn.execute("DELETE FROM notes WHERE work_id = ?", (gone,))
