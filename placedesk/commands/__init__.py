"""Sub-commands of ``placedesk``: one module per area, each with ``register(subparsers)``.

Handlers take the parsed arguments, call services, print what a person needs
and return the exit code. Errors a user can fix are raised as
:class:`placedesk.errors.PlaceDeskError` and printed by :func:`placedesk.cli.main`.
"""

# Which module registers each top-level sub-command: a command loads only its own module (a signing
# command need not build forty parsers it will not use). tests/test_cli.py checks it against what
# the modules register, so a new command cannot be left out.
COMMAND_MODULES: dict[str, str] = {
    "import-903": "care", "leaving-care": "care", "coming-up": "care",
    "dashboard": "dashboard",
    "demo": "demo",
    "ipa": "ipa", "verify": "ipa",
    "check": "maintenance", "backup": "maintenance", "restore": "maintenance", "encrypt": "maintenance",
    "match": "match",
    "profile": "officer", "audit": "officer",
    "pack": "pack",
    "postcodes": "postcodes",
    "providers": "providers",
    "report": "report",
    "server": "server",
    "spreadsheets": "spreadsheets",
    "export": "sync", "import": "sync", "sync": "sync", "conflicts": "sync",
    "identity": "trust", "colleagues": "trust",
}

