"""Data for the public-page tests: the sample file imported for real, and a 300-paper cluster in bulk."""

from authors.models import Author, CurationEvent, NameCluster
from papers.importing.engine import import_file
from papers.models import Authorship, Paper, PaperSource
from tests.conftest import SAMPLE
from tests.factories import make_author, make_venue, refresh_counts

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def import_sample() -> NameCluster:
    """The seed page's data: 9 papers, two Keivan Rezaei rows in cluster keivan-rezaei."""
    import_file(SAMPLE)
    return NameCluster.objects.get(slug="keivan-rezaei")


def make_big_cluster(papers: int = 300, *, name: str = "Wei Zhang") -> NameCluster:
    """A cluster of two rows sharing `papers` papers, each with four co-authors: built with bulk_create."""
    rows = [make_author(f"{name} 0001"), make_author(f"{name} 0002")]
    coauthors = [make_author(f"Coauthor {n}") for n in range(8)]
    venues = [make_venue(short_name="BigConf"), make_venue(short_name="BigJournal", kind="journal")]
    created = Paper.objects.bulk_create(
        Paper(
            title=f"Big paper {n} on $\\alpha$-*things*",
            abstract="A sentence of an abstract. " * 40,
            year=2000 + n % 25,
            venue=venues[n % 2],
            pub_type=Paper.Type.CONFERENCE_PAPER if n % 2 == 0 else Paper.Type.JOURNAL_ARTICLE,
            primary_source="test",
        )
        for n in range(papers)
    )
    Authorship.objects.bulk_create(
        Authorship(paper=paper, author=author, position=position, printed_name=author.full_name)
        for n, paper in enumerate(created)
        for position, author in enumerate([rows[n % 2], *coauthors[n % 4 : n % 4 + 4]], 1)
    )
    PaperSource.objects.bulk_create(
        PaperSource(paper=paper, source="test", source_id=f"big-{paper.pk}", content_hash="") for paper in created
    )
    refresh_counts([*rows, *coauthors])
    return rows[0].cluster


def add_history(author: Author, *summaries: str) -> None:
    for summary in summaries:
        event = CurationEvent.objects.create(action=CurationEvent.Action.EDIT, summary=summary)
        event.authors.add(author)
