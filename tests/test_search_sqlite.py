"""Paper search on SQLite: the FTS5 table of migration 0006, its triggers, and typed queries made safe.

The same behaviour as PostgreSQL's full text (tests/test_search.py) from a different index, so these
run on SQLite only.
"""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from authors.curation.edit import paper_authorships_save
from authors.curation.merge import author_merge
from authors.curation.split import author_split
from papers.filters import PaperFilter
from papers.fts import match_expression
from papers.models import Authorship, Paper
from tests.conftest import SAMPLE
from tests.factories import make_author, make_paper, make_venue
from tests.gates import sqlite_only
from tests.test_search import SearchTestCase

# What a user might type that is FTS5 syntax, or half of it: all of it must be plain text.
HOSTILE = [
    "'",
    '"',
    '""',
    '"unclosed',
    'auctions"',
    '"a" "b',
    "*",
    "knowl*",
    "^localizing",
    ":",
    "title:robust",
    "{title abstract}:robust",
    "- title:robust",
    "NEAR(knowledge transformers)",
    "NEAR(",
    "knowledge NEAR transformers",
    "(((",
    ")",
    "AND",
    "knowledge AND NOT",
    "NOT robust",
    "+",
    "robust + classifiers",
    "-",
    "--",
    "-robust",
    '-""',
    "or",
    "or or or",
    "OR robust OR",
    "'; DROP TABLE papers_paper; --",
    "' OR 1=1 --",
    "%_\\",
    "rowid:1",
    "papers_paper_fts:robust",
    "\x00",
    "robust\x00classifiers",
    "é" * 300,
    "\u0301\u0301",
    "_",
]


@sqlite_only("the FTS5 index is SQLite's")
class SQLiteSearchTestCase(SearchTestCase):
    """The papers of tests/test_search.py's SearchTestCase, searched through the FTS5 index."""

    def found(self, q, queryset=None):
        return list((queryset or Paper.objects.all()).search(q))

    def assertFinds(self, q, papers):
        self.assertCountEqual(self.found(q), papers, q)

    def index_row(self, paper) -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT title, authors, venue, abstract FROM papers_paper_fts WHERE rowid = %s", [paper.pk])
            return cursor.fetchone()


class QuerySyntaxTests(SQLiteSearchTestCase):
    def test_words_are_anded_and_stemmed(self):
        self.assertFinds("diffusion transformers", [self.phrase, self.scrambled])
        self.assertFinds("auction", [self.title_match, self.abstract_match])
        self.assertFinds("auctions budgets", [self.title_match])

    def test_it_ignores_case_and_accents_both_ways(self):
        accented = make_paper(title="Réseaux de neurones profonds")
        self.assertFinds("reseaux", [accented])
        self.assertFinds("RÉSEAUX", [accented])
        self.assertFinds("sebastien lahaie", [self.title_match])
        self.assertFinds("SÉBASTIEN", [self.title_match])

    def test_a_quoted_phrase_needs_the_words_in_order(self):
        self.assertFinds('"diffusion transformers"', [self.phrase])

    def test_a_minus_word_or_phrase_excludes_papers(self):
        self.assertFinds("transformers -localizing", [self.scrambled])
        self.assertFinds('knowledge -"diffusion transformers"', [self.scrambled])
        # A minus inside a word is part of it.
        hyphen = make_paper(title="State-of-the-art auctions")
        self.assertFinds("state-of-the-art", [hyphen])

    def test_or_matches_either_side_and_binds_loosest(self):
        self.assertFinds("budgets or smoothing", [self.title_match, self.abstract_match])
        self.assertFinds("budgets OR smoothing", [self.title_match, self.abstract_match])
        # (knowledge AND localizing) OR budgets, as websearch_to_tsquery reads it.
        self.assertFinds("knowledge localizing or budgets", [self.phrase, self.title_match])
        self.assertFinds("transformers -localizing or budgets", [self.scrambled, self.title_match])

    def test_it_finds_papers_by_an_authors_printed_name(self):
        self.assertFinds("Rezaei", [self.abstract_match, self.phrase, self.scrambled])
        self.assertFinds('"keivan rezaei" robust', [self.abstract_match])

    def test_it_finds_papers_by_venue_and_by_abstract(self):
        self.assertFinds("icml", [self.abstract_match])
        self.assertFinds("smoothing", [self.abstract_match])

    def test_a_query_with_nothing_to_search_finds_nothing(self):
        for q in ["", "   ", "-", "***", '""', "or", "-robust", '-"diffusion transformers"', "_"]:
            with self.subTest(q=q):
                self.assertEqual(match_expression(q), "")
                self.assertEqual(self.found(q), [])
                self.assertEqual(Paper.objects.search_candidates(q), [])

    def test_every_typed_word_is_an_fts5_string(self):
        self.assertEqual(
            match_expression('NEAR(a "b c" -d or title:e'),
            '(("NEAR(a" AND "b c") NOT ("d")) OR ("title:e")',
        )


