"""Routes of the public JSON API, mounted at /api/ (docs/api.md). URL names are `api:<name>`."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from arrow_site.api.views import ApiRootApi, NotFoundApi
from authors import apis as author_apis
from papers import apis as paper_apis

app_name = "api"
urlpatterns = [
    path("", ApiRootApi.as_view(), name="root"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("papers/", paper_apis.PaperListApi.as_view(), name="paper-list"),
    path("papers/<int:id>/", paper_apis.PaperDetailApi.as_view(), name="paper"),
    path("search/", paper_apis.SearchApi.as_view(), name="search"),
    path("authors/<int:id>/", author_apis.AuthorDetailApi.as_view(), name="author"),
    path("authors/<int:id>/papers/", author_apis.AuthorPapersApi.as_view(), name="author-papers"),
    path("clusters/<str:slug>/", author_apis.ClusterDetailApi.as_view(), name="cluster"),
    path("clusters/<str:slug>/authors/", author_apis.ClusterAuthorsApi.as_view(), name="cluster-authors"),
    path("clusters/<str:slug>/papers/", author_apis.ClusterPapersApi.as_view(), name="cluster-papers"),
    # Last: any other address is a JSON 404 (CommonMiddleware first adds the slash).
    re_path(r"^[\s\S]*/$", NotFoundApi.as_view(), name="not-found"),
]
