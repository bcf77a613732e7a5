"""Template filters for imported text: the functions of papers/text.py, registered."""

from django import template

from papers import text

register = template.Library()
register.filter("rich_text", text.rich_text, is_safe=True)
register.filter("plain_text", text.plain_text, is_safe=True)
register.filter("split_abstract", text.split_abstract)
register.filter("safe_href", text.safe_href)