class HostileQueryTests(SQLiteSearchTestCase):
    def test_fts5_syntax_typed_by_a_user_is_plain_text(self):
        for q in HOSTILE:
            with self.subTest(q=q):
                list(Paper.objects.search(q))
                Paper.objects.search_candidates(q)
                list(Paper.objects.ranked_results(q)[0:20])
                Paper.objects.search(q).count()

    def test_a_column_filter_is_not_one(self):
        # As FTS5 syntax, title:robust would find "Robust classifiers"; as text it is a phrase.
        self.assertFinds("title:robust", [])
        typed = make_paper(title="Choosing a title: robust advice")
        self.assertFinds("title:robust", [typed])

    def test_near_prefix_and_initial_token_are_not_operators(self):
        # NEAR(...) would find both knowledge papers, knowl* "knowledge", ^ only a title's first word.
        self.assertFinds("NEAR(knowledge transformers)", [])
        self.assertFinds("knowl*", [])
        self.assertFinds("^transformers", [self.phrase, self.scrambled])

    def test_operator_words_are_words(self):
        self.assertFinds("knowledge AND NOT", [])
        with_and = make_paper(title="Knowledge and not much else")
        self.assertFinds("knowledge AND NOT", [with_and])

    def test_unbalanced_quotes_close_at_the_end(self):
        self.assertFinds('"diffusion transformers', [self.phrase])
        self.assertFinds('auctions"', [self.title_match, self.abstract_match])

    def test_the_pages_answer_any_of_them(self):
        for q in HOSTILE:
            with self.subTest(q=q):
                expected = 400 if "\x00" in q else 200
                self.assertEqual(self.client.get("/search/", {"q": q}).status_code, expected)
                self.assertIn(self.client.get("/papers/", {"q": q}).status_code, (200, 400))


class RankingTests(SQLiteSearchTestCase):
    def test_a_title_match_outranks_a_newer_abstract_match(self):
        ranks = dict(Paper.objects.search_candidates("auctions"))
        self.assertGreater(ranks[self.title_match.pk], ranks[self.abstract_match.pk])
        self.assertEqual(list(Paper.objects.ranked_results("auctions")[0:20]), [self.title_match, self.abstract_match])

    def test_a_title_match_outranks_an_author_match(self):
        named = make_paper([make_author("Ada Transformers")], title="Sorting networks", year=2030)
        results = list(Paper.objects.ranked_results("transformers")[0:20])
        self.assertEqual(results[-1], named)

    def test_candidates_are_the_newest_matches_newest_first(self):
        newest = make_paper(title="Transformers everywhere", year=None)
        ids = [pk for pk, _ in Paper.objects.search_candidates("transformers")]
        # A paper without a year comes last, as in every newest-first list.
        self.assertEqual(ids, [self.phrase.pk, self.scrambled.pk, newest.pk])
        self.assertEqual([pk for pk, _ in Paper.objects.search_candidates("transformers", limit=1)], [self.phrase.pk])

    def test_candidates_keep_the_querysets_filters(self):
        narrowed = Paper.objects.filter(year=2022)
        self.assertEqual([pk for pk, _ in narrowed.search_candidates("transformers")], [self.scrambled.pk])
        by_venue = Paper.objects.filter(venue__short_name__iexact="icml")
        self.assertEqual([pk for pk, _ in by_venue.search_candidates("auctions")], [self.abstract_match.pk])

    def test_the_page_marks_the_abstracts_matching_words(self):
        response = self.client.get("/search/", {"q": "smoothing"})
        self.assertContains(response, "<mark>smoothing</mark>")
        # Found by its title: the abstract shows as usual, not as a snippet.
        self.assertEqual(self.client.get("/search/", {"q": "budgets"}).context["papers"][0].snippet, "")


