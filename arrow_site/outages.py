"""What this process can do without for a while (the cache, a replica): one that fails is left alone
for `retry_seconds`, so only the request that met the failure waits for its timeout."""

import logging
import time


class Outages:
    """The outages of one kind of service, by name ("" for a single one, an alias for replicas)."""

    def __init__(self, logger: logging.Logger, *, what: str, meanwhile: str, retry_seconds: float = 30.0):
        self.logger, self.what, self.meanwhile, self.retry_seconds = logger, what, meanwhile, retry_seconds
        self.down_until: dict[str, float] = {}
        self.failures = 0

    def is_down(self, name: str = "") -> bool:
        return time.monotonic() < self.down_until.get(name, 0.0)

    def failed(self, error: Exception, name: str = "") -> None:
        self.failures += 1
        self.down_until[name] = time.monotonic() + self.retry_seconds
        label = f"{self.what} {name}" if name else self.what
        self.logger.warning("%s unavailable, %s for %ss: %s", label, self.meanwhile, self.retry_seconds, error)
