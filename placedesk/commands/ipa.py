"""``placedesk ipa`` and ``placedesk verify``: agreements and their signatures from the command line.

``ipa`` writes a placement's current agreement PDF, issuing version 1 first
if there is none yet, and signs it with ``--sign`` (the passphrase comes
from a file so it never appears in the shell history or process list).

``verify`` prints every signature in a PDF: who signed, when, whether it is
intact and valid, whether it covers the whole document, and whether its
certificate is trusted. Exit status: 0 when every signature is intact and
valid, 1 when any is broken or the file has none, 2 when the file cannot be
read at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from placedesk.commands._common import open_db


def register(sub: argparse._SubParsersAction) -> None:
    ipa = sub.add_parser("ipa", help="write a placement's agreement PDF (issuing it first if needed), optionally signed")
    ipa.add_argument("placement_ref", metavar="PLACEMENT_REF", help="the placement reference, e.g. PLC-7F3A-0001")
    ipa.add_argument("--out", metavar="FILE.pdf", type=Path, required=True, help="where to write the PDF")
    ipa.add_argument("--sign", metavar="P12", type=Path, default=None,
                     help="sign as the officer with this PKCS#12 (.p12/.pfx) identity")
    ipa.add_argument("--passphrase-file", metavar="F", type=Path, default=None,
                     help="file whose first line is the identity's passphrase (needed with --sign)")
    ipa.set_defaults(func=run_ipa)

    verify = sub.add_parser("verify", help="check every signature in a PDF (exit 1 if any is broken)")
    verify.add_argument("file", metavar="FILE.pdf", type=Path, help="the signed PDF")
    verify.set_defaults(func=run_verify)


def _passphrase(path: Path | None) -> str:
    from placedesk.errors import PlaceDeskError

    if path is None:
        raise PlaceDeskError("--sign needs --passphrase-file F: a file holding the identity's passphrase.")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PlaceDeskError(f"The passphrase file {path} could not be read ({exc.strerror or exc}).") from exc
    return lines[0] if lines else ""


def run_ipa(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings
    from placedesk.errors import PlaceDeskError
    from placedesk.fileio import atomic_write_bytes
    from placedesk.models.enums import AgreementStatus
    from placedesk.services.agreements import ipa as agreements
    from placedesk.services.common.audit_log import record_export

    identity: bytes | None = None
    passphrase = ""
    if args.sign is not None:
        from placedesk.reports.pyhanko_offline import without_xmp

        # This process signs the agreement PlaceDesk rendered, which has no XMP metadata.
        without_xmp()
        passphrase = _passphrase(args.passphrase_file)
        try:
            identity = args.sign.read_bytes()
        except OSError as exc:
            raise PlaceDeskError(f"The identity {args.sign} could not be read ({exc.strerror or exc}).") from exc
    officer = load_settings().settings.officer
    today = dt.date.today()
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            placement = agreements.find_placement(session, args.placement_ref)
            agreement = agreements.current_agreement(session, placement.id)
            if agreement is None:
                agreement = agreements.issue_agreement(session, placement, officer=officer, today=today)
                print(f"Issued {agreement.ref} version 1.")
            elif agreement.unsigned_document is None:
                agreements.make_missing_pdf(session, agreement, officer=officer)
            if identity is not None:
                if agreement.status is not AgreementStatus.DRAFT:
                    raise PlaceDeskError(
                        f"{agreement.ref} version {agreement.version_number} is already signed; "
                        "run again without --sign to write it."
                    )
                agreements.sign_agreement(session, agreement, identity=identity, passphrase=passphrase,
                                          officer=officer, now=dt.datetime.now(dt.timezone.utc))
                print(f"Signed {agreement.ref} version {agreement.version_number} as {agreement.officer_signer}.")
            pdf = agreements.agreement_pdf(session, agreement)
            label = agreements.STATUS_LABELS[agreement.status]
            ref, version = agreement.ref, agreement.version_number
            atomic_write_bytes(args.out, pdf)
            record_export(session, what=f"Agreement {ref} version {version} (PDF)", target=args.out.resolve(),
                          records=1, entity="agreement", entity_id=agreement.id)
    finally:
        db.close()
    print(f"Wrote {ref} version {version} ({label.lower()}) to {args.out}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from placedesk.errors import PlaceDeskError
    from placedesk.reports.signing import verify_pdf
    from placedesk.services.common.parsing import format_uk_time

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise PlaceDeskError(f"{args.file} could not be read ({exc.strerror or exc}).") from exc
    checks = verify_pdf(data)
    if not checks:
        print(f"{args.file}: no signatures.")
        return 1
    broken = 0
    for number, check in enumerate(checks, start=1):
        when = format_uk_time(check.signed_at) if check.signed_at else "unknown"
        state = "INTACT AND VALID" if check.ok else "BROKEN"
        broken += not check.ok
        print(f"Signature {number} ({check.field_name}): {state}")
        print(f"  Signer:       {check.signer_name}")
        print(f"  Signed at:    {when}")
        print(f"  Intact:       {'yes' if check.intact else 'NO'}")
        print(f"  Valid:        {'yes' if check.valid else 'NO'}")
        print(f"  Covers:       {check.coverage}" + ("" if check.changes_allowed else " (changed afterwards)"))
        print(f"  Whole document: {'yes' if check.covers_whole_file else 'no'}")
        print(f"  Trusted:      {'yes' if check.trusted else 'no (certificate not from a trusted authority)'}")
        print(f"  Certificate:  {check.subject}")
        print(f"  Issuer:       {check.issuer}")
        print(f"  Serial:       {check.serial}")
    if broken:
        print(f"{broken} of {len(checks)} signatures are broken.", file=sys.stderr)
        return 1
    print(f"All {len(checks)} signatures are intact and valid.")
    return 0
