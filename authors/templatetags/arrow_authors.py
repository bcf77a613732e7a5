"""Template filters for author rows and name clusters."""

from django import template

register = template.Library()


@register.filter
def in_cluster(authorships, cluster) -> list:
    """The authorships of a paper whose row belongs to `cluster`: why the paper is on the cluster page.

    Works on the prefetched authorships, so it costs no query.
    """
    return [a for a in authorships if a.author.cluster_id == cluster.pk]


@register.filter
def row_label(author) -> str:
    return author.row_label
