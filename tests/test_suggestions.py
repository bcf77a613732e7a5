"""Merge and split suggestions, data-quality queues (authors/curation/suggestions.py) and the grouping
(authors/curation/grouping.py)."""

from django.test import SimpleTestCase, TestCase

from authors.curation.grouping import PaperEvidence, coauthor_components, group_papers
from authors.curation.suggestions import (
    case_or_accent_issues,
    cluster_person_groups,
    compatible_given_names,
    merge_suggestions,
    name_parts,
    no_paper_issues,
    shared_orcid_issues,
    split_suggestions,
)
from authors.models import Author
from tests.factories import make_author, make_paper, make_venue


def paper(paper_id, *coauthors, venue=""):
    return PaperEvidence(paper_id, frozenset(coauthors), venue)


class GroupingTests(SimpleTestCase):
    def test_it_joins_papers_that_share_a_coauthor(self):
        papers = [paper(1, "a", "b"), paper(2, "b", "c"), paper(3, "x"), paper(4, "x", "y"), paper(5, "c")]

        self.assertEqual(coauthor_components(papers), [[1, 2, 5], [3, 4]])

    def test_it_keeps_groups_that_never_meet_apart(self):
        papers = [paper(1, "a"), paper(2, "a"), paper(3, "x"), paper(4, "x")]

        self.assertEqual(group_papers(papers), [[1, 2], [3, 4]])

    def test_it_joins_groups_of_one_community_through_coauthors_coauthors(self):
        papers = [paper(1, "a"), paper(2, "a"), paper(3, "b"), paper(4, "b")]
        # a and b write together elsewhere: one research group, so one person.
        neighbours = {"a": {"b": 3, "c": 2}, "b": {"a": 3, "c": 1}}

        self.assertEqual(group_papers(papers, neighbours=neighbours), [[1, 2, 3, 4]])
        self.assertEqual(group_papers(papers), [[1, 2], [3, 4]])

    def test_it_gives_papers_without_evidence_to_the_largest_group(self):
        papers = [paper(1, "a"), paper(2), paper(3, "a"), paper(4, "x"), paper(5, "x"), paper(6, "a"), paper(7, "q")]

        self.assertEqual(group_papers(papers), [[1, 2, 3, 6, 7], [4, 5]])

    def test_it_handles_no_papers_and_one_paper(self):
        self.assertEqual(group_papers([]), [])
        self.assertEqual(group_papers([paper("p")]), [["p"]])


class NameVariantTests(SimpleTestCase):
    def test_it_folds_names_into_parts(self):
        self.assertEqual(name_parts("MohammadTaghi  Hajiaghayi"), ("mohammadtaghi", "hajiaghayi"))
        self.assertEqual(name_parts("K. Rezaei"), ("k", "rezaei"))
        self.assertEqual(name_parts("Sébastien Lahaie"), ("sebastien", "lahaie"))

    def test_it_knows_compatible_given_names(self):
        self.assertTrue(compatible_given_names("K. Rezaei", "Keivan Rezaei"))
        self.assertTrue(compatible_given_names("Mohammad Hajiaghayi", "MohammadTaghi Hajiaghayi"))
        self.assertTrue(compatible_given_names("Sebastien Lahaie", "Sébastien Lahaie"))
        self.assertFalse(compatible_given_names("Wei Wang", "Wen Wang"))


