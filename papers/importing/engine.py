"""Importing paper records into the database, batch by batch, one transaction per file.

Rules (docs/import-format.md): `(source, source_id)` identifies a record, so re-importing changes
nothing; `(source, author key)` identifies an author row; curator-locked fields, curated authorships
and merges are never reverted; a file is imported whole or not at all unless `skip_invalid`.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from psycopg import sql

from arrow_site.cache import public_pages_changed
from arrow_site.slugs import unique_slugs
from authors.models import Author, AuthorKey, CuratorWorkPending, NameCluster
from authors.names import cluster_key, split_homonym
from authors.upkeep import author_cluster_ids, authors_refresh_counts, cluster_ids_resolve, clusters_refresh_counts
from papers.bulk import (
    BackgroundCopies,
    allocate_ids,
    any_of,
    copy_job,
    ids_in_blocks,
    insert_rows,
    update_rows,
)
from papers.importing import readers as importers
from papers.importing.persons import KnownKeys, author_person_aliases_add, author_persons_upsert
from papers.importing.readers import process as reader_process
from papers.importing.readers.records import PaperRecord, PersonRecord, ReadProgress, RecordError
from papers.models import IDENTIFIER_FIELDS, Authorship, ImportRun, Paper, PaperSource, Venue, title_key

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
# Identifiers that say two records are one paper, in order of trust (DOI first).
MATCH_IDS = IDENTIFIER_FIELDS
# Text columns on papers_paper that migration 0002's triggers keep for full-text search (PostgreSQL
# only, not model fields): the importer fills them itself for the papers it creates.
SEARCH_TEXT_COLUMNS = ("search_authors", "search_venue")
MAX_REPORTED_ERRORS = 50
# Papers created before the first mid-import ANALYZE (PaperImporter.analyze_as_tables_grow).
ANALYZE_FIRST = 10_000
# What analyze_tables() samples; with lookups_only, just these columns (none: the table is skipped).
LOOKUP_COLUMNS = {
    Paper: ("id", *IDENTIFIER_FIELDS, "title_key", "year"),
    PaperSource: ("paper_id", "source", "source_id"),
    Authorship: ("paper_id", "author_id", "position"),
    Venue: (),
    Author: ("id", "cluster_id", "merged_into_id"),
    AuthorKey: ("source", "key", "author_id"),
    NameCluster: ("id", "key"),
}
# The tables an import writes: ANALYZE'd, GIN lists merged and, on a first load, locked.
IMPORT_MODELS = tuple(LOOKUP_COLUMNS)
# What an import into an empty database drops and rebuilds at its end (first_load): the foreign
# keys of IMPORT_MODELS, these indexes (no lookup or trigger during an import reads them) and this
# trigger. (paper_venue_year_idx stays: a venue's new name rewrites its papers' search text by
# venue_id.)
FIRST_LOAD_INDEXES = ("paper_search_vector_gin", "paper_newest_idx", "namecluster_search_name_trgm")
# The author rows' secondary indexes: the load reads author rows by id only, until the closing
# counts, which rewrite every row it created and then count each cluster's rows by cluster_id.
# Dropped by a first load and built between those two (FirstLoad.restore_author_indexes): kept up,
# they made that rewrite cost twice as much (0.44-0.53 s against 0.17-0.21 s for 28,234 rows,
# measured in psql).
FIRST_LOAD_AUTHOR_INDEXES = (
    "authors_author_cluster_id_1a3ba4a9",
    "authors_author_merged_into_id_4f7ff89a",
    "author_orcid_idx",
)
FIRST_LOAD_TRIGGERS = ("authorship_search_authors_insert",)
# Indexes (and a unique constraint's) that only some of an import's statements read: matching a
# second source's records (identifiers, title keys, a paper's sources and first authors), a record
# seen again in the same file (its author list) and the counts at the end (authorships by author).
# A first load drops them too and builds them again the first time one of those comes
# (FirstLoad.restore_lookups), else on its way out: kept up row by row, they made its COPYs of
# papers and authorships cost twice as much as one build after (docs/benchmarks.md).
FIRST_LOAD_LOOKUP_INDEXES = (
    "paper_doi_idx",
    "paper_dblp_key_idx",
    "paper_openalex_id_idx",
    "paper_arxiv_id_idx",
    "paper_title_key_idx",
    "authorship_author_paper_idx",
    "papers_papersource_paper_id_270ced0e",
    "authors_authorkey_author_id_5c4a40c9",
)
FIRST_LOAD_LOOKUP_CONSTRAINTS = ("authorship_paper_position_unique",)
# At most this many (source, author key) pairs a first load keeps in memory with their rows
# (persons.KnownKeys): about 140 bytes each, so 70 MB at most; the keys past it are looked up.
KNOWN_KEYS_MAX = 500_000
# Ids a first load takes at once for its provenance and authorship rows (PaperImporter.take_ids).
ID_BLOCK = 100_000
# The advisory lock first loads decide under (any number: it only has to be Arrow's own).
FIRST_LOAD_LOCK = 0x4152524F57  # "ARROW"
# Whether a first load writes each batch's new rows from a second thread (PaperImporter.copies);
# off only to compare the two ways in tests.
BACKGROUND_COPIES = True


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
    file_format = file_format or importers.detect_format(path)
    progress = ReadProgress()
    if file_format in importers.FORMATS and reader_process.worth_a_process(path):
        items = reader_process.read_in_process(path, file_format, progress=progress)
    else:
        items = importers.read(path, file_format, progress=progress)
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
                # work, but a deferred check is queued in the server's memory per row (millions of
                # entries for a full dump). Parents are always written before their rows.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with first_load() as bulk:
            importer = PaperImporter(file_name=path.name, batch_size=batch_size, on_batch=on_batch, bulk_load=bulk)
            summary = importer.run(items, stop_writing_on_error=not skip_invalid, on_progress=report)
        if summary.refused and not skip_invalid:
            raise ImportRefused(summary)
        if importer.wrote and not dry_run:
            analyze_tables()
            flush_gin_pending_lists()
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


class FirstLoad:
    """What first_load() dropped and builds again when the import asks, and what it found."""

    def __init__(
        self,
        lookups: list[tuple[str, str, str]],
        *,
        author_indexes: list[tuple[str, str, str]] = (),
        author_keys_empty: bool = False,
    ):
        # (table, name, definition), as _recreate takes them.
        self.lookups = list(lookups)
        self.author_indexes = list(author_indexes)
        # No author key existed when it began: every key is one this import writes (persons.KnownKeys).
        self.author_keys_empty = author_keys_empty

    def restore_lookups(self) -> None:
        """Build the FIRST_LOAD_LOOKUP_INDEXES again (once): a statement that reads them comes next."""
        lookups, self.lookups = self.lookups, []
        _recreate_all(lookups)

    def restore_author_indexes(self) -> None:
        """Build the FIRST_LOAD_AUTHOR_INDEXES again (once)."""
        indexes, self.author_indexes = self.author_indexes, []
        _recreate_all(indexes)


def _recreate_all(dropped: list[tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for table, name, definition in dropped:
            cursor.execute(_recreate(table, name, definition))


# first_load's indexes and constraints are (table, name, definition) rows: pg_get_indexdef's
# CREATE INDEX statement for an index, pg_get_constraintdef's text for a constraint.


def _drop(table: str, name: str, definition: str) -> sql.Composable:
    if definition.startswith("CREATE "):
        return sql.SQL("DROP INDEX {}").format(sql.Identifier(name))
    return sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))


def _recreate(table: str, name: str, definition: str) -> sql.Composable:
    if definition.startswith("CREATE "):
        return sql.SQL(definition)  # names quoted by PostgreSQL
    statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.Identifier(table), sql.Identifier(name))
    return statement + sql.SQL(definition)


@contextmanager
def first_load():
    """Into an empty database, load without what only slows a bulk load, and rebuild it once.

    While papers_paper is empty (the first import of a dump), the import's transaction drops the
    foreign keys of the tables it fills (each checked row by row), the indexes no lookup or trigger
    of the import reads (search vector, newest-first, name trigrams), the ones only some read
    (FIRST_LOAD_LOOKUP_INDEXES: back when FirstLoad.restore_lookups is called), the author rows'
    secondary indexes (FIRST_LOAD_AUTHOR_INDEXES: FirstLoad.restore_author_indexes) and the authorship
    insert trigger (the importer writes those names itself, replaced author lists included); on the
    way out it creates them again from the definitions PostgreSQL gave (same names, so the
    migrations' state holds), and re-adding each foreign key or unique constraint checks every row
    at once. The statements are part of the import's transaction: a failed or killed import rolls
    them back with its rows. The tables stay locked (ACCESS EXCLUSIVE) until it commits, which an
    empty site can afford. Only a role that owns the tables and may create in their schema can; any
    other loads with every check in place. Enter it before anything in the transaction reads these
    tables. Yields a FirstLoad if it did, else None.
    """
    if connection.vendor != "postgresql":
        yield None
        return
    tables = [model._meta.db_table for model in IMPORT_MODELS]
    with connection.cursor() as cursor:
        # Two imports starting on an empty database decide one after the other: the first takes the
        # tables' locks before it lets the second look, and the second, which holds no lock on them
        # yet, then waits for the first to commit and finds papers. Without this both read the
        # table, then both wait to lock it exclusively: a deadlock.
        cursor.execute("SELECT pg_advisory_lock(%s)", [FIRST_LOAD_LOCK])
        try:
            dropped = _first_load_begin(cursor, tables)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [FIRST_LOAD_LOCK])
    if dropped is None:
        yield None
        return
    keys, indexes, lookups, triggers = dropped
    author_indexes = [index for index in indexes if index[1] in FIRST_LOAD_AUTHOR_INDEXES]
    indexes = [index for index in indexes if index[1] not in FIRST_LOAD_AUTHOR_INDEXES]
    bulk = FirstLoad(lookups, author_indexes=author_indexes, author_keys_empty=not AuthorKey.objects.exists())
    with ids_in_blocks(tables):
        yield bulk
    _recreate_all(indexes)
    bulk.restore_lookups()
    bulk.restore_author_indexes()
    _recreate_all(keys)
    with connection.cursor() as cursor:
        for _, _, definition in triggers:
            cursor.execute(definition)


def _first_load_begin(cursor, tables: list[str]):
    """first_load's decision and drops: None when the database has papers or the role may not;
    else the definitions dropped, (foreign keys, indexes, lookup indexes, triggers), to create again."""
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE') AND has_schema_privilege(relnamespace, 'CREATE'))"
        " FROM pg_class WHERE oid::regclass::text = ANY(%s)",
        [tables],
    )
    if not cursor.fetchone()[0] or Paper.objects.exists():
        return None
    cursor.execute(
        sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.SQL(", ").join(map(sql.Identifier, tables)))
    )
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY conname",
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indexrelid::regclass::text = ANY(%s) ORDER BY 2",
        [[*FIRST_LOAD_INDEXES, *FIRST_LOAD_AUTHOR_INDEXES]],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'u' AND conname = ANY(%s) AND conrelid::regclass::text = ANY(%s)"
        " UNION ALL SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid)"
        " FROM pg_index WHERE indexrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
        [list(FIRST_LOAD_LOOKUP_CONSTRAINTS), tables, list(FIRST_LOAD_LOOKUP_INDEXES)],
    )
    lookups = cursor.fetchall()
    cursor.execute(
        "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
        " WHERE NOT tgisinternal AND tgname = ANY(%s) ORDER BY tgname",
        [list(FIRST_LOAD_TRIGGERS)],
    )
    triggers = cursor.fetchall()
    for dropped in (*keys, *indexes, *lookups):
        cursor.execute(_drop(*dropped))
    for table, name, _ in triggers:
        cursor.execute(sql.SQL("DROP TRIGGER {} ON {}").format(sql.Identifier(name), sql.Identifier(table)))
    return keys, indexes, lookups, triggers


def analyze_tables(*, lookups_only: bool = False, models=IMPORT_MODELS) -> None:
    """Refresh PostgreSQL's planner statistics after an import: row estimates from before a big
    import (or -1 before the first ANALYZE) make it pick sequential scans and bad joins.

    `lookups_only` samples just the columns the importer's own lookups filter and join on, for the
    runs in the middle of an import: statistics of the search vector, names and JSON columns cost
    most of a full ANALYZE and no lookup reads them.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            columns = LOOKUP_COLUMNS[model]
            if lookups_only and not columns:
                continue
            column_list = f" ({', '.join(map(quote, columns))})" if lookups_only else ""
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}{column_list}")


