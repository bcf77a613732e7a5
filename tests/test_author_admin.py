"""The curator's admin flows for author rows, end to end through the test client."""

from io import StringIO

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from authors.curation.merge import author_merge
from authors.models import Author, CurationEvent
from papers.models import Authorship
from tests.factories import make_author, make_paper

CHANGELIST = reverse("admin:authors_author_changelist")


def make_curator(username="cura"):
    call_command("create_curator", username, password="a long curator password 1", stdout=StringIO())
    return get_user_model().objects.get(username=username)


class CuratorAccessTests(TestCase):
    def test_the_command_makes_a_staff_member_of_the_curators_group(self):
        user = make_curator()

        self.assertTrue(user.is_staff)
        self.assertFalse(user.is_superuser)
        self.assertEqual(list(user.groups.values_list("name", flat=True)), ["Curators"])
        self.assertTrue(user.check_password("a long curator password 1"))

    def test_the_command_refuses_a_weak_password(self):
        with self.assertRaises(CommandError):
            call_command("create_curator", "weak", password="123", no_input=True, stdout=StringIO())
        self.assertFalse(get_user_model().objects.filter(username="weak").exists())

    def test_a_curator_can_curate_but_not_manage_users_or_groups(self):
        self.client.force_login(make_curator())
        author = make_author("Ada Lovelace")

        self.assertEqual(self.client.get(CHANGELIST).status_code, 200)
        self.assertEqual(self.client.get(reverse("admin:authors_author_change", args=[author.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("admin:papers_paper_changelist")).status_code, 200)
        self.assertEqual(self.client.get(reverse("admin:authors_curationevent_changelist")).status_code, 200)
        self.assertEqual(self.client.get("/admin/auth/user/").status_code, 403)
        self.assertEqual(self.client.get("/admin/auth/group/").status_code, 403)

    def test_the_group_has_change_but_not_user_permissions(self):
        codenames = set(Group.objects.get(name="Curators").permissions.values_list("codename", flat=True))

        self.assertTrue({"change_paper", "change_author", "change_venue", "change_authorship"} <= codenames)
        self.assertIn("view_curationevent", codenames)
        self.assertFalse({c for c in codenames if c.endswith(("_user", "_group", "_permission"))})
        self.assertNotIn("delete_author", codenames)

    def test_a_visitor_who_is_not_staff_is_sent_to_login(self):
        author = make_author()
        response = self.client.get(reverse("admin:authors_author_split", args=[author.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class MergeActionTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())
        self.small = make_author("Keivan Rezaei")
        self.big = make_author("Keivan Rezaei")
        make_paper([self.small], title="Small paper")
        make_paper([self.big], title="Big paper one")
        make_paper([self.big], title="Big paper two")

    def post_action(self, **extra):
        data = {"action": "merge_authors", "_selected_action": [self.small.pk, self.big.pk], **extra}
        return self.client.post(CHANGELIST, data, follow=bool(extra.get("post")))

    def test_the_action_shows_a_confirmation_with_papers_and_the_default_survivor(self):
        response = self.post_action()

        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "admin/authors/author/merge_confirmation.html")
        self.assertContains(response, "Big paper two")
        self.assertContains(response, "Small paper")
        self.assertContains(response, f'value="{self.big.pk}" checked')
        self.assertContains(response, '<input type="hidden" name="post" value="yes">', html=True)
        self.assertFalse(CurationEvent.objects.exists())

    def test_confirming_merges_logs_and_returns_to_the_list(self):
        response = self.post_action(post="yes", survivor=self.small.pk)

        self.assertRedirects(response, CHANGELIST)
        self.assertContains(response, "Merged #")
        self.assertEqual(Author.objects.get(pk=self.big.pk).merged_into_id, self.small.pk)
        self.assertEqual(Author.objects.get(pk=self.small.pk).paper_count, 3)
        event = CurationEvent.objects.get()
        self.assertEqual(event.curator.username, "cura")
        self.assertEqual(LogEntry.objects.filter(object_id__in=[str(self.small.pk), str(self.big.pk)]).count(), 2)

    def test_a_tombstone_in_the_selection_is_left_out(self):
        third = make_author("Keivan Rezaei")
        author_merge(target=self.big, sources=[third], curator=None)
        data = {"action": "merge_authors", "_selected_action": [self.small.pk, third.pk]}

        response = self.client.post(CHANGELIST, data)

        self.assertContains(response, "Already merged, so left out")
        self.assertContains(response, "Select at least two active author rows")

    def test_a_merge_that_went_stale_reports_the_error(self):
        author_merge(target=self.small, sources=[self.big], curator=None)
        # The second curator still has the old confirmation page open.
        data = {"action": "merge_authors", "_selected_action": [self.small.pk, self.big.pk], "post": "yes"}

        response = self.client.post(CHANGELIST, data, follow=True)

        self.assertContains(response, "Already merged, so left out")
        self.assertEqual(CurationEvent.objects.count(), 1)


class SplitViewTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())
        self.row = make_author("Jun Wang")
        alice, carol = make_author("Alice Adams"), make_author("Carol Chen")
        self.p1 = make_paper([self.row, alice], title="With Alice")
        self.p2 = make_paper([carol, self.row], title="With Carol")
        self.url = reverse("admin:authors_author_split", args=[self.row.pk])

    def test_the_change_page_links_to_the_split_page(self):
        response = self.client.get(reverse("admin:authors_author_change", args=[self.row.pk]))
        self.assertContains(response, self.url)

    def test_the_split_page_lists_papers_grouped_with_co_authors(self):
        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Group 1")
        self.assertContains(response, "Group 2")
        self.assertContains(response, "Carol Chen")
        self.assertContains(response, "admin-autocomplete")  # the existing-row chooser is an autocomplete

    def test_the_split_page_draws_the_co_author_graph_coloured_by_group(self):
        response = self.client.get(self.url)

        svgs = [part.split("</svg>", 1)[0] for part in response.content.decode().split("<svg")[1:]]
        svg = next(svg for svg in svgs if 'role="group"' in svg)  # the graph, not the admin's icons
        self.assertIn(f'href="/authors/{Author.objects.get(name="Carol Chen").pk}/"', svg)
        self.assertIn("Group 2", svg)  # the legend names the groups the split suggestion found

    def test_posting_moves_the_ticked_papers_to_a_new_row(self):
        response = self.client.post(self.url, {"papers": [self.p2.pk], "target": "new"})

        new = Author.objects.exclude(pk=self.row.pk).get(name="Jun Wang")
        self.assertRedirects(response, reverse("admin:authors_author_change", args=[new.pk]))
        self.assertEqual(Authorship.objects.get(paper=self.p2, position=2).author, new)
        self.assertEqual(CurationEvent.objects.get().action, "split")

    def test_posting_moves_papers_to_an_existing_row(self):
        other = make_author("Jun Wang 0002")

        self.client.post(self.url, {"papers": [self.p1.pk], "target": "existing", "into": other.pk})

        self.assertEqual(Authorship.objects.get(paper=self.p1, position=1).author, other)

    def test_a_bad_post_shows_the_errors(self):
        response = self.client.post(self.url, {"papers": [], "target": "existing"})

        self.assertContains(response, "Choose the row to move the papers to.")
        self.assertContains(response, "This field is required.")
        self.assertFalse(CurationEvent.objects.exists())

    def test_autocomplete_offers_only_live_rows(self):
        tomb = make_author("Jun Wang")
        author_merge(target=self.row, sources=[tomb], curator=None)
        url = reverse("admin:autocomplete")
        params = {"app_label": "papers", "model_name": "authorship", "field_name": "author", "term": "jun w"}

        results = self.client.get(url, params).json()["results"]

        self.assertEqual([r["id"] for r in results], [str(self.row.pk)])


class UndoViewTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())
        self.a, self.b = make_author("Ada Lovelace"), make_author("Ada Lovelace")
        make_paper([self.a])
        make_paper([self.b])
        author_merge(target=self.a, sources=[self.b], curator=None)
        self.event = CurationEvent.objects.get()

    def test_the_event_page_links_to_undo_and_the_undo_page_confirms(self):
        undo_url = reverse("admin:authors_curationevent_undo", args=[self.event.pk])
        self.assertContains(
            self.client.get(reverse("admin:authors_curationevent_change", args=[self.event.pk])), undo_url
        )

        response = self.client.get(undo_url)

        self.assertContains(response, "Yes, undo it")

    def test_posting_undoes_and_shows_the_new_event(self):
        response = self.client.post(reverse("admin:authors_curationevent_undo", args=[self.event.pk]), follow=True)

        undo = CurationEvent.objects.get(action="undo")
        self.assertRedirects(response, reverse("admin:authors_curationevent_change", args=[undo.pk]))
        self.assertIsNone(Author.objects.get(pk=self.b.pk).merged_into_id)
        self.assertContains(response, "Redo")

    def test_a_blocked_undo_says_why(self):
        other = make_author("Ada Lovelace")
        author_merge(target=other, sources=[self.a], curator=None)

        response = self.client.get(reverse("admin:authors_curationevent_undo", args=[self.event.pk]))

        self.assertContains(response, "cannot be undone now")
        self.assertContains(response, "undo it first")
        self.assertNotContains(response, "Yes, undo it")

    def test_the_author_page_links_to_its_history(self):
        response = self.client.get(reverse("admin:authors_curationevent_changelist"), {"authors__id__exact": self.b.pk})
        self.assertContains(response, self.event.summary)


class AuthorEditTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())
        self.author = make_author("Ada Lovelace", orcid="")
        self.url = reverse("admin:authors_author_change", args=[self.author.pk])

    def form_data(self, **changes):
        data = {
            "name": self.author.name,
            "homonym_number": "",
            "orcid": "",
            "affiliation": "",
            "name_variants": "[]",
            # The admin renders a hidden initial value for fields with a callable default (list).
            "initial-name_variants": "[]",
            "keys-TOTAL_FORMS": "1",
            "keys-INITIAL_FORMS": "1",
            "keys-MIN_NUM_FORMS": "0",
            "keys-MAX_NUM_FORMS": "0",
            "keys-0-id": self.author.keys.get().pk,
            "keys-0-author": self.author.pk,
        }
        data.update(changes)
        return data

    def test_an_edit_locks_the_changed_fields_and_logs_an_event(self):
        response = self.client.post(self.url, self.form_data(orcid="0000-0002-1825-0097"))

        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.author.refresh_from_db()
        self.assertEqual((self.author.orcid, self.author.locked_fields), ("0000-0002-1825-0097", ["orcid"]))
        event = CurationEvent.objects.get()
        self.assertEqual(event.data["changes"], {"orcid": ["", "0000-0002-1825-0097"]})
        self.assertEqual(list(event.authors.all()), [self.author])
        self.assertContains(self.client.get(self.url), "Locked fields")

    def test_a_curator_can_unlock_a_field(self):
        Author.objects.filter(pk=self.author.pk).update(locked_fields=["orcid", "affiliation"])

        self.client.post(self.url, self.form_data(unlock_fields=["orcid"]))

        self.author.refresh_from_db()
        self.assertEqual(self.author.locked_fields, ["affiliation"])
        self.assertEqual(CurationEvent.objects.get().data["unlocked"], ["orcid"])

    def test_a_rename_moves_the_row_to_the_new_names_cluster(self):
        old_cluster = self.author.cluster

        self.client.post(self.url, self.form_data(name="Augusta Ada King"))

        self.author.refresh_from_db()
        self.assertEqual(self.author.cluster.key, "augusta ada king")
        old_cluster.refresh_from_db()
        self.assertEqual(old_cluster.author_count, 0)


class AuthorChangelistTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())

    def test_the_changelist_runs_a_constant_number_of_queries(self):
        for n in range(3):
            make_paper([make_author(f"Person Number{n}")])
        # Expect 6 queries: session, user, user permissions, group permissions, the paginator's count,
        # the page of rows joined to their clusters; on PostgreSQL one more, the row estimate that
        # replaces the count on big tables (small here, so the exact count follows).
        expected = 7 if connection.vendor == "postgresql" else 6
        with self.assertNumQueries(expected):
            self.client.get(CHANGELIST)
        for n in range(3, 30):
            make_paper([make_author(f"Person Number{n}")])
        with self.assertNumQueries(expected):
            response = self.client.get(CHANGELIST)
        self.assertContains(response, "Person Number29")

    def test_search_by_name_prefix_id_and_orcid(self):
        ada = make_author("Ada Lovelace", orcid="0000-0002-1825-0097")
        make_author("Grace Hopper")

        for term in ("ada lov", str(ada.pk), "0000-0002-1825-0097"):
            response = self.client.get(CHANGELIST, {"q": term})
            self.assertContains(response, "Ada Lovelace")
            self.assertNotContains(response, "Grace Hopper")


class CurationEventChangelistTests(TestCase):
    def test_the_log_runs_a_constant_number_of_queries(self):
        self.client.force_login(make_curator())
        url = reverse("admin:authors_curationevent_changelist")

        def merges(n):
            for _ in range(n):
                author_merge(target=make_author("Same Name"), sources=[make_author("Same Name")], curator=None)

        merges(2)
        # Expect: session, user, user and group permissions, the paginator's count (plus the row
        # estimate on PostgreSQL), the page of events joined to their curators.
        expected = 7 if connection.vendor == "postgresql" else 6
        with self.assertNumQueries(expected):
            self.client.get(url)
        merges(20)
        with self.assertNumQueries(expected):
            response = self.client.get(url)
        self.assertContains(response, "Undo…", count=22)
