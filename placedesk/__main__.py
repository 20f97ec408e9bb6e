"""``python -m placedesk`` runs the same entry point as the installed ``placedesk``."""

from placedesk.cli import run

run()
