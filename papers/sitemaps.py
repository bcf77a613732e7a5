"""The sitemap of every public page: papers, live author rows, clusters with papers, venues."""

from django.contrib.sitemaps import Sitemap

from authors.models import Author, NameCluster
from papers.models import Paper, Venue


class PaperSitemap(Sitemap):
    limit = 10_000

    def items(self):
        # The title makes the slug.
        return Paper.objects.only("pk", "title").order_by("pk")


class AuthorSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Author.objects.active().only("pk").order_by("pk")


class ClusterSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return NameCluster.objects.with_papers().only("pk", "slug").order_by("pk")


class VenueSitemap(Sitemap):
    def items(self):
        return Venue.objects.only("pk", "slug").order_by("pk")


SITEMAPS = {"papers": PaperSitemap, "authors": AuthorSitemap, "clusters": ClusterSitemap, "venues": VenueSitemap}