class MergeSuggestionTests(TestCase):
    def setUp(self):
        self.feizi = make_author("Soheil Feizi")
        self.basu = make_author("Samyadeep Basu")

    def test_it_suggests_rows_of_one_cluster_with_a_shared_coauthor(self):
        a = make_author("Keivan Rezaei", key="a")
        b = make_author("Keivan Rezaei", key="b")
        make_paper([a, self.feizi])
        make_paper([b, self.feizi, self.basu])
        make_paper([a, self.basu])

        (suggestion,) = merge_suggestions()

        self.assertEqual(suggestion.author_ids, (a.pk, b.pk))
        self.assertEqual(suggestion.reason, "same cluster")
        self.assertEqual(set(suggestion.shared_coauthors), {"Soheil Feizi", "Samyadeep Basu"})
        self.assertEqual(suggestion.score, 2.5)  # two shared co-authors, plus the same-cluster bonus

    def test_it_suggests_rows_of_one_cluster_on_a_shared_venue_alone(self):
        venue = make_venue(short_name="TMLR")
        a = make_author("Wei Wang 0001")
        b = make_author("Wei Wang 0002")
        make_paper([a], venue=venue)
        make_paper([b], venue=venue)

        (suggestion,) = merge_suggestions()

        self.assertEqual((suggestion.shared_coauthors, suggestion.shared_venues), ((), ("TMLR",)))

    def test_it_suggests_name_variants_across_clusters_with_a_shared_coauthor(self):
        pairs = [
            ("Mohammad Hajiaghayi", "MohammadTaghi Hajiaghayi"),
            ("K. Rezaei", "Keivan Rezaei"),
            ("Sebastien Lahaie", "Sébastien Lahaie"),
        ]
        expected = set()
        for first, second in pairs:
            a, b = make_author(first), make_author(second)
            self.assertNotEqual(a.cluster_id, b.cluster_id)
            make_paper([a, self.feizi])
            make_paper([self.feizi, b])
            expected.add((a.pk, b.pk))

        suggestions = merge_suggestions()

        self.assertEqual({s.author_ids for s in suggestions}, expected)
        self.assertEqual({s.reason for s in suggestions}, {"name variant"})
        self.assertTrue(all(s.shared_coauthors == ("Soheil Feizi",) for s in suggestions))

    def test_it_needs_a_shared_coauthor_across_clusters(self):
        venue = make_venue()
        make_paper([make_author("K. Rezaei"), self.feizi], venue=venue)
        make_paper([make_author("Keivan Rezaei"), self.basu], venue=venue)

        self.assertEqual(merge_suggestions(), [])

    def test_it_does_not_pair_incompatible_given_names(self):
        make_paper([make_author("Wei Wang"), self.feizi])
        make_paper([make_author("Wen Wang"), self.feizi])

        self.assertEqual(merge_suggestions(), [])

    def test_it_never_suggests_rows_with_two_orcids(self):
        a = make_author("Keivan Rezaei", key="a", orcid="0000-0001-0000-0001")
        b = make_author("Keivan Rezaei", key="b", orcid="0000-0002-0000-0002")
        make_paper([a, self.feizi])
        make_paper([b, self.feizi])

        self.assertEqual(merge_suggestions(), [])

    def test_it_ranks_a_shared_orcid_first(self):
        a = make_author("Keivan Rezaei", key="a", orcid="0000-0001-0000-0001")
        b = make_author("Keivan Rezaei", key="b", orcid="0000-0001-0000-0001")
        c, d = make_author("Jun Wang", key="c"), make_author("Jun Wang", key="d")
        for row in (a, b, c, d):
            make_paper([row, self.feizi])

        suggestions = merge_suggestions()

        self.assertEqual([s.author_ids for s in suggestions], [(a.pk, b.pk), (c.pk, d.pk)])
        self.assertEqual(suggestions[0].reason, "same ORCID")

    def test_it_ignores_tombstones(self):
        a = make_author("Keivan Rezaei", key="a")
        b = make_author("Keivan Rezaei", key="b", merged_into=a)
        make_paper([a, self.feizi])
        make_paper([b, self.feizi])

        self.assertEqual(merge_suggestions(), [])

    def test_it_limits_itself_to_the_given_clusters_and_their_variants(self):
        a, b = make_author("K. Rezaei"), make_author("Keivan Rezaei")
        c, d = make_author("Jun Wang", key="c"), make_author("Jun Wang", key="d")
        for row in (a, b, c, d):
            make_paper([row, self.feizi])

        suggestions = merge_suggestions(clusters=[b.cluster])

        self.assertEqual([s.author_ids for s in suggestions], [(a.pk, b.pk)])

    def test_it_finds_accented_family_names_from_a_cluster(self):
        a, b = make_author("Zoe Muller"), make_author("Zoë Müller")
        make_paper([a, self.feizi])
        make_paper([b, self.feizi])

        self.assertEqual([s.author_ids for s in merge_suggestions(clusters=[a.cluster])], [(a.pk, b.pk)])

    def test_it_uses_a_constant_number_of_queries(self):
        for n in range(6):
            rows = [make_author("Keivan Rezaei", key=f"k{n}"), make_author(f"Keivan{'Taghi' * n} Rezaei")]
            make_paper([*rows, self.feizi, self.basu])

        # Expect 3 queries: live rows with cluster keys, their authorships with venues, their co-authors.
        with self.assertNumQueries(3):
            suggestions = merge_suggestions()
        # With clusters, one more first: the clusters' names, to find their family-name block.
        with self.assertNumQueries(4):
            merge_suggestions(clusters=[rows[0].cluster])
        self.assertGreater(len(suggestions), 10)


