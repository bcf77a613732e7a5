"""Unique slugs for rows created in bulk (clusters, venues)."""

from django.db import models


def unique_slugs(model: type[models.Model], bases: dict[str, str]) -> dict[str, str]:
    """Map each key to a slug free in `model.slug`: the base itself, or base-2, base-3, …"""
    taken = set(model.objects.filter(slug__in=set(bases.values())).values_list("slug", flat=True))
    slugs = {}
    for key, base in bases.items():
        slug = base
        if slug in taken:
            used = set(model.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
            number = 2
            while f"{base}-{number}" in taken or f"{base}-{number}" in used:
                number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs[key] = slug
    return slugs
