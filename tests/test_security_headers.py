"""Security headers, HTTPS behind the proxy, CSP on our pages and the admin, and our error pages."""

import re

from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.urls import include, path

from tests.factories import make_author, make_paper


def boom(request):
    raise RuntimeError("secret detail: password=hunter2 at /srv/arrow/settings.py")


def hello(request):
    return HttpResponse("<!doctype html><title>x</title><p>hello</p>")


urlpatterns = [
    path("boom/", boom),
    path("hello/", hello),
    path("", include("arrow_site.urls")),
]

# JSON-LD blocks are data the browser never executes, so the CSP does not apply to them.
INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE_RE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)


class SecurityHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = User.objects.create_superuser("admin", "admin@example.org", "pw-admin-1")
        author = make_author("Keivan Rezaei")
        cls.paper = make_paper([author])

    def assert_csp(self, response):
        policy = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", policy)
        self.assertIn("script-src 'self'", policy)
        self.assertIn("style-src 'self'", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertNotIn("unsafe-eval", policy)

    def assert_no_inline_code(self, response):
        html = response.content.decode()
        self.assertIsNone(INLINE_SCRIPT_RE.search(html), "inline <script> would be blocked by the CSP")
        self.assertIsNone(INLINE_STYLE_RE.search(html), "inline style would be blocked by the CSP")

    def test_it_sends_the_security_headers_on_public_pages(self):
        for url in ["/", "/papers/", f"/papers/{self.paper.pk}/", "/search/?q=rezaei"]:
            with self.subTest(url=url):
                response = self.client.get(url, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assert_csp(response)
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response["Referrer-Policy"], "same-origin")
                self.assertEqual(response["X-Frame-Options"], "DENY")
                self.assert_no_inline_code(response)

    def test_the_admin_login_page_works_under_the_csp(self):
        response = self.client.get("/admin/login/")
        self.assertEqual(response.status_code, 200)
        self.assert_csp(response)
        self.assert_no_inline_code(response)

    def test_admin_changelists_and_forms_work_under_the_csp(self):
        self.client.force_login(self.admin)
        for url in [
            "/admin/",
            "/admin/auth/user/",
            "/admin/auth/user/add/",
            f"/admin/auth/user/{self.admin.pk}/change/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_csp(response)
                self.assert_no_inline_code(response)


@override_settings(SECURE_SSL_REDIRECT=True)
class HttpsTests(TestCase):
    def test_it_redirects_plain_http_to_https(self):
        response = self.client.get("/papers/?page=2")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "https://testserver/papers/?page=2")

    def test_it_trusts_the_proxy_header_and_sends_hsts(self):
        response = self.client.get("/admin/login/", headers={"x-forwarded-proto": "https"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload")
        self.assertIn("Secure", str(response.cookies["csrftoken"]))

    def test_the_health_check_answers_over_plain_http(self):
        self.assertEqual(self.client.get("/healthz").status_code, 200)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
class ErrorPageTests(TestCase):
    def test_it_shows_our_404_page_without_echoing_the_address(self):
        response = self.client.get("/no-such-page-<script>alert(1)</script>/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)
        self.assertNotContains(response, "no-such-page", status_code=404)
        self.assertNotContains(response, "Resolver404", status_code=404)
        self.assertNotContains(response, "urlpatterns", status_code=404)

    def test_it_shows_our_500_page_without_the_error(self):
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong on our side", status_code=500)
        for leak in ["hunter2", "RuntimeError", "Traceback", "/srv/arrow", "settings.py"]:
            self.assertNotContains(response, leak, status_code=500)
        self.assert_csp_allows_the_page(response)

    def assert_csp_allows_the_page(self, response):
        self.assertIn("default-src 'self'", response["Content-Security-Policy"])
        html = response.content.decode()
        self.assertIsNone(INLINE_SCRIPT_RE.search(html))
        self.assertIsNone(INLINE_STYLE_RE.search(html))

    def test_the_500_page_renders_without_a_request_or_the_database(self):
        from django.template import loader

        with self.assertNumQueries(0):
            html = loader.get_template("500.html").render()
        self.assertIn("Something went wrong", html)

    def test_a_refused_form_gets_our_page_not_djangos(self):
        # Django's CSRF page carries an inline style (blocked by our CSP) and talks about DEBUG.
        paper = make_paper([make_author("Ada Lovelace")])
        client = self.client_class(enforce_csrf_checks=True)
        with self.assertLogs("django.security.csrf", "WARNING"):
            response = client.post(f"/report/paper/{paper.pk}/", {"message": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Your form was not sent", status_code=403)
        for leak in ["DEBUG", "CSRF verification failed", "Referer", "settings"]:
            self.assertNotContains(response, leak, status_code=403)
        self.assert_csp_allows_the_page(response)
