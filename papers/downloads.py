"""What the download views of both apps share: export formats, the download response, the Atom feed."""

import json

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.utils.feedgenerator import Atom1Feed

from papers.exports import papers_bibtex, papers_csl_json, papers_ris
from papers.text import rich_text

FEED_LIMIT = 50

FORMATS = {
    # format: (file extension, content type, renderer)
    "bib": ("bib", "text/x-bibtex; charset=utf-8", papers_bibtex),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8", papers_ris),
    "json": (
        "json",
        "application/vnd.citationstyles.csl+json; charset=utf-8",
        lambda papers: json.dumps(papers_csl_json(papers), ensure_ascii=False, indent=2),
    ),
}


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")


def download(papers, fmt: str, stem: str) -> HttpResponse:
    extension, content_type, render = FORMATS[fmt]
    response = HttpResponse(render(list(papers)), content_type=content_type)
    # Built from ids and slugs only: no quoting needed.
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    return response


class PapersFeed(Feed):
    """The newest added to Arrow first, whatever their publication year."""

    feed_type = Atom1Feed

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom's summary is HTML: escaped first, so imported markup stays text.
        return rich_text(item.abstract)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return ", ".join(a.printed_name for a in item.authorships.all()) or None

    def _items(self, queryset):
        return queryset.with_authors().order_by("-created_at", "-pk")[:FEED_LIMIT]
