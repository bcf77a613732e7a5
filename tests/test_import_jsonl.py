"""The JSON Lines import rules of the foundation issue, on whichever database DATABASE_URL names."""

import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command
from django.test import TestCase

from authors.models import Author, AuthorKey, NameCluster
from papers.models import Authorship, ImportRun, Paper, PaperSource, Venue
from tests.conftest import SAMPLE, run_manage_subprocess


def run_import(*args, **options) -> str:
    out = StringIO()
    call_command("import_papers", *[str(a) for a in args], stdout=out, stderr=out, **options)
    return out.getvalue()


class JsonlFileTestCase(TestCase):
    def setUp(self):
        self.tmp = TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, lines, name="papers.jsonl") -> Path:
        path = Path(self.tmp.name) / name
        path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
        return path

    def record(self, n=1, **fields):
        data = {
            "source": "test",
            "source_id": f"r{n}",
            "type": "conference-paper",
            "title": f"Paper {n}",
            "year": 2024,
            "venue": {"name": "ICML", "kind": "conference"},
            "authors": [{"name": "Ada Lovelace"}, {"name": "Charles Babbage"}],
        }
        data.update(fields)
        return data


class SampleImportTests(TestCase):
    def test_sample_gives_nine_papers_and_two_rows_in_one_cluster(self):
        output = run_import(SAMPLE)

        self.assertIn("9 created, 0 updated, 0 unchanged, 0 refused", output)
        self.assertEqual(Paper.objects.count(), 9)
        cluster = NameCluster.objects.get(slug="keivan-rezaei")
        self.assertEqual((cluster.name, cluster.paper_count, cluster.author_count), ("Keivan Rezaei", 9, 2))
        rows = Author.objects.filter(cluster=cluster)
        self.assertEqual(sorted(r.paper_count for r in rows), [2, 7])
        self.assertEqual(
            set(AuthorKey.objects.filter(author__in=rows).values_list("key", flat=True)),
            {"arrow-seed:keivan-rezaei-a", "arrow-seed:keivan-rezaei-b"},
        )

    def test_it_keeps_authors_in_order_with_printed_names(self):
        run_import(SAMPLE)

        paper = Paper.objects.get(title="Localizing Knowledge in Diffusion Transformers")
        names = list(paper.authorships.order_by("position").values_list("printed_name", flat=True))
        self.assertEqual(names[:3], ["Arman Zarei", "Samyadeep Basu", "Keivan Rezaei"])
        self.assertEqual((paper.year, paper.pub_type, paper.venue.short_name), (2025, "conference-paper", "NeurIPS"))
        self.assertEqual(paper.venue.kind, Venue.Kind.CONFERENCE)
        self.assertIn("PixArt-$\\alpha$", paper.abstract)

    def test_it_splits_off_the_dblp_homonym_number(self):
        run_import(SAMPLE)

        author = Author.objects.get(name="Wenxiao Wang")
        self.assertEqual((author.homonym_number, author.full_name), ("0002", "Wenxiao Wang 0002"))
        self.assertEqual(author.cluster.key, "wenxiao wang")
        self.assertEqual(Authorship.objects.get(author=author).printed_name, "Wenxiao Wang 0002")

    def test_it_records_provenance(self):
        run_import(SAMPLE)

        source = PaperSource.objects.get(source="arrow-seed", source_id="seed-1")
        self.assertEqual(source.paper.title, "Localizing Knowledge in Diffusion Transformers")
        self.assertEqual(source.file_name, "keivan-rezaei.jsonl")
        self.assertIsNotNone(source.imported_at)
        self.assertEqual(ImportRun.objects.get().counts["created"], 9)

    def test_importing_twice_changes_nothing(self):
        run_import(SAMPLE)
        before = list(Paper.objects.order_by("pk").values())
        authors_before = list(Author.objects.order_by("pk").values())

        output = run_import(SAMPLE)

        self.assertIn("0 created, 0 updated, 9 unchanged, 0 refused", output)
        self.assertEqual(list(Paper.objects.order_by("pk").values()), before)
        self.assertEqual(list(Author.objects.order_by("pk").values()), authors_before)
        self.assertEqual(Authorship.objects.count(), 47)
        self.assertEqual(NameCluster.objects.get(slug="keivan-rezaei").paper_count, 9)

    def test_dry_run_writes_nothing(self):
        output = run_import(SAMPLE, dry_run=True)

        self.assertIn("Dry run, nothing written", output)
        self.assertIn("9 created", output)
        self.assertEqual((Paper.objects.count(), Author.objects.count(), ImportRun.objects.count()), (0, 0, 0))


class AuthorIdentityTests(JsonlFileTestCase):
    def test_without_a_key_the_name_as_written_is_the_key(self):
        path = self.write([self.record(1), self.record(2)])

        run_import(path)

        self.assertEqual(Author.objects.filter(name="Ada Lovelace").count(), 1)
        self.assertEqual(Author.objects.get(name="Ada Lovelace").paper_count, 2)

    def test_keys_separate_rows_of_one_name_into_one_cluster(self):
        path = self.write(
            [
                self.record(1, authors=[{"name": "Ada Lovelace", "key": "a"}]),
                self.record(2, authors=[{"name": "ada  lovelace", "key": "b"}]),
            ]
        )

        run_import(path)

        rows = Author.objects.filter(cluster__key="ada lovelace")
        self.assertEqual(rows.count(), 2)
        self.assertEqual(NameCluster.objects.get(key="ada lovelace").author_count, 2)

    def test_diacritics_make_a_different_cluster(self):
        path = self.write(
            [
                self.record(1, authors=[{"name": "Sébastien Lahaie"}]),
                self.record(2, authors=[{"name": "Sebastien Lahaie"}]),
            ]
        )

        run_import(path)

        slugs = sorted(NameCluster.objects.values_list("slug", flat=True))
        self.assertEqual(slugs, ["sebastien-lahaie", "sebastien-lahaie-2"])

    def test_the_same_key_in_another_source_is_another_row(self):
        path = self.write([self.record(1), self.record(2, source="other")])

        run_import(path)

        self.assertEqual(Author.objects.filter(name="Ada Lovelace").count(), 2)

    def test_an_orcid_fills_an_empty_one_later(self):
        run_import(self.write([self.record(1)]))
        orcid = "0000-0002-1825-0097"

        run_import(self.write([self.record(2, authors=[{"name": "Ada Lovelace", "orcid": orcid}])]))

        self.assertEqual(Author.objects.get(name="Ada Lovelace").orcid, orcid)


