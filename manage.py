#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrow_site.settings")
    from django.core.management import execute_from_command_line

    from arrow_site.startup import settings_checked_or_exit

    settings_checked_or_exit()

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
