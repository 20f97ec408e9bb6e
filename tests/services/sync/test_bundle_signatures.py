"""Bundle manifest signatures as other CMS tools make them: ECDSA, RSA-PSS, SHA-384 and SHA-512 are
accepted when intact, and any of them is refused once the manifest or the signer changes."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from placedesk.services.sync.bundle_signing import (
    SignerError,
    verify_manifest_signature,
)

MANIFEST = b'{"bundle_id": "b1", "files": []}'
CHANGED = b'{"bundle_id": "b2", "files": []}'
_KEYS: dict[str, Any] = {}


def _key(kind: str) -> Any:
    # One key of each kind for the whole module: RSA keys are slow to make.
    if kind not in _KEYS:
        _KEYS[kind] = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    return _KEYS[kind]


def _certificate(key: Any, name: str = "Sam Patel") -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1001).not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256()))


def _sign(data: bytes, key: Any, certificate: x509.Certificate, digest: hashes.HashAlgorithm,
          rsa_padding: Any = None) -> bytes:
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
    builder = (builder.add_signer(certificate, key, digest, rsa_padding=rsa_padding) if rsa_padding is not None
               else builder.add_signer(certificate, key, digest))
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


def _pss(digest: hashes.HashAlgorithm) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(digest), salt_length=padding.PSS.DIGEST_LENGTH)


KINDS = {
    "ECDSA SHA-256": ("ec", hashes.SHA256(), None),
    "ECDSA SHA-384": ("ec", hashes.SHA384(), None),
    "ECDSA SHA-512": ("ec", hashes.SHA512(), None),
    "RSA PKCS#1 v1.5 SHA-384": ("rsa", hashes.SHA384(), None),
    "RSA PKCS#1 v1.5 SHA-512": ("rsa", hashes.SHA512(), None),
    "RSA-PSS SHA-256": ("rsa", hashes.SHA256(), "pss"),
    "RSA-PSS SHA-512": ("rsa", hashes.SHA512(), "pss"),
}


def _made(kind: str, data: bytes = MANIFEST) -> bytes:
    key_kind, digest, pad = KINDS[kind]
    key = _key(key_kind)
    return _sign(data, key, _certificate(key), digest, _pss(digest) if pad else None)


def _refusal(signature: bytes) -> str:
    with pytest.raises(SignerError) as err:
        verify_manifest_signature(MANIFEST, signature)
    assert err.value.reason == "bad_signature"
    return str(err.value)


def _bad(detail: str) -> str:
    return (f"The bundle's signature is not valid ({detail}): the bundle was changed after it was signed, or the "
            "signature was forged. It was rejected; nothing was imported.")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_intact_signature_of_each_kind_names_its_signer(kind: str) -> None:
    check = verify_manifest_signature(MANIFEST, _made(kind))
    assert check.name == "Sam Patel"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_signature_of_each_kind_over_another_manifest_is_refused(kind: str) -> None:
    assert _refusal(_made(kind, CHANGED)) == _bad("the manifest does not match what was signed")


@pytest.mark.parametrize("key_kind", ["ec", "rsa"])
def test_a_signature_made_with_another_key_than_the_certificates_is_refused(key_kind: str) -> None:
    # The signed attributes are intact (the manifest matches); only the key behind them is wrong.
    other = ec.generate_private_key(ec.SECP256R1()) if key_kind == "ec" else rsa.generate_private_key(65537, 2048)
    signature = _sign(MANIFEST, other, _certificate(_key(key_kind)), hashes.SHA256())
    assert _refusal(signature) == _bad("the signature does not match the certificate")


def _relabelled(signature: bytes, algorithm: str) -> bytes:
    """The signature with its signer's algorithm renamed (a field its own signature does not cover)."""
    from asn1crypto import cms

    info = cms.ContentInfo.load(signature)
    signer = info["content"]["signer_infos"][0]
    signer["signature_algorithm"] = cms.SignedDigestAlgorithm({"algorithm": algorithm})
    return info.dump(force=True)


@pytest.mark.parametrize(("kind", "claimed"), [("ECDSA SHA-256", "rsassa_pss"), ("ECDSA SHA-256", "rsassa_pkcs1v15"),
                                               ("RSA PKCS#1 v1.5 SHA-384", "sha384_ecdsa"),
                                               ("RSA-PSS SHA-256", "sha256_dsa"),
                                               ("RSA PKCS#1 v1.5 SHA-384", "ed25519")])
def test_a_signature_claiming_an_algorithm_its_key_cannot_make_is_refused(kind: str, claimed: str) -> None:
    assert _refusal(_relabelled(_made(kind), claimed)) == _bad("the signature does not match the certificate")


def test_an_agreement_can_still_be_signed_after_a_bundle_signature_was_checked() -> None:
    """In one process, as in the window: a colleague's bundle is checked first, an IPA signed next."""
    script = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from tests.services.sync.helpers import signer_for\n"
        "from placedesk.services.sync.bundle_signing import sign_manifest, verify_manifest_signature\n"
        "verify_manifest_signature(b'{}', sign_manifest(signer_for('Officer A'), b'{}'))\n"
        "from placedesk.reports import signing\n"
        "from placedesk.reports.ipa import render_ipa\n"
        "from tests.reports.ipa_data import sample\n"
        "from tests.services.agreements.helpers import OFFICER_PASS, officer_p12\n"
        "signed = signing.sign_pdf(render_ipa(sample()), signing.LA_FIELD,\n"
        "                          signing.load_signer(officer_p12(), OFFICER_PASS), name='Siân Ŵyn-Roberts',\n"
        "                          role='Placement Officer', organisation='Cyngor Sir Ynys Môn')\n"
        "print(signing.verify_pdf(signed)[0].intact)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[3], timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
