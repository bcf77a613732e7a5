"""The content digest that lets a re-import skip unchanged records covers every imported field, and a
new paper's COPY row holds each field in its place."""

from dataclasses import fields, replace

from django.test import SimpleTestCase

from papers.importing.papers import PAPER_ATTRS, paper_row
from papers.importing.readers.records import AuthorRecord, PaperRecord, VenueRecord
from papers.models import title_key


def make_record(**changes) -> PaperRecord:
    record = PaperRecord(
        source="dblp",
        source_id="conf/x/A1",
        title="On engines",
        location="line 3",
        year=2021,
        pub_type="conference-paper",
        venue=VenueRecord(name="NeurIPS", kind="conference"),
        authors=[AuthorRecord(name="Ada Lovelace", key="a1", orcid="0000-0002-1825-0097")],
        abstract="Abstract.",
        doi="10.1/x",
        url="https://example.org/x",
        dblp_key="conf/x/A1",
        openalex_id="W1",
        arxiv_id="2301.00001",
    )
    return replace(record, **changes)


# A different value for every field of PaperRecord (a new field must be added here and to the digest).
CHANGED = {
    "source": "openalex",
    "source_id": "conf/x/A2",
    "title": "On engines, again",
    "year": 2022,
    "pub_type": "journal-article",
    "venue": VenueRecord(name="ICML", kind="conference"),
    "authors": [AuthorRecord(name="Ada Lovelace", key="a1")],
    "abstract": "Other abstract.",
    "doi": "10.1/y",
    "url": "https://example.org/y",
    "dblp_key": "conf/x/B1",
    "openalex_id": "W2",
    "arxiv_id": "2301.00002",
}


class ContentHashTests(SimpleTestCase):
    def test_every_imported_field_changes_the_digest(self):
        # location says where the record is, digest is the hash itself (the reader process fills it).
        self.assertEqual({f.name for f in fields(PaperRecord)} - {"location", "digest"}, set(CHANGED))
        base = make_record().content_hash()
        for name, value in CHANGED.items():
            with self.subTest(field=name):
                self.assertNotEqual(make_record(**{name: value}).content_hash(), base)

    def test_nested_values_change_the_digest(self):
        base = make_record().content_hash()
        self.assertNotEqual(make_record(venue=VenueRecord(name="NeurIPS", kind="workshop")).content_hash(), base)
        self.assertNotEqual(make_record(venue=None).content_hash(), base)
        self.assertNotEqual(make_record(authors=[]).content_hash(), base)

    def test_where_the_record_was_read_does_not_change_the_digest(self):
        self.assertEqual(make_record(location="line 99").content_hash(), make_record().content_hash())

    def test_the_digest_fits_the_column(self):
        self.assertLessEqual(len(make_record().content_hash()), 64)

    def test_a_digest_the_reader_computed_is_not_carried_into_a_changed_copy(self):
        record = make_record()
        record.digest = record.content_hash()

        changed = replace(record, title="Another title")

        self.assertEqual(changed.digest, "")
        self.assertEqual(changed.content_hash(), make_record(title="Another title").content_hash())

    def test_values_give_back_the_record_field_by_field(self):
        for name, value in {"title": "On engines", **CHANGED}.items():
            with self.subTest(field=name):
                record = make_record(**{name: value})
                self.assertEqual(PaperRecord.from_values(record.values(), location=record.location), record)

    def test_the_digest_format_is_unchanged(self):
        # A different digest for the same record would make the next re-import rewrite every record.
        self.assertEqual(make_record().content_hash(), "v2:ada5d800d2a2995fe45a75d40c44cc99afac271079a7107c")


class PaperRowTests(SimpleTestCase):
    def test_a_papers_row_holds_each_field_in_the_order_of_paper_fields(self):
        record = make_record()
        row = paper_row(record, {"NeurIPS": 7})
        expected = {attr: getattr(record, attr) for attr in PAPER_ATTRS if attr != "venue_id"}
        self.assertEqual(
            dict(zip((*PAPER_ATTRS, "title_key"), row, strict=True)),
            {**expected, "venue_id": 7, "title_key": title_key(record.title)},
        )
