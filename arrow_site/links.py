"""Links to the public pages without a `reverse()` per link: a page links hundreds of rows, so each
route is reversed once per URLconf and script prefix, and the argument appended."""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# What reverse() leaves unquoted in a path.
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"
_SENTINEL = "999999999999"


@lru_cache(maxsize=64)
def _prefix(name: str, arg: str, urlconf: str, script_prefix: str) -> str:
    url = reverse(name, kwargs={arg: _SENTINEL}, urlconf=urlconf)
    return url[: url.index(_SENTINEL)]


def url_prefix(name: str, arg: str = "pk") -> str:
    """The URL of route `name` up to its argument `arg`: url_prefix("authors:detail") == "/authors/"."""
    return _prefix(name, arg, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def url_with(name: str, value, arg: str = "pk") -> str:
    """reverse(name, kwargs={arg: value}) for a route whose argument ends the path before a slash."""
    return f"{url_prefix(name, arg)}{quote(str(value), safe=URL_SAFE)}/"


def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _prefix.cache_clear()


setting_changed.connect(_forget)
