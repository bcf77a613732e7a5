"""GET /healthz for the load balancer: 200 while the primary database answers, 503 when it does not.
A replica or the cache that fails makes the host degraded (pages are served without them), still 200."""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from arrow_site.cache import CACHE_OUTAGES
from arrow_site.db_router import REPLICA_OUTAGES

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    databases = {}
    for alias in connections:
        if alias in settings.DATABASE_REPLICAS and REPLICA_OUTAGES.is_down(alias):
            # A probe must not wait a known-dead replica's connect timeout.
            databases[alias] = "unavailable"
            continue
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            databases[alias] = "ok"
        except DatabaseError as error:
            logger.warning("health check: database %s does not answer: %s", alias, error)
            databases[alias] = "unavailable"
            if alias in settings.DATABASE_REPLICAS:
                REPLICA_OUTAGES.failed(error, alias)
            connections[alias].close_if_unusable_or_obsolete()
    # Only the primary decides: without a replica or the cache the host still serves every page.
    cache = "degraded" if CACHE_OUTAGES.is_down() else "ok"
    if databases.get(DEFAULT_DB_ALIAS) != "ok":
        status = "unavailable"
    elif cache != "ok" or any(state != "ok" for state in databases.values()):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "databases": databases, "cache": cache}, status=503 if status == "unavailable" else 200
    )
