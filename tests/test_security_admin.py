"""The admin against strangers and curators: login throttling, CSRF on every form, user management
out of a curator's reach, and no write open to anonymous visitors."""

from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from authors.models import Author, CurationEvent
from papers.models import Authorship, Paper
from tests.factories import make_author, make_paper

LIMIT = 3


def all_url_paths(pk: int) -> list[str]:
    """Every route of the site as a concrete path: <int:…>/<path:…> get an existing id, the rest 'x'."""
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = getattr(pattern.pattern, "_route", None)
            if route is None:  # regex routes: the admin's app index, a read
                continue
            for converter, value in (("<int:", pk), ("<path:", pk), ("<str:", "x"), ("<slug:", "x")):
                while converter in route:
                    start = route.index(converter)
                    route = route[:start] + str(value) + route[route.index(">", start) + 1 :]
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                paths.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT)
class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        User.objects.create_user("curator", password="right-password-1", is_staff=True)

    def login(self, password, ip="203.0.113.7"):
        # Behind the proxy, the client's address is the last X-Forwarded-For entry (settings.py).
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": "curator", "password": password},
            headers={"x-forwarded-for": f"198.51.100.99, {ip}"},
        )

    def test_it_locks_out_after_the_failure_limit(self):
        for _ in range(LIMIT - 1):
            self.assertEqual(self.login("wrong").status_code, 200)  # the form again, with an error
        self.assertEqual(self.login("wrong").status_code, 429)  # the LIMIT-th failure locks
        # Even the right password is refused until the cool-off ends.
        response = self.login("right-password-1")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_lockout_does_not_block_the_same_user_from_another_address(self):
        for _ in range(LIMIT):
            self.login("wrong")
        response = self.login("right-password-1", ip="192.0.2.44")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def test_a_successful_login_resets_the_count(self):
        for _ in range(LIMIT - 1):
            self.login("wrong")
        self.assertEqual(self.login("right-password-1").status_code, 302)
        self.client.logout()
        for _ in range(LIMIT - 1):
            self.login("wrong")
        self.assertEqual(self.login("right-password-1").status_code, 302)


class AdminCsrfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("boss", "boss@example.org", "pw-boss-1")
        author = make_author("Keivan Rezaei")
        cls.paper = make_paper([author])

    def test_the_login_form_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/admin/login/", {"username": "boss", "password": "pw-boss-1"})
        self.assertEqual(response.status_code, 403)

    def test_every_admin_form_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.superuser)
        admin_paths = [p for p in all_url_paths(self.paper.pk) if p.startswith("/admin/")]
        self.assertGreater(len(admin_paths), 20)
        before = snapshot()
        for url in admin_paths:
            with self.subTest(url=url):
                response = client.post(url, {"action": "delete_selected", "_selected_action": [1], "post": "yes"})
                self.assertEqual(response.status_code, 403)
        self.assertEqual(snapshot(), before)

    def test_a_form_with_the_token_is_accepted(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.superuser)
        page = client.get(f"/admin/auth/user/{self.superuser.pk}/change/")
        token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
        response = client.post("/admin/logout/", {"csrfmiddlewaretoken": token})
        self.assertEqual(response.status_code, 200)


class CuratorPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.curator = User.objects.create_user("curator", password="pw-curator-1", is_staff=True)
        perms = Permission.objects.filter(
            content_type__app_label__in=["papers", "authors"], codename__regex=r"^(change|view)_"
        )
        cls.curator.user_permissions.set(perms)

    def setUp(self):
        self.client.force_login(self.curator)

    def test_a_curator_can_reach_the_curation_admin(self):
        self.assertEqual(self.client.get("/admin/authors/author/").status_code, 200)

    def test_a_curator_cannot_reach_user_management(self):
        for url in ["/admin/auth/user/", "/admin/auth/user/add/", f"/admin/auth/user/{self.curator.pk}/change/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        for url in ["/admin/auth/group/", "/admin/auth/group/add/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(
            "/admin/auth/user/add/", {"username": "mallory", "password1": "x", "password2": "x"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(username="mallory").exists())

    def test_the_admin_index_does_not_list_user_management(self):
        response = self.client.get("/admin/")
        self.assertNotContains(response, "/admin/auth/user/")


class AnonymousWriteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = make_author("Keivan Rezaei")
        cls.paper = make_paper([cls.author, make_author("Keivan Rezaei 0002")])

    def test_anonymous_visitors_cannot_write_anywhere(self):
        before = snapshot()
        login_pages = {"/admin/login/", "/admin/logout/"}
        for url in all_url_paths(self.paper.pk):
            with self.subTest(url=url):
                response = self.client.post(url, {"action": "delete_selected", "_selected_action": [self.author.pk]})
                if url.startswith("/admin/") and url not in login_pages:
                    self.assertEqual(response.status_code, 302)
                    self.assertIn("/admin/login/", response["Location"])
                else:
                    self.assertNotIn(response.status_code, (201, 204))
        self.assertEqual(snapshot(), before)

    def test_every_model_admin_refuses_anonymous_changes(self):
        for model in admin.site._registry:
            opts = model._meta
            with self.subTest(model=opts.label):
                response = self.client.post(f"/admin/{opts.app_label}/{opts.model_name}/add/", {})
                self.assertEqual(response.status_code, 302)


def snapshot() -> tuple:
    return (
        Paper.objects.count(),
        Author.objects.filter(merged_into__isnull=True).count(),
        Authorship.objects.count(),
        CurationEvent.objects.count(),
        User.objects.count(),
        list(Authorship.objects.order_by("pk").values_list("pk", "author_id")),
    )
