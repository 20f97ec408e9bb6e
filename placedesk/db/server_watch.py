"""Noticing colleagues' changes on the team server: ``LISTEN/NOTIFY``, with polling as a fallback.

Every transaction that wrote something sends a notification on :data:`CHANNEL`
just before it commits (:func:`send_notifications`); PostgreSQL delivers it
only if the commit happens, and never for a rolled-back action. A window's
:class:`ServerChangeWatcher` keeps one connection of its own, outside the pool,
that ``LISTEN``s, and asks it without waiting (psycopg's ``notifies(timeout=0)``)
whenever the window asks :meth:`Database.changed_elsewhere`, on its timer and
on focus. Notifications sent by this process's own connections (known by their
backend process ids) do not count, as on SQLite.

Where notifications cannot be had (a connection pooler in transaction mode,
the listening connection lost), the watcher polls instead, cheaply: how many
audit events there are since a day before the newest one when watching began
(an index range read; counting, not comparing times, so a colleague whose
laptop clock is behind is not missed). A login that may not read the audit
trail (a commissioner's) polls the server's statistics of rows written instead,
which lag by a few seconds. It tries to listen again now and then.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

CHANNEL = "placedesk_changes"
# Sent only by a transaction that wrote: txid_current_if_assigned() is NULL in one that only read.
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', '') WHERE txid_current_if_assigned() IS NOT NULL"
# The fallback: audit events since a fixed moment (every change writes one) ...
SINCE_SQL = "SELECT max(occurred_at) - interval '1 day' FROM audit_event"
COUNT_SQL = "SELECT count(*) FROM audit_event WHERE occurred_at > :since"
# ... or, for a login that may not read the audit trail, rows written by anyone (statistics every login reads).
STATS_SQL = ("SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables "
             "WHERE schemaname = current_schema()")
# How often a watcher that lost its listening connection tries to listen again.
RELISTEN_SECONDS = 30.0


def send_notifications(sessions: sessionmaker[Session]) -> None:
    """Make every session of ``sessions`` tell listening windows when it commits a change."""
    from sqlalchemy import event, text

    def before_commit(session: Session) -> None:
        if session.in_transaction():
            session.execute(text(NOTIFY_SQL))

    event.listen(sessions, "before_commit", before_commit)


class ServerChangeWatcher:
    """Whether colleagues committed to the server since the last call (see the module notes)."""

    def __init__(self, engine: Engine) -> None:
        from sqlalchemy import event

        self._engine = engine
        # Backend process ids of this process's own connections: their notifications are ours.
        self._own: set[int] = set()
        event.listen(engine, "checkout", self._note_own)
        self._listener: Any = None
        self._next_try = 0.0
        self._mark: tuple[Any, ...] | None = None
        self._pending = False
        self._audit_readable = True
        self._since: Any = None
        self._listen()
        if self._listener is None:
            self._mark = self._poll()

    @property
    def listening(self) -> bool:
        """True while notifications arrive; False while polling."""
        return self._listener is not None

    def _note_own(self, dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
        self._own.add(int(dbapi_connection.info.backend_pid))

    def _listen(self) -> None:
        self._next_try = time.monotonic() + RELISTEN_SECONDS
        try:
            raw = self._engine.raw_connection()
            conn = raw.driver_connection
            # Out of the pool for good: it holds the LISTEN, and never runs an action's transaction.
            raw.detach()
            conn.rollback()
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception:  # noqa: BLE001 - no notifications here (a pooler, a refusal): poll instead
            self._listener = None
            return
        self._listener = conn

    def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.close()
            except Exception:  # noqa: BLE001 - it is already gone
                pass

    def _poll(self) -> tuple[Any, ...]:
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        with self._engine.connect() as conn:
            try:
                if self._audit_readable:
                    if self._since is None:
                        self._since = conn.execute(text(SINCE_SQL)).scalar()
                    if self._since is not None:
                        return ("audit", conn.execute(text(COUNT_SQL), {"since": self._since}).scalar())
                    return ("audit", conn.execute(text("SELECT count(*) FROM audit_event")).scalar())
            except DBAPIError:
                # A commissioner's login may not read the audit trail: the statistics will do.
                self._audit_readable = False
                conn.rollback()
            finally:
                conn.rollback()
            return ("statistics", conn.execute(text(STATS_SQL)).scalar())

    def changed(self) -> bool:
        if self._listener is not None:
            try:
                notes = list(self._listener.notifies(timeout=0))
            except Exception:  # noqa: BLE001 - the listening connection was lost: poll from now on
                self._drop_listener()
                self._mark = self._poll()
                # What happened while it was failing is unknown: reload once to be sure.
                return True
            return any(note.pid not in self._own for note in notes)
        mark = self._poll()
        changed = self._pending or mark != self._mark
        self._mark, self._pending = mark, False
        if time.monotonic() >= self._next_try:
            self._listen()
        return changed

    def note_outside_changes(self) -> None:
        """Called as this process starts a write: while polling, what changed before it was a colleague's."""
        if self._listener is None and self._poll() != self._mark:
            self._pending = True

    def absorb(self) -> None:
        """Called after this process's own commit: while polling, its change is not a colleague's."""
        if self._listener is None:
            self._mark = self._poll()

    def close(self) -> None:
        from sqlalchemy import event

        if event.contains(self._engine, "checkout", self._note_own):
            event.remove(self._engine, "checkout", self._note_own)
        self._drop_listener()
