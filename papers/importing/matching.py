"""Cross-source matching: whether a new record is a paper another source already created, by its
identifiers in order of trust, then by title, year and first author's cluster."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from papers.bulk import any_of
from papers.importing.readers.records import PaperRecord
from papers.models import IDENTIFIER_FIELDS, Authorship, Paper, PaperSource, title_key

# Identifiers that say two records are one paper, in order of trust (DOI first).
MATCH_IDS = IDENTIFIER_FIELDS


class Matcher:
    """Finds the papers another source made for an import's new records.

    While every paper in the database was created by this import, from one source, there are none to
    find: a first load then skips the lookups. Only a first load can know that (`sole_writer`): it
    started on an empty database and holds the tables locked, so no one else adds a paper meanwhile.
    """

    def __init__(self, *, sole_writer: bool):
        self.sole_writer = sole_writer
        self.sources_created: set[str] = set()
        # Whether matching has had to look yet (the import builds its lookups and statistics then).
        self.started = False

    def may_match(self, source: str) -> bool:
        """Whether a paper another source made may exist, for a new record of `source` to match."""
        return not self.sole_writer or bool(self.sources_created - {source})

    def created(self, records: Iterable[PaperRecord]) -> None:
        """These records became new papers."""
        self.sources_created.update(r.source for r in records)

    def match(
        self, records: list[PaperRecord], author_ids: dict, cluster_of: dict[int, int]
    ) -> dict[tuple[str, str], int]:
        """Find papers another source already created: by DOI, then by the source's own id, then by
        normalized title + year + first author's cluster. Never matches a paper of the same source."""
        matches: dict[tuple[str, str], int] = {}
        wanted = {attr: {v for r in records if (v := getattr(r, attr))} for attr in MATCH_IDS}
        if any(wanted.values()):
            known: dict[str, dict[str, int]] = {attr: {} for attr in MATCH_IDS}
            for pk, *values in papers_with_identifiers(wanted).values_list("pk", *MATCH_IDS):
                for attr, value in zip(MATCH_IDS, values, strict=True):
                    if value in wanted[attr]:
                        known[attr].setdefault(value, pk)
            for r in records:
                # The identifiers in order of trust: the first one that finds a paper decides.
                pk = next((known[attr][v] for attr in MATCH_IDS if (v := getattr(r, attr)) in known[attr]), None)
                if pk is not None:
                    matches[(r.source, r.source_id)] = pk
        pending = [r for r in records if (r.source, r.source_id) not in matches and r.authors and r.year]
        if pending:
            keys = [title_key(r.title) for r in pending]
            candidates = defaultdict(list)
            rows = Authorship.objects.filter(any_of("paper__title_key", set(keys)), position=1).values_list(
                "paper__title_key", "paper__year", "author__cluster_id", "paper_id"
            )
            for key, year, cluster_id, paper_id in rows:
                candidates[(key, year, cluster_id)].append(paper_id)
            for r, key in zip(pending, keys, strict=True) if candidates else ():
                cluster_id = cluster_of[author_ids[(r.source, r.authors[0].identity)]]
                found = candidates.get((key, r.year, cluster_id))
                if found:
                    matches[(r.source, r.source_id)] = found[0]
        if matches:
            # Two records of one source are two papers (a preprint and its proceedings version).
            same_source = set(
                PaperSource.objects.filter(any_of("paper_id", set(matches.values()))).values_list("paper_id", "source")
            )
            matches = {key: pid for key, pid in matches.items() if (pid, key[0]) not in same_source}
        return matches


def papers_with_identifiers(wanted: dict[str, Iterable[str]]):
    """Papers having any of these values of these identifiers ({"doi": [...], ...}), oldest first.

    One query for all identifiers (a BitmapOr of their indexes), not one per identifier; each arm
    says `<> ''` so PostgreSQL can use the partial indexes (Paper.Meta.indexes), which it cannot
    prove from `= ANY(array)` alone.
    """
    condition = Q()
    for attr, values in wanted.items():
        if values:
            condition |= any_of(attr, values) & ~Q(**{attr: ""})
    return Paper.objects.filter(condition).order_by("pk")
