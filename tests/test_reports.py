"""Correction requests ("Report a problem"): the public form and status page, the spam checks and
rate limits, and the curators' queue in the admin."""

import re
import time
from io import StringIO
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client, RequestFactory, TestCase, override_settings
from django.urls import reverse

from authors import reports
from authors.curation.merge import author_merge
from authors.models import CorrectionRequest, RateLimitCounter
from authors.reports import (
    RateLimit,
    client_address,
    correction_request_submit,
    correction_request_update,
    report_form_stamp,
)
from tests.factories import make_author, make_paper, make_venue
from tests.pages_data import HOSTILE

Kind = CorrectionRequest.Kind
Status = CorrectionRequest.Status
CHANGELIST = reverse("admin:authors_correctionrequest_changelist")


def make_curator(username="cura"):
    call_command("create_curator", username, password="a long curator password 1", stdout=StringIO())
    return get_user_model().objects.get(username=username)


def form_data(target, **overrides) -> dict:
    """A form as a person sends it: shown a minute ago, honeypot empty."""
    data = {
        "kind": Kind.METADATA,
        "message": "The year is wrong: the paper appeared in 2023, see the proceedings.",
        "other_author": "",
        "email": "",
        "website": "",
        "stamp": report_form_stamp(target=target, now=time.time() - 60),
    }
    return {**data, **overrides}


def paper_url(paper):
    return reverse("authors:report-paper", kwargs={"pk": paper.pk})


def author_url(author):
    return reverse("authors:report-author", kwargs={"pk": author.pk})


class ReportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.venue = make_venue(short_name="NeurIPS", slug="neurips")
        cls.ada = make_author("Ada Lovelace")
        cls.ada2 = make_author("Ada Lovelace 0002")
        cls.paper = make_paper([cls.ada, cls.ada2], title="Notes on the Analytical Engine", year=1843, venue=cls.venue)

    def post(self, url, data, **kwargs):
        return self.client.post(url, data, **kwargs)

    def assert_refused(self, response, text, *, status=200):
        self.assertEqual(response.status_code, status)
        self.assertContains(response, text, status_code=status)
        self.assertFalse(CorrectionRequest.objects.exists())


