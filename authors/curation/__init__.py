"""Curation: curators merge, split and edit author rows and papers, each change a CurationEvent that
can be undone, exported and replayed. Called by the admin, management commands and tests alike.

One module per kind of action: `merge`, `split`, `undo` (and redo), `edit`, with the event record and
its stable identities in `events`; `export` and `replay` carry curation to a rebuilt database. The
curator work queues are `work`, fed by `suggestions` and `grouping`.
"""
