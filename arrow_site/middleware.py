"""Request-wide database pinning and HTTP caching of public pages."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from arrow_site.api.responses import invalid_parameters_body
from arrow_site.cache import cache_call, public_pages_changed, public_pages_version, replicas_must_reach
from arrow_site.db_router import primary_pinned, public_writes_watched, replicas_at_least, replicas_failed

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_public_read(request) -> bool:
    """An anonymous GET/HEAD outside the admin: the same answer for every visitor."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith("/admin/")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.user.is_authenticated
    )


def sets_cookies(request, response) -> bool:
    """True if this response (or the session and CSRF middleware, on its way out) sets a cookie."""
    session = getattr(request, "session", None)
    return bool(
        response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or (session is not None and session.modified)
    )


class RejectNulMiddleware:
    """400 for a NUL in the path or query string: PostgreSQL text cannot hold one, so it would be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted(
            key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in value for value in values)
        )
        if "\x00" not in request.path and not bad:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if bad:
                return JsonResponse(invalid_parameters_body(dict.fromkeys(bad, ["NUL is not allowed."])), status=400)
            return JsonResponse({"detail": "NUL character in the address."}, status=400)
        return HttpResponseBadRequest("Bad request: NUL character in the address.", content_type="text/plain")


class RejectRepeatedApiParametersMiddleware:
    """400 for a query parameter given twice under /api/: no API parameter takes a list, and QueryDict
    would quietly take the last value. The HTML pages keep that last-value reading."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
            if repeated:
                errors = {key: ["Give this parameter once."] for key in repeated}
                return JsonResponse(invalid_parameters_body(errors), status=400)
        return self.get_response(request)


class PrimaryDatabaseMiddleware:
    """Reads of the admin, of signed-in users and of unsafe requests go to the primary (db_router).
    A GET or HEAD whose replica dies under it is run again on the primary, once: it changed nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pin = request.method not in SAFE_METHODS or request.path.startswith("/admin/") or request.user.is_authenticated
        with primary_pinned(pin):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method not in ("GET", "HEAD") or not isinstance(exception, DatabaseError):
            return None
        if not replicas_failed(exception):
            return None  # the primary's error, or a bad query: a 500 as ever
        with primary_pinned():
            return self.get_response(request)


class PublicCacheMiddleware:
    """`Cache-Control: public` for anonymous reads, plus a server-side copy when enabled; a request that
    wrote what public pages show bumps their version (arrow_site/cache.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = is_public_read(request)
        key = None
        version = min_lsn = None
        if public and (settings.PAGE_CACHE_SECONDS or settings.DATABASE_REPLICAS):
            version = public_pages_version()  # None: the cache is failing, the page is built as without one
        if version is not None and request.method == "GET" and settings.PAGE_CACHE_SECONDS:
            digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key = f"arrow:page:{version}:{digest}"
            cached = cache_call(lambda: cache.get(key))
            if cached is not None:
                content, content_type = cached
                return self.public_headers(HttpResponse(content, content_type=content_type))
        if version is not None and settings.DATABASE_REPLICAS:
            min_lsn = cache_call(lambda: replicas_must_reach(version))

        with public_writes_watched() as wrote_public_data, replicas_at_least(min_lsn):
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and response.status_code < 400 and wrote_public_data():
                public_pages_changed()
        if not public or sets_cookies(request, response) or response.streaming or response.has_header("Cache-Control"):
            return response
        if response.status_code == 200:
            if key:
                entry = (response.content, response["Content-Type"])
                cache_call(lambda: cache.set(key, entry, settings.PAGE_CACHE_SECONDS))
            return self.public_headers(response)
        return response

    @staticmethod
    def public_headers(response):
        if settings.PUBLIC_CACHE_SECONDS:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            # A visitor who signs in must not get the anonymous copy from the browser's cache.
            patch_vary_headers(response, ["Cookie"])
        return response
