"""Full-text search on SQLite: the FTS5 table of migration 0006 and the queries that read it.

What people type is PostgreSQL's websearch syntax (papers.models.PaperQuerySet.search): words are
ANDed, `"a phrase"` keeps its words in order, `-word` or `-"a phrase"` excludes, and `or` between
words means either; OR binds loosest, as in websearch_to_tsquery ("a b or c" is (a AND b) OR c).
`match_expression` translates it into an FTS5 MATCH expression in which every word or phrase the
user typed is an FTS5 string ("..."), so nothing typed is ever FTS5 syntax: `title:x`, `NEAR(`,
`*`, `^` and stray quotes are only text, which the tokenizer splits into words as it splits what it
indexes.
"""

import re
import unicodedata

from django.db import connections, models
from django.db.models.expressions import RawSQL

FTS_TABLE = "papers_paper_fts"
# The table's columns, in order: bm25() and snippet() refer to them by position.
FTS_COLUMNS = ("title", "authors", "venue", "abstract")
# bm25() weights in column order: PostgreSQL's ts_rank weights for A, B, C and D, so a title match
# outranks an author's, then the venue's, then the abstract's on both databases.
FTS_WEIGHTS = (1.0, 0.4, 0.2, 0.1)
# A character unicode61 indexes (a letter or a digit): a word or phrase without one is dropped, as
# it would tokenize to an empty phrase, which matches nothing and would empty the whole AND.
WORD_CHAR_RE = re.compile(r"[^\W_]")


def match_expression(q: str) -> str:
    """The FTS5 MATCH expression for a query as typed; "" when nothing in it can match (no words,
    or only excluded ones: FTS5 has no "everything but", and a search for nothing finds nothing)."""
    # Composed accents, as text is usually stored: the tokenizer then folds them (remove_diacritics).
    # A NUL would end the expression for FTS5's parser inside a string ("unterminated string").
    q = unicodedata.normalize("NFC", q.replace("\x00", " "))
    alternatives: list[list[tuple[bool, str]]] = [[]]
    pos, end = 0, len(q)
    while pos < end:
        if q[pos].isspace():
            pos += 1
            continue
        # A minus at the start of a word excludes it; inside one ("state-of-the-art") it is text.
        excluded = q[pos] == "-" and pos + 1 < end and not q[pos + 1].isspace()
        pos += excluded
        if q[pos] == '"':
            # An unclosed quote runs to the end, as in websearch_to_tsquery.
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
    # An FTS5 string: the only special character inside one is the double quote, written twice.
    return '"' + text.replace('"', '""') + '"'


def matching_ids(expression: str) -> RawSQL:
    """The ids of the papers matching a match_expression(), for `pk__in=`: it composes with any
    other filter, ordering and count() like a subquery of papers."""
    # The expression is a parameter; only our constant table name is in the SQL.
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (expression,))  # noqa: S608 S611  # nosec B608 B611


def newest_matches(base, expression: str, limit: int) -> list[tuple[int, float]]:
    """(id, rank) of the newest `limit` papers of `base` (a Paper queryset, filters applied) that
    match the expression, newest first; the rank is -bm25() with FTS_WEIGHTS (higher is better).

    One pass over the matches, scoring each: reading the matches costs far more than scoring them
    (at 50,000 papers "learning" matched 48,838, in 66 ms to list them newest first and 67 ms with
    their scores), whereas scoring only the newest ones afterwards means a MATCH per paper looked up
    by rowid, which starts the whole query again each time (850 ms for 500 of them).
    """
    papers = base.order_by().values(fts_id=models.F("id"), fts_year=models.F("year"))
    papers_sql, papers_params = papers.query.get_compiler(using=base.db).as_sql()
    weights = ", ".join(map(str, FTS_WEIGHTS))
    # CROSS JOIN makes SQLite keep this order of the loops: every match outside, its paper found by
    # primary key inside. The other order walks paper_newest_idx and runs the MATCH once per paper.
    statement = (
        f"SELECT paper.fts_id, -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"  # noqa: S608 (Django's SQL)  # nosec B608
        f" CROSS JOIN ({papers_sql}) AS paper ON paper.fts_id = {FTS_TABLE}.rowid"
        f" WHERE {FTS_TABLE} MATCH %s ORDER BY paper.fts_year DESC, paper.fts_id DESC LIMIT %s"
    )
    with connections[base.db].cursor() as cursor:
        cursor.execute(statement, (*papers_params, expression, limit))
        return cursor.fetchall()


class AbstractSnippet(models.Expression):
    """The abstract's best-matching words (FTS5 snippet()) between the `start` and `stop` markers;
    the abstract's opening, unmarked, when the match is elsewhere.

    Compiled against the alias the query gives the papers table, as papers.models.SearchVectorColumn
    is, so it reads its own row inside a subquery too.
    """

    output_field = models.TextField()
    # At most this many words: about the length of PostgreSQL's headline (max_words=40).
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
