"""The filter form of a name-cluster page (authors/filters.py ClusterPaperFilter)."""

from django.test import TestCase

from authors.filters import ClusterPaperFilter
from authors.models import Author
from papers.models import Paper
from tests.factories import make_author, make_paper


class ClusterPaperFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.one = make_author("Ada Lovelace 0001")
        cls.two = make_author("Ada Lovelace 0002")
        make_paper([cls.one], year=2020)
        make_paper([cls.two], year=2021)
        make_paper([cls.two], year=2022)

    def author_choices(self) -> dict[str, str]:
        rows = list(Author.objects.in_cluster(self.one.cluster))
        form = ClusterPaperFilter(queryset=Paper.objects.all(), rows=rows).form
        return dict(form.fields["author"].choices)

    def test_it_says_paper_for_a_row_with_one_paper_and_papers_otherwise(self):
        choices = self.author_choices()
        self.assertEqual(choices[str(self.one.pk)], f"Ada Lovelace 0001 (row #{self.one.pk}, 1 paper)")
        self.assertEqual(choices[str(self.two.pk)], f"Ada Lovelace 0002 (row #{self.two.pk}, 2 papers)")

    def test_the_cluster_page_offers_the_rows_with_those_labels(self):
        response = self.client.get(self.one.cluster.get_absolute_url())
        self.assertContains(response, f"(row #{self.one.pk}, 1 paper)<")
        self.assertNotContains(response, "1 papers")

    def test_a_refused_value_is_described_by_its_error(self):
        # Django's widget points aria-describedby at "<id>_error": the form's error list must hold it.
        response = self.client.get(self.one.cluster.get_absolute_url(), {"year": "1999", "type": "bogus"})
        self.assertEqual(response.status_code, 400)
        html = response.content.decode()
        for name in ("year", "type"):
            with self.subTest(name):
                self.assertIn(f'aria-describedby="id_{name}_error"', html)
                self.assertEqual(html.count(f'id="id_{name}_error"'), 1)
