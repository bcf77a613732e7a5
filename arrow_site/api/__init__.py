"""The public JSON API at /api/, on Django REST framework with an OpenAPI schema by drf-spectacular.

The endpoints live next to their data (papers/apis.py, authors/apis.py) and are routed in
arrow_site/api/urls.py; this package holds what they share. docs/api.md describes the API for users.
"""
