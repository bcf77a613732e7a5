"""Log records as one JSON object per line, for whatever collects the process's stdout."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed in `extra=` and is worth keeping.
STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            entry.update(
                method=atoms.get("m"),
                path=atoms.get("U"),
                query=atoms.get("q"),
                status=atoms.get("s"),
                bytes=atoms.get("B"),
                duration_ms=round(int(atoms.get("D") or 0) / 1000, 1),
                remote=atoms.get("h"),
                user_agent=atoms.get("a"),
            )
        else:
            entry["message"] = record.getMessage()
        for name, value in vars(record).items():
            if name in STANDARD_ATTRS or name in entry:
                continue
            if name == "request":
                # Never the request's headers or body.
                entry["method"] = getattr(value, "method", None)
                entry["path"] = getattr(value, "path", None)
            else:
                entry[name] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
