from django.urls import path

from papers import export_views, views

app_name = "papers"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("papers/", views.PaperListView.as_view(), name="list"),
    path("papers/<int:pk>/", views.PaperDetailView.as_view(), name="detail-short"),
    path("papers/<int:pk>/<str:slug>/", views.PaperDetailView.as_view(), name="detail"),
    path("papers/<int:pk>/export.<str:fmt>", export_views.paper_export, name="export"),
    path("venues/", views.VenueListView.as_view(), name="venues"),
    path("venues/<str:slug>/", views.VenueDetailView.as_view(), name="venue"),
]