class SubmitTests(ReportTestCase):
    def test_the_paper_page_links_to_the_form(self):
        response = self.client.get(self.paper.get_absolute_url())
        self.assertContains(response, f'href="{paper_url(self.paper)}">Report a problem</a>')

    def test_the_author_page_links_to_the_form(self):
        response = self.client.get(self.ada.get_absolute_url())
        self.assertContains(response, f'href="{author_url(self.ada)}">Report a problem</a>')

    def test_the_paper_form_shows_what_is_reported(self):
        response = self.client.get(paper_url(self.paper))

        self.assertContains(response, "Notes on the Analytical Engine")
        self.assertContains(response, "NeurIPS")
        self.assertContains(response, "<title>Report a problem: Notes on the Analytical Engine · Arrow</title>")
        self.assertContains(response, 'aria-current="page">Report a problem</a>')
        self.assertContains(response, 'name="website"')
        self.assertContains(response, 'name="stamp"')
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">')
        # A paper has no row to split: that kind is offered on author pages only.
        self.assertNotContains(response, Kind.TWO_PEOPLE.label)
        self.assertIn("no-store", response["Cache-Control"])

    def test_the_author_form_shows_the_row(self):
        response = self.client.get(author_url(self.ada2))

        self.assertContains(response, "Ada Lovelace 0002")
        self.assertContains(response, f"row #{self.ada2.pk}")
        self.assertContains(response, Kind.TWO_PEOPLE.label)
        self.assertContains(response, f'href="{self.ada2.cluster.get_absolute_url()}"')

    def test_a_report_on_a_paper_lands_in_the_queue_and_leads_to_its_status_page(self):
        response = self.post(paper_url(self.paper), form_data(self.paper, email="ada@example.org"))

        report = CorrectionRequest.objects.get()
        self.assertRedirects(response, f"/reports/{report.token}/")
        self.assertEqual(report.paper, self.paper)
        self.assertIsNone(report.author)
        self.assertEqual(report.target_type, "paper")
        self.assertEqual(report.target_label, "Notes on the Analytical Engine")
        self.assertEqual(report.kind, Kind.METADATA)
        self.assertEqual(report.status, Status.OPEN)
        self.assertEqual(report.email, "ada@example.org")

    def test_a_report_on_an_author_row_can_name_the_other_row(self):
        data = form_data(
            self.ada, kind=Kind.SAME_PERSON, other_author=f"https://arrow.example.org/authors/{self.ada2.pk}/"
        )
        response = self.post(author_url(self.ada), data)

        report = CorrectionRequest.objects.get()
        self.assertRedirects(response, report.get_absolute_url())
        self.assertEqual((report.author, report.other_author, report.paper), (self.ada, self.ada2, None))
        self.assertEqual(report.target_label, f"Ada Lovelace (row #{self.ada.pk})")

    def test_the_other_row_may_be_given_as_a_number_and_must_exist(self):
        self.post(author_url(self.ada), form_data(self.ada, kind=Kind.SAME_PERSON, other_author=str(self.ada2.pk)))
        self.assertEqual(CorrectionRequest.objects.get().other_author, self.ada2)

        for value in ["999999", "not a row", str(self.ada.pk)]:
            with self.subTest(value):
                response = self.post(author_url(self.ada), form_data(self.ada, other_author=value))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'id="id_other_author_error"')
        self.assertEqual(CorrectionRequest.objects.count(), 1)

    def test_no_account_is_needed(self):
        response = self.post(paper_url(self.paper), form_data(self.paper), follow=True)

        self.assertFalse(response.wsgi_request.user.is_authenticated)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Thank you: your report is in the curators")

    def test_a_merged_row_sends_its_reports_to_the_survivor(self):
        tombstone, survivor = make_author("Grace Hopper"), make_author("Grace Hopper")
        author_merge(target=survivor, sources=[tombstone], curator=None)

        response = self.client.get(author_url(tombstone))
        self.assertRedirects(response, author_url(survivor))

    def test_unknown_rows_are_404(self):
        self.assertEqual(self.client.get("/report/paper/999999/").status_code, 404)
        self.assertEqual(self.client.get("/report/author/999999/").status_code, 404)

    def test_invalid_input_keeps_what_was_typed(self):
        response = self.post(paper_url(self.paper), form_data(self.paper, kind="nonsense", email="not-an-email"))

        self.assert_refused(response, "Nothing you typed was lost")
        self.assertContains(response, "The year is wrong: the paper appeared in 2023")
        self.assertContains(response, 'value="not-an-email"')

    def test_a_too_short_or_too_long_message_is_refused(self):
        for message in ["short", "x" * 4001]:
            with self.subTest(len(message)):
                response = self.post(paper_url(self.paper), form_data(self.paper, message=message))
                self.assert_refused(response, 'id="id_message_error"')

    def test_the_form_page_answers_only_get_and_post(self):
        self.assertEqual(self.client.put(paper_url(self.paper)).status_code, 405)
        self.assertEqual(self.client.delete(reverse("authors:report-status", args=["x" * 43])).status_code, 405)


