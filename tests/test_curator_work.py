"""The curator work queues (issue 24): planted cases land in their queue, dismissals survive
refreshes and re-imports until the evidence grows, only curators see or act, each page's queries are
counted, and `suggest_persons` writes its documented lines."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from authors.curation.merge import author_merge
from authors.curation.work import refresh_curator_work
from authors.models import Author, CuratorSuggestion, CuratorWorkPending, SuggestionDismissal
from papers.models import PaperSource
from tests.factories import make_author, make_paper, make_venue
from tests.test_author_admin import make_curator

Queue = CuratorSuggestion.Queue


def record(n: int, authors: list[tuple[str, str]], venue: str = "SODA", year: int = 2020) -> dict:
    return {
        "source": "planted",
        "source_id": f"r{n}",
        "type": "conference-paper",
        "title": f"Planted paper {n}",
        "year": year,
        "venue": {"name": venue, "kind": "conference"},
        "authors": [{"name": name, "key": f"planted:{key}"} for name, key in authors],
    }


HAJI_A = ("Mohammad Hajiaghayi", "haji-a")
HAJI_B = ("MohammadTaghi Hajiaghayi", "haji-b")


class ImportedQueueTests(TestCase):
    """A name-variant pair sharing a co-author, imported from JSON Lines, as curators meet it."""

    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [p.unlink() for p in self.folder.iterdir()] and None)
        self.records = [
            record(1, [HAJI_A, ("Erik Demaine", "demaine")]),
            record(2, [HAJI_B, ("Erik Demaine", "demaine")]),
        ]
        self.import_records()
        self.curator = make_curator()

    def import_records(self):
        path = self.folder / "planted.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in self.records))
        call_command("import_papers", str(path), stdout=StringIO(), stderr=StringIO())
        refresh_curator_work()

    def merge_item(self) -> CuratorSuggestion:
        return CuratorSuggestion.objects.get(queue=Queue.MERGE)

    def test_the_variant_pair_is_a_merge_suggestion_with_its_evidence(self):
        item = self.merge_item()
        self.assertEqual(item.evidence["reason"], "name variant")
        self.assertEqual(item.evidence["shared_coauthors"], ["Erik Demaine"])
        self.assertEqual(item.evidence["shared_venues"], ["SODA"])
        self.assertEqual(item.evidence["years"], [[2020, 2020], [2020, 2020]])
        names = set(Author.objects.filter(pk__in=item.author_ids).values_list("name", flat=True))
        self.assertEqual(names, {HAJI_A[0], HAJI_B[0]})

    def test_rows_whose_keys_carry_two_dblp_numbers_are_not_suggested(self):
        # dblp has told these two apart, however many co-authors they share.
        self.records = [
            record(10 + n, [("Lucas Zhu", f"Lucas Zhu 000{n % 2 + 1}"), ("Erik Demaine", "demaine")]) for n in range(4)
        ]
        self.import_records()
        pairs = CuratorSuggestion.objects.filter(queue=Queue.MERGE).values_list("title", flat=True)
        self.assertFalse([title for title in pairs if "Lucas Zhu" in title])

    def test_a_dismissal_survives_a_reimport_until_the_evidence_grows(self):
        item = self.merge_item()
        self.client.force_login(self.curator)
        response = self.client.post(reverse("curator-work:dismiss", args=[item.pk]), {"note": "two people"})
        self.assertEqual(response.status_code, 302)
        dismissal = SuggestionDismissal.objects.get()
        self.assertEqual((dismissal.note, dismissal.curator, dismissal.strength), ("two people", self.curator, 5))
        self.assertFalse(CuratorSuggestion.objects.open().exists())

        self.records.append(record(3, [HAJI_A, ("Someone Else", "else")]))
        self.import_records()  # a re-import and a full refresh: same pair, same evidence
        self.assertEqual(CuratorSuggestion.objects.filter(queue=Queue.MERGE).count(), 1)
        self.assertFalse(CuratorSuggestion.objects.open().exists())

        # One more shared co-author is not enough (5 -> 9 quarter points); two more are (13).
        self.records += [record(4, [HAJI_A, ("Jeff Erickson", "je")]), record(5, [HAJI_B, ("Jeff Erickson", "je")])]
        self.import_records()
        self.assertFalse(CuratorSuggestion.objects.open().exists())
        self.records += [
            record(6, [HAJI_A, ("Sariel Har-Peled", "shp")]),
            record(7, [HAJI_B, ("Sariel Har-Peled", "shp")]),
        ]
        self.import_records()
        self.assertEqual(list(CuratorSuggestion.objects.open().values_list("queue", flat=True)), [Queue.MERGE])

    def test_the_merge_button_opens_the_merge_confirmation_for_the_pair(self):
        item = self.merge_item()
        self.client.force_login(self.curator)
        page = self.client.get(reverse("curator-work:queue", args=["merge"]))
        self.assertContains(page, "Review this merge")
        response = self.client.post(
            reverse("admin:authors_author_changelist"),
            {"action": "merge_authors", "select_across": "0", "index": "0", "_selected_action": item.author_ids},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "admin/authors/author/merge_confirmation.html")
        self.assertEqual({row.pk for row in response.context["rows"]}, set(item.author_ids))


class PlantedQueueTests(TestCase):
    def setUp(self):
        self.curator = make_curator()
        self.client.force_login(self.curator)
        venue = make_venue(short_name="STOC")
        # One row, two people: co-authors {Alice, Bob} and {Carol, Dan} never meet.
        self.row = make_author("Jun Wang")
        alice, bob, carol, dan = (make_author(n) for n in ("Alice A", "Bob B", "Carol C", "Dan D"))
        self.one = [make_paper([self.row, alice, bob], venue=venue) for _ in range(3)]
        self.two = [make_paper([self.row, carol, dan], venue=venue) for _ in range(2)]
        # One ORCID on two rows.
        self.orcid_rows = [make_author(n, orcid="0000-0002-1825-0097") for n in ("Ann Lee", "Ann B. Lee")]
        refresh_curator_work()

    def test_a_row_of_two_coauthor_groups_is_a_split_suggestion(self):
        item = CuratorSuggestion.objects.get(queue=Queue.SPLIT)
        self.assertEqual(item.author_ids, [self.row.pk])
        groups = item.evidence["groups"]
        self.assertEqual([sorted(g["papers"]) for g in groups], [[p.pk for p in self.one], [p.pk for p in self.two]])
        self.assertEqual(groups[1]["coauthors"], ["Carol C", "Dan D"])
        self.assertEqual(item.strength, 2)

    def test_the_split_button_opens_the_split_page_with_the_group_ticked(self):
        page = self.client.get(reverse("curator-work:queue", args=["split"]))
        url = f"{reverse('admin:authors_author_split', args=[self.row.pk])}?papers={self.two[0].pk},{self.two[1].pk}"
        self.assertContains(page, url.replace("&", "&amp;"))
        split = self.client.get(url)
        self.assertEqual(split.context["selected"], {p.pk for p in self.two})

    def test_one_orcid_on_two_rows_is_a_data_quality_finding(self):
        item = CuratorSuggestion.objects.get(queue=Queue.QUALITY, key__startswith="shared-orcid:")
        self.assertEqual(sorted(item.author_ids), sorted(r.pk for r in self.orcid_rows))
        self.assertEqual(item.evidence["detail"], "0000-0002-1825-0097")

    def test_a_merge_that_dropped_an_orcid_is_a_data_quality_finding(self):
        first, second = (
            make_author(n, orcid=o) for n, o in (("Bo Li", "0000-0001-0000-0001"), ("Bo Li", "0000-0001-0000-0002"))
        )
        author_merge(target=first, sources=[second], curator=self.curator)
        refresh_curator_work()
        item = CuratorSuggestion.objects.get(queue=Queue.QUALITY, key__startswith="orcid-conflict:")
        self.assertEqual(item.author_ids, [first.pk, second.pk])
        self.assertEqual(item.evidence["kind"], "conflicting ORCIDs")
        self.assertIn("0000-0001-0000-0002", item.evidence["detail"])

    def test_the_admin_index_links_each_queue_with_its_open_count(self):
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, reverse("curator-work:index"))
        self.assertContains(response, "Split suggestions</a>: 1 open")

    def test_each_queue_page_runs_a_fixed_number_of_queries(self):
        # Session, user and its two permission reads, then the count and the page (the index: its counts).
        for queue in Queue.values:
            with self.subTest(queue=queue), self.assertNumQueries(6):
                self.assertEqual(self.client.get(reverse("curator-work:queue", args=[queue])).status_code, 200)
        with self.assertNumQueries(5):
            self.client.get(reverse("curator-work:index"))

    def test_a_split_refreshes_the_clusters_queue_when_it_commits(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:authors_author_split", args=[self.row.pk]),
                {"papers": [p.pk for p in self.two], "target": "new"},
            )
        self.assertFalse(CuratorSuggestion.objects.filter(queue=Queue.SPLIT).exists())


class CuratorOnlyTests(TestCase):
    def setUp(self):
        make_author("Ann Lee", orcid="0000-0002-1825-0097")
        make_author("Ann B. Lee", orcid="0000-0002-1825-0097")
        refresh_curator_work()
        self.item = CuratorSuggestion.objects.get(queue=Queue.QUALITY, key__startswith="shared-orcid:")

    def test_staff_without_the_curator_permission_neither_see_nor_act(self):
        staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
        self.client.force_login(staff)
        for url in (reverse("curator-work:index"), reverse("curator-work:queue", args=["quality"])):
            self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(reverse("curator-work:dismiss", args=[self.item.pk])).status_code, 403)
        self.assertFalse(SuggestionDismissal.objects.exists())
        self.assertNotContains(self.client.get(reverse("admin:index")), "Curator work")

    def test_visitors_are_sent_to_the_login(self):
        response = self.client.get(reverse("curator-work:index"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_a_dismissal_redirects_only_to_this_site(self):
        self.client.force_login(make_curator())
        url = reverse("curator-work:dismiss", args=[self.item.pk])
        response = self.client.post(url, {"next": "https://evil.example/"})
        self.assertEqual(response["Location"], reverse("curator-work:queue", args=["quality"]))


class SuggestPersonsCommandTests(TestCase):
    def test_each_cluster_is_one_line_with_every_paper_in_one_group(self):
        row = make_author("Jun Wang")
        alice, carol = make_author("Alice A"), make_author("Carol C")
        papers = [make_paper([row, alice]), make_paper([row, alice]), make_paper([row, carol])]
        out = Path(tempfile.mkdtemp()) / "persons.jsonl"
        self.addCleanup(out.unlink, missing_ok=True)

        call_command("suggest_persons", output=str(out), stdout=StringIO(), stderr=StringIO())

        lines = [json.loads(line) for line in out.read_text().splitlines()]
        jun = next(line for line in lines if line["cluster"] == row.cluster.slug)
        self.assertEqual(set(jun), {"cluster", "name", "groups"})
        self.assertEqual(jun["name"], "Jun Wang")
        sources = [item for group in jun["groups"] for item in group]
        expected = PaperSource.objects.filter(paper__in=papers).values_list("source_id", flat=True)
        self.assertEqual(sorted(s["source_id"] for s in sources), sorted(expected))
        self.assertTrue(all(set(s) == {"source", "source_id"} for s in sources))
        self.assertEqual(len(lines), len({line["cluster"] for line in lines}))


class AfterImportTests(TestCase):
    """An import notes the clusters it touched; `refresh_curator_work` rebuilds only those (and the
    data-quality queue), so a small import after a big one costs a small refresh."""

    def import_records(self, records: list[dict]):
        path = Path(tempfile.mkdtemp()) / "records.jsonl"
        self.addCleanup(path.unlink)
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        call_command("import_papers", str(path), stdout=StringIO(), stderr=StringIO())

    def refresh(self) -> str:
        out = StringIO()
        call_command("refresh_curator_work", stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_only_the_clusters_an_import_touched_are_rebuilt(self):
        self.import_records(
            [record(1, [HAJI_A, ("Erik Demaine", "demaine")]), record(2, [HAJI_B, ("Erik Demaine", "demaine")])]
        )
        self.assertIn("Curator work: 1 merge", self.refresh())
        self.assertFalse(CuratorWorkPending.objects.exists())
        self.assertIn("Nothing stale", self.refresh())

        self.import_records([record(3, [("Ann Lee", "ann"), ("Bob Ross", "bob")])])
        touched = set(CuratorWorkPending.objects.values_list("cluster__name", flat=True))
        self.assertEqual(touched, {"Ann Lee", "Bob Ross"})
        self.refresh()
        self.assertFalse(CuratorWorkPending.objects.exists())
        # The untouched pair's item is still there, rebuilt by nobody.
        self.assertEqual(CuratorSuggestion.objects.filter(queue=Queue.MERGE).count(), 1)
