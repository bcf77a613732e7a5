"""Each public page runs the same number of queries for a 9-paper cluster and a 300-paper cluster.

Intended to prevent N+1 queries: a page that grew a query per paper or per author would fail here.
"""

from django.test import TestCase

from authors.models import Author
from papers.models import Paper
from tests.pages_data import add_history, import_sample, make_big_cluster


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small = import_sample()
        cls.big = make_big_cluster(300)
        cls.clusters = {"9 papers": cls.small, "300 papers": cls.big}
        for cluster in cls.clusters.values():
            add_history(Author.objects.filter(cluster=cluster).first(), "one", "two", "three")

    def assert_queries(self, n, url, params=None):
        with self.assertNumQueries(n):
            response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, 200, url)
        return response

    def test_the_cluster_page(self):
        # Expect 7 queries: the cluster, its author rows, the (year, venue, type) facets for the
        # filter choices, the timeline's (row, paper, year, venue kind) marks, the paginator's count,
        # the page of papers with venues, their authorships with author rows. Filtering changes none.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                self.assert_queries(7, cluster.get_absolute_url())
                row = Author.objects.filter(cluster=cluster).first()
                self.assert_queries(7, cluster.get_absolute_url(), {"author": row.pk, "page": 2})

    def test_the_author_page(self):
        # Expect 9 queries: the row with its cluster, the count and page of its papers, their
        # authorships, the top co-authors (one grouped query), the curation history, the per-year
        # counts for the bar chart, and the co-author graph's nodes and ties (two queries).
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                row = Author.objects.filter(cluster=cluster).order_by("-paper_count").first()
                self.assert_queries(9, row.get_absolute_url())

    def test_the_paper_page(self):
        # Expect 3 queries: the paper with its venue, its authorships with rows, its provenance.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                paper = Paper.objects.in_cluster(cluster).first()
                self.assert_queries(3, paper.get_absolute_url())

    def test_the_paper_list(self):
        # Expect 3 queries: count, the page of papers with venues, their authorships with rows.
        self.assert_queries(3, "/papers/")
        self.assert_queries(3, "/papers/", {"venue": "BigConf", "year_min": 2001, "o": "title", "page": 2})

    def test_the_venue_pages(self):
        # Venue list: count and page (paper counts grouped in the same query). Venue page: the venue,
        # then the count, page and authorships of its papers.
        self.assert_queries(2, "/venues/")
        self.assert_queries(4, "/venues/bigconf/")

    def test_home_and_search(self):
        # Home: four counts. Search: matching clusters, the paginator's count of matching papers (issue 6
        # made the paper results paginated), matching papers with venues, their authorships.
        self.assert_queries(4, "/")
        self.assert_queries(4, "/search/", {"q": "paper"})
