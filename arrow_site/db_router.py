"""Send reads to the PostgreSQL replicas and everything else to the primary ("default").

Replicas lag the primary a little, so a read goes to the primary whenever staleness would show:
- inside a transaction on the primary (curation services lock and re-read rows there),
- for the rest of a request or command once it has written (read your own writes),
- for the whole of a request that `PrimaryDatabaseMiddleware` pins: the admin, any signed-in user
  (curators see their own changes at once) and any unsafe method,
- always for sessions, users and login records, which a visitor may have written one request ago.
Public pages read by anonymous visitors, the bulk of the traffic, go to a random replica.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_pinned: ContextVar[bool] = ContextVar("arrow_primary_pinned", default=False)
# Whether this request or command has written what public pages show (wrote_public_data).
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


@contextmanager
def public_writes_watched() -> Iterator[Callable[[], bool]]:
    """Within this block, note writes routed to models public pages show; yields a function that
    says whether there were any (PublicCacheMiddleware drops the cached pages only then)."""
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
            # Related rows of an object read from the primary come from the primary too.
            return DEFAULT_DB_ALIAS
        return random.choice(replicas)

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
