"""One entry point: the window by default, sub-commands for headless work.

Every module in :mod:`placedesk.commands` adds its own sub-commands through a
``register(subparsers)`` function, so a new capability brings its command with
it (and one line in ``commands.COMMAND_MODULES``, which a test checks). A
sub-command builds only its own module's parser; ``--help``, an unknown command
and the window build them all. Handlers import their services lazily:
``placedesk --help`` and the GUI's start-up stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import pkgutil
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

from placedesk import __version__, commands
from placedesk.errors import EditConflict, PlaceDeskError

log = logging.getLogger(__name__)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``command`` (a top-level sub-command's name) only that one's part."""
    parser = argparse.ArgumentParser(
        prog="placedesk",
        description="PlaceDesk: referral to contract, monitoring and leaving care, offline. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"PlaceDesk {__version__}")
    parser.add_argument(
        "--db", metavar="PATH|URL", help="database file, or a team server's URL (postgresql+psycopg://user@host/db); "
        "default: placedesk.sqlite in your user data folder"
    )
    parser.add_argument("--passphrase-file", dest="db_passphrase_file", metavar="F", default=None,
                        help=PASSPHRASE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    own = commands.COMMAND_MODULES.get(command or "")
    names = [own] if own else sorted(info.name for info in pkgutil.iter_modules(commands.__path__)
                                     if not info.name.startswith("_"))
    for name in names:
        importlib.import_module(f"placedesk.commands.{name}").register(sub)
    return parser


# Options of ``placedesk`` itself that take a value, so the value is not read as the sub-command.
_VALUE_OPTIONS = ("--db", "--passphrase-file")


def command_named(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names, or None (the window, or ``--help`` before any command)."""
    words = iter(argv)
    for word in words:
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif word in ("-h", "--help"):
            return None
        elif not word.startswith("-"):
            return word
    return None


PASSPHRASE_HELP = ("a file whose first line is the passphrase of an encrypted database, where this computer's "
                   "keystore does not hold its key")


def _add_db_to_subparsers(parser: argparse.ArgumentParser) -> None:
    """Let ``--db`` and ``--passphrase-file`` also follow the sub-command (``placedesk check --db x``).

    A sub-command with a ``--passphrase-file`` of its own (``ipa``: the signing
    identity's) takes the database's before the sub-command instead.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                if not any("--db" in a.option_strings for a in subparser._actions):
                    subparser.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS,
                                           help="database file or team server URL "
                                                "(default: the file in your user data folder)")
                if not any("--passphrase-file" in a.option_strings for a in subparser._actions):
                    subparser.add_argument("--passphrase-file", dest="db_passphrase_file", metavar="F",
                                           default=argparse.SUPPRESS, help=PASSPHRASE_HELP)
                _add_db_to_subparsers(subparser)


def quiet_library_warnings() -> None:
    """Keep libraries' notices to their developers off the officer's terminal.

    They are about the libraries' code, not the officer's data: pyHanko, for
    one, imports cryptography's DSA support, which warns that DSA is deprecated
    on every signing command (PlaceDesk never signs with DSA). PlaceDesk's own
    warnings still show, and Python's ``-W`` option or ``PYTHONWARNINGS``
    overrides all of this for a developer.
    """
    if sys.warnoptions:
        return
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("default", module=r"placedesk(\..*)?$")


def _output_closed() -> int:
    """The reader of our output went away (``placedesk match … | head``): stop quietly.

    Python would report the failed flush of what is still buffered as it exits,
    so standard output is pointed at /dev/null first.
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    # 128 + SIGPIPE, what a shell reports for a command stopped by a closed pipe.
    return 141


def run() -> NoReturn:
    """The installed ``placedesk`` and ``python -m placedesk``: run :func:`main`, then end the process.

    A sub-command collects garbage as a one-shot process does, and leaving
    quickly is part of the answer: see :mod:`placedesk.runtime`.
    """
    code = main(one_shot=True)
    from placedesk.runtime import before_exit

    before_exit()
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None, *, one_shot: bool = False) -> int:
    """Run the window or the sub-command ``argv`` names; returns the exit status.

    ``one_shot``: this process ends when the sub-command does (the installed
    entry points), so it may tune its garbage collection for that.
    """
    try:
        try:
            return _main(argv, one_shot)
        finally:
            # Written now, inside the guard, rather than by Python as it exits (``--help``, ``--version``).
            sys.stdout.flush()
    except BrokenPipeError:
        return _output_closed()


def _main(argv: Sequence[str] | None, one_shot: bool) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    quiet_library_warnings()
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_named(words))
    _add_db_to_subparsers(parser)
    args = parser.parse_args(words)
    handler = getattr(args, "func", None)
    if handler is None:
        if args.command:
            parser.parse_args([args.command, "--help"])
        from placedesk.ui.app import run_gui

        return run_gui(args.db, args.db_passphrase_file)
    if one_shot:
        from placedesk.runtime import one_shot_command

        one_shot_command()
    try:
        return int(handler(args) or 0)
    except EditConflict as conflict:
        # A colleague's save landed while the command ran: there is no screen to reload or choose on.
        print("placedesk: " + conflict.during(f"this {conflict.record_label}", "this command",
                                              "Nothing was saved: run the command again, and it starts from "
                                              "their version."), file=sys.stderr)
        return 2
    except PlaceDeskError as exc:
        print(f"placedesk: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # Another process held the file (or a colleague the server's rows) too long, outside a session_scope.
        from placedesk.db import BUSY_MESSAGE, SERVER_BUSY_MESSAGE, is_locked_error
        from placedesk.db.postgres import is_busy_error

        if is_locked_error(exc):
            print(f"placedesk: {BUSY_MESSAGE}", file=sys.stderr)
        elif is_busy_error(exc):
            print(f"placedesk: {SERVER_BUSY_MESSAGE}", file=sys.stderr)
        else:
            raise
        return 2
    except KeyboardInterrupt:
        print("placedesk: interrupted", file=sys.stderr)
        return 130
