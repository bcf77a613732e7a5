"""What the public JSON API's endpoints (papers/apis.py, authors/apis.py) share; docs/api.md."""
