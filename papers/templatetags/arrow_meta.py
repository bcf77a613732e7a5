"""Schema.org JSON-LD for paper and author pages: a data block the CSP allows, escaped as `json_script`
does, so a title containing `</script>` cannot close the element."""

import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _ld_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above  # nosec B308 B703


@register.simple_tag(takes_context=True)
def paper_jsonld(context, paper):
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title[:110],
        "url": request.build_absolute_uri(paper.get_absolute_url()),
        "author": [
            {
                "@type": "Person",
                "name": link.printed_name,
                "url": request.build_absolute_uri(link.url),
            }
            for link in paper.author_links
        ],
    }
    if paper.year:
        data["datePublished"] = str(paper.year)
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.doi:
        data["sameAs"] = paper.doi_url
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
    if paper.venue:
        data["isPartOf"] = {
            "@type": "Periodical" if paper.venue.kind == "journal" else "Event",
            "name": paper.venue.full_name or paper.venue.short_name,
        }
    return _ld_script(data)


@register.simple_tag(takes_context=True)
def author_jsonld(context, author):
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.orcid:
        data["sameAs"] = [author.orcid_url]
    if author.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": author.affiliation}
    if author.name_variants:
        data["alternateName"] = list(author.name_variants)
    return _ld_script(data)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """The full URL of a site path, as crawlers want in canonical links and Highwire tags."""
    return context["request"].build_absolute_uri(path)
