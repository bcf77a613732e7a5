from django.contrib import admin
from django.urls import include, path

from arrow_site.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("papers.urls")),
    path("", include("authors.urls")),
]

# Error pages: Django's default handlers render our templates/404.html and templates/500.html. The 500
# page is rendered with no request and must not touch the database, so it is a standalone page.
