"""papers.bulk.any_of: one array parameter, and the same rows as `__in` whatever the values hold."""

from django.test import TestCase

from papers.bulk import ARRAY_SEPARATOR, any_of
from papers.models import Paper
from tests.factories import make_paper


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