class SplitSuggestionTests(TestCase):
    def test_it_suggests_rows_whose_coauthor_groups_never_meet(self):
        row = make_author("Wei Wang")
        ml = [make_author("Ada Lovelace"), make_author("Charles Babbage")]
        bio = [make_author("Rosalind Franklin")]
        p1, p2 = make_paper([row, ml[0]]), make_paper([ml[1], row, ml[0]])
        p3, p4 = make_paper([row, bio[0]]), make_paper([bio[0], row])
        make_paper([row])  # alone: a one-paper group, not counted

        (suggestion,) = split_suggestions()

        self.assertEqual(suggestion.author_id, row.pk)
        self.assertEqual(suggestion.paper_groups, ((p1.pk, p2.pk), (p3.pk, p4.pk)))
        self.assertEqual(suggestion.group_coauthors[0], ("Ada Lovelace", "Charles Babbage"))
        self.assertEqual(suggestion.group_coauthors[1], ("Rosalind Franklin",))

    def test_it_leaves_connected_rows_alone(self):
        row, a, b = make_author("Wei Wang"), make_author(), make_author()
        make_paper([row, a])
        make_paper([row, a, b])
        make_paper([row, b])
        make_paper([row, b])

        self.assertEqual(split_suggestions(), [])

    def test_it_checks_only_the_given_rows(self):
        rows = [make_author(f"Person {n}") for n in range(2)]
        for row in rows:
            x, y = make_author(), make_author()
            for coauthor in (x, x, y, y):
                make_paper([row, coauthor])

        suggestions = split_suggestions(authors=Author.objects.filter(pk=rows[1].pk))

        self.assertEqual([s.author_id for s in suggestions], [rows[1].pk])

    def test_it_uses_a_constant_number_of_queries(self):
        for n in range(5):
            row, x, y = make_author(f"Person {n}"), make_author(), make_author()
            for coauthor in (x, x, y, y):
                make_paper([row, coauthor])

        # Expect 4 queries: candidate rows, all authorships of their papers, the rows' own
        # authorships, the co-authors' names.
        with self.assertNumQueries(4):
            self.assertEqual(len(split_suggestions()), 5)


class ClusterPersonGroupsTests(TestCase):
    def test_it_groups_a_clusters_papers_into_persons(self):
        a, b = make_author("Wei Wang 0001"), make_author("Wei Wang 0002")
        ml, bio = [make_author(), make_author()], [make_author(), make_author()]
        # The two research groups write among themselves elsewhere.
        make_paper(ml)
        make_paper(bio)
        p1, p2, p3 = make_paper([a, ml[0]]), make_paper([a, ml[1]]), make_paper([b, ml[0], ml[1]])
        p4, p5 = make_paper([b, bio[0]]), make_paper([bio[1], b])

        # Expect 4 queries: the cluster's rows, all authorships of their papers, the rows' own
        # authorships, the authorships of the co-authors' papers.
        with self.assertNumQueries(4):
            groups = cluster_person_groups(cluster=a.cluster)

        self.assertEqual(groups, [[p1.pk, p2.pk, p3.pk], [p4.pk, p5.pk]])


class DataQualityTests(TestCase):
    def test_it_finds_one_orcid_on_two_live_rows(self):
        a = make_author("Keivan Rezaei", key="a", orcid="0000-0001-0000-0001")
        b = make_author("K. Rezaei", orcid="0000-0001-0000-0001")
        make_author("Keivan Rezaei", key="c", orcid="0000-0001-0000-0001", merged_into=a)
        make_author("Jun Wang", orcid="0000-0002-0000-0002")

        with self.assertNumQueries(1):
            issues = shared_orcid_issues()

        self.assertEqual([(i.author_ids, i.detail) for i in issues], [((a.pk, b.pk), "0000-0001-0000-0001")])

    def test_it_finds_names_that_differ_only_by_case_or_accents(self):
        a, b = make_author("Sébastien Lahaie"), make_author("Sebastien Lahaie")
        c, d = make_author("Keivan Rezaei", key="c"), make_author("keivan rezaei", key="d")
        e = make_author("Keivan Rezaei", key="e")
        make_author("Jun Wang")

        with self.assertNumQueries(1):
            issues = case_or_accent_issues()

        self.assertEqual(
            [(set(i.author_ids), i.detail) for i in issues],
            [
                ({c.pk, d.pk, e.pk}, "Keivan Rezaei / keivan rezaei"),
                ({a.pk, b.pk}, "Sébastien Lahaie / Sebastien Lahaie"),
            ],
        )

    def test_it_finds_live_rows_with_no_papers(self):
        empty = make_author("Nobody")
        stale = make_author("Stale", paper_count=3)  # a wrong count must not hide it
        make_author("Merged", merged_into=empty)
        make_paper([make_author("Busy")])

        with self.assertNumQueries(1):
            issues = no_paper_issues()

        self.assertEqual([i.author_ids for i in issues], [(empty.pk,), (stale.pk,)])
