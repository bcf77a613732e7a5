"""Splitting an author row: some of its papers move to another row, or to a new row of the same name."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from authors.curation.events import CuratedFlag, papers_identity, record_event, rows_identity, stored
from authors.curation.rows import lock_authors, refresh_rows
from authors.homonyms import next_homonym_number
from authors.models import Author, CurationEvent
from papers.models import Authorship, Paper


@transaction.atomic
def author_split(
    *,
    author: Author,
    paper_ids: Iterable[int],
    curator,
    into: Author | None = None,
    redo_of: CurationEvent | None = None,
    revive: Author | None = None,
) -> Author:
    """Move these papers' authorships from `author` to `into` (or to a new row of the same name and
    cluster), marked curated so re-imports keep the choice. Returns the receiving row, with
    `.curation_event` set to the split event.

    `revive` (used by redo) is the tombstone an undone split left; it comes back as the new row.
    """
    paper_ids = sorted({int(pk) for pk in paper_ids})
    if not paper_ids:
        raise ValidationError("Tick at least one paper to move.")
    if into is not None and into.pk == author.pk:
        raise ValidationError("Papers cannot be moved to the row they are on.")
    other = into or revive
    rows = lock_authors([author.pk] + ([other.pk] if other is not None else []))
    author = rows.get(author.pk)
    if author is None or author.merged_into_id:
        raise ValidationError("This row was merged into another row; split the surviving row instead.")
    if into is not None:
        into = rows.get(into.pk)
        if into is None or into.merged_into_id:
            raise ValidationError("The chosen row was merged into another row; choose the surviving row.")
    authorships = list(
        Authorship.objects.select_for_update().filter(author=author, paper_id__in=paper_ids).order_by("pk")
    )
    found = {a.paper_id for a in authorships}
    if len(found) != len(paper_ids):
        raise ValidationError(f"Paper(s) {', '.join(str(p) for p in paper_ids if p not in found)} are not on this row.")
    if into is not None:
        clash = list(Authorship.objects.filter(author=into, paper_id__in=paper_ids).values_list("paper_id", flat=True))
        if clash:
            raise ValidationError(
                f"{into.full_name} (#{into.pk}) is already an author of {_papers_text(clash)}; "
                "merge the rows instead, or leave those papers out."
            )

    identities = rows_identity([author.pk] + ([into.pk] if into is not None else []))
    papers = papers_identity(paper_ids)

    created = into is None
    if revive is not None:
        into = rows[revive.pk]
        into.merged_into = None
        into.save(update_fields=["merged_into", "updated_at"])
    elif into is None:
        # The new row is another person of the name: it gets the name's next number for good, as
        # dblp numbers its homonyms (an undo keeps it on the tombstone, a redo revives it).
        into = Author.objects.create(
            name=author.name, homonym_number=next_homonym_number(author.name), cluster=author.cluster
        )
    Authorship.objects.filter(pk__in=[a.pk for a in authorships]).update(author=into, curated=True)
    refresh_rows([author.pk, into.pk])

    summary = (
        f"Split {len(paper_ids)} paper(s) from #{author.pk} {author.full_name} "
        f"to {'new row ' if created else ''}#{into.pk} {into.full_name}"
    )
    if redo_of is not None:
        summary = f"Redo of #{redo_of.pk}: {summary}"
    data = {
        "author": author.pk,
        "into": into.pk,
        "created": created,
        "paper_ids": paper_ids,
        "authorships": stored(CuratedFlag(a.pk, a.curated) for a in authorships),
        "identity": {
            "author": identities[author.pk],
            # None: the papers went to a new row (or, in a redo, back to the row the split made).
            "into": identities[into.pk] if not created else None,
            "papers": [papers[pk] for pk in paper_ids],
            "redo_of": redo_of.data.get("uid") if redo_of is not None else None,
        },
    }
    event = record_event(
        action=CurationEvent.Action.SPLIT,
        curator=curator,
        summary=summary,
        target=author,
        data=data,
        author_ids=[author.pk, into.pk],
    )
    into.refresh_from_db()
    into.curation_event = event
    return into


def _papers_text(paper_ids: list[int], limit: int = 3) -> str:
    """The first few papers' titles, for a message."""
    titles = list(Paper.objects.filter(pk__in=paper_ids[:limit]).values_list("title", flat=True))
    text = "; ".join(f"“{title[:80]}”" for title in titles)
    return text + (f" and {len(paper_ids) - limit} more" if len(paper_ids) > limit else "")
