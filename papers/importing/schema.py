"""The first load's schema work: into an empty database, drop what only slows a bulk load (foreign
keys, indexes, a trigger) under an advisory lock, and build it again once."""

from contextlib import contextmanager

from django.db import connection
from psycopg import sql

from authors.models import AuthorKey
from papers.bulk import ids_in_blocks
from papers.importing.stats import IMPORT_MODELS
from papers.models import Paper

# What a first load drops and rebuilds at its end: the foreign keys of IMPORT_MODELS, these indexes
# (no lookup or trigger during an import reads them) and this trigger. (paper_venue_year_idx stays:
# a venue's new name rewrites its papers' search text by venue_id.)
FIRST_LOAD_INDEXES = ("paper_search_vector_gin", "paper_newest_idx", "namecluster_search_name_trgm")
# The author rows' secondary indexes: the load reads author rows by id only until the closing counts,
# which rewrite every row it created and then count each cluster's rows by cluster_id. Built between
# those two (FirstLoad.restore_author_indexes): kept up, they made that rewrite twice as slow.
FIRST_LOAD_AUTHOR_INDEXES = (
    "authors_author_cluster_id_1a3ba4a9",
    "authors_author_merged_into_id_4f7ff89a",
    "author_orcid_idx",
)
FIRST_LOAD_TRIGGERS = ("authorship_search_authors_insert",)
# Indexes (and a unique constraint's) that only some statements read: matching a second source's
# records, a record seen again in the same file and the closing counts. Built again the first time
# one of those comes (FirstLoad.restore_lookups), else on the way out: one build after the COPYs
# costs less than keeping them up row by row (docs/benchmarks.md).
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
# The advisory lock first loads decide under (any number: it only has to be Arrow's own).
FIRST_LOAD_LOCK = 0x4152524F57  # "ARROW"


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
        # No author key existed when it began: every key is one this import writes (authors.KnownKeys).
        self.author_keys_empty = author_keys_empty

    def restore_lookups(self) -> None:
        """Build the FIRST_LOAD_LOOKUP_INDEXES again (once): a statement that reads them comes next."""
        lookups, self.lookups = self.lookups, []
        _recreate_all(lookups)

    def restore_author_indexes(self) -> None:
        """Build the FIRST_LOAD_AUTHOR_INDEXES again (once)."""
        indexes, self.author_indexes = self.author_indexes, []
        _recreate_all(indexes)


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


# Indexes and constraints are (table, name, definition) rows: pg_get_indexdef's CREATE INDEX
# statement for an index, pg_get_constraintdef's text for a constraint.


def _drop(table: str, name: str, definition: str) -> sql.Composable:
    if definition.startswith("CREATE "):
        return sql.SQL("DROP INDEX {}").format(sql.Identifier(name))
    return sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))


def _recreate(table: str, name: str, definition: str) -> sql.Composable:
    if definition.startswith("CREATE "):
        return sql.SQL(definition)  # names quoted by PostgreSQL
    statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.Identifier(table), sql.Identifier(name))
    return statement + sql.SQL(definition)


def _recreate_all(dropped: list[tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for table, name, definition in dropped:
            cursor.execute(_recreate(table, name, definition))