class StatusPageTests(ReportTestCase):
    def submit(self, **overrides):
        values = {
            "kind": Kind.WRONG_AUTHOR,
            "message": "The second author is someone else.\nSee the PDF.",
            "email": "secret-reporter@example.org",
            "address": "203.0.113.9",
        }
        return correction_request_submit(target=self.paper, **{**values, **overrides})

    def test_it_shows_the_status_the_reply_and_the_text_but_not_the_email(self):
        report = self.submit()
        correction_request_update(
            correction_request=report, status=Status.RESOLVED, reply="Fixed: row #2 removed.", curator=None
        )

        response = self.client.get(report.get_absolute_url())

        self.assertContains(response, "Resolved")
        self.assertContains(response, "A curator has made a correction.")
        self.assertContains(response, "Fixed: row #2 removed.")
        self.assertContains(response, "The second author is someone else.\nSee the PDF.")
        self.assertContains(response, Kind.WRONG_AUTHOR.label)
        self.assertContains(response, f'href="{self.paper.get_absolute_url()}"')
        self.assertNotContains(response, "secret-reporter")
        self.assertNotContains(response, "example.org")

    def test_it_says_when_nobody_has_replied(self):
        response = self.client.get(self.submit().get_absolute_url())
        self.assertContains(response, "Open")
        self.assertContains(response, "No reply yet.")

    def test_it_is_neither_indexed_nor_cached(self):
        response = self.client.get(self.submit().get_absolute_url())

        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])

    def test_a_deleted_paper_leaves_its_title(self):
        report = self.submit()
        self.paper.authorships.all().delete()
        self.paper.sources.all().delete()
        self.paper.delete()

        response = self.client.get(report.get_absolute_url())
        self.assertContains(response, "Notes on the Analytical Engine")
        self.assertContains(response, "no longer on the site")

    def test_tokens_are_long_random_and_distinct(self):
        tokens = {self.submit(address=f"203.0.113.{n}").token for n in range(20)}

        self.assertEqual(len(tokens), 20)
        for token in tokens:
            # secrets.token_urlsafe(32): 256 random bits, 43 URL-safe characters.
            self.assertRegex(token, r"^[A-Za-z0-9_-]{43}$")

    def test_an_unknown_token_is_404(self):
        report = self.submit()
        other = report.token[:-1] + ("A" if report.token[-1] != "A" else "B")
        self.assertEqual(self.client.get(f"/reports/{other}/").status_code, 404)
        self.assertEqual(self.client.get(f"/reports/{report.pk}/").status_code, 404)

    def test_a_malformed_token_is_404_without_a_query(self):
        for token in ["short", "x" * 44, "%3Cscript%3E" + "x" * 31]:
            with self.subTest(token), self.assertNumQueries(0):
                self.assertEqual(self.client.get(f"/reports/{token}/").status_code, 404)


class SpamTests(ReportTestCase):
    def test_a_filled_honeypot_is_refused_with_the_text_kept(self):
        response = self.post(paper_url(self.paper), form_data(self.paper, website="http://spam.example"))

        self.assert_refused(response, "a field meant to stay empty was filled in")
        self.assertContains(response, "The year is wrong")
        # The honeypot comes back empty, so the person can simply send again.
        self.assertNotContains(response, "spam.example")

    def test_a_form_sent_too_fast_is_refused(self):
        stamp = report_form_stamp(target=self.paper)
        response = self.post(paper_url(self.paper), form_data(self.paper, stamp=stamp))

        self.assert_refused(response, "faster than a person can type")
        self.assertContains(response, "The year is wrong")

    def test_an_expired_form_is_refused_and_shown_again_with_a_fresh_stamp(self):
        stamp = report_form_stamp(target=self.paper, now=time.time() - reports.FORM_MAX_SECONDS - 60)
        response = self.post(paper_url(self.paper), form_data(self.paper, stamp=stamp))

        self.assert_refused(response, "This form was open for too long")
        self.assertContains(response, "The year is wrong")
        fresh = re.search(r'name="stamp" value="([^"]+)"', response.content.decode())[1]
        self.assertNotEqual(fresh, stamp)

        # A person sends the form again a little later: accepted.
        later = time.time() + reports.FORM_MIN_SECONDS + 1
        with mock.patch("authors.reports.time.time", return_value=later):
            response = self.post(paper_url(self.paper), form_data(self.paper, stamp=fresh))
        self.assertEqual(response.status_code, 302)

    def test_a_missing_forged_or_borrowed_stamp_is_refused(self):
        other = make_paper([self.ada], title="Another paper")
        for stamp in ["", "forged", report_form_stamp(target=other, now=time.time() - 60)]:
            with self.subTest(stamp=stamp):
                response = self.post(paper_url(self.paper), form_data(self.paper, stamp=stamp))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Please send it again")
        self.assertFalse(CorrectionRequest.objects.exists())

    def test_at_most_three_links(self):
        links = " ".join(f"https://example.org/{n}" for n in range(4))
        response = self.post(paper_url(self.paper), form_data(self.paper, message=f"See {links}"))
        self.assert_refused(response, "at most 3 links (this message has 4)")

        three = "See https://doi.org/10.1/x, www.example.org and http://dblp.org/pid/1"
        response = self.post(paper_url(self.paper), form_data(self.paper, message=three))
        self.assertEqual(response.status_code, 302)


