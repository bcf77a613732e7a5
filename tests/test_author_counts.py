"""authors_refresh_counts: a row's paper count is its distinct papers, whichever way it is refreshed.

On PostgreSQL a refresh of at least half the rows (a first load refreshes all of them) takes one
statement over the whole table instead of chunks of ids; both must give the same counts.
"""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from authors import upkeep
from authors.models import Author
from authors.upkeep import authors_refresh_counts
from papers.models import Authorship, Paper
from tests.factories import make_author

ROWS = upkeep.WHOLE_TABLE_MIN + 200


class AuthorCountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cluster = make_author("Ann Counted").cluster
        Author.objects.bulk_create(Author(name=f"Ann Counted {n:04d}", cluster=cluster) for n in range(ROWS))
        cls.ids = list(Author.objects.order_by("pk").values_list("pk", flat=True))
        papers = Paper.objects.bulk_create(Paper(title=f"Paper {n}", pub_type="article") for n in range(40))
        # Row i is on papers 0..i % 7 - 1 (none for i % 7 == 0); the first row twice on paper 0.
        authorships = []
        for i, author_id in enumerate(cls.ids):
            for paper in papers[: i % 7]:
                authorships.append(Authorship(paper=paper, author_id=author_id, position=1000 + i, printed_name="A"))
        authorships.append(Authorship(paper=papers[0], author_id=cls.ids[1], position=1, printed_name="A"))
        Authorship.objects.bulk_create(authorships)
        cls.expected = {author_id: i % 7 for i, author_id in enumerate(cls.ids)}
        # Wrong counts everywhere, as after a load that wrote its rows before their papers.
        Author.objects.update(paper_count=99)

    def counts(self):
        return dict(Author.objects.values_list("pk", "paper_count"))

    def test_refreshing_every_row_counts_distinct_papers(self):
        with CaptureQueriesContext(connection) as queries:
            authors_refresh_counts(author_ids=self.ids)

        self.assertEqual(self.counts(), self.expected)
        if connection.vendor == "postgresql":
            updates = [str(q["sql"]) for q in queries.captured_queries if "UPDATE" in str(q["sql"])]
            self.assertEqual(len(updates), 1)
            self.assertNotIn("unnest", updates[0])
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('enable_indexonlyscan')")
                self.assertEqual(cursor.fetchone(), ("on", "on"))

    def test_refreshing_a_few_rows_leaves_the_others_alone(self):
        few = self.ids[:10]

        authors_refresh_counts(author_ids=few)

        counts = self.counts()
        self.assertEqual({pk: counts[pk] for pk in few}, {pk: self.expected[pk] for pk in few})
        self.assertEqual({counts[pk] for pk in self.ids[10:]}, {99})
