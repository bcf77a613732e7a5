"""Writing paper records as papers: new papers with their search text, changes to known ones (curator
locks and the primary source respected), provenance rows and author lists."""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from papers.bulk import any_of, insert_rows
from papers.importing.readers.records import PaperRecord
from papers.importing.writer import Writes
from papers.models import Authorship, Paper, PaperSource, Venue, title_key

# Paper fields an import sets: (name curators lock, model attribute).
PAPER_FIELDS = [
    ("title", "title"),
    ("abstract", "abstract"),
    ("year", "year"),
    ("pub_type", "pub_type"),
    ("venue", "venue_id"),
    ("doi", "doi"),
    ("url", "url"),
    ("dblp_key", "dblp_key"),
    ("openalex_id", "openalex_id"),
    ("arxiv_id", "arxiv_id"),
]
PAPER_ATTRS = tuple(attr for _, attr in PAPER_FIELDS)
# Text columns on papers_paper that migration 0002's triggers keep for full-text search (PostgreSQL
# only, not model fields): the importer fills them itself for the papers it creates.
SEARCH_TEXT_COLUMNS = ("search_authors", "search_venue")
AUTHORSHIP_COLUMNS = ["paper_id", "author_id", "position", "printed_name", "source", "source_key"]


class Papers:
    """An import's paper, provenance and authorship rows, written through its Writes."""

    def __init__(self, writes: Writes, *, file_name: str = ""):
        self.writes = writes
        self.file_name = file_name[:500]
        self.search_columns = search_text_columns()

    def existing_sources(self, records: list[PaperRecord]) -> dict[tuple[str, str], tuple[int, str]]:
        """(source, source_id) -> (paper id, content hash) of the records already imported."""
        by_source = defaultdict(list)
        for r in records:
            by_source[r.source].append(r.source_id)
        found = {}
        for source, ids in by_source.items():
            rows = PaperSource.objects.filter(any_of("source_id", ids), source=source)
            for source_id, paper_id, content_hash in rows.values_list("source_id", "paper_id", "content_hash"):
                found[(source, source_id)] = (paper_id, content_hash)
        return found

    def create(self, records: list[PaperRecord], venues: dict[str, Venue]) -> dict[tuple[str, str], int]:
        """Insert the papers no source has yet; return their ids by (source, source_id)."""
        ids = self.writes.create(
            Paper,
            len(records),
            lambda: self.rows(records, venues),
            keys=((r.source, r.source_id) for r in records),
            extra_columns=self.search_columns,
        )
        return {(r.source, r.source_id): pk for r, pk in zip(records, ids, strict=True)}

    def rows(self, records: list[PaperRecord], venues: dict[str, Venue]) -> tuple[list[str], list[list]]:
        """The new papers' rows for insert_rows: their fields, then the search text columns."""
        fields = [*PAPER_ATTRS, "title_key", "primary_source"]
        venue_ids = {name: venue.pk for name, venue in venues.items()}
        # Written as migration 0002's triggers would write them (authors' printed names in order,
        # the venue's names), so the triggers find nothing to change instead of rewriting each
        # new paper row, its search vector and its GIN entries a second time.
        venue_text = {name: " ".join(filter(None, (v.short_name, v.full_name))) for name, v in venues.items()}
        rows = []
        for r in records:
            row = paper_row(r, venue_ids)
            row.append(r.source)
            for column in self.search_columns:
                if column == "search_authors":
                    row.append(" ".join(a.name[:300] for a in r.authors))
                else:
                    row.append(venue_text.get(r.venue.name, "") if r.venue else "")
            rows.append(row)
        return fields, rows

    def write_sources(
        self, records: list[PaperRecord], hashes: dict, new_ids: dict, updates: dict, *, existing
    ) -> None:
        """Provenance rows for the records not imported before (not in `existing`): of their new paper,
        or of the paper they update (another source's, matched)."""
        self.writes.rows(
            PaperSource,
            ["paper_id", "source", "source_id", "content_hash", "file_name"],
            [
                (new_ids.get(key) or updates[key], r.source, r.source_id, hashes[key], self.file_name)
                for r in records
                if (key := (r.source, r.source_id)) not in existing
            ],
            keys=hashes,
        )

    def update_hashes(self, stale: list) -> None:
        """Record the new content hash of records already imported whose content changed."""
        if not stale:
            return
        rows = []
        by_source = defaultdict(dict)
        for (source, source_id), content_hash in stale:
            by_source[source][source_id] = content_hash
        for source, ids in by_source.items():
            for row in PaperSource.objects.filter(source=source, source_id__in=list(ids)):
                row.content_hash = ids[row.source_id]
                row.file_name = self.file_name
                row.imported_at = timezone.now()
                rows.append(row)
        PaperSource.objects.bulk_update(rows, ["content_hash", "file_name", "imported_at"])

    def update(self, records: list[PaperRecord], paper_ids: dict, venue_ids: dict) -> list[PaperRecord]:
        """Apply changed records to their papers; return the records whose authorships to rewrite."""
        if not records:
            return []
        papers = Paper.objects.in_bulk({paper_ids[(r.source, r.source_id)] for r in records})
        curated = set(
            Authorship.objects.filter(paper_id__in=list(papers), curated=True).values_list("paper_id", flat=True)
        )
        have_authors = set(Authorship.objects.filter(paper_id__in=list(papers)).values_list("paper_id", flat=True))
        dirty, replace = {}, []
        for r in records:
            paper = papers[paper_ids[(r.source, r.source_id)]]
            primary = paper.primary_source == r.source
            if apply_values(paper, paper_values(r, venue_ids), primary=primary):
                dirty[paper.pk] = paper
            # The creating source owns the author list; another source only supplies one that is missing.
            author_list_open = "authors" not in paper.locked_fields and paper.pk not in curated and r.authors
            if author_list_open and (primary or paper.pk not in have_authors):
                replace.append(r)
        fields = [attr for _, attr in PAPER_FIELDS] + ["title_key", "updated_at"]
        now = timezone.now()
        for paper in dirty.values():
            paper.updated_at = now
        Paper.objects.bulk_update(list(dirty.values()), fields)
        return replace

    def write_authorships(
        self, records: list[PaperRecord], paper_ids: dict, author_ids: dict, *, replace: bool
    ) -> set[int]:
        """Write the records' author lists; `replace` first removes the papers' current ones. Returns
        the ids of the author rows whose authorships changed."""
        if not records:
            return set()
        ids = [paper_ids[(r.source, r.source_id)] for r in records]
        rows = []
        touched = set()
        touch = touched.add
        # One row per author of every paper (four times as many as papers): plain names, no attributes.
        for r, paper_id in zip(records, ids, strict=True):
            source = r.source
            for position, (name, key, _) in enumerate(r.authors, start=1):
                identity = key or name  # AuthorRecord.identity
                author_id = author_ids[(source, identity)]
                rows.append((paper_id, author_id, position, name[:300], source, identity[:500]))
                touch(author_id)
        if self.writes.background and not replace:
            # New papers of a first load, which dropped the trigger the flag below speaks to.
            self.writes.rows(Authorship, AUTHORSHIP_COLUMNS, rows, keys=((r.source, r.source_id) for r in records))
            return touched
        self.writes.wait()
        # The importer writes the authors' names itself (rows(), and refresh_search_authors after a
        # replaced list), so migration 0004's trigger need not recompute them.
        with search_authors_written(self.search_columns):
            if replace:
                old = Authorship.objects.filter(paper_id__in=ids)
                touched.update(old.values_list("author_id", flat=True))
                old.delete()
            insert_rows(Authorship, AUTHORSHIP_COLUMNS, rows, ids=False)
        return touched

    def refresh_search_authors(self, paper_ids: list[int]) -> None:
        """Rewrite the search text of papers whose author lists were replaced."""
        if paper_ids and "search_authors" in self.search_columns:
            with connection.cursor() as cursor:
                cursor.execute("SELECT papers_refresh_search_authors(%s::bigint[])", [sorted(paper_ids)])


