from django.views.generic import DetailView

from authors.models import Author, NameCluster


class ClusterDetailView(DetailView):
    model = NameCluster
    template_name = "authors/cluster_detail.html"


class AuthorDetailView(DetailView):
    model = Author
    template_name = "authors/author_detail.html"