def flush_gin_pending_lists() -> None:
    """Move the entries an import left in its tables' GIN pending lists into the indexes proper.

    GIN writes new entries to an unsorted pending list (`fastupdate`) that every search then reads
    in full until autovacuum merges it: after an import, a name search on 3,811 clusters took
    8-15 ms through the trigram index instead of 0.3 ms. The merge is work VACUUM would do anyway.
    """
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in IMPORT_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
            " WHERE am.amname = 'gin' AND i.indrelid::regclass::text = ANY(%s)"
            # Only the index's owner may (an import role granted writes only leaves it to VACUUM).
            " AND pg_has_role(c.relowner, 'USAGE')",
            [tables],
        )


@contextmanager
def search_authors_written(search_columns: tuple[str, ...]):
    """Tell migration 0004's authorship trigger that the statements inside write authorships of
    papers whose `search_authors` the writer has filled itself, so it skips recomputing them (for
    a new paper that is all its work, and it cost half the time of writing the authorships). The
    flag is local to the transaction and reset on the way out."""
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


def papers_with_identifiers(wanted: dict[str, Iterable[str]]):
    """Papers having any of these values of these identifiers ({"doi": [...], ...}), oldest first.

    One query for all identifiers (a BitmapOr of their indexes), not one per identifier; each arm
    says `<> ''` so PostgreSQL can use the partial indexes (Paper.Meta.indexes), which it cannot
    prove from `= ANY(array)` alone.
    """
    condition = Q()
    for attr, values in wanted.items():
        if values:
            condition |= any_of(attr, values) & ~Q(**{attr: ""})
    return Paper.objects.filter(condition).order_by("pk")


