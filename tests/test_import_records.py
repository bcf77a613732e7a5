"""The content digest that lets a re-import skip unchanged records covers every imported field."""

from dataclasses import fields, replace

from django.test import SimpleTestCase

from papers.importers.records import AuthorRecord, PaperRecord, VenueRecord


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
        self.assertEqual({f.name for f in fields(PaperRecord)} - {"location"}, set(CHANGED))
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
