"""Send reads to the PostgreSQL replicas and everything else to the primary ("default").

Replicas lag, so a read goes to the primary wherever staleness would show: in a transaction, after a
write (read your own writes), in a pinned request (admin, signed-in, unsafe method), and for sessions,
users and logins. Anonymous reads go to a replica that answers and has replayed the last public write.
"""

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from arrow_site.outages import Outages

logger = logging.getLogger(__name__)

_pinned: ContextVar[bool] = ContextVar("arrow_primary_pinned", default=False)
_min_lsn: ContextVar[int | None] = ContextVar("arrow_min_lsn", default=None)
# Per process: the furthest WAL position each replica was last seen to have replayed.
_replayed: dict[str, int] = {}
_wrote_public: ContextVar[bool] = ContextVar("arrow_wrote_public", default=False)
PRIMARY_ONLY_APPS = {"admin", "auth", "axes", "sessions"}
# Writes no public page shows: logins, sessions, the admin's log, visitors' reports and their limits.
PRIVATE_APPS = PRIMARY_ONLY_APPS | {"contenttypes"}
PRIVATE_MODELS = {"authors.correctionrequest", "authors.ratelimitcounter"}


@contextmanager
def primary_pinned(pinned: bool = True) -> Iterator[None]:
    """Within this block every read goes to the primary (or, with pinned=False, reads may use replicas)."""
    token = _pinned.set(pinned)
    try:
        yield
    finally:
        _pinned.reset(token)


REPLICA_OUTAGES = Outages(logger, what="replica", meanwhile="its reads go to the primary")


def replica_usable(alias: str) -> bool:
    """Whether a replica may take reads now: connecting here costs only the request that finds it dead."""
    if REPLICA_OUTAGES.is_down(alias):
        return False
    connection = connections[alias]
    if connection.connection is not None:
        return True
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        REPLICA_OUTAGES.failed(error, alias)
        return False
    return True


def primary_lsn() -> int:
    """The primary's current WAL position. The insert position, not pg_current_wal_lsn(): with
    synchronous_commit off a commit's record may not be written out yet."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint")
        return cursor.fetchone()[0]


def replicas_failed(error: Exception) -> list[str]:
    """The replicas whose connection died with `error`, noted as down and closed."""
    failed = []
    for alias in settings.DATABASE_REPLICAS:
        connection = connections[alias]
        if connection.connection is None or connection.is_usable():
            continue
        REPLICA_OUTAGES.failed(error, alias)
        with suppress(DatabaseError):
            connection.close()
        failed.append(alias)
    return failed


@contextmanager
def replicas_at_least(lsn: int | None) -> Iterator[None]:
    """Within this block, reads use only replicas that have replayed the primary's WAL up to `lsn`."""
    token = _min_lsn.set(lsn)
    try:
        yield
    finally:
        _min_lsn.reset(token)


def replica_caught_up(alias: str, lsn: int | None) -> bool:
    """Whether the replica has replayed up to `lsn`; remembered, since a replica never goes back."""
    if lsn is None or _replayed.get(alias, -1) >= lsn:
        return True
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint")
            replayed = cursor.fetchone()[0]
    except DatabaseError as error:
        REPLICA_OUTAGES.failed(error, alias)
        return False
    # NULL: not a standby (the tests' mirror, a promoted server): it has all there is.
    _replayed[alias] = lsn if replayed is None else replayed
    return _replayed[alias] >= lsn


@contextmanager
def public_writes_watched() -> Iterator[Callable[[], bool]]:
    """Within this block, note writes to models public pages show; yields a function saying if any."""
    token = _wrote_public.set(False)
    try:
        yield _wrote_public.get
    finally:
        _wrote_public.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if (
            not replicas
            or _pinned.get()
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS
        for alias in random.sample(replicas, len(replicas)):
            if replica_usable(alias) and replica_caught_up(alias, _min_lsn.get()):
                return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        if model._meta.app_label not in PRIVATE_APPS and model._meta.label_lower not in PRIVATE_MODELS:
            _wrote_public.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # All databases hold the same data: a replica row may point at a primary row.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas receive the schema through replication, never through `migrate`.
        return db not in settings.DATABASE_REPLICAS
