"""Two curators merging overlapping rows at the same moment (PostgreSQL: SQLite has no row locks)."""

import threading

from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import TransactionTestCase

from authors.curation.merge import author_merge
from authors.models import Author, CurationEvent
from papers.models import Authorship
from tests.factories import make_author, make_paper
from tests.gates import postgresql_only


@postgresql_only("select_for_update() does nothing on SQLite")
class ConcurrentMergeTests(TransactionTestCase):
    def run_together(self, *jobs):
        """Start the jobs in threads at one barrier; return what each returned or raised."""
        barrier = threading.Barrier(len(jobs))
        results = [None] * len(jobs)

        def run(i, job):
            try:
                barrier.wait()
                results[i] = job()
            except Exception as error:  # reported to the test, which asserts on it
                results[i] = error
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return results

    def assert_nothing_lost(self, authorships_before):
        self.assertEqual(Authorship.objects.count(), authorships_before)
        self.assertFalse(Authorship.objects.filter(author__merged_into__isnull=False).exists())
        for author in Author.objects.all():
            live_papers = Authorship.objects.filter(author=author).values("paper").distinct().count()
            self.assertEqual(author.paper_count, live_papers)
        # Every tombstone points straight at a live row: one-hop redirects.
        self.assertFalse(Author.objects.filter(merged_into__merged_into__isnull=False).exists())

    def test_two_curators_merging_overlapping_rows_lose_nothing(self):
        for _ in range(5):
            a, b, c = make_author("Jun Wang"), make_author("Jun Wang"), make_author("Jun Wang")
            for row in (a, b, c):
                make_paper([row, make_author()])
            make_paper([a, b, c])
            before = Authorship.objects.count()

            results = self.run_together(
                lambda a=a, b=b: author_merge(target=a, sources=[b], curator=None),
                lambda b=b, c=c: author_merge(target=c, sources=[b], curator=None),
            )

            # One wins; the other finds b already merged, inside its lock, and refuses.
            errors = [r for r in results if isinstance(r, Exception)]
            self.assertEqual(len(errors), 1, results)
            self.assertIsInstance(errors[0], ValidationError)
            self.assertIn("Already merged", str(errors[0]))
            # The shared paper lost its duplicate authorship(s): account for them.
            dropped = sum(len(e.data["deleted"]) for e in CurationEvent.objects.filter(authors=b))
            self.assert_nothing_lost(before - dropped)

    def test_chained_merges_in_opposite_directions_do_not_deadlock(self):
        for _ in range(5):
            a, b, c = make_author("Jun Wang"), make_author("Jun Wang"), make_author("Jun Wang")
            for row in (a, b, c):
                make_paper([row])
            before = Authorship.objects.count()

            results = self.run_together(
                lambda a=a, b=b: author_merge(target=a, sources=[b], curator=None),
                lambda a=a, c=c: author_merge(target=c, sources=[a], curator=None),
            )

            self.assertFalse([r for r in results if not isinstance(r, (Author, ValidationError))], results)
            self.assert_nothing_lost(before)
