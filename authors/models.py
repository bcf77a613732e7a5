"""Author rows, their source keys, name clusters, the curation log and visitors' correction requests."""

import secrets
from collections.abc import Iterable
from itertools import batched

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connections, models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from arrow_site.links import url_with
from authors.names import accent_fold


class NameClusterQuerySet(models.QuerySet):
    def with_papers(self):
        return self.filter(paper_count__gt=0)

    def search(self, q: str):
        """Clusters whose name matches, ignoring case and accents, best first. On PostgreSQL also typos:
        `%>` is the form of word_similarity the trigram index answers; the substring test catches short
        prefixes with too few trigrams. (An expression: contrib.postgres's lookups are not registered.)"""
        folded = accent_fold(q).strip()
        qs = self.with_papers()
        if not folded:
            return qs.none()
        match = models.Q(search_name__contains=folded)
        if connections[self.db].vendor != "postgresql":
            return qs.filter(match).order_by("-paper_count", "key")
        return (
            qs.filter(match | models.Q(TrigramWordSimilar(models.F("search_name"), folded)))
            .annotate(similarity=TrigramWordSimilarity(folded, "search_name"))
            .order_by("-similarity", "-paper_count", "key")
        )


class NameCluster(models.Model):
    """All author rows whose names match after normalization and case folding; not an identity.

    Created in bulk by `authors.upkeep.cluster_ids_resolve` (behind `clusters_resolve`), which writes
    `search_name` itself, or one at a time by `save()`. Counts are kept by `clusters_refresh_counts`.
    """

    key = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=300, help_text="Display form: the name of the first row seen.")
    # Stable: assigned once on creation and never changed, so shared links keep working.
    slug = models.SlugField(max_length=320, unique=True, allow_unicode=True)
    search_name = models.CharField(max_length=300, blank=True, editable=False)
    paper_count = models.PositiveIntegerField(default=0)
    author_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NameClusterQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name = "author name cluster"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = accent_fold(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_with("authors:cluster", self.slug, arg="slug")


class AuthorQuerySet(models.QuerySet):
    def active(self):
        """Rows that are not tombstones of a merge."""
        return self.filter(merged_into__isnull=True)

    def in_cluster(self, cluster):
        return self.active().filter(cluster=cluster).order_by("-paper_count", "homonym_number", "pk")

    def follow_merges(self, author, *, max_hops: int = 5):
        """The live row a tombstone was merged into, or None if the chain is broken or too long (merges
        keep it one hop; the loop guards data damaged by hand against a redirect loop)."""
        for _ in range(max_hops):
            if author.merged_into_id is None:
                return author
            author = self.filter(pk=author.merged_into_id).first()
            if author is None:
                return None
        return author if author.merged_into_id is None else None


class Author(models.Model):
    """What one source key (or printed name) resolves to. A merged row stays as a tombstone, so its URL
    can redirect; `merged_into` always points at a live row."""

    name = models.CharField(max_length=300, help_text="Display name, without the dblp homonym number.")
    homonym_number = models.CharField(
        max_length=8, blank=True, help_text="dblp's number for people of the same name, e.g. 0002."
    )
    orcid = models.CharField(max_length=19, blank=True, verbose_name="ORCID")
    affiliation = models.CharField(max_length=500, blank=True)
    name_variants = models.JSONField(default=list, blank=True, help_text="Other spellings of this person's name.")
    cluster = models.ForeignKey(NameCluster, on_delete=models.PROTECT, related_name="authors")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_rows")
    paper_count = models.PositiveIntegerField(default=0)
    # Fields a curator changed; imports never overwrite them.
    locked_fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "homonym_number", "pk"]
        verbose_name = "author row"
        # Most rows have no ORCID; lookups are by one value or say `<> ''` (authors.curation.suggestions).
        indexes = [models.Index(fields=["orcid"], condition=~models.Q(orcid=""), name="author_orcid_idx")]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return url_with("authors:detail", self.pk)

    @property
    def full_name(self) -> str:
        """The name as dblp writes it: 'Wenxiao Wang 0002'."""
        return f"{self.name} {self.homonym_number}" if self.homonym_number else self.name

    @property
    def row_label(self) -> str:
        """'Keivan Rezaei (row #12)': the row id tells same-named rows apart."""
        return f"{self.full_name} (row #{self.pk})"

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class AuthorKey(models.Model):
    """A source's key for an author ('dblp', 'Jun Wang 0006'); without one, the name as written."""

    source = models.CharField(max_length=50)
    key = models.CharField(max_length=500)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="authorkey_source_key_unique")]
        verbose_name = "author source key"

    def __str__(self):
        return f"{self.source}: {self.key}"


class CurationEvent(models.Model):
    """One curator decision (merge, split, edit, undo); `data` holds what undo needs to restore the rows."""

    class Action(models.TextChoices):
        MERGE = "merge", "Merge"
        SPLIT = "split", "Split"
        EDIT = "edit", "Edit"
        UNDO = "undo", "Undo"

    action = models.CharField(max_length=10, choices=Action.choices)
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    summary = models.CharField(max_length=500)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    authors = models.ManyToManyField(Author, blank=True, related_name="curation_events")
    undone_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undoes")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.summary


# The reporter's message and the curator's reply: room for a careful explanation, not for a paste.
REPORT_TEXT_MAX_LENGTH = 4000


