"""Resolving the venues of paper records to venue rows: found by short name, created when missing, and
their empty kind and full name filled in."""

from django.utils.text import slugify

from arrow_site.slugs import unique_slugs
from papers.importing.readers.records import PaperRecord
from papers.importing.writer import Writes
from papers.models import Venue


def venues_resolve(records: list[PaperRecord], writes: Writes) -> dict[str, Venue]:
    """The records' venues by short name, created or filled in (curator-locked fields stay)."""
    wanted = {r.venue.name: r.venue for r in records if r.venue}
    if not wanted:
        return {}
    venues = {v.short_name: v for v in Venue.objects.filter(short_name__in=list(wanted))}
    filled = []
    for name, venue in venues.items():
        record = wanted[name]
        changed = False
        for attr, empty in (("kind", Venue.Kind.OTHER), ("full_name", "")):
            value = getattr(record, attr)
            if value and value != empty and getattr(venue, attr) == empty and attr not in venue.locked_fields:
                setattr(venue, attr, value)
                changed = True
        if changed:
            filled.append(venue)
    if filled:
        # Its trigger rewrites the search text of the venue's papers: held ones too.
        writes.settle()
    Venue.objects.bulk_update(filled, ["kind", "full_name"])
    missing = [name for name in wanted if name not in venues]
    bases = {name: slugify(name) or slugify(name, allow_unicode=True) or "venue" for name in missing}
    slugs = unique_slugs(Venue, bases)
    created = Venue.objects.bulk_create(
        Venue(short_name=name, kind=wanted[name].kind, full_name=wanted[name].full_name, slug=slugs[name])
        for name in missing
    )
    venues.update((v.short_name, v) for v in created)
    return venues
