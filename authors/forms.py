"""Admin forms for curators: unlocking fields, choosing a merge survivor, splitting a row."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect

from authors.models import Author
from papers.models import Authorship


class UnlockFieldsForm(forms.ModelForm):
    """A model form with an "unlock" tick box per locked field, for the curation change pages."""

    unlock_fields = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Unlock",
        help_text="Ticked fields are released: the next import may overwrite them again.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unlock_fields" in self.fields:
            locked = self.instance.locked_fields if self.instance.pk else []
            self.fields["unlock_fields"].choices = [(name, name) for name in locked]


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Surviving row")

    def __init__(self, *args, rows: list[Author], **kwargs):
        super().__init__(*args, **kwargs)
        live = [row for row in rows if row.merged_into_id is None]
        self.fields["survivor"].choices = [(row.pk, f"#{row.pk} {row.full_name}") for row in live]
        # The row with most papers survives by default: the fewest authorships move.
        if live:
            self.fields["survivor"].initial = max(live, key=lambda row: (row.paper_count, -row.pk)).pk


class SplitForm(forms.Form):
    NEW, EXISTING = "new", "existing"

    papers = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)
    target = forms.ChoiceField(
        choices=[(NEW, "A new row with the same name"), (EXISTING, "An existing row")],
        initial=NEW,
        widget=forms.RadioSelect,
        label="Move the ticked papers to",
    )
    # Built in __init__: the autocomplete widget needs the admin site.
    into = forms.ModelChoiceField(queryset=Author.objects.none(), required=False)

    def __init__(self, *args, author: Author, paper_ids: list[int], admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        self.fields["papers"].choices = [(pk, pk) for pk in paper_ids]
        # Django's admin autocomplete (select2 over the AuthorAdmin search): never a <select> of every row.
        widget = AutocompleteSelect(Authorship._meta.get_field("author"), admin_site)
        self.fields["into"] = forms.ModelChoiceField(
            queryset=Author.objects.active(), required=False, label="Existing row", widget=widget
        )

    def clean(self):
        cleaned = super().clean()
        into = cleaned.get("into")
        if cleaned.get("target") == self.EXISTING:
            if into is None:
                self.add_error("into", "Choose the row to move the papers to.")
            elif into.pk == self.author.pk:
                self.add_error("into", "Choose another row than the one being split.")
        else:
            cleaned["into"] = None
        return cleaned
