"""The search's candidate statement (papers.newest_matches) finds exactly the newest matches.

Whatever step answers (the probe, walking on, the rare matches' one lookup, a year window, the
papers older than the windows or those without a year), the ids must be those of the plain query
`newest_first()[:limit]`, each with the rank SearchRank gives it. Small probes, limits and
thresholds make every step answer on 130 papers.
"""

import random

from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.test import TestCase

from papers.filters import PaperNarrowFilter
from papers.models import SEARCH_VECTOR, Paper, _websearch
from papers.newest_matches import newest_matches
from tests.factories import make_paper, make_venue
from tests.gates import postgresql_only

QUERIES = [
    "common",  # every paper: the probe answers
    "frequent",  # half of them: walking on
    "bandit -regret",  # "regret" nearly always comes with "bandit": year windows
    "ancient",  # only papers older than the windows reach
    "undated",  # only papers without a year
    "solitary",  # one paper
    '"bandit common"',  # a phrase
    "nothing-like-this",  # none
]


@postgresql_only("the statement is PostgreSQL's")
class NewestMatchesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        rng = random.Random(7)
        cls.venue = make_venue(short_name="COLT", slug="colt")
        years = [*range(1900, 1912), *range(1990, 2027), *([None] * 8)]
        for n in range(130):
            year = years[n % len(years)]
            words = ["common", "bandit"]
            if n % 2:
                words.append("frequent")
            if n % 9:
                words.append("regret")
            if year is not None and year < 1950:
                words.append("ancient")
            if year is None:
                words.append("undated")
            if n == 77:
                words.append("solitary")
            rng.shuffle(words)
            make_paper(title=" ".join(words), year=year, venue=cls.venue if n % 3 == 0 else None)
        # The statement reads the planner's row count (pg_class.reltuples) to tell rare queries.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE papers_paper")

    def assert_same_as_the_plain_query(self, base, *, limits=(1, 3, 8, 40, 501)):
        for q in QUERIES:
            ranked = base.search(q).annotate(rank=SearchRank(SEARCH_VECTOR, _websearch(q))).newest_first()
            plain = list(ranked.values_list("pk", "rank"))
            for probe_rows in (1, 2, 5, 20, 60, 200):
                for dense, rare in ((1, 0), (3, 0), (100, 0), (100, 10**6)):
                    for limit in limits:
                        with self.subTest(q=q, probe_rows=probe_rows, dense=dense, rare=rare, limit=limit):
                            found = newest_matches(
                                base.annotate(search_vector=SEARCH_VECTOR),
                                _websearch(q),
                                limit,
                                probe_rows=probe_rows,
                                dense=dense,
                                rare=rare,
                            )
                            self.assertEqual(found, plain[:limit])

    def test_every_step_finds_the_newest_matches(self):
        self.assert_same_as_the_plain_query(Paper.objects.all(), limits=(1, 8, 501))

    def test_with_the_paper_lists_filters(self):
        for data in (
            {"venue": "colt"},
            {"year_min": "1905", "year_max": "2000"},
            {"year": "2020"},
            {"type": "conference-paper"},
        ):
            with self.subTest(filters=data):
                self.assert_same_as_the_plain_query(
                    PaperNarrowFilter(data, queryset=Paper.objects.all()).qs, limits=(3, 501)
                )

    def test_one_statement_whatever_step_answers(self):
        base = Paper.objects.annotate(search_vector=SEARCH_VECTOR)
        for q in QUERIES:
            with self.subTest(q=q), self.assertNumQueries(1):
                newest_matches(base, _websearch(q), 8, probe_rows=5, dense=3)

    def test_no_typed_query_reaches_the_year_lexeme(self):
        # Every paper of 2024 carries the lexeme "year 2024"; a search must find words only.
        self.assertTrue(Paper.objects.filter(year=2024).exists())
        for q in ("year 2024", '"year 2024"', "'year 2024'", "year:2024", "year2024", "2024", "§y2024"):
            with self.subTest(q=q):
                self.assertEqual(Paper.objects.search_candidates(q), [])
