"""Signing a bundle's manifest, and checking a signature: a detached CMS (PKCS#7) SignedData.

The manifest names every file of the bundle with its SHA-256 and size, plus
the laptop id, the officer and the time, so signing the manifest's exact bytes
vouches for the whole bundle. The signature sits beside it as
``manifest.p7s``: a standard detached CMS SignedData (RFC 5652) holding the
signer's certificate, made with the same key and certificate that sign IPAs.
Anyone can inspect one with ``openssl cms -verify -inform DER -in manifest.p7s
-content manifest.json -binary -noverify``.

Signing uses ``cryptography``'s PKCS#7 builder; checking parses the CMS with
``asn1crypto`` (as pyHanko does) and checks the message digest and the
signature with ``cryptography`` (loading pyHanko's validator would cost more
than the whole check). Whether the signer is *trusted* is decided elsewhere
(:mod:`placedesk.services.sync.colleagues`): this module only says whether the
signature is intact and whose certificate made it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from placedesk.errors import PlaceDeskError
from placedesk.services.sync.bundle_format import MAX_SIGNATURE_BYTES, BundleError

# Digests a signature may use over the manifest; anything older is refused as weak.
_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def fingerprint_of(certificate: Any) -> str:
    """The certificate's SHA-256 fingerprint over its DER bytes, as 64 lower-case hex digits."""
    from cryptography.hazmat.primitives import serialization

    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def spoken_fingerprint(fingerprint: str) -> str:
    """A fingerprint in groups of four, upper case, for reading out over the phone."""
    text = fingerprint.upper()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def common_name(certificate: Any) -> str:
    """The name a certificate is issued to (its subject's common name)."""
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def same_officer(a: str, b: str) -> bool:
    """Whether two officer names are the same person's (case and spacing aside)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class BundleSigner:
    """The officer's key and certificate, opened once with the passphrase and kept for the session."""

    key: Any
    certificate: Any

    @property
    def name(self) -> str:
        return common_name(self.certificate)

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.certificate)

    def certificate_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.certificate.public_bytes(serialization.Encoding.PEM)


def signer_from_p12(data: bytes, passphrase: str) -> BundleSigner:
    """A signer from PKCS#12 bytes; a wrong passphrase or a file without a key is a clear error."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, _ = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError:
        raise PlaceDeskError("The passphrase does not open your signing identity. Check it and try again.") from None
    if key is None or cert is None:
        raise PlaceDeskError("Your signing identity has no private key and certificate in it, so it cannot sign.")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise PlaceDeskError("Your signing identity uses a kind of key PlaceDesk cannot sign bundles with "
                             "(it needs RSA or elliptic-curve). Ask your council for an RSA certificate.")
    return BundleSigner(key, cert)


def load_signer(passphrase: str, path: Path | None = None) -> BundleSigner:
    """Open the officer's signing identity (``signing/officer.p12``) with ``passphrase``."""
    from placedesk.services.agreements.identity import read_identity

    return signer_from_p12(read_identity(passphrase, path), passphrase)


