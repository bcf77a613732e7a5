"""The learned grouping (authors/curation/grouping.py): the shipped model, average linkage, the habits' evidence."""

import json

from django.test import SimpleTestCase

from authors.curation.clustering import average_linkage
from authors.curation.grouping import (
    ATTACH_FEATURES,
    FEATURES,
    MODEL_PATH,
    Habits,
    PaperEvidence,
    PersonModel,
    default_model,
    group_papers,
)


def paper(paper_id, *coauthors, venue="", year=None, title=""):
    return PaperEvidence(paper_id, frozenset(coauthors), venue, year, title)


class ModelTests(SimpleTestCase):
    def test_the_shipped_model_loads_with_its_features(self):
        model = default_model()

        self.assertEqual(model.pair.features, FEATURES)
        self.assertEqual(model.attach.features, ATTACH_FEATURES)
        self.assertTrue(0 < model.threshold < 1)

    def test_a_model_for_other_features_is_refused(self):
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        data["pair"]["features"] = data["pair"]["features"][:-1]

        with self.assertRaises(ValueError):
            PersonModel.from_json(data)


class AverageLinkageTests(SimpleTestCase):
    def test_it_joins_while_the_weighted_mean_probability_reaches_the_threshold(self):
        # 0-1 join first (0.9); then {0, 1} and 2 average (0.8 * 1 + 0.0 * 1) / 2 = 0.4.
        scores = {(0, 1): 0.9, (0, 2): 0.8}

        self.assertEqual(sorted(map(sorted, average_linkage([1, 1, 1], scores, 0.5))), [[0, 1], [2]])
        self.assertEqual(sorted(map(sorted, average_linkage([1, 1, 1], scores, 0.4))), [[0, 1, 2]])

    def test_sizes_weigh_the_mean(self):
        # Item 1 stands for three papers: {0, 1} and 2 average (0.8 * 1 + 0.3 * 3) / 4 = 0.425.
        scores = {(0, 1): 0.9, (0, 2): 0.8, (1, 2): 0.3}

        self.assertEqual(sorted(map(sorted, average_linkage([1, 3, 1], scores, 0.42))), [[0, 1, 2]])
        self.assertEqual(sorted(map(sorted, average_linkage([1, 3, 1], scores, 0.43))), [[0, 1], [2]])


class HabitsTests(SimpleTestCase):
    def test_a_paper_leans_to_the_group_of_its_venue_and_years(self):
        papers = [
            paper(1, venue="SIGMOD", year=2010, title="Query optimization"),
            paper(2, venue="SIGMOD", year=2011, title="Join processing"),
            paper(3, venue="CHI", year=1999, title="Touch screens"),
            paper(4, venue="CHI", year=2000, title="Gesture input"),
            paper(5, venue="SIGMOD", year=2012, title="Query processing"),
        ]
        habits = Habits(papers)

        self.assertGreater(habits.between([5], [1, 2]), 0)
        self.assertLess(habits.between([5], [3, 4]), 0)

    def test_signals_every_paper_shares_say_nothing(self):
        papers = [paper(n, venue="AAAI", year=2020, title="Learning") for n in range(4)]

        self.assertAlmostEqual(Habits(papers).between([0], [1, 2]), 0.0)

    def test_grouping_with_habits_keeps_every_paper_once(self):
        papers = [paper(1, "a", venue="X", year=2001), paper(2, "a", venue="X"), paper(3, "b", venue="Y"), paper(4)]

        groups = group_papers(papers, habits=True)

        self.assertEqual(sorted(p for g in groups for p in g), [1, 2, 3, 4])
