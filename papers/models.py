"""Venues, papers, authorships (paper <-> author row, in order) and where each paper came from."""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.db import connections, models
from django.db.models.functions import Left
from django.utils.text import slugify

from arrow_site.links import url_prefix, url_with
from authors.names import accent_fold
from papers import fts
from papers.newest_matches import newest_matches

NON_WORD_RE = re.compile(r"[^\w]+")


def title_key(title: str) -> str:
    """'Run-off Election: Improved…' -> 'run off election improved…' for matching across sources."""
    # ASCII titles (most of dblp) have no accents: lower() gives the same, far cheaper.
    folded = title.lower() if title.isascii() else accent_fold(title)
    return NON_WORD_RE.sub(" ", folded).strip()[:300]


class Venue(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Conference"
        JOURNAL = "journal", "Journal"
        WORKSHOP = "workshop", "Workshop"
        PREPRINT = "preprint", "Preprint server"
        OTHER = "other", "Other"

    short_name = models.CharField(max_length=200, unique=True, help_text="As researchers write it: NeurIPS.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    full_name = models.CharField(max_length=500, blank=True)
    slug = models.SlugField(max_length=220, unique=True, allow_unicode=True)
    locked_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return url_with("papers:venue", self.slug, arg="slug")

    @property
    def kind_label(self) -> str:
        """get_kind_display() from a dict made once: Django rebuilds its dict on every call."""
        return VENUE_KIND_LABELS.get(self.kind, self.kind)


VENUE_KIND_LABELS = dict(Venue.Kind.choices)


class PaperQuerySet(models.QuerySet):
    def with_venue(self):
        return self.select_related("venue")

    def newest_first(self):
        return self.order_by(models.F("year").desc(nulls_last=True), "-pk")

    def with_authors(self):
        return self.prefetch_related(
            models.Prefetch("authorships", queryset=Authorship.objects.select_related("author").order_by("position"))
        )

    def for_listing(self):
        return self.with_venue().with_authors()

    def by_author(self, author_id: int):
        # A subquery, not a join: a paper listing an author twice still appears once, without DISTINCT.
        return self.filter(pk__in=Authorship.objects.filter(author_id=author_id).values("paper_id"))

    def in_cluster(self, cluster):
        return self.filter(
            pk__in=Authorship.objects.filter(author__cluster=cluster, author__merged_into__isnull=True).values(
                "paper_id"
            )
        )

    def _is_postgresql(self) -> bool:
        return connections[self.db].vendor == "postgresql"

    def search(self, q: str):
        """Papers matching the query in websearch syntax, unordered so a list keeps its own. PostgreSQL:
        the generated `search_vector` column (migration 0002); SQLite: the FTS5 table (papers.fts)."""
        if not self._is_postgresql():
            expression = fts.match_expression(q)
            return self.filter(pk__in=fts.matching_ids(expression)) if expression else self.none()
        return self.annotate(search_vector=SEARCH_VECTOR).filter(search_vector=_websearch(q))

    def search_candidates(self, q: str, *, limit: int | None = None) -> list[tuple[int, float]]:
        """(id, rank) of the newest `limit` papers matching the query, newest first. Only the newest are
        ranked: ranking reads every match's vector, and no index orders by rank."""
        limit = limit or SEARCH_CANDIDATES
        if not self._is_postgresql():
            expression = fts.match_expression(q)
            return fts.newest_matches(self, expression, limit) if expression else []
        return newest_matches(self.annotate(search_vector=SEARCH_VECTOR), _websearch(q), limit)

    def with_headline(self, q: str):
        """`headline`: the abstract's matching words between HIGHLIGHT_START and HIGHLIGHT_STOP."""
        if not self._is_postgresql():
            expression = fts.match_expression(q)
            if not expression:
                return self.annotate(headline=models.Value(""))
            return self.annotate(headline=fts.AbstractSnippet(expression, start=HIGHLIGHT_START, stop=HIGHLIGHT_STOP))
        # Only the first HEADLINE_CHARS: ts_headline parses all it is given. A later match gives no mark.
        return self.annotate(
            headline=SearchHeadline(
                Left("abstract", HEADLINE_CHARS),
                _websearch(q),
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=40,
                min_words=15,
            )
        )

    def ranked_results(self, q: str, *, authors_prefetched: bool = True) -> "RankedPapers":
        """The search results for the page and the API: the newest SEARCH_CANDIDATES matches, best first
        (runs the candidates query now), and whether more matched."""
        candidates = self.search_candidates(q, limit=SEARCH_CANDIDATES + 1)
        more = len(candidates) > SEARCH_CANDIDATES
        # Stable: equal ranks stay newest first.
        best_first = sorted(candidates[:SEARCH_CANDIDATES], key=lambda candidate: -candidate[1])
        papers = self.model.objects.with_headline(q).with_venue()
        if authors_prefetched:
            papers = papers.with_authors()
        return RankedPapers(papers, [pk for pk, _ in best_first], more_than_ranked=more)


class RankedPapers:
    """Ranked search results for a Paginator: counted without a query, and a page reads only its papers."""

    def __init__(self, papers, ids: list[int], *, more_than_ranked: bool = False):
        self.papers, self.ids, self.more_than_ranked = papers, ids, more_than_ranked

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self.papers.get(pk=self.ids[index])
        ids = self.ids[index]
        # A paper deleted since the candidates were found is left out of its page.
        found = {paper.pk: paper for paper in self.papers.filter(pk__in=ids)} if ids else {}
        return [found[pk] for pk in ids if pk in found]


MAX_QUERY_LENGTH = 200


def clean_query(q: str) -> str:
    """A search query as the page and the API both search it: cut (not refused) and trimmed."""
    return q[:MAX_QUERY_LENGTH].strip()


HEADLINE_CHARS = 1000
SEARCH_CANDIDATES = 500
# That of the generated column (migration 0002), or stemmed words would not match.
SEARCH_CONFIG = "english"


class SearchVectorColumn(models.Expression):
    """The generated `search_vector` column (PostgreSQL-only, so not a model field). Compiled against the
    query's alias for the table: in a subquery a fixed name would correlate it with the outer query."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name(alias)}.{connection.ops.quote_name('search_vector')}", []


SEARCH_VECTOR = SearchVectorColumn()
# The importer matches papers across sources by these.
IDENTIFIER_FIELDS = ("doi", "dblp_key", "openalex_id", "arxiv_id")
# Control characters cannot be typed into a search box and do not occur in titles or abstracts.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"


def _websearch(q: str) -> SearchQuery:
    """The query as typed, or accent-folded: names are indexed folded (migration 0002), titles are not."""
    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    folded = accent_fold(q)
    if folded == q.casefold():
        return query
    return query | SearchQuery(folded, search_type="websearch", config=SEARCH_CONFIG)


class Paper(models.Model):
    class Type(models.TextChoices):
        CONFERENCE_PAPER = "conference-paper", "Conference Paper"
        JOURNAL_ARTICLE = "journal-article", "Journal Article"
        PREPRINT = "preprint", "Preprint"
        BOOK_CHAPTER = "book-chapter", "Book Chapter"
        BOOK = "book", "Book"
        THESIS = "thesis", "Thesis"
        OTHER = "other", "Other"

    title = models.TextField()
    abstract = models.TextField(blank=True)
    # No single-column index: paper_newest_idx (migrations 0003, 0004) and paper_venue_year_idx cover both.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="papers", db_index=False
    )
    pub_type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER, verbose_name="type")
    doi = models.CharField(max_length=300, blank=True, verbose_name="DOI")
    url = models.URLField(max_length=1000, blank=True, verbose_name="URL")
    dblp_key = models.CharField(max_length=300, blank=True)
    openalex_id = models.CharField(max_length=50, blank=True, verbose_name="OpenAlex id")
    arxiv_id = models.CharField(max_length=50, blank=True, verbose_name="arXiv id")
    title_key = models.CharField(max_length=300, blank=True, editable=False)
    # Its records may overwrite fields; other sources only fill in blanks (docs/import-format.md).
    primary_source = models.CharField(max_length=50, blank=True)
    # Fields a curator changed (and "authors" when the authorship list was curated); imports skip them.
    locked_fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        indexes = [
            models.Index(fields=["venue", "year"], name="paper_venue_year_idx"),
            # Partial: most papers lack most identifiers. A lookup by a list of values must say `<> ''`
            # itself to use them; PostgreSQL proves it for a single value.
            *(
                models.Index(fields=[field], condition=~models.Q(**{field: ""}), name=f"paper_{field}_idx")
                for field in IDENTIFIER_FIELDS
            ),
            # Pattern operators answer `=` too: one index for the importer's match and the admin's search.
            models.Index(fields=["title_key"], opclasses=["varchar_pattern_ops"], name="paper_title_key_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The importer's bulk writes set title_key themselves; this covers one paper saved at a time.
        self.title_key = title_key(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields and "title_key" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "title_key"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{url_prefix('papers:detail-short')}{self.pk}/{self.slug}/"

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "paper"

    @property
    def pub_type_label(self) -> str:
        return PAPER_TYPE_LABELS.get(self.pub_type, self.pub_type)

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


PAPER_TYPE_LABELS = dict(Paper.Type.choices)


class Authorship(models.Model):
    """One author of one paper, in order, with the name exactly as printed on that paper."""

    # No single-column indexes: the two below lead with each column.
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships", db_index=False)
    author = models.ForeignKey("authors.Author", on_delete=models.PROTECT, related_name="authorships", db_index=False)
    position = models.PositiveSmallIntegerField()
    printed_name = models.CharField(max_length=300)
    # Blank when a curator added it.
    source = models.CharField(max_length=50, blank=True)
    source_key = models.CharField(max_length=500, blank=True)
    # A curator chose this row for this paper (a split or an edit): imports keep the choice.
    curated = models.BooleanField(default=False)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [models.UniqueConstraint(fields=["paper", "position"], name="authorship_paper_position_unique")]
        indexes = [models.Index(fields=["author", "paper"], name="authorship_author_paper_idx")]

    def __str__(self):
        return f"{self.printed_name} on {self.paper_id}"


class PaperSource(models.Model):
    """Provenance: one source record that fed a paper. `(source, source_id)` identifies the record."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(max_length=50)
    source_id = models.CharField(max_length=500)
    # Hash of the record as last imported: an unchanged record is skipped without touching rows.
    content_hash = models.CharField(max_length=64)
    file_name = models.CharField(max_length=500, blank=True)
    first_imported_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_imported_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="papersource_source_id_unique")]
        verbose_name = "provenance record"

    def __str__(self):
        return f"{self.source}: {self.source_id}"


class ImportRun(models.Model):
    """One run of `import_papers` over one file, with its counts."""

    file_name = models.CharField(max_length=500)
    file_format = models.CharField(max_length=20)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"
