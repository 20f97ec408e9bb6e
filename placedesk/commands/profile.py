"""``placedesk profile``: show or set the officer profile (who changes records, who packs and agreements are from).

With no options it prints the profile; with options it sets those fields,
checked as the settings dialog checks them, and saves the settings file.
"""

from __future__ import annotations

import argparse

FIELDS = (("name", "name", "Officer name"), ("role", "role", "Role"), ("council", "local_authority", "Council"),
          ("address", "la_address", "Council address"), ("email", "email", "Email"), ("phone", "phone", "Phone"))


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("profile", help="show or set the officer profile (name, council, email, phone)",
                            description="Changes to records are refused until the officer's name is set; referral "
                            "packs and agreements also need the council's name and an email or phone.")
    for option, _, label in FIELDS:
        parser.add_argument(f"--{option}", metavar="TEXT", default=None, help=f"set the {label.lower()}")
    parser.set_defaults(func=run_profile)


def run_profile(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings, save_settings, settings_path
    from placedesk.errors import PlaceDeskError
    from placedesk.services.common.settings import missing_for_packs, update_profile

    loaded = load_settings()
    changes = {attr: getattr(args, option) for option, attr, _ in FIELDS if getattr(args, option) is not None}
    settings = loaded.settings
    if changes:
        if loaded.problem:
            raise PlaceDeskError(f"{loaded.problem} The profile was not changed, so the file is not overwritten.")
        settings = update_profile(settings, **changes)
        save_settings(settings)
        print(f"Saved the officer profile to {settings_path()}")
    officer = settings.officer
    for _, attr, label in FIELDS:
        print(f"{label + ':':<17} {getattr(officer, attr) or '(not set)'}")
    missing = missing_for_packs(officer)
    if missing:
        print(f"Still needed for referral packs and agreements: {', '.join(missing)}.")
    return 0
