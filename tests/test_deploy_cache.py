"""Public pages carry cache headers; a server-side copy is dropped by any curation."""

import itertools

from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.urls import include, path
from django.utils import timezone

from arrow_site.cache import CACHE_OUTAGES, public_pages_changed, public_pages_version
from authors.models import CorrectionRequest, RateLimitCounter
from papers.models import Paper, Venue
from tests.factories import make_author, make_paper

calls = itertools.count()


def page(request):
    return HttpResponse(f"rendered {next(calls)}")


def page_with_cookie(request):
    response = HttpResponse("with cookie")
    response.set_cookie("pref", "1")
    return response


def curate(request):
    # A write public pages show (a venue), as every curation makes.
    Venue.objects.create(short_name=f"Venue {next(calls)}", slug=f"venue-{next(calls)}")
    return HttpResponse("changed")


def report(request):
    # What a visitor's report writes: the request and its rate-limit count, which no public page shows.
    paper = Paper.objects.first()
    CorrectionRequest.objects.create(
        kind="other", target_type="paper", paper=paper, target_label=paper.title, message="A report."
    )
    RateLimitCounter.objects.create(key=f"test:{next(calls)}", count=1, expires_at=timezone.now())
    return HttpResponse("reported")


def look(request):
    # A POST that writes nothing public: the merge confirmation page, a login.
    return HttpResponse("looked")


urlpatterns = [
    path("page/", page),
    path("cookie/", page_with_cookie),
    path("curate/", curate),
    path("look/", look),
    path("report/", report),
    path("", include("arrow_site.urls")),
]


@override_settings(ROOT_URLCONF=__name__, PUBLIC_CACHE_SECONDS=300)
class CacheHeaderTests(TestCase):
    def test_anonymous_reads_are_public_for_five_minutes(self):
        response = self.client.get("/page/")
        self.assertEqual(response["Cache-Control"], "public, max-age=300")
        self.assertIn("Cookie", response["Vary"])

    def test_signed_in_users_get_no_public_copy(self):
        self.client.force_login(User.objects.create_user("curator", is_staff=True))
        self.assertNotIn("public", self.client.get("/page/").get("Cache-Control", ""))

    def test_responses_that_set_cookies_are_not_public(self):
        self.assertFalse(self.client.get("/cookie/").has_header("Cache-Control"))

    def test_the_admin_is_never_cached(self):
        response = self.client.get("/admin/login/")
        self.assertNotIn("public", response["Cache-Control"])
        self.assertIn("no-cache", response["Cache-Control"])

    def test_the_health_check_is_never_cached(self):
        self.assertNotIn("public", self.client.get("/healthz")["Cache-Control"])


@override_settings(
    ROOT_URLCONF=__name__,
    PAGE_CACHE_SECONDS=60,
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "page-cache-tests"}},
)
class PageCacheTests(TestCase):
    def setUp(self):
        cache.clear()

    def test_it_serves_the_second_read_from_the_cache(self):
        first = self.client.get("/page/?q=x").content
        self.assertEqual(self.client.get("/page/?q=x").content, first)
        self.assertNotEqual(self.client.get("/page/?q=y").content, first)

    def test_a_curation_drops_every_cached_page(self):
        first = self.client.get("/page/").content
        with self.captureOnCommitCallbacks(execute=True):
            public_pages_changed()
        self.assertNotEqual(self.client.get("/page/").content, first)

    def test_it_takes_effect_only_when_the_curation_commits(self):
        version = public_pages_version()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            public_pages_changed()
        self.assertEqual(public_pages_version(), version)
        self.assertEqual(len(callbacks), 1)

    def test_a_signed_in_users_write_drops_every_cached_page(self):
        first = self.client.get("/page/").content
        curator = self.client_class()
        curator.force_login(User.objects.create_user("curator", is_staff=True))
        with self.captureOnCommitCallbacks(execute=True):
            curator.post("/curate/")
        self.assertNotEqual(self.client.get("/page/").content, first)

    def test_a_post_that_writes_nothing_public_does_not(self):
        first = self.client.get("/page/").content
        curator = self.client_class()
        curator.force_login(User.objects.create_user("curator", is_staff=True))
        with self.captureOnCommitCallbacks(execute=True):
            curator.post("/look/")
            self.client.post("/look/")
            self.client.post("/admin/login/", {"username": "curator", "password": "wrong"})
        self.assertEqual(self.client.get("/page/").content, first)

    def test_a_visitors_report_does_not(self):
        make_paper([make_author("Ada Lovelace")])
        first = self.client.get("/page/").content
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post("/report/").status_code, 200)
        self.assertEqual(self.client.get("/page/").content, first)

    def test_a_lost_version_starts_again_above_every_old_one(self):
        version = public_pages_version()
        cache.clear()
        self.assertGreater(public_pages_version(), version)


# A Redis that does not answer: nothing listens on port 1. The real client, the real errors.
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}


@override_settings(ROOT_URLCONF=__name__, PAGE_CACHE_SECONDS=60, CACHES=DEAD_REDIS)
class DeadCacheTests(TestCase):
    """Issue 22, item 2: a cache that does not answer means no cache (logged, counted), never a 500."""

    def setUp(self):
        CACHE_OUTAGES.failures = 0
        CACHE_OUTAGES.down_until.clear()
        self.addCleanup(CACHE_OUTAGES.down_until.clear)

    def test_pages_are_served_without_it_and_it_is_not_asked_again_at_once(self):
        with self.assertLogs("arrow_site.cache", "WARNING"):
            first = self.client.get("/page/")
        self.assertEqual(first.status_code, 200)
        second = self.client.get("/page/")
        self.assertEqual(second.status_code, 200)
        self.assertNotEqual(first.content, second.content)  # built again: nothing was cached
        self.assertEqual(CACHE_OUTAGES.failures, 1)  # the second request did not wait for the dead cache

    def test_a_curators_write_is_not_a_500_after_it_was_saved(self):
        curator = self.client_class()
        curator.force_login(User.objects.create_user("curator", is_staff=True))
        with self.assertLogs("arrow_site.cache", "WARNING"), self.captureOnCommitCallbacks(execute=True):
            response = curator.post("/curate/")
        self.assertEqual(response.status_code, 200)

    def test_the_health_check_says_degraded_not_unavailable(self):
        with self.assertLogs("arrow_site.cache", "WARNING"):
            self.client.get("/page/")
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["cache"], "degraded")

    def test_it_is_tried_again_after_a_while(self):
        with self.assertLogs("arrow_site.cache", "WARNING"):
            self.client.get("/page/")
        CACHE_OUTAGES.down_until.clear()  # retry_seconds later
        with self.assertLogs("arrow_site.cache", "WARNING"):
            self.client.get("/page/")
        self.assertEqual(CACHE_OUTAGES.failures, 2)
