"""Pure helpers for author names: dblp homonym numbers, the name-cluster key and its slug."""

import re
import unicodedata

from django.utils.text import slugify

# dblp disambiguates homonyms with a four-digit suffix: "Wenxiao Wang 0002".
HOMONYM_RE = re.compile(r"^(?P<name>.*?\S)\s+(?P<number>\d{4})$")
WHITESPACE_RE = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """Unicode-normalize (NFC: é stays é) and collapse whitespace; the display form of a name."""
    return WHITESPACE_RE.sub(" ", unicodedata.normalize("NFC", name)).strip()


def split_homonym(name: str) -> tuple[str, str]:
    """'Wenxiao Wang 0002' -> ('Wenxiao Wang', '0002'); a name without a number -> (name, '')."""
    name = clean_name(name)
    match = HOMONYM_RE.match(name)
    if match:
        return match["name"], match["number"]
    return name, ""


def cluster_key(name: str) -> str:
    """The name-cluster key: homonym number dropped, normalized, whitespace collapsed, case-folded.

    Diacritics stay part of the key (Sébastien and Sebastien are two clusters); NFKC after casefold
    makes compatibility forms (ligatures, full-width letters) compare equal.
    """
    bare, _ = split_homonym(name)
    return unicodedata.normalize("NFKC", bare.casefold())


def cluster_slug_base(name: str) -> str:
    """A readable ASCII slug where the name has one ('Keivan Rezaei' -> 'keivan-rezaei'), else Unicode."""
    bare, _ = split_homonym(name)
    ascii_form = unicodedata.normalize("NFKD", bare).encode("ascii", "ignore").decode()
    return slugify(ascii_form) or slugify(bare, allow_unicode=True) or "author"


def accent_fold(text: str) -> str:
    """Lower-case text with diacritics removed, for accent-insensitive search ('Sébastien' -> 'sebastien')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
