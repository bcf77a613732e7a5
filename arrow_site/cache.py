"""One version number for every cached public page; curation and imports bump it.

Cached pages are keyed by the version, so a bump drops them all at once, in every worker, as long as
the cache is shared (REDIS_URL; settings refuse a page cache without it). Dropping everything is
coarse but right: a merge changes the author pages, the cluster page, every paper page of those
authors and the search results, and working those out exactly is not worth the risk of a stale page.
Browsers and proxies may still hold a page for PUBLIC_CACHE_SECONDS; curators, who are signed in, are
never served cached pages.
"""

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "arrow:public-pages-version"


def public_pages_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock, so a version lost to eviction or a cache restart never comes back
        # to a number old pages are stored under; add() so workers starting together agree.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_pages_changed() -> None:
    """Call after any write that public pages show (curation, import); takes effect on commit."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted: the next read starts a fresh version from the clock
        public_pages_version()
