"""Public JSON API for author rows and name clusters; a merged row redirects as its page does."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from arrow_site.api.responses import permanent_redirect, responses
from authors.models import Author, NameCluster
from authors.selectors import author_or_survivor
from authors.serializers import AuthorSerializer, ClusterSerializer
from papers.api_mixins import PAPER_LIST_PARAMETERS, PaperListMixin
from papers.models import Paper
from papers.serializers import PaperSerializer


class AuthorRowMixin:
    """Loads the author row of the URL; a tombstone redirects to the survivor's same endpoint."""

    url_name = ""

    def get(self, request, *args, **kwargs):
        self.author, survivor = author_or_survivor(kwargs["id"])
        if survivor is not None:
            return permanent_redirect(request, reverse(f"api:{self.url_name}", kwargs={"id": survivor.pk}))
        return super().get(request, *args, **kwargs)


@extend_schema(responses=responses(AuthorSerializer, 404, moved=True))
class AuthorDetailApi(AuthorRowMixin, generics.RetrieveAPIView):
    """One author row: its name, homonym number, ORCID and name cluster."""

    serializer_class = AuthorSerializer
    url_name = "author"

    def get_object(self):
        return self.author


@extend_schema(
    parameters=PAPER_LIST_PARAMETERS,
    responses=responses(PaperSerializer(many=True), 400, 404, moved=True),
)
class AuthorPapersApi(AuthorRowMixin, PaperListMixin, generics.ListAPIView):
    """The papers credited to one author row, newest first, with the paper list's filters."""

    serializer_class = PaperSerializer
    url_name = "author-papers"

    def get_papers(self):
        return Paper.objects.by_author(self.author.pk).for_listing().newest_first()


@extend_schema(responses=responses(ClusterSerializer, 404))
class ClusterDetailApi(generics.RetrieveAPIView):
    """One name cluster with its counts. Not an identity: see the cluster's HTML page for why."""

    serializer_class = ClusterSerializer
    queryset = NameCluster.objects.all()
    lookup_field = "slug"


class ClusterMixin:
    def get(self, request, *args, **kwargs):
        self.cluster = get_object_or_404(NameCluster, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)


@extend_schema(responses=responses(AuthorSerializer(many=True), 400, 404))
class ClusterAuthorsApi(ClusterMixin, generics.ListAPIView):
    """The cluster's live author rows, most papers first, as on its page."""

    serializer_class = AuthorSerializer

    def get_queryset(self):
        return Author.objects.in_cluster(self.cluster).select_related("cluster")


@extend_schema(
    parameters=PAPER_LIST_PARAMETERS,
    responses=responses(PaperSerializer(many=True), 400, 404),
)
class ClusterPapersApi(ClusterMixin, PaperListMixin, generics.ListAPIView):
    """The papers of the cluster's live author rows, newest first, with the paper list's filters."""

    serializer_class = PaperSerializer

    def get_papers(self):
        return Paper.objects.in_cluster(self.cluster).for_listing().newest_first()
