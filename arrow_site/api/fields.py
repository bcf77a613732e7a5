"""Serializer fields the API's objects share: absolute links and blank-as-null text."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """An absolute link computed from the object: `to_path(obj)` returns the path."""

    def __init__(self, to_path, **kwargs):
        self.to_path = to_path
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(self.to_path(value))


def api_link(name: str, *kwarg_names: str, attr: str | None = None):
    """A LinkField to the API route `name`, its kwargs read from the object (from `attr` if given)."""
    return LinkField(lambda obj: reverse(f"api:{name}", kwargs={k: getattr(obj, attr or k) for k in kwarg_names}))


def page_link():
    return LinkField(lambda obj: obj.get_absolute_url())


class OptionalCharField(serializers.CharField):
    """A text column where blank means unknown: null in JSON, so a client tests for one thing."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None
