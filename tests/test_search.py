"""Search: names without accents and with typos, papers ranked by full text, any query safe.

PostgreSQL-only behaviour (ranking, websearch syntax, trigram tolerance) is skipped on SQLite, where
the same page runs the simple substring search.
"""

import unittest
from unittest import mock

from django.db import connection
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from authors.models import NameCluster
from papers.highlight import highlight_html
from papers.models import HIGHLIGHT_START, HIGHLIGHT_STOP, Paper
from tests.factories import make_author, make_paper, make_venue
from tests.gates import postgresql_only

# Paper search runs on both databases (PostgreSQL full text, SQLite FTS5: papers/fts.py); typo-tolerant
# names (pg_trgm) and the search text columns the triggers keep are PostgreSQL's.


class SearchTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lahaie = make_author("Sébastien Lahaie")
        cls.rezaei = make_author("Keivan Rezaei")
        cls.venue = make_venue(short_name="ICML", slug="icml")
        cls.title_match = make_paper(
            [cls.lahaie], title="Combinatorial auctions with budgets", abstract="We study markets.", year=2019
        )
        cls.abstract_match = make_paper(
            [cls.rezaei],
            title="Robust classifiers",
            abstract="Unlike auctions, certified robustness needs smoothing.",
            year=2024,
            venue=cls.venue,
        )
        cls.phrase = make_paper([cls.rezaei], title="Localizing knowledge in diffusion transformers", year=2023)
        cls.scrambled = make_paper([cls.rezaei], title="Transformers for diffusion of knowledge", year=2022)

    def search(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200, q)
        return response


class NameSearchTests(SearchTestCase):
    def test_it_finds_a_name_by_part_of_it_ignoring_case(self):
        clusters = self.search("REZAEI").context["clusters"]
        self.assertEqual([c.name for c in clusters], ["Keivan Rezaei"])

    def test_it_finds_an_accented_name_typed_without_accents(self):
        clusters = self.search("Sebastien Lahaie").context["clusters"]
        self.assertEqual([c.name for c in clusters], ["Sébastien Lahaie"])

    def test_it_fills_search_name_when_a_cluster_is_created(self):
        self.assertEqual(NameCluster.objects.get(pk=self.lahaie.cluster_id).search_name, "sebastien lahaie")

    @postgresql_only("pg_trgm and the search columns need PostgreSQL")
    def test_it_tolerates_a_typo_in_a_name(self):
        clusters = self.search("Keivan Rezai").context["clusters"]
        self.assertEqual([c.name for c in clusters], ["Keivan Rezaei"])

    @postgresql_only("pg_trgm and the search columns need PostgreSQL")
    def test_it_tolerates_a_typo_without_accents(self):
        clusters = self.search("sebastian lahaie").context["clusters"]
        self.assertEqual([c.name for c in clusters], ["Sébastien Lahaie"])


