"""dblp XML imports: the real excerpts in shared/data/real/dblp, entities, homonyms, persons, re-imports."""

import gzip
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.core.management import call_command
from django.test import TestCase

from authors.models import Author, AuthorKey, NameCluster
from papers.importing import stats
from papers.models import Authorship, Paper, PaperSource
from tests.conftest import SHARED

REAL = SHARED / "data" / "real" / "dblp"
XCURATOR = REAL / "xcurator_dblp_sample_2013.xml"
SHENKA = REAL / "shenka123_dblp_excerpt.xml"
SOM = REAL / "som_research_data_example.xml"

HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'


def run_import(*args, **options) -> str:
    out = StringIO()
    call_command("import_papers", *[str(a) for a in args], stdout=out, stderr=out, **options)
    return out.getvalue()


class DblpFileTestCase(TestCase):
    def setUp(self):
        self.tmp = TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, records: str, name: str = "dblp.xml") -> Path:
        path = Path(self.tmp.name) / name
        path.write_bytes((HEADER + records + "\n</dblp>\n").encode("iso-8859-1"))
        return path


class RealExcerptTests(TestCase):
    def test_it_imports_every_record_of_the_real_excerpts(self):
        output = run_import(XCURATOR, SHENKA, SOM)

        self.assertIn("1288 created, 0 updated, 0 unchanged, 0 refused", output)
        self.assertIn("131 created, 0 updated, 0 unchanged, 0 refused", output)
        self.assertIn("20 created, 0 updated, 0 unchanged, 0 refused, 68 person records", output)
        self.assertEqual(PaperSource.objects.filter(source="dblp").count(), 1288 + 131 + 20)
        self.assertEqual(Paper.objects.filter(pub_type="book").count(), 144 + 2 + 2)

    def test_it_decodes_the_dtd_entities(self):
        run_import(XCURATOR)

        self.assertTrue(Author.objects.filter(name="André Berton").exists())
        self.assertTrue(Author.objects.filter(name="Johannes Fürnkranz").exists())
        self.assertFalse(Author.objects.filter(name__contains="&").exists())
        self.assertFalse(Paper.objects.filter(title__contains="&").exclude(title__contains=" & ").exists())

    def test_it_splits_homonym_numbers_into_rows_of_the_bare_names_cluster(self):
        run_import(XCURATOR)

        author = Author.objects.get(name="Jun Wang", homonym_number="0006")
        self.assertEqual(author.cluster.key, "jun wang")
        self.assertEqual(Authorship.objects.get(author=author).printed_name, "Jun Wang 0006")
        self.assertEqual(AuthorKey.objects.get(author=author).key, "Jun Wang 0006")

    def test_it_maps_record_fields(self):
        run_import(XCURATOR, SHENKA)

        paper = Paper.objects.get(dblp_key="series/cogtech/BertonKHS06")
        self.assertEqual((paper.title, paper.year, paper.pub_type), ("Speech Recognition", 2006, "book-chapter"))
        self.assertEqual((paper.doi, paper.venue.short_name), ("10.1007/3-540-36678-4_6", "SmartKom"))
        self.assertEqual(paper.url, "http://dx.doi.org/10.1007/3-540-36678-4_6")
        names = list(paper.authorships.order_by("position").values_list("printed_name", flat=True))
        self.assertEqual(names, ["André Berton", "Alfred Kaltenmeier", "Udo Haiber", "Olaf Schreiner"])
        self.assertEqual(Author.objects.get(name="Sylvia C. Pont").orcid, "0000-0002-9834-9600")

    def test_an_edited_volume_lists_its_editors(self):
        run_import(XCURATOR)

        volume = Paper.objects.get(dblp_key="series/cogtech/364227662")
        names = list(volume.authorships.values_list("printed_name", flat=True))
        self.assertEqual(names, ["Antonio Krüger", "Tsvi Kuflik"])

    def test_person_records_give_variants_orcids_and_affiliations(self):
        run_import(SOM)

        sanem = Author.objects.get(name="Sanem Sariel")
        self.assertEqual(sanem.orcid, "0000-0003-2993-6681")
        self.assertEqual(sanem.affiliation, "Istanbul Technical University, Turkey")
        self.assertEqual(sanem.name_variants, ["Sanem Sariel Talay"])
        keys = set(AuthorKey.objects.filter(author=sanem).values_list("key", flat=True))
        # The variant name and both homepage keys (the crossref person is an alias) resolve to the row.
        self.assertEqual(keys, {"Sanem Sariel", "Sanem Sariel Talay", "homepages/17/8399", "homepages/s/SanemSariel"})
        madhu = Author.objects.get(name="Madhu Sudan", homonym_number="0001")
        self.assertEqual(madhu.cluster.key, "madhu sudan")
        self.assertEqual(madhu.orcid, "0000-0003-3718-6489")
        kimmo = Author.objects.get(name="Kimmo Leppanen")
        self.assertEqual(kimmo.name_variants, ["Kimmo Leppänen"])

    def test_importing_twice_changes_nothing(self):
        run_import(XCURATOR, SOM)
        papers = list(Paper.objects.order_by("pk").values())
        authors = list(Author.objects.order_by("pk").values_list("pk", "name", "orcid", "name_variants", "paper_count"))

        output = run_import(XCURATOR, SOM)

        self.assertIn("0 created, 0 updated, 1288 unchanged", output)
        self.assertEqual(list(Paper.objects.order_by("pk").values()), papers)
        self.assertEqual(
            list(Author.objects.order_by("pk").values_list("pk", "name", "orcid", "name_variants", "paper_count")),
            authors,
        )

    def test_it_reads_gzip(self):
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "dblp.xml.gz"
            path.write_bytes(gzip.compress(SHENKA.read_bytes()))

            output = run_import(path)

        self.assertIn("131 created", output)


