"""One version number keys every cached public page; curation and imports bump it, dropping them all.

Coarse but safe: a merge touches too many pages to work out exactly. With replicas, each version also
records the primary's WAL position, so no page built under a version predates the writes that began it.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from arrow_site.db_router import primary_lsn
from arrow_site.outages import Outages

logger = logging.getLogger(__name__)

VERSION_KEY = "arrow:public-pages-version"
LSN_KEY = "arrow:public-pages-lsn:{version}"
LSN_SECONDS = 24 * 3600
CACHE_ERRORS = (RedisError, OSError)
CACHE_OUTAGES = Outages(logger, what="cache", meanwhile="pages are served without it")


def cache_call(operation: Callable, default=None):
    """`operation()` on the cache, or `default` while the cache is failing: no cache is slower, never a 500."""
    if CACHE_OUTAGES.is_down():
        return default
    try:
        return operation()
    except CACHE_ERRORS as error:
        CACHE_OUTAGES.failed(error)
        return default


def public_pages_version() -> int | None:
    """The current version; None while the cache is failing (nothing is cached then)."""
    return cache_call(_version)


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # From the clock, so a lost version never returns to a number old pages are stored under;
        # add() so workers starting together agree.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_pages_changed() -> None:
    """Call after any write that public pages show (curation, import); takes effect on commit."""
    transaction.on_commit(lambda: cache_call(_bump))


def _bump() -> None:
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:  # evicted: the next read starts a fresh version from the clock
        version = _version()
    if settings.DATABASE_REPLICAS:
        # Read after the increment, so every write whose bump came first has committed before it.
        cache.set(LSN_KEY.format(version=version), primary_lsn(), LSN_SECONDS)


# Per process: (version, its WAL position), read again only after a bump.
_version_lsn: tuple[int, int] | None = None


def replicas_must_reach(version: int) -> int:
    """The WAL position replicas must have replayed to serve pages of this version."""
    global _version_lsn
    if _version_lsn is not None and _version_lsn[0] == version:
        return _version_lsn[1]
    key = LSN_KEY.format(version=version)
    lsn = cache.get(key)
    if lsn is None:
        # Not written yet, or expired: the primary's position now is as good.
        lsn = primary_lsn()
        cache.add(key, lsn, LSN_SECONDS)
    _version_lsn = (version, lsn)
    return lsn
