"""Sub-commands of ``placedesk``: one module per area, each with ``register(subparsers)``.

Handlers take the parsed arguments, call services, print what a person needs
and return the exit code. Errors a user can fix are raised as
:class:`placedesk.errors.PlaceDeskError` and printed by :func:`placedesk.cli.main`.
"""
