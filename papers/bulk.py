"""Bulk writes: COPY through psycopg 3 on PostgreSQL (bulk_create elsewhere), and arrays as one parameter.

Callers hand over plain tuples, not model instances, which cost more to build and prepare than the
database takes to write them. Each column's database value is prepared once per call for the fields a
caller leaves out (defaults, `auto_now` timestamps), and COPY streams the rows as one protocol message
per batch. Primary keys are taken from the table's sequence first, so callers get the new ids as with
bulk_create. Inside the caller's transaction like any other write, so a failed file leaves nothing.
"""

import io
import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Expression, F, Model, Q
from django.utils import timezone
from psycopg import sql
from psycopg.adapt import PyFormat, Transformer
from psycopg.copy import Copy, FileWriter


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    extra_columns: Sequence[str] = (),
    ids: bool = True,
) -> list[int]:
    """Insert one new row per tuple of `fields` values (attribute names: `venue_id`, not `venue`);
    every other field gets its default, as `save()` would give it. Returns the new primary keys,
    or nothing with `ids=False` (the database numbers the rows itself, without a query for the ids).

    `extra_columns` are PostgreSQL-only columns that are not model fields (papers_paper's search
    text, migration 0002): each tuple carries their values after the fields' values.
    """
    rows = list(rows)
    if not rows:
        return []
    if connection.vendor != "postgresql":
        # The extra columns exist on PostgreSQL only: left off here.
        objs = model.objects.bulk_create(
            (model(**dict(zip(fields, row[: len(fields)], strict=True))) for row in rows), batch_size=2000
        )
        return [obj.pk for obj in objs] if ids else []
    new_ids = allocate_ids(model, len(rows)) if ids else None
    statement, constants = _copy_statement(model, fields, extra_columns, with_ids=ids)
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in _with_ids(rows, new_ids):
            copy.write_row((*row, *constants))
    return new_ids or []


@dataclass(frozen=True)
class CopyJob:
    """A COPY statement with its data already formatted, to run later (papers.importing.writer)."""

    statement: sql.Composable
    data: bytes


def copy_job(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    extra_columns: Sequence[str] = (),
    ids: Sequence[int] | None = None,
) -> CopyJob:
    """insert_rows' COPY, formatted now and run later (PostgreSQL): `ids` are primary keys the
    caller took with allocate_ids, one per row, or None to let the database number the rows."""
    statement, constants = _copy_statement(model, fields, extra_columns, with_ids=ids is not None)
    buffer = io.BytesIO()
    # psycopg's own formatter (in C), writing to memory: the same bytes insert_rows would send.
    with connection.connection.cursor() as cursor, Copy(cursor, writer=FileWriter(buffer)) as copy:
        for row in _with_ids(rows, ids):
            copy.write_row((*row, *constants))
    return CopyJob(statement, buffer.getvalue())


def _copy_statement(model: type[Model], fields: Sequence[str], extra_columns: Sequence[str], *, with_ids: bool):
    """The COPY statement for these columns, and the COPY text of every column the caller leaves out."""
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    now = timezone.now()
    rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
    constants = _as_copy_text(cursor_transformer(), tuple(_default(f, now) for f in rest))
    columns = [*(f.column for f in given), *extra_columns, *(f.column for f in rest)]
    if with_ids:
        columns.insert(0, meta.pk.column)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    return statement, constants


def _with_ids(rows: Iterable[Sequence], ids: Sequence[int] | None) -> Iterable[Sequence]:
    if ids is None:
        return rows
    return ((pk, *row) for pk, row in zip(ids, rows, strict=True))


def _default(field, now):
    """The database value save() would write for a field the caller did not give."""
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return field.get_db_prep_save(now if stamped else field.get_default(), connection)


def cursor_transformer():
    """A psycopg Transformer for this connection (how it would dump each value)."""
    connection.ensure_connection()
    return Transformer(connection.connection)


def _as_copy_text(transformer, values: tuple) -> tuple:
    """Values as the text COPY reads for them, dumped once: the same constants (a JSON `[]`, the
    import's timestamp) on every row were otherwise dumped again for each one. None stays None (COPY's NULL)."""
    return tuple(
        None if value is None else bytes(transformer.get_dumper(value, PyFormat.TEXT).dump(value)).decode()
        for value in values
    )


# Tables whose sequences may hand out a block of ids at once: set while this connection's
# transaction holds them ACCESS EXCLUSIVE (papers.importing.schema.first_load).
_locked_tables: ContextVar[frozenset[str]] = ContextVar("locked_tables", default=frozenset())


