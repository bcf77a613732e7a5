"""Full-text search on papers (PostgreSQL only): a stored generated tsvector with a GIN index.

A generated column is kept current by PostgreSQL on every insert and update, so there is no rebuild
step. It reads only its own row, so the authors' names and the venue are copied onto the paper into
two plain text columns, `search_authors` and `search_venue`, which triggers keep current whoever
writes (the importer's bulk statements, the admin, a merge):

- authorships: one statement-level trigger per INSERT/UPDATE/DELETE statement recomputes the names
  of the papers it touched (a batch of 1,000 authorships costs one UPDATE, not 1,000). Rows whose
  text is unchanged are not rewritten, so a merge (which moves authorships without changing the
  printed names) or an importer that pre-fills `search_authors` pays only the comparison.
- papers: a row trigger fills `search_venue` on insert (skipped by its WHEN clause when the writer
  filled it) and when `venue_id` changes; a venue's rename updates its papers.

None of these are model fields: SQLite has no tsvector, the same migrations must run there, and the
search code reads the columns only on PostgreSQL (papers.models.SEARCH_VECTOR).

Weights: title A, authors B, venue C, abstract D. Authors' names are indexed without accents too
(`unaccent`, wrapped as IMMUTABLE so a generated column may call it; its rules are fixed for a given
server), so "Sebastien" finds papers by "Sébastien" (papers.models._websearch folds the query).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is STABLE (its dictionary could in principle be reloaded); the rules file ships with
    # the server and does not change under a running database, which is what IMMUTABLE promises.
    """
    CREATE OR REPLACE FUNCTION papers_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
    "ALTER TABLE papers_paper ADD COLUMN search_authors text NOT NULL DEFAULT ''",
    "ALTER TABLE papers_paper ADD COLUMN search_venue text NOT NULL DEFAULT ''",
    """
    ALTER TABLE papers_paper ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, papers_unaccent(search_authors)), 'B')
        || setweight(to_tsvector('english'::regconfig, search_venue), 'C')
        || setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'D')
    ) STORED
    """,
    "CREATE INDEX paper_search_vector_gin ON papers_paper USING gin (search_vector)",
    # The names of the given papers, in author order, written only where they changed.
    """
    CREATE OR REPLACE FUNCTION papers_refresh_search_authors(paper_ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        UPDATE papers_paper p SET search_authors = s.names
        FROM (
            SELECT ids.id, coalesce(string_agg(a.printed_name, ' ' ORDER BY a.position), '') AS names
            FROM unnest(paper_ids) AS ids(id)
            LEFT JOIN papers_authorship a ON a.paper_id = ids.id
            GROUP BY ids.id
        ) s
        WHERE p.id = s.id AND p.search_authors IS DISTINCT FROM s.names
    $$
    """,
    # One function for the three statement triggers: TG_OP says which transition tables exist.
    """
    CREATE OR REPLACE FUNCTION papers_authorship_search_authors() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM papers_refresh_search_authors(ARRAY(SELECT DISTINCT paper_id FROM new_rows));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM papers_refresh_search_authors(ARRAY(
                SELECT paper_id FROM new_rows UNION SELECT paper_id FROM old_rows
            ));
        ELSE
            PERFORM papers_refresh_search_authors(ARRAY(SELECT DISTINCT paper_id FROM old_rows));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # Transition tables need one trigger per event.
    """
    CREATE TRIGGER authorship_search_authors_insert AFTER INSERT ON papers_authorship
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_authorship_search_authors()
    """,
    """
    CREATE TRIGGER authorship_search_authors_update AFTER UPDATE ON papers_authorship
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_authorship_search_authors()
    """,
    """
    CREATE TRIGGER authorship_search_authors_delete AFTER DELETE ON papers_authorship
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_authorship_search_authors()
    """,
    """
    CREATE OR REPLACE FUNCTION papers_paper_search_venue() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_venue := coalesce(
            (SELECT concat_ws(' ', short_name, nullif(full_name, '')) FROM papers_venue WHERE id = NEW.venue_id),
            ''
        );
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER paper_search_venue_insert BEFORE INSERT ON papers_paper
    FOR EACH ROW WHEN (NEW.venue_id IS NOT NULL AND NEW.search_venue = '')
    EXECUTE FUNCTION papers_paper_search_venue()
    """,
    """
    CREATE TRIGGER paper_search_venue_update BEFORE UPDATE OF venue_id ON papers_paper
    FOR EACH ROW WHEN (OLD.venue_id IS DISTINCT FROM NEW.venue_id)
    EXECUTE FUNCTION papers_paper_search_venue()
    """,
    """
    CREATE OR REPLACE FUNCTION papers_venue_search_venue() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE papers_paper SET search_venue = concat_ws(' ', NEW.short_name, nullif(NEW.full_name, ''))
        WHERE venue_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER venue_search_venue_update AFTER UPDATE OF short_name, full_name ON papers_venue
    FOR EACH ROW WHEN ((OLD.short_name, OLD.full_name) IS DISTINCT FROM (NEW.short_name, NEW.full_name))
    EXECUTE FUNCTION papers_venue_search_venue()
    """,
    # Papers that exist already (a database migrated after an import).
    """
    UPDATE papers_paper p SET search_venue = concat_ws(' ', v.short_name, nullif(v.full_name, ''))
    FROM papers_venue v WHERE v.id = p.venue_id
    """,
    "SELECT papers_refresh_search_authors(ARRAY(SELECT DISTINCT paper_id FROM papers_authorship))",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS venue_search_venue_update ON papers_venue",
    "DROP TRIGGER IF EXISTS paper_search_venue_update ON papers_paper",
    "DROP TRIGGER IF EXISTS paper_search_venue_insert ON papers_paper",
    "DROP TRIGGER IF EXISTS authorship_search_authors_delete ON papers_authorship",
    "DROP TRIGGER IF EXISTS authorship_search_authors_update ON papers_authorship",
    "DROP TRIGGER IF EXISTS authorship_search_authors_insert ON papers_authorship",
    "DROP FUNCTION IF EXISTS papers_venue_search_venue()",
    "DROP FUNCTION IF EXISTS papers_paper_search_venue()",
    "DROP FUNCTION IF EXISTS papers_authorship_search_authors()",
    "DROP FUNCTION IF EXISTS papers_refresh_search_authors(bigint[])",
    "ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_venue",
    "ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_authors",
    "DROP FUNCTION IF EXISTS papers_unaccent(text)",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("papers", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
