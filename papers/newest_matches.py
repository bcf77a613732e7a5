"""The newest matches of a full-text search on PostgreSQL, in one statement whatever the query.

The search ranks only the newest SEARCH_CANDIDATES matches (papers.models.PaperQuerySet
.search_candidates), and the cost of finding them depends on how densely the query matches:

- dense ("learning"): walking paper_newest_idx and testing each paper stops after a few hundred;
- rare ("zebrafish"): the GIN index finds the few matches, which are then sorted;
- sparse but made of common words ("bandit -regret", where "bandit" is in most papers): the walk
  tests tens of thousands of papers, each a random heap read (85-125 ms at 1,000,000 papers), and
  the GIN bitmap of "bandit & !regret" is built from posting lists nearly as long as the table.

PostgreSQL's planner picks between the first two from its estimates, which assume words occur
independently; for correlated words ("regret" nearly always comes with "bandit") it picks the walk
and reads the whole table's worth of index order. So the statement decides from what it finds:

1. `probe`: the walk over the newest PROBE_ROWS papers only. Enough matches there: done, and they
   are the newest overall.
2. Otherwise `edge` is the last paper the probe looked at, and one of three continuations runs:
   - `walk_on` when the probe found at least DENSE_MATCHES (the walk will soon find the rest);
   - `the_rest`, one GIN lookup, when it found fewer and that share of the whole table is at most
     RARE_MATCHES papers (it reads all the matches after the edge: if the words are rare in new
     papers but common in old ones, that is many);
   - year windows otherwise: the GIN index restricted to one year, then 1, 2, 4 ... more years
     back, then all older ones, stopping once enough are found. Each paper's vector carries a lexeme for its year
     (`year 2024`, migration 0005; no typed query can produce a lexeme with a space), so GIN
     intersects the words with the year inside the index and reads only that year's matches.
3. The union, newest first, cut to the limit.

Each step after the probe is gated by a condition on what the earlier ones found, which PostgreSQL
evaluates once (a One-Time Filter) and skips the step's scan entirely when it is false: a dense
query costs the walk it always did, a sparse one a few index lookups. One statement, so a search
page keeps its constant number of queries.
"""

from django.db import connections
from psycopg import sql

# How many of the newest papers the probe tests. 2,000 random heap reads cost 5-8 ms.
PROBE_ROWS = 2000
# The fewest matches in the probe that make walking on cheaper than year windows (5 %: the walk
# then tests at most about 10,000 more papers).
DENSE_MATCHES = 100
# The year windows after the edge's own year, as (first, last) years before it; what is older (and
# papers without a year) is the last step. The lexeme is written by migration 0005.
YEAR_WINDOWS = ((1, 1), (2, 3), (4, 7), (8, 15), (16, 31), (32, 63))
# A space: no typed query can produce a lexeme with one (every text search parser splits on white
# space, whatever the locale; the parser's idea of a letter depends on it, so "§y2024" would not do).
YEAR_LEXEME = "year "
# At most this many matches expected in the whole table (from the probe's share) and the GIN index
# alone reads them all faster than window by window.
RARE_MATCHES = 2000
# The gates' conditions. IS_SPARSE's parameter is DENSE_MATCHES; IS_RARE's are DENSE_MATCHES, the
# table, RARE_MATCHES and PROBE_ROWS (reltuples is the planner's row count: -1 before the first
# ANALYZE, which makes every query on a new table rare).
IS_SPARSE = "(SELECT count(*) FROM probe) < %s"
IS_RARE = (
    "(SELECT count(*) FROM probe) < %s"
    " AND (SELECT count(*) FROM probe) * (SELECT reltuples FROM pg_class WHERE oid = %s::regclass) <= %s::float8 * %s"
)


def newest_matches(
    base, query, limit: int, *, probe_rows: int = PROBE_ROWS, dense: int = DENSE_MATCHES, rare: int = RARE_MATCHES
) -> list[tuple[int, float]]:
    """(id, rank) of the newest `limit` papers of `base` (a Paper queryset with the `search_vector`
    annotation, filters applied) that match `query` (a SearchQuery), newest first: the papers of
    `base.filter(search_vector=query).newest_first()[:limit]`, found as the module docstring says,
    with their `ts_rank` (SearchRank), computed where each match is read rather than by reading the
    candidates again."""
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

    # The statement in order, with its parameters in the same order (each piece of Django's SQL
    # brings its own %s placeholders).
    parts: list[sql.Composable] = []
    params: list = []

    def add(template: str, *values, **fields) -> None:
        parts.append(sql.SQL(template).format(**fields))
        params.extend(values)

    # `base.id + 0`, `base.year + 0`: conditions on the edge that must not become index conditions.
    # Estimated to keep a third of the table, they made the planner AND the GIN bitmap with a
    # bitmap of the primary key over 900,000 rows (58 ms) to save heap reads it never had to make.
    def add_step(name: str, gate: sql.Composable, *values) -> None:
        # The gate uses only InitPlans and constants: PostgreSQL makes it a One-Time Filter and skips
        # the step's scan when it is false. `edge` exists whenever a step can be needed.
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
        # `seen`: the planner sees the words, and estimates how many papers match from its
        # statistics; walk_on needs that to keep walking. Elsewhere the words come from an InitPlan,
        # which it cannot see into: it then expects few matches and asks the GIN index, the right
        # plan for a step that runs only when the probe found few (seeing "learning", it would plan
        # a sequential scan for a step that will not run, or worse, for one that does).
        # `years` narrows the words to (or away from) year lexemes.
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
    # Dense: walk on from the edge (the row comparison is where paper_newest_idx starts). The LIMIT
    # is the most it can need (the probe found at least `dense`), a constant: as
    # `limit - (SELECT count(*) FROM probe)` the planner cannot cost the walk's early stop and builds
    # both indexes' bitmaps instead (375 ms for "wang" at 1,000,000 papers).
    add_step("walk_on", sql.SQL("(SELECT count(*) FROM probe) BETWEEN %s AND %s"), dense, limit - 1)
    add_match(seen=True)
    add(
        " AND (base.year, base.id) < ((SELECT year FROM edge), (SELECT id FROM edge))"
        " ORDER BY year DESC NULLS LAST, id DESC LIMIT %s), ",
        max(limit - dense, 0),
    )
    # Rare: the GIN index alone finds the few matches after the edge, years or not.
    add_step("the_rest", sql.SQL(IS_RARE), *rare_params)
    add_match()
    add(
        " AND (CASE WHEN (SELECT year FROM edge) IS NULL THEN base.year IS NULL AND base.id < (SELECT id FROM edge)"
        " ELSE base.year + 0 < (SELECT year FROM edge) OR base.year IS NULL"
        " OR (base.year + 0 = (SELECT year FROM edge) AND base.id + 0 < (SELECT id FROM edge)) END)), "
    )
    # Sparse: the year windows, then what is older, while fewer than `limit` are found.
    sparse = sql.SQL("(SELECT year FROM edge) IS NOT NULL AND {} AND NOT ({}) AND ").format(
        sql.SQL(IS_SPARSE), sql.SQL(IS_RARE)
    )
    # What the steps so far found (walk_on's share is empty when windows run): each gate counts it.
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
    # Dense or sparse, papers without a year come last, when the rest did not fill the list.
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