@contextmanager
def ids_in_blocks(tables: Iterable[str]):
    """While inside, allocate_ids() takes a block of ids for these tables in one step.

    Only for tables this transaction holds ACCESS EXCLUSIVE: every other insert into them waits for
    the lock before its default draws from the sequence, so no one can take an id from inside the
    block between the two steps; one step instead of a nextval() per id.
    """
    token = _locked_tables.set(frozenset(tables))
    try:
        yield
    finally:
        _locked_tables.reset(token)


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's sequence (PostgreSQL), in one query."""
    with connection.cursor() as cursor:
        if model._meta.db_table in _locked_tables.get():
            # Moves the sequence past the block: ids last - count + 1 .. last are ours. setval is
            # not rolled back, like nextval. NULL (the per-id query below) if the sequence does
            # not step by 1, which Django's never do.
            cursor.execute(
                "SELECT CASE WHEN q.seqincrement = 1 THEN setval(q.seqrelid, nextval(q.seqrelid) + %s - 1) END"
                " FROM pg_sequence q WHERE q.seqrelid = pg_get_serial_sequence(%s, %s)::regclass",
                [count, model._meta.db_table, model._meta.pk.column],
            )
            last = cursor.fetchone()[0]
            if last is not None:
                return list(range(last - count + 1, last + 1))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


class InArray(Expression):
    """`column = ANY(%s)` with the values as one array parameter (PostgreSQL).

    `column__in=values` writes one placeholder per value, and with thousands of keys per batch
    psycopg's client-side query building and Django's per-value preparation took longer than the
    database did to answer.
    """

    output_field = BooleanField()

    def __init__(self, column: str, values: list):
        super().__init__()
        self.lhs = F(column)
        self.values = values

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, exprs):
        (self.lhs,) = exprs

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        array, param = array_param(self.values)
        return f"{lhs} = ANY({array})", (*params, param)


# Joins the values of array_param's one string: a control character no import key or name has.
ARRAY_SEPARATOR = "\x1f"


def array_param(values: list) -> tuple[str, object]:
    """SQL for a PostgreSQL array of `values` and its one parameter, for the arrays that carry
    thousands of values (InArray, update_rows, the count refresh).

    psycopg dumps a list parameter element by element in Python, which a batch's lookups paid many
    times over; joined into one string that the server splits, the values cost next to nothing.
    Values the string cannot carry (the separator itself, an empty string, which `string_to_array`
    drops, or anything not str/int) go as a list.
    """
    if all(type(v) is int for v in values):
        return "string_to_array(%s, ',')::bigint[]", ",".join(map(str, values))
    if all(type(v) is str and v and ARRAY_SEPARATOR not in v for v in values):
        return "string_to_array(%s, chr(31))", ARRAY_SEPARATOR.join(values)
    return "%s", values


def any_of(column: str, values: Iterable):
    """A filter for rows whose `column` is one of `values`: InArray on PostgreSQL, `__in` elsewhere."""
    values = list(values)
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{column}__in": values})
    return InArray(column, values)


def update_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Set `fields` of existing rows; each row is (pk, *values). No `auto_now` stamp, as bulk_update.

    bulk_update builds a CASE with one WHEN per row and field, which for a few thousand rows costs
    seconds in Python alone; on PostgreSQL this is one UPDATE joined to the values as arrays.
    """
    rows = list(rows)
    if not rows:
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip([f.attname for f in columns], row, strict=True))) for row in rows]
        model.objects.bulk_update(objs, fields, batch_size=500)
        return
    # Each column travels as one text[] parameter (array_param) and is cast back to the column's own
    # type (from the model, not from input), so any field type works the same way.
    arrays = [array_param([_as_text(column, row[i]) for row in rows]) for i, column in enumerate(columns)]

    def cast(f):
        return sql.SQL("v.{}::{}").format(sql.Identifier(f.column), sql.SQL(f.db_type(connection)))

    statement = sql.SQL("UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = {v_pk}")
    statement = statement.format(
        table=sql.Identifier(meta.db_table),
        sets=sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(f.column), cast(f)) for f in columns[1:]),
        arrays=sql.SQL(", ").join(sql.SQL(f"({array})::text[]") for array, _ in arrays),
        names=sql.SQL(", ").join(sql.Identifier(f.column) for f in columns),
        pk=sql.Identifier(meta.pk.column),
        v_pk=cast(meta.pk),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [param for _, param in arrays])


def _as_text(field, value) -> str | None:
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return str(value)


def chunked(ids: Iterable[int], size: int = 5000):
    """Sorted distinct ids in slices: keeps `pk IN (...)` lists under SQLite's variable limit."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
