"""Small factories for tests: defaults filled with kwargs.setdefault, no extra dependency."""

import itertools

from authors.models import Author, AuthorKey
from authors.names import cluster_key, split_homonym
from authors.upkeep import authors_refresh_counts, clusters_refresh_counts, clusters_resolve
from papers.models import Authorship, Paper, PaperSource, Venue

_counter = itertools.count(1)


def make_venue(**kwargs) -> Venue:
    n = next(_counter)
    kwargs.setdefault("short_name", f"Venue{n}")
    kwargs.setdefault("slug", kwargs["short_name"].lower())
    kwargs.setdefault("kind", Venue.Kind.CONFERENCE)
    return Venue.objects.create(**kwargs)


def make_author(full_name: str | None = None, **kwargs) -> Author:
    """An author row in the right cluster, with a source key ('test', full name)."""
    full_name = full_name or f"Author Number{next(_counter)}"
    name, number = split_homonym(full_name)
    kwargs.setdefault("name", name)
    kwargs.setdefault("homonym_number", number)
    kwargs.setdefault("cluster", clusters_resolve(names=[full_name])[cluster_key(full_name)])
    key = kwargs.pop("key", f"{full_name}#{next(_counter)}")
    author = Author.objects.create(**kwargs)
    AuthorKey.objects.create(source="test", key=key, author=author)
    return author


def make_paper(authors=(), **kwargs) -> Paper:
    """A paper with these author rows in order, provenance ('test', id), counts refreshed."""
    n = next(_counter)
    kwargs.setdefault("title", f"Paper number {n}")
    kwargs.setdefault("year", 2024)
    kwargs.setdefault("pub_type", Paper.Type.CONFERENCE_PAPER)
    kwargs.setdefault("primary_source", "test")
    paper = Paper.objects.create(**kwargs)
    PaperSource.objects.create(paper=paper, source="test", source_id=f"p{n}", content_hash="")
    Authorship.objects.bulk_create(
        Authorship(paper=paper, author=a, position=i, printed_name=a.full_name) for i, a in enumerate(authors, 1)
    )
    refresh_counts(authors)
    return paper


def refresh_counts(authors) -> None:
    authors = list(authors)
    authors_refresh_counts(author_ids=[a.pk for a in authors])
    clusters_refresh_counts(cluster_ids=[a.cluster_id for a in authors])
