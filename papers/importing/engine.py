"""The import of one file: reading it, then writing its records batch by batch in one transaction
(PaperImporter), with the resolving, matching, writing and upkeep each done by its own module.

Rules (docs/import-format.md): `(source, source_id)` identifies a record, so re-importing changes
nothing; `(source, author key)` identifies an author row; curator-locked fields, curated authorships
and merges are never reverted; a file is imported whole or not at all unless `skip_invalid`.
"""

from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from arrow_site.cache import public_pages_changed
from authors.models import CuratorWorkPending
from authors.upkeep import author_cluster_ids, authors_refresh_counts, clusters_refresh_counts
from papers.importing import readers, stats
from papers.importing.authors import Authors
from papers.importing.matching import Matcher
from papers.importing.papers import Papers
from papers.importing.readers import process as reader_process
from papers.importing.readers.records import PaperRecord, PersonRecord, ReadProgress, RecordError
from papers.importing.schema import FirstLoad, first_load
from papers.importing.venues import venues_resolve
from papers.importing.writer import Writes
from papers.models import ImportRun

MAX_REPORTED_ERRORS = 50


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    persons: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged + self.refused

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "persons": self.persons,
        }


class ImportRefused(Exception):
    """The file had bad records and was not imported (nothing written)."""

    def __init__(self, summary: ImportSummary):
        super().__init__(f"{summary.refused} bad record(s)")
        self.summary = summary