class PaperSearchTests(SearchTestCase):
    def test_it_finds_papers_by_title_words(self):
        papers = self.search("diffusion transformers").context["papers"]
        self.assertIn(self.phrase, papers)

    def test_filters_of_the_paper_list_narrow_the_papers(self):
        papers = self.search("Robust", year="2024", venue="ICML", type="conference-paper").context["papers"]
        self.assertEqual(list(papers), [self.abstract_match])
        self.assertEqual(list(self.search("Robust", year="2001").context["papers"]), [])

    def test_invalid_filters_are_ignored(self):
        self.assertIn(self.abstract_match, self.search("Robust", year="abc").context["papers"])

    def test_nothing_found_says_what_to_try(self):
        response = self.search("zzzqqqxxx")
        self.assertContains(response, "No author name is close to")
        self.assertContains(response, "No paper matches")

    def test_a_title_match_outranks_an_abstract_match(self):
        papers = list(self.search("auctions").context["papers"])
        self.assertEqual(papers, [self.title_match, self.abstract_match])

    def test_stemming_matches_other_word_forms(self):
        self.assertIn(self.title_match, self.search("auction").context["papers"])

    def test_a_quoted_phrase_needs_the_words_in_order(self):
        papers = list(self.search('"diffusion transformers"').context["papers"])
        self.assertEqual(papers, [self.phrase])
        self.assertCountEqual(self.search("diffusion transformers").context["papers"], [self.phrase, self.scrambled])

    def test_a_minus_word_excludes_papers(self):
        papers = list(self.search("transformers -localizing").context["papers"])
        self.assertEqual(papers, [self.scrambled])

    def test_or_matches_either_word(self):
        self.assertCountEqual(
            self.search("budgets or smoothing").context["papers"], [self.title_match, self.abstract_match]
        )

    def test_a_search_inside_a_subquery_reads_the_subquerys_own_rows(self):
        # The vector column must follow the subquery's table alias, or it reads the outer row.
        inner = Paper.objects.search("auctions").values("pk")
        self.assertCountEqual(Paper.objects.filter(pk__in=inner), [self.title_match, self.abstract_match])

    def test_only_the_newest_candidates_are_ranked_and_the_page_says_so(self):
        newest = make_paper([self.rezaei], title="Transformers everywhere", year=2025)
        with mock.patch("papers.models.SEARCH_CANDIDATES", 2):
            response = self.search("transformers")
        # Three titles match; the two newest are ranked, and the page says there are more.
        self.assertCountEqual(response.context["papers"], [newest, self.phrase])
        self.assertContains(response, "More than 2 papers match")
        self.assertNotContains(self.search("transformers"), "papers match: these are the newest")

    def test_the_abstract_snippet_highlights_the_matching_words(self):
        response = self.search("smoothing")
        self.assertContains(response, "<mark>smoothing</mark>")
        self.assertContains(response, "Read the whole abstract")
        self.assertNotContains(response, "{#")  # a template comment must not leak into the page

    def test_a_paper_found_by_its_title_shows_its_abstract_as_usual(self):
        response = self.search("budgets")
        self.assertEqual(response.context["papers"][0].snippet, "")
        self.assertContains(response, "We study markets.")
        self.assertNotContains(response, "Read the whole abstract")

    def test_a_very_long_query_is_cut_not_refused(self):
        response = self.search("robust " + "x" * 500)
        self.assertEqual(len(response.context["q"]), 200)


