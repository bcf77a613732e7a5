"""Error bodies and redirects of the API, and how the schema documents them."""

from django.http import HttpResponsePermanentRedirect
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, views


def invalid_parameters_body(errors: dict) -> dict:
    """The body of every API 400 (ErrorSerializer): `detail` to read, `errors` per parameter."""
    return {"detail": f"Invalid query parameters: {', '.join(sorted(errors))}.", "errors": errors}


def exception_handler(exc, context):
    """DRF's error responses, with every 400 in one shape (invalid_parameters_body)."""
    response = views.exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = invalid_parameters_body(errors)
    return response


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: the messages for each bad query parameter.",
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter is malformed; `errors` says which."),
    404: OpenApiResponse(ErrorSerializer, description="No such object, or a page past the last one."),
}
MOVED = OpenApiResponse(
    description="The author row was merged: `Location` is the same address for the surviving row (one hop)."
)


def responses(ok, *codes: int, moved: bool = False) -> dict:
    """The responses an endpoint documents: `ok` for 200, plus the error bodies it can answer."""
    documented = {200: ok, **{code: ERRORS[code] for code in codes}}
    if moved:
        documented[301] = MOVED
    return documented


def permanent_redirect(request, path: str) -> HttpResponsePermanentRedirect:
    """301 to `path` on this host, keeping the query string (filters and page of a list)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(request.build_absolute_uri(f"{path}?{query}" if query else path))