def sign_manifest(signer: BundleSigner, manifest: bytes) -> bytes:
    """A detached CMS signature (DER) over the manifest's exact bytes, with the certificate inside."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    return (pkcs7.PKCS7SignatureBuilder().set_data(manifest)
            .add_signer(signer.certificate, signer.key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))


@dataclass(frozen=True)
class SignatureCheck:
    """An intact signature over a manifest, and the certificate that made it (not yet judged trusted)."""

    certificate: Any
    fingerprint: str
    name: str
    signed_at: dt.datetime | None


class SignerError(BundleError):
    """A bundle refused because of who signed it (or that nobody did); says why, with the fingerprint."""

    def __init__(self, message: str, *, reason: str, fingerprint: str | None = None,
                 check: SignatureCheck | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.fingerprint = fingerprint
        self.check = check


def _bad(detail: str) -> SignerError:
    return SignerError(f"The bundle's signature is not valid ({detail}): the bundle was changed after it was "
                       "signed, or the signature was forged. It was rejected; nothing was imported.",
                       reason="bad_signature")


def _cms() -> Any:
    """asn1crypto's CMS module, with the attribute names its other modules add registered first.

    asn1crypto builds each name table's reverse map once, the first time a name is looked up,
    and ``tsp`` and ``pdf`` add names (``signing_certificate_v2`` among them) only when they are
    imported. Reading a bundle's signature looks names up; had it done so before pyHanko (which
    imports them) was loaded, every IPA signed later in the same window would fail with
    "invalid literal for int()".
    """
    from asn1crypto import cms, pdf, tsp  # noqa: F401 - imported for the names they register

    return cms


def verify_manifest_signature(manifest: bytes, signature: bytes | None) -> SignatureCheck:
    """Check ``signature`` is an intact CMS signature over exactly ``manifest``; return who made it."""
    if signature is None:
        raise SignerError("The bundle is not signed, so nothing proves who made it or that it was not altered. "
                          "Bundles from PlaceDesk before signed sync are not accepted: ask the colleague to "
                          "export again. Nothing was imported.", reason="unsigned")
    if len(signature) > MAX_SIGNATURE_BYTES:
        raise _bad("it is far larger than any signature")
    from cryptography import x509

    cms = _cms()
    try:
        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            raise _bad("it is not a CMS SignedData")
        signed = info["content"]
        if signed["encap_content_info"]["content"].native is not None:
            raise _bad("it carries content instead of signing the manifest beside it")
        signer_infos = list(signed["signer_infos"])
        if len(signer_infos) != 1:
            raise _bad(f"it has {len(signer_infos)} signers instead of one")
        signer_info = signer_infos[0]
        sid = signer_info["sid"]
        if sid.name != "issuer_and_serial_number":
            raise _bad("it names its signer in a way PlaceDesk does not read")
        wanted = sid.chosen
        certificate = None
        for choice in signed["certificates"] or []:
            if choice.name != "certificate":
                continue
            cert = choice.chosen
            if cert.issuer == wanted["issuer"] and cert.serial_number == wanted["serial_number"].native:
                certificate = cert
                break
        if certificate is None:
            raise _bad("the signer's certificate is not in it")
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        digest = _DIGESTS.get(algorithm)
        if digest is None:
            raise _bad(f"it uses the {algorithm} digest, which is not accepted")
        attributes = {a["type"].native: a["values"][0].native for a in signer_info["signed_attrs"] or []}
        if attributes.get("content_type") != "data":
            raise _bad("it does not say it signs plain data")
        intact = attributes.get("message_digest") == digest(manifest).digest()
        loaded = x509.load_der_x509_certificate(certificate.dump())
        # The signature covers the signed attributes, encoded as a SET (RFC 5652, 5.4).
        valid = _signature_matches(loaded, signer_info, signer_info["signed_attrs"].untag().dump(), algorithm)
        signed_at = attributes.get("signing_time")
    except SignerError:
        raise
    except Exception as exc:  # any failure to parse or check hostile bytes means "not a valid signature"
        raise _bad(type(exc).__name__) from None
    if not intact:
        raise _bad("the manifest does not match what was signed")
    if not valid:
        raise _bad("the signature does not match the certificate")
    return SignatureCheck(loaded, fingerprint_of(loaded), common_name(loaded), signed_at)


def _signature_matches(certificate: Any, signer_info: Any, data: bytes, digest_name: str) -> bool:
    """Whether the signer's public key verifies the signature over ``data`` (RSA PKCS#1 v1.5 or PSS, or ECDSA)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    digest = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}[digest_name]()
    kind = signer_info["signature_algorithm"].signature_algo
    value = signer_info["signature"].native
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey) and kind == "rsassa_pkcs1v15":
            key.verify(value, data, padding.PKCS1v15(), digest)
        elif isinstance(key, rsa.RSAPublicKey) and kind == "rsassa_pss":
            salt = signer_info["signature_algorithm"]["parameters"]["salt_length"].native
            key.verify(value, data, padding.PSS(mgf=padding.MGF1(digest), salt_length=salt), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey) and kind == "ecdsa":
            key.verify(value, data, ec.ECDSA(digest))
        else:
            return False
    except InvalidSignature:
        return False
    return True
