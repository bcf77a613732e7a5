"""One version number for every cached public page; curation and imports bump it.

Cached pages are keyed by the version, so a bump drops them all at once, in every worker, as long as
the cache is shared (REDIS_URL; settings refuse a page cache without it). Dropping everything is
coarse but right: a merge changes the author pages, the cluster page, every paper page of those
authors and the search results, and working those out exactly is not worth the risk of a stale page.
Browsers and proxies may still hold a page for PUBLIC_CACHE_SECONDS; curators, who are signed in, are
never served cached pages.

With read replicas, each version also records the primary's WAL position once the writes it follows
have committed; a public request reads only from replicas that have replayed that far (db_router), so
no page cached under a version, nor sent to a browser, predates the curation that began it.
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
# An LSN key outlives its version by far; one that is gone is read again from the primary.
LSN_SECONDS = 24 * 3600
# What a cache that is down or unreachable raises (Redis's errors; sockets' for others).
CACHE_ERRORS = (RedisError, OSError)
# After a cache error, pages are served without the cache for a while (/healthz says degraded).
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
        # Start from the clock, so a version lost to eviction or a cache restart never comes back
        # to a number old pages are stored under; add() so workers starting together agree.
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
        # Read after the increment: every write whose bump came first has committed by now, so a
        # replica that has replayed this far has seen all of them (concurrent bumps included).
        cache.set(LSN_KEY.format(version=version), primary_lsn(), LSN_SECONDS)


# Per process: (version, its WAL position), so a request reads the position only after a bump.
_version_lsn: tuple[int, int] | None = None


def replicas_must_reach(version: int) -> int:
    """The WAL position replicas must have replayed to serve pages of this version."""
    global _version_lsn
    if _version_lsn is not None and _version_lsn[0] == version:
        return _version_lsn[1]
    key = LSN_KEY.format(version=version)
    lsn = cache.get(key)
    if lsn is None:
        # Its bump has not written it yet, or it expired: the primary's position now is as good
        # (the version exists, so the writes before it have committed).
        lsn = primary_lsn()
        cache.add(key, lsn, LSN_SECONDS)
    _version_lsn = (version, lsn)
    return lsn
