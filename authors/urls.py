from django.urls import path

from authors import export_views, report_views, views

app_name = "authors"
urlpatterns = [
    path("clusters/<str:slug>/", views.ClusterDetailView.as_view(), name="cluster"),
    path("authors/<int:pk>/", views.AuthorDetailView.as_view(), name="detail"),
    path("clusters/<str:slug>/export.<str:fmt>", export_views.cluster_export, name="cluster-export"),
    path("clusters/<str:slug>/feed.atom", export_views.ClusterFeed(), name="cluster-feed"),
    path("authors/<int:pk>/export.<str:fmt>", export_views.author_export, name="export"),
    path("authors/<int:pk>/feed.atom", export_views.AuthorFeed(), name="feed"),
    path("report/paper/<int:pk>/", report_views.report_paper, name="report-paper"),
    path("report/author/<int:pk>/", report_views.report_author, name="report-author"),
    path("reports/<str:token>/", report_views.report_status, name="report-status"),
]
