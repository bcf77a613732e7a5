"""The curators' queue of correction requests: open ones first, each linked to the tool that fixes it."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from authors.admin_base import admin_change_url
from authors.models import CorrectionRequest, CorrectionRequestQuerySet
from authors.reports import correction_request_update

Kind = CorrectionRequest.Kind
Status = CorrectionRequest.Status


def row_links(obj, label: str):
    """`label` with links to the row's public page and its admin change page."""
    return format_html(
        '{} (<a href="{}">public page</a>, <a href="{}">edit</a>)', label, obj.get_absolute_url(), admin_change_url(obj)
    )


def author_links(author):
    """An author row's links; a merged row also leads to the row it was merged into."""
    if author.merged_into_id is None:
        return row_links(author, f"{author.full_name} #{author.pk}")
    return format_html(
        "{} #{}, merged into {}",
        author.full_name,
        author.pk,
        row_links(author.merged_into, f"{author.merged_into.full_name} #{author.merged_into.pk}"),
    )


def live(author):
    # Merges keep merged_into one hop from a live row.
    return author.merged_into if author.merged_into_id else author


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "kind", "target_link", "short_message", "handled_by"]
    list_display_links = ["created_at"]
    list_filter = ["status", "kind", "target_type"]
    list_select_related = ["paper", "author__merged_into", "handled_by"]
    show_full_result_count = False
    ordering = [CorrectionRequestQuerySet.QUEUE_RANK.asc(), "-created_at", "-pk"]
    search_fields = ["target_label"]
    search_help_text = "Words of the paper title or author name reported."
    actions = ["mark_in_progress"]
    fieldsets = [
        ("The report", {"fields": ["kind", "target_link", "other_author_link", "fix", "message", "email"]}),
        ("Your answer", {"fields": ["status", "reply"], "description": "The reporter sees both on the status page."}),
        ("Record", {"fields": ["created_at", "updated_at", "handled_by", "status_page"]}),
    ]
    readonly_fields = [
        "kind",
        "target_link",
        "other_author_link",
        "fix",
        "message",
        "email",
        "created_at",
        "updated_at",
        "handled_by",
        "status_page",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="about", ordering="target_label")
    def target_link(self, obj):
        if obj.paper_id:
            return row_links(obj.paper, f"Paper #{obj.paper_id}: {obj.paper.title}")
        if obj.author_id:
            return author_links(obj.author)
        return format_html("{} (deleted since)", obj.target_label)

    @admin.display(description="other author row")
    def other_author_link(self, obj):
        return author_links(obj.other_author) if obj.other_author_id else "— (none given)"

    @admin.display(description="message")
    def short_message(self, obj):
        return obj.message if len(obj.message) <= 80 else f"{obj.message[:79]}…"

    @admin.display(description="status page")
    def status_page(self, obj):
        return format_html('<a href="{}">What the reporter sees</a>', obj.get_absolute_url())

    @admin.display(description="to fix it")
    def fix(self, obj):
        links = list(self.fix_links(obj))
        if not links:
            return "Edit the row above."
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))

    def fix_links(self, obj):
        rows = [live(a) for a in (obj.author, obj.other_author) if a is not None]
        changelist = reverse("admin:authors_author_changelist")
        if obj.kind == Kind.SAME_PERSON and len({r.pk for r in rows}) == 2:
            query = urlencode({"id__in": ",".join(str(r.pk) for r in rows)})
            yield f"{changelist}?{query}", "Both rows in the author list: tick them, then “Merge selected author rows”"
        if obj.kind == Kind.SAME_PERSON and rows:
            yield f"{changelist}?{urlencode({'q': rows[0].name})}", f"Every row named {rows[0].name}, to merge"
        if obj.kind == Kind.TWO_PEOPLE and obj.author_id:
            yield reverse("admin:authors_author_split", args=[rows[0].pk]), f"Split row #{rows[0].pk}"
        if obj.paper_id and obj.kind in (Kind.WRONG_AUTHOR, Kind.METADATA):
            yield reverse("admin:papers_paper_change", args=[obj.paper_id]), "Correct the paper and its authors"

    def save_model(self, request, obj, form, change):
        correction_request_update(
            correction_request=obj,
            status=form.cleaned_data["status"],
            reply=form.cleaned_data["reply"],
            curator=request.user,
        )

    @admin.action(description="Mark selected requests as in progress", permissions=["change"])
    def mark_in_progress(self, request, queryset):
        started = list(queryset.filter(status=Status.OPEN))
        for obj in started:
            correction_request_update(
                correction_request=obj, status=Status.IN_PROGRESS, reply=obj.reply, curator=request.user
            )
        self.message_user(request, f"{len(started)} open request(s) marked in progress.", messages.SUCCESS)
