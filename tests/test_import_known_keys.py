"""A first load keeps the author keys it wrote or looked up (papers.importing.persons.KnownKeys) instead of
looking them up again each batch: the same rows as looking every key up, whether the keys run out
of room or existed before the load, and no key lookup at all when none existed."""

from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from authors.models import Author, AuthorKey, NameCluster
from papers.importing import authors as importing_authors
from papers.importing.engine import import_file
from papers.models import Paper, Venue
from tests.gates import postgresql_only
from tests.test_import_background_copies import DBLP, contents
from tests.test_import_dblp import HEADER

# Batches of two records: every dependency of one batch's authors on an earlier batch's. A paper's
# author first seen in a batch before (Ada), a person record whose key papers used before it
# (Ada's, with an ORCID a later paper's row must not lose) and one whose variant a later paper
# uses (Grace's "G. Hopper", a key only the person record wrote), homonyms of one cluster
# (Jun Wang 0001 and 0002) and an ORCID arriving on a later paper of a known author (Alan).
PEOPLE = """
<article key="a/1"><author>Ada Lovelace</author><author>Jun Wang 0001</author>
<title>One.</title><year>2001</year></article>
<article key="a/2"><author>Alan Turing</author><title>Two.</title><year>2002</year></article>
<article key="a/3"><author>Ada Lovelace</author><author>Jun Wang 0002</author>
<title>Three.</title><year>2003</year></article>
<www key="homepages/1/1"><author>Ada Lovelace</author><author>A. Lovelace</author><title>Home Page</title>
<url>https://orcid.org/0000-0002-1825-0097</url></www>
<www key="homepages/2/2"><author>Grace Hopper</author><author>G. Hopper</author><title>Home Page</title></www>
<article key="a/4"><author orcid="0000-0001-5109-3700">Alan Turing</author><author>G. Hopper</author>
<title>Four.</title><year>2004</year></article>
<article key="a/5"><author>A. Lovelace</author><author>Grace Hopper</author>
<title>Five.</title><year>2005</year></article>
<article key="a/6"><author>Jun Wang 0001</author><author>Ada Lovelace</author>
<title>Six.</title><year>2006</year></article>
"""


def key_lookups(queries) -> int:
    """How many of the queries looked author keys up."""
    return sum(1 for q in queries if str(q["sql"]).startswith('SELECT "authors_authorkey"."key"'))


@postgresql_only("a PostgreSQL first load")
class KnownKeysTests(TestCase):
    def setUp(self):
        directory = TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.people = Path(directory.name) / "people.xml"
        self.people.write_text(HEADER + PEOPLE + "</dblp>\n", encoding="iso-8859-1")

    def empty_the_database(self):
        Paper.objects.all().delete()
        Author.objects.all().delete()
        NameCluster.objects.all().delete()
        Venue.objects.all().delete()

    def import_three_ways(self, path: Path, batch_size: int):
        """Keys kept (and complete), kept until they run out of room after two, and never kept."""
        results = []
        for limit in (importing_authors.KNOWN_KEYS_MAX, 2, 0):
            with (
                mock.patch.object(importing_authors, "KNOWN_KEYS_MAX", limit),
                CaptureQueriesContext(connection) as queries,
            ):
                summary = import_file(path, batch_size=batch_size)
            results.append((key_lookups(queries), summary.as_dict(), contents()))
            self.empty_the_database()
        (kept, *_), (full, *_), (never, *_) = results
        self.assertEqual(kept, 0)
        self.assertGreater(full, 0)
        self.assertGreater(never, 0)
        for _, summary, tables in results[1:]:
            self.assertEqual(summary, results[0][1])
            for table, table_kept in zip(tables, results[0][2], strict=True):
                self.assertEqual(table, table_kept)
        return results[0][2]

    def test_batches_whose_authors_depend_on_each_other_write_the_same_rows_every_way(self):
        *_, authors, keys, clusters, _ = self.import_three_ways(self.people, batch_size=2)
        self.assertIn(("Ada Lovelace", "", "0000-0002-1825-0097", 4, "ada lovelace"), authors)
        self.assertIn(("Alan Turing", "", "0000-0001-5109-3700", 2, "alan turing"), authors)
        self.assertIn(("dblp", "G. Hopper", "Grace Hopper"), keys)
        self.assertIn(("jun wang", 3, 2), clusters)
        self.assertEqual(len(authors), 5)

    def test_a_real_dblp_file_in_small_batches_writes_the_same_rows_every_way(self):
        _, _, authorships, *_ = self.import_three_ways(DBLP, batch_size=7)
        self.assertGreater(len(authorships), 100)

    def test_keys_that_existed_before_a_first_load_are_looked_up_and_used(self):
        cluster = NameCluster.objects.create(key="ada lovelace", name="Ada Lovelace", slug="ada-lovelace")
        ada = Author.objects.create(name="Ada Lovelace", cluster=cluster)
        AuthorKey.objects.create(source="dblp", key="Ada Lovelace", author=ada)
        with CaptureQueriesContext(connection) as queries:
            import_file(self.people, batch_size=2)
        self.assertGreater(key_lookups(queries), 0)
        ada.refresh_from_db()
        self.assertEqual((ada.paper_count, ada.orcid), (4, "0000-0002-1825-0097"))
        self.assertEqual(Author.objects.filter(name="Ada Lovelace").count(), 1)
