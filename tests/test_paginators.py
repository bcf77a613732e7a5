"""Public lists over big tables: capped counts, estimates for a whole table, pages that stop."""

from unittest import mock

from django.db import connection
from django.test import TestCase

from arrow_site.paginators import PublicListPaginator
from papers.models import Paper
from tests.factories import make_author, make_paper
from tests.gates import postgresql_only


class PublicListPaginatorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        author = make_author("Ada Lovelace")
        for n in range(7):
            make_paper([author], title=f"Engines {n}", year=2000 + n)

    def test_a_filtered_list_is_counted_exactly_up_to_the_cap(self):
        with mock.patch.object(PublicListPaginator, "count_cap", 5):
            paginator = PublicListPaginator(Paper.objects.filter(year__gte=2003).order_by("pk"), 2)
            self.assertEqual(paginator.count, 4)
            self.assertFalse(paginator.count_is_capped)
            capped = PublicListPaginator(Paper.objects.filter(year__gte=2000).order_by("pk"), 2)
            self.assertTrue(capped.count_is_capped)
            # Pages stop at the cap: 5 papers at 2 a page.
            self.assertEqual(capped.num_pages, 3)

    def test_the_list_page_says_more_than_the_cap_and_stops_there(self):
        with mock.patch.object(PublicListPaginator, "count_cap", 5):
            response = self.client.get("/papers/", {"year_min": 2000})
            self.assertContains(response, "More than 5 papers")
            self.assertContains(response, "Pages go as far as the first 5 papers")
            last = self.client.get("/papers/", {"year_min": 2000, "page": 99})
        self.assertEqual(last.context["page_obj"].number, 1)  # 20 a page: one page holds the 5

    def test_a_small_list_reads_as_before(self):
        response = self.client.get("/papers/", {"year": 2001})
        self.assertContains(response, "1 paper<")
        self.assertNotContains(response, "Pages go as far as")

    @postgresql_only("the planner's estimate is PostgreSQL's")
    def test_a_whole_big_table_shows_the_planners_estimate(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE papers_paper")
        with mock.patch.object(PublicListPaginator, "estimate_above", 3):
            response = self.client.get("/papers/")
            home = self.client.get("/")
        self.assertContains(response, "About 7 papers")
        self.assertEqual(home.context["paper_count"], 7)