def paper_values(record: PaperRecord, venue_ids: dict[str, int]) -> dict:
    """The record's PAPER_FIELDS values and title_key, by attribute."""
    return dict(zip((*PAPER_ATTRS, "title_key"), paper_row(record, venue_ids), strict=True))


def paper_row(record: PaperRecord, venue_ids: dict[str, int]) -> list:
    """paper_values() as a list in PAPER_ATTRS order, then title_key: a first load makes one per
    paper, and a list costs less to build than a dict."""
    return [
        record.title,
        record.abstract,
        record.year,
        record.pub_type,
        venue_ids.get(record.venue.name) if record.venue else None,
        record.doi,
        record.url,
        record.dblp_key,
        record.openalex_id,
        record.arxiv_id,
        title_key(record.title),
    ]


def apply_values(paper: Paper, values: dict, *, primary: bool) -> bool:
    """Set unlocked fields: the primary source overwrites, another source fills in blanks only."""
    changed = False
    for name, attr in PAPER_FIELDS:
        value, current = values[attr], getattr(paper, attr)
        if name in paper.locked_fields or value in ("", None) or value == current:
            continue
        blank = current in ("", None) or (attr == "pub_type" and current == Paper.Type.OTHER)
        if primary or blank:
            setattr(paper, attr, value)
            changed = True
    if changed:
        paper.title_key = title_key(paper.title)
    return changed


@contextmanager
def search_authors_written(search_columns: tuple[str, ...]):
    """Tell migration 0004's authorship trigger that the statements inside write authorships of
    papers whose `search_authors` the writer has filled itself, so it skips recomputing them (for a
    new paper that is all its work). The flag is local to the transaction and reset on the way out."""
    if "search_authors" not in search_columns:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('arrow.search_authors_written', 'on', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('arrow.search_authors_written', 'off', true)")


def search_text_columns() -> tuple[str, ...]:
    """The search text columns papers_paper has (none on SQLite, nor before migration 0002)."""
    if connection.vendor != "postgresql":
        return ()
    with connection.cursor() as cursor:
        names = {column.name for column in connection.introspection.get_table_description(cursor, "papers_paper")}
    return tuple(column for column in SEARCH_TEXT_COLUMNS if column in names)
