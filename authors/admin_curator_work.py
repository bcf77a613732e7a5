"""/admin/curator-work/: the curator work queues (authors.curation.work), one page each, paginated,
every item with its evidence, the button that opens the tool that acts on it, and Dismiss.

Only curators (the permission to change author rows, which the Curators group has) see or act."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from authors.curation.work import dismiss, open_counts
from authors.models import CuratorSuggestion

Queue = CuratorSuggestion.Queue
PER_PAGE = 25
NOTE_MAX = 2000


def curator_view(view):
    """The admin's login and staff check, then the curator permission."""

    def checked(request, *args, **kwargs):
        if not request.user.has_perm("authors.change_author"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(checked)


def context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "subtitle": None, **extra}


def index(request):
    request.current_app = admin.site.name
    return TemplateResponse(
        request, "admin/curator_work/index.html", context(request, "Curator work", queues=open_counts())
    )


def queue_page(request, queue):
    if queue not in Queue.values:
        raise Http404("No such queue.")
    items = CuratorSuggestion.objects.open().filter(queue=queue).order_by("-score", "id")
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.actions = actions(item)
    request.current_app = admin.site.name
    return TemplateResponse(
        request,
        f"admin/curator_work/{queue}.html",
        context(
            request,
            Queue(queue).label,
            queue=queue,
            page=page,
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            changelist_url=reverse("admin:authors_author_changelist"),
        ),
    )


def actions(item: CuratorSuggestion) -> list[dict]:
    """The tools an item opens: the split page with a group ticked, or each row's admin page."""
    if item.queue == Queue.SPLIT:
        split_url = reverse("admin:authors_author_split", args=[item.author_ids[0]])
        return [
            {"label": f"Split off group {n} ({len(group['papers'])} papers)", "url": f"{split_url}?papers="
             + ",".join(map(str, group["papers"]))}
            for n, group in enumerate(item.evidence["groups"][1:], 2)
        ]  # fmt: skip
    return [{"label": f"Row #{pk}", "url": reverse("admin:authors_author_change", args=[pk])} for pk in item.author_ids]


@require_POST
def dismiss_view(request, pk):
    item = get_object_or_404(CuratorSuggestion, pk=pk)
    dismiss(suggestion=item, curator=request.user, note=request.POST.get("note", "").strip()[:NOTE_MAX])
    messages.success(request, f"Dismissed: {item.title}. It comes back only if its evidence grows.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("curator-work:queue", args=[item.queue])
    return HttpResponseRedirect(back)


app_name = "curator-work"
urlpatterns = [
    path("", curator_view(index), name="index"),
    path("<str:queue>/", curator_view(queue_page), name="queue"),
    path("dismiss/<int:pk>/", curator_view(dismiss_view), name="dismiss"),
]
