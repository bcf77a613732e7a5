"""Fewer indexes for every write to pay, and a trigger a bulk writer can tell it has nothing to do.

- Dropped: the `varchar_pattern_ops` twins Django adds to each indexed CharField on PostgreSQL (no
  query does a prefix search on identifiers), single-column indexes on year, venue and authorships'
  paper and author (each leads a composite index already), and blanks in the identifier indexes
  (partial now: most papers lack most identifiers). title_key keeps one pattern index, which answers
  the importer's `=` and the admin's prefix search both.
- The authorship statement trigger of 0002 returns at once while `arrow.search_authors_written` is
  'on' in the transaction: the importer sets it around the authorships of papers it has just
  created with `search_authors` filled (papers.services.search_authors_written). Recomputing those
  names to find them unchanged was half the cost of writing the authorships.
- SQLite gets paper_newest_idx too (0003 is PostgreSQL only): NULLs sort lowest there, so
  `year DESC, id DESC` is the same order as PostgreSQL's `year DESC NULLS LAST, id DESC`.
"""

import django.db.models.deletion
from django.db import migrations, models


TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION papers_authorship_search_authors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('arrow.search_authors_written', true) = 'on' THEN
        RETURN NULL;
    END IF;
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
"""
# 0002's function, for going back.
TRIGGER_FUNCTION_0002 = TRIGGER_FUNCTION.replace(
    """    IF current_setting('arrow.search_authors_written', true) = 'on' THEN
        RETURN NULL;
    END IF;
""",
    "",
)
SQLITE_NEWEST = "CREATE INDEX IF NOT EXISTS paper_newest_idx ON papers_paper (year DESC, id DESC)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_FUNCTION)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_NEWEST)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_FUNCTION_0002)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS paper_newest_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0005_leaner_indexes"),
        ("papers", "0003_paper_newest_idx"),
    ]

    operations = [
        migrations.AlterField(
            model_name="authorship",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="authorships",
                to="authors.author",
            ),
        ),
        migrations.AlterField(
            model_name="authorship",
            name="paper",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="authorships",
                to="papers.paper",
            ),
        ),
        migrations.AlterField(
            model_name="paper",
            name="arxiv_id",
            field=models.CharField(blank=True, max_length=50, verbose_name="arXiv id"),
        ),
        migrations.AlterField(
            model_name="paper",
            name="dblp_key",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name="paper",
            name="doi",
            field=models.CharField(blank=True, max_length=300, verbose_name="DOI"),
        ),
        migrations.AlterField(
            model_name="paper",
            name="openalex_id",
            field=models.CharField(blank=True, max_length=50, verbose_name="OpenAlex id"),
        ),
        migrations.AlterField(
            model_name="paper",
            name="title_key",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AlterField(
            model_name="paper",
            name="venue",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="papers",
                to="papers.venue",
            ),
        ),
        migrations.AlterField(
            model_name="paper",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(condition=models.Q(("doi", ""), _negated=True), fields=["doi"], name="paper_doi_idx"),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                condition=models.Q(("dblp_key", ""), _negated=True), fields=["dblp_key"], name="paper_dblp_key_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                condition=models.Q(("openalex_id", ""), _negated=True),
                fields=["openalex_id"],
                name="paper_openalex_id_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                condition=models.Q(("arxiv_id", ""), _negated=True), fields=["arxiv_id"], name="paper_arxiv_id_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(fields=["title_key"], name="paper_title_key_idx", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.RunPython(forward, backward),
    ]
