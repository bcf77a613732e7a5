"""Accent-folded `search_name` on clusters, filled for existing rows, with a trigram index on PostgreSQL.

The trigram extension and the GIN index exist only on PostgreSQL; on SQLite the column is plain
text searched by substring, so the same migrations run on both databases.
"""

from django.db import migrations, models

from authors.names import accent_fold

INDEX_NAME = "namecluster_search_name_trgm"


def fill_search_name(apps, schema_editor):
    NameCluster = apps.get_model("authors", "NameCluster")
    rows = list(NameCluster.objects.only("pk", "name"))
    for row in rows:
        row.search_name = accent_fold(row.name)
    NameCluster.objects.bulk_update(rows, ["search_name"], batch_size=1000)


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON authors_namecluster USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("authors", "0002_curators_group")]

    operations = [
        migrations.AddField(
            model_name="namecluster",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=300, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill_search_name, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
