from django.urls import path

from authors import views

app_name = "authors"
urlpatterns = [
    path("clusters/<str:slug>/", views.ClusterDetailView.as_view(), name="cluster"),
    path("authors/<int:pk>/", views.AuthorDetailView.as_view(), name="detail"),
]