def new_report_token() -> str:
    """The secret in a reporter's status page address: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class CorrectionRequestQuerySet(models.QuerySet):
    # Open, then started, then closed: the admin's queue order.
    QUEUE_RANK = models.Case(
        models.When(status="open", then=models.Value(0)),
        models.When(status="in_progress", then=models.Value(1)),
        default=models.Value(2),
        output_field=models.SmallIntegerField(),
    )


class CorrectionRequest(models.Model):
    """A visitor's "Report a problem" about a paper or an author row, and the curator's answer. `token`
    is the only key to its status page; SET_NULL and `target_label` let it outlive a deleted row."""

    class Kind(models.TextChoices):
        WRONG_AUTHOR = "wrong_author", "A paper lists the wrong author"
        SAME_PERSON = "same_person", "Two author rows are one person"
        TWO_PEOPLE = "two_people", "One author row mixes two people"
        METADATA = "metadata", "Wrong title, year, venue or other details"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        REJECTED = "rejected", "Rejected"

    class TargetType(models.TextChoices):
        PAPER = "paper", "Paper"
        AUTHOR = "author", "Author row"

    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="what is wrong")
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    paper = models.ForeignKey(
        "papers.Paper", null=True, blank=True, on_delete=models.SET_NULL, related_name="correction_requests"
    )
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="correction_requests"
    )
    # Optional: the row the reporter says is the same person (or the right author of the paper).
    other_author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="other author row"
    )
    target_label = models.CharField(max_length=500, help_text="The paper title or author name when reported.")
    message = models.TextField(help_text="The reporter's words, as sent.")
    email = models.EmailField(blank=True, help_text="Given by the reporter to be contacted; never shown publicly.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(blank=True, verbose_name="public reply", help_text="Shown on the reporter's status page.")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_report_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "correction request"
        indexes = [models.Index(fields=["status", "-created_at"], name="correction_status_created_idx")]
        constraints = [
            # Forms cap the lengths; these hold for rows written any other way (and on SQLite too).
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("message"), REPORT_TEXT_MAX_LENGTH), name="correction_message_length"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reply"), REPORT_TEXT_MAX_LENGTH), name="correction_reply_length"
            ),
            models.CheckConstraint(
                condition=~models.Q(paper__isnull=False, author__isnull=False), name="correction_one_target"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.target_label}"

    def get_absolute_url(self):
        return reverse("authors:report-status", kwargs={"token": self.token})

    @property
    def target(self):
        """The paper or author row reported, or None once it was deleted."""
        return self.paper or self.author

    @property
    def status_explanation(self) -> str:
        return {
            self.Status.OPEN: "Waiting for a curator to look at it.",
            self.Status.IN_PROGRESS: "A curator is working on it.",
            self.Status.RESOLVED: "A curator has made a correction.",
            self.Status.REJECTED: "A curator looked at it and made no change.",
        }[self.status]


class RateLimitCounter(models.Model):
    """One fixed window of the report form's rate limit, shared by every worker and host without Redis."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"


class CuratorSuggestionQuerySet(models.QuerySet):
    def open(self):
        """Not dismissed, or dismissed but come back: its evidence has grown to the dismissal's
        `comes_back_at` (authors.curation.work.comes_back_at says what counts)."""
        dismissed = SuggestionDismissal.objects.filter(
            queue=models.OuterRef("queue"), key=models.OuterRef("key"), comes_back_at__gt=models.OuterRef("strength")
        )
        return self.filter(~models.Exists(dismissed))


class CuratorSuggestion(models.Model):
    """A curator work queue item, precomputed so a queue page only reads rows. `key` is author row ids
    ("12:34"), which survive re-imports; a dismissal is measured against `strength`."""

    class Queue(models.TextChoices):
        MERGE = "merge", "Merge suggestions"
        SPLIT = "split", "Split suggestions"
        QUALITY = "quality", "Data quality"

    queue = models.CharField(max_length=10, choices=Queue.choices)
    key = models.CharField(max_length=200)
    # The clusters of the rows it names (two for a name-variant pair): a curation in either refreshes it.
    cluster = models.ForeignKey(NameCluster, on_delete=models.CASCADE, null=True, related_name="+")
    other_cluster = models.ForeignKey(NameCluster, on_delete=models.CASCADE, null=True, related_name="+")
    author_ids = models.JSONField()
    title = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict)
    strength = models.PositiveIntegerField()
    score = models.FloatField()
    computed_at = models.DateTimeField(auto_now=True)

    objects = CuratorSuggestionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "key"], name="curator_suggestion_unique")]
        indexes = [models.Index(fields=["queue", "-score", "id"], name="curator_suggestion_order")]

    def __str__(self):
        return self.title


class SuggestionDismissal(models.Model):
    """A curator's "not this one" on a queue item, kept by its key (author row ids) apart from the
    precomputed items, so it survives every refresh and re-import."""

    queue = models.CharField(max_length=10, choices=CuratorSuggestion.Queue.choices)
    key = models.CharField(max_length=200)
    strength = models.PositiveIntegerField()
    comes_back_at = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "key"], name="suggestion_dismissal_unique")]

    def __str__(self):
        return f"{self.queue} {self.key} dismissed"


class CuratorWorkPendingQuerySet(models.QuerySet):
    def note(self, cluster_ids: Iterable[int] | None) -> None:
        """Note the clusters an import touched (None: all) for the next `refresh_curator_work`."""
        if cluster_ids is None:
            self.get_or_create(cluster=None)
            return
        for batch in batched(sorted(set(cluster_ids)), 5000):
            self.bulk_create([CuratorWorkPending(cluster_id=pk) for pk in batch], ignore_conflicts=True)


class CuratorWorkPending(models.Model):
    """A cluster whose queue items an import may have made stale, for the next `refresh_curator_work`;
    a row without a cluster means all of them (a first load into an empty database)."""

    cluster = models.OneToOneField(NameCluster, on_delete=models.CASCADE, null=True, related_name="+")

    objects = CuratorWorkPendingQuerySet.as_manager()

    def __str__(self):
        return f"pending: {self.cluster_id or 'all clusters'}"
