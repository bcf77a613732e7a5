"""Curation: curators merge, split and edit author rows and papers, each change a CurationEvent that
can be undone, exported and replayed. Called by the admin, management commands and tests alike.

One module per kind of action: merge, split, undo (and redo), edit, with the event record and its
stable identities in `events`. The curator work queues (`work`, fed by `suggestions` and `grouping`)
are used through their own modules.

Names load on first use (PEP 562): `grouping` is pure Python, and the quality benchmark imports it
without setting Django up, which importing the services here would need.
"""

from importlib import import_module

# Each public name and the module of this package that defines it.
_HOMES = {
    "author_merge": "merge",
    "author_split": "split",
    "author_paper_groups": "paper_groups",
    "curation_undo": "undo",
    "curation_undo_problems": "undo",
    "curation_edit": "edit",
    "paper_authorships_save": "edit",
    "curation_events_export": "export",
    "curation_replay": "replay",
    "ReplayResult": "replay",
    "APPLIED": "replay",
    "SKIPPED": "replay",
    "FAILED": "replay",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
