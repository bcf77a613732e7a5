"""Fast inserts of new rows for the importer: COPY through psycopg 3 on PostgreSQL, bulk_create elsewhere.

bulk_create spends most of an import's time building the INSERT (a value list per field, then
psycopg adapting every value as a literal); COPY streams the same rows as one protocol message per
batch. Primary keys are taken from the table's sequence first, so callers get `obj.pk` as with
bulk_create. Inside the caller's transaction like any other write, so a failed file leaves nothing.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Model


def bulk_insert(model: type[Model], objs: Iterable[Model]) -> list[Model]:
    """Insert new, unsaved instances (auto_now fields and defaults filled as save() would)."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=2000)
    meta = model._meta
    if meta.pk.name == "id" and any(obj.pk is None for obj in objs):
        _allocate_ids(model, [obj for obj in objs if obj.pk is None])
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def _allocate_ids(model: type[Model], objs: list[Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(objs)]
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
