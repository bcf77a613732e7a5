"""A TransactionTestCase with a database alias of its own, for the router's replica tests."""

import copy

from django.db import connections


class ExtraDatabaseMixin:
    """Adds `extra_alias` (the default database's settings changed by `extra_changes`) for the class.

    Django's test isolation only lets a test use the aliases in `databases`, and only flushes those:
    the alias is added there, and `flush_extra` says whether it is flushed between tests too.
    """

    extra_alias: str
    flush_extra = True

    @classmethod
    def extra_changes(cls, default: dict) -> dict:
        """What differs from the test database's settings (read once it exists)."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        settings = copy.deepcopy(connections.settings["default"])
        settings.update(cls.extra_changes(settings))
        connections.settings[cls.extra_alias] = settings
        cls.databases = frozenset(cls.databases) | {cls.extra_alias}

    @classmethod
    def tearDownClass(cls):
        cls.databases = frozenset(cls.databases) - {cls.extra_alias}
        connections[cls.extra_alias].close()
        del connections[cls.extra_alias]
        del connections.settings[cls.extra_alias]
        super().tearDownClass()

    @classmethod
    def _databases_names(cls, include_mirrors=True):
        names = super()._databases_names(include_mirrors)
        return names if cls.flush_extra else [name for name in names if name != cls.extra_alias]
