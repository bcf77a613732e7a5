"""Query-string filters for paper lists: every filter state is a GET URL that can be shared."""

import django_filters
from django import forms
from django.forms.renderers import Jinja2

from papers.models import Paper

MAX_ID = 2**63 - 1
# Years fit the smallint column.
YEAR_MIN, YEAR_MAX = 0, 32767
TEXT_MAX_LENGTH = 200


class FilterForm(forms.Form):
    # Through Django's own engine the widgets cost more than the rest of a list page's template.
    default_renderer = Jinja2()


def numeric_text_input():
    # Not type=number, which may not hold "abc": ?year=abc must re-render as valid HTML with its error.
    return forms.TextInput(attrs={"inputmode": "numeric"})


class YearFilter(django_filters.NumberFilter):
    # The default DecimalField would accept 2024.5.
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", numeric_text_input())
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", numeric_text_input())
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class PaperNarrowFilter(django_filters.FilterSet):
    """What narrows any list of papers, search results included: year (exact or a range), venue, type."""

    year = YearFilter(label="Year")
    year_min = YearFilter(field_name="year", lookup_expr="gte", label="From year")
    year_max = YearFilter(field_name="year", lookup_expr="lte", label="To year")
    venue = django_filters.CharFilter(field_name="venue__short_name", lookup_expr="iexact", max_length=TEXT_MAX_LENGTH)
    type = django_filters.ChoiceFilter(field_name="pub_type", choices=Paper.Type.choices, label="Type")

    class Meta:
        model = Paper
        form = FilterForm
        fields = ["year", "year_min", "year_max", "venue", "type"]


class SortKeysField(django_filters.fields.BaseCSVField):
    """Sort keys, none empty: django-filter would ignore blank ones, which the API schema does not allow."""

    def clean(self, value):
        if value and "" in value:
            raise forms.ValidationError(
                "Give sort keys separated by single commas, with none left empty.", code="empty_sort_key"
            )
        return super().clean(value)


class SortFilter(django_filters.OrderingFilter):
    base_field_class = SortKeysField


class PaperFilter(PaperNarrowFilter):
    q = django_filters.CharFilter(label="Words", method="filter_q", max_length=TEXT_MAX_LENGTH)
    author = IdFilter(method="filter_author", label="Author row id")
    o = SortFilter(
        fields=(("year", "year"), ("title", "title")),
        field_labels={"year": "Year (oldest first)", "-year": "Year (newest first)", "title": "Title (A-Z)"},
        label="Sort by",
    )

    class Meta:
        model = Paper
        form = FilterForm
        fields = ["q", "year", "year_min", "year_max", "venue", "type", "author"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_author(self, queryset, name, value):
        return queryset.by_author(value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # OrderingFilter replaces the order; pk keeps pages stable among equal keys.
        if self.form.cleaned_data.get("o"):
            queryset = queryset.order_by(*queryset.query.order_by, "-pk")
        return queryset
