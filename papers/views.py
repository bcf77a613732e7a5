from django.views.generic import DetailView, TemplateView

from papers.models import Paper, Venue


class HomeView(TemplateView):
    template_name = "papers/home.html"


class PaperDetailView(DetailView):
    model = Paper
    template_name = "papers/paper_detail.html"


class VenueDetailView(DetailView):
    model = Venue
    template_name = "papers/venue_detail.html"
