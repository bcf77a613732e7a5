"""Each public page runs the same number of queries for a 9-paper cluster and a 300-paper cluster
(and a venue or a search with few results and with many).

Intended to prevent N+1 queries: a page that grew a query per paper or per author would fail here.
"""

from django.db import connection
from django.test import TestCase

from authors.models import Author
from papers.models import Paper
from papers.page_mixins import PAGE_SIZE
from tests.factories import make_author, make_paper, make_venue
from tests.pages_data import add_history, import_sample, make_big_cluster

# PostgreSQL's planner estimate of a whole table's rows, read where a count of the table would be
# slow at scale (arrow_site/paginators.py); SQLite has none.
ESTIMATE = 1 if connection.vendor == "postgresql" else 0


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small = import_sample()
        cls.big = make_big_cluster(300)
        cls.clusters = {"9 papers": cls.small, "300 papers": cls.big}
        for cluster in cls.clusters.values():
            add_history(Author.objects.filter(cluster=cluster).first(), "one", "two", "three")
        # Page 2 of the 9-paper cluster is its page 1 again: a one-row cluster just over a page long
        # compares page 2 at a second size.
        row, venue = make_author("Li Na 0001"), make_venue(short_name="MidConf")
        for n in range(PAGE_SIZE + 10):
            make_paper([row], title=f"Mid paper {n}", year=2000 + n % 10, venue=venue)
        cls.paged = {"60 papers": row.cluster, "300 papers": cls.big}

    def assert_queries(self, n, url, params=None):
        with self.assertNumQueries(n):
            response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, 200, url)
        return response

    def test_the_cluster_page(self):
        # Expect 5 queries: the cluster, its author rows, the facts of its papers (the filter's
        # (year, venue, type) choices and the timeline's marks or counts, in one), the page of papers
        # with venues, their authors with their rows. A filter adds its count: the whole cluster's
        # is on the cluster.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                self.assert_queries(5, cluster.get_absolute_url())
                row = Author.objects.filter(cluster=cluster).first()
                self.assert_queries(6, cluster.get_absolute_url(), {"author": row.pk})

    def test_the_cluster_page_after_the_first(self):
        # The same queries: the timeline is drawn from facts read anyway.
        for label, cluster in self.paged.items():
            with self.subTest(label):
                response = self.assert_queries(5, cluster.get_absolute_url(), {"page": 2})
                self.assertEqual(response.context["page_obj"].number, 2)
                row = Author.objects.filter(cluster=cluster).order_by("-paper_count").first()
                response = self.assert_queries(6, cluster.get_absolute_url(), {"author": row.pk, "page": 2})
                self.assertEqual(response.context["page_obj"].number, 2)

    def test_the_author_page(self):
        # Expect 7 queries: the row with its cluster, the page of its papers (their count is the
        # row's paper_count), their authors, the top co-authors (one grouped query, for the list and
        # the graph's nodes), the curation history, the per-year counts for the bar chart, and the
        # co-author graph's ties.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                row = Author.objects.filter(cluster=cluster).order_by("-paper_count").first()
                self.assert_queries(7, row.get_absolute_url())

    def test_the_paper_page(self):
        # Expect 3 queries: the paper with its venue, its authorships with rows, its provenance.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                paper = Paper.objects.in_cluster(cluster).first()
                self.assert_queries(3, paper.get_absolute_url())

    def test_the_paper_list(self):
        # Expect 3 queries: count, the page of papers with venues, their authorships with rows; the
        # whole list first asks PostgreSQL for the table's row estimate (arrow_site/paginators.py).
        self.assert_queries(3 + ESTIMATE, "/papers/")
        self.assert_queries(3, "/papers/", {"venue": "BigConf", "year_min": 2001, "o": "title", "page": 2})

    def test_the_venue_pages(self):
        # Venue list: count and page (paper counts grouped in the same query). Venue page: the venue,
        # then the count, page and authorships of its papers, for a venue of one paper as for one of 150.
        self.assert_queries(2, "/venues/")
        small = Paper.objects.in_cluster(self.small).exclude(venue=None).first().venue
        venues = {"small": small, "150 papers": Paper.objects.filter(venue__slug="bigconf").first().venue}
        self.assertLess(small.papers.count(), 5)
        for label, venue in venues.items():
            with self.subTest(label):
                self.assert_queries(4, venue.get_absolute_url())

    def test_home_and_search(self):
        # Home: the tables' row estimates (PostgreSQL) and four counts (of tables small enough to
        # count). Search: matching clusters, the candidate paper ids, the page of papers with venues,
        # their authorships.
        self.assert_queries(4 + ESTIMATE, "/")
        self.assert_queries(4, "/search/", {"q": "paper"})

    def test_search_with_few_and_many_results(self):
        # Expect 4 queries, for a few matching papers as for hundreds: the matching clusters, the
        # candidate (matching) paper ids, the page of papers with venues, their authorships.
        few = self.assert_queries(4, "/search/", {"q": "localizing"})
        self.assertLess(few.context["page_obj"].paginator.count, 5)
        many = self.assert_queries(4, "/search/", {"q": "paper"})
        self.assertGreater(many.context["page_obj"].paginator.count, 300)
