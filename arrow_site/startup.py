"""What manage.py and gunicorn.conf.py run before Django: a configuration error is one line, not a traceback."""

import os
import runpy
import sys

from django.core.exceptions import ImproperlyConfigured


def settings_checked_or_exit() -> None:
    """Run the settings module once; on ImproperlyConfigured print its message and exit with status 1.

    run_module leaves sys.modules alone, so Django still imports the settings itself (in each gunicorn
    worker, including one restarted by --reload).
    """
    try:
        runpy.run_module(os.environ.get("DJANGO_SETTINGS_MODULE", "arrow_site.settings"))
    except ImproperlyConfigured as exc:
        sys.exit(" ".join(f"Error: {exc}".split()))
