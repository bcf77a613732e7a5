"""What the admin pages of both apps share: links to change pages, and the change page whose edits
lock the changed fields and are logged as curation."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from arrow_site.paginators import EstimatedCountPaginator
from authors.curation.edit import curation_edit
from authors.forms import UnlockFieldsForm


def admin_change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def admin_link(obj, text=None):
    """A link to the object's admin change page; a dash for None."""
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', admin_change_url(obj), text or obj)


class CuratedModelAdmin(admin.ModelAdmin):
    """A change page whose edits lock the changed fields against imports and log a CurationEvent.

    Subclasses list "locked" and "unlock_fields" in a fieldset; the form is an UnlockFieldsForm.
    """

    form = UnlockFieldsForm
    # COUNT(*) of a big table on every changelist page is the slow part (see EstimatedCountPaginator).
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    @admin.display(description="Locked fields")
    def locked(self, obj):
        return ", ".join(obj.locked_fields) if obj and obj.locked_fields else "none (imports may update every field)"

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            # Nothing is locked on a row being added.
            fieldsets = [fs for fs in fieldsets if "unlock_fields" not in fs[1]["fields"]]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "locked"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            self.record_edit(request, form, authorships=None)

    def record_edit(self, request, form, authorships):
        changes = {
            name: (form.initial.get(name), form.cleaned_data.get(name))
            for name in form.changed_data
            if name != "unlock_fields"
        }
        curation_edit(
            obj=form.instance,
            changes=changes,
            unlock=form.cleaned_data.get("unlock_fields", []),
            authorships=authorships,
            curator=request.user,
        )