class RecordRuleTests(DblpFileTestCase):
    def test_titles_with_markup_become_text(self):
        path = self.write(
            '<inproceedings key="conf/x/A1"><author>Ada Lovelace</author>'
            "<title>Fast <i>k</i>-means on H<sub>2</sub>O.</title><year>2021</year>"
            "<booktitle>NeurIPS</booktitle></inproceedings>"
        )

        run_import(path)

        paper = Paper.objects.get()
        self.assertEqual(paper.title, "Fast k-means on H2O")
        self.assertEqual((paper.pub_type, paper.venue.kind), ("conference-paper", "conference"))
        self.assertEqual(paper.url, "https://dblp.org/rec/conf/x/A1")

    def test_informal_publications_are_preprints(self):
        path = self.write(
            '<article key="journals/corr/abs-1" publtype="informal"><author>Ada Lovelace</author>'
            "<title>On engines.</title><year>2023</year><journal>CoRR</journal>"
            "<ee>https://arxiv.org/abs/2301.00001</ee></article>"
        )

        run_import(path)

        paper = Paper.objects.get()
        self.assertEqual((paper.pub_type, paper.venue.kind, paper.arxiv_id), ("preprint", "preprint", "2301.00001"))

    def test_a_person_record_never_overwrites_locked_fields_or_moves_keys(self):
        run_import(self.write('<article key="a/1"><author>Ada Lovelace</author><title>T.</title></article>'))
        ada = Author.objects.get()
        ada.affiliation, ada.locked_fields = "Curated College", ["affiliation"]
        ada.save()
        cluster = NameCluster.objects.create(key="a. lovelace", name="A. Lovelace", slug="a-lovelace")
        other = Author.objects.create(name="A. Lovelace", cluster=cluster)
        AuthorKey.objects.create(source="dblp", key="A. Lovelace", author=other)

        run_import(
            self.write(
                '<www key="homepages/1/1"><author>Ada Lovelace</author><author>A. Lovelace</author>'
                '<title>Home Page</title><note type="affiliation">Source University</note>'
                "<url>https://orcid.org/0000-0002-1825-0097</url></www>",
                name="persons.xml",
            )
        )

        ada.refresh_from_db()
        self.assertEqual((ada.affiliation, ada.orcid), ("Curated College", "0000-0002-1825-0097"))
        self.assertEqual(AuthorKey.objects.get(key="A. Lovelace").author, other)
        self.assertEqual(AuthorKey.objects.get(key="homepages/1/1").author, ada)

    def test_a_paper_by_a_name_variant_lands_on_the_persons_row(self):
        run_import(SOM)

        run_import(self.write('<article key="x/1"><author>Sanem Sariel Talay</author><title>T.</title></article>'))

        self.assertEqual(Author.objects.get(name="Sanem Sariel").paper_count, 1)
        self.assertFalse(Author.objects.filter(name="Sanem Sariel Talay").exists())

    def test_the_same_key_twice_in_one_batch_is_one_paper(self):
        record = '<article key="a/1"><author>Ada Lovelace</author><title>{}</title></article>'
        path = self.write(record.format("First.") + record.format("Second."))

        run_import(path)

        self.assertEqual(Paper.objects.get().title, "Second")

    def test_statistics_are_refreshed_as_the_import_grows(self):
        # With the threshold at one paper and one record per batch, ANALYZE runs inside the import
        # after papers 1, 2 and 4 (each time the count has doubled), then once more at the end.
        records = "".join(
            f'<article key="a/{n}"><author>Ada Lovelace</author><title>Paper {n}.</title></article>' for n in range(5)
        )
        with (
            mock.patch("papers.importing.stats.ANALYZE_FIRST", 1),
            mock.patch("papers.importing.stats.analyze_tables", wraps=stats.analyze_tables) as analyze,
        ):
            output = run_import(self.write(records), batch_size=1)

        self.assertIn("5 created", output)
        self.assertEqual(analyze.call_count, 4)
