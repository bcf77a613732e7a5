"""Homonym numbers are permanent: next_homonym_number never reuses a number a row or key ever had."""

from django.test import TestCase

from authors.homonyms import next_homonym_number, used_homonym_numbers
from authors.models import AuthorKey
from tests.factories import make_author


class NextHomonymNumberTests(TestCase):
    def test_it_starts_at_0001_for_a_new_name(self):
        self.assertEqual(next_homonym_number("Nobody Yet"), "0001")

    def test_it_gives_0001_when_only_a_bare_row_exists(self):
        make_author("Wei Wang")

        self.assertEqual(next_homonym_number("Wei Wang"), "0001")

    def test_it_goes_one_above_the_highest_number(self):
        make_author("Wei Wang 0001")
        make_author("Wei Wang 0003")

        self.assertEqual(next_homonym_number("Wei Wang"), "0004")

    def test_it_never_fills_a_gap(self):
        make_author("Wei Wang 0002")

        self.assertEqual(next_homonym_number("Wei Wang"), "0003")

    def test_it_counts_tombstones(self):
        survivor = make_author("Wei Wang 0001")
        make_author("Wei Wang 0005", merged_into=survivor)

        self.assertEqual(next_homonym_number("Wei Wang"), "0006")

    def test_it_ignores_case_and_a_number_passed_with_the_name(self):
        make_author("wei wang 0007")

        self.assertEqual(next_homonym_number("WEI WANG 0001"), "0008")

    def test_it_counts_a_source_key_whose_row_was_renamed(self):
        row = make_author("Jun Wang 0002", key="Jun Wang 0002")
        row.name, row.homonym_number = "Jun Wang-Li", ""
        row.save()
        AuthorKey.objects.create(source="dblp", key="Jun Wang 0006", author=row)

        self.assertEqual(used_homonym_numbers("Jun Wang"), {2, 6})
        self.assertEqual(next_homonym_number("Jun Wang"), "0007")

    def test_it_keeps_names_apart(self):
        make_author("Wei Wang 0004")
        make_author("Wei Wangg 0009")
        AuthorKey.objects.create(source="dblp", key="Wei Wang Li 0012", author=make_author("Wei Wang Li 0012"))

        self.assertEqual(next_homonym_number("Wei Wang"), "0005")

    def test_it_keeps_accented_names_apart(self):
        make_author("Sébastien Lahaie 0002")

        self.assertEqual(next_homonym_number("Sebastien Lahaie"), "0001")
        self.assertEqual(next_homonym_number("Sébastien Lahaie"), "0003")

    def test_it_refuses_past_9999(self):
        make_author("Wei Wang 9999")

        with self.assertRaises(ValueError):
            next_homonym_number("Wei Wang")

    def test_it_uses_a_constant_number_of_queries(self):
        for n in range(1, 6):
            make_author(f"Wei Wang {n:04d}")

        # Expect 3 queries: lock the cluster row (TestCase runs inside a transaction, as a split
        # service does), numbers on rows of the name, source keys written with the name.
        with self.assertNumQueries(3):
            self.assertEqual(next_homonym_number("Wei Wang"), "0006")
