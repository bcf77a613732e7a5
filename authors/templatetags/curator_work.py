"""The admin index's line per curator work queue (templates/admin/index.html)."""

from django import template

from authors.curation.work import open_counts

register = template.Library()


@register.simple_tag
def curator_work_counts() -> list[dict]:
    return open_counts()
