"""The newest matches of a full-text search on PostgreSQL, in one statement whatever the query.

The planner assumes words occur independently, so for correlated words ("bandit -regret") it walks
paper_newest_idx through most of the table. The statement decides from what it finds instead:
1. `probe` walks the newest PROBE_ROWS papers; enough matches there are the newest overall.
2. Otherwise, from the `edge` the probe reached: `walk_on` if the probe found many (dense), one GIN
   lookup `the_rest` if the query is rare overall, else year windows: GIN restricted by the `year N`
   lexeme (migration 0005) to one year, then 1, 2, 4 … years back, until enough are found.
3. The union, newest first, cut to the limit.
Each step is gated by a condition PostgreSQL evaluates once (a One-Time Filter), skipping its scan.
"""

from django.db import connections
from psycopg import sql

PROBE_ROWS = 2000
# The fewest probe matches that make walking on cheaper than year windows.
DENSE_MATCHES = 100
# (first, last) years before the edge's year; older papers and those without a year come last.
YEAR_WINDOWS = ((1, 1), (2, 3), (4, 7), (8, 15), (16, 31), (32, 63))
# With a space, which no typed query can produce in a lexeme, whatever the parser's locale.
YEAR_LEXEME = "year "
# Expected matches in the whole table up to which one GIN lookup beats the windows.
RARE_MATCHES = 2000
# Parameters: IS_SPARSE's DENSE_MATCHES; IS_RARE's DENSE_MATCHES, the table, RARE_MATCHES, PROBE_ROWS
# (reltuples is -1 before the first ANALYZE, which makes every query on a new table rare).
IS_SPARSE = "(SELECT count(*) FROM probe) < %s"
IS_RARE = (
    "(SELECT count(*) FROM probe) < %s"
    " AND (SELECT count(*) FROM probe) * (SELECT reltuples FROM pg_class WHERE oid = %s::regclass) <= %s::float8 * %s"
)


