"""The JSON shape of author rows and name clusters in the public API."""

from rest_framework import serializers

from arrow_site.api.fields import OptionalCharField, api_link, page_link
from authors.models import Author, NameCluster


class ClusterSummarySerializer(serializers.ModelSerializer):
    """A cluster as another object mentions it."""

    url = api_link("cluster", "slug")
    html_url = page_link()

    class Meta:
        model = NameCluster
        fields = ["slug", "name", "url", "html_url"]


class ClusterSerializer(ClusterSummarySerializer):
    authors_url = api_link("cluster-authors", "slug")
    papers_url = api_link("cluster-papers", "slug")

    class Meta(ClusterSummarySerializer.Meta):
        fields = [*ClusterSummarySerializer.Meta.fields, "paper_count", "author_count", "authors_url", "papers_url"]
        extra_kwargs = {
            "paper_count": {"help_text": "Papers of the cluster's live author rows, each paper once."},
            "author_count": {"help_text": "Live author rows in the cluster (merged rows are not counted)."},
        }


class AuthorSerializer(serializers.ModelSerializer):
    url = api_link("author", "id", attr="pk")
    html_url = page_link()
    papers_url = api_link("author-papers", "id", attr="pk")
    homonym_number = OptionalCharField(help_text="dblp's number among people of the same name, e.g. 0002.")
    full_name = serializers.CharField(read_only=True, help_text="The name as dblp writes it: 'Wenxiao Wang 0002'.")
    orcid = OptionalCharField()
    orcid_url = OptionalCharField()
    affiliation = OptionalCharField()
    name_variants = serializers.ListField(child=serializers.CharField(), read_only=True)
    cluster = ClusterSummarySerializer(read_only=True)

    class Meta:
        model = Author
        fields = [
            "id",
            "url",
            "html_url",
            "papers_url",
            "name",
            "homonym_number",
            "full_name",
            "orcid",
            "orcid_url",
            "affiliation",
            "name_variants",
            "paper_count",
            "cluster",
        ]