@postgresql_only("pg_trgm and the search columns need PostgreSQL")
class SearchTextTests(SearchTestCase):
    """Authors' names and the venue are searchable, and the triggers keep that text current."""

    def search_text(self, paper):
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_authors, search_venue FROM papers_paper WHERE id = %s", [paper.pk])
            return cursor.fetchone()

    def test_it_finds_papers_by_an_authors_name(self):
        papers = self.search("Rezaei").context["papers"]
        self.assertCountEqual(papers, [self.abstract_match, self.phrase, self.scrambled])

    def test_an_authors_name_typed_without_accents_finds_the_paper(self):
        self.assertEqual(list(self.search("sebastien lahaie").context["papers"]), [self.title_match])

    def test_it_finds_papers_by_venue(self):
        self.assertEqual(list(self.search("ICML").context["papers"]), [self.abstract_match])

    def test_a_title_match_outranks_an_author_match(self):
        smith = make_author("Ada Transformers")
        by_name = make_paper([smith], title="Sorting networks", year=2030)
        papers = list(self.search("transformers").context["papers"])
        self.assertEqual(papers[-1], by_name)

    def test_the_names_follow_authorship_edits(self):
        paper = self.phrase
        self.assertEqual(self.search_text(paper)[0], "Keivan Rezaei")
        paper.authorships.create(author=self.lahaie, position=2, printed_name="S. Lahaie")
        self.assertEqual(self.search_text(paper)[0], "Keivan Rezaei S. Lahaie")
        paper.authorships.filter(position=1).update(printed_name="K. Rezaei")
        self.assertEqual(self.search_text(paper)[0], "K. Rezaei S. Lahaie")
        paper.authorships.filter(position=1).delete()
        self.assertEqual(self.search_text(paper)[0], "S. Lahaie")

    def test_the_venue_follows_the_paper_and_the_venue(self):
        paper = self.abstract_match
        self.assertEqual(self.search_text(paper)[1], "ICML")
        self.venue.full_name = "International Conference on Machine Learning"
        self.venue.save()
        self.assertEqual(self.search_text(paper)[1], "ICML International Conference on Machine Learning")
        paper.venue = make_venue(short_name="COLT", slug="colt")
        paper.save()
        self.assertEqual(self.search_text(paper)[1], "COLT")
        paper.venue = None
        paper.save()
        self.assertEqual(self.search_text(paper)[1], "")

    def test_a_writer_that_fills_the_venue_text_itself_is_trusted(self):
        # The importer may pre-fill the column in its bulk INSERT; the trigger then stays out of the way.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO papers_paper (title, abstract, venue_id, pub_type, doi, url, dblp_key, openalex_id,"
                " arxiv_id, title_key, primary_source, locked_fields, created_at, updated_at, search_venue)"
                " VALUES ('t', '', %s, 'other', '', '', '', '', '', '', '', '[]', now(), now(), 'pre-filled')"
                " RETURNING id",
                [self.venue.pk],
            )
            paper = Paper.objects.get(pk=cursor.fetchone()[0])
        self.assertEqual(self.search_text(paper)[1], "pre-filled")


class HighlightTests(unittest.TestCase):
    def test_it_escapes_the_text_and_marks_only_the_markers(self):
        html = highlight_html(f"<b>{HIGHLIGHT_START}a&b{HIGHLIGHT_STOP}</b> {HIGHLIGHT_START}")
        self.assertEqual(html, "&lt;b&gt;<mark>a&amp;b</mark>&lt;/b&gt; ")


class SearchQueryCountTests(SearchTestCase):
    def test_the_search_page_runs_a_constant_number_of_queries(self):
        # Clusters, candidate paper ids, the page of papers, their authorships: the same for one
        # result or many.
        for q in ["auctions", "transformers", "robust"]:
            with self.subTest(q=q), self.assertNumQueries(4):
                self.search(q)
        # No paper at all: the paginator skips fetching an empty page and its authorships.
        with self.assertNumQueries(2):
            self.search("zzzqqqxxx")

    def test_a_page_of_results_beyond_the_first(self):
        for n in range(25):
            make_paper([self.rezaei], title=f"Robust thing {n}")
        response = self.search("robust", page="2")
        self.assertEqual(response.context["page_obj"].number, 2)
        self.assertTrue(response.context["papers"])


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "'",
            '"',
            '"unclosed',
            "-",
            "--",
            "!",
            "&|!",
            "a & b | !c",
            "or or or",
            '-""',
            "'; DROP TABLE papers_paper; --",
            "' OR 1=1 --",
            "%_\\",
            ":*",
            "(((",
            "é" * 300,
            "\u0301\u0301",
        ]
    ),
)


class ArbitraryQueryTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        author = make_author("Sébastien Lahaie")
        make_paper([author], title="Combinatorial auctions", abstract="Markets and bids.")

    @settings(max_examples=80, deadline=None)
    @given(HOSTILE)
    def test_any_query_string_never_fails(self, q):
        response = self.client.get("/search/", {"q": q})
        # NUL bytes are refused with a 400 like everywhere on the site; everything else is a page.
        self.assertEqual(response.status_code, 400 if "\x00" in q else 200, repr(q))

    def test_the_search_models_accept_any_query_directly(self):
        for q in ["", " ", "-", '"', "!!", "\u0301"]:
            list(Paper.objects.ranked_results(q))
            Paper.objects.search_candidates(q)
            list(NameCluster.objects.search(q))
