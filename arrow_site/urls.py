from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from arrow_site.health import healthz
from papers.sitemaps import SITEMAPS

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the admin's own URLs, whose catch-all would take it.
    path("admin/curator-work/", include("authors.admin_curator_work")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/", include("arrow_site.api.urls")),
    path("", include("papers.urls")),
    path("", include("authors.urls")),
]

# Django's default handlers render our 404.html and 500.html (standalone: no request, no database).
