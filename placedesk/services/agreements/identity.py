"""The officer's signing identity: a key and certificate in a passphrase-protected PKCS#12 file.

An officer either creates one here (an RSA key and a self-signed certificate
naming them, their role and their council) or imports the ``.p12``/``.pfx``
their council issued. It lives in the user data folder as
``signing/officer.p12``; the passphrase is asked each time it is used and is
never written anywhere. A copy of the public certificate sits beside it so
the app can say whose identity it is without asking for the passphrase.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.fileio import atomic_write_bytes

MIN_PASSPHRASE = 8
IDENTITY_FILE = "officer.p12"
CERTIFICATE_FILE = "officer-certificate.pem"
SIGNATURE_IMAGE_FILE = "handwritten-signature.png"
# Self-made identities last three years: long enough for a post, short enough to renew.
VALID_DAYS = 3 * 365
KEY_BITS = 2048


@dataclass(frozen=True)
class IdentityInfo:
    """Who an identity signs as, read from its public certificate."""

    path: Path
    subject: str
    common_name: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    self_signed: bool
    sha256: str

    def expired_on(self, today: dt.date) -> bool:
        return self.not_after.date() < today


def identity_dir() -> Path:
    from placedesk.config import data_dir

    return data_dir() / "signing"


def identity_path() -> Path:
    """Where the officer's identity is kept."""
    return identity_dir() / IDENTITY_FILE


def has_identity() -> bool:
    return identity_path().is_file()


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            f"Choose a passphrase of at least {MIN_PASSPHRASE} characters to protect your signing identity.",
            "passphrase",
        )


def create_identity(
    name: str,
    role: str,
    local_authority: str,
    email: str,
    passphrase: str,
    *,
    now: dt.datetime | None = None,
    replace: bool = False,
) -> Path:
    """Make a key pair and a self-signed certificate for the officer; save it as PKCS#12."""
    target = identity_path()
    if target.exists() and not replace:
        raise PlaceDeskError(
            f"You already have a signing identity ({target}). Replace it only if you mean to: "
            "agreements you signed before stay valid."
        )
    data, pem = build_identity(name, role, local_authority, email, passphrase, now=now)
    _save(data, pem)
    return target


def build_identity(
    name: str,
    role: str,
    local_authority: str,
    email: str,
    passphrase: str,
    *,
    now: dt.datetime | None = None,
) -> tuple[bytes, bytes]:
    """A new identity as (PKCS#12 bytes protected by ``passphrase``, certificate PEM); nothing saved."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    name, role, local_authority, email = (v.strip() for v in (name, role, local_authority, email))
    if not name:
        raise ValidationError("Enter your name: it is printed in your signature.", "name")
    if not local_authority:
        raise ValidationError("Enter your local authority's name: it is part of your certificate.", "local_authority")
    if email and "@" not in email:
        raise ValidationError(f"'{email}' is not an email address.", "email")
    _check_passphrase(passphrase)
    when = now or dt.datetime.now(dt.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, local_authority[:64]),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
    ]
    if role:
        attributes.insert(1, x509.NameAttribute(NameOID.TITLE, role[:64]))
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email[:128]))
    subject = x509.Name(attributes)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(when - dt.timedelta(minutes=5))
        .not_valid_after(when + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    data = pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, cert, None, serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    )
    return data, cert.public_bytes(serialization.Encoding.PEM)


def import_identity(source: Path, passphrase: str, *, replace: bool = False) -> Path:
    """Check an LA-issued ``.p12``/``.pfx`` opens with ``passphrase`` and holds a key; copy it in."""
    from cryptography.hazmat.primitives import serialization

    source = Path(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PlaceDeskError(f"{source} could not be read ({exc.strerror or exc}).") from exc
    key, cert = _open(data, passphrase, source.name)
    del key
    target = identity_path()
    if target.exists() and not replace:
        raise PlaceDeskError(
            f"You already have a signing identity ({target}). Confirm that you want to replace it."
        )
    _save(data, cert.public_bytes(serialization.Encoding.PEM))
    return target


def _open(data: bytes, passphrase: str, label: str) -> tuple[object, object]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, _ = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError as exc:
        raise PlaceDeskError(
            f"The passphrase does not open {label}, or it is not a PKCS#12 (.p12/.pfx) file. "
            "Check the passphrase and the file."
        ) from exc
    if key is None or cert is None:
        raise PlaceDeskError(f"{label} has no private key and certificate in it, so it cannot sign.")
    return key, cert


def _save(p12: bytes, certificate_pem: bytes) -> None:
    folder = identity_dir()
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / IDENTITY_FILE, p12)
    atomic_write_bytes(folder / CERTIFICATE_FILE, certificate_pem)
    try:
        # The key is encrypted, but there is no reason for others on the laptop to read it.
        os.chmod(folder / IDENTITY_FILE, 0o600)
    except OSError:
        pass


def read_identity(passphrase: str, path: Path | None = None) -> bytes:
    """The identity's PKCS#12 bytes after checking the passphrase opens them."""
    target = path or identity_path()
    if not target.is_file():
        raise PlaceDeskError(
            "You have no signing identity yet. Create one (or import your council's .p12 file) first."
        )
    data = target.read_bytes()
    _open(data, passphrase, "your signing identity")
    return data


def identity_info(path: Path | None = None) -> IdentityInfo | None:
    """Whose identity is installed (from the public certificate); None when there is none."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    target = path or identity_path()
    pem = target.parent / CERTIFICATE_FILE
    if not target.is_file() or not pem.is_file():
        return None
    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    from cryptography.hazmat.primitives import serialization

    return IdentityInfo(
        path=target,
        subject=cert.subject.rfc4514_string(),
        common_name=str(names[0].value) if names else cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        self_signed=cert.issuer == cert.subject,
        sha256=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    )


def signature_image_path() -> Path:
    """Where the officer's handwritten signature image is kept (PNG), if they added one."""
    return identity_dir() / SIGNATURE_IMAGE_FILE


def save_signature_image(source: Path) -> Path:
    """Keep a drawn or scanned signature (PNG or JPEG) to show inside the visible signature."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as picture:
            picture.load()
            if picture.width < 20 or picture.height < 10:
                raise ValidationError("The signature image is too small to read: use one at least 200 pixels wide.",
                                      "signature_image")
            picture.thumbnail((900, 300))
            buffer = io.BytesIO()
            picture.save(buffer, "PNG")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError(f"{Path(source).name} is not an image PlaceDesk can read: use a PNG or JPEG.",
                              "signature_image") from exc
    atomic_write_bytes(signature_image_path(), buffer.getvalue())
    return signature_image_path()


def signature_image() -> bytes | None:
    """The handwritten signature image, or None when the officer has not added one."""
    path = signature_image_path()
    return path.read_bytes() if path.is_file() else None


def remove_signature_image() -> None:
    signature_image_path().unlink(missing_ok=True)


__all__ = [
    "IdentityInfo",
    "build_identity",
    "create_identity",
    "has_identity",
    "identity_info",
    "identity_path",
    "import_identity",
    "read_identity",
    "remove_signature_image",
    "save_signature_image",
    "signature_image",
    "signature_image_path",
]
