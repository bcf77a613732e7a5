"""Template filters for author rows and name clusters."""

from django import template

register = template.Library()


@register.filter
def row_label(author) -> str:
    return author.row_label