class PaperImporter:
    """Writes a stream of records batch by batch; a handful of queries per batch, not per record."""

    def __init__(
        self,
        *,
        file_name: str = "",
        batch_size: int = 1000,
        on_batch=None,
        bulk_load: FirstLoad | None = None,
        sole_writer: bool = False,
    ):
        self.file_name = file_name[:500]
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.summary = ImportSummary()
        self.touched_authors: set[int] = set()
        self.touched_clusters: set[int] = set()
        self.redirects: list[PersonRecord] = []
        self.orcids_checked: set[int] = set()
        self.created_since_analyze = 0
        # Whether any row was written: a no-op re-import skips ANALYZE and keeps cached pages.
        self.wrote = False
        self.search_columns = search_text_columns()
        # Matching looks for papers another source made (match_papers). While every paper in the
        # database was created by this import, from one source, there are none: a first load of a
        # dump skips the title and identifier lookups, which cost more than a tenth of its time.
        # Only a first load can know that (`sole_writer`): it started on an empty database and holds
        # the tables locked, so no one else adds a paper while it runs (without the lock a
        # concurrent import or a curator could).
        self.sole_writer = sole_writer or bulk_load is not None
        # A first load's dropped lookup indexes, built again before the first statement that reads them.
        self.bulk_load = bulk_load
        self.sources_created: set[str] = set()
        # Whether matching has had to look (may_match): until then only the lookups of the other
        # tables need fresh statistics mid-import (analyze_as_tables_grow), and papers_paper's,
        # skipped, are taken when matching starts.
        self.matching = False
        self.paper_statistics_skipped = False
        # A first load's biggest writes, the COPYs of a batch's new papers, their sources and their
        # authorships, run on a second thread (bulk.BackgroundCopies) while this one formats the
        # next batch: held until the next batch's lookups are done (they must run before them, on
        # the one connection), then submitted. Only a first load: it holds the tables, and its
        # lookups never need those rows (a key seen again, matching or a venue's new name, which
        # rewrites its papers, first let them land: settle_writes). Everywhere else each COPY runs
        # in turn, as it is made.
        self.copies = BackgroundCopies() if self.sole_writer and BACKGROUND_COPIES else None
        self.held: list = []
        self.held_keys: set[tuple[str, str]] = set()
        self.id_pools: dict[type, Sequence[int]] = {}  # take_ids
        # A first load's author keys with their rows, as it wrote or looked them up: frequent authors
        # are in every batch, and looking their keys up again cost a tenth of a first load. If no
        # key existed when it began, a key it does not know is new, and no batch looks any up.
        self.known_keys = (
            KnownKeys(complete=bulk_load.author_keys_empty, limit=KNOWN_KEYS_MAX) if bulk_load is not None else None
        )

    def run(self, items: Iterable, *, stop_writing_on_error: bool = True, on_progress=None) -> ImportSummary:
        try:
            summary = self._run(items, stop_writing_on_error=stop_writing_on_error, on_progress=on_progress)
            # A file refused for a bad record ends without finish(): a COPY that failed meanwhile
            # must still be reported as itself, not as the aborted transaction the rebuild meets.
            if self.copies is not None:
                self.copies.wait()
            return summary
        finally:
            # Before the transaction ends, whatever ends the import: no COPY may run after a rollback.
            if self.copies is not None:
                self.copies.stop()

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
        self.settle_writes()
        self.restore_lookups()
        if author_person_aliases_add(records=self.redirects):
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

    # -- writes on the second thread ----------------------------------------------------------

    def wait_for_writes(self, keys=()) -> None:
        """Before a statement of this thread: the submitted COPYs have ended (or raise their error);
        also the held ones if they write papers of these (source, source_id) keys."""
        if self.copies is None:
            return
        if self.held_keys.intersection(keys):
            self.release_writes()
        self.copies.wait()

    def settle_writes(self) -> None:
        """Every COPY made so far has run: what follows reads or rewrites their rows."""
        if self.copies is not None:
            self.release_writes()
            self.copies.wait()

    def release_writes(self) -> None:
        """Submit the held COPYs (after waiting for the ones before them)."""
        held, self.held, self.held_keys = self.held, [], set()
        self.copies.submit(held)

    def write_rows(self, model, fields: list[str], rows: list, *, keys=(), **options) -> None:
        """insert_rows(..., ids=False), held for the second thread under a first load."""
        if self.copies is None:
            insert_rows(model, fields, rows, ids=False, **options)
        elif rows:
            ids = self.take_ids(model, len(rows)) if self.bulk_load is not None else None
            self.hold(copy_job(model, fields, rows, ids=ids, **options), keys)

    def take_ids(self, model, count: int) -> Sequence[int]:
        """`count` fresh primary keys of the model's table, from a block of ID_BLOCK taken at once
        (a first load's, so one statement: bulk.ids_in_blocks). The COPY then gives each row its id
        instead of having the server draw it from the sequence: 1.5 us a row, 0.3 s of a 50,000-paper
        load's 208,696 authorships (measured in psql). Ids left in the block at the end are a gap in
        the sequence, like a rolled-back insert's."""
        pool = self.id_pools.get(model, range(0))
        if len(pool) < count:
            self.wait_for_writes()  # allocate_ids is a statement of this thread
            pool = allocate_ids(model, max(count, ID_BLOCK))
            if pool[-1] - pool[0] + 1 == len(pool):
                pool = range(pool[0], pool[-1] + 1)  # slicing a range copies nothing
        self.id_pools[model] = pool[count:]
        return pool[:count]

    def hold(self, job, keys) -> None:
        """Keep a formatted COPY for the second thread, with the (source, source_id) keys it writes."""
        self.held.append(job)
        self.held_keys.update(keys)

    # -- people ------------------------------------------------------------------------------

    def write_persons(self, records: list[PersonRecord]) -> None:
        """Person records (dblp homepages): variants, ORCID, affiliation and alias keys of a row."""
        if not records:
            return
        # Redirects may point at a person later in the file: applied once the file is read.
        self.redirects.extend(r for r in records if r.redirect)
        self.wait_for_writes()
        written = author_persons_upsert(records=records, known=self.known_keys)
        self.touched_authors.update(written)
        self.wrote = self.wrote or bool(written)
        self.summary.persons += len(records)

    def resolve_authors(self, records: list[PaperRecord]) -> tuple[dict[tuple[str, str], int], dict[int, int]]:
        """Map every (source, author key) in the batch to its author row, creating missing rows.

        Also returns each row's cluster id: matching by title needs the first author's cluster, and
        the key lookup can bring it along instead of costing a query of its own.
        """
        wanted = {}
        for record in records:
            for author in record.authors:
                wanted.setdefault((record.source, author.identity), author)
        known, to_look_up = self.known_keys.find(wanted) if self.known_keys is not None else ({}, list(wanted))
        by_source = defaultdict(list)
        for source, key in to_look_up:
            by_source[source].append(key)
        looked_up = {}
        for source, keys in by_source.items():
            rows = AuthorKey.objects.filter(any_of("key", keys), source=source).values_list(
                "key", "author_id", "author__cluster_id", "author__merged_into_id", "author__merged_into__cluster_id"
            )
            for key, author_id, cluster_id, merged_into_id, merged_cluster_id in rows:
                # Merges move keys to the survivor; following a tombstone is a safety net only.
                looked_up[(source, key)] = (merged_into_id or author_id, merged_cluster_id or cluster_id)
        missing = [pair for pair in wanted if pair not in known and pair not in looked_up]
        if missing:
            clusters = cluster_ids_resolve(names=[wanted[pair].name for pair in missing])
            rows = []
            for pair in missing:
                author = wanted[pair]
                name, number = split_homonym(author.name)
                rows.append((name, number, author.orcid, clusters[cluster_key(author.name)]))
            new_ids = insert_rows(Author, ["name", "homonym_number", "orcid", "cluster_id"], rows)
            insert_rows(
                AuthorKey,
                ["source", "key", "author_id"],
                [(source, key, pk) for (source, key), pk in zip(missing, new_ids, strict=True)],
                ids=False,
            )
            looked_up.update((pair, (pk, row[3])) for pair, pk, row in zip(missing, new_ids, rows, strict=True))
        found: dict[tuple[str, str], int] = {}
        cluster_of: dict[int, int] = {}
        for pair, (author_id, cluster_id) in (*known.items(), *looked_up.items()):
            found[pair] = author_id
            cluster_of[author_id] = cluster_id
        if self.known_keys is not None:
            self.known_keys.add(looked_up)
        self.fill_orcids(wanted, found, skip=set(missing))
        return found, cluster_of

    def fill_orcids(self, wanted: dict, found: dict, *, skip: set) -> None:
        """An ORCID in a record fills an existing row's empty ORCID (never replaces one)."""
        # A row this file already gave an ORCID to (or found one on, or found locked) is not asked
        # again: frequent authors appear in every batch, and the query cost more than the fill.
        self.orcids_checked.update(found[pair] for pair in skip if wanted[pair].orcid)
        orcids = {
            found[pair]: a.orcid
            for pair, a in wanted.items()
            if a.orcid and pair not in skip and found[pair] not in self.orcids_checked
        }
        if not orcids:
            return
        self.orcids_checked.update(orcids)
        rows = list(Author.objects.filter(any_of("pk", orcids), orcid="").only("orcid", "locked_fields"))
        rows = [row for row in rows if "orcid" not in row.locked_fields]
        update_rows(Author, ["orcid"], [(row.pk, orcids[row.pk]) for row in rows])

    # -- venues ------------------------------------------------------------------------------

    def resolve_venues(self, records: list[PaperRecord]) -> dict[str, Venue]:
        wanted = {r.venue.name: r.venue for r in records if r.venue}
        if not wanted:
            return {}
        venues = {v.short_name: v for v in Venue.objects.filter(short_name__in=list(wanted))}
        filled = []
        for name, venue in venues.items():
            record = wanted[name]
            changed = False
            for attr, empty in (("kind", Venue.Kind.OTHER), ("full_name", "")):
                value = getattr(record, attr)
                if value and value != empty and getattr(venue, attr) == empty and attr not in venue.locked_fields:
                    setattr(venue, attr, value)
                    changed = True
            if changed:
                filled.append(venue)
        if filled:
            # Its trigger rewrites the search text of the venue's papers: held ones too.
            self.settle_writes()
        Venue.objects.bulk_update(filled, ["kind", "full_name"])
        missing = [name for name in wanted if name not in venues]
        bases = {name: slugify(name) or slugify(name, allow_unicode=True) or "venue" for name in missing}
        slugs = unique_slugs(Venue, bases)
        created = Venue.objects.bulk_create(
            Venue(short_name=name, kind=wanted[name].kind, full_name=wanted[name].full_name, slug=slugs[name])
            for name in missing
        )
        venues.update((v.short_name, v) for v in created)
        return venues

    # -- papers ------------------------------------------------------------------------------

    def write_papers(self, records: list[PaperRecord]) -> None:
        if not records:
            return
        # Within a batch the last record of a (source, source_id) wins, as it would across batches.
        records = list({(r.source, r.source_id): r for r in records}.values())
        hashes = {(r.source, r.source_id): r.content_hash() for r in records}
        self.wait_for_writes(keys=hashes)
        existing = self.existing_sources(records)
        changed = [r for r in records if existing.get(key := (r.source, r.source_id), (0, ""))[1] != hashes[key]]
        self.summary.unchanged += len(records) - len(changed)
        if not changed:
            return
        self.wrote = True
        venues = self.resolve_venues(changed)
        venue_ids = {name: venue.pk for name, venue in venues.items()}
        author_ids, cluster_of = self.resolve_authors(changed)
        new = [r for r in changed if (r.source, r.source_id) not in existing]
        to_match = [r for r in new if self.may_match(r.source)]
        if to_match:
            self.settle_writes()
            if not self.matching:
                self.matching = True
                self.restore_lookups()
                if self.paper_statistics_skipped:
                    analyze_tables(lookups_only=True, models=(Paper,))
        matches = self.match_papers(to_match, author_ids, cluster_of)
        created = [r for r in new if (r.source, r.source_id) not in matches]

        self.summary.created += len(created)
        self.analyze_as_tables_grow(len(created))
        paper_ids = self.create_papers(created, venues)
        self.sources_created.update(r.source for r in created)

        # Records already imported (changed) or another source's record of a known paper (matched).
        updates = {key: paper_id for key, (paper_id, _) in existing.items()}
        updates.update(matches)
        to_update = [r for r in changed if (r.source, r.source_id) in updates]
        self.write_rows(
            PaperSource,
            ["paper_id", "source", "source_id", "content_hash", "file_name"],
            [
                (paper_ids.get(key) or updates[key], r.source, r.source_id, hashes[key], self.file_name)
                for r in changed
                if (key := (r.source, r.source_id)) not in existing
            ],
            keys=hashes,
        )
        self.write_authorships(created, paper_ids, author_ids, replace=False)
        if not to_update:
            return
        # Records already imported: their rows are read and rewritten here, after the writes before.
        self.wait_for_writes()
        self.restore_lookups()
        replace_authors = self.update_papers(to_update, updates, venue_ids)
        self.summary.updated += len(to_update)
        stale = [(key, hashes[key]) for key in hashes if key in existing and existing[key][1] != hashes[key]]
        self.update_hashes(stale)
        replace_ids = {(r.source, r.source_id): updates[(r.source, r.source_id)] for r in replace_authors}
        self.write_authorships(replace_authors, replace_ids, author_ids, replace=True)
        if replace_ids and "search_authors" in self.search_columns:
            with connection.cursor() as cursor:
                cursor.execute("SELECT papers_refresh_search_authors(%s::bigint[])", [sorted(replace_ids.values())])

    def may_match(self, source: str) -> bool:
        """Whether a paper another source made may exist, for a new record of `source` to match."""
        return not self.sole_writer or bool(self.sources_created - {source})

    def analyze_as_tables_grow(self, created: int) -> None:
        """ANALYZE whenever this import has doubled what it created since the last time (from
        ANALYZE_FIRST papers on).

        Without statistics (a new database) or with stale ones (a first big import), the planner
        takes each `= ANY(2,000 keys)` lookup to match a large share of the table and scans it
        whole: every batch then reads every paper, and a 1,000,000-paper import slows to a crawl.
        ANALYZE counts this transaction's own uncommitted rows, so fresh statistics bring the
        index lookups back; doubling keeps it to a handful of runs per import. papers_paper is
        left out while matching has not had to look (only its lookups read the paper columns),
        and sampled once when it starts.
        """
        self.created_since_analyze += created
        if self.created_since_analyze >= max(ANALYZE_FIRST, self.summary.created - self.created_since_analyze):
            models = IMPORT_MODELS if self.matching else tuple(m for m in IMPORT_MODELS if m is not Paper)
            self.paper_statistics_skipped |= not self.matching
            analyze_tables(lookups_only=True, models=models)
            self.created_since_analyze = 0

    def create_papers(self, records: list[PaperRecord], venues: dict[str, Venue]) -> dict[tuple[str, str], int]:
        """Insert the papers no source has yet; return their ids by (source, source_id).

        Under a first load, the last statement of this thread for the batch is the ids' allocation:
        then the previous batch's COPYs are submitted, and this batch's formatted while they run.
        """
        if self.copies is not None:
            ids = allocate_ids(Paper, len(records)) if records else []
            self.release_writes()
            fields, rows = self.paper_rows(records, venues)
            if rows:
                job = copy_job(Paper, fields, rows, extra_columns=self.search_columns, ids=ids)
                self.hold(job, ((r.source, r.source_id) for r in records))
        else:
            fields, rows = self.paper_rows(records, venues)
            ids = insert_rows(Paper, fields, rows, extra_columns=self.search_columns)
        return {(r.source, r.source_id): pk for r, pk in zip(records, ids, strict=True)}

    def paper_rows(self, records: list[PaperRecord], venues: dict[str, Venue]) -> tuple[list[str], list[list]]:
        """The new papers' rows for insert_rows: their fields, then the search text columns."""
        fields = [*PAPER_ATTRS, "title_key", "primary_source"]
        venue_ids = {name: venue.pk for name, venue in venues.items()}
        # Written as migration 0002's triggers would write them (authors' printed names in order,
        # the venue's names), so the triggers find nothing to change instead of rewriting each
        # new paper row, its search vector and its GIN entries a second time.
        venue_text = {name: " ".join(filter(None, (v.short_name, v.full_name))) for name, v in venues.items()}
        rows = []
        for r in records:
            row = self.paper_row(r, venue_ids)
            row.append(r.source)
            for column in self.search_columns:
                if column == "search_authors":
                    row.append(" ".join(a.name[:300] for a in r.authors))
                else:
                    row.append(venue_text.get(r.venue.name, "") if r.venue else "")
            rows.append(row)
        return fields, rows

    def existing_sources(self, records: list[PaperRecord]) -> dict[tuple[str, str], tuple[int, str]]:
        by_source = defaultdict(list)
        for r in records:
            by_source[r.source].append(r.source_id)
        found = {}
        for source, ids in by_source.items():
            rows = PaperSource.objects.filter(any_of("source_id", ids), source=source)
            for source_id, paper_id, content_hash in rows.values_list("source_id", "paper_id", "content_hash"):
                found[(source, source_id)] = (paper_id, content_hash)
        return found

    def update_hashes(self, stale: list) -> None:
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

    def paper_values(self, record: PaperRecord, venue_ids: dict[str, int]) -> dict:
        """The record's PAPER_FIELDS values and title_key, by attribute."""
        return dict(zip((*PAPER_ATTRS, "title_key"), self.paper_row(record, venue_ids), strict=True))

    @staticmethod
    def paper_row(record: PaperRecord, venue_ids: dict[str, int]) -> list:
        """paper_values() as a list in PAPER_ATTRS order, then title_key: a first load makes one per
        paper, and a dict each cost it a tenth of a second more per 50,000."""
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

    def match_papers(
        self, records: list[PaperRecord], author_ids: dict, cluster_of: dict[int, int]
    ) -> dict[tuple[str, str], int]:
        """Find papers another source already created: by DOI, then by the source's own id, then by
        normalized title + year + first author's cluster. Never matches a paper of the same source."""
        matches: dict[tuple[str, str], int] = {}
        wanted = {attr: {v for r in records if (v := getattr(r, attr))} for attr in MATCH_IDS}
        if any(wanted.values()):
            known: dict[str, dict[str, int]] = {attr: {} for attr in MATCH_IDS}
            for pk, *values in papers_with_identifiers(wanted).values_list("pk", *MATCH_IDS):
                for attr, value in zip(MATCH_IDS, values, strict=True):
                    if value in wanted[attr]:
                        known[attr].setdefault(value, pk)
            for r in records:
                # The identifiers in order of trust: the first one that finds a paper decides.
                pk = next((known[attr][v] for attr in MATCH_IDS if (v := getattr(r, attr)) in known[attr]), None)
                if pk is not None:
                    matches[(r.source, r.source_id)] = pk
        pending = [r for r in records if (r.source, r.source_id) not in matches and r.authors and r.year]
        if pending:
            keys = [title_key(r.title) for r in pending]
            candidates = defaultdict(list)
            rows = Authorship.objects.filter(any_of("paper__title_key", set(keys)), position=1).values_list(
                "paper__title_key", "paper__year", "author__cluster_id", "paper_id"
            )
            for key, year, cluster_id, paper_id in rows:
                candidates[(key, year, cluster_id)].append(paper_id)
            for r, key in zip(pending, keys, strict=True) if candidates else ():
                cluster_id = cluster_of[author_ids[(r.source, r.authors[0].identity)]]
                found = candidates.get((key, r.year, cluster_id))
                if found:
                    matches[(r.source, r.source_id)] = found[0]
        if matches:
            # Two records of one source are two papers (a preprint and its proceedings version).
            same_source = set(
                PaperSource.objects.filter(any_of("paper_id", set(matches.values()))).values_list("paper_id", "source")
            )
            matches = {key: pid for key, pid in matches.items() if (pid, key[0]) not in same_source}
        return matches

    def update_papers(self, records: list[PaperRecord], paper_ids: dict, venue_ids: dict) -> list[PaperRecord]:
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
            if self.apply_values(paper, self.paper_values(r, venue_ids), primary=primary):
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

    @staticmethod
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

    def write_authorships(
        self, records: list[PaperRecord], paper_ids: dict, author_ids: dict, *, replace: bool
    ) -> None:
        """Write the records' author lists; `replace` first removes the papers' current ones."""
        if not records:
            return
        ids = [paper_ids[(r.source, r.source_id)] for r in records]
        rows = []
        touch = self.touched_authors.add
        # One row per author of every paper (four times as many as papers): plain names, no attributes.
        for r, paper_id in zip(records, ids, strict=True):
            source = r.source
            for position, (name, key, _) in enumerate(r.authors, start=1):
                identity = key or name  # AuthorRecord.identity
                author_id = author_ids[(source, identity)]
                rows.append((paper_id, author_id, position, name[:300], source, identity[:500]))
                touch(author_id)
        columns = ["paper_id", "author_id", "position", "printed_name", "source", "source_key"]
        if self.copies is not None and not replace:
            # New papers of a first load, which dropped the trigger the flag below speaks to.
            self.write_rows(Authorship, columns, rows, keys=((r.source, r.source_id) for r in records))
            return
        self.wait_for_writes()
        # The importer writes the authors' names itself (create_papers, and the refresh after a
        # replaced list), so migration 0004's trigger need not recompute them.
        with search_authors_written(self.search_columns):
            if replace:
                old = Authorship.objects.filter(paper_id__in=ids)
                self.touched_authors.update(old.values_list("author_id", flat=True))
                old.delete()
            insert_rows(Authorship, columns, rows, ids=False)
