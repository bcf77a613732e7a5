"""Turn a search headline with control-character markers into safe HTML with <mark> tags."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from papers.models import HIGHLIGHT_START, HIGHLIGHT_STOP

MARKED_RE = re.compile(f"{HIGHLIGHT_START}(.*?){HIGHLIGHT_STOP}", re.DOTALL)
STRAY_RE = re.compile(f"[{HIGHLIGHT_START}{HIGHLIGHT_STOP}]")


def has_match(headline: str | None) -> bool:
    """Whether the headline marks a match; otherwise the abstract's opening reads better."""
    return HIGHLIGHT_START in (headline or "")


def highlight_text(headline: str | None) -> str | None:
    """The headline as plain text, markers dropped; None when it shows no match."""
    if not has_match(headline):
        return None
    return STRAY_RE.sub("", MARKED_RE.sub(r"\1", headline))


def highlight_html(headline: str) -> SafeString:
    """Escape first, then add the marks: the markers survive escaping, HTML does not."""
    escaped = MARKED_RE.sub(r"<mark>\1</mark>", escape(headline or ""))
    return mark_safe(STRAY_RE.sub("", escaped))  # noqa: S308 -- every character of the data was escaped  # nosec B308 B703
