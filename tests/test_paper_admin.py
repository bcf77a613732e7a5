"""Paper and venue correction in the admin: locked fields, the ordered author list, cheap changelists."""

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from arrow_site.paginators import EstimatedCountPaginator
from authors.models import Author, CurationEvent
from papers.models import Authorship, Paper, Venue
from tests.factories import make_author, make_paper, make_venue
from tests.gates import postgresql_only
from tests.test_author_admin import make_curator

CHANGELIST = reverse("admin:papers_paper_changelist")


class PaperEditTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())
        self.ada, self.charles, self.grace = (
            make_author("Ada Lovelace"),
            make_author("Charles Babbage"),
            make_author("Grace Hopper"),
        )
        self.venue = make_venue(short_name="ICML")
        self.paper = make_paper([self.ada, self.charles], title="Notes on the engine", venue=self.venue, doi="10.1/x")
        self.url = reverse("admin:papers_paper_change", args=[self.paper.pk])

    def form_data(self, authorships=None, **changes):
        paper = self.paper
        data = {
            "title": paper.title,
            "abstract": paper.abstract,
            "year": paper.year,
            "venue": paper.venue_id,
            "pub_type": paper.pub_type,
            "doi": paper.doi,
            "url": paper.url,
            "dblp_key": paper.dblp_key,
            "openalex_id": paper.openalex_id,
            "arxiv_id": paper.arxiv_id,
        }
        current = list(paper.authorships.order_by("position"))
        rows = authorships if authorships is not None else [(a.pk, a.author_id, a.position, False) for a in current]
        data.update(
            {
                "authorships-TOTAL_FORMS": len(rows),
                "authorships-INITIAL_FORMS": len(current),
                "authorships-MIN_NUM_FORMS": 0,
                "authorships-MAX_NUM_FORMS": 1000,
            }
        )
        # A browser sends the printed names back as they were shown.
        printed = {a.pk: a.printed_name for a in current}
        for i, (pk, author_id, position, delete) in enumerate(rows):
            data.update(
                {
                    f"authorships-{i}-id": pk or "",
                    f"authorships-{i}-paper": paper.pk,
                    f"authorships-{i}-position": position,
                    f"authorships-{i}-author": author_id,
                    f"authorships-{i}-printed_name": printed.get(pk, ""),
                }
            )
            if delete:
                data[f"authorships-{i}-DELETE"] = "on"
        data.update(changes)
        return data

    def post(self, data):
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        self.paper.refresh_from_db()
        return response

    def test_the_change_page_shows_the_author_inline_with_autocomplete_and_locks(self):
        response = self.client.get(self.url)

        self.assertContains(response, "Charles Babbage")
        self.assertContains(response, "admin-autocomplete")
        self.assertContains(response, "Locked fields")

    def test_the_change_page_queries_do_not_grow_with_the_author_list(self):
        # Expect 8: session, user, the paper, user and group permissions, the authorships joined to
        # their rows (the autocomplete labels come from that join), the chosen venue, source records.
        with self.assertNumQueries(8):
            self.client.get(self.url)
        Authorship.objects.bulk_create(
            Authorship(paper=self.paper, author=make_author(), position=n, printed_name="x") for n in range(3, 13)
        )
        with self.assertNumQueries(8):
            response = self.client.get(self.url)
        self.assertContains(response, 'class="admin-autocomplete"', count=14)  # 12 rows + the empty form

    def test_a_field_edit_locks_that_field_only(self):
        self.post(self.form_data(title="Notes on the Analytical Engine", year=1843))

        self.assertEqual(self.paper.locked_fields, ["title", "year"])
        event = CurationEvent.objects.get()
        self.assertEqual(event.data["changes"]["title"], ["Notes on the engine", "Notes on the Analytical Engine"])
        self.assertEqual(set(event.authors.values_list("pk", flat=True)), {self.ada.pk, self.charles.pk})

    def test_an_unchanged_save_writes_no_event(self):
        self.post(self.form_data())

        self.assertEqual(self.paper.locked_fields, [])
        self.assertFalse(CurationEvent.objects.exists())

    def test_replacing_an_author_locks_the_list_and_moves_the_counts(self):
        first, second = self.paper.authorships.order_by("position")

        self.post(self.form_data(authorships=[(first.pk, self.ada.pk, 1, False), (second.pk, self.grace.pk, 2, False)]))

        self.assertEqual(self.paper.locked_fields, ["authors"])
        second.refresh_from_db()
        # The printed name is what the paper says; only the row it resolves to changed.
        self.assertEqual((second.author, second.curated, second.printed_name), (self.grace, True, "Charles Babbage"))
        self.assertEqual(Author.objects.get(pk=self.charles.pk).paper_count, 0)
        self.assertEqual(Author.objects.get(pk=self.grace.pk).paper_count, 1)
        event = CurationEvent.objects.get()
        self.assertIn("author list", event.summary)
        self.assertEqual(set(event.authors.values_list("pk", flat=True)), {self.ada.pk, self.charles.pk, self.grace.pk})

    def test_swapping_positions_reorders_the_authors(self):
        first, second = self.paper.authorships.order_by("position")

        self.post(
            self.form_data(authorships=[(first.pk, self.ada.pk, 2, False), (second.pk, self.charles.pk, 1, False)])
        )

        names = list(self.paper.authorships.order_by("position").values_list("author__name", flat=True))
        self.assertEqual(names, ["Charles Babbage", "Ada Lovelace"])

    def test_removing_and_adding_authors(self):
        first, second = self.paper.authorships.order_by("position")

        self.post(
            self.form_data(
                authorships=[
                    (first.pk, self.ada.pk, 1, False),
                    (second.pk, self.charles.pk, 2, True),
                    (None, self.grace.pk, 3, False),
                ]
            )
        )

        self.assertEqual(
            list(self.paper.authorships.order_by("position").values_list("author", "position")),
            [(self.ada.pk, 1), (self.grace.pk, 3)],
        )
        data = CurationEvent.objects.get().data["authorships"]
        self.assertEqual((len(data["added"]), len(data["removed"])), (1, 1))

    def test_two_authors_at_one_position_are_refused(self):
        first, second = self.paper.authorships.order_by("position")

        response = self.client.post(
            self.url,
            self.form_data(authorships=[(first.pk, self.ada.pk, 1, False), (second.pk, self.charles.pk, 1, False)]),
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please correct the duplicate data")
        self.assertEqual(Authorship.objects.get(pk=second.pk).position, 2)

    def test_a_venue_edit_locks_the_venue_field(self):
        url = reverse("admin:papers_venue_change", args=[self.venue.pk])
        data = {
            "short_name": "ICML",
            "kind": "conference",
            "full_name": "International Conference on Machine Learning",
            "slug": self.venue.slug,
        }

        response = self.client.post(url, data)

        self.assertEqual(response.status_code, 302)
        self.assertEqual(Venue.objects.get(pk=self.venue.pk).locked_fields, ["full_name"])


class PaperChangelistTests(TestCase):
    def setUp(self):
        self.client.force_login(make_curator())

    def test_the_changelist_runs_a_constant_number_of_queries(self):
        venue = make_venue()
        for _ in range(3):
            make_paper([], venue=venue)
        # Expect: session, user, user permissions, group permissions, the paginator's count, the page
        # of papers joined to their venues; on PostgreSQL the row estimate comes before the count.
        expected = 7 if connection.vendor == "postgresql" else 6
        with self.assertNumQueries(expected):
            self.client.get(CHANGELIST)
        for _ in range(30):
            make_paper([], venue=make_venue())
        with self.assertNumQueries(expected):
            response = self.client.get(CHANGELIST)
        self.assertContains(response, "Paper number")
        self.assertNotContains(response, "33 total")  # show_full_result_count = False: no second count

    def test_search_by_title_prefix_doi_and_id(self):
        paper = make_paper(
            [], title="Attention Is All You Need", title_key="attention is all you need", doi="10.5555/3295222"
        )
        make_paper([], title="Other Work", title_key="other work")

        for term in ("attention is", "10.5555/3295222", "https://doi.org/10.5555/3295222", str(paper.pk)):
            response = self.client.get(CHANGELIST, {"q": term})
            self.assertContains(response, "Attention Is All You Need", msg_prefix=term)
            self.assertNotContains(response, "Other Work")


class EstimatedCountTests(TestCase):
    def test_it_counts_exactly_when_filtered_or_small(self):
        for _ in range(3):
            make_paper([])
        self.assertEqual(EstimatedCountPaginator(Paper.objects.all(), 10).count, 3)
        self.assertEqual(EstimatedCountPaginator(Paper.objects.filter(year=1900), 10).count, 0)

    @postgresql_only("reltuples is PostgreSQL's")
    def test_it_uses_the_planner_estimate_for_a_big_unfiltered_table_on_postgresql(self):
        Paper.objects.bulk_create(Paper(title=f"p{i}") for i in range(500))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE papers_paper")
        paginator = EstimatedCountPaginator(Paper.objects.all(), 10)
        paginator.estimate_above = 100

        with self.assertNumQueries(1):
            count = paginator.count

        self.assertGreater(count, 100)
        self.assertEqual(EstimatedCountPaginator(Paper.objects.filter(title="p1"), 10).count, 1)


class CommandSmokeTests(TestCase):
    def test_migrations_are_complete(self):
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


class PaperTitleKeyTests(TestCase):
    """Paper.save() keeps the cross-source matching key in step with the title, whoever saves."""

    def stored_key(self, paper) -> str:
        return Paper.objects.values_list("title_key", flat=True).get(pk=paper.pk)

    def test_a_saved_title_writes_its_key(self):
        paper = make_paper([], title="Old Title")
        paper.title = "Run-off Election: Improved"
        paper.save()

        self.assertEqual(self.stored_key(paper), "run off election improved")

    def test_saving_only_the_title_writes_the_key_too(self):
        paper = make_paper([], title="Old Title")
        paper.title = "Réseaux de Neurones"
        paper.save(update_fields=["title"])

        self.assertEqual(self.stored_key(paper), "reseaux de neurones")

    def test_saving_other_fields_leaves_the_stored_key_alone(self):
        paper = make_paper([], title="Old Title")
        Paper.objects.filter(pk=paper.pk).update(title_key="kept")
        paper.year = 1999
        paper.save(update_fields=["year"])

        self.assertEqual(self.stored_key(paper), "kept")