class ReimportTests(JsonlFileTestCase):
    def test_a_changed_record_updates_only_that_paper(self):
        run_import(self.write([self.record(1), self.record(2)]))

        output = run_import(self.write([self.record(1, title="Paper one, revised"), self.record(2)]))

        self.assertIn("0 created, 1 updated, 1 unchanged", output)
        self.assertTrue(Paper.objects.filter(title="Paper one, revised").exists())
        self.assertEqual(Paper.objects.count(), 2)

    def test_changed_authors_are_rewritten_and_counts_follow(self):
        run_import(self.write([self.record(1)]))

        run_import(self.write([self.record(1, authors=[{"name": "Grace Hopper"}])]))

        paper = Paper.objects.get()
        self.assertEqual(list(paper.authorships.values_list("printed_name", flat=True)), ["Grace Hopper"])
        self.assertEqual(Author.objects.get(name="Ada Lovelace").paper_count, 0)
        self.assertEqual(NameCluster.objects.get(key="ada lovelace").paper_count, 0)

    def test_a_curator_locked_field_survives_reimport(self):
        run_import(self.write([self.record(1)]))
        paper = Paper.objects.get()
        paper.title = "Corrected by a curator"
        paper.locked_fields = ["title"]
        paper.save()

        run_import(self.write([self.record(1, title="Paper 1 (source typo)", year=2023)]))

        paper.refresh_from_db()
        self.assertEqual((paper.title, paper.year), ("Corrected by a curator", 2023))

    def test_a_curated_authorship_survives_reimport(self):
        run_import(self.write([self.record(1)]))
        cluster = NameCluster.objects.create(key="grace hopper", name="Grace Hopper", slug="grace-hopper")
        grace = Author.objects.create(name="Grace Hopper", cluster=cluster)
        authorship = Authorship.objects.get(position=1)
        authorship.author, authorship.curated = grace, True
        authorship.save()

        run_import(self.write([self.record(1, title="Retitled")]))

        self.assertEqual(Authorship.objects.get(position=1).author, grace)


class BadInputTests(JsonlFileTestCase):
    def assertRefused(self, lines, *expected):
        path = self.write(lines)
        with self.assertRaises(CommandError):
            output = run_import(path)
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_papers", str(path), stdout=out, stderr=out)
        output = out.getvalue()
        for text in expected:
            self.assertIn(text, output)
        self.assertIn(str(path), output)
        self.assertEqual((Paper.objects.count(), Author.objects.count(), Venue.objects.count()), (0, 0, 0))
        return output

    def test_invalid_json_is_refused_naming_the_line(self):
        lines = [self.record(1), self.record(2), "{not json"]
        self.assertRefused(lines, "line 3: not valid JSON", "nothing was imported")

    def test_wrong_types_are_refused(self):
        self.assertRefused([self.record(1, year="2024")], 'line 1: "year" must be a whole number')
        self.assertRefused([self.record(1, type="poster")], 'line 1: "type" must be one of')
        self.assertRefused([self.record(1, title="")], 'line 1: "title" is missing')
        self.assertRefused([self.record(1, authors=[{"key": "x"}])], 'line 1: author 1: "name" is missing')
        self.assertRefused([self.record(1, authors="Ada")], '"authors" must be a list')
        self.assertRefused(["[1, 2]"], "must hold a JSON object")
        self.assertRefused([self.record(1, venue={"name": "X", "kind": "party"})], '"venue.kind" must be one of')

    def test_every_bad_line_is_listed(self):
        output = self.assertRefused([self.record(1, year=1), self.record(2), "nope"], "line 1:", "line 3:")
        self.assertIn("2 bad record(s)", output)

    def test_skip_invalid_imports_the_good_records_and_lists_the_bad(self):
        path = self.write([self.record(1), "nope", self.record(3)])

        output = run_import(path, skip_invalid=True)

        self.assertIn("line 2: not valid JSON", output)
        self.assertIn("2 created, 0 updated, 0 unchanged, 1 refused", output)
        self.assertEqual(Paper.objects.count(), 2)

    def test_a_binary_file_is_refused(self):
        path = Path(self.tmp.name) / "image.jsonl"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_papers", str(path), stdout=out, stderr=out)
        self.assertIn("not a format Arrow imports", out.getvalue())

    def test_a_missing_file_is_refused(self):
        with self.assertRaisesMessage(CommandError, "no-such.jsonl: no such file"):
            run_import(Path(self.tmp.name) / "no-such.jsonl")

    def test_the_command_exits_non_zero_without_a_traceback(self):
        path = self.write([self.record(1), "{broken"])
        result = run_manage_subprocess("import_papers", str(path))

        self.assertEqual(result.returncode, 1)
        self.assertIn("line 2: not valid JSON", result.stderr)
        self.assertNotIn("Traceback", result.stderr + result.stdout)
