"""drf-spectacular hooks: what the generated OpenAPI schema cannot learn from the code alone."""

from papers.filters import PaperFilter


def document_empty_filters(result, generator, request, public):
    """Say that an empty filter (`?year=`) means no filter, as the pages' filters (reused here) read it."""
    names = set(PaperFilter.base_filters)
    for path in result["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in names:
                    parameter["allowEmptyValue"] = True
    return result
