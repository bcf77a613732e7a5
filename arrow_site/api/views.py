"""The API's own endpoints: its index and the JSON 404 for unknown addresses."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, views
from rest_framework.response import Response


class ApiRootApi(views.APIView):
    """Where to start: links to the lists and to the schema."""

    @extend_schema(
        operation_id="api_root",
        responses=inline_serializer(
            "ApiRoot", {name: serializers.URLField() for name in ("papers", "search", "schema")}
        ),
    )
    def get(self, request):
        def link(name):
            return request.build_absolute_uri(reverse(f"api:{name}"))

        return Response(
            {
                "papers": link("paper-list"),
                "search": link("search"),
                "schema": link("schema"),
            }
        )


class NotFoundApi(views.APIView):
    """Any other address under /api/: a JSON 404 like an unknown id, not the site's HTML page."""

    schema = None

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("No such API endpoint. The list of endpoints is at /api/openapi.json.")
