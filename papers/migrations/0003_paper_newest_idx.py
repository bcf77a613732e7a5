"""An index in the order of every newest-first paper list: year descending (no year last), then id.

The paper list, venue pages and the search's candidate set (papers.models.SEARCH_CANDIDATES) sort
this way; without the index PostgreSQL reads and sorts every matching paper to show the first 50.
PostgreSQL only: `NULLS LAST` is not index syntax on SQLite, where the tables are small anyway.
"""

from django.db import migrations

INDEX = "paper_newest_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON papers_paper (year DESC NULLS LAST, id DESC)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_paper_search_vector")]

    operations = [migrations.RunPython(create, drop)]
