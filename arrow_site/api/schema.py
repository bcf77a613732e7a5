"""drf-spectacular hooks: what the generated OpenAPI schema cannot learn from the code alone."""

from papers.filters import PaperFilter


def document_empty_filters(result, generator, request, public):
    """Say that an empty filter (`?year=`) means no filter, as django-filter reads it.

    HTML forms send every field, empty or not, so the pages' filters skip empty values; the API
    reuses those filters, and OpenAPI's `allowEmptyValue` is how a schema says so.
    """
    names = set(PaperFilter.base_filters)
    for path in result["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in names:
                    parameter["allowEmptyValue"] = True
    return result
