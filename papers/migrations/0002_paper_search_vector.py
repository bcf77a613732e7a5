"""Full-text search vector on papers (PostgreSQL only): a stored generated tsvector with a GIN index.

A generated column is kept current by PostgreSQL on every insert and update, so there is no rebuild
step. It is not a model field: SQLite has no tsvector, and the same migrations must run there; the
search code reads the column only on PostgreSQL (papers.search.SEARCH_VECTOR_SQL).

Title weighs A and abstract D. Authors' names and the venue live in other tables, which a generated
column cannot read, so they are not in the vector (yet).
"""

from django.db import migrations

ADD_COLUMN = """
ALTER TABLE papers_paper ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'D')
) STORED
"""
ADD_INDEX = "CREATE INDEX IF NOT EXISTS paper_search_vector_gin ON papers_paper USING gin (search_vector)"


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ADD_COLUMN)
    schema_editor.execute(ADD_INDEX)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("papers", "0001_initial")]

    operations = [migrations.RunPython(add_search_vector, drop_search_vector)]
