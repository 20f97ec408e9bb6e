"""``placedesk identity`` and ``placedesk colleagues``: the officer's signing identity and the team trust list.

The identity (key and certificate, ``signing/officer.p12``) is the one that
signs IPAs; it also signs every export bundle. Colleagues' certificates are
trusted once, deliberately, after comparing the SHA-256 fingerprint with them
over the phone; bundles from anyone else are refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    identity = sub.add_parser("identity", help="create, import or show your signing identity (signs IPAs and bundles)")
    isub = identity.add_subparsers(dest="identity_command", metavar="ACTION", required=True)
    create = isub.add_parser("create", help="make a key and a self-signed certificate in your name")
    create.add_argument("--name", required=True, help="your name, as colleagues know you (the certificate's name)")
    create.add_argument("--role", default="Placement officer", help="your role (default: Placement officer)")
    create.add_argument("--authority", metavar="LA", help="your local authority (default: from settings)")
    create.add_argument("--email", default="", help="your work e-mail address")
    _passphrase_options(create)
    create.add_argument("--replace", action="store_true", help="replace the identity you have")
    create.set_defaults(func=run_identity_create)
    imp = isub.add_parser("import", help="install the .p12/.pfx your council issued")
    imp.add_argument("p12", metavar="P12", type=Path, help="the PKCS#12 file")
    _passphrase_options(imp)
    imp.add_argument("--replace", action="store_true", help="replace the identity you have")
    imp.set_defaults(func=run_identity_import)
    show = isub.add_parser("show", help="whose identity is installed: name, fingerprint, expiry")
    show.set_defaults(func=run_identity_show)
    remember = isub.add_parser("remember", help="keep the passphrase in the system keystore for export and sync")
    remember.add_argument("--passphrase-file", metavar="F", type=Path, required=True,
                          help="file whose first line is the passphrase")
    remember.set_defaults(func=run_identity_remember)
    forget = isub.add_parser("forget", help="remove the passphrase from the system keystore")
    forget.set_defaults(func=run_identity_forget)

    colleagues = sub.add_parser("colleagues", help="the colleagues whose signed bundles you accept")
    csub = colleagues.add_subparsers(dest="colleagues_command", metavar="ACTION", required=True)
    add = csub.add_parser("add", help="trust a colleague's certificate (or your council's CA certificate)")
    add_from = add.add_mutually_exclusive_group(required=True)
    add_from.add_argument("cert", metavar="CERT_FILE", type=Path, nargs="?",
                          help="the .pem a colleague exported (or a .cer/.crt)")
    add_from.add_argument("--from-bundle", metavar="BUNDLE", type=Path,
                          help="trust whoever signed this bundle (after comparing the fingerprint it shows)")
    add.add_argument("--yes", action="store_true", help="do not ask to confirm the fingerprint")
    add.set_defaults(func=run_colleagues_add)
    lst = csub.add_parser("list", help="everyone you trust, with fingerprints, expiry and laptops")
    lst.set_defaults(func=run_colleagues_list)
    remove = csub.add_parser("remove", help="stop trusting a colleague (their bundles are refused from now on)")
    remove.add_argument("name", metavar="NAME", help="their name as listed, or their fingerprint")
    remove.set_defaults(func=run_colleagues_remove)
    export = csub.add_parser("export", help="write your own certificate for colleagues to add")
    export.add_argument("--to", metavar="FILE", type=Path, required=True, help="the .pem file (or a folder) to write")
    export.set_defaults(func=run_colleagues_export)
    show = csub.add_parser("show", help="look at a bundle's signer, time and records without importing it")
    show.add_argument("bundle", metavar="BUNDLE", type=Path, help="the bundle folder or .zip")
    show.set_defaults(func=run_colleagues_show)


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="F", type=Path, required=True,
                        help="file whose first line is the passphrase protecting the identity")
    parser.add_argument("--remember", action="store_true",
                        help="also keep the passphrase in the system keystore, for export and sync")


def read_passphrase_file(path: Path) -> str:
    """The first line of ``path``: how a passphrase is given on the command line (never as an argument)."""
    from placedesk.errors import PlaceDeskError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PlaceDeskError(f"The passphrase file {path} could not be read ({exc.strerror or exc}).") from None
    return lines[0] if lines else ""


def signer_for_command(passphrase_file: Path | None) -> Any:
    """The officer's bundle signer, opened with ``--passphrase-file`` or else the keystore's passphrase."""
    from placedesk.errors import PlaceDeskError
    from placedesk.services.agreements.identity import has_identity
    from placedesk.services.agreements.passphrase_store import saved_passphrase
    from placedesk.services.sync.bundle_signing import load_signer

    if not has_identity():
        raise PlaceDeskError("Bundles are signed with your signing identity, and you have none yet. Make one with "
                             "'placedesk identity create --name NAME --passphrase-file F' (or import your council's "
                             "with 'placedesk identity import P12 --passphrase-file F').")
    passphrase = read_passphrase_file(passphrase_file) if passphrase_file else saved_passphrase()
    if passphrase is None:
        raise PlaceDeskError("Bundles are signed, so PlaceDesk needs your identity's passphrase: give "
                             "--passphrase-file F, or keep it in the system keystore once with "
                             "'placedesk identity remember --passphrase-file F'.")
    return load_signer(passphrase)


def _print_identity() -> None:
    from placedesk.services.agreements.identity import identity_info
    from placedesk.services.sync.bundle_signing import spoken_fingerprint

    info = identity_info()
    if info is None:
        print("You have no signing identity yet: 'placedesk identity create --name NAME --passphrase-file F'.")
        return
    print(f"Name:        {info.common_name}")
    print(f"Certificate: {info.subject}" + (" (self-signed)" if info.self_signed else f", issued by {info.issuer}"))
    print(f"Valid:       {info.not_before:%d/%m/%Y} to {info.not_after:%d/%m/%Y}")
    print(f"Fingerprint: {spoken_fingerprint(info.sha256)}")


def _maybe_remember(args: argparse.Namespace, passphrase: str) -> None:
    if args.remember:
        from placedesk.services.agreements.passphrase_store import remember_passphrase

        remember_passphrase(passphrase)
        print("The passphrase is kept in the system keystore; export and sync will not ask for it.")


def run_identity_create(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings
    from placedesk.services.agreements.identity import create_identity

    passphrase = read_passphrase_file(args.passphrase_file)
    officer = load_settings().settings.officer
    authority = args.authority or officer.local_authority or "Local authority"
    create_identity(args.name, args.role, authority, args.email, passphrase, replace=args.replace)
    print("Made your signing identity:")
    _print_identity()
    _maybe_remember(args, passphrase)
    return 0


def run_identity_import(args: argparse.Namespace) -> int:
    from placedesk.services.agreements.identity import import_identity

    passphrase = read_passphrase_file(args.passphrase_file)
    import_identity(args.p12, passphrase, replace=args.replace)
    print("Installed your signing identity:")
    _print_identity()
    _maybe_remember(args, passphrase)
    return 0


def run_identity_show(args: argparse.Namespace) -> int:
    _print_identity()
    return 0


def run_identity_remember(args: argparse.Namespace) -> int:
    from placedesk.services.agreements.passphrase_store import remember_passphrase
    from placedesk.services.sync.bundle_signing import load_signer

    passphrase = read_passphrase_file(args.passphrase_file)
    load_signer(passphrase)  # only a passphrase that opens the identity is kept
    remember_passphrase(passphrase)
    print("The passphrase is kept in the system keystore; export and sync will not ask for it.")
    return 0


def run_identity_forget(args: argparse.Namespace) -> int:
    from placedesk.services.agreements.passphrase_store import forget_passphrase

    forget_passphrase()
    print("The passphrase is no longer kept in the system keystore.")
    return 0


def _describe(colleague: Any, laptops: list[str]) -> str:
    from placedesk.services.sync.bundle_signing import spoken_fingerprint

    kind = "council CA: trusts every certificate it issues" if colleague.authority else "colleague"
    where = f"; laptops {', '.join(laptops)}" if laptops else ""
    return (f"{colleague.name} ({kind}), valid until {colleague.not_after:%d/%m/%Y}{where}\n"
            f"    fingerprint {spoken_fingerprint(colleague.fingerprint)}")


def _confirm(args: argparse.Namespace, fingerprint: str) -> bool:
    import sys

    from placedesk.services.sync.bundle_signing import spoken_fingerprint

    if args.yes:
        return True
    print(f"Fingerprint: {spoken_fingerprint(fingerprint)}")
    print("Compare it with your colleague over the phone. Trust this certificate? [y/N] ", end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def run_colleagues_add(args: argparse.Namespace) -> int:
    from placedesk.models.base import utcnow
    from placedesk.services.sync.bundle_signing import fingerprint_of
    from placedesk.services.sync.colleagues import (
        add_colleague,
        load_trust,
        preview_bundle,
        read_certificate_file,
        trust_bundle_signer,
    )

    now = utcnow()
    if args.from_bundle is not None:
        preview = preview_bundle(args.from_bundle, load_trust(), now=now)
        for line in preview.lines():
            print(line)
        if preview.signer is None:
            return 1
        if not _confirm(args, preview.signer.fingerprint):
            print("Not trusted; nothing changed.")
            return 1
        colleague = trust_bundle_signer(args.from_bundle, now=now)
    else:
        certificate, _ = read_certificate_file(args.cert)
        if not _confirm(args, fingerprint_of(certificate)):
            print("Not trusted; nothing changed.")
            return 1
        colleague = add_colleague(args.cert, now=now)
    print("Trusted " + _describe(colleague, load_trust().laptops_of(colleague.fingerprint)))
    return 0


def run_colleagues_list(args: argparse.Namespace) -> int:
    from placedesk.services.sync.colleagues import load_trust

    trust = load_trust()
    if not trust.colleagues:
        print("You trust no colleagues yet: add one with 'placedesk colleagues add CERT_FILE'.")
        return 0
    for colleague in sorted(trust.colleagues, key=lambda c: c.name.casefold()):
        print(_describe(colleague, trust.laptops_of(colleague.fingerprint)))
    return 0


def run_colleagues_remove(args: argparse.Namespace) -> int:
    from placedesk.services.sync.colleagues import remove_colleague

    for colleague in remove_colleague(args.name):
        print(f"No longer trusted: {colleague.name}; their bundles are refused from now on.")
    return 0


def run_colleagues_export(args: argparse.Namespace) -> int:
    from placedesk.config import ensure_laptop_id, load_settings
    from placedesk.errors import PlaceDeskError
    from placedesk.services.agreements.identity import CERTIFICATE_FILE, identity_dir, identity_info
    from placedesk.services.sync.bundle_signing import spoken_fingerprint
    from placedesk.services.sync.colleagues import export_own_certificate

    info = identity_info()
    if info is None:
        raise PlaceDeskError("You have no signing identity to share yet: 'placedesk identity create --name NAME "
                             "--passphrase-file F'.")
    laptop = ensure_laptop_id(load_settings().settings)
    target = export_own_certificate(args.to, laptop_id=laptop,
                                    certificate_pem=(identity_dir() / CERTIFICATE_FILE).read_bytes())
    print(f"Wrote your certificate to {target}. Send it to colleagues; they add it with "
          f"'placedesk colleagues add' and compare this fingerprint with you: {spoken_fingerprint(info.sha256)}")
    return 0


def run_colleagues_show(args: argparse.Namespace) -> int:
    from placedesk.models.base import utcnow
    from placedesk.services.sync.colleagues import load_trust, preview_bundle

    preview = preview_bundle(args.bundle, load_trust(), now=utcnow())
    for line in preview.lines():
        print(line)
    for table, count in sorted(preview.record_counts.items()):
        print(f"  {table:<28} {count:>9,}")
    return 0 if preview.trusted else 1
