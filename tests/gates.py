"""The one way a test says which database it needs: the default connection's vendor."""

import unittest

from django.db import connection


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def postgresql_only(reason: str):
    return unittest.skipUnless(on_postgresql(), reason)


def sqlite_only(reason: str):
    return unittest.skipUnless(connection.vendor == "sqlite", reason)
