"""Full-text search on SQLite: the FTS5 table of migration 0006 and the queries that read it.

People type PostgreSQL's websearch syntax; every word or phrase becomes an FTS5 string, so nothing
typed is ever FTS5 syntax (`title:x`, `NEAR(`, `*` are only text).
"""

import re
import unicodedata

from django.db import connections, models
from django.db.models.expressions import RawSQL

FTS_TABLE = "papers_paper_fts"
# The table's columns, in order: bm25() and snippet() refer to them by position.
FTS_COLUMNS = ("title", "authors", "venue", "abstract")
# PostgreSQL's ts_rank weights A-D, so both databases rank title, authors, venue, abstract alike.
FTS_WEIGHTS = (1.0, 0.4, 0.2, 0.1)
# A word without a character unicode61 indexes would be an empty phrase and empty the whole AND.
WORD_CHAR_RE = re.compile(r"[^\W_]")


def match_expression(q: str) -> str:
    """The FTS5 MATCH expression for a query as typed; "" when nothing can match (FTS5 has no
    "everything but" for a query of only excluded words)."""
    # NFC so the tokenizer folds the accents; a NUL would end FTS5's string early.
    q = unicodedata.normalize("NFC", q.replace("\x00", " "))
    alternatives: list[list[tuple[bool, str]]] = [[]]
    pos, end = 0, len(q)
    while pos < end:
        if q[pos].isspace():
            pos += 1
            continue
        excluded = q[pos] == "-" and pos + 1 < end and not q[pos + 1].isspace()
        pos += excluded
        if q[pos] == '"':
            close = q.find('"', pos + 1)
            close = end if close == -1 else close
            text, quoted, pos = q[pos + 1 : close], True, close + 1
        else:
            stop = pos
            while stop < end and not q[stop].isspace() and q[stop] != '"':
                stop += 1
            text, quoted, pos = q[pos:stop], False, stop
        if not quoted and not excluded and text.lower() == "or":
            alternatives.append([])
        elif WORD_CHAR_RE.search(text):
            alternatives[-1].append((excluded, text))

    expressions = []
    for terms in alternatives:
        wanted = [_fts_string(text) for excluded, text in terms if not excluded]
        unwanted = [_fts_string(text) for excluded, text in terms if excluded]
        if not wanted:
            continue
        expression = " AND ".join(wanted)
        if unwanted:
            expression = f"({expression}) NOT ({' OR '.join(unwanted)})"
        expressions.append(f"({expression})")
    return " OR ".join(expressions)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def matching_ids(expression: str) -> RawSQL:
    """The ids of the papers matching a match_expression(), for `pk__in=`."""
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (expression,))  # noqa: S608 S611  # nosec B608 B611


def newest_matches(base, expression: str, limit: int) -> list[tuple[int, float]]:
    """(id, -bm25()) of the newest `limit` papers of `base` matching the expression, newest first.
    Scored in the one pass that reads the matches: scoring afterwards would re-run MATCH per paper."""
    papers = base.order_by().values(fts_id=models.F("id"), fts_year=models.F("year"))
    papers_sql, papers_params = papers.query.get_compiler(using=base.db).as_sql()
    weights = ", ".join(map(str, FTS_WEIGHTS))
    # CROSS JOIN fixes SQLite's loop order: matches outside, papers by key inside (not MATCH per paper).
    statement = (
        f"SELECT paper.fts_id, -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"  # noqa: S608 (Django's SQL)  # nosec B608
        f" CROSS JOIN ({papers_sql}) AS paper ON paper.fts_id = {FTS_TABLE}.rowid"
        f" WHERE {FTS_TABLE} MATCH %s ORDER BY paper.fts_year DESC, paper.fts_id DESC LIMIT %s"
    )
    with connections[base.db].cursor() as cursor:
        cursor.execute(statement, (*papers_params, expression, limit))
        return cursor.fetchall()


class AbstractSnippet(models.Expression):
    """The abstract's best-matching words between `start` and `stop` (FTS5 snippet()); compiled against
    the query's alias, as SearchVectorColumn is, so it reads its own row inside a subquery."""

    output_field = models.TextField()
    # As PostgreSQL's headline (max_words=40).
    WORDS = 40

    def __init__(self, expression: str, *, start: str, stop: str):
        super().__init__()
        self.expression, self.start, self.stop = expression, start, stop

    def as_sql(self, compiler, connection):
        quote = compiler.quote_name
        row_id = f"{quote(compiler.query.get_initial_alias())}.{quote(compiler.query.model._meta.pk.column)}"
        column = FTS_COLUMNS.index("abstract")
        sql = (
            f"(SELECT snippet({FTS_TABLE}, {column}, %s, %s, '', {self.WORDS}) FROM {FTS_TABLE}"  # noqa: S608  # nosec B608
            f" WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {row_id})"
        )
        return sql, (self.start, self.stop, self.expression)