# The tests speak for clients behind our proxy (X-Forwarded-For). BEHIND_PROXY follows DJANGO_DEBUG
# by default, so without this a developer's DJANGO_DEBUG=1 made every address one client.
@override_settings(BEHIND_PROXY=True)
class RateLimitTests(ReportTestCase):
    def send(self, address="198.51.100.7", **headers):
        return self.post(paper_url(self.paper), form_data(self.paper), headers={"x-forwarded-for": address, **headers})

    def test_one_address_gets_a_few_reports_then_a_429_page(self):
        for _ in range(reports.ADDRESS_LIMIT.count):
            self.assertEqual(self.send().status_code, 302)

        response = self.send()

        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "the most we take from one address", status_code=429)
        self.assertContains(response, "The year is wrong", status_code=429)  # nothing lost
        self.assertContains(response, "<title>Report a problem", status_code=429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(CorrectionRequest.objects.count(), reports.ADDRESS_LIMIT.count)
        # Another visitor is not held up by the first one.
        self.assertEqual(self.send("198.51.100.8").status_code, 302)

    def test_the_address_is_the_proxys_right_most_entry(self):
        # Behind the proxy every request has the proxy's REMOTE_ADDR; client-supplied entries
        # before the proxy's own are ignored, so rotating them does not escape the limit.
        for n in range(reports.ADDRESS_LIMIT.count):
            self.assertEqual(self.send(f"10.0.0.{n}, 198.51.100.7").status_code, 302)
        self.assertEqual(self.send("10.9.9.9, 198.51.100.7").status_code, 429)

    def test_the_whole_site_has_a_cap(self):
        with mock.patch.object(reports, "GLOBAL_LIMIT", RateLimit(count=3, seconds=3600)):
            for n in range(3):
                self.assertEqual(self.send(f"198.51.100.{n}").status_code, 302)
            response = self.send("198.51.100.200")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "too many reports just now", status_code=429)

    def test_refused_forms_do_not_use_up_the_limit(self):
        for _ in range(reports.ADDRESS_LIMIT.count + 2):
            self.post(paper_url(self.paper), form_data(self.paper, website="x"))
        self.assertEqual(self.send().status_code, 302)

    def test_the_limit_window_passes(self):
        for _ in range(reports.ADDRESS_LIMIT.count):
            self.send()
        self.assertEqual(self.send().status_code, 429)
        later = time.time() + reports.ADDRESS_LIMIT.seconds
        with mock.patch("authors.reports.time.time", return_value=later):
            self.assertEqual(self.send().status_code, 302)

    def test_a_failing_cache_does_not_lift_the_limit(self):
        # The counts are in the database: a Redis that does not answer (nothing on port 1) changes nothing.
        dead = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
        }
        with override_settings(CACHES=dead):
            for _ in range(reports.ADDRESS_LIMIT.count):
                self.assertEqual(self.send().status_code, 302)
            self.assertEqual(self.send().status_code, 429)

    def test_the_count_is_shared_by_every_worker_through_the_database(self):
        for _ in range(reports.ADDRESS_LIMIT.count - 1):
            self.send()
        # What another worker or host reads: the database's count, not a process's memory.
        (counter,) = RateLimitCounter.objects.filter(key__startswith="reports:address:")
        self.assertEqual(counter.count, reports.ADDRESS_LIMIT.count - 1)
        self.assertEqual(self.send().status_code, 302)
        self.assertEqual(self.send().status_code, 429)

    def test_an_ipv6_block_counts_as_one_address(self):
        for n in range(reports.ADDRESS_LIMIT.count):
            self.assertEqual(self.send(f"2001:db8:1:2::{n + 1:x}").status_code, 302)
        self.assertEqual(self.send("2001:db8:1:2:ffff::1").status_code, 429)
        self.assertEqual(self.send("2001:db8:1:3::1").status_code, 302)

    def test_windows_that_passed_are_deleted(self):
        self.send()
        later = time.time() + 2 * reports.GLOBAL_LIMIT.seconds
        with mock.patch("authors.reports.time.time", return_value=later):
            self.assertEqual(self.send().status_code, 302)
        self.assertEqual(RateLimitCounter.objects.count(), 2)  # this window's address and site counts


