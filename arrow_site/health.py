"""GET /healthz for the load balancer: 200 when every database answers, 503 when one does not; the
cache is reported, but a failing cache only makes the host degraded."""

import logging

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from arrow_site.cache import CacheHealth

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    databases = {}
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            databases[alias] = "ok"
        except DatabaseError as error:
            # The reason goes to the log, not to whoever asked.
            logger.warning("health check: database %s does not answer: %s", alias, error)
            databases[alias] = "unavailable"
            # Drop the broken connection now, so the next check (or request) connects afresh.
            connections[alias].close_if_unusable_or_obsolete()
    healthy = all(state == "ok" for state in databases.values())
    # The cache is an aid: pages are served without it while it fails (arrow_site/cache.py), so a
    # failing cache marks this host degraded, never unavailable.
    cache = "ok" if CacheHealth.available() else "degraded"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "databases": databases, "cache": cache},
        status=200 if healthy else 503,
    )
