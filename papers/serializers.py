"""The JSON shape of papers in the public API (docs/api.md)."""

from rest_framework import serializers

from arrow_site.api.fields import LinkField, OptionalCharField, api_link, page_link
from papers.highlight import highlight_text
from papers.models import Authorship, Paper, Venue


class VenueSerializer(serializers.ModelSerializer):
    full_name = OptionalCharField()
    html_url = page_link()

    class Meta:
        model = Venue
        fields = ["short_name", "full_name", "kind", "slug", "html_url"]


class PaperAuthorSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="author_id", read_only=True, help_text="The author row's id.")
    name = serializers.CharField(source="author.full_name", read_only=True, help_text="The row's display name.")
    url = api_link("author", "id", attr="author_id")
    html_url = LinkField(lambda authorship: authorship.author.get_absolute_url())

    class Meta:
        model = Authorship
        fields = ["position", "printed_name", "id", "name", "url", "html_url"]


class PaperIdentifiersSerializer(serializers.Serializer):
    dblp = OptionalCharField(source="dblp_key", help_text="dblp record key, e.g. conf/nips/ZareiBRLNF25.")
    openalex = OptionalCharField(source="openalex_id", help_text="OpenAlex work id, e.g. W4400000000.")
    arxiv = OptionalCharField(source="arxiv_id", help_text="arXiv id, e.g. 2505.18832.")


class PaperSerializer(serializers.ModelSerializer):
    url = api_link("paper", "id", attr="pk")
    html_url = page_link()
    abstract = OptionalCharField()
    type = serializers.ChoiceField(source="pub_type", choices=Paper.Type.choices, read_only=True)
    venue = VenueSerializer(read_only=True, allow_null=True)
    doi = OptionalCharField()
    doi_url = OptionalCharField()
    link = OptionalCharField(source="url", help_text="Where to read the paper (publisher or repository page).")
    identifiers = PaperIdentifiersSerializer(source="*", read_only=True)
    # Reads the prefetch of PaperQuerySet.with_authors(), in author order.
    authors = PaperAuthorSerializer(source="authorships", many=True, read_only=True)

    class Meta:
        model = Paper
        fields = [
            "id",
            "url",
            "html_url",
            "title",
            "abstract",
            "year",
            "type",
            "venue",
            "doi",
            "doi_url",
            "link",
            "identifiers",
            "authors",
        ]


class SearchPaperSerializer(PaperSerializer):
    snippet = serializers.SerializerMethodField(
        help_text="The abstract's passage that matches, as plain text; null when the abstract does not "
        "match (found by title or author) and on SQLite."
    )

    class Meta(PaperSerializer.Meta):
        fields = [*PaperSerializer.Meta.fields, "snippet"]

    def get_snippet(self, paper) -> str | None:
        return highlight_text(getattr(paper, "headline", ""))