class ClientAddressTests(TestCase):
    def address(self, remote="127.0.0.1", forwarded=None):
        headers = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_address(RequestFactory().get("/", **headers))

    def test_behind_the_proxy_the_last_forwarded_entry_counts(self):
        with self.settings(BEHIND_PROXY=True):
            self.assertEqual(self.address(forwarded="1.2.3.4, 203.0.113.5"), "203.0.113.5")
            self.assertEqual(self.address(forwarded=""), "127.0.0.1")

    def test_without_the_proxy_the_header_is_ignored(self):
        with self.settings(BEHIND_PROXY=False):
            self.assertEqual(self.address("192.0.2.1", "203.0.113.5"), "192.0.2.1")

    def test_ipv6_hosts_are_grouped_by_their_64_block(self):
        with self.settings(BEHIND_PROXY=False):
            self.assertEqual(self.address("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64")
            self.assertEqual(self.address("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64")
            self.assertEqual(self.address("::ffff:192.0.2.7"), "192.0.2.7")
            self.assertEqual(self.address("garbage"), "garbage")


class CsrfTests(ReportTestCase):
    def test_a_post_without_the_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(paper_url(self.paper), form_data(self.paper))

        self.assertEqual(response.status_code, 403)
        self.assertFalse(CorrectionRequest.objects.exists())

    def test_a_post_with_the_token_from_the_form_is_accepted(self):
        client = Client(enforce_csrf_checks=True)
        page = client.get(paper_url(self.paper)).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

        response = client.post(paper_url(self.paper), {**form_data(self.paper), "csrfmiddlewaretoken": token})

        self.assertEqual(response.status_code, 302)
        self.assertTrue(CorrectionRequest.objects.exists())


class EscapingTests(ReportTestCase):
    def test_hostile_text_is_escaped_on_every_page(self):
        eve = make_author(f"Eve {HOSTILE}")
        paper = make_paper([eve], title=f"Title {HOSTILE}")
        data = form_data(paper, message=f"Message {HOSTILE}", kind=Kind.WRONG_AUTHOR)
        self.post(paper_url(paper), data)
        report = CorrectionRequest.objects.get()
        correction_request_update(
            correction_request=report, status=Status.REJECTED, reply=f"Reply {HOSTILE}", curator=None
        )
        self.client.force_login(make_curator())

        pages = [
            paper_url(paper),
            author_url(eve),
            report.get_absolute_url(),
            CHANGELIST,
            reverse("admin:authors_correctionrequest_change", args=[report.pk]),
        ]
        for url in pages:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<script>alert")
                self.assertNotContains(response, "<img src=x")
                self.assertContains(response, "&lt;script&gt;")

    def test_a_refused_form_escapes_what_it_shows_again(self):
        response = self.post(paper_url(self.paper), form_data(self.paper, message=f"x {HOSTILE}", website="filled"))
        self.assertContains(response, "&lt;script&gt;")
        self.assertNotContains(response, "<script>alert")


class CuratorQueueTests(ReportTestCase):
    def setUp(self):
        super().setUp()
        self.curator = make_curator()
        self.client.force_login(self.curator)

    def report(self, target, kind=Kind.OTHER, **kwargs):
        # A new address each time: the queue tests are not about the rate limit.
        self.reports_made = getattr(self, "reports_made", 0) + 1
        address = f"192.0.2.{self.reports_made}"
        return correction_request_submit(
            target=target, kind=kind, message="Please look at this row.", address=address, **kwargs
        )

    def test_the_curators_group_may_view_and_change_requests_only(self):
        codenames = set(Group.objects.get(name="Curators").permissions.values_list("codename", flat=True))

        self.assertTrue({"view_correctionrequest", "change_correctionrequest"} <= codenames)
        self.assertFalse({"add_correctionrequest", "delete_correctionrequest"} & codenames)

    def test_a_curator_sees_the_queue_with_open_requests_first(self):
        old_open = self.report(self.paper)
        done = self.report(self.ada)
        correction_request_update(correction_request=done, status=Status.RESOLVED, reply="", curator=None)
        working = self.report(self.ada2)
        correction_request_update(correction_request=working, status=Status.IN_PROGRESS, reply="", curator=None)
        new_open = self.report(self.paper)

        response = self.client.get(CHANGELIST)

        self.assertEqual(response.status_code, 200)
        shown = [obj.pk for obj in response.context["cl"].result_list]
        self.assertEqual(shown, [new_open.pk, old_open.pk, working.pk, done.pk])
        self.assertContains(response, f'href="{self.paper.get_absolute_url()}"')
        self.assertContains(response, reverse("admin:papers_paper_change", args=[self.paper.pk]))

    def test_the_queue_filters_on_status_and_kind(self):
        self.report(self.paper, kind=Kind.METADATA)
        same = self.report(self.ada, kind=Kind.SAME_PERSON)

        response = self.client.get(CHANGELIST, {"kind__exact": Kind.SAME_PERSON, "status__exact": Status.OPEN})

        self.assertEqual([obj.pk for obj in response.context["cl"].result_list], [same.pk])

    def test_the_queue_runs_the_same_queries_for_few_and_many_requests(self):
        # Expect 6 queries: the session, the user, the user's and the group's permissions, the count
        # for the paginator, and the page with papers, author rows, their survivors and curators joined.
        self.report(self.paper)
        self.client.get(CHANGELIST)
        with self.assertNumQueries(6):
            self.client.get(CHANGELIST)
        for _ in range(10):
            self.report(self.ada, kind=Kind.SAME_PERSON, other_author=self.ada2)
        with self.assertNumQueries(6):
            self.client.get(CHANGELIST)

    def test_a_curator_answers_and_the_reporter_sees_it(self):
        report = self.report(self.paper)
        url = reverse("admin:authors_correctionrequest_change", args=[report.pk])
        self.assertEqual(self.client.get(url).status_code, 200)

        response = self.client.post(url, {"status": Status.RESOLVED, "reply": "Corrected the year, thank you."})

        self.assertRedirects(response, CHANGELIST)
        report.refresh_from_db()
        self.assertEqual((report.status, report.handled_by), (Status.RESOLVED, self.curator))
        self.client.logout()
        page = self.client.get(report.get_absolute_url())
        self.assertContains(page, "Corrected the year, thank you.")
        self.assertContains(page, "Resolved")

    def test_a_curator_cannot_rewrite_the_reporters_words(self):
        report = self.report(self.paper)
        url = reverse("admin:authors_correctionrequest_change", args=[report.pk])
        self.client.post(url, {"status": Status.REJECTED, "reply": "", "message": "forged", "email": "x@example.org"})

        report.refresh_from_db()
        self.assertEqual(
            (report.status, report.message, report.email), (Status.REJECTED, "Please look at this row.", "")
        )

    def test_the_action_marks_open_requests_in_progress(self):
        report = self.report(self.paper)
        self.client.post(CHANGELIST, {"action": "mark_in_progress", "_selected_action": [report.pk]})

        report.refresh_from_db()
        self.assertEqual((report.status, report.handled_by), (Status.IN_PROGRESS, self.curator))

    def test_a_merged_row_leads_to_the_survivor(self):
        report = self.report(self.ada2, kind=Kind.TWO_PEOPLE)
        author_merge(target=self.ada, sources=[self.ada2], curator=None)

        response = self.client.get(reverse("admin:authors_correctionrequest_change", args=[report.pk]))

        self.assertContains(response, f"merged into Ada Lovelace #{self.ada.pk}")
        self.assertContains(response, f'href="{self.ada.get_absolute_url()}"')
        self.assertContains(response, reverse("admin:authors_author_change", args=[self.ada.pk]))
        self.assertContains(response, reverse("admin:authors_author_split", args=[self.ada.pk]))

    def test_two_rows_are_one_person_leads_to_the_merge(self):
        report = self.report(self.ada, kind=Kind.SAME_PERSON, other_author=self.ada2)

        response = self.client.get(reverse("admin:authors_correctionrequest_change", args=[report.pk]))
        merge_list = f"{reverse('admin:authors_author_changelist')}?id__in={self.ada.pk}%2C{self.ada2.pk}"
        self.assertContains(response, f'href="{merge_list}"')

        # The link lists exactly the two rows, and the merge action takes them from there.
        rows = self.client.get(merge_list)
        self.assertEqual({a.pk for a in rows.context["cl"].result_list}, {self.ada.pk, self.ada2.pk})
        confirm = self.client.post(
            reverse("admin:authors_author_changelist"),
            {"action": "merge_authors", "_selected_action": [self.ada.pk, self.ada2.pk]},
        )
        self.assertContains(confirm, "Merge author rows")

    def test_a_curator_cannot_add_requests_or_reach_user_management(self):
        self.assertEqual(self.client.get(reverse("admin:authors_correctionrequest_add")).status_code, 403)
        self.assertEqual(self.client.get("/admin/auth/user/").status_code, 403)
        self.assertEqual(self.client.get("/admin/auth/group/").status_code, 403)

    def test_visitors_are_sent_to_the_login(self):
        self.client.logout()
        response = self.client.get(CHANGELIST)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class ServiceTests(ReportTestCase):
    def test_the_database_refuses_an_overlong_message(self):
        report = CorrectionRequest(
            kind=Kind.OTHER, target_type="paper", paper=self.paper, target_label="x", message="x" * 4001
        )
        with self.assertRaises(ValidationError):
            report.full_clean()
        with self.assertRaises(IntegrityError), transaction.atomic():
            report.save()

    def test_a_request_has_one_target_at_most(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            CorrectionRequest.objects.create(
                kind=Kind.OTHER, target_type="paper", paper=self.paper, author=self.ada, target_label="x", message="m"
            )

    def test_update_refuses_an_unknown_status(self):
        report = correction_request_submit(target=self.paper, kind=Kind.OTHER, message="hello there", address="x")
        with self.assertRaises(ValidationError):
            correction_request_update(correction_request=report, status="lost", reply="", curator=None)


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.authors = [make_author(f"Query Author {n}") for n in range(5)]
        cls.paper = make_paper(cls.authors, venue=make_venue())

    def test_the_form_pages(self):
        # Expect 1 query each: the paper with its venue, or the author row with its cluster.
        for url in [paper_url(self.paper), author_url(self.authors[0])]:
            with self.subTest(url), self.assertNumQueries(1):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_status_page(self):
        # Expect 1 query: the request with its paper and author row joined, whatever it is about.
        for target in [self.paper, self.authors[1]]:
            report = correction_request_submit(target=target, kind=Kind.OTHER, message="hello there", address="x")
            correction_request_update(correction_request=report, status=Status.RESOLVED, reply="Done.", curator=None)
            with self.subTest(target), self.assertNumQueries(1):
                self.assertEqual(self.client.get(report.get_absolute_url()).status_code, 200)
