"""Metadata correction for curators: papers with their ordered author list, and venues.

Edits lock the changed fields against imports (authors.admin_base.CuratedModelAdmin); editing the author
list locks "authors" on the paper and marks the authorships curated.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.html import format_html_join

from authors.admin_base import CuratedModelAdmin
from authors.curation.edit import paper_authorships_save
from papers.models import Authorship, Paper, Venue, title_key


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """The admin autocomplete, rendering its chosen row from an object already loaded.

    The stock widget runs one query per inline row to label the chosen option; the inline's
    queryset already joined the author rows, so a paper with 50 authors costs no 50 extra queries.
    """

    preloaded = ()

    def optgroups(self, name, value, attr=None):
        known = {str(obj.pk): obj for obj in self.preloaded}
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected or not selected <= known.keys():
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for key in sorted(selected):
            label = self.choices.field.label_from_instance(known[key])
            options.append(self.create_option(name, known[key].pk, label, selected, len(options)))
        return [(None, options, 0)]


class AuthorshipForm(forms.ModelForm):
    class Meta:
        model = Authorship
        fields = ["position", "author", "printed_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["printed_name"].required = False
        self.fields["printed_name"].help_text = "As printed on the paper; blank means the row's name."
        widget = self.fields["author"].widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-widget wrapper
        if isinstance(widget, PreloadedAutocompleteSelect) and self.instance.author_id:
            widget.preloaded = [self.instance.author]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("printed_name") and cleaned.get("author"):
            cleaned["printed_name"] = cleaned["author"].full_name
            self.instance.printed_name = cleaned["printed_name"]
        return cleaned

    # Reordering swaps positions, which a row-by-row database check of (paper, position) would refuse
    # half-way. The formset still refuses two rows at one position, and paper_authorships_save writes
    # in two steps so the constraint holds at every statement.
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    form = AuthorshipForm
    fields = ["position", "author", "printed_name", "source", "source_key", "curated"]
    readonly_fields = ["source", "source_key", "curated"]
    autocomplete_fields = ["author"]
    ordering = ["position"]
    extra = 0
    verbose_name_plural = "authors, in order (editing them locks the author list against imports)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Paper)
class PaperAdmin(CuratedModelAdmin):
    list_display = ["title", "id", "year", "venue", "pub_type", "doi"]
    list_select_related = ["venue"]
    list_filter = ["pub_type"]
    # Primary-key order is index order: page one of a big table never sorts the whole table.
    ordering = ["-pk"]
    search_fields = ["title_key"]
    search_help_text = "The start of a title, a DOI, an arXiv id, a dblp key or a paper id."
    autocomplete_fields = ["venue"]
    inlines = [AuthorshipInline]
    fieldsets = [
        ("Bibliographic", {"fields": ["title", "abstract", "year", "venue", "pub_type"]}),
        ("Identifiers", {"fields": ["doi", "url", "dblp_key", "openalex_id", "arxiv_id"]}),
        ("Provenance", {"fields": ["primary_source", "provenance", "created_at", "updated_at"]}),
        ("Curation", {"fields": ["locked", "unlock_fields"]}),
    ]
    readonly_fields = ["primary_source", "provenance", "created_at", "updated_at"]

    @admin.display(description="source records")
    def provenance(self, obj):
        rows = obj.sources.all() if obj and obj.pk else []
        return format_html_join(
            ", ", "{}: {} ({}, {})", ((s.source, s.source_id, s.file_name or "—", s.imported_at) for s in rows)
        )

    def get_search_results(self, request, queryset, search_term):
        # Each branch is an indexed equality or prefix lookup (title_key has a pattern index on
        # PostgreSQL); `icontains` on titles would read the whole table.
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        if term.lower().startswith(("10.", "https://doi.org/")):
            return queryset.filter(doi=term.lower().removeprefix("https://doi.org/")), False
        if "/" in term and " " not in term:
            return queryset.filter(dblp_key=term), False
        if term.replace(".", "").replace("v", "").isdigit():
            return queryset.filter(arxiv_id=term), False
        return queryset.filter(title_key__startswith=title_key(term)), False

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        authorships = None
        for formset in formsets:
            if formset.model is Authorship:
                saved = formset.save(commit=False)
                authorships = paper_authorships_save(paper=form.instance, saved=saved, deleted=formset.deleted_objects)
            else:
                self.save_formset(request, form, formset, change=change)
        self.record_edit(request, form, authorships=authorships)


@admin.register(Venue)
class VenueAdmin(CuratedModelAdmin):
    list_display = ["short_name", "kind", "full_name"]
    list_filter = ["kind"]
    # Venues number in the thousands, so a prefix search on the short name is cheap enough.
    search_fields = ["^short_name"]
    fieldsets = [
        (None, {"fields": ["short_name", "kind", "full_name", "slug"]}),
        ("Curation", {"fields": ["locked", "unlock_fields"]}),
    ]
