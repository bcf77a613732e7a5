"""Full-text search on papers on SQLite: an FTS5 table that triggers keep current, SQLite only.

PostgreSQL has its generated tsvector (migrations 0002 and 0005); this is SQLite's counterpart, so
the embedded default searches through an index rather than by scanning every title for a
substring. `papers_paper_fts` holds one row per paper, its rowid the paper's id, with four columns
in the weights' order (papers.fts.FTS_WEIGHTS): title, authors' printed names in author order,
venue (short name and full name, as PostgreSQL's `search_venue`) and abstract.

It is a plain FTS5 table with its own copy of the text, not an external-content or contentless one:
those need the old values of every indexed column to delete a row, which the authorship and venue
triggers would have to rebuild exactly as they were indexed. Here a trigger recomputes the paper's
row whenever something it shows changes (delete, then insert from papers_paper), whoever writes: the
importer's bulk statements, the admin, a merge or split, a curator's edit. Triggers fire only when
an indexed value changes: a merge (which moves authorships to another author row without changing
the printed names) costs nothing.

Tokenizer: `unicode61 remove_diacritics 2` folds accents on both sides, so "Sebastien" finds
"Sébastien" and the other way round; `porter` stems English words as PostgreSQL's `english`
configuration does ("auction" finds "auctions").

A future migration that makes Django rebuild papers_paper, papers_authorship or papers_venue on
SQLite (most AlterField operations do: new table, copy, drop, rename) drops that table's triggers
with it; tests/test_search_sqlite.py checks they all exist after every migration has run.
"""

from django.db import migrations

# The paper's authors' printed names in author order. SQLite 3.40 (Python 3.13's) has no ORDER BY
# inside group_concat(); it concatenates in the order of an ordered subquery in practice.
AUTHORS = (
    "(SELECT coalesce(group_concat(printed_name, ' '), '') FROM"
    " (SELECT printed_name FROM papers_authorship WHERE paper_id = {paper} ORDER BY position))"
)
VENUE = (
    "coalesce((SELECT short_name || CASE WHEN full_name <> '' THEN ' ' || full_name ELSE '' END"
    " FROM papers_venue WHERE id = {venue}), '')"
)


def index_papers(where: str) -> str:
    """INSERT the index rows of the papers matching `where` (a condition on papers_paper AS p)."""
    authors, venue = AUTHORS.format(paper="p.id"), VENUE.format(venue="p.venue_id")
    return (
        "INSERT INTO papers_paper_fts (rowid, title, authors, venue, abstract)"
        f" SELECT p.id, p.title, {authors}, {venue}, p.abstract FROM papers_paper AS p WHERE {where}"
    )


def reindex_paper(paper: str, when: str = "1") -> str:
    """Statements that rewrite the index row of one paper (an SQL expression for its id), if `when`:
    nothing left when the paper no longer exists."""
    return (
        f"DELETE FROM papers_paper_fts WHERE rowid = {paper} AND {when}; {index_papers(f'p.id = {paper} AND {when}')};"
    )


FORWARD = [
    """
    CREATE VIRTUAL TABLE papers_paper_fts USING fts5(
        title, authors, venue, abstract, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER papers_paper_fts_insert AFTER INSERT ON papers_paper BEGIN
        {index_papers("p.id = new.id")};
    END
    """,
    f"""
    CREATE TRIGGER papers_paper_fts_update AFTER UPDATE OF id, title, abstract, venue_id ON papers_paper
    WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.abstract IS NOT new.abstract
        OR old.venue_id IS NOT new.venue_id
    BEGIN
        DELETE FROM papers_paper_fts WHERE rowid = old.id;
        {reindex_paper("new.id")}
    END
    """,
    """
    CREATE TRIGGER papers_paper_fts_delete AFTER DELETE ON papers_paper BEGIN
        DELETE FROM papers_paper_fts WHERE rowid = old.id;
    END
    """,
    # One row at a time (SQLite has no statement triggers): a paper with five authors is indexed
    # five times as its authorships are written. A paper being deleted gets no row back: its
    # authorships go first, and reindex_paper finds the paper still there, then the paper's own
    # delete trigger removes the row.
    f"""
    CREATE TRIGGER papers_authorship_fts_insert AFTER INSERT ON papers_authorship BEGIN
        {reindex_paper("new.paper_id")}
    END
    """,
    f"""
    CREATE TRIGGER papers_authorship_fts_update AFTER UPDATE OF paper_id, position, printed_name
    ON papers_authorship
    WHEN old.paper_id IS NOT new.paper_id OR old.position IS NOT new.position
        OR old.printed_name IS NOT new.printed_name
    BEGIN
        {reindex_paper("old.paper_id")}
        {reindex_paper("new.paper_id", when="new.paper_id IS NOT old.paper_id")}
    END
    """,
    f"""
    CREATE TRIGGER papers_authorship_fts_delete AFTER DELETE ON papers_authorship BEGIN
        {reindex_paper("old.paper_id")}
    END
    """,
    f"""
    CREATE TRIGGER papers_venue_fts_update AFTER UPDATE OF short_name, full_name ON papers_venue
    WHEN old.short_name IS NOT new.short_name OR old.full_name IS NOT new.full_name
    BEGIN
        DELETE FROM papers_paper_fts WHERE rowid IN (SELECT id FROM papers_paper WHERE venue_id = new.id);
        {index_papers("p.venue_id = new.id")};
    END
    """,
    # Papers that exist already (a database migrated after an import).
    index_papers("1"),
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS papers_venue_fts_update",
    "DROP TRIGGER IF EXISTS papers_authorship_fts_delete",
    "DROP TRIGGER IF EXISTS papers_authorship_fts_update",
    "DROP TRIGGER IF EXISTS papers_authorship_fts_insert",
    "DROP TRIGGER IF EXISTS papers_paper_fts_delete",
    "DROP TRIGGER IF EXISTS papers_paper_fts_update",
    "DROP TRIGGER IF EXISTS papers_paper_fts_insert",
    "DROP TABLE IF EXISTS papers_paper_fts",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("papers", "0005_search_vector_year_lexeme")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
