"""The name search's trigram operator costs what it does (PostgreSQL only).

`search_name %> q` calls pg_trgm's word_similarity_commutator_op, which PostgreSQL costs like an
equality test. On a clusters table of a few thousand rows the planner then filtered every row
with it (10 ms at 50,000 papers) instead of asking the trigram index (0.2 ms); a cost of 100 says
what a similarity computation is worth and leaves plans over large tables as they were. An import
role that does not own the extension's function keeps the old cost: a slower plan, nothing wrong.
"""

from django.db import migrations

FUNCTION = "word_similarity_commutator_op(text, text)"


def set_cost(cost: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"""
            DO $$ BEGIN
                ALTER FUNCTION {FUNCTION} COST {cost};
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'not the owner of {FUNCTION}: its cost is left as it is';
            END $$
            """
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("authors", "0005_leaner_indexes")]

    operations = [migrations.RunPython(set_cost(100), set_cost(1))]
