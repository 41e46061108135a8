#!/usr/bin/env python
"""Django's command-line utility for Partnerships KB."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
    # Commands (migrations, loads, releases) may run long statements; the web server's
    # statement timeout (settings.DB_STATEMENT_TIMEOUT) is for requests.
    os.environ.setdefault("DB_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