def import_file(
    path: Path,
    *,
    file_format: str | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    skip_invalid: bool = False,
    on_progress: Callable[[int, int | None, int | None], None] | None = None,
    on_batch: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import one file in one transaction. Raises ImportFileError or ImportRefused with nothing written.

    `on_progress(records, bytes_read, file_size)` is called per record (bytes are None when the reader
    cannot tell); `on_batch(summary)` after each batch is written (under a first load its rows may
    still be on their way from the second thread: a query there waits for that COPY to end).
    """
    file_format = file_format or readers.detect_format(path)
    progress = ReadProgress()
    if file_format in readers.FORMATS and reader_process.worth_a_process(path):
        items = reader_process.read_in_process(path, file_format, progress=progress)
    else:
        items = readers.read(path, file_format, progress=progress)
    report = None
    if on_progress is not None:

        def report(seen: int) -> None:
            on_progress(seen, progress.bytes_read(), progress.size)

    # Closed on the way out, whatever ends the import: a reader process stops at once, not when
    # the traceback holding the stream is collected (at exit, after a Ctrl-C).
    with closing(items), transaction.atomic():
        if connection.vendor == "postgresql":
            # The web's statement_timeout must not cut a long import short (this transaction only).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
                # Foreign keys are checked as each statement ends rather than all at COMMIT: the same
                # work, but a deferred check is queued in the server's memory per row. Parents are
                # always written before their rows.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with first_load() as bulk:
            importer = PaperImporter(file_name=path.name, batch_size=batch_size, on_batch=on_batch, bulk_load=bulk)
            summary = importer.run(items, stop_writing_on_error=not skip_invalid, on_progress=report)
        if summary.refused and not skip_invalid:
            raise ImportRefused(summary)
        if importer.wrote and not dry_run:
            stats.refresh_after_import()
            # Cached public pages show what this file changed; they are dropped when it commits.
            public_pages_changed()
            # The curator work queues of the clusters it touched are stale until the next
            # refresh_curator_work (a first load: all of them).
            CuratorWorkPending.objects.note(None if bulk is not None else importer.touched_clusters)
        ImportRun.objects.create(
            file_name=str(path), file_format=file_format, finished_at=timezone.now(), counts=summary.as_dict()
        )
        if dry_run:
            transaction.set_rollback(True)
    return summary


class PaperImporter:
    """Writes a stream of records batch by batch; a handful of queries per batch, not per record.

    A first load (`bulk_load`, from schema.first_load) writes in the background (writer.Writes),
    knows its author keys (authors.Authors) and matches only once a second source comes (matching).
    """

    def __init__(
        self, *, file_name: str = "", batch_size: int = 1000, on_batch=None, bulk_load: FirstLoad | None = None
    ):
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.bulk_load = bulk_load
        self.summary = ImportSummary()
        # Whether any row was written: a no-op re-import skips ANALYZE and keeps cached pages.
        self.wrote = False
        # The rows whose counts the end brings up to date, and their clusters.
        self.touched_authors: set[int] = set()
        self.touched_clusters: set[int] = set()
        self.writes = Writes(background=bulk_load is not None)
        self.papers = Papers(self.writes, file_name=file_name)
        self.authors = Authors(first_load=bulk_load)
        self.matcher = Matcher(sole_writer=bulk_load is not None)
        self.statistics = stats.Statistics()

    def run(self, items: Iterable, *, stop_writing_on_error: bool = True, on_progress=None) -> ImportSummary:
        try:
            summary = self._run(items, stop_writing_on_error=stop_writing_on_error, on_progress=on_progress)
            # A file refused for a bad record ends without finish(): a COPY that failed meanwhile
            # must still be reported as itself, not as the aborted transaction the rebuild meets.
            self.writes.wait()
            return summary
        finally:
            self.writes.stop()

    def _run(self, items: Iterable, *, stop_writing_on_error: bool, on_progress) -> ImportSummary:
        papers: list[PaperRecord] = []
        persons: list[PersonRecord] = []
        writing = True
        for seen, item in enumerate(items, start=1):
            if isinstance(item, RecordError):
                self.summary.refused += 1
                if len(self.summary.errors) < MAX_REPORTED_ERRORS:
                    self.summary.errors.append(item)
                # Keep reading to report every bad record, but stop spending time on writes.
                writing = writing and not stop_writing_on_error
            elif writing and isinstance(item, PersonRecord):
                persons.append(item)
            elif writing:
                papers.append(item)
            if len(papers) >= self.batch_size:
                self.write_papers(papers)
                papers = []
                if self.on_batch is not None:
                    self.on_batch(self.summary)
            if len(persons) >= self.batch_size:
                self.write_persons(persons)
                persons = []
            if on_progress is not None:
                on_progress(seen)
        if writing:
            self.write_persons(persons)
            self.write_papers(papers)
            self.finish()
        return self.summary

    def finish(self) -> None:
        """Add the file's alias keys, then bring the denormalized counts of every row and cluster
        this file touched up to date."""
        self.writes.settle()
        self.restore_lookups()
        if self.authors.add_aliases():
            self.wrote = True
        author_ids = self.touched_authors
        cluster_ids = author_cluster_ids(author_ids)
        self.touched_clusters = cluster_ids
        authors_refresh_counts(author_ids=author_ids)
        if self.bulk_load is not None:
            # The cluster counts find each cluster's rows by cluster_id: at millions of rows and
            # clusters, one full scan of the author rows per chunk of clusters without it.
            self.bulk_load.restore_author_indexes()
        clusters_refresh_counts(cluster_ids=cluster_ids)

    def restore_lookups(self) -> None:
        """A statement reading a first load's dropped lookup indexes comes next: build them now."""
        if self.bulk_load is not None:
            self.bulk_load.restore_lookups()

    def write_persons(self, records: list[PersonRecord]) -> None:
        if not records:
            return
        self.writes.wait()
        written = self.authors.write_persons(records)
        self.touched_authors.update(written)
        self.wrote = self.wrote or bool(written)
        self.summary.persons += len(records)

    def write_papers(self, records: list[PaperRecord]) -> None:
        if not records:
            return
        # Within a batch the last record of a (source, source_id) wins, as it would across batches.
        records = list({(r.source, r.source_id): r for r in records}.values())
        hashes = {(r.source, r.source_id): r.content_hash() for r in records}
        self.writes.wait(keys=hashes)
        existing = self.papers.existing_sources(records)
        changed = [r for r in records if existing.get(key := (r.source, r.source_id), (0, ""))[1] != hashes[key]]
        self.summary.unchanged += len(records) - len(changed)
        if not changed:
            return
        self.wrote = True
        venues = venues_resolve(changed, self.writes)
        venue_ids = {name: venue.pk for name, venue in venues.items()}
        author_ids, cluster_of = self.authors.resolve(changed)
        new = [r for r in changed if (r.source, r.source_id) not in existing]
        to_match = [r for r in new if self.matcher.may_match(r.source)]
        if to_match:
            self.writes.settle()
            if not self.matcher.started:
                self.matcher.started = True
                self.restore_lookups()
                self.statistics.papers_needed()
        matches = self.matcher.match(to_match, author_ids, cluster_of)
        created = [r for r in new if (r.source, r.source_id) not in matches]

        self.summary.created += len(created)
        self.statistics.as_tables_grow(len(created), self.summary.created, matching=self.matcher.started)
        paper_ids = self.papers.create(created, venues)
        self.matcher.created(created)

        # Records already imported (changed) or another source's record of a known paper (matched).
        updates = {key: paper_id for key, (paper_id, _) in existing.items()}
        updates.update(matches)
        to_update = [r for r in changed if (r.source, r.source_id) in updates]
        self.papers.write_sources(changed, hashes, paper_ids, updates, existing=existing)
        self.touched_authors |= self.papers.write_authorships(created, paper_ids, author_ids, replace=False)
        if not to_update:
            return
        # Records already imported: their rows are read and rewritten here, after the writes before.
        self.writes.wait()
        self.restore_lookups()
        replace_authors = self.papers.update(to_update, updates, venue_ids)
        self.summary.updated += len(to_update)
        self.papers.update_hashes(
            [(key, hashes[key]) for key in hashes if key in existing and existing[key][1] != hashes[key]]
        )
        replace_ids = {(r.source, r.source_id): updates[(r.source, r.source_id)] for r in replace_authors}
        self.touched_authors |= self.papers.write_authorships(replace_authors, replace_ids, author_ids, replace=True)
        self.papers.refresh_search_authors(list(replace_ids.values()))
