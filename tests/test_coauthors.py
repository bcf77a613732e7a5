"""Author.objects.coauthors_of: the rows sharing most papers with a row, counted from the authorships
(on PostgreSQL one hand-written statement, authors.models.COAUTHORS_SQL; elsewhere the ORM)."""

from collections import Counter

from django.test import TestCase

from authors.models import Author
from authors.selectors import author_coauthors
from papers.models import Authorship
from tests.factories import make_author, make_paper


class CoauthorsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.row = make_author("Centre Row")
        others = [make_author(f"Other {name}") for name in "EDCBAFGH"]
        for n in range(12):
            # Shared counts with ties (broken by name), a paper naming one co-author twice, and
            # papers the centre row is not on.
            authors = [cls.row, *others[: n % 5 + 1]]
            if n == 3:
                authors.append(others[0])
            make_paper(authors, title=f"Shared {n}")
            make_paper(others[5:], title=f"Not shared {n}")

    def expected(self, limit: int) -> list[tuple[str, int]]:
        mine = set(Authorship.objects.filter(author=self.row).values_list("paper_id", flat=True))
        shared = Counter(
            author_id
            for author_id, paper_id in set(
                Authorship.objects.filter(paper_id__in=mine)
                .exclude(author=self.row)
                .values_list("author_id", "paper_id")
            )
        )
        rows = {a.pk: a for a in Author.objects.filter(pk__in=shared)}
        ranked = sorted(shared.items(), key=lambda item: (-item[1], rows[item[0]].name, item[0]))
        return [(rows[pk].name, n) for pk, n in ranked[:limit]]

    def test_it_counts_shared_papers_most_first_ties_by_name(self):
        for limit in (1, 3, 10):
            with self.subTest(limit=limit):
                found = author_coauthors(self.row, limit=limit)
                self.assertEqual([(a.name, a.shared_papers) for a in found], self.expected(limit))

    def test_a_row_without_coauthors_has_none(self):
        loner = make_author("Loner")
        make_paper([loner])
        self.assertEqual(author_coauthors(loner), [])