def newest_matches(
    base, query, limit: int, *, probe_rows: int = PROBE_ROWS, dense: int = DENSE_MATCHES, rare: int = RARE_MATCHES
) -> list[tuple[int, float]]:
    """(id, ts_rank) of `base.filter(search_vector=query).newest_first()[:limit]`, ranked where each match
    is read; `base` carries the `search_vector` annotation."""
    compiler = base.query.get_compiler(using=base.db)
    tsquery, tsquery_params = compiler.compile(query.resolve_expression(base.query))

    def compiled(queryset) -> tuple[sql.SQL, tuple]:
        text, values = queryset.query.get_compiler(using=base.db).as_sql()
        return sql.SQL(text), tuple(values)

    newest = base.newest_first().values_list("id", "year", "search_vector")
    rows, rows_params = compiled(base.order_by().values_list("id", "year", "search_vector"))
    probe, probe_params = compiled(newest[:probe_rows])
    edge, edge_params = compiled(newest.values_list("id", "year")[probe_rows - 1 : probe_rows])
    words = sql.SQL(tsquery)

    # Each piece of Django's SQL brings its own placeholders: parameters are added in statement order.
    parts: list[sql.Composable] = []
    params: list = []

    def add(template: str, *values, **fields) -> None:
        parts.append(sql.SQL(template).format(**fields))
        params.extend(values)

    # `base.id + 0`, `base.year + 0`: edge conditions that must not become index conditions (the
    # planner would AND a huge primary-key bitmap with the GIN one).
    def add_step(name: str, gate: sql.Composable, *values) -> None:
        # Only InitPlans and constants, so a One-Time Filter. `edge` exists whenever a step can be needed.
        add(
            "{name} AS MATERIALIZED (SELECT id, year, ts_rank(base.search_vector, ({words})) AS rank"
            " FROM ({rows}) AS base WHERE ",
            *tsquery_params,
            *rows_params,
            name=sql.Identifier(name),
            words=words,
            rows=rows,
        )
        parts.append(sql.SQL("EXISTS (SELECT 1 FROM edge) AND ") + gate)
        params.extend(values)

    def add_match(years: sql.Composable | None = None, *years_params, seen: bool = False) -> None:
        # `seen`: the planner sees the words (walk_on needs its estimate to keep walking). Elsewhere an
        # InitPlan hides them, so it expects few matches and plans the GIN index, as those steps need.
        template = (
            " AND base.search_vector @@ (({words}){years})"
            if seen
            else " AND base.search_vector @@ ((SELECT {words}){years})"
        )
        add(template, *tsquery_params, *years_params, words=words, years=years or sql.SQL(""))

    def year_lexemes(first: int, last: int, step: int) -> sql.Composable:
        # 'year 2024' | 'year 2023' | ...: NULL when the range is empty, and then nothing matches.
        return sql.SQL(
            "(SELECT string_agg(format('%%L', %s::text || y), ' | ')::tsquery FROM generate_series("
            "(SELECT year FROM edge) - {first}, (SELECT year FROM edge) - {last}, {step}) AS y)"
        ).format(first=sql.Literal(first), last=sql.Literal(last), step=sql.Literal(step))

    add(
        "WITH probe AS MATERIALIZED (SELECT id, year, ts_rank(newest.search_vector, ({words})) AS rank"
        " FROM ({probe}) AS newest ",
        *tsquery_params,
        *probe_params,
        words=words,
        probe=probe,
    )
    add("WHERE newest.search_vector @@ ({words}) LIMIT %s), ", *tsquery_params, limit, words=words)
    add(
        "edge AS MATERIALIZED (SELECT id, year FROM ({edge}) AS e WHERE (SELECT count(*) FROM probe) < %s), ",
        *edge_params,
        limit,
        edge=edge,
    )
    table = base.model._meta.db_table
    rare_params = (dense, table, rare, probe_rows)
    # Dense: walk on from the edge. A constant LIMIT, the most it can need: as an expression the planner
    # cannot cost the walk's early stop.
    add_step("walk_on", sql.SQL("(SELECT count(*) FROM probe) BETWEEN %s AND %s"), dense, limit - 1)
    add_match(seen=True)
    add(
        " AND (base.year, base.id) < ((SELECT year FROM edge), (SELECT id FROM edge))"
        " ORDER BY year DESC NULLS LAST, id DESC LIMIT %s), ",
        max(limit - dense, 0),
    )
    add_step("the_rest", sql.SQL(IS_RARE), *rare_params)
    add_match()
    add(
        " AND (CASE WHEN (SELECT year FROM edge) IS NULL THEN base.year IS NULL AND base.id < (SELECT id FROM edge)"
        " ELSE base.year + 0 < (SELECT year FROM edge) OR base.year IS NULL"
        " OR (base.year + 0 = (SELECT year FROM edge) AND base.id + 0 < (SELECT id FROM edge)) END)), "
    )
    sparse = sql.SQL("(SELECT year FROM edge) IS NOT NULL AND {} AND NOT ({}) AND ").format(
        sql.SQL(IS_SPARSE), sql.SQL(IS_RARE)
    )
    found = ["probe", "walk_on"]
    for first, last in ((0, 0), *YEAR_WINDOWS):
        name = f"years_{first}_{last}"
        add_step(name, sparse + found_fewer(found), dense, *rare_params, limit)
        add_match(sql.SQL(" && ") + year_lexemes(first, last, -1), YEAR_LEXEME)
        if first == 0:  # the edge's own year: its papers the probe has not seen
            add(" AND base.id + 0 < (SELECT id FROM edge)")
        add("), ")
        found.append(name)
    oldest = YEAR_WINDOWS[-1][1]
    add_step("older", sparse + found_fewer(found), dense, *rare_params, limit)
    add_match(sql.SQL(" && !!") + year_lexemes(oldest, 0, 1), YEAR_LEXEME)
    add(" AND base.year + 0 < (SELECT year FROM edge) - {oldest}), ", oldest=sql.Literal(oldest))
    found.append("older")
    add_step(
        "no_year",
        sql.SQL("NOT ({}) AND ").format(sql.SQL(IS_RARE)) + found_fewer(found),
        *rare_params,
        limit,
    )
    add_match()
    add(" AND base.year IS NULL AND ((SELECT year FROM edge) IS NOT NULL OR base.id < (SELECT id FROM edge))) ")
    union = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT id, year, rank FROM {}").format(sql.Identifier(step))
        for step in [*found, "the_rest", "no_year"]
    )
    add("SELECT id, rank FROM ({union}) AS found ORDER BY year DESC NULLS LAST, id DESC LIMIT %s", limit, union=union)
    with connections[base.db].cursor() as cursor:
        cursor.execute(sql.Composed(parts), params)
        return cursor.fetchall()


def found_fewer(steps: list[str]) -> sql.Composable:
    """SQL: the steps so far found fewer than the limit (its parameter)."""
    counts = sql.SQL(" + ").join(sql.SQL("(SELECT count(*) FROM {})").format(sql.Identifier(step)) for step in steps)
    return counts + sql.SQL(" < %s")
