from django.urls import path

from papers import views

app_name = "papers"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("papers/<int:pk>/", views.PaperDetailView.as_view(), name="detail-short"),
    path("papers/<int:pk>/<str:slug>/", views.PaperDetailView.as_view(), name="detail"),
    path("venues/<str:slug>/", views.VenueDetailView.as_view(), name="venue"),
]
