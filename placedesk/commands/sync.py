"""``placedesk export``, ``import``, ``sync`` and ``conflicts``: exchanging records through signed bundles.

Export and sync sign with the officer's identity, opened with ``--passphrase-file``
or the passphrase kept in the system keystore; import accepts only bundles signed
by a colleague on the trust list (``placedesk colleagues``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write an export bundle of the records changed since the last export")
    export.add_argument("--to", metavar="DIR", type=Path, required=True, help="folder to write the bundle into")
    export.add_argument("--since", metavar="DATE", type=parse_date,
                        help="include records changed since this date instead of since the last export")
    export.add_argument("--full", action="store_true", help="include every record")
    export.add_argument("--zip", action="store_true", help="write one .zip file instead of a folder")
    _passphrase_option(export)
    export.set_defaults(func=run_export)

    imp = sub.add_parser("import", help="check who signed a colleague's export bundle (folder or .zip), then import it")
    imp.add_argument("path", metavar="PATH", type=Path, help="the bundle folder or .zip")
    imp.set_defaults(func=run_import)

    sync = sub.add_parser("sync", help="send waiting bundles to the shared folder and import colleagues' new ones")
    sync.add_argument("--no-export", action="store_true", help="do not export this laptop's changes first")
    _passphrase_option(sync)
    sync.set_defaults(func=run_sync)

    conflicts = sub.add_parser("conflicts", help="list sync conflicts, or resolve one")
    conflicts.add_argument("--resolve", metavar="ID", help="the conflict to resolve (from the list)")
    conflicts.add_argument("--keep", choices=["local", "remote"],
                           help="keep this laptop's version (local) or take the other laptop's (remote)")
    conflicts.add_argument("--over-version", metavar="N", type=int,
                           help="take the other laptop's version over a colleague's later change here, whose "
                                "version N the refusal named")
    conflicts.set_defaults(func=run_conflicts)


def _passphrase_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="F", type=Path, default=None,
                        help="file whose first line is your signing identity's passphrase (default: the one kept "
                             "in the system keystore)")


def _laptop_id() -> str:
    from placedesk.config import ensure_laptop_id, load_settings

    return ensure_laptop_id(load_settings().settings)


def run_export(args: argparse.Namespace) -> int:
    from placedesk.commands.trust import signer_for_command
    from placedesk.models.base import utcnow
    from placedesk.services.common.audit_log import record_export
    from placedesk.services.sync.export_bundle import export_bundle

    since = None
    if args.since is not None:
        since = dt.datetime.combine(args.since, dt.time(0, 0), tzinfo=dt.timezone.utc)
    from placedesk.services.sync.sync_id import sync_id

    laptop = _laptop_id()
    signer = signer_for_command(args.passphrase_file)
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            # The team server's bundles carry its own id, so the laptop takes them back (see sync_id).
            result = export_bundle(session, args.to, laptop_id=sync_id(session, laptop, shared_database=db.is_server),
                                   signer=signer, now=utcnow(), since=since, full=args.full, as_zip=args.zip,
                                   shared_database=db.is_server)
            record_export(session, what="Export bundle for the shared folder", target=result.path,
                          records=result.record_count)
    finally:
        db.close()
    scope = "everything" if result.since is None else f"changes since {result.since:%d/%m/%Y %H:%M} UTC"
    print(f"Exported {result.record_count} record(s) and {result.document_count} document(s) ({scope}) to {result.path}")
    print(f"Signed by {signer.name}.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from placedesk.models.base import utcnow
    from placedesk.services.sync.bundle_signing import SignerError, spoken_fingerprint
    from placedesk.services.sync.colleagues import load_trust, save_trust
    from placedesk.services.sync.import_bundle import import_bundle
    from placedesk.services.sync.sync_id import sync_id

    laptop = _laptop_id()
    trust = load_trust()
    # A new laptop's first import makes the default database, as other commands do (and says so).
    db = open_db(args)
    try:
        with db.session_scope() as session:
            own = sync_id(session, laptop, shared_database=db.is_server)
            result = import_bundle(session, args.path, own_laptop_id=own, trust=trust, now=utcnow())
    except SignerError as exc:
        if exc.reason == "untrusted":
            print(f"{exc}\nTo look at it first: placedesk colleagues show {args.path}\n"
                  f"To trust its signer:  placedesk colleagues add --from-bundle {args.path}", file=sys.stderr)
            return 2
        raise
    finally:
        db.close()
    if trust.changed:
        save_trust(trust)
    print(f"Bundle from laptop {result.laptop_id} ({result.officer or 'unknown officer'}, made "
          f"{result.created_at:%d/%m/%Y %H:%M} UTC), signed by {result.signer} "
          f"(fingerprint {spoken_fingerprint(result.fingerprint)})")
    print(result.summary())
    for table in sorted(set(result.inserted) | set(result.updated)):
        print(f"  {table:<28} {result.inserted.get(table, 0):>7} new {result.updated.get(table, 0):>7} updated")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings
    from placedesk.models.base import utcnow
    from placedesk.services.sync.outbox import share_problem, sync_with_share

    settings = load_settings().settings
    laptop = _laptop_id()
    signer = None
    if not args.no_export:
        from placedesk.commands.trust import signer_for_command

        signer = signer_for_command(args.passphrase_file)
    db = open_db(args, create=False)
    try:
        outcome = sync_with_share(db, settings.shared_folder, laptop_id=laptop, now=utcnow, signer=signer,
                                  export=not args.no_export)
    finally:
        db.close()
    print(outcome.summary())
    if outcome.rejected:
        return 1
    return 1 if outcome.delivery.waiting and share_problem(settings.shared_folder) else 0


def run_conflicts(args: argparse.Namespace) -> int:
    from placedesk.errors import EditConflict, PlaceDeskError, ValidationError
    from placedesk.models.base import utcnow
    from placedesk.models.enums import ConflictResolution
    from placedesk.services.sync.conflicts import list_conflicts, resolve_conflict

    db = open_db(args, create=False)
    try:
        if args.resolve:
            if not args.keep:
                raise ValidationError("Say which version to keep: --keep local or --keep remote.", field="keep")
            try:
                conflict_id = uuid.UUID(args.resolve)
            except ValueError:
                raise ValidationError(f"{args.resolve!r} is not a conflict id; copy one from "
                                      "'placedesk conflicts'.", field="resolve") from None
            choice = ConflictResolution.KEEP_LOCAL if args.keep == "local" else ConflictResolution.TAKE_REMOTE
            try:
                with db.session_scope() as session:
                    view = resolve_conflict(session, conflict_id, choice, officer=db.officer, now=utcnow(),
                                            seen_version=args.over_version)
            except EditConflict as conflict:
                what = "deleted" if conflict.deleted else "changed"
                fields = ", ".join(f"{c.label.lower()}: theirs {c.theirs!r}, the other laptop's {c.yours!r}"
                                   for c in conflict.clashes)
                raise PlaceDeskError(
                    f"{conflict.changed_by} {what} this {conflict.record_label} here at {conflict.changed_when()}, "
                    f"after the conflict was recorded ({fields or 'no field in question'}). Nothing was changed. "
                    f"To take the other laptop's version over their change, run this again with --over-version "
                    f"{conflict.their_version}; or keep theirs with --keep local.") from None
            print(f"Resolved the conflict on {view.entity} {view.label}: "
                  f"{'kept this laptop' if args.keep == 'local' else 'took the other laptop'}'s version.")
            return 0
        with db.session() as session:
            views = list_conflicts(session)
    finally:
        db.close()
    if not views:
        print("No sync conflicts to resolve.")
        return 0
    for view in views:
        fields = ", ".join(f.field for f in view.differing) or "(bookkeeping only)"
        print(f"{view.id}  {view.entity} {view.label}: differs in {fields}")
    print("Resolve one with: placedesk conflicts --resolve ID --keep local|remote", file=sys.stderr)
    return 0