class PaperListFilterTests(SQLiteSearchTestCase):
    def test_the_q_filter_composes_with_other_filters_and_count(self):
        filtered = PaperFilter({"q": "transformers", "year": "2022"}, queryset=Paper.objects.all()).qs
        self.assertEqual(list(filtered), [self.scrambled])
        self.assertEqual(filtered.count(), 1)
        self.assertEqual(PaperFilter({"q": "rezaei"}, queryset=Paper.objects.all()).qs.count(), 3)

    def test_a_search_inside_a_subquery(self):
        inner = Paper.objects.search("auctions").values("pk")
        self.assertCountEqual(Paper.objects.filter(pk__in=inner), [self.title_match, self.abstract_match])

    def test_the_paper_list_page(self):
        response = self.client.get("/papers/", {"q": "diffusion -localizing"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Transformers for diffusion of knowledge")
        self.assertNotContains(response, "Localizing knowledge in diffusion transformers")


class IndexTriggerTests(SQLiteSearchTestCase):
    """The index follows every write, whoever makes it."""

    def test_it_follows_a_papers_insert_update_and_delete(self):
        paper = make_paper(title="Zebrafish locomotion", abstract="Swimming larvae.")
        self.assertFinds("zebrafish", [paper])
        paper.title = "Medaka locomotion"
        paper.save()
        self.assertFinds("zebrafish", [])
        self.assertFinds("medaka", [paper])
        Paper.objects.filter(pk=paper.pk).update(abstract="Walking adults.")
        self.assertFinds("larvae", [])
        self.assertFinds("walking medaka", [paper])
        paper.delete()
        self.assertFinds("medaka", [])
        self.assertIsNone(self.index_row(paper))

    def test_an_unrelated_update_leaves_the_row_alone(self):
        Paper.objects.filter(pk=self.phrase.pk).update(doi="10.1/x", year=2001)
        self.assertEqual(self.index_row(self.phrase), (self.phrase.title, "Keivan Rezaei", "", ""))

    def test_it_follows_authorship_edits_in_order(self):
        paper = self.phrase
        paper.authorships.create(author=self.lahaie, position=2, printed_name="S. Lahaie")
        self.assertEqual(self.index_row(paper)[1], "Keivan Rezaei S. Lahaie")
        self.assertFinds("lahaie", [self.title_match, paper])
        paper.authorships.filter(position=1).update(printed_name="K. Rezaei")
        self.assertEqual(self.index_row(paper)[1], "K. Rezaei S. Lahaie")
        paper.authorships.filter(position=1).delete()
        self.assertEqual(self.index_row(paper)[1], "S. Lahaie")
        self.assertFinds("keivan", [self.abstract_match, self.scrambled])

    def test_an_authorship_moved_to_another_paper_reindexes_both(self):
        Authorship.objects.filter(paper=self.phrase).update(paper=self.title_match, position=2)
        self.assertEqual(self.index_row(self.phrase)[1], "")
        self.assertEqual(self.index_row(self.title_match)[1], "Sébastien Lahaie Keivan Rezaei")

    def test_a_curators_reorder_of_the_author_list(self):
        paper = make_paper([self.lahaie, self.rezaei], title="Two authors")
        first, second = paper.authorships.order_by("position")
        first.position, second.position = 2, 1
        paper_authorships_save(paper=paper, saved=[first, second], deleted=[])
        self.assertEqual(self.index_row(paper)[1], "Keivan Rezaei Sébastien Lahaie")

    def test_it_follows_the_venue_and_its_rename(self):
        paper = self.abstract_match
        self.venue.short_name = "ICML-W"
        self.venue.full_name = "International Conference on Machine Learning"
        self.venue.save()
        self.assertEqual(self.index_row(paper)[2], "ICML-W International Conference on Machine Learning")
        self.assertFinds('"machine learning"', [paper])
        paper.venue = make_venue(short_name="COLT", slug="colt")
        paper.save()
        self.assertFinds("colt", [paper])
        self.assertFinds("icml", [])
        paper.venue = None
        paper.save()
        self.assertEqual(self.index_row(paper)[2], "")

    def test_a_merge_and_a_split_keep_the_printed_names(self):
        curator = get_user_model().objects.create_user("cura", password="x")
        other = make_author("Keivan Rezaei 0002")
        extra = make_paper([other], title="Another robust paper", year=2020)
        survivor = author_merge(target=self.rezaei, sources=[other], curator=curator)
        self.assertFinds("rezaei", [self.abstract_match, self.phrase, self.scrambled, extra])
        author_split(author=survivor, paper_ids=[extra.pk], curator=curator)
        self.assertFinds("rezaei", [self.abstract_match, self.phrase, self.scrambled, extra])
        self.assertEqual(self.index_row(extra)[1], "Keivan Rezaei 0002")

    def test_the_index_has_one_row_per_paper(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM papers_paper_fts")
            self.assertEqual(cursor.fetchone()[0], Paper.objects.count())

    def test_every_trigger_survives_the_migrations(self):
        # A later migration that makes Django rebuild one of these tables on SQLite drops its triggers.
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts%'")
            names = {name for (name,) in cursor.fetchall()}
        self.assertEqual(
            names,
            {
                "papers_paper_fts_insert",
                "papers_paper_fts_update",
                "papers_paper_fts_delete",
                "papers_authorship_fts_insert",
                "papers_authorship_fts_update",
                "papers_authorship_fts_delete",
                "papers_venue_fts_update",
            },
        )


@sqlite_only("the FTS5 index is SQLite's")
class ImportTests(TestCase):
    def test_imported_papers_are_searchable_and_a_reimport_changes_nothing(self):
        for _ in range(2):
            call_command("import_papers", str(SAMPLE), stdout=StringIO(), stderr=StringIO())
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM papers_paper_fts")
                self.assertEqual(cursor.fetchone()[0], Paper.objects.count())
        self.assertEqual(Paper.objects.search("rezaei").count(), Paper.objects.count())
        self.assertEqual(Paper.objects.search("sebastien lahaie").count(), 1)


@sqlite_only("the FTS5 index is SQLite's")
class ArbitraryQueryTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        make_paper([make_author("Sébastien Lahaie")], title="Combinatorial auctions", abstract="Markets and bids.")

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.sampled_from(['"', "-", "*", "^", ":", "(", ")", "+", "{", "}", " ", "or", "NEAR", "AND", "NOT"]),
                st.sampled_from(["auctions", "Lahaie", "sébastien", "title", "markets"]),
                st.text(max_size=5),
            ),
            max_size=12,
        ).map("".join)
    )
    def test_any_query_is_a_valid_match_expression(self, q):
        list(Paper.objects.search(q))
        Paper.objects.search_candidates(q)
