"""papers.bulk: any_of and update_rows send one parameter per array, whatever the values hold; ids by block."""

from django.db import connection
from django.test import TestCase

from authors.models import Author
from papers.bulk import ARRAY_SEPARATOR, allocate_ids, any_of, ids_in_blocks, update_rows
from papers.models import Paper, Venue
from tests.factories import make_author, make_paper
from tests.gates import postgresql_only


class AnyOfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.papers = [
            make_paper(dblp_key="conf/a/1"),
            make_paper(dblp_key=f"odd{ARRAY_SEPARATOR}key"),
            make_paper(dblp_key='it\'s, "quoted" {and} \\escaped\\'),
            make_paper(dblp_key=""),
        ]

    def matches(self, column: str, values) -> set:
        return set(Paper.objects.filter(any_of(column, values)).values_list("pk", flat=True))

    def test_strings_find_the_same_rows_as_in(self):
        for values in (
            ["conf/a/1", "missing"],
            ['it\'s, "quoted" {and} \\escaped\\'],
            [f"odd{ARRAY_SEPARATOR}key"],  # cannot ride in the joined string: sent as a list
            [""],  # string_to_array would drop it: sent as a list
            ["conf/a/1", ""],
        ):
            with self.subTest(values=values):
                expected = set(Paper.objects.filter(dblp_key__in=values).values_list("pk", flat=True))
                self.assertTrue(expected)
                self.assertEqual(self.matches("dblp_key", values), expected)

    def test_integers_find_the_same_rows_as_in(self):
        ids = [self.papers[0].pk, self.papers[2].pk, 10**12]

        self.assertEqual(self.matches("pk", ids), {self.papers[0].pk, self.papers[2].pk})

    def test_no_values_match_nothing(self):
        self.assertEqual(self.matches("pk", []), set())


class UpdateRowsTests(TestCase):
    def test_each_row_gets_its_values_whatever_they_hold(self):
        authors = [make_author(f"Writer Number{i}") for i in range(4)]
        values = [
            ("Plain Affiliation", ["A. Variant"]),
            (f"odd{ARRAY_SEPARATOR}name", []),
            ("", ['quoted "x", {y}']),
            ("back\\slash, comma", ["two", "variants"]),
        ]

        update_rows(
            Author, ["affiliation", "name_variants"], [(a.pk, *v) for a, v in zip(authors, values, strict=True)]
        )

        got = {a.pk: (a.affiliation, a.name_variants) for a in Author.objects.filter(pk__in=[a.pk for a in authors])}
        self.assertEqual(got, {a.pk: v for a, v in zip(authors, values, strict=True)})


@postgresql_only("ids come from a PostgreSQL sequence")
class AllocateIdsTests(TestCase):
    def test_a_locked_table_takes_a_block_of_ids_that_later_inserts_do_not_reuse(self):
        before = allocate_ids(Venue, 1)[0]
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE papers_venue IN ACCESS EXCLUSIVE MODE")
        with ids_in_blocks(["papers_venue"]):
            block = allocate_ids(Venue, 500)
        after = allocate_ids(Venue, 3)
        created = Venue.objects.create(short_name="After the block", slug="after-the-block").pk

        self.assertEqual(block, list(range(before + 1, before + 501)))
        self.assertEqual(after, [before + 501, before + 502, before + 503])
        self.assertEqual(created, before + 504)

    def test_other_tables_keep_drawing_id_by_id(self):
        first = allocate_ids(Venue, 2)
        with ids_in_blocks(["papers_paper"]):
            self.assertEqual(allocate_ids(Venue, 2), [first[1] + 1, first[1] + 2])
