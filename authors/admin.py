"""Curator tools for author rows: merge (action + confirmation page), split (per-row view), locked
fields on edits, and the read-only curation log with undo. The work is in authors.curation."""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from arrow_site.paginators import EstimatedCountPaginator
from authors.admin_base import CuratedModelAdmin, admin_link
from authors.curation.merge import author_merge
from authors.curation.paper_groups import author_paper_groups
from authors.curation.split import author_split
from authors.curation.undo import curation_undo, curation_undo_problems
from authors.forms import MergeForm, SplitForm
from authors.models import Author, AuthorKey, CurationEvent
from authors.names import cluster_key
from authors.selectors import author_coauthor_graph_chart
from papers.models import Authorship, Paper, Venue

# Papers listed per row on the merge confirmation page; the rest are counted.
MERGE_PAPERS_SHOWN = 30


class AuthorKeyInline(admin.TabularInline):
    model = AuthorKey
    fields = ["source", "key"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "source keys (imports resolve these to this row; merges move them)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active rows"), ("merged", "Merged (tombstones)")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(merged_into__isnull=True)
        if self.value() == "merged":
            return queryset.filter(merged_into__isnull=False)
        return queryset


@admin.register(Author)
class AuthorAdmin(CuratedModelAdmin):
    list_display = ["full_name", "id", "orcid", "cluster_link", "paper_count", "status"]
    list_select_related = ["cluster"]
    list_filter = [StatusFilter]
    # Newest first by primary key: index order, so big tables never sort by name for page one.
    ordering = ["-pk"]
    search_fields = ["name"]
    search_help_text = "The start of a name (any case), a row id, or an ORCID."
    actions = ["merge_authors"]
    inlines = [AuthorKeyInline]
    fieldsets = [
        (None, {"fields": ["name", "homonym_number", "orcid", "affiliation", "name_variants"]}),
        ("Row", {"fields": ["cluster_link", "merged_into_link", "paper_count", "history_link"]}),
        ("Curation", {"fields": ["locked", "unlock_fields"]}),
    ]
    readonly_fields = ["cluster_link", "merged_into_link", "paper_count", "history_link"]

    @admin.display(description="name cluster", ordering="cluster__key")
    def cluster_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.cluster.get_absolute_url(), obj.cluster.name)

    @admin.display(description="merged into")
    def merged_into_link(self, obj):
        return admin_link(obj.merged_into) if obj.merged_into_id else "— (an active row)"

    @admin.display(description="status")
    def status(self, obj):
        return f"merged into #{obj.merged_into_id}" if obj.merged_into_id else "active"

    @admin.display(description="curation history")
    def history_link(self, obj):
        url = reverse("admin:authors_curationevent_changelist") + f"?authors__id__exact={obj.pk}"
        return format_html('<a href="{}">Merges, splits and edits of this row</a>', url)

    def get_search_results(self, request, queryset, search_term):
        # Cheap on big tables: a prefix of the case-folded cluster key uses the key's pattern index,
        # ids and ORCIDs use their own indexes; no `icontains`, which reads every row.
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            results = queryset.filter(pk=int(term))
        elif len(term) == 19 and term[4] == "-" and term.replace("-", "").rstrip("X").isdigit():
            results = queryset.filter(orcid=term.upper())
        else:
            results = queryset.filter(cluster__key__startswith=cluster_key(term))
        if request.path.endswith("/autocomplete/"):
            # Authorships and split targets must point at live rows, never at a tombstone.
            results = results.filter(merged_into__isnull=True)
        return results, False

    def get_urls(self):
        split = path(
            "<path:object_id>/split/",
            self.admin_site.admin_view(self.split_view),
            name="authors_author_split",
        )
        # Prepended: the catch-all "<path:object_id>/" pattern would swallow it otherwise.
        return [split, *super().get_urls()]

    # -- merge ---------------------------------------------------------------------------------------

    @admin.action(description="Merge selected author rows", permissions=["change"])
    def merge_authors(self, request, queryset):
        rows = list(queryset.select_related("cluster").prefetch_related(self.papers_prefetch()))
        form = MergeForm(request.POST if request.POST.get("post") else None, rows=rows)
        if form.is_bound and form.is_valid():
            return self.merge_confirmed(request, rows, form.cleaned_data["survivor"])
        return self.merge_confirmation(request, rows, form)

    @staticmethod
    def papers_prefetch():
        authorships = Authorship.objects.select_related("paper__venue").order_by("-paper__year", "paper_id")
        return Prefetch("authorships", queryset=authorships[:MERGE_PAPERS_SHOWN], to_attr="shown_authorships")

    def merge_confirmed(self, request, rows, survivor_pk):
        target = next(row for row in rows if row.pk == survivor_pk)
        sources = [row for row in rows if row.pk != survivor_pk]
        try:
            target = author_merge(target=target, sources=sources, curator=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        event = target.curation_event
        self.log_change(request, target, f"Merged {', '.join(f'#{s.pk}' for s in sources)} into this row.")
        for source in sources:
            self.log_change(request, source, f"Merged into #{target.pk}.")
        self.message_user(request, f"{event.summary}. Undo from curation event #{event.pk}.", messages.SUCCESS)
        return None

    def merge_confirmation(self, request, rows, form):
        tombstones = [row for row in rows if row.merged_into_id]
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge author rows",
            "subtitle": None,
            "opts": self.opts,
            "rows": rows,
            "form": form,
            "survivor": str(form["survivor"].value()),
            "tombstones": tombstones,
            "can_merge": len(rows) - len(tombstones) >= 2,
            "papers_shown": MERGE_PAPERS_SHOWN,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/authors/author/merge_confirmation.html", context)

    # -- split ---------------------------------------------------------------------------------------

    def split_view(self, request, object_id):
        author = self.get_object(request, unquote(object_id))
        if author is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, author):
            raise PermissionDenied
        change_url = reverse("admin:authors_author_change", args=[author.pk])
        if author.merged_into_id:
            self.message_user(request, "This row was merged; split the surviving row instead.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        groups = author_paper_groups(author=author)
        paper_ids = [paper.pk for group in groups for paper in group]
        data = request.POST if request.method == "POST" else None
        # ?papers=1,2,3 (the split queue's button) ticks a suggested group; the curator still decides.
        ticked = set(paper_ids) & {int(pk) for pk in request.GET.get("papers", "").split(",") if pk.isdigit()}
        form = SplitForm(
            data, author=author, paper_ids=paper_ids, admin_site=self.admin_site, initial={"papers": sorted(ticked)}
        )
        if form.is_bound and form.is_valid():
            try:
                into = author_split(
                    author=author,
                    paper_ids=form.cleaned_data["papers"],
                    into=form.cleaned_data["into"],
                    curator=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                moved = len(form.cleaned_data["papers"])
                self.log_change(request, author, f"Split {moved} paper(s) to #{into.pk}.")
                self.log_change(request, into, f"Received {moved} paper(s) split from #{author.pk}.")
                self.message_user(request, f"{into.curation_event.summary}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:authors_author_change", args=[into.pk]))
        selected = {int(pk) for pk in form["papers"].value() or [] if str(pk).isdigit()}
        # The co-author graph coloured by the same groups, so the curator sees why they split; drawn
        # by the public pages' own template (Jinja2), as the author page draws it.
        graph = author_coauthor_graph_chart(author=author, paper_groups=[[p.pk for p in g] for g in groups])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Split {author.full_name}",
            "subtitle": None,
            "opts": self.opts,
            "original": author,
            "groups": groups,
            # Jinja2 returns a plain str of what it escaped itself.
            "graph_figure": mark_safe(render_to_string("charts/_coauthors.html", {"chart": graph}))  # noqa: S308  # nosec B308 B703
            if graph.data.nodes
            else "",
            "selected": selected,
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/authors/author/split.html", context)


@admin.register(CurationEvent)
class CurationEventAdmin(admin.ModelAdmin):
    """The curation log: read-only, with an undo page per merge or split (and redo for an undo)."""

    list_display = ["created_at", "action", "summary", "curator", "undo_status"]
    list_filter = ["action"]
    list_select_related = ["curator"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    date_hierarchy = None
    fields = ["action", "summary", "curator", "created_at", "target", "author_links", "undo_status", "details"]
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request):
        # The author change page links here filtered to one row.
        return lookup == "authors__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_undo(self, request):
        return request.user.has_perm("authors.change_author")

    @admin.display(description="target")
    def target(self, obj):
        if obj.target_type == "curationevent":
            return admin_link(CurationEvent.objects.filter(pk=obj.target_id).first())
        model = {"author": Author, "paper": Paper, "venue": Venue}.get(obj.target_type)
        if model is None or obj.target_id is None:
            return f"{obj.target_type} #{obj.target_id}" if obj.target_type else "—"
        return admin_link(model.objects.filter(pk=obj.target_id).first(), f"{obj.target_type} #{obj.target_id}")

    @admin.display(description="author rows")
    def author_links(self, obj):
        rows = obj.authors.order_by("pk")
        return format_html_join(
            ", ",
            '<a href="{}">#{} {}</a>',
            ((reverse("admin:authors_author_change", args=[a.pk]), a.pk, a.full_name) for a in rows),
        )

    @admin.display(description="undo")
    def undo_status(self, obj):
        if obj.undone_by_id:
            return format_html("undone by #{}", obj.undone_by_id)
        if obj.action == CurationEvent.Action.EDIT:
            return "—"
        url = reverse("admin:authors_curationevent_undo", args=[obj.pk])
        label = "Redo" if obj.action == CurationEvent.Action.UNDO else "Undo"
        return format_html('<a href="{}">{}…</a>', url, label)

    @admin.display(description="data")
    def details(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))

    def get_urls(self):
        undo = path(
            "<path:object_id>/undo/",
            self.admin_site.admin_view(self.undo_view),
            name="authors_curationevent_undo",
        )
        return [undo, *super().get_urls()]

    def undo_view(self, request, object_id):
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_view_permission(request, event) and self.can_undo(request)):
            raise PermissionDenied
        if request.method == "POST":
            try:
                new = curation_undo(event=event, curator=request.user)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.log_change(request, event, f"Undone by #{new.pk}.")
                self.message_user(request, f"{new.summary}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:authors_curationevent_change", args=[new.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{'Redo' if event.action == CurationEvent.Action.UNDO else 'Undo'} event #{event.pk}",
            "subtitle": None,
            "opts": self.opts,
            "original": event,
            "problems": curation_undo_problems(event=event),
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/authors/curationevent/undo_confirmation.html", context)


# The correction-request queue registers itself (its own module: authors/admin_reports.py).
import authors.admin_reports  # noqa: E402,F401
